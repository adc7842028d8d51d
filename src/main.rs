//! The warden CLI: parses arguments, builds the analyzers, runs a scan, and hands the result to a reporter.
//! Findings go to stdout (or --output), diagnostics to stderr. Exit codes: 0 clean, 1 findings at or above
//! --fail-on, 2 usage, config or I/O error (including files that could not be read).

mod ai;
mod gateway;
mod init;
mod lsp;
mod probe;
mod registry;
mod sbom;
mod server_cmd;
mod shell;
mod store_cmd;
mod vulndb;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use warden_core::{AnalyzerSetup, Config, HashKey, ScanMode, ScanResult, Severity};
use warden_report::{
    CycloneDxReporter, JsonReporter, Report, Reporter, SarifReporter, TextReporter,
};
use warden_scan::baseline::Baseline;
use warden_scan::key::KeySource;
use warden_scan::{Progress, Scanner};

const DEFAULT_BASELINE: &str = ".warden-baseline.json";

#[derive(Parser)]
#[command(
    name = "warden",
    version,
    about = "Find leaked credentials and other security problems in a repository: working tree, staged changes or full git history."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan a directory or file (default: the working tree of PATH)
    Scan(ScanArgs),
    /// Write a baseline of the current findings, so later scans with --baseline report only new ones
    Baseline(BaselineArgs),
    /// List every rule
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print a rule's documentation
    Explain {
        /// Rule id, e.g. secrets/openai-project-key (the `secrets/` prefix may be left out)
        rule: String,
    },
    /// The AI inventory: models, LLM clients, agents and tools, MCP servers, vector stores, data sets and
    /// AI services of PATH, linked to the workloads, exposure, permissions and keys around them, each with a
    /// risk score and its reasons
    Inventory(ai::InventoryArgs),
    /// The ten-question AI security self-assessment, answered from the scan's evidence and `[ai.assess]`
    Assess(ai::AssessArgs),
    /// The findings store: list the triage queue; confirm, dismiss, accept (until a date) or reopen a finding
    Triage {
        #[command(subcommand)]
        command: store_cmd::TriageCommand,
    },
    /// The software bill of materials from the repository's lockfiles and manifests: CycloneDX 1.6 (default),
    /// SPDX 2.3 or warden's JSON
    Sbom(sbom::SbomArgs),
    /// The offline vulnerability database: import OSV records (an export zip, a directory, files), show
    /// what is loaded
    Vulndb {
        #[command(subcommand)]
        command: vulndb::VulndbCommand,
    },
    /// The organisation server: the store behind a JSON API and web pages, with users, roles and API tokens
    Serve(server_cmd::ServeArgs),
    /// API tokens for the server and CI uploads: create (shown once), list, revoke
    Token {
        #[command(subcommand)]
        command: server_cmd::TokenCommand,
    },
    /// Users of the server's web pages: add (password on stdin), list, disable
    User {
        #[command(subcommand)]
        command: server_cmd::UserCommand,
    },
    /// The store's hash-chained audit log: verify it, export it as JSON lines
    Audit {
        #[command(subcommand)]
        command: store_cmd::AuditCommand,
    },
    /// Model artifacts: scan model files for code that runs when they are loaded; sign and verify model
    /// directories (OpenSSF model signing format, ECDSA keys)
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
    /// A gateway in front of model APIs (OpenAI, Azure OpenAI, Anthropic, OpenAI-compatible servers) that
    /// screens prompts and responses: credentials, personal data, prompt injection, exfiltration links
    Gateway(gateway::GatewayArgs),
    /// Red-team an OpenAI-compatible endpoint: prompt injection, jailbreaks, system-prompt and secret
    /// exfiltration, insecure output, unsafe tool use, unbounded output; exit 1 when a probe succeeds
    Probe(probe::ProbeArgs),
    /// Set a repository up: a commented warden.toml with every main setting at its default, and a git
    /// pre-commit hook running `warden scan --staged`; never overwrites the user's files unless --force
    Init(init::InitArgs),
    /// A Language Server (stdio) for editors: findings as diagnostics on open buffers as you type and for the
    /// workspace on save; quick fixes (ignore comment, credential to environment lookup) and rule explanations
    Lsp(lsp::LspArgs),
    /// Print the shell completion script (bash: `source <(warden completions bash)`)
    Completions {
        #[arg(value_enum)]
        shell: shell::Shell,
    },
    /// Print warden's man page (roff), or with --dir write one page per command into DIR
    Man {
        /// Write warden.1, warden-scan.1, … into DIR instead of printing warden.1
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Scan a model file or a directory of models (formats recognised by content); exit 1 on findings
    Scan(ModelScanArgs),
    /// Sign a model directory with an ECDSA P-256 or P-384 private key (OpenSSF model signing format, as
    /// `model_signing sign key` writes it)
    Sign(ModelSignArgs),
    /// Verify a model directory against its signature with a public key; exit 1 when it does not verify,
    /// naming each changed, added or removed file
    Verify(ModelVerifyArgs),
}

