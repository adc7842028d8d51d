//! `warden completions` and `warden man` checked with the real programs: bash, zsh and fish complete from the
//! scripts warden prints, and man renders its pages. zsh, fish, man and groff come from Debian's packages
//! (`scripts/shells.sh` installs the missing ones). Also NO_COLOR, which decides whether the text report is
//! coloured: checked through a pseudo-terminal, since only a terminal gets colour by default.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use tempfile::TempDir;

/// Runs scripts/shells.sh once per test binary; a failed install fails the tests that need the shells.
fn shells() {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    let done = DONE.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/shells.sh");
        let out = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} failed, so zsh, fish or man are missing: {}{}",
                script.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    });
    if let Err(e) = done {
        panic!("{e}");
    }
}

/// `warden ARGS` must succeed; its stdout.
fn stdout_of(args: &[&str]) -> String {
    let out = warden().args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// The completion script for `shell`, written to a file in `dir`.
fn script(dir: &Path, shell: &str) -> PathBuf {
    let path = dir.join(format!("warden.{shell}"));
    std::fs::write(&path, stdout_of(&["completions", shell])).unwrap();
    path
}

/// Runs `program args` with HOME in `dir` (no user's rc files) and returns its stdout; fails on a non-zero
/// exit or anything on stderr.
fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "{program} {args:?}: exit {:?}\nstderr: {stderr}",
        out.status.code()
    );
    String::from_utf8(out.stdout).unwrap()
}

