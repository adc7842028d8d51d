//! `warden init`: sets a repository up for warden: a commented `warden.toml` with every main setting at its
//! default, and a git pre-commit hook that scans what is staged. Never overwrites the user's files unless
//! `--force`; running it again refreshes warden's own hook and leaves an existing `warden.toml` alone.

use anyhow::{bail, Context, Result};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Args)]
pub(crate) struct InitArgs {
    /// The repository to set up (warden.toml goes to the top of its working tree)
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Do not install the git pre-commit hook
    #[arg(long)]
    no_hook: bool,
    /// Do not write warden.toml
    #[arg(long)]
    no_config: bool,
    /// Overwrite an existing warden.toml, and a pre-commit hook that is not warden's
    #[arg(long)]
    force: bool,
}

/// The first line after the shebang of the hook `warden init` writes: how a later run knows the hook is its own.
const HOOK_MARK: &str = "# warden pre-commit hook";

/// Every key here exists and every uncommented value is the default: tests/init.rs uncomments them all and
/// checks that the file still loads.
pub(crate) const CONFIG_TEMPLATE: &str = r#"# warden.toml, written by `warden init`. Everything is optional: each commented line shows a setting at its
# default; uncomment it to change it. The reference is the README's "Configuration" section.

# Which files are scanned (globs relative to this directory; .wardenignore works too).
[scan]
# include = []                  # when not empty, only paths matching these globs
# exclude = []                  # paths never scanned, e.g. ["vendor/**"]
# max_file_size = "64MiB"       # larger files are skipped (and counted as skipped)
# follow_symlinks = false
# only = []                     # analyzer families to run (default: all); --only overrides
# skip = []                     # analyzer families not to run; --skip overrides

# The key behind fingerprints: key_file names a file holding a hex key an organisation shares
# (default: $WARDEN_HASH_KEY, else .warden/hash-key, created by the first scan: commit it).
[hash]

# Which rules run and how severe they are (ids, or prefixes ending in "/" such as "secrets/").
[rules]
# enable = []                   # when not empty, only these rules run
# disable = []                  # e.g. ["secrets/jwt"]
# severity = {}                 # e.g. { "secrets/generic-secret-assignment" = "low" }

# Findings to drop: in these paths (globs), or whose secret matches one of these regexes.
[allowlist]
# paths = []                    # e.g. ["tests/fixtures/**"]
# values = []

# Leaked credentials: where else to look besides plain text.
[secrets]
# decode = true                 # base64 in k8s Secrets and docker auth, JSON escapes, URL encoding
# binary = true                 # UTF-16 text decoded, other binaries by their printable runs
# archives = true               # inside zip/jar/wheel/tar/.tar.gz/…, nested and bounded

# Insecure code (taint tracking) in these languages.
[code]
# languages = ["python", "javascript", "typescript", "go"]
# parse_budget_ms = 3000        # per file; a slower parse is abandoned and reported
# max_file_bytes = 2097152      # larger files are not parsed (reported as partial)

# Architectural rules (layers, forbidden imports and calls, contracts) go in an [intent] section:
# see the README's "Architectural intent".

# Kubernetes, Dockerfile, Terraform and CI configuration checks, one section each.
[k8s]
# max_file_bytes = 33554432     # larger files are not parsed (reported as partial)
[docker]
# max_file_bytes = 33554432
[tf]
# max_file_bytes = 33554432
[ci]
# max_file_bytes = 33554432

# Model artifacts; with require_signatures, public_key names the PEM key signatures verify against.
[model]
# require_signatures = false    # true: every model directory must carry a signature that verifies
# signature = "model.sig"       # looked for in the model's directory, then in each one above it
# dirs = []                     # model directories the requirement covers (default: all)

# Dependencies: vulndb names the offline vulnerability database (`warden vulndb import`), else
# .warden/vulndb.db when it exists.
[deps]

# The AI inventory; answers to `warden assess` go in [ai.assess], e.g. key_management = true.
[ai]
# deployments = {}              # service directory -> workload names, e.g. { "services/agent" = ["Deployment/ops/agent"] }

