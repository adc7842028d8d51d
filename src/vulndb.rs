//! `warden vulndb import|status`: the offline vulnerability database the `deps` analyzer matches dependency
//! versions against, and where a scan finds it.

use anyhow::Result;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use warden_core::Config;
use warden_deps::vulndb::VulnDb;

#[derive(Subcommand)]
pub enum VulndbCommand {
    /// Load OSV records: an OSV export zip (e.g. PyPI/all.zip), a directory of .json/.yaml records, or single
    /// records; incremental (a record replaces the stored one only when newer); all or nothing
    Import {
        /// Sources to load
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The database (default: .warden/vulndb.db in the current repository)
        #[arg(long, value_name = "DB")]
        vulndb: Option<PathBuf>,
    },
    /// What the database holds: records per ecosystem, the newest record, the last import
    Status {
        /// The database (default: .warden/vulndb.db in the current repository)
        #[arg(long, value_name = "DB")]
        vulndb: Option<PathBuf>,
    },
}

/// `.warden/vulndb.db` under the repository root of `target`.
pub fn default_path(target: &Path) -> PathBuf {
    warden_scan::key::key_root(target)
        .join(warden_scan::key::KEY_DIR)
        .join("vulndb.db")
}

/// The database a scan uses: `--vulndb`, else `[deps] vulndb` (relative to the config file), else the default
/// when it exists.
pub fn for_scan(cli: Option<&Path>, config: &Config, target: &Path) -> Option<PathBuf> {
    if let Some(p) = cli {
        return Some(p.to_path_buf());
    }
    if let Some(s) = config.section(warden_deps::NAME) {
        if let Some(p) = s.table.get("vulndb").and_then(|v| v.as_str()) {
            let base = s.path.parent().unwrap_or(Path::new("."));
            return Some(base.join(p));
        }
    }
    let d = default_path(target);
    d.is_file().then_some(d)
}

pub fn run(cmd: VulndbCommand) -> Result<u8> {
    match cmd {
        VulndbCommand::Import { paths, vulndb } => {
            let db_path = vulndb.unwrap_or_else(|| default_path(Path::new(".")));
            let mut db = VulnDb::open(&db_path)?;
            let started = std::time::Instant::now();
            let r = db.import(&paths)?;
            println!(
                "{}: {} records read: {} added, {} updated, {} unchanged{} ({:.1}s)",
                db_path.display(),
                r.records,
                r.added,
                r.updated,
                r.unchanged,
                if r.other_ecosystems > 0 {
                    format!(
                        "; {} for ecosystems warden does not read",
                        r.other_ecosystems
                    )
                } else {
                    String::new()
                },
                started.elapsed().as_secs_f64()
            );
            Ok(0)
        }
        VulndbCommand::Status { vulndb } => {
            let db_path = vulndb.unwrap_or_else(|| default_path(Path::new(".")));
            let db = VulnDb::open_existing(&db_path)?;
            let s = db.status()?;
            println!(
                "{}: {} records ({} withdrawn)",
                db_path.display(),
                s.records,
                s.withdrawn
            );
            for (eco, n) in &s.per_ecosystem {
                println!("  {eco:<10} {n}");
            }
            if let Some(m) = &s.newest_modified {
                println!("newest record modified {m}");
            }
            if let Some((at, src)) = &s.last_import {
                println!("last import {at} from {src}");
            }
            Ok(0)
        }
    }
}
