//! `warden completions` and `warden man`: the shell completion scripts and the roff man pages, generated from
//! the same clap definitions that parse the command line, so they can never describe another CLI.

use anyhow::{Context, Result};
use clap::ValueEnum;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The shells whose completion scripts are tested against the real shell (tests/shell.rs).
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    fn generator(self) -> clap_complete::Shell {
        match self {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
        }
    }
}

/// Prints the completion script for `shell` to stdout.
pub(crate) fn completions(shell: Shell, mut cmd: clap::Command) -> Result<u8> {
    let name = cmd.get_name().to_string();
    let mut out = Vec::new();
    clap_complete::generate(shell.generator(), &mut cmd, name, &mut out);
    std::io::stdout()
        .lock()
        .write_all(&out)
        .context("writing the completion script to stdout")?;
    Ok(0)
}

/// Prints warden's own man page to stdout, or with `dir` writes one page per command and subcommand
/// (`warden.1`, `warden-scan.1`, `warden-model-scan.1`, …) into it and names each on stderr.
pub(crate) fn man(cmd: clap::Command, dir: Option<&Path>) -> Result<u8> {
    let Some(dir) = dir else {
        let mut out = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut out)?;
        std::io::stdout()
            .lock()
            .write_all(&out)
            .context("writing the man page to stdout")?;
        return Ok(0);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    // As clap_mangen::generate_to does, but keeping the paths: `build` gives each subcommand its
    // `warden-scan` display name, and the `help` subcommand gets no page.
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut written = Vec::new();
    write_pages(cmd, dir, &mut written)?;
    for p in &written {
        eprintln!("warden: wrote {}", p.display());
    }
    Ok(0)
}

fn write_pages(cmd: clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub.clone(), dir, written)?;
    }
    let page = clap_mangen::Man::new(cmd);
    let path = dir.join(page.get_filename());
    let mut text = Vec::new();
    page.render(&mut text)?;
    std::fs::write(&path, &text).with_context(|| format!("{}: cannot write", path.display()))?;
    written.push(path);
    Ok(())
}