#[derive(Args)]
struct ModelSignArgs {
    /// The model directory
    dir: PathBuf,
    /// Private key: PEM, unencrypted PKCS#8 or SEC1, P-256 or P-384
    #[arg(long, value_name = "KEY.pem")]
    key: PathBuf,
    /// Where to write the signature (default: DIR/model.sig, which is then left out of what is signed)
    #[arg(long, value_name = "FILE")]
    signature: Option<PathBuf>,
    /// Files or directories to leave out of the signature, relative to the current directory as with
    /// `model_signing` (so `DIR/logs`); paths outside DIR are dropped. Git paths are always left out
    #[arg(long, value_name = "P", num_args = 1.., action = clap::ArgAction::Append)]
    ignore_paths: Vec<PathBuf>,
}

#[derive(Args)]
struct ModelVerifyArgs {
    /// The model directory
    dir: PathBuf,
    /// Public key: PEM (SubjectPublicKeyInfo), P-256 or P-384
    #[arg(long, value_name = "PUB.pem")]
    key: PathBuf,
    /// The signature to check (default: DIR/model.sig)
    #[arg(long, value_name = "FILE")]
    signature: Option<PathBuf>,
}

#[derive(Args)]
struct ModelScanArgs {
    /// A model file or a directory
    path: PathBuf,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to FILE instead of stdout (written whole or not at all)
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity (`none`: never)
    #[arg(long, default_value = "info", value_parser = parse_fail_on)]
    fail_on: FailOn,
    /// Config file (default: warden.toml at PATH, if present)
    #[arg(long)]
    config: Option<PathBuf>,
    /// Worker threads (default: all cores)
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    /// Never draw progress on stderr
    #[arg(long)]
    no_progress: bool,
    /// Colour in text output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Style of the text report: `full` (each finding with its line, confidence, fingerprint and fix) or
    /// `concise` (one line per finding: path:line:col: severity rule message)
    #[arg(long, value_enum, default_value_t = TextStyle::Full)]
    style: TextStyle,
}

#[derive(Args)]
pub(crate) struct SourceArgs {
    /// What to scan: a directory or a file; a path inside a git repository with --staged or --history
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Scan what is staged for commit (for pre-commit hooks)
    #[arg(long, conflicts_with = "history")]
    staged: bool,
    /// Scan every commit reachable from any ref, each unique blob once
    #[arg(long, conflicts_with = "image")]
    history: bool,
    /// Scan what a range of commits changed, for pull requests: `BASE..HEAD` (the two trees), `BASE...HEAD`
    /// (from their merge base) or `BASE` (to HEAD). Whole-repository analyzers still see every file of HEAD;
    /// reported are the findings in changed files that BASE did not already have
    #[arg(long, value_name = "RANGE", conflicts_with_all = ["staged", "history", "image"])]
    diff: Option<String>,
    /// With --history: only the commits not reachable from REV, and the blobs they add (e.g. the last scanned
    /// commit, or origin/main in a pull request)
    #[arg(long, value_name = "REV", requires = "history")]
    since: Option<String>,
    /// With --history, --diff or --staged: where the caches live (default: .warden/cache/ in the repository).
    /// A history rescan reads only the blobs that new commits add; a change scan analyses only the changed
    /// files, taking the others' facts from the last one
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Neither read nor write a cache
    #[arg(long, conflicts_with = "cache")]
    no_cache: bool,
    /// PATH is a container image: a `docker save` tarball or an OCI image layout directory; every layer's
    /// files and the image config (Env, Cmd, labels, build history) are scanned, no daemon or registry needed
    #[arg(long, conflicts_with = "staged")]
    image: bool,
    /// Ask each provider whether the credentials found are live (opt-in: each unique secret is sent once to
    /// the provider's fixed endpoint named in its rule; results in every report as validation:live|dead|unknown)
    #[arg(long)]
    validate: bool,
    /// The offline vulnerability database to match dependency versions against (`warden vulndb import`;
    /// default: `[deps] vulndb`, else .warden/vulndb.db when it exists)
    #[arg(long, value_name = "DB")]
    vulndb: Option<PathBuf>,
    /// Config file (default: warden.toml at PATH, if present)
    #[arg(long)]
    config: Option<PathBuf>,
    /// Worker threads (default: all cores)
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    /// Skip files larger than this (e.g. 10MiB); overrides warden.toml
    #[arg(long)]
    max_file_size: Option<String>,
    /// Never draw progress on stderr
    #[arg(long)]
    no_progress: bool,
    /// Run only these analyzer families (comma-separated, e.g. `secrets`); overrides scan.only
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Do not run these analyzer families; overrides scan.skip
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,
}

