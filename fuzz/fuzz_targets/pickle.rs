//! The streaming pickle reader (`warden_models::pickle::scan_collect`, default caps) on arbitrary bytes: no
//! panic, every pickle, import, call, mutation and error offset inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_models::pickle::{scan_collect, Ending, Limits};

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    let report = scan_collect(data, &Limits::default()).expect("reading a slice cannot fail");
    assert_eq!(report.summary.bytes, len, "the reader stops before the end");
    for p in &report.pickles {
        assert!(p.start < len, "pickle start {} of {len}", p.start);
        assert!(p.ending.is_some(), "pickle at {} has no ending", p.start);
        if let Some(Ending::Stop(at)) = p.ending {
            assert!(at >= p.start && at < len, "STOP at {at} of {len}");
        }
        for i in &p.imports {
            assert!(i.offset >= p.start && i.offset < len, "import at {} of {len}", i.offset);
        }
        for c in &p.calls {
            assert!(c.offset >= p.start && c.offset < len, "call at {} of {len}", c.offset);
        }
        for m in &p.mutations {
            assert!(m.offset >= p.start && m.offset < len, "mutation at {} of {len}", m.offset);
        }
        for e in &p.errors {
            // A truncation is reported at the end of the input at the latest.
            assert!(e.offset <= len, "error at {} of {len}: {}", e.offset, e.kind);
        }
    }
});
