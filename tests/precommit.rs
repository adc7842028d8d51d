//! The repository's pre-commit hooks with the real pre-commit (from PyPI), as a user would use them:
//! `scripts/precommit.sh` points a throwaway repository at this one, lets pre-commit build warden
//! (`language: rust`), and commits a credential, which must be refused. `WARDEN_PRECOMMIT=skip` skips it
//! (for a machine without access to PyPI).

use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn pre_commit_builds_the_hooks_and_refuses_a_commit_with_a_credential() {
    if std::env::var("WARDEN_PRECOMMIT").is_ok_and(|v| v == "skip") {
        eprintln!("skipped: WARDEN_PRECOMMIT=skip");
        return;
    }
    // The target directory this test binary was built in: the hooks' build reuses its dependencies.
    let exe = Path::new(env!("CARGO_BIN_EXE_warden"));
    let target = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/debug/warden");
    let mut c = Command::new("bash");
    c.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/precommit.sh"))
        .env("WARDEN_PRECOMMIT_TARGET", target)
        .stdin(Stdio::null());
    // Without the variables cargo sets for a test process: a build script that watches one of them (ring's
    // watches CARGO_MANIFEST_DIR) would otherwise see it change, and the nested build would rebuild that crate
    // and its dependents in place, under the outer build's own file names.
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("CARGO_") && k != "CARGO_HOME" && k != "CARGO_TARGET_DIR" || k == "OUT_DIR"
        {
            c.env_remove(&k);
        }
    }
    let out = c.output().expect("bash runs");
    let transcript = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "scripts/precommit.sh failed:\n{transcript}"
    );
    for expected in [
        "clean commit: accepted",
        "commit with a credential: refused by warden-secrets",
        "commit with a credential: refused by warden\n",
        "clean commit under the warden hook: accepted",
    ] {
        assert!(
            transcript.contains(expected),
            "missing `{expected}` in:\n{transcript}"
        );
    }
}