# Triage: services with their criticality go in [triage.services], your own checks in [[triage.invariants]].
[triage]
# default_invariants = true     # the invariants shipped with warden
# disable_invariants = []       # names of shipped invariants to turn off
"#;

pub(crate) fn init(args: InitArgs) -> Result<u8> {
    if !args.path.is_dir() {
        bail!("{}: not a directory", args.path.display());
    }
    let top = git_line(&args.path, &["rev-parse", "--show-toplevel"]);
    // Checked before anything is written: asked for a hook where there is no repository, do nothing.
    if top.is_none() && !args.no_hook {
        bail!(
            "{}: not inside a git repository, so there is nowhere to install the pre-commit hook \
             (run `git init` first, or pass --no-hook)",
            args.path.display()
        );
    }
    // The hook scans from the top of the working tree, which is where it looks for warden.toml.
    let root = top.map(PathBuf::from).unwrap_or_else(|| args.path.clone());
    let mut code = 0;
    if !args.no_config {
        write_config(&root, args.force)?;
    }
    if !args.no_hook {
        code = install_hook(&args.path, args.force)?;
    }
    Ok(code)
}

fn write_config(root: &Path, force: bool) -> Result<()> {
    let path = root.join("warden.toml");
    if path.exists() && !force {
        eprintln!(
            "warden: {} exists: left as it is (--force rewrites it)",
            path.display()
        );
        return Ok(());
    }
    std::fs::write(&path, CONFIG_TEMPLATE)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    eprintln!("warden: wrote {}", path.display());
    Ok(())
}

/// Installs `pre-commit` where git looks for hooks (`core.hooksPath`, or the common git directory's
/// `hooks/`, which worktrees share). 0 when warden's hook is in place, 2 when another hook is in the way.
fn install_hook(repo: &Path, force: bool) -> Result<u8> {
    let Some(dir) = git_line(
        repo,
        &["rev-parse", "--path-format=absolute", "--git-path", "hooks"],
    ) else {
        bail!("{}: git cannot say where its hooks live", repo.display());
    };
    let dir = PathBuf::from(dir);
    let path = dir.join("pre-commit");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if !existing.contains(HOOK_MARK) && !force {
            eprintln!(
                "warden: {} is another pre-commit hook: left as it is; add `warden scan --staged \
                 --no-progress` to it, or pass --force to replace it",
                path.display()
            );
            return Ok(2);
        }
    } else if path.exists() && !force {
        eprintln!(
            "warden: {} exists and cannot be read: left as it is (--force replaces it)",
            path.display()
        );
        return Ok(2);
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let exe = std::env::current_exe().context("cannot find the warden executable")?;
    std::fs::write(&path, hook_script(&exe))
        .with_context(|| format!("{}: cannot write", path.display()))?;
    make_executable(&path)?;
    eprintln!(
        "warden: installed {} (runs `warden scan --staged --no-progress`; `git commit --no-verify` skips it)",
        path.display()
    );
    Ok(0)
}

/// The hook calls this very binary by its absolute path, so it works without warden on PATH (a
/// `cargo build` checkout, a GUI git client with a bare PATH); when that file is gone (moved, `cargo
/// clean`), it falls back to `warden` on PATH.
fn hook_script(exe: &Path) -> String {
    let quoted = format!("'{}'", exe.display().to_string().replace('\'', r"'\''"));
    format!(
        "#!/bin/sh\n\
         {HOOK_MARK}, written by `warden init`: refuses the commit when warden finds something in what is\n\
         # staged. `git commit --no-verify` skips it once; `warden init` again refreshes it.\n\
         warden={quoted}\n\
         [ -x \"$warden\" ] || warden=warden\n\
         exec \"$warden\" scan --staged --no-progress\n"
    )
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("{}: cannot make executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<()> {
    Ok(())
}

/// One line of git's output, or None when git fails (not a repository, no git).
fn git_line(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let line = String::from_utf8(out.stdout).ok()?.trim_end().to_string();
    (out.status.success() && !line.is_empty()).then_some(line)
}
