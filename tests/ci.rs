//! The CI integrations run locally: scripts/ci/github-action.sh and scripts/ci/gitlab.sh on a throwaway git
//! repository with the environment GitHub and GitLab would give them, pointed at the binary under test; and
//! the structure of action.yml, the reusable workflow and the GitLab template.

mod common;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tempfile::TempDir;
use warden_config::tree::{Kind, NodeId, Tree};

const SARIF_SCHEMA: &str = include_str!("data/sarif-schema-2.1.0.json");
const SECRETS_SCHEMA: &str = include_str!("data/gitlab/secret-detection-report-format.json");
const SAST_SCHEMA: &str = include_str!("data/gitlab/sast-report-format.json");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A repository whose one commit holds a GitHub token (high): the fake is assembled at run time.
fn repo() -> TempDir {
    let dir = TempDir::new().unwrap();
    let r = dir.path();
    init_repo(r);
    git(r, &["config", "user.name", "Dev One"]);
    git(r, &["config", "user.email", "dev@acme.test"]);
    write(r, "config.env", format!("TOKEN={}\n", github_pat()));
    write(r, "README.md", "# app\n");
    git(r, &["add", "."]);
    git(r, &["commit", "-q", "-m", "base"]);
    dir
}

/// The base commit, then a second commit adding an AWS key (critical): a pull request's worth of change.
fn repo_with_change() -> (TempDir, String) {
    let dir = repo();
    let base = head(dir.path());
    write(dir.path(), "new.env", format!("AWS={}\n", aws_key_id()));
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "add a key"]);
    (dir, base)
}

fn head(r: &Path) -> String {
    let out = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(r)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

struct Run {
    code: i32,
    stderr: String,
}

/// Runs a CI script in `dir` with only the variables given (plus PATH and HOME), as the binary under test.
fn run_script(script: &str, dir: &Path, env: &[(&str, &str)]) -> Run {
    let mut c = Command::new("bash");
    c.arg(root().join(script))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("WARDEN", env!("CARGO_BIN_EXE_warden"))
        .env("WARDEN_HASH_KEY", TEST_KEY)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("bash runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap()
}

fn sarif_rules(doc: &Value) -> Vec<String> {
    doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap().to_string())
        .collect()
}

/// `key=value` lines of a $GITHUB_OUTPUT file.
fn outputs(p: &Path) -> std::collections::BTreeMap<String, String> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// What a step leaves besides the workspace: $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY, in their own directory.
struct Step {
    run: Run,
    files: TempDir,
}

impl Step {
    fn outputs(&self) -> std::collections::BTreeMap<String, String> {
        outputs(&self.files.path().join("output"))
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.files.path().join("summary.md")).unwrap_or_default()
    }
}

/// The GitHub Action's scan step on a push (unless `extra` says otherwise) in the workspace `dir`.
fn github_scan(dir: &Path, extra: &[(&str, &str)]) -> Step {
    let files = TempDir::new().unwrap();
    let out = files.path().join("output");
    let sum = files.path().join("summary.md");
    let action = root();
    let mut env = vec![
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_WORKSPACE", dir.to_str().unwrap()),
        ("GITHUB_ACTION_PATH", action.to_str().unwrap()),
        ("GITHUB_OUTPUT", out.to_str().unwrap()),
        ("GITHUB_STEP_SUMMARY", sum.to_str().unwrap()),
        ("RUNNER_OS", "Linux"),
    ];
    env.extend_from_slice(extra);
    let run = run_script("scripts/ci/github-action.sh", dir, &env);
    Step { run, files }
}

