//! The streaming protobuf scans (`warden_models::onnx::scan`, `warden_models::savedmodel::scan`) on arbitrary
//! bytes: no panic, every issue offset inside the input, and `scan_file` on the same bytes as `model.onnx` and
//! `saved_model.pb` (the sniffers decide).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use warden_models::{onnx, savedmodel, scan};

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    let report = onnx::scan(&mut Cursor::new(data), len).expect("reading a Cursor cannot fail");
    for i in &report.issues {
        assert!(i.offset <= len, "onnx {:?} at {} of {len}", i.kind, i.offset);
    }
    let report = savedmodel::scan(&mut Cursor::new(data), len).expect("reading a Cursor cannot fail");
    for i in &report.issues {
        assert!(i.offset <= len, "savedmodel {:?} at {} of {len}", i.kind, i.offset);
    }
    for name in ["model.onnx", "saved_model.pb"] {
        let r = scan::scan_file(&mut Cursor::new(data), name, len).expect("reading a Cursor cannot fail");
        for item in &r.items {
            assert!(item.offset <= len, "{} at {} of {len}", item.rule, item.offset);
        }
    }
});