impl SourceArgs {
    /// The working tree at `path`, every other option at its default.
    pub(crate) fn worktree(path: PathBuf, config: Option<PathBuf>) -> Self {
        SourceArgs {
            path,
            staged: false,
            history: false,
            diff: None,
            image: false,
            validate: false,
            vulndb: None,
            since: None,
            cache: None,
            no_cache: false,
            config,
            threads: None,
            max_file_size: None,
            no_progress: true,
            only: Vec::new(),
            skip: Vec::new(),
        }
    }
}

#[derive(Args)]
struct ScanArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to FILE instead of stdout (written whole or not at all)
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity (`none`: never)
    #[arg(long, default_value = "info", value_parser = parse_fail_on)]
    fail_on: FailOn,
    /// Report only findings that are not in this baseline file
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Print secrets whole instead of redacted (never the default)
    #[arg(long)]
    show_secrets: bool,
    /// Record the scan in the findings store: a SQLite file, or a postgres:// URL; without a value,
    /// .warden/warden.db in the repository. Findings get their baseline state (new, unchanged, updated)
    #[arg(long, value_name = "PATH|URL", num_args = 0..=1, default_missing_value = "")]
    db: Option<String>,
    /// With --db: report only the findings the store had not seen
    #[arg(long)]
    new_only: bool,
    /// Send the scan to a warden server (`warden serve`) at this URL, as --db would record it
    #[arg(long, value_name = "URL")]
    upload: Option<String>,
    /// The environment variable holding the API token for --upload (a token on the command line would show in
    /// process lists)
    #[arg(long, value_name = "VAR", default_value = "WARDEN_TOKEN")]
    token_env: String,
    /// Colour in text output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Style of the text report: `full` (each finding with its line, confidence, fingerprint and fix) or
    /// `concise` (one line per finding: path:line:col: severity rule message)
    #[arg(long, value_enum, default_value_t = TextStyle::Full)]
    style: TextStyle,
}

#[derive(Args)]
struct BaselineArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Where to write the baseline
    #[arg(long, short = 'o', default_value = DEFAULT_BASELINE)]
    output: PathBuf,
    /// Rewrite this existing baseline (version 1, or another key's) under the current hash key, keeping the
    /// entries that still match a finding
    #[arg(long, value_name = "OLD")]
    migrate: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
    /// The scan's inventory (assets, dependency components, their edges) as a CycloneDX 1.6 BOM
    Cyclonedx,
    /// One self-contained HTML page: summary charts, findings by priority and file, inventory
    Html,
    /// The `secrets` findings as a GitLab secret detection report (schema 15.2.4; docs/ci.md)
    GitlabSecrets,
    /// Every other finding as a GitLab SAST report (schema 15.2.4; docs/ci.md)
    GitlabSast,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
    /// The rules reference, as committed in docs/rules.md
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether text output is coloured: the one place every coloured output asks. `auto` colours a terminal
    /// on stdout unless `NO_COLOR` is set to something (no-color.org: present and not empty); `always` and
    /// `never` win over the environment.
    pub(crate) fn enabled(self, output: &Option<PathBuf>) -> bool {
        self.resolve(
            output.is_none() && std::io::stdout().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        )
    }

    fn resolve(self, terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && no_color.is_none_or(|v| v.is_empty()),
        }
    }
}

