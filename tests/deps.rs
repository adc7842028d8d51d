//! The `deps` analyzer from the CLI: every rule's examples, the offline vulnerability database (`warden vulndb
//! import|status`, `scan --vulndb`) on PyPA advisories, and bad databases.

mod common;
use common::*;
use std::path::Path;

fn osv_data() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/osv-pypa")
}

#[test]
fn every_deps_rule_fires_on_its_examples_and_not_on_its_negative_examples() {
    let rules = warden_deps::rules::all();
    assert!(!rules.is_empty());
    let failures = rule_example_failures(rules, &["--only", "deps"]);
    assert!(failures.is_empty(), "{failures:#?}");
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = warden()
        .args(args)
        .current_dir(dir)
        .write_stdin("")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn known_vulnerabilities_from_an_imported_osv_database() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_repo(d);
    let db = d.join("osv.db");
    let db_s = db.to_str().unwrap();
    let data = osv_data();
    let (code, out, err) = run(
        d,
        &["vulndb", "import", data.to_str().unwrap(), "--vulndb", db_s],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("added"), "{out}");
    // Incremental: nothing changes the second time.
    let (_, out, _) = run(
        d,
        &["vulndb", "import", data.to_str().unwrap(), "--vulndb", db_s],
    );
    assert!(out.contains(" 0 added, 0 updated"), "{out}");
    let (code, out, _) = run(d, &["vulndb", "status", "--vulndb", db_s]);
    assert_eq!(code, 0);
    assert!(out.contains("PyPI"), "{out}");

    write(
        d,
        "requirements.txt",
        "Django==3.2.0\njinja2==3.1.4\nPyYAML==5.3\n",
    );
    let doc = scan_json(
        d,
        &["--fail-on", "none", "--only", "deps", "--vulndb", db_s],
        0,
    );
    let vulns: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "deps/vulnerable-package")
        .collect();
    let about = |name: &str| -> Vec<&serde_json::Value> {
        vulns
            .iter()
            .copied()
            .filter(|f| {
                f["ext"]["deps"]["package"]
                    .as_str()
                    .unwrap()
                    .eq_ignore_ascii_case(name)
            })
            .collect()
    };
    let django = about("django");
    assert!(django.len() > 5, "{django:?}");
    assert!(django.iter().all(|f| f["location"]["start_line"] == 1));
    // Aliases are merged into one finding: a CVE appears in one finding only.
    let mut cves: Vec<String> = django
        .iter()
        .flat_map(|f| f["ext"]["deps"]["ids"].as_array().unwrap().clone())
        .filter_map(|v| {
            v.as_str()
                .filter(|s| s.starts_with("CVE-"))
                .map(str::to_string)
        })
        .collect();
    let n = cves.len();
    cves.sort();
    cves.dedup();
    assert_eq!(cves.len(), n, "a CVE in two findings");
    assert!(django.iter().all(|f| f["message"]
        .as_str()
        .unwrap()
        .contains("(a direct dependency)")));
    assert!(django.iter().any(|f| f["ext"]["deps"]["fixed"].is_string()));
    // PyYAML 5.3 is affected (full_load arbitrary code execution, fixed in 5.4); the name matches across case.
    assert!(!about("pyyaml").is_empty(), "{vulns:?}");
    // A release past every advisory of the data set is clean.
    assert!(about("jinja2").is_empty(), "{:?}", about("jinja2"));

    // Without a database the scan says once that matching was skipped.
    let (code, _, err) = run(d, &["scan", ".", "--only", "deps", "--fail-on", "none"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches("no vulnerability database").count(), 1, "{err}");
}

#[test]
fn bad_databases_and_sources_are_clear_errors_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_repo(d);
    let db = d.join("osv.db");
    let db_s = db.to_str().unwrap();
    write(
        d,
        "good/PYSEC-1.json",
        r#"{"id":"PYSEC-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"versions":["1.0"]}]}"#,
    );
    write(
        d,
        "bad/PYSEC-2.json",
        r#"{"id":"PYSEC-2","modified":"2024-01-01T00:00:00Z"}"#,
    );
    write(d, "bad/PYSEC-3.json", "{\"id\": ");
    assert_eq!(run(d, &["vulndb", "import", "good", "--vulndb", db_s]).0, 0);
    let (code, _, err) = run(d, &["vulndb", "import", "bad", "--vulndb", db_s]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("PYSEC-3.json") && err.contains("nothing was imported"),
        "{err}"
    );
    let (_, out, _) = run(d, &["vulndb", "status", "--vulndb", db_s]);
    assert!(out.contains(": 1 records"), "{out}");
    // A scan with a database that is not there is an error naming it.
    write(d, "requirements.txt", "x==1.0\n");
    let (code, _, err) = run(
        d,
        &["scan", ".", "--only", "deps", "--vulndb", "missing.db"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing.db"), "{err}");
    let (code, _, _) = run(
        d,
        &[
            "scan",
            ".",
            "--only",
            "deps",
            "--vulndb",
            db_s,
            "--fail-on",
            "none",
        ],
    );
    assert_eq!(code, 0);
}
