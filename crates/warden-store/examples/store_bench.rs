//! Store bench: record N findings (first scan: all new), record a second scan where 1% changed (diff), and
//! query the open findings, on SQLite and (with WARDEN_BENCH_PG=postgres://…) on PostgreSQL.
//!   cargo run --release -p warden-store --example store_bench -- 1000000
//!   WARDEN_BENCH_PG=auto cargo run --release -p warden-store --example store_bench -- 1000000

use std::time::Instant;
use warden_store::*;

fn finding(i: usize, gen: usize) -> FindingRecord {
    let fp = format!(
        "{:032x}",
        (i as u128) * 2654435761 + gen as u128 * 1_000_000_007 * (i.is_multiple_of(100) as u128)
    );
    let kind = ["source", "test", "example"][i % 3];
    let exposure = if i.is_multiple_of(5) {
        "public"
    } else {
        "internal"
    };
    FindingRecord {
        fingerprint: fp.clone(),
        content_key: format!("c{fp}"),
        line_key: format!("l{fp}"),
        rule_id: format!("secrets/rule-{}", i % 300),
        title: "A finding".into(),
        severity: ["low", "medium", "high", "critical"][i % 4].into(),
        confidence: "high".into(),
        path: format!("src/module{}/file{}.py", i % 1000, i % 37),
        line: (i % 500) as i64 + 1,
        message: "a message of ordinary length about what was found and why it matters".into(),
        snippet: "x = call(argument)".into(),
        secret_hash: None,
        priority: (i % 4) as i64 + 1,
        priority_reasons: vec!["high severity".into()],
        owner: Some("@acme/team".into()),
        // As the CLI fills it: blame author and age, service, code kind, exposure.
        context: Some(serde_json::json!({
            "blame": {"author": format!("dev{}@acme.example", i % 40), "age_days": i % 900},
            "service": format!("service-{}", i % 12),
            "kind": kind,
            "exposure": exposure,
        })),
    }
}

fn scan(n: usize, gen: usize) -> ScanRecord {
    ScanRecord {
        repo: "github.com/acme/big".into(),
        branch: "main".into(),
        started_at: format!("2026-11-30T1{gen}:00:00Z"),
        head_commit: None,
        tool_version: "bench".into(),
        rules_version: "r".into(),
        actor: "bench".into(),
        findings: (0..n).map(|i| finding(i, gen)).collect(),
    }
}

fn run(name: &str, s: &mut dyn Store, n: usize) {
    let first = scan(n, 0);
    let t = Instant::now();
    let d = s.record_scan(&first).unwrap();
    println!(
        "{name}: record {n} new findings: {:.2} s ({} new)",
        t.elapsed().as_secs_f64(),
        d.new.len()
    );
    let second = scan(n, 1);
    let t = Instant::now();
    let d = s.record_scan(&second).unwrap();
    println!(
        "{name}: diff a rescan (1% changed): {:.2} s ({} new, {} unchanged, {} fixed)",
        t.elapsed().as_secs_f64(),
        d.new.len(),
        d.unchanged.len(),
        d.fixed.len()
    );
    let t = Instant::now();
    let open = s
        .findings("github.com/acme/big", "main", &[State::Open])
        .unwrap();
    println!(
        "{name}: triage query ({} open findings, priority order): {:.2} s",
        open.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let log = s.audit_log().unwrap();
    let ok = audit::verify(&log).is_ok();
    println!(
        "{name}: audit verify ({} entries, ok={ok}): {:.2} s",
        log.len(),
        t.elapsed().as_secs_f64()
    );
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let mut s = sqlite::Sqlite::open(&dir.path().join("bench.db")).unwrap();
    run("sqlite", &mut s, n);
    // WARDEN_BENCH_PG=postgres://… for a server of yours, or `auto` for a throwaway one (as the tests start).
    if let Ok(url) = std::env::var("WARDEN_BENCH_PG") {
        let server = (url == "auto").then(testing::Server::start);
        let url = server.as_ref().map_or(url, |s| s.database("bench"));
        let mut p = pg::Postgres::open(&url).unwrap();
        run("postgres", &mut p, n);
    }
}