#[cfg(test)]
mod color_tests {
    use super::ColorChoice::{self, *};
    use std::ffi::OsStr;

    #[test]
    fn no_color_counts_only_when_set_and_not_empty_and_always_wins() {
        let on = |c: ColorChoice, tty, nc: Option<&str>| c.resolve(tty, nc.map(OsStr::new));
        assert!(on(Auto, true, None));
        assert!(on(Auto, true, Some("")));
        assert!(!on(Auto, true, Some("1")));
        assert!(!on(Auto, true, Some("0")));
        assert!(!on(Auto, false, None));
        assert!(on(Always, false, Some("1")));
        assert!(!on(Never, true, None));
    }
}

/// The text report's style (`--style`).
#[derive(Clone, Copy, ValueEnum)]
enum TextStyle {
    /// Findings grouped by file, each with its redacted line, confidence, fingerprint and fix
    Full,
    /// One line per finding: `path:line:col: severity rule-id message`
    Concise,
}

#[derive(Clone, Copy)]
enum FailOn {
    Never,
    AtLeast(Severity),
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    if s.eq_ignore_ascii_case("none") || s.eq_ignore_ascii_case("never") {
        Ok(FailOn::Never)
    } else {
        s.parse().map(FailOn::AtLeast)
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        // The reader went away (`warden rules | head`): stop quietly, as ripgrep does.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warden: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Baseline(args) => baseline(args),
        Command::Rules { format } => rules(format),
        Command::Explain { rule } => explain(&rule),
        Command::Inventory(args) => ai::inventory(args),
        Command::Triage { command } => store_cmd::triage(command),
        Command::Audit { command } => store_cmd::audit_cmd(command),
        Command::Serve(args) => server_cmd::serve(args),
        Command::Token { command } => server_cmd::token(command),
        Command::User { command } => server_cmd::user(command),
        Command::Vulndb { command } => vulndb::run(command),
        Command::Sbom(args) => sbom::sbom(args),
        Command::Gateway(args) => gateway::gateway(args),
        Command::Probe(args) => probe::probe(args),
        Command::Assess(args) => ai::assess(args),
        Command::Init(args) => init::init(args),
        Command::Lsp(args) => lsp::lsp(args),
        Command::Completions { shell } => {
            shell::completions(shell, <Cli as clap::CommandFactory>::command())
        }
        Command::Man { dir } => {
            shell::man(<Cli as clap::CommandFactory>::command(), dir.as_deref())
        }
        Command::Model {
            command: ModelCommand::Scan(args),
        } => model_scan(args),
        Command::Model {
            command: ModelCommand::Sign(args),
        } => model_sign(args),
        Command::Model {
            command: ModelCommand::Verify(args),
        } => model_verify(args),
    }
}

