//! The whole secrets analyzer on arbitrary bytes: no panic, every finding on a line >= 1, and no snippet that
//! prints a secret (of 12 bytes or more) whole.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use warden_secrets::SecretsAnalyzer;

/// File names that switch decoders on or off; the first input byte picks one (`'0'`..`'4'` in the seeds).
const PATHS: &[&str] = &["secret.yaml", "config.json", "notebook.ipynb", ".env", "x.txt"];

/// Built once: compiling the rules is the slow part, and it does not depend on the input.
fn analyzer() -> &'static SecretsAnalyzer {
    static ANALYZER: OnceLock<SecretsAnalyzer> = OnceLock::new();
    ANALYZER.get_or_init(|| {
        SecretsAnalyzer::new(&warden_core::Config::default()).expect("embedded rules load")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let path = PATHS[pick.wrapping_sub(b'0') as usize % PATHS.len()];
    for f in analyzer().scan(path, bytes) {
        assert!(f.location.start_line >= 1, "{}: line {}", f.rule_id, f.location.start_line);
        if f.matched.len() >= 12 {
            assert!(
                !f.snippet.contains(&f.matched),
                "{}: snippet shows the secret whole: {:?}",
                f.rule_id,
                f.snippet
            );
        }
    }
});
