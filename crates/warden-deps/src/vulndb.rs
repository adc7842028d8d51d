//! The offline vulnerability database: OSV records imported into a SQLite file (`warden vulndb import`), looked
//! up by ecosystem and package name at scan time. An import is one transaction: a corrupt archive or record is
//! refused with its name and nothing already loaded changes. Re-importing is incremental: a record replaces the
//! stored one only when its `modified` time is newer.

use crate::osv::{self, Order, Record};
use crate::{normalise_name, Ecosystem};
use rusqlite::{params, Connection, OptionalExtension};
use std::io::Read;
use std::path::{Path, PathBuf};

const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vulns (
  id TEXT PRIMARY KEY,
  modified TEXT NOT NULL,
  withdrawn INTEGER NOT NULL,
  record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS affected (
  vuln TEXT NOT NULL,
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS affected_package ON affected (ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_vuln ON affected (vuln);
CREATE TABLE IF NOT EXISTS imports (
  at TEXT NOT NULL,
  source TEXT NOT NULL,
  records INTEGER NOT NULL,
  added INTEGER NOT NULL,
  updated INTEGER NOT NULL
);
";

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{path}: {message}")]
    Db { path: PathBuf, message: String },
    #[error("{source_name}: {message}; nothing was imported")]
    Input {
        source_name: String,
        message: String,
    },
}

/// How an import went.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub records: u64,
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Records that name no ecosystem warden reads (they are kept, and never match).
    pub other_ecosystems: u64,
}

/// What a database holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub records: u64,
    pub withdrawn: u64,
    /// Advisories per ecosystem (OSV name), sorted by name.
    pub per_ecosystem: Vec<(String, u64)>,
    /// The newest `modified` time among the records: how current the data is.
    pub newest_modified: Option<String>,
    /// The last import: when, and from what.
    pub last_import: Option<(String, String)>,
}

/// One vulnerability of one package: records that alias each other are merged.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Every id naming it (OSV id and aliases: CVE, GHSA, PYSEC, …), sorted.
    pub ids: Vec<String>,
    pub summary: Option<String>,
    /// The lowest fixed version above the package's, if any record gives one.
    pub fixed: Option<String>,
    /// CVSS base score when a vector is given, and a level.
    pub score: Option<f64>,
    pub level: Option<&'static str>,
}

pub struct VulnDb {
    conn: Connection,
    path: PathBuf,
}