#[test]
fn github_action_writes_sarif_outputs_and_a_summary() {
    let dir = repo();
    let step = github_scan(dir.path(), &[]);
    assert_eq!(step.run.code, 1, "{}", step.run.stderr);
    let sarif = read_json(&dir.path().join("warden.sarif"));
    let errors = schema_errors(SARIF_SCHEMA, &sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(sarif_rules(&sarif), ["secrets/github-classic-pat"]);
    let o = step.outputs();
    assert_eq!(o["exit-code"], "1");
    assert_eq!(o["findings"], "1");
    assert_eq!(o["sarif-file"], "warden.sarif");
    let summary = step.summary();
    assert!(summary.starts_with("## warden\n"), "{summary}");
    assert!(summary.contains("failed: findings at or above `high`"));
    assert!(summary.contains("| 0 | 1 | 0 | 0 | 0 | 1 |"), "{summary}");
    assert!(summary.contains("`secrets/github-classic-pat` | `config.env:1`"));
    assert!(
        !summary.contains(&github_pat()),
        "the summary leaks the token"
    );
}

#[test]
fn github_action_builds_warden_when_none_is_given() {
    // `cargo install --locked --path` as on a runner, with `--debug` and this test build's target directory so
    // it reuses what is built; installed outside the workspace, as ~/.cargo is on a runner.
    let dir = repo();
    let install = TempDir::new().unwrap();
    let exe = Path::new(env!("CARGO_BIN_EXE_warden"));
    let target = exe.parent().and_then(Path::parent).unwrap();
    let home = std::env::var("HOME").unwrap_or_default();
    let cargo_home = std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{home}/.cargo"));
    let rustup_home = std::env::var("RUSTUP_HOME").unwrap_or_else(|_| format!("{home}/.rustup"));
    let action = root();
    let step = github_scan(
        dir.path(),
        &[
            ("WARDEN", ""),
            ("GITHUB_ACTION_PATH", action.to_str().unwrap()),
            ("WARDEN_INSTALL_ROOT", install.path().to_str().unwrap()),
            ("WARDEN_CARGO_ARGS", "--debug"),
            ("CARGO_TARGET_DIR", target.to_str().unwrap()),
            ("CARGO_HOME", &cargo_home),
            ("RUSTUP_HOME", &rustup_home),
        ],
    );
    assert!(
        step.run.stderr.contains("building warden from"),
        "{}",
        step.run.stderr
    );
    assert_eq!(step.run.code, 1, "{}", step.run.stderr);
    assert!(install.path().join("bin/warden").is_file());
    assert_eq!(step.outputs()["findings"], "1");
}

#[test]
fn github_action_exit_status_follows_fail_on() {
    let dir = repo();
    for (fail_on, code) in [("critical", 0), ("none", 0), ("high", 1), ("low", 1)] {
        let step = github_scan(dir.path(), &[("WARDEN_FAIL_ON", fail_on)]);
        assert_eq!(
            step.run.code, code,
            "fail-on {fail_on}: {}",
            step.run.stderr
        );
        assert_eq!(step.outputs()["exit-code"], code.to_string());
        assert!(step
            .summary()
            .contains(if code == 0 { "passed" } else { "failed" }));
    }
    // A bad argument is warden's usage error, 2, and the summary says the scan is incomplete.
    let step = github_scan(dir.path(), &[("WARDEN_FAIL_ON", "severe")]);
    assert_eq!(step.run.code, 2, "{}", step.run.stderr);
    assert!(step.summary().contains("error (exit 2)"));
    // Extra arguments reach warden: with only the code analyzer there is nothing to report.
    let step = github_scan(dir.path(), &[("WARDEN_ARGS", "--only code")]);
    assert_eq!(step.run.code, 0, "{}", step.run.stderr);
    assert_eq!(step.outputs()["findings"], "0");
}

#[test]
fn github_action_on_a_pull_request_scans_only_the_change() {
    let (dir, base) = repo_with_change();
    let pr = [
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("WARDEN_BASE_SHA", base.as_str()),
    ];
    let step = github_scan(dir.path(), &pr);
    assert_eq!(step.run.code, 1, "{}", step.run.stderr);
    assert!(step.run.stderr.contains(&format!("--diff {base}..HEAD")));
    let sarif = read_json(&dir.path().join("warden.sarif"));
    assert_eq!(sarif_rules(&sarif), ["secrets/aws-access-key-id"]);
    assert!(step
        .summary()
        .contains("Scanned what the pull request changed"));
    // `diff: false` scans everything; a push is never a diff.
    let mut all = pr.to_vec();
    all.push(("WARDEN_DIFF", "false"));
    github_scan(dir.path(), &all);
    let mut rules = sarif_rules(&read_json(&dir.path().join("warden.sarif")));
    rules.sort();
    assert_eq!(
        rules,
        ["secrets/aws-access-key-id", "secrets/github-classic-pat"]
    );
    let step = github_scan(dir.path(), &[("WARDEN_BASE_SHA", base.as_str())]);
    assert!(!step.run.stderr.contains("--diff"));
}

#[test]
fn github_action_cache_key_is_stable() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("output");
    let action = root();
    let env = [
        ("GITHUB_ACTION_PATH", action.to_str().unwrap()),
        ("GITHUB_OUTPUT", out.to_str().unwrap()),
        ("RUNNER_OS", "Linux"),
        ("WARDEN_REF", "v1"),
    ];
    let a = run_script_with_arg("cache-key", dir.path(), &env);
    let b = run_script_with_arg("cache-key", dir.path(), &env);
    assert_eq!(a, b);
    assert!(a.starts_with("warden-Linux-v1-"), "{a}");
    assert_eq!(outputs(&out)["key"], a);
}

