//! The code analyzer (tree-sitter parse, lowering, taint engine, pattern rules) on arbitrary bytes: no panic,
//! no stack overflow on deep nesting, and every finding and trace step inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use warden_code::CodeAnalyzer;

/// The first input byte picks the language by file name (`'0'`..`'4'` in the seeds).
const PATHS: &[&str] = &["app.py", "app.js", "app.ts", "app.tsx", "app.go"];

fn analyzer() -> &'static CodeAnalyzer {
    static ANALYZER: OnceLock<CodeAnalyzer> = OnceLock::new();
    ANALYZER.get_or_init(|| {
        CodeAnalyzer::new(&warden_core::Config::default()).expect("embedded rules load")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let path = PATHS[pick.wrapping_sub(b'0') as usize % PATHS.len()];
    let lines = bytes.split(|b| *b == b'\n').count() as u32;
    let out = analyzer().analyze_bytes(path, bytes);
    for f in &out.findings {
        assert!(
            f.location.start_line >= 1 && f.location.start_line <= lines,
            "{}: line {} of {lines}",
            f.rule_id,
            f.location.start_line
        );
        for r in &f.related {
            if r.location.path == path {
                assert!(
                    r.location.start_line >= 1 && r.location.start_line <= lines,
                    "{}: step at line {}",
                    f.rule_id,
                    r.location.start_line
                );
            }
        }
    }
});