fn load_config(src: &SourceArgs) -> Result<Config> {
    let mut config = match &src.config {
        Some(p) => Config::load(p)?,
        None => {
            let root = if src.path.is_dir() {
                src.path.clone()
            } else {
                src.path.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            Config::discover(&root)?
        }
    };
    if !src.only.is_empty() {
        config.only = src.only.clone();
    }
    if !src.skip.is_empty() {
        config.skip = src.skip.clone();
    }
    if let Some(s) = &src.max_file_size {
        config.max_file_size =
            Some(warden_core::config::parse_size(s).ok_or_else(|| {
                anyhow!("--max-file-size: expected a size like 10MiB, got `{s}`")
            })?);
    }
    Ok(config)
}

fn mode(src: &SourceArgs) -> ScanMode {
    if src.diff.is_some() {
        ScanMode::Diff
    } else if src.staged {
        ScanMode::Staged
    } else if src.history {
        ScanMode::History
    } else if src.image {
        ScanMode::Image
    } else {
        ScanMode::Worktree
    }
}

/// The key behind fingerprints and secret hashes for a scan of `path`, telling the user when it is new.
fn hash_key(config: &Config, path: &Path) -> Result<HashKey> {
    let (key, source) = warden_scan::key::resolve(config, path)?;
    match source {
        KeySource::Created(p) => eprintln!(
            "warden: created {} (the key behind fingerprints and secret hashes; commit it so every clone \
             and CI run agrees, and baselines keep matching)",
            p.display()
        ),
        KeySource::Ephemeral { reason } => eprintln!(
            "warden: cannot keep a hash key ({reason}); fingerprints hold for this run only: set \
             WARDEN_HASH_KEY or hash.key_file"
        ),
        KeySource::Env | KeySource::File(_) => {}
    }
    Ok(key)
}

/// The scanner the source arguments ask for: config, hash key, analyzers, triage settings; and whether a
/// vulnerability database was found.
pub(crate) fn build_scanner(src: &SourceArgs, reveal: bool) -> Result<(Scanner, bool)> {
    let config = load_config(src)?;
    if !src.path.exists() {
        bail!("{}: no such file or directory", src.path.display());
    }
    let key = hash_key(&config, &src.path)?;
    let worktree = (matches!(mode(src), ScanMode::Worktree) && src.path.is_dir())
        .then_some(src.path.as_path());
    let vulndb = vulndb::for_scan(src.vulndb.as_deref(), &config, &src.path);
    let setup = AnalyzerSetup {
        config: &config,
        hash_key: &key,
        reveal,
        worktree,
        validate: src.validate,
        vulndb: vulndb.as_deref(),
    };
    let analyzers = registry::analyzers(&setup)?;
    let triage = warden_triage::Settings::load(&config)?;
    // --validate asks providers about what the per-file phase finds: a change scan that filled its cache would
    // scan unchanged files whole, and so validate their credentials too.
    let git_source = src.history || src.staged || src.diff.is_some();
    if (src.cache.is_some() || src.no_cache) && !git_source {
        bail!("--cache and --no-cache apply to --history, --diff and --staged scans");
    }
    let no_cache = src.no_cache || !git_source || (src.validate && !src.history);
    let cache = match (&src.cache, no_cache) {
        (_, true) => None,
        (Some(dir), false) => Some(dir.clone()),
        (None, false) => Some(
            warden_scan::key::key_root(&src.path)
                .join(warden_scan::key::KEY_DIR)
                .join("cache"),
        ),
    };
    let mut scanner = Scanner::new(analyzers, config, key)
        .since(src.since.clone())
        .cache_dir(cache)
        .triage(triage);
    if let Some(n) = src.threads {
        scanner = scanner.threads(n);
    }
    Ok((scanner, vulndb.is_some()))
}

/// Runs the scan the source arguments ask for, with progress on stderr when it is a terminal.
pub(crate) fn run_scan(src: &SourceArgs, reveal: bool) -> Result<(Scanner, ScanResult)> {
    let (scanner, has_vulndb) = build_scanner(src, reveal)?;
    let progress = Arc::new(Progress::default());
    let scanner = scanner.progress(progress.clone());
    let ticker = (!src.no_progress && std::io::stderr().is_terminal())
        .then(|| spawn_ticker(progress.clone()));
    let result = match mode(src) {
        ScanMode::Worktree => scanner.scan_worktree(&src.path),
        ScanMode::Staged => scanner.scan_staged(&src.path),
        ScanMode::History => scanner.scan_history(&src.path),
        ScanMode::Image => scanner.scan_image(&src.path),
        ScanMode::Diff => {
            let range = src.diff.as_deref().unwrap_or_default();
            let range = warden_scan::DiffRange::parse(range).map_err(|e| anyhow!("--diff: {e}"))?;
            scanner.scan_diff(&src.path, &range)
        }
    };
    if let Some((bar, done)) = ticker {
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = bar.join();
    }
    let result = result?;
    let deps_ran = result.scan.analyzers.iter().any(|a| a == warden_deps::NAME);
    if !has_vulndb && deps_ran && result.facts.iter().any(|f| f.kind == "deps/packages") {
        eprintln!(
            "warden: no vulnerability database: dependency versions were not checked for known \
             vulnerabilities (load OSV data with `warden vulndb import`, or pass --vulndb DB)"
        );
    }
    for d in &result.diagnostics {
        eprintln!("warden: {}: {} ({})", d.path, d.message, d.reason.as_str());
    }
    Ok((scanner, result))
}

fn spawn_ticker(
    p: Arc<Progress>,
) -> (
    std::thread::JoinHandle<()>,
    Arc<std::sync::atomic::AtomicBool>,
) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let done = Arc::new(AtomicBool::new(false));
    let flag = done.clone();
    let handle = std::thread::spawn(move || {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .expect("static template"),
        );
        while !flag.load(Ordering::Relaxed) {
            let files = p.files.load(Ordering::Relaxed);
            let bytes = p.bytes.load(Ordering::Relaxed);
            bar.set_message(format!(
                "scanning: {files} files, {}",
                indicatif::HumanBytes(bytes)
            ));
            bar.tick();
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        bar.finish_and_clear();
    });
    (handle, done)
}