/// What bash completes for `line` (the cursor at its end; a trailing space starts a new word), asking the
/// function the script registers for `warden` as bash itself would.
fn bash_candidates(file: &Path, line: &str) -> Vec<String> {
    let dir = file.parent().unwrap();
    let program = format!(
        r#"source '{}'
func=$(complete -p warden | sed -E 's/.* -F ([^ ]+) .*/\1/')
line='{line}'
read -r -a COMP_WORDS <<< "$line"
[[ "$line" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="$line"
COMP_POINT=${{#line}}
prev=""
(( COMP_CWORD > 0 )) && prev="${{COMP_WORDS[COMP_CWORD-1]}}"
"$func" warden "${{COMP_WORDS[COMP_CWORD]}}" "$prev"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        file.display()
    );
    run(dir, "bash", &["--norc", "--noprofile", "-c", &program])
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_completes_subcommands_options_and_their_values() {
    let dir = TempDir::new().unwrap();
    let file = script(dir.path(), "bash");
    assert_eq!(bash_candidates(&file, "warden sc"), ["scan"]);
    let top = bash_candidates(&file, "warden ");
    for sub in ["scan", "init", "completions", "man", "model", "baseline"] {
        assert!(top.contains(&sub.to_string()), "{sub} not in {top:?}");
    }
    assert_eq!(bash_candidates(&file, "warden scan --form"), ["--format"]);
    let formats = bash_candidates(&file, "warden scan --format ");
    for f in ["text", "json", "sarif", "cyclonedx", "html"] {
        assert!(formats.contains(&f.to_string()), "{f} not in {formats:?}");
    }
    assert_eq!(
        bash_candidates(&file, "warden scan --style "),
        ["full", "concise"]
    );
    let shells = bash_candidates(&file, "warden completions ");
    for sh in ["bash", "zsh", "fish"] {
        assert!(shells.contains(&sh.to_string()), "{sh} not in {shells:?}");
    }
    assert!(bash_candidates(&file, "warden init --no-").contains(&"--no-hook".to_string()));
    assert!(bash_candidates(&file, "warden model ").contains(&"verify".to_string()));
}

#[test]
fn fish_completes_subcommands_and_options() {
    shells();
    let dir = TempDir::new().unwrap();
    let file = script(dir.path(), "fish");
    let complete = |line: &str| -> Vec<String> {
        let cmd = format!("source '{}'; complete -C '{line}'", file.display());
        run(dir.path(), "fish", &["--no-config", "-c", &cmd])
            .lines()
            // A candidate, then a tab and its description.
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(complete("warden sc"), ["scan"]);
    assert!(complete("warden scan --form").contains(&"--format".to_string()));
    let formats = complete("warden scan --format ");
    for f in ["text", "json", "sarif", "cyclonedx", "html"] {
        assert!(formats.contains(&f.to_string()), "{f} not in {formats:?}");
    }
    // (clap's fish script completes the values of options, not of positional arguments.)
    assert_eq!(complete("warden model s"), ["scan", "sign"]);
    assert_eq!(complete("warden scan --style "), ["concise", "full"]);
    assert!(complete("warden init --").contains(&"--no-config".to_string()));
}

#[test]
fn zsh_completes_subcommands_options_and_values_under_compinit() {
    shells();
    let dir = TempDir::new().unwrap();
    // As installed: a file named _warden in a directory on fpath, found by compinit.
    let funcs = dir.path().join("functions");
    std::fs::create_dir(&funcs).unwrap();
    std::fs::write(funcs.join("_warden"), stdout_of(&["completions", "zsh"])).unwrap();
    let program = format!(
        "fpath=('{}' $fpath); autoload -Uz compinit; compinit -u -d '{}/zcompdump'; \
         print -r -- \"compdef: $_comps[warden]\"; autoload -Uz +X _warden; whence -w _warden",
        funcs.display(),
        dir.path().display()
    );
    let out = run(dir.path(), "zsh", &["-f", "-c", &program]);
    assert!(out.contains("compdef: _warden"), "{out}");
    assert!(out.contains("_warden: function"), "{out}");

    // The candidates, from an interactive zsh on a pseudo-terminal (zsh/zpty) that is sent `LINE<TAB>`.
    let capture = dir.path().join("capture.zsh");
    std::fs::write(&capture, ZSH_CAPTURE).unwrap();
    let complete = |line: &str| -> Vec<String> {
        let args = [
            "30",
            "zsh",
            "-f",
            capture.to_str().unwrap(),
            funcs.to_str().unwrap(),
            line,
        ];
        run(dir.path(), "timeout", &args)
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    assert_eq!(complete("warden sc"), ["scan"]);
    assert_eq!(complete("warden scan --form"), ["--format"]);
    let formats = complete("warden scan --format ");
    for f in ["text", "json", "sarif", "cyclonedx", "html"] {
        assert!(formats.contains(&f.to_string()), "{f} not in {formats:?}");
    }
    assert_eq!(complete("warden completions "), ["bash", "zsh", "fish"]);
}

/// `zsh -f capture.zsh FUNCDIR LINE` prints what zsh offers for LINE: an interactive zsh under zpty loads
/// the completions in FUNCDIR with compinit, a wrapped `compadd` prints each candidate between two marks,
/// and `exit` after completing ends it. (The marks are spelt so that zle's echo of the typed setup never
/// matches them.)
const ZSH_CAPTURE: &str = r#"zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z "fpath=('$1' \$fpath); autoload -Uz compinit; compinit -u -d '$1/../zcompdump'"
zpty -w z 'PROMPT= ; RPROMPT= '
zpty -w z "bindkey '^I' complete-word"
zpty -w z 'zstyle ":completion:*" list-grouped false; zstyle ":completion:*" insert-tab false'
zpty -w z '_cc_mark() { print -r -- "<<${:-CC}>>" }'
zpty -w z 'compprefuncs=( _cc_mark ); comppostfuncs=( _cc_mark exit )'
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi; typeset -a __hits; builtin compadd -A __hits "$@"; local h; for h in $__hits; do print -r -- "${:-CA}ND:$h"; done; builtin compadd "$@" }'
zpty -w z "$2"$'\t'
integer marks=0
local line
while zpty -r z line; do
  [[ $line == *'<<CC>>'* ]] && { (( marks++ )) && break || continue }
  (( marks )) && [[ $line == *CAND:* ]] && print -r -- ${${line#*CAND:}%$'\r'}
done
zpty -d z
"#;

/// What `man -l` renders of a roff page, as plain text.
fn render_man(dir: &Path, page: &Path) -> String {
    let out = Command::new("man")
        .arg("-l")
        .arg(page)
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("HOME", dir)
        .env_remove("MAN_KEEP_FORMATTING")
        .stdin(Stdio::null())
        .output()
        .expect("man runs");
    assert!(
        out.status.success(),
        "man -l {}: {}",
        page.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn man_renders_warden_page_with_its_commands_and_options() {
    shells();
    let dir = TempDir::new().unwrap();
    let page = dir.path().join("warden.1");
    std::fs::write(&page, stdout_of(&["man"])).unwrap();
    let text = render_man(dir.path(), &page);
    for want in [
        "NAME",
        "SYNOPSIS",
        "SUBCOMMANDS",
        "warden-scan(1)",
        "warden-init(1)",
        "warden-completions(1)",
        "--help",
        "--version",
    ] {
        assert!(
            text.contains(want),
            "{want} not in the rendered page:\n{text}"
        );
    }
}

#[test]
fn man_dir_writes_one_page_per_subcommand() {
    shells();
    let dir = TempDir::new().unwrap();
    let pages = dir.path().join("man1");
    warden()
        .args(["man", "--dir"])
        .arg(&pages)
        .assert()
        .success();
    for name in [
        "warden.1",
        "warden-scan.1",
        "warden-init.1",
        "warden-model.1",
        "warden-model-scan.1",
        "warden-triage-list.1",
    ] {
        assert!(pages.join(name).is_file(), "{name} not written");
    }
    assert!(!pages.join("warden-help.1").exists());
    let scan = render_man(dir.path(), &pages.join("warden-scan.1"));
    for want in [
        "NAME",
        "warden-scan",
        "SYNOPSIS",
        "--format",
        "--style",
        "--staged",
        "concise",
    ] {
        assert!(scan.contains(want), "{want} not in warden-scan(1):\n{scan}");
    }
}

/// A repository with one finding, for the colour checks.
fn one_finding() -> TempDir {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        ".env",
        format!("GITHUB_TOKEN={}\n", github_pat()),
    );
    dir
}

fn has_escapes(s: &[u8]) -> bool {
    s.contains(&0x1b)
}

#[test]
fn no_color_turns_colour_off_unless_always() {
    let dir = one_finding();
    let scan = |color: &str, no_color: Option<&str>| -> Vec<u8> {
        let mut c = warden();
        c.args(["scan", ".", "--no-progress", "--color", color])
            .current_dir(dir.path())
            .env_remove("NO_COLOR");
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        c.assert().code(1).get_output().stdout.clone()
    };
    assert!(!has_escapes(&scan("auto", Some("1"))));
    assert!(!has_escapes(&scan("never", None)));
    // `--color always` is an explicit request: it wins over the environment.
    assert!(has_escapes(&scan("always", Some("1"))));
    assert!(has_escapes(&scan("always", None)));
}

/// `warden scan` under a pseudo-terminal (util-linux `script`), so `--color auto` sees a terminal.
fn scan_on_a_terminal(dir: &Path, no_color: Option<&str>) -> Vec<u8> {
    let exe = Path::new(env!("CARGO_BIN_EXE_warden"));
    let mut c = Command::new("script");
    c.args(["-qec"])
        .arg(format!(
            "'{}' scan . --no-progress --color auto",
            exe.display()
        ))
        .arg("/dev/null")
        .current_dir(dir)
        .env("WARDEN_HASH_KEY", TEST_KEY)
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    if let Some(v) = no_color {
        c.env("NO_COLOR", v);
    }
    let out = c.output().expect("script (util-linux) runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    out.stdout
}

#[test]
fn on_a_terminal_no_color_counts_only_when_set_and_not_empty() {
    let dir = one_finding();
    assert!(has_escapes(&scan_on_a_terminal(dir.path(), None)));
    // no-color.org: an empty NO_COLOR is as good as none.
    assert!(has_escapes(&scan_on_a_terminal(dir.path(), Some(""))));
    assert!(!has_escapes(&scan_on_a_terminal(dir.path(), Some("1"))));
}
