//! Decoded views (base64 in k8s Secrets and docker configs, JSON escapes, URL encoding) of arbitrary bytes,
//! and `source_of` for every offset of every view: nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// File names that switch decoders on or off; the first input byte picks one (`'0'`..`'4'` in the seeds).
const PATHS: &[&str] = &["secret.yaml", "config.json", "notebook.ipynb", ".env", "x.txt"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let path = PATHS[pick.wrapping_sub(b'0') as usize % PATHS.len()];
    for view in warden_secrets::decode::views(path, bytes) {
        for at in 0..view.text.len() {
            let src = view.source_of(at);
            assert!(src.start <= src.end && src.end <= bytes.len(), "{src:?} out of the input");
        }
    }
});