fn run_script_with_arg(arg: &str, dir: &Path, env: &[(&str, &str)]) -> String {
    let mut c = Command::new("bash");
    c.arg(root().join("scripts/ci/github-action.sh"))
        .arg(arg)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn gitlab_scan(dir: &Path, extra: &[(&str, &str)]) -> Run {
    let mut env = vec![
        ("GITLAB_CI", "true"),
        ("CI", "true"),
        ("CI_PROJECT_DIR", dir.to_str().unwrap()),
        ("CI_PIPELINE_SOURCE", "push"),
    ];
    env.extend_from_slice(extra);
    run_script("scripts/ci/gitlab.sh", dir, &env)
}

#[test]
fn gitlab_script_writes_three_valid_reports() {
    let dir = repo();
    let sha = head(dir.path());
    let run = gitlab_scan(dir.path(), &[("CI_COMMIT_SHA", sha.as_str())]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let secrets = read_json(&dir.path().join("gl-secret-detection-report.json"));
    let errors = schema_errors(SECRETS_SCHEMA, &secrets);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(
        secrets["vulnerabilities"][0]["identifiers"][0]["value"],
        "secrets/github-classic-pat"
    );
    let sast = read_json(&dir.path().join("gl-sast-report.json"));
    let errors = schema_errors(SAST_SCHEMA, &sast);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(sast["vulnerabilities"].as_array().unwrap().len(), 0);
    let sarif = read_json(&dir.path().join("warden.sarif"));
    assert!(schema_errors(SARIF_SCHEMA, &sarif).is_empty());
    assert!(run
        .stderr
        .contains("findings: critical=0 high=1 medium=0 low=0 info=0"));
    for name in [
        "gl-secret-detection-report.json",
        "gl-sast-report.json",
        "warden.sarif",
    ] {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(!text.contains(&github_pat()), "{name} leaks the token");
    }
    // The threshold decides the job's status.
    assert_eq!(
        gitlab_scan(dir.path(), &[("WARDEN_FAIL_ON", "critical")]).code,
        0
    );
}

#[test]
fn gitlab_merge_request_scans_only_the_change() {
    let (dir, base) = repo_with_change();
    let sha = head(dir.path());
    let run = gitlab_scan(
        dir.path(),
        &[
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str()),
            ("CI_COMMIT_SHA", sha.as_str()),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("{base}..{sha}")));
    let secrets = read_json(&dir.path().join("gl-secret-detection-report.json"));
    assert!(schema_errors(SECRETS_SCHEMA, &secrets).is_empty());
    let rules: Vec<&str> = secrets["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["identifiers"][0]["value"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["secrets/aws-access-key-id"]);
    assert_eq!(secrets["scan"]["partial_scan"]["mode"], "differential");
}

/// A YAML file as JSON (scalars as strings), through warden's own YAML parser.
fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let y = warden_config::yaml::parse(&text);
    assert!(y.error.is_none(), "{path}: {:?}", y.error);
    to_json(&y.tree, y.docs[0].root)
}

fn to_json(t: &Tree, id: NodeId) -> Value {
    match t.kind(id) {
        Kind::Map => Value::Object(
            t.entries(id)
                .map(|(k, v)| (t.text(k).to_string(), to_json(t, v)))
                .collect(),
        ),
        Kind::Seq => Value::Array(t.elems(id).iter().map(|&e| to_json(t, e)).collect()),
        Kind::Null => Value::Null,
        _ => Value::String(t.text(id).to_string()),
    }
}

fn is_pinned(uses: &str) -> bool {
    uses.starts_with("./")
        || uses
            .split_once('@')
            .is_some_and(|(_, r)| r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[test]
fn action_yml_is_a_composite_action_around_the_script() {
    let a = yaml("action.yml");
    assert_eq!(a["runs"]["using"], "composite");
    let inputs = a["inputs"].as_object().unwrap();
    for name in [
        "path",
        "args",
        "fail-on",
        "sarif-file",
        "upload-sarif",
        "diff",
        "warden",
    ] {
        let i = &inputs[name];
        assert!(
            i["description"].as_str().is_some_and(|d| !d.is_empty()),
            "input {name} is documented"
        );
        assert!(i.get("default").is_some(), "input {name} has a default");
    }
    assert_eq!(inputs["fail-on"]["default"], "high");
    assert_eq!(inputs["upload-sarif"]["default"], "true");
    let steps = a["runs"]["steps"].as_array().unwrap();
    let script = root().join("scripts/ci/github-action.sh");
    assert!(script.is_file());
    for s in steps {
        if let Some(run) = s["run"].as_str() {
            assert!(run.contains("\"$GITHUB_ACTION_PATH/scripts/ci/github-action.sh\""));
            assert!(
                !run.contains("${{"),
                "inputs reach scripts through env, never ${{{{ }}}}"
            );
            assert_eq!(s["shell"], "bash");
        }
        if let Some(uses) = s["uses"].as_str() {
            assert!(is_pinned(uses), "{uses} is pinned to a commit");
        }
    }
    let uses = |prefix: &str| {
        steps
            .iter()
            .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(prefix)))
            .unwrap_or_else(|| panic!("a step uses {prefix}"))
    };
    uses("actions/cache@");
    assert!(
        steps.iter().any(|s| s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/cache@"))
            && s["with"]["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("/.warden/cache"))),
        "pull requests keep the facts cache"
    );
    let upload = uses("github/codeql-action/upload-sarif@");
    let cond = upload["if"].as_str().unwrap();
    assert!(cond.contains("always()") && cond.contains("inputs.upload-sarif"));
    let scan = steps.iter().find(|s| s["id"] == "scan").unwrap();
    assert!(scan["run"].as_str().unwrap().ends_with(" scan"));
    for var in [
        "WARDEN_FAIL_ON",
        "WARDEN_SARIF",
        "WARDEN_DIFF",
        "WARDEN_BASE_SHA",
        "WARDEN_ARGS",
    ] {
        assert!(scan["env"].get(var).is_some(), "the scan step sets {var}");
        assert!(
            std::fs::read_to_string(&script).unwrap().contains(var),
            "the script reads {var}"
        );
    }
}

#[test]
fn the_history_workflow_is_reusable_and_scans_everything() {
    let w = yaml(".github/workflows/warden-history.yml");
    assert!(w["on"]["workflow_call"].is_object());
    let job = &w["jobs"]["history"];
    assert_eq!(job["permissions"]["security-events"], "write");
    let steps = job["steps"].as_array().unwrap();
    for s in steps {
        if let Some(uses) = s["uses"].as_str() {
            assert!(is_pinned(uses), "{uses} is pinned");
        }
    }
    let checkout = &steps[0];
    assert_eq!(checkout["with"]["fetch-depth"], "0");
    assert_eq!(checkout["with"]["persist-credentials"], "false");
    let scan = steps.iter().find(|s| s["id"] == "warden").unwrap();
    assert_eq!(scan["uses"], "./warden-src");
    assert!(scan["with"]["args"].as_str().unwrap().contains("--history"));
    assert_eq!(scan["with"]["diff"], "false");
    assert!(steps.iter().any(|s| s["uses"]
        .as_str()
        .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))));
}

#[test]
fn the_gitlab_template_publishes_what_the_script_writes() {
    let t = yaml("ci/gitlab/warden.gitlab-ci.yml");
    let job = &t["warden"];
    assert_eq!(job["stage"], "test");
    let reports = &job["artifacts"]["reports"];
    let script = std::fs::read_to_string(root().join("scripts/ci/gitlab.sh")).unwrap();
    for (kind, file) in [
        ("secret_detection", "gl-secret-detection-report.json"),
        ("sast", "gl-sast-report.json"),
    ] {
        assert_eq!(reports[kind], file);
        assert!(script.contains(file), "gitlab.sh writes {file}");
    }
    assert_eq!(job["artifacts"]["paths"][0], "warden.sarif");
    assert_eq!(job["artifacts"]["when"], "always");
    assert!(
        job["cache"]["paths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == ".warden/cache/"),
        "merge requests keep the facts cache"
    );
    let lines: Vec<&str> = job["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(lines.iter().any(|l| l.contains("scripts/ci/gitlab.sh")));
    // The image has a version (warden's own ci/gitlab rules ask for one).
    assert!(job["image"].as_str().unwrap().contains(':'));
    assert!(job["rules"][0]["if"]
        .as_str()
        .unwrap()
        .contains("merge_request_event"));
}

/// The template itself, run by gitlab-ci-local (npm) in shell mode, when it is installed (on PATH, or named by
/// WARDEN_GITLAB_CI_LOCAL; it needs Node 20+ with version 4.56, and rsync): GitLab's CI schema accepts the
/// template, the included job runs its script, and the reports come out valid. The image line is dropped, since
/// the shell executor runs without containers.
#[test]
fn the_gitlab_template_runs_in_gitlab_ci_local() {
    let gcl = std::env::var("WARDEN_GITLAB_CI_LOCAL").unwrap_or_else(|_| "gitlab-ci-local".into());
    let found = |cmd: &str| {
        Command::new(cmd)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !found(&gcl) || !found("rsync") {
        eprintln!("skipped: gitlab-ci-local or rsync not installed");
        return;
    }
    let dir = repo();
    let p = dir.path();
    let template = std::fs::read_to_string(root().join("ci/gitlab/warden.gitlab-ci.yml")).unwrap();
    let shell: String = template
        .lines()
        .filter(|l| !l.starts_with("  image: "))
        .map(|l| format!("{l}\n"))
        .collect();
    write(p, "ci/gitlab/warden.gitlab-ci.yml", shell);
    write(
        p,
        "scripts/ci/gitlab.sh",
        std::fs::read(root().join("scripts/ci/gitlab.sh")).unwrap(),
    );
    write(p, "Cargo.toml", "[package]\n");
    write(
        p,
        ".gitlab-ci.yml",
        "stages: [test]\ninclude:\n  - local: ci/gitlab/warden.gitlab-ci.yml\n",
    );
    git(p, &["add", "."]);
    git(p, &["commit", "-q", "-m", "ci"]);
    let out = Command::new(&gcl)
        .args(["--shell-executor-no-image", "--variable"])
        .arg(format!("WARDEN={}", env!("CARGO_BIN_EXE_warden")))
        .arg("--variable")
        .arg(format!("WARDEN_HASH_KEY={TEST_KEY}"))
        .args(["--variable", "WARDEN_FAIL_ON=critical", "warden"])
        .current_dir(p)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("json schema validated"), "{log}");
    assert!(log.contains("findings: critical=0 high=1"), "{log}");
    let secrets = read_json(&p.join("gl-secret-detection-report.json"));
    assert!(schema_errors(SECRETS_SCHEMA, &secrets).is_empty());
    assert!(schema_errors(SAST_SCHEMA, &read_json(&p.join("gl-sast-report.json"))).is_empty());
    assert!(p
        .join(".gitlab-ci-local/artifacts/warden/warden.sarif")
        .is_file());
}
