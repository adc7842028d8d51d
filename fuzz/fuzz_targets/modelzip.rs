//! The zip reader (`warden_models::zip`: central directory, local headers, every member read through the
//! ratio cap) and `warden_models::scan::scan_file` on arbitrary bytes in a `Cursor`: no panic, every member
//! data offset and every report item's file offset inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::{self, Cursor, Read};
use warden_models::{scan, zip};

/// The first input byte picks the file name (`'0'`..`'3'` in the seeds): the extension check and
/// `saved_model.pb` depend on it.
const NAMES: &[&str] = &["model.pt", "model.bin", "model.keras", "model.pkl"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[pick.wrapping_sub(b'0') as usize % NAMES.len()];
    let len = bytes.len() as u64;
    let limits = zip::Limits::default();
    let mut cursor = Cursor::new(bytes);
    if let Ok(archive) = zip::read_archive(&mut cursor, &limits) {
        assert_eq!(archive.file_size, len);
        for m in &archive.members {
            if let Some(d) = m.data_offset {
                assert!(d <= len, "{}: data at {d} of {len}", m.name);
            }
            if let Ok(Some((mut reader, _cutoff))) = zip::open_member(&mut cursor, m, &limits) {
                // The ratio cap bounds this; the take keeps each run fast.
                let _ = io::copy(&mut (&mut reader).take(4 << 20), &mut io::sink());
            }
        }
    }
    let mut cursor = Cursor::new(bytes);
    let report = scan::scan_file(&mut cursor, name, len).expect("reading a Cursor cannot fail");
    for item in &report.items {
        if let Some(at) = item.file_offset {
            assert!(at <= len, "{} {}: file offset {at} of {len}", item.rule, item.subject);
        }
        if item.member.is_none() {
            assert!(item.offset <= len, "{} {}: offset {} of {len}", item.rule, item.subject, item.offset);
        }
    }
});
