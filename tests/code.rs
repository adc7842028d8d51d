//! `warden scan` with the code analyzer: findings with their traces in every report format, flows across the
//! repository's own modules, architectural intent, and bad input.

mod common;
use common::*;
use tempfile::TempDir;

/// A small Flask service: a helper module returns request data, a view runs it as SQL, another view passes a
/// parameter into a helper that shells out, and a safe twin binds its parameter.
fn app() -> TempDir {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, "shop/__init__.py", "");
    write(
        root,
        "shop/params.py",
        "from flask import request\n\n\ndef customer_id():\n    return request.args.get(\"customer\", \"\")\n",
    );
    write(
        root,
        "shop/views.py",
        r#"import sqlite3
import subprocess

from flask import Flask, request

from shop.params import customer_id

app = Flask(__name__)


def archive(name):
    subprocess.run("tar czf /tmp/" + name + ".tgz /srv/orders", shell=True)


@app.route("/orders")
def orders():
    conn = sqlite3.connect("shop.db")
    cid = customer_id()
    rows = conn.execute("SELECT * FROM orders WHERE customer = '" + cid + "'").fetchall()
    safe = conn.execute("SELECT * FROM orders WHERE customer = ?", (cid,)).fetchall()
    return {"rows": rows, "safe": safe}


@app.post("/archive")
def archive_view():
    archive(request.form["name"])
    return "ok"
"#,
    );
    dir
}