fn scan(args: ScanArgs) -> Result<u8> {
    store_cmd::check_new_only(args.db.as_deref(), args.new_only)?;
    let (scanner, mut result) = run_scan(&args.source, args.show_secrets)?;
    if let Some(db) = &args.db {
        store_cmd::record(
            &mut result,
            scanner.hash_key(),
            scanner.triage_settings(),
            db,
            &args.source.path,
        )?;
        if args.new_only {
            result
                .findings
                .retain(|f| f.baseline_state.as_deref() == Some("new"));
        }
    }
    if let Some(url) = &args.upload {
        let record = store_cmd::record_for_upload(
            &result,
            scanner.hash_key(),
            scanner.triage_settings(),
            &args.source.path,
        );
        let attachments = ai::upload_attachments(&args.source, &result)?;
        server_cmd::upload(url, &args.token_env, &record, &attachments)?;
    }
    if let Some(p) = &args.baseline {
        let b = Baseline::load(p)?;
        let name = p.display().to_string();
        if b.is_legacy() {
            eprintln!(
                "warden: {name}: version 1 baseline (unkeyed fingerprints); rewrite it with \
                 `warden baseline --migrate {name}`"
            );
        }
        let applied = b.apply(&mut result.findings, scanner.hash_key(), &name)?;
        result.stats.suppressed_baseline = applied.suppressed as u64;
        // Only a scan of everything can tell that an entry matches nothing any more.
        if !args.source.staged {
            for e in &applied.stale {
                eprintln!(
                    "warden: {name}: stale baseline entry {} ({} in {}:{}) matches no finding",
                    e.fingerprint, e.rule_id, e.path, e.line
                );
            }
            result.stale_baseline = applied.stale;
        }
    }
    let rules = scanner.rules();
    let report = Report {
        result: &result,
        rules: &rules,
    };
    let color = args.color.enabled(&args.output);
    let reporter: Box<dyn Reporter> = match args.format {
        Format::Text => match args.style {
            TextStyle::Full => Box::new(TextReporter { color }),
            TextStyle::Concise => Box::new(TextReporter::concise(color)),
        },
        Format::Json => Box::new(JsonReporter),
        Format::Sarif => Box::new(SarifReporter),
        Format::Cyclonedx => Box::new(CycloneDxReporter),
        Format::Html => Box::new(warden_report::HtmlReporter::with_triage(
            store_cmd::triage_of(&result, scanner.triage_settings(), &args.source.path),
        )),
        Format::GitlabSecrets => Box::new(warden_report::GitlabSecretsReporter),
        Format::GitlabSast => Box::new(warden_report::GitlabSastReporter),
    };
    // Streamed, not built in memory first: a report of 200,000 findings is hundreds of MiB.
    match &args.output {
        Some(path) => write_atomically(path, |w| reporter.write(&report, w))?,
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            reporter
                .write(&report, &mut out)
                .and_then(|_| out.flush())
                .context("writing the report to stdout")?;
        }
    }
    Ok(exit_code(&result, args.fail_on))
}

/// `warden model scan`: a scan of PATH's working tree with only the `model` analyzer, reported like `warden scan`.
fn model_scan(args: ModelScanArgs) -> Result<u8> {
    scan(ScanArgs {
        source: SourceArgs {
            threads: args.threads,
            no_progress: args.no_progress,
            only: vec![warden_models::NAME.to_string()],
            ..SourceArgs::worktree(args.path, args.config)
        },
        format: args.format,
        output: args.output,
        fail_on: args.fail_on,
        baseline: None,
        show_secrets: false,
        db: None,
        new_only: false,
        upload: None,
        token_env: "WARDEN_TOKEN".into(),
        color: args.color,
        style: args.style,
    })
}

