//! The secrets analyzer's readers for what is not text, on arbitrary bytes: the archive walker (zip, tar and
//! compressed streams, nested), printable runs, length-prefixed strings of binaries and SQLite records, UTF-16 decoding and
//! the Terraform state reader. No panic; every run and string lies in the input at its offset.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use warden_secrets::{archive, binary, structured};

fuzz_target!(|data: &[u8]| {
    if let Some(kind) = archive::kind(data) {
        let mut visit = |_m: archive::Member| {};
        let mut note = |_n: String| {};
        let mut w = archive::Walker::new(1 << 16, &mut visit, &mut note);
        let _ = w.walk(&mut Cursor::new(data), kind, "f", 0);
    }
    let _ = binary::for_each_batch(&mut &data[..], 1 << 20, 4096, |runs| {
        for (i, line) in runs.text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).enumerate() {
            let at = runs.starts[i] as usize;
            assert_eq!(&data[at..at + line.len()], line);
        }
    });
    for kind in [binary::Strings::Pyc, binary::Strings::JavaClass, binary::Strings::Sqlite] {
        let r = binary::structured_strings(data, kind);
        assert_eq!(r.text.iter().filter(|&&b| b == b'\n').count(), r.starts.len());
        for (i, line) in r.text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).enumerate() {
            let at = r.starts[i] as usize;
            assert_eq!(&data[at..at + line.len()], line);
        }
    }
    if let Some(enc) = binary::utf16_encoding(data) {
        let _ = binary::decode_utf16(data, enc);
    }
    for range in structured::tfstate_secrets(data) {
        assert!(range.end <= data.len());
    }
});
