//! Invariants from the CLI: a team's own invariant over assets raises findings, one over findings escalates
//! them to P1 in the triage queue with the invariant named, the shipped defaults apply and can be turned off,
//! and a malformed invariant stops the run with the file, line and column of the mistake.

mod common;
use common::*;
use std::path::Path;

const CALLS_MODEL: &str = "from openai import OpenAI\n\nclient = OpenAI()\n\n\
def summarise(text):\n    r = client.chat.completions.create(model=\"gpt-4o\", \
messages=[{\"role\": \"user\", \"content\": text}])\n    return r.choices[0].message.content\n";

const RUNS_MODEL_OUTPUT: &str =
    "import subprocess\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\
def run(q):\n    r = client.chat.completions.create(model=\"gpt-4o\", \
messages=[{\"role\": \"user\", \"content\": q}])\n    cmd = r.choices[0].message.content\n    \
subprocess.run(cmd, shell=True)\n";

const GATEWAY_ONLY: &str = r#"
[triage.services.billing]
paths = ["services/billing/**"]
criticality = "low"

[[triage.invariants]]
name = "only-gateway-calls-models"
description = "Only the gateway calls model APIs"
forbid = 'asset where kind == llm-client and code == production and not path matches "services/gateway/**"'
"#;

fn repo(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    init_repo(dir.path());
    write(dir.path(), "services/gateway/proxy.py", CALLS_MODEL);
    write(dir.path(), "services/billing/summarise.py", CALLS_MODEL);
    write(dir.path(), "services/billing/agent.py", RUNS_MODEL_OUTPUT);
    write(dir.path(), "tests/test_agent.py", RUNS_MODEL_OUTPUT);
    write(dir.path(), "warden.toml", config);
    dir
}

fn invariant_tags(f: &serde_json::Value) -> Vec<String> {
    f["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .filter(|t| t.starts_with("invariant:"))
        .map(str::to_string)
        .collect()
}

fn broken<'a>(doc: &'a serde_json::Value, rule: &str) -> Vec<(&'a str, Vec<String>)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| (f["location"]["path"].as_str().unwrap(), invariant_tags(f)))
        .collect()
}

#[test]
fn an_asset_that_breaks_an_invariant_raises_a_finding() {
    let dir = repo(GATEWAY_ONLY);
    let doc = scan_json(dir.path(), &["--fail-on", "none"], 0);
    let mut raised: Vec<&str> = broken(&doc, "invariant/only-gateway-calls-models")
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    raised.sort();
    // Not the gateway, and not test code (the invariant says production).
    assert_eq!(
        raised,
        ["services/billing/agent.py", "services/billing/summarise.py"]
    );
    // The invariant is a rule of the run: SARIF names it.
    let out = warden()
        .args(["scan", ".", "--format", "sarif", "--fail-on", "none"])
        .current_dir(dir.path())
        .assert()
        .code(0);
    let sarif = json(&out.get_output().stdout);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules
        .iter()
        .any(|r| r["id"] == "invariant/only-gateway-calls-models"));
}

#[test]
fn a_default_invariant_tags_the_finding_and_escalates_it_to_p1() {
    let dir = repo(GATEWAY_ONLY);
    let doc = scan_json(dir.path(), &["--fail-on", "none"], 0);
    let sink = broken(&doc, "code/llm-output-code-execution");
    assert!(
        sink.contains(&(
            "services/billing/agent.py",
            vec!["invariant:no-llm-output-to-sink".to_string()]
        )),
        "{sink:?}"
    );
    // In test code the default does not hold: it speaks of production code.
    assert!(sink.contains(&("tests/test_agent.py", vec![])), "{sink:?}");

    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    warden()
        .args(["scan", ".", "--fail-on", "none", "--db", db])
        .current_dir(dir.path())
        .assert()
        .code(0);
    let out = warden()
        .args(["triage", "list", "--format", "json", "--db", db])
        .current_dir(dir.path())
        .assert()
        .code(0);
    let queue = json(&out.get_output().stdout);
    let find = |path: &str| {
        queue
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == "code/llm-output-code-execution" && f["path"] == path)
            .unwrap_or_else(|| panic!("{path} in {queue}"))
            .clone()
    };
    // A low-criticality service, yet P1: the invariant overrides the arithmetic, and says so.
    let agent = find("services/billing/agent.py");
    assert_eq!(agent["priority"], 1, "{agent}");
    let reasons = agent["priority_reasons"].to_string();
    assert!(
        reasons.contains("low-criticality service billing"),
        "{reasons}"
    );
    assert!(
        reasons.contains("breaks the invariant `no-llm-output-to-sink`"),
        "{reasons}"
    );
    assert!(find("tests/test_agent.py")["priority"].as_i64().unwrap() > 2);
}

#[test]
fn defaults_can_be_dropped_or_turned_off() {
    let dropped =
        format!("[triage]\ndisable_invariants = [\"no-llm-output-to-sink\"]\n{GATEWAY_ONLY}");
    let dropped = dropped.replacen(
        "\n[triage.services.billing]",
        "[triage.services.billing]",
        1,
    );
    let dir = repo(&dropped);
    let doc = scan_json(dir.path(), &["--fail-on", "none"], 0);
    assert!(broken(&doc, "code/llm-output-code-execution")
        .iter()
        .all(|(_, t)| t.is_empty()));

    let dir = repo("[triage]\ndefault_invariants = false\n");
    let doc = scan_json(dir.path(), &["--fail-on", "none"], 0);
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| invariant_tags(f).is_empty()));

    let (code, err) = fails(dir.path(), "[triage]\ndisable_invariants = [\"no-such\"]\n");
    assert_eq!(code, 2);
    assert!(err.contains("no default invariant `no-such`"), "{err}");
}

fn fails(dir: &Path, config: &str) -> (i32, String) {
    write(dir, "warden.toml", config);
    let out = warden()
        .args(["scan", ".", "--fail-on", "none"])
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn a_malformed_invariant_names_file_line_and_column() {
    let dir = repo("");
    let (code, err) = fails(
        dir.path(),
        "[[triage.invariants]]\nname = \"x\"\ndescription = \"d\"\n\
         forbid = 'asset where kind == llm-clent'\n",
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("warden.toml:4:31:"), "{err}");
    assert!(err.contains("`llm-clent` is not one of"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    // In a multi-line string, the line of the mistake itself.
    let (code, err) = fails(
        dir.path(),
        "[[triage.invariants]]\nname = \"x\"\ndescription = \"d\"\nforbid = '''\n\
         finding where severity >= high\n  and pth matches \"src/**\"'''\n",
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("warden.toml:6:7:"), "{err}");
    assert!(err.contains("unknown finding field `pth`"), "{err}");

    let (code, err) = fails(
        dir.path(),
        "[[triage.invariants]]\nname = \"Bad Name\"\ndescription = \"d\"\nforbid = 'finding where rule == x'\n",
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("lowercase letters"), "{err}");

    let (code, err) = fails(
        dir.path(),
        "[[triage.invariants]]\nname = \"x\"\nforbid = 'finding where rule == x'\n",
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("description"), "{err}");
}