/// A model directory that exists and is a directory, or an I/O error (exit 2).
fn model_dir(dir: &Path) -> Result<()> {
    let meta = std::fs::metadata(dir).with_context(|| format!("{}: cannot read", dir.display()))?;
    if !meta.is_dir() {
        bail!("{}: not a directory", dir.display());
    }
    Ok(())
}

fn read_key(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("{}: cannot read key", path.display()))
}

/// `warden model sign`: writes the signature; every failure (key, I/O, symlink in the model) exits 2.
fn model_sign(args: ModelSignArgs) -> Result<u8> {
    model_dir(&args.dir)?;
    let key = read_key(&args.key)?;
    let sig = args.signature.unwrap_or_else(|| args.dir.join("model.sig"));
    // As `model_signing` does: ignore paths are relative to the current directory, not to DIR.
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let ignore: Vec<PathBuf> = args.ignore_paths.iter().map(|p| cwd.join(p)).collect();
    // Formatted rather than chained: the errors already name their path and cause.
    let signed = warden_models::signing::sign(&args.dir, &key, &sig, &ignore)
        .map_err(|e| anyhow!("{}: cannot sign: {e}", args.dir.display()))?;
    eprintln!(
        "warden: signed {} files in {} ({}); wrote {}",
        signed.files.len(),
        args.dir.display(),
        curve_name(signed.curve),
        sig.display()
    );
    Ok(0)
}

/// `warden model verify`: 0 valid; 1 when the signature does not hold for this model and key (bad signature,
/// another key, or files changed, added or removed); 2 when the key, signature file or model cannot be read
/// or parsed.
fn model_verify(args: ModelVerifyArgs) -> Result<u8> {
    use warden_models::signing::VerifyError;
    model_dir(&args.dir)?;
    let key = read_key(&args.key)?;
    let sig = args.signature.unwrap_or_else(|| args.dir.join("model.sig"));
    match warden_models::signing::verify(&args.dir, &sig, &key) {
        Ok(v) => {
            eprintln!(
                "warden: {}: signature verified ({} files, {})",
                args.dir.display(),
                v.files.len(),
                curve_name(v.curve)
            );
            Ok(0)
        }
        Err(VerifyError::Mismatch(m)) => {
            eprintln!(
                "warden: {}: the model does not match its signature {}",
                args.dir.display(),
                sig.display()
            );
            for (what, files) in [
                ("changed", &m.changed),
                ("added (not in the signature)", &m.added),
                ("removed (signed, missing)", &m.removed),
            ] {
                for f in files {
                    eprintln!("  {what}: {f}");
                }
            }
            Ok(1)
        }
        Err(e @ (VerifyError::BadSignature | VerifyError::KeyMismatch)) => {
            eprintln!(
                "warden: {}: signature {} does not verify: {e}",
                args.dir.display(),
                sig.display()
            );
            Ok(1)
        }
        Err(e) => bail!("{}: cannot verify: {e}", args.dir.display()),
    }
}

fn curve_name(c: warden_models::signing::Curve) -> &'static str {
    match c {
        warden_models::signing::Curve::P256 => "ECDSA P-256",
        warden_models::signing::Curve::P384 => "ECDSA P-384",
    }
}

/// 2 when some input could not be read or parsed (the report is incomplete, whatever it holds), else 1 when a
/// finding is at or above `--fail-on`, else 0.
fn exit_code(result: &ScanResult, fail_on: FailOn) -> u8 {
    let failing = match fail_on {
        FailOn::Never => false,
        FailOn::AtLeast(min) => result.findings.iter().any(|f| f.severity >= min),
    };
    if result.had_errors() {
        2
    } else if failing {
        1
    } else {
        0
    }
}

/// Writes to a temporary file beside `path` and renames it over, so a reader never sees half a report.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| anyhow!("{}: not a file name", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.warden-tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let res = std::fs::File::create(&tmp)
        .and_then(|f| {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
            write(&mut w)?;
            w.flush()
        })
        .and_then(|_| std::fs::rename(&tmp, path));
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res.with_context(|| format!("{}: cannot write report", path.display()))
}

