//! Property tests: no input panics the engine, the decoders or the redaction, and findings always point inside
//! the file and never carry the secret whole.

use proptest::prelude::*;
use std::sync::LazyLock;
use warden_core::Config;
use warden_secrets::{decode, redact::redact, SecretsAnalyzer};

static ANALYZER: LazyLock<SecretsAnalyzer> =
    LazyLock::new(|| SecretsAnalyzer::new(&Config::default()).unwrap());

/// Bytes that look like config files with keys in them, so the strategies reach the interesting paths.
fn texty() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        "kind: Secret\n",
        "data:\n",
        "  password: ",
        "UzNjcjN0UEBzc3cwcmQh",
        "\"auth\": \"",
        "ZGVwbG95OlI4bjJLcTl2THgz",
        "ghp_R8b2Kc9dLm3Np4Qr5St6Uv7Wx8Yz9Ab0Cd1E",
        "api_key = ",
        "\\n",
        "\\\"",
        "%3D",
        "%40",
        "-----BEGIN PRIVATE KEY-----",
        "-----END PRIVATE KEY-----",
        "\n",
        "\"",
        "'",
        "=",
        ":",
        " ",
        "é",
        "\u{0}",
        "xoxb-",
        "AKIA",
        "eyJ",
        "://u:p@h",
    ]);
    prop::collection::vec(
        prop_oneof![
            pieces.prop_map(|s| s.as_bytes().to_vec()),
            prop::collection::vec(any::<u8>(), 0..8)
        ],
        0..60,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn scanning_never_panics_and_stays_in_bounds(bytes in texty(), json in any::<bool>()) {
        let path = if json { "x.ipynb" } else { "x.yaml" };
        let lines = bytes.iter().filter(|b| **b == b'\n').count() as u32 + 1;
        for f in ANALYZER.scan(path, &bytes) {
            prop_assert!(f.location.start_line >= 1 && f.location.start_line <= lines);
            prop_assert!(f.location.end_line >= f.location.start_line);
            if f.matched.chars().count() >= 12 {
                prop_assert!(!f.snippet.contains(&f.matched), "snippet leaks {}", f.rule_id);
                prop_assert!(!f.message.contains(&f.matched));
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = ANALYZER.scan("a.json", &bytes);
        let _ = decode::views("a.json", &bytes);
        let _ = decode::unescape_json(&bytes);
    }

    #[test]
    fn redaction_never_shows_more_than_a_sixth(s in "\\PC{0,300}") {
        let r = redact(&s);
        let n = s.chars().count();
        if !s.starts_with("-----BEGIN") {
            let shown = r.split('…').next().unwrap().chars().count();
            prop_assert!(shown * 6 <= n.max(1) || shown == 0);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    /// The hand-written prefilter reports exactly what an Aho-Corasick automaton reports.
    #[test]
    fn prefilter_agrees_with_aho_corasick(
        keywords in prop::collection::vec("[a-zA-Z_~:.-]{3,6}", 1..40),
        text in prop::collection::vec(prop::sample::select(b"aAbBsSkK-_~:.tToOeEnN xyz\n".to_vec()), 0..400),
    ) {
        let mut kws: Vec<String> = keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
        kws.sort();
        kws.dedup();
        let set = warden_secrets::prefilter::KeywordSet::new(&kws);
        let mut ours = Vec::new();
        set.for_each_match(&text, |k, s, e| ours.push((k, s, e)));
        let ac = aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(&kws).unwrap();
        let mut theirs: Vec<_> = ac.find_overlapping_iter(&text).map(|m| (m.pattern().as_usize(), m.start(), m.end())).collect();
        ours.sort();
        theirs.sort();
        prop_assert_eq!(ours, theirs);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, .. ProptestConfig::default() })]

    /// The analyzer says it publishes no facts (so diff and staged scans skip it on unchanged files): it holds.
    #[test]
    fn the_per_file_phase_publishes_no_facts(bytes in texty()) {
        prop_assert!(!warden_core::Analyzer::publishes_facts(&*ANALYZER));
        let meta = warden_core::FileMeta { path: "x.env", size: bytes.len() as u64, head: &bytes, binary: false };
        let file = warden_core::SourceFile::in_memory(meta, &bytes);
        let mut out = warden_core::FileOutput::default();
        warden_core::Analyzer::analyze(&*ANALYZER, &file, &mut out);
        prop_assert!(out.facts.is_empty());
    }
}