fn db_err(path: &Path, e: impl std::fmt::Display) -> DbError {
    DbError::Db {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

impl VulnDb {
    /// Opens the database at `path`, creating it when missing.
    pub fn open(path: &Path) -> Result<VulnDb, DbError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| db_err(dir, e))?;
        }
        let conn = Connection::open(path).map_err(|e| db_err(path, e))?;
        let db = VulnDb {
            conn,
            path: path.to_owned(),
        };
        db.init()?;
        Ok(db)
    }

    /// Opens an existing database (a scan never creates one).
    pub fn open_existing(path: &Path) -> Result<VulnDb, DbError> {
        if !path.is_file() {
            return Err(db_err(
                path,
                "no vulnerability database here (create it with `warden vulndb import`)",
            ));
        }
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| db_err(path, e))?;
        let db = VulnDb {
            conn,
            path: path.to_owned(),
        };
        db.check_version()?;
        Ok(db)
    }

    fn init(&self) -> Result<(), DbError> {
        self.conn
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| db_err(&self.path, e))?;
        self.conn.execute_batch(SCHEMA).map_err(|e| {
            db_err(
                &self.path,
                format!("not a warden vulnerability database ({e})"),
            )
        })?;
        self.conn
            .execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?1)",
                params![SCHEMA_VERSION.to_string()],
            )
            .map_err(|e| db_err(&self.path, e))?;
        self.check_version()
    }

    fn check_version(&self) -> Result<(), DbError> {
        let v: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| {
                db_err(
                    &self.path,
                    format!("not a warden vulnerability database ({e})"),
                )
            })?;
        match v.and_then(|v| v.parse::<i64>().ok()) {
            Some(SCHEMA_VERSION) => Ok(()),
            Some(n) if n > SCHEMA_VERSION => Err(db_err(
                &self.path,
                format!(
                    "schema version {n} is newer than this warden supports ({SCHEMA_VERSION}); upgrade warden"
                ),
            )),
            _ => Err(db_err(&self.path, "not a warden vulnerability database")),
        }
    }

    /// Imports OSV records from each source: an OSV export zip (`all.zip`), a directory of `.json`, `.yaml` or
    /// `.yml` records (searched recursively), or one such file. All sources in one transaction.
    pub fn import(&mut self, sources: &[PathBuf]) -> Result<ImportReport, DbError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| db_err(&path, e))?;
        let mut report = ImportReport::default();
        let now = warden_core::time::rfc3339(warden_core::time::now());
        for src in sources {
            let before = report.clone();
            let mut put = |name: &str, rec: Record| -> Result<(), DbError> {
                store(&tx, &path, rec, &mut report).map_err(|message| DbError::Input {
                    source_name: name.to_string(),
                    message,
                })
            };
            read_source(src, &mut put)?;
            tx.execute(
                "INSERT INTO imports (at, source, records, added, updated) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    now,
                    src.display().to_string(),
                    (report.records - before.records) as i64,
                    (report.added - before.added) as i64,
                    (report.updated - before.updated) as i64
                ],
            )
            .map_err(|e| db_err(&path, e))?;
        }
        tx.commit().map_err(|e| db_err(&path, e))?;
        Ok(report)
    }

    pub fn status(&self) -> Result<Status, DbError> {
        let p = &self.path;
        let (records, withdrawn): (i64, i64) = self
            .conn
            .query_row(
                "SELECT COUNT(*), COALESCE(SUM(withdrawn), 0) FROM vulns",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| db_err(p, e))?;
        let mut stmt = self
            .conn
            .prepare("SELECT ecosystem, COUNT(DISTINCT vuln) FROM affected GROUP BY ecosystem ORDER BY ecosystem")
            .map_err(|e| db_err(p, e))?;
        let per_ecosystem = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| db_err(p, e))?;
        let newest_modified: Option<String> = self
            .conn
            .query_row("SELECT MAX(modified) FROM vulns", [], |r| r.get(0))
            .map_err(|e| db_err(p, e))?;
        let last_import = self
            .conn
            .query_row(
                "SELECT at, source FROM imports ORDER BY rowid DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| db_err(p, e))?;
        Ok(Status {
            records: records as u64,
            withdrawn: withdrawn as u64,
            per_ecosystem,
            newest_modified,
            last_import,
        })
    }

    /// The records that name a package (withdrawn ones excluded).
    pub fn records_for(&self, eco: Ecosystem, name: &str) -> Result<Vec<Record>, DbError> {
        let p = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT v.record FROM affected a JOIN vulns v ON v.id = a.vuln
                 WHERE a.ecosystem = ?1 AND a.name = ?2 AND v.withdrawn = 0",
            )
            .map_err(|e| db_err(p, e))?;
        let texts = stmt
            .query_map(params![eco.osv_name(), normalise_name(eco, name)], |r| {
                r.get::<_, String>(0)
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| db_err(p, e))?;
        let mut out = Vec::with_capacity(texts.len());
        for t in texts {
            let rec = osv::from_json(t.as_bytes())
                .map_err(|e| db_err(p, format!("a stored record is unreadable: {e}")))?;
            out.push(rec);
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out.dedup_by(|a, b| a.id == b.id);
        Ok(out)
    }

    /// The vulnerabilities of one package version: one [`Match`] per vulnerability, aliases merged.
    pub fn matches(
        &self,
        eco: Ecosystem,
        name: &str,
        version: &str,
        order: Order,
        semver: Order,
    ) -> Result<Vec<Match>, DbError> {
        let records = self.records_for(eco, name)?;
        Ok(matches_in(&records, eco, name, version, order, semver))
    }
}

/// The vulnerabilities of one package version among `records` (those [`VulnDb::records_for`] gave for the
/// package): a caller matching many versions of one package reads its records once.
pub fn matches_in(
    records: &[Record],
    eco: Ecosystem,
    name: &str,
    version: &str,
    order: Order,
    semver: Order,
) -> Vec<Match> {
    {
        let norm = normalise_name(eco, name);
        let mut found: Vec<Match> = Vec::new();
        for rec in records {
            let hits: Vec<&osv::Affected> = rec
                .affected
                .iter()
                .filter(|a| a.names(eco, &norm) && a.affects(version, order, semver))
                .collect();
            if hits.is_empty() {
                continue;
            }
            let fixed = hits
                .iter()
                .filter_map(|a| a.fixed_after(version, order, semver))
                .min_by(|a, b| order(a, b).unwrap_or(std::cmp::Ordering::Equal));
            let sev = osv::severity(rec, hits.first().copied());
            found.push(Match {
                ids: rec.ids(),
                summary: rec.summary.clone(),
                fixed,
                score: sev.and_then(|(s, _)| s),
                level: sev.map(|(_, l)| l),
            });
        }
        merge_aliases(found, order)
    }
}

