//! Store bench: record N findings (first scan: all new), record a second scan where 1% changed (diff), a third
//! where every finding's context changed (all rows written), query
//! the open findings and verify the audit chain, on SQLite and (with WARDEN_BENCH_PG=postgres://…, or `auto`
//! for a throwaway server) on PostgreSQL; each step prints its time and the process's peak memory.
//!   cargo run --release -p warden-store --features testing --example store_bench -- 1000000
//!   WARDEN_BENCH_PG=auto cargo run --release -p warden-store --features testing --example store_bench -- 1000000
//!   WARDEN_BENCH_PG=auto cargo run --release -p warden-store --features testing --example store_bench -- 1000000 postgres

use std::time::Instant;
use warden_store::*;

fn finding(i: usize, gen: usize, day: usize) -> FindingRecord {
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
            "blame": {"author": format!("dev{}@acme.example", i % 40), "age_days": i % 900 + day},
            "service": format!("service-{}", i % 12),
            "kind": kind,
            "exposure": exposure,
        })),
    }
}

fn scan(n: usize, gen: usize, day: usize) -> ScanRecord {
    ScanRecord {
        repo: "github.com/acme/big".into(),
        branch: "main".into(),
        started_at: format!("2026-11-30T1{gen}:00:00Z"),
        head_commit: None,
        tool_version: "bench".into(),
        rules_version: "r".into(),
        actor: "bench".into(),
        findings: (0..n).map(|i| finding(i, gen, day)).collect(),
    }
}

/// A figure of /proc/self/status, in MB (Linux).
fn status_mb(key: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = s
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024)
}

/// Times one step and reports the process's resident memory at its start and its peak during it (Linux: the
/// peak is reset through /proc/self/clear_refs first; elsewhere no memory figure is printed). Memory freed
/// before the step may still count as resident (the allocator keeps it), so the growth is an upper bound.
fn step<T>(f: impl FnOnce() -> T) -> (T, String) {
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let start = status_mb("VmRSS:");
    let t = Instant::now();
    let out = f();
    let secs = t.elapsed().as_secs_f64();
    let text = match (reset, start, status_mb("VmHWM:")) {
        (true, Some(start), Some(peak)) => {
            format!(
                "{secs:.2} s, peak RSS {peak} MB (+{} MB)",
                peak.saturating_sub(start)
            )
        }
        _ => format!("{secs:.2} s"),
    };
    (out, text)
}

fn run(name: &str, s: &mut dyn Store, n: usize) {
    // One scan in memory at a time, as the CLI holds it.
    let first = scan(n, 0, 0);
    let (d, took) = step(|| s.record_scan(&first).unwrap());
    println!(
        "{name}: record {n} new findings: {took} ({} new)",
        d.new.len()
    );
    drop(first);
    let second = scan(n, 1, 0);
    let (d, took) = step(|| s.record_scan(&second).unwrap());
    println!(
        "{name}: diff a rescan (1% changed): {took} ({} new, {} unchanged, {} fixed)",
        d.new.len(),
        d.unchanged.len(),
        d.fixed.len()
    );
    drop((second, d));
    // The same findings with every context changed (a new service map, say): the worst case of a rescan, where
    // every row is rewritten.
    let third = scan(n, 1, 1);
    let (d, took) = step(|| s.record_scan(&third).unwrap());
    println!(
        "{name}: rescan with every context changed: {took} ({} new, {} unchanged, {} fixed)",
        d.new.len(),
        d.unchanged.len(),
        d.fixed.len()
    );
    drop((third, d));
    let (open, took) = step(|| {
        s.findings("github.com/acme/big", "main", &[State::Open])
            .unwrap()
    });
    println!(
        "{name}: triage query ({} open findings, priority order): {took}",
        open.len()
    );
    drop(open);
    let ((entries, ok), took) = step(|| {
        let log = s.audit_log().unwrap();
        (log.len(), audit::verify(&log).is_ok())
    });
    println!("{name}: audit verify ({entries} entries, ok={ok}): {took}");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    // `postgres` as a second argument skips SQLite.
    let sqlite_too = args.next().as_deref() != Some("postgres");
    let dir = tempfile::tempdir().unwrap();
    if sqlite_too {
        let mut s = sqlite::Sqlite::open(&dir.path().join("bench.db")).unwrap();
        run("sqlite", &mut s, n);
    }
    // WARDEN_BENCH_PG=postgres://… for a server of yours, or `auto` for a throwaway one (as the tests start).
    if let Ok(url) = std::env::var("WARDEN_BENCH_PG") {
        let server = (url == "auto").then(testing::Server::start);
        let url = server.as_ref().map_or(url, |s| s.database("bench"));
        let mut p = pg::Postgres::open(&url).unwrap();
        run("postgres", &mut p, n);
    }
}
