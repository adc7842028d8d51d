//! The GGUF metadata reader (`warden_models::gguf::read`) and the chat-template check on arbitrary bytes: no
//! panic, every key, value and template finding offset inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_models::gguf;

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    let Ok(g) = gguf::read(data, len) else {
        return;
    };
    for kv in &g.metadata {
        assert!(kv.offset < kv.value_offset && kv.value_offset <= len, "{}: {}..{} of {len}", kv.key, kv.offset, kv.value_offset);
    }
    for f in gguf::chat_template_findings(&g) {
        assert!(f.offset < len, "{} `{}` at {} of {len}", f.key, f.construct, f.offset);
    }
    // The template check alone, on the input as text.
    if let Ok(text) = std::str::from_utf8(data) {
        for c in gguf::template_constructs(text) {
            assert!(c.at < text.len() && text.is_char_boundary(c.at), "construct at {}", c.at);
        }
    }
});
