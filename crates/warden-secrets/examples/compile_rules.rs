//! How long compiling every embedded rule's regex takes (run with --release):
//! `cargo run --release -p warden-secrets --example compile_rules`.

use std::time::Instant;
use warden_secrets::rules::embedded_rules;
use warden_secrets::SecretsAnalyzer;

fn main() {
    let defs: Vec<_> = embedded_rules()
        .expect("rule files parse")
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    let n = defs.len();
    let t = Instant::now();
    let analyzer = SecretsAnalyzer::from_defs(defs).expect("rules load");
    let load = t.elapsed();
    let t = Instant::now();
    let failed = analyzer.compile_all();
    let compile = t.elapsed();
    println!(
        "{n} rules: load {:.1} ms, compile every regex {:.1} ms ({} failed)",
        load.as_secs_f64() * 1e3,
        compile.as_secs_f64() * 1e3,
        failed.len()
    );
}