/// Merges matches that share an id (a PYSEC record and the GHSA it aliases are one vulnerability).
fn merge_aliases(mut found: Vec<Match>, order: Order) -> Vec<Match> {
    let mut out: Vec<Match> = Vec::new();
    while let Some(mut m) = found.pop() {
        loop {
            let before = found.len();
            let mut i = 0;
            while i < found.len() {
                if found[i].ids.iter().any(|id| m.ids.contains(id)) {
                    let o = found.swap_remove(i);
                    m.ids.extend(o.ids);
                    m.ids.sort();
                    m.ids.dedup();
                    m.summary = m.summary.or(o.summary);
                    m.fixed = match (m.fixed.take(), o.fixed) {
                        (Some(a), Some(b)) => {
                            Some(if order(&b, &a) == Some(std::cmp::Ordering::Greater) {
                                b
                            } else {
                                a
                            })
                        }
                        (a, b) => a.or(b),
                    };
                    if o.score.unwrap_or(-1.0) > m.score.unwrap_or(-1.0) {
                        m.score = o.score;
                        m.level = o.level;
                    }
                    m.level = m.level.or(o.level);
                } else {
                    i += 1;
                }
            }
            if found.len() == before {
                break;
            }
        }
        out.push(m);
    }
    out.sort_by(|a, b| a.ids.cmp(&b.ids));
    out
}

fn store(
    tx: &rusqlite::Transaction,
    path: &Path,
    rec: Record,
    report: &mut ImportReport,
) -> Result<(), String> {
    if rec.id.trim().is_empty() {
        return Err("a record without an id".into());
    }
    report.records += 1;
    let stored: Option<String> = tx
        .query_row(
            "SELECT modified FROM vulns WHERE id = ?1",
            params![rec.id],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if let Some(m) = &stored {
        // RFC 3339 UTC times compare as text.
        if m.as_str() >= rec.modified.as_str() {
            report.unchanged += 1;
            return Ok(());
        }
    }
    let json = serde_json::to_string(&rec).map_err(|e| e.to_string())?;
    let sql = |e: rusqlite::Error| format!("{}: {e}", path.display());
    tx.execute(
        "INSERT INTO vulns (id, modified, withdrawn, record) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, withdrawn = excluded.withdrawn,
           record = excluded.record",
        params![rec.id, rec.modified, rec.withdrawn.is_some() as i64, json],
    )
    .map_err(sql)?;
    tx.execute("DELETE FROM affected WHERE vuln = ?1", params![rec.id])
        .map_err(sql)?;
    let mut known = false;
    let mut seen = std::collections::HashSet::new();
    for a in &rec.affected {
        let Some(p) = &a.package else { continue };
        let Some(eco) = Ecosystem::from_osv(&p.ecosystem) else {
            continue;
        };
        known = true;
        let name = normalise_name(eco, &p.name);
        if seen.insert((eco, name.clone())) {
            tx.execute(
                "INSERT INTO affected (vuln, ecosystem, name) VALUES (?1, ?2, ?3)",
                params![rec.id, eco.osv_name(), name],
            )
            .map_err(sql)?;
        }
    }
    if !known {
        report.other_ecosystems += 1;
    }
    if stored.is_some() {
        report.updated += 1;
    } else {
        report.added += 1;
    }
    Ok(())
}

/// Caps on what one import reads: an OSV export of every ecosystem holds a few hundred thousand records of a
/// few KiB each.
const MAX_RECORD_BYTES: u64 = 16 << 20;
const MAX_MEMBERS: usize = 5_000_000;

fn record_of(name: &str, bytes: &[u8]) -> Option<Result<Record, String>> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".json") {
        Some(osv::from_json(bytes))
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(match std::str::from_utf8(bytes) {
            Ok(t) => osv::from_yaml(t),
            Err(e) => Err(format!("not UTF-8: {e}")),
        })
    } else {
        None
    }
}

