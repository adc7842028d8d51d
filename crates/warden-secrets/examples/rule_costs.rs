//! Prints the slowest rules to compile: `cargo run --release -p warden-secrets --example rule_costs`.
use std::time::Instant;

fn main() {
    let mut costs = Vec::new();
    let t = Instant::now();
    for (_, d) in warden_secrets::rules::embedded_rules().expect("rules parse") {
        let s = Instant::now();
        let _ = regex::bytes::RegexBuilder::new(&d.pattern)
            .unicode(false)
            .build();
        costs.push((s.elapsed(), d.id));
    }
    println!("all rules: {:?}", t.elapsed());
    costs.sort();
    for (d, id) in costs.iter().rev().take(15) {
        println!("{d:>12?}  {id}");
    }
}
