//! A throwaway PostgreSQL server for tests (feature `testing`): `initdb` in a temporary directory, `pg_ctl start` on a free port of
//! 127.0.0.1, stopped and removed on drop. The server comes from Debian's `postgresql` package; when it is
//! missing, the first test that needs it runs `scripts/postgres.sh`, which installs it (CI runs it up front). Run as root (CI containers), the server runs as the
//! `postgres` user the package creates, since PostgreSQL refuses to run as root.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Server {
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_postgres: bool,
    pub url: String,
}

fn bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

/// The server binaries, installed by `scripts/postgres.sh` the first time they are missing (once per process,
/// however many tests ask at the same time).
fn ensure_bin_dir() -> Option<PathBuf> {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    if let Some(d) = bin_dir() {
        return Some(d);
    }
    INSTALL.call_once(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/postgres.sh");
        let status = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::null())
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!(
                "{}: could not install PostgreSQL ({status:?})",
                script.display()
            );
        }
    });
    bin_dir()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn run(as_postgres: bool, program: &Path, args: &[&str]) {
    let mut cmd = if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    let out = cmd
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    assert!(
        out.status.success(),
        "{} {args:?}: {}{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Server {
    pub fn start() -> Server {
        let bin = ensure_bin_dir().expect(
            "PostgreSQL server binaries not found under /usr/lib/postgresql: run scripts/postgres.sh (installs Debian's postgresql)",
        );
        let dir = tempfile::tempdir().unwrap();
        let as_postgres = is_root();
        let data = dir.path().join("data");
        if as_postgres {
            // The server's user must own its directory and reach it.
            run(
                false,
                Path::new("chown"),
                &["-R", "postgres", dir.path().to_str().unwrap()],
            );
            run(
                false,
                Path::new("chmod"),
                &["755", dir.path().to_str().unwrap()],
            );
        }
        run(
            as_postgres,
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "warden",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let opts = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            dir.path().display()
        );
        run(
            as_postgres,
            &bin.join("pg_ctl"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &opts,
                "-l",
                dir.path().join("log").to_str().unwrap(),
                "-w",
                "start",
            ],
        );
        Server {
            url: format!("postgres://warden@127.0.0.1:{port}/postgres"),
            dir,
            bin,
            as_postgres,
        }
    }

    /// A fresh, empty database on this server.
    pub fn database(&self, name: &str) -> String {
        let mut c = postgres::Client::connect(&self.url, postgres::NoTls).unwrap();
        c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        self.url.replace("/postgres", &format!("/{name}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let pg_ctl = self.bin.join("pg_ctl");
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&pg_ctl);
            c
        } else {
            Command::new(&pg_ctl)
        };
        let _ = cmd
            .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
            .stdin(Stdio::null())
            .output();
    }
}