fn read_source(
    src: &Path,
    put: &mut dyn FnMut(&str, Record) -> Result<(), DbError>,
) -> Result<(), DbError> {
    let name = src.display().to_string();
    let input = |message: String| DbError::Input {
        source_name: name.clone(),
        message,
    };
    let meta = std::fs::metadata(src).map_err(|e| input(e.to_string()))?;
    if meta.is_dir() {
        let mut files = Vec::new();
        walk(src, &mut files).map_err(|e| input(e.to_string()))?;
        files.sort();
        for f in files {
            let shown = f.display().to_string();
            let bytes = std::fs::read(&f).map_err(|e| DbError::Input {
                source_name: shown.clone(),
                message: e.to_string(),
            })?;
            if let Some(r) = record_of(&shown, &bytes) {
                let rec = r.map_err(|message| DbError::Input {
                    source_name: shown.clone(),
                    message,
                })?;
                put(&shown, rec)?;
            }
        }
        return Ok(());
    }
    if name.to_ascii_lowercase().ends_with(".zip") {
        let mut file = std::fs::File::open(src).map_err(|e| input(e.to_string()))?;
        let limits = warden_archive::zip::Limits {
            max_members: MAX_MEMBERS,
            ..Default::default()
        };
        let archive = warden_archive::zip::read_archive(&mut file, &limits)
            .map_err(|e| input(format!("not a readable zip: {e}")))?;
        if let Some(p) = archive.problems.first() {
            return Err(input(format!("a damaged zip: {p:?}")));
        }
        for m in &archive.members {
            if m.is_dir() {
                continue;
            }
            let shown = format!("{name}:{}", m.name);
            if m.uncompressed_size > MAX_RECORD_BYTES {
                return Err(DbError::Input {
                    source_name: shown,
                    message: format!("a record of {} bytes", m.uncompressed_size),
                });
            }
            let opened = warden_archive::zip::open_member(&mut file, m, &limits)
                .map_err(|e| input(e.to_string()))?;
            let Some((mut reader, cutoff)) = opened else {
                return Err(DbError::Input {
                    source_name: shown,
                    message: "a member that cannot be read (unsupported compression?)".into(),
                });
            };
            let mut bytes = Vec::with_capacity(m.uncompressed_size as usize);
            reader.read_to_end(&mut bytes).map_err(|e| DbError::Input {
                source_name: shown.clone(),
                message: format!("corrupt: {e}"),
            })?;
            drop(reader);
            if cutoff.hit() || crc32fast::hash(&bytes) != m.crc32 {
                return Err(DbError::Input {
                    source_name: shown,
                    message: "corrupt: its checksum does not match".into(),
                });
            }
            if let Some(r) = record_of(&m.name, &bytes) {
                let rec = r.map_err(|message| DbError::Input {
                    source_name: shown.clone(),
                    message,
                })?;
                put(&shown, rec)?;
            }
        }
        return Ok(());
    }
    let bytes = std::fs::read(src).map_err(|e| input(e.to_string()))?;
    match record_of(&name, &bytes) {
        Some(r) => put(&name, r.map_err(input)?),
        None => Err(input(
            "not an OSV source (a .zip export, a directory, or a .json/.yaml record)".into(),
        )),
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let t = e.file_type()?;
        if t.is_dir() {
            walk(&e.path(), out)?;
        } else if t.is_file() {
            out.push(e.path());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    fn dotted(a: &str, b: &str) -> Option<Ordering> {
        let p = |s: &str| -> Option<Vec<u64>> { s.split('.').map(|x| x.parse().ok()).collect() };
        Some(p(a)?.cmp(&p(b)?))
    }

    fn rec(id: &str, modified: &str, aliases: &[&str], fixed: &str) -> String {
        serde_json::json!({
            "id": id, "modified": modified, "aliases": aliases, "summary": format!("{id} summary"),
            "affected": [{"package": {"ecosystem": "PyPI", "name": "Foo_Bar"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]
        })
        .to_string()
    }

    #[test]
    fn import_is_incremental_and_matches_merge_aliases() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("osv");
        std::fs::create_dir_all(src.join("foo")).unwrap();
        std::fs::write(
            src.join("foo/PYSEC-1.json"),
            rec("PYSEC-1", "2024-01-01T00:00:00Z", &["CVE-1"], "1.2"),
        )
        .unwrap();
        std::fs::write(
            src.join("foo/GHSA-1.json"),
            rec("GHSA-1", "2024-01-01T00:00:00Z", &["CVE-1"], "1.3"),
        )
        .unwrap();
        std::fs::write(src.join("README.md"), "not a record").unwrap();
        let db_path = dir.path().join("v.db");
        let mut db = VulnDb::open(&db_path).unwrap();
        let r = db.import(std::slice::from_ref(&src)).unwrap();
        assert_eq!((r.records, r.added, r.updated, r.unchanged), (2, 2, 0, 0));
        let r = db.import(std::slice::from_ref(&src)).unwrap();
        assert_eq!((r.records, r.added, r.updated, r.unchanged), (2, 0, 0, 2));
        std::fs::write(
            src.join("foo/GHSA-1.json"),
            rec("GHSA-1", "2024-02-01T00:00:00Z", &["CVE-1"], "1.4"),
        )
        .unwrap();
        let r = db.import(std::slice::from_ref(&src)).unwrap();
        assert_eq!((r.added, r.updated, r.unchanged), (0, 1, 1));

        let m = db
            .matches(Ecosystem::PyPI, "foo-bar", "1.1", &dotted, &dotted)
            .unwrap();
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].ids, ["CVE-1", "GHSA-1", "PYSEC-1"]);
        // The version that fixes every record merged.
        assert_eq!(m[0].fixed.as_deref(), Some("1.4"));
        assert_eq!(
            db.matches(Ecosystem::PyPI, "FOO.bar", "1.3", &dotted, &dotted)
                .unwrap()
                .len(),
            1
        );
        assert!(db
            .matches(Ecosystem::PyPI, "foo-bar", "1.4", &dotted, &dotted)
            .unwrap()
            .is_empty());
        assert!(db
            .matches(Ecosystem::Npm, "foo-bar", "1.1", &dotted, &dotted)
            .unwrap()
            .is_empty());

        let s = db.status().unwrap();
        assert_eq!(s.records, 2);
        assert_eq!(s.per_ecosystem, [("PyPI".to_string(), 2)]);
        assert_eq!(s.newest_modified.as_deref(), Some("2024-02-01T00:00:00Z"));
        assert!(s.last_import.is_some());
    }

    #[test]
    fn a_bad_source_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.json");
        std::fs::write(&good, rec("PYSEC-1", "2024-01-01T00:00:00Z", &[], "1.2")).unwrap();
        let db_path = dir.path().join("v.db");
        let mut db = VulnDb::open(&db_path).unwrap();
        db.import(std::slice::from_ref(&good)).unwrap();
        let bad_dir = dir.path().join("bad");
        std::fs::create_dir_all(&bad_dir).unwrap();
        std::fs::write(
            bad_dir.join("a.json"),
            rec("PYSEC-2", "2024-01-01T00:00:00Z", &[], "1.2"),
        )
        .unwrap();
        std::fs::write(bad_dir.join("b.json"), "{\"id\": ").unwrap();
        let err = db
            .import(std::slice::from_ref(&bad_dir))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("b.json") && err.contains("nothing was imported"),
            "{err}"
        );
        assert_eq!(db.status().unwrap().records, 1);
        // A corrupt zip is refused the same way.
        let zip = dir.path().join("all.zip");
        std::fs::write(&zip, b"PK\x03\x04 not really a zip").unwrap();
        let err = db.import(&[zip]).unwrap_err().to_string();
        assert!(err.contains("all.zip"), "{err}");
        assert_eq!(db.status().unwrap().records, 1);
        // A scan opens read-only and never creates.
        assert!(VulnDb::open_existing(&dir.path().join("none.db")).is_err());
        let ro = VulnDb::open_existing(&db_path).unwrap();
        assert_eq!(ro.status().unwrap().records, 1);
        // A file that is not a database is named.
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, vec![7u8; 4096]).unwrap();
        let err = VulnDb::open(&junk).err().unwrap().to_string();
        assert!(err.contains("junk.db"), "{err}");
    }

    #[test]
    fn zip_exports_import() {
        let dir = tempfile::tempdir().unwrap();
        let a = rec("GHSA-a", "2024-01-01T00:00:00Z", &[], "2.0");
        let b = rec("GHSA-b", "2024-01-01T00:00:00Z", &[], "3.0");
        let bytes = warden_archive::zip::testkit::build(
            &[
                warden_archive::zip::testkit::Spec {
                    deflate: true,
                    ..warden_archive::zip::testkit::spec("GHSA-a.json", a.as_bytes())
                },
                warden_archive::zip::testkit::spec("GHSA-b.json", b.as_bytes()),
            ],
            b"",
            b"",
        );
        let zip = dir.path().join("all.zip");
        std::fs::write(&zip, bytes).unwrap();
        let mut db = VulnDb::open(&dir.path().join("v.db")).unwrap();
        let r = db.import(&[zip]).unwrap();
        assert_eq!(r.added, 2);
        assert_eq!(
            db.matches(Ecosystem::PyPI, "foo_bar", "1.5", &dotted, &dotted)
                .unwrap()
                .len(),
            2
        );
    }
}