#[test]
fn text_report_shows_the_trace() {
    let dir = app();
    let out = warden()
        .args(["scan", ".", "--only", "code"])
        .current_dir(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    report_settings().bind(|| insta::assert_snapshot!(String::from_utf8(out).unwrap()));
}

#[test]
fn json_report_carries_related_steps_across_files() {
    let dir = app();
    let doc = scan_json(dir.path(), &["--only", "code"], 1);
    let errors = schema_errors(
        include_str!("../docs/schemas/report-v2.schema.json"),
        &doc,
    );
    assert!(errors.is_empty(), "{errors:#?}");
    let findings = doc["findings"].as_array().unwrap();
    let sqli = findings
        .iter()
        .find(|f| f["rule_id"] == "code/sql-injection")
        .expect("the SQL built from the helper's request data is reported");
    assert_eq!(sqli["location"]["path"], "shop/views.py");
    assert_eq!(sqli["location"]["start_line"], 19);
    // The trace starts in the helper module, where the request is read.
    assert_eq!(sqli["related"][0]["location"]["path"], "shop/params.py");
    assert_eq!(sqli["related"][0]["kind"], "step");
    let cmdi = findings
        .iter()
        .find(|f| f["rule_id"] == "code/command-injection")
        .expect("the parameter that reaches a shell is reported");
    assert_eq!(cmdi["location"]["start_line"], 12);
    // Only the concatenated query: the parameterised twin on line 20 is not reported.
    assert!(!findings.iter().any(|f| f["location"]["start_line"] == 20));
    insta::assert_json_snapshot!("code_json_report", doc, {
        ".scan.tool_version" => "[version]",
        ".scan.rules_version" => "[rules version]",
        ".scan.started_at" => "[time]",
        ".summary.duration_ms" => "[ms]",
        ".findings[].remediation" => "[remediation]",
    });
}

#[test]
fn sarif_report_has_code_flows_and_is_schema_valid() {
    let dir = app();
    let out = warden()
        .args(["scan", ".", "--only", "code", "--format", "sarif"])
        .current_dir(dir.path())
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    let errors = schema_errors(include_str!("data/sarif-schema-2.1.0.json"), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let sqli = results
        .iter()
        .find(|r| r["ruleId"] == "code/sql-injection")
        .unwrap();
    let flow = &sqli["codeFlows"][0]["threadFlows"][0]["locations"];
    assert!(flow.as_array().unwrap().len() >= 2, "{flow:#}");
    insta::assert_json_snapshot!("code_sarif_report", doc, {
        ".runs[].tool.driver.version" => "[version]",
        ".runs[].tool.driver.semanticVersion" => "[version]",
        ".runs[].tool.driver.rules" => "[every rule]",
        ".runs[].results[].ruleIndex" => "[index]",
        ".runs[].invocations[].startTimeUtc" => "[time]",
        ".runs[].properties.rulesVersion" => "[rules version]",
    });
}

#[test]
fn intent_rules_report_layers_imports_calls_and_chains() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(
        root,
        "warden.toml",
        r#"[intent]
layers = [
  { name = "api", paths = ["app/api/**"] },
  { name = "domain", paths = ["app/domain/**"] },
]

[[intent.forbid_import]]
name = "llm-sdks-only-in-gateway"
modules = ["openai", "anthropic"]
except_in = ["app/gateway/**"]

[[intent.forbid_call]]
name = "no-shell-in-domain"
calls = ["subprocess.*", "os.system"]
in = ["app/domain/**"]

[[intent.contract]]
name = "ui-never-reaches-db"
from = ["app/ui/**"]
to = ["app/db/**"]
"#,
    );
    for p in [
        "app/__init__.py",
        "app/api/__init__.py",
        "app/domain/__init__.py",
        "app/ui/__init__.py",
        "app/db/__init__.py",
        "app/services/__init__.py",
        "app/gateway/__init__.py",
    ] {
        write(root, p, "");
    }
    write(root, "app/api/views.py", "from app.domain import orders\n");
    write(root, "app/domain/orders.py", "import subprocess\nfrom app.api import views\n\n\ndef sync():\n    subprocess.run([\"sync\"])\n");
    write(
        root,
        "app/ui/page.py",
        "from app.services import catalogue\n",
    );
    write(
        root,
        "app/services/catalogue.py",
        "from app.db import session\n",
    );
    write(root, "app/db/session.py", "SESSION = None\n");
    write(root, "app/gateway/llm.py", "import openai\n");
    write(
        root,
        "app/services/summary.py",
        "from openai import OpenAI\n",
    );
    let doc = scan_json(root, &["--only", "intent"], 1);
    let mut got: Vec<(String, String, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["start_line"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "intent/forbidden-call".into(),
                "app/domain/orders.py".into(),
                6
            ),
            (
                "intent/forbidden-dependency".into(),
                "app/ui/page.py".into(),
                1
            ),
            (
                "intent/forbidden-import".into(),
                "app/services/summary.py".into(),
                1
            ),
            (
                "intent/layer-violation".into(),
                "app/domain/orders.py".into(),
                2
            ),
        ]
    );
    let chain = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "intent/forbidden-dependency")
        .unwrap();
    assert!(
        chain["message"]
            .as_str()
            .unwrap()
            .contains("app/services/catalogue.py"),
        "the message names the chain: {}",
        chain["message"]
    );
    // A bad [intent] section is a config error naming the problem.
    write(
        root,
        "warden.toml",
        "[intent]\nlayers = [{ name = \"api\", paths = [] }]\n",
    );
    warden()
        .args(["scan", "."])
        .current_dir(root)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("intent"));
}

#[test]
fn bad_source_is_reported_and_the_run_goes_on() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    // A syntax error: the rest of the file is still analysed.
    write(
        root,
        "broken.py",
        "import os\nfrom flask import request\ndef f(:\n    pass\n\ndef g():\n    os.system(request.args['c'])\n",
    );
    // Deep nesting, a long minified line, bytes that are not UTF-8, an empty file.
    write(
        root,
        "deep.py",
        format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000)),
    );
    write(
        root,
        "deep.js",
        format!("const x = {}1{};\n", "[".repeat(20000), "]".repeat(20000)),
    );
    write(
        root,
        "min.js",
        format!("var a=1;{}\n", "a=a+1;".repeat(200_000)),
    );
    write(
        root,
        "latin1.go",
        b"package main\n\n// caf\xe9\nfunc main() {}\n",
    );
    write(root, "empty.ts", "");
    let out = warden()
        .args(["scan", ".", "--only", "code", "--format", "json"])
        .current_dir(root)
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    let findings = doc["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["rule_id"] == "code/command-injection"
                && f["location"]["path"] == "broken.py"),
        "{findings:#?}"
    );
    let diags = doc["diagnostics"].to_string();
    assert!(
        diags.contains("deep.py") && diags.contains("nest deeper"),
        "{diags}"
    );
}
