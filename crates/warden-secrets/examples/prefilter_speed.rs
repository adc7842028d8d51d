//! Compares keyword-automaton search modes on a directory's text files:
//! `cargo run --release -p warden-secrets --example prefilter_speed -- DIR`.
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).expect("DIR");
    let mut text = Vec::new();
    for e in ignore::WalkBuilder::new(&dir).build().flatten() {
        if e.file_type().is_some_and(|t| t.is_file()) {
            if let Ok(b) = std::fs::read(e.path()) {
                if !b[..b.len().min(8192)].contains(&0) && text.len() < 150 << 20 {
                    text.extend_from_slice(&b);
                }
            }
        }
    }
    let mut kws: Vec<String> = warden_secrets::rules::embedded_rules()
        .unwrap()
        .into_iter()
        .flat_map(|(_, d)| d.keywords)
        .map(|k| k.to_ascii_lowercase())
        .collect();
    kws.sort();
    kws.dedup();
    let minimal: Vec<String> = kws
        .iter()
        .filter(|k| !kws.iter().any(|o| o != *k && k.contains(o.as_str())))
        .cloned()
        .collect();
    println!(
        "{} MiB, {} keywords ({} minimal)",
        text.len() >> 20,
        kws.len(),
        minimal.len()
    );
    let set = warden_secrets::prefilter::KeywordSet::new(&kws);
    let t = Instant::now();
    let mut n = 0usize;
    set.for_each_match(&text, |_, _, _| n += 1);
    println!(
        "all      warden pair-anchored prefilter {:>8.0} MiB/s  {n} hits",
        (text.len() >> 20) as f64 / t.elapsed().as_secs_f64()
    );
    let empty = warden_secrets::prefilter::KeywordSet::new(&["\u{1}\u{2}\u{3}".to_string()]);
    let t = Instant::now();
    let mut n = 0usize;
    empty.for_each_match(&text, |_, _, _| n += 1);
    println!(
        "loop alone (nothing flagged)          {:>8.0} MiB/s",
        (text.len() >> 20) as f64 / t.elapsed().as_secs_f64()
    );
    let (flagged, top) = set.flag_stats(&text);
    println!(
        "flagged {:.2}% of positions; top: {top:?}",
        flagged as f64 * 100.0 / text.len() as f64
    );
    for (name, set) in [("all", &kws), ("minimal", &minimal)] {
        for (mode, kind, mk) in [
            (
                "dfa overlapping",
                Some(AhoCorasickKind::DFA),
                MatchKind::Standard,
            ),
            (
                "dfa leftmost-longest",
                Some(AhoCorasickKind::DFA),
                MatchKind::LeftmostLongest,
            ),
            ("auto leftmost-longest", None, MatchKind::LeftmostLongest),
        ] {
            let ac = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(mk)
                .kind(kind)
                .build(set)
                .unwrap();
            let t = Instant::now();
            let n = if mk == MatchKind::Standard {
                ac.find_overlapping_iter(&text).count()
            } else {
                ac.find_iter(&text).count()
            };
            println!(
                "{name:8} {mode:24} {:>8.0} MiB/s  {n} hits",
                (text.len() >> 20) as f64 / t.elapsed().as_secs_f64()
            );
        }
    }
}