fn baseline(args: BaselineArgs) -> Result<u8> {
    let (scanner, result) = run_scan(&args.source, false)?;
    let b = match &args.migrate {
        Some(old) => {
            let name = old.display().to_string();
            let (b, stale) = Baseline::load(old)?.migrate(&result.findings, scanner.hash_key());
            for e in &stale {
                eprintln!(
                    "warden: {name}: dropped stale entry {} ({} in {}:{}): it matches no finding",
                    e.fingerprint, e.rule_id, e.path, e.line
                );
            }
            b
        }
        None => Baseline::from_findings(&result.findings, scanner.hash_key()),
    };
    let mut text = serde_json::to_vec_pretty(&b)?;
    text.push(b'\n');
    write_atomically(&args.output, |w| w.write_all(&text))?;
    eprintln!(
        "warden: wrote {} with {} entries",
        args.output.display(),
        b.entries.len()
    );
    Ok(if result.had_errors() { 2 } else { 0 })
}

fn all_rules() -> Result<Vec<warden_core::RuleMeta>> {
    let config = Config::default();
    // Listing rules hashes nothing: any key will do.
    let key = HashKey::new(vec![0; 32])?;
    let setup = AnalyzerSetup {
        config: &config,
        hash_key: &key,
        reveal: false,
        worktree: None,
        validate: false,
        vulndb: None,
    };
    let analyzers = registry::analyzers(&setup)?;
    Ok(analyzers
        .iter()
        .flat_map(|a| a.rules().iter().cloned())
        .collect())
}

fn rules(format: ListFormat) -> Result<u8> {
    let rules = all_rules()?;
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &rules)?;
            writeln!(out)?;
        }
        ListFormat::Markdown => write!(out, "{}", rules_markdown(&rules))?,
        ListFormat::Text => {
            let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
            for r in &rules {
                writeln!(
                    out,
                    "{:<width$}  {:<8}  {}",
                    r.id,
                    r.severity.as_str(),
                    r.title
                )?;
            }
            writeln!(out, "\n{} rules", rules.len())?;
        }
    }
    Ok(0)
}

/// docs/rules.md: generated from the rule data, never edited by hand (a test checks it is current).
fn rules_markdown(rules: &[warden_core::RuleMeta]) -> String {
    let mut s = String::from(
        "# Rules reference\n\nGenerated by `warden rules --format markdown` from the rule data; do not edit.\n\n",
    );
    s.push_str(&format!(
        "{} rules.\n\n| id | title | severity | confidence |\n|---|---|---|---|\n",
        rules.len()
    ));
    for r in rules {
        s.push_str(&format!(
            "| [`{}`](#{}) | {} | {} | {} |\n",
            r.id,
            anchor(&r.id),
            r.title,
            r.severity,
            r.confidence
        ));
    }
    for r in rules {
        s.push_str(&format!(
            "\n## {}\n\n**{}** · severity {} · confidence {} · {}\n\n{}\n\n**How to fix:** {}\n",
            r.id,
            r.title,
            r.severity,
            r.confidence,
            r.tags.join(", "),
            r.description,
            r.remediation
        ));
        if !r.references.is_empty() {
            s.push('\n');
            for u in &r.references {
                s.push_str(&format!("- <{u}>\n"));
            }
        }
    }
    s
}

fn anchor(id: &str) -> String {
    id.chars()
        .filter_map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                Some(c.to_ascii_lowercase())
            } else {
                None
            }
        })
        .collect()
}

fn explain(id: &str) -> Result<u8> {
    let rules = all_rules()?;
    let found = rules
        .iter()
        .find(|r| r.id == id || r.id.split_once('/').is_some_and(|(_, s)| s == id));
    let Some(r) = found else {
        let near: Vec<&str> = rules
            .iter()
            .map(|r| r.id.as_str())
            .filter(|r| r.contains(id))
            .take(8)
            .collect();
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!("; did you mean: {}", near.join(", "))
        };
        eprintln!("warden: error: no rule `{id}`{hint} (see `warden rules`)");
        return Ok(2);
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}\n{}\n", r.id, r.title)?;
    writeln!(
        out,
        "severity:   {}\nconfidence: {}\ntags:       {}\n",
        r.severity,
        r.confidence,
        r.tags.join(", ")
    )?;
    writeln!(out, "What it finds\n  {}\n", r.description)?;
    writeln!(out, "How to fix\n  {}", r.remediation)?;
    if !r.references.is_empty() {
        writeln!(out, "\nReferences")?;
        for u in &r.references {
            writeln!(out, "  {u}")?;
        }
    }
    Ok(0)
}
