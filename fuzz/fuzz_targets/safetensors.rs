//! The safetensors header check (`warden_models::safetensors::check`) on arbitrary bytes: no panic, every
//! problem and tensor name offset inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use warden_models::safetensors;

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    let report = safetensors::check(&mut Cursor::new(data)).expect("reading a Cursor cannot fail");
    assert_eq!(report.file_size, len);
    for p in &report.problems {
        assert!(p.offset <= len, "problem at {} of {len}: {}", p.offset, p.kind);
    }
    if let Some(h) = &report.header {
        assert!(8 + h.len <= len, "header of {} bytes in {len}", h.len);
        for t in &h.tensors {
            assert!(t.header_offset < 8 + h.len, "{} at {} past the header", t.name, t.header_offset);
        }
    }
});
