//! `warden init`: the warden.toml it writes loads, the pre-commit hook it installs refuses a commit that
//! stages a credential and lets a clean one through, and nothing of the user's is overwritten without --force.

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use tempfile::TempDir;

/// `git ARGS` in `root`, as a developer would run it (the hook runs too), without asserting success.
fn git_raw(root: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(root)
        .env("GIT_AUTHOR_NAME", "Dev One")
        .env("GIT_AUTHOR_EMAIL", "dev@acme.test")
        .env("GIT_COMMITTER_NAME", "Dev One")
        .env("GIT_COMMITTER_EMAIL", "dev@acme.test")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", root)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("git runs")
}

fn repo() -> TempDir {
    let dir = TempDir::new().unwrap();
    init_repo(dir.path());
    git(dir.path(), &["config", "user.name", "Dev One"]);
    git(dir.path(), &["config", "user.email", "dev@acme.test"]);
    dir
}

/// `warden init ARGS` in `root`: its exit code and stderr.
fn init(root: &Path, args: &[&str]) -> (i32, String) {
    let out = warden()
        .arg("init")
        .args(args)
        .current_dir(root)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `warden scan .` in `root` must exit 0 with no findings and no config error.
fn scans_clean(root: &Path) {
    let out = warden()
        .args(["scan", ".", "--no-progress"])
        .current_dir(root)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("no findings"), "{stdout}");
    assert!(!stderr.contains("error"), "{stderr}");
}

fn hook_path(root: &Path) -> std::path::PathBuf {
    root.join(".git/hooks/pre-commit")
}

#[test]
fn init_writes_a_config_that_loads_and_a_hook_that_refuses_a_leaked_credential() {
    let dir = repo();
    let root = dir.path();
    let (code, stderr) = init(root, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("wrote") && stderr.contains("warden.toml"),
        "{stderr}"
    );
    assert!(stderr.contains("installed"), "{stderr}");

    let hook = std::fs::read_to_string(hook_path(root)).unwrap();
    assert!(hook.starts_with("#!/bin/sh\n"), "{hook}");
    assert!(hook.contains(env!("CARGO_BIN_EXE_warden")), "{hook}");
    assert!(hook.contains("scan --staged --no-progress"), "{hook}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(hook_path(root))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "hook not executable: {mode:o}");
    }
    scans_clean(root);

    // A clean commit passes the hook.
    write(root, "app.py", "print('hello')\n");
    git(root, &["add", "warden.toml", "app.py"]);
    let ok = git_raw(root, &["commit", "-q", "-m", "clean"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    // A staged credential is refused, with warden's report on git's stderr.
    write(
        root,
        "deploy.env",
        format!("GITHUB_TOKEN={}\n", github_pat()),
    );
    git(root, &["add", "deploy.env"]);
    let refused = git_raw(root, &["commit", "-q", "-m", "leak"]);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&refused.stdout),
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(!refused.status.success(), "the commit went through: {said}");
    assert!(said.contains("secrets/github-classic-pat"), "{said}");
    assert!(said.contains("deploy.env"), "{said}");
    assert!(
        !said.contains(&github_pat()),
        "the hook printed the secret: {said}"
    );
    let log = git_raw(root, &["log", "--format=%s"]);
    assert_eq!(String::from_utf8_lossy(&log.stdout), "clean\n");
}

#[test]
fn every_setting_in_the_written_config_exists_and_its_default_loads() {
    let dir = repo();
    let root = dir.path();
    assert_eq!(init(root, &["--no-hook"]).0, 0);
    let text = std::fs::read_to_string(root.join("warden.toml")).unwrap();
    // Uncomment every `# key = value` line: each must be a real key with a valid value.
    let mut uncommented = 0;
    let all: String = text
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest)
                if rest.split_once(" = ").is_some_and(|(k, _)| {
                    k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                }) =>
            {
                uncommented += 1;
                format!("{rest}\n")
            }
            _ => format!("{l}\n"),
        })
        .collect();
    assert!(uncommented >= 25, "only {uncommented} settings:\n{all}");
    std::fs::write(root.join("warden.toml"), &all).unwrap();
    scans_clean(root);
    // And the sections are the ones the README documents.
    for section in [
        "[scan]",
        "[hash]",
        "[rules]",
        "[allowlist]",
        "[secrets]",
        "[code]",
        "[k8s]",
        "[model]",
        "[deps]",
        "[ai]",
        "[triage]",
    ] {
        assert!(text.contains(section), "{section} missing");
    }
}

#[test]
fn a_second_init_clobbers_nothing_and_force_rewrites() {
    let dir = repo();
    let root = dir.path();
    assert_eq!(init(root, &[]).0, 0);
    let mine = "[scan]\nexclude = [\"vendor/**\"]\n";
    std::fs::write(root.join("warden.toml"), mine).unwrap();
    let (code, stderr) = init(root, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("exists: left as it is"), "{stderr}");
    // warden's own hook is refreshed, not refused.
    assert!(stderr.contains("installed"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(root.join("warden.toml")).unwrap(),
        mine
    );
    assert_eq!(init(root, &["--force", "--no-hook"]).0, 0);
    assert_ne!(
        std::fs::read_to_string(root.join("warden.toml")).unwrap(),
        mine
    );
}

#[test]
fn another_hook_is_left_alone_unless_force() {
    let dir = repo();
    let root = dir.path();
    let theirs = "#!/bin/sh\nexec make lint\n";
    write(root, ".git/hooks/pre-commit", theirs);
    let (code, stderr) = init(root, &["--no-config"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("another pre-commit hook"), "{stderr}");
    assert_eq!(std::fs::read_to_string(hook_path(root)).unwrap(), theirs);
    assert!(!root.join("warden.toml").exists());
    let (code, stderr) = init(root, &["--no-config", "--force"]);
    assert_eq!(code, 0, "{stderr}");
    let hook = std::fs::read_to_string(hook_path(root)).unwrap();
    assert!(hook.contains("scan --staged --no-progress"), "{hook}");
}

#[test]
fn the_hook_goes_where_git_looks_for_hooks() {
    // core.hooksPath, relative to the top of the working tree; init run from a subdirectory.
    let dir = repo();
    let root = dir.path();
    git(root, &["config", "core.hooksPath", ".githooks"]);
    std::fs::create_dir(root.join("sub")).unwrap();
    let (code, stderr) = init(&root.join("sub"), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(root.join(".githooks/pre-commit").is_file(), "{stderr}");
    assert!(!hook_path(root).exists());
    assert!(root.join("warden.toml").is_file(), "config not at the top");
    assert!(!root.join("sub/warden.toml").exists());

    // A linked worktree shares the main repository's hooks.
    let dir = repo();
    let main = dir.path().join("main");
    std::fs::create_dir(&main).unwrap();
    init_repo(&main);
    write(&main, "README.md", "x\n");
    git(&main, &["add", "README.md"]);
    git(&main, &["commit", "-q", "-m", "first"]);
    git(&main, &["worktree", "add", "-q", "../linked"]);
    let (code, stderr) = init(&dir.path().join("linked"), &["--no-config"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(hook_path(&main).is_file(), "{stderr}");
}

#[test]
fn outside_a_repository_init_needs_no_hook() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    let (code, stderr) = init(root, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not inside a git repository"), "{stderr}");
    assert!(
        !root.join("warden.toml").exists(),
        "wrote a config before failing"
    );
    assert_eq!(init(root, &["--no-hook"]).0, 0);
    assert!(root.join("warden.toml").is_file());
}
