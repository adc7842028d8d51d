//! What the store does, written once over the primitive operations every backend provides inside one
//! transaction ([`Tx`]): so SQLite and PostgreSQL record scans, decisions and expiries by the same rules and
//! write the same audit chain.

use crate::audit::{self, Entry};
use crate::diff::{self, How, Known, Seen};
use crate::model::*;

/// A stored finding's identity and state, as a transaction reads it.
#[derive(Debug, Clone)]
pub struct Row {
    pub known: Known,
    pub state: String,
    pub expires: Option<String>,
    /// Of what the last scan that wrote the row gave it (see [`crate::digest`]).
    pub digest: String,
    /// Shown by the latest scan of its repository and branch: its stored `last_scan` is NULL, which reads as
    /// that scan. Scans leave such a row alone when nothing else changed; a row a scan no longer shows gets
    /// its last scan written when it is fixed.
    pub current: bool,
}

/// The primitive operations of one write transaction. Every method runs inside it; the backend commits only
/// when the whole operation succeeded.
pub trait Tx {
    /// The latest scan recorded for a repository and branch.
    fn latest_scan(&mut self, repo: &str, branch: &str) -> Result<Option<i64>, StoreError>;
    fn insert_scan(&mut self, scan: &ScanRecord) -> Result<i64, StoreError>;
    fn scan_counts(&mut self, scan_id: i64, diff: &ScanDiff) -> Result<(), StoreError>;
    fn rows(&mut self, repo: &str, branch: &str) -> Result<Vec<Row>, StoreError>;
    /// Findings whose id is `key`, or whose fingerprint starts with `key` (at least 8 characters).
    fn rows_by_key(&mut self, key: &str) -> Result<Vec<Row>, StoreError>;
    /// Accepted risks whose expiry is before `now`.
    fn rows_expiring(&mut self, now: &str) -> Result<Vec<Row>, StoreError>;
    /// Findings a scan no longer shows become fixed; those that were current get `last_scan` as their last
    /// scan (the others keep theirs).
    fn fix_findings(&mut self, ids: &[i64], last_scan: i64) -> Result<(), StoreError>;
    /// Changes a finding's state; with a decision (`reason`, `expires`), records those too.
    fn set_state(
        &mut self,
        id: i64,
        state: &str,
        decision: Option<(&str, Option<&str>)>,
    ) -> Result<(), StoreError>;
    fn last_audit(&mut self) -> Result<Option<Entry>, StoreError>;
    fn insert_audit(&mut self, e: &Entry) -> Result<(), StoreError>;
    /// New findings, open, first shown by `scan_id` and current (their `last_scan` NULL). A backend where each
    /// statement is a round trip (PostgreSQL) sends them in batches.
    fn insert_findings(
        &mut self,
        scan: &ScanRecord,
        fs: &[&FindingRecord],
        scan_id: i64,
    ) -> Result<(), StoreError>;
    /// Writes what the scan gives each stored finding, its state, its digest, and makes it current.
    fn update_findings(&mut self, rows: &[(i64, &FindingRecord, &str)]) -> Result<(), StoreError>;
    fn insert_audits(&mut self, es: &[Entry]) -> Result<(), StoreError> {
        es.iter().try_for_each(|e| self.insert_audit(e))
    }
    /// The same transaction for the operations written once over SQL ([`crate::sql`]).
    fn sql(&mut self) -> &mut dyn crate::sql::Sql;
}

/// What a scan needs of a stored row besides its identity.
struct Prior {
    state: String,
    digest: String,
    current: bool,
}

/// Appends to the chain: entries are sealed in memory, in order, and written in batches of [`CHAIN_BATCH`]
/// (inside the operation's transaction, so a failure still leaves no trace).
struct Chain {
    prev: Option<Entry>,
    pending: Vec<Entry>,
}

/// Audit entries held in memory before they are written: a first scan of a million findings has a million.
const CHAIN_BATCH: usize = 10_000;

impl Chain {
    fn start(tx: &mut dyn Tx) -> Result<Self, StoreError> {
        Ok(Chain {
            prev: tx.last_audit()?,
            pending: Vec::new(),
        })
    }

    fn push(&mut self, tx: &mut dyn Tx, e: Entry) -> Result<(), StoreError> {
        let e = audit::seal(e, self.prev.as_ref());
        self.prev = Some(e.clone());
        self.pending.push(e);
        if self.pending.len() >= CHAIN_BATCH {
            tx.insert_audits(&self.pending)?;
            self.pending.clear();
        }
        Ok(())
    }

    fn flush(self, tx: &mut dyn Tx) -> Result<(), StoreError> {
        tx.insert_audits(&self.pending)
    }
}

#[allow(clippy::too_many_arguments)]
fn entry(
    at: &str,
    actor: &str,
    action: &str,
    finding: &str,
    from: Option<&str>,
    to: Option<&str>,
    reason: Option<String>,
    expires: Option<String>,
) -> Entry {
    Entry {
        seq: 0,
        at: at.into(),
        actor: actor.into(),
        action: action.into(),
        finding: finding.into(),
        from_state: from.map(str::to_string),
        to_state: to.map(str::to_string),
        reason,
        expires,
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// Records a scan: new, unchanged, reopened and fixed findings, with an audit entry for each state a scan
/// changes (and for a finding followed to a new fingerprint).
///
/// Most of a rescan is unchanged: a row the scan matches is written only when the scan changes something in it
/// (a field, by the digest; its state, on a reopen) or when it was not current; the others are not touched.
pub fn record_scan(tx: &mut dyn Tx, scan: &ScanRecord) -> Result<ScanDiff, StoreError> {
    let previous = tx.latest_scan(&scan.repo, &scan.branch)?;
    let scan_id = tx.insert_scan(scan)?;
    // The stored findings' identities for matching, and the rest of each row beside them (same index).
    let rows = tx.rows(&scan.repo, &scan.branch)?;
    let mut known: Vec<Known> = Vec::with_capacity(rows.len());
    let mut prior: Vec<Prior> = Vec::with_capacity(rows.len());
    for r in rows {
        known.push(r.known);
        prior.push(Prior {
            state: r.state,
            digest: r.digest,
            current: r.current,
        });
    }
    let by_id: std::collections::HashMap<i64, usize> =
        known.iter().enumerate().map(|(i, k)| (k.id, i)).collect();
    let seen: Vec<Seen> = scan
        .findings
        .iter()
        .map(|f| Seen {
            fingerprint: &f.fingerprint,
            rule_id: &f.rule_id,
            path: &f.path,
            content_key: &f.content_key,
            line_key: &f.line_key,
        })
        .collect();
    let m = diff::match_scan(&known, &seen);
    let mut chain = Chain::start(tx)?;
    let mut out = ScanDiff {
        scan_id,
        ..Default::default()
    };
    let (at, actor) = (scan.started_at.as_str(), scan.actor.as_str());
    let mut inserts: Vec<&FindingRecord> = Vec::new();
    let mut updates: Vec<(i64, &FindingRecord, &str)> = Vec::new();
    for (f, matched) in scan.findings.iter().zip(&m.seen) {
        match matched {
            None => {
                inserts.push(f);
                chain.push(
                    tx,
                    entry(
                        at,
                        actor,
                        "new",
                        &f.fingerprint,
                        None,
                        Some("open"),
                        None,
                        None,
                    ),
                )?;
                out.new.push(f.fingerprint.clone());
            }
            Some((id, how)) => {
                let (row, was) = (&prior[by_id[id]], &known[by_id[id]]);
                let reopened = row.state == State::Fixed.as_str();
                let state = if reopened {
                    State::Open.as_str()
                } else {
                    row.state.as_str()
                };
                if reopened || !row.current || row.digest != crate::digest(f) {
                    updates.push((*id, f, state));
                }
                if *how != How::Fingerprint {
                    let why = match how {
                        How::Renamed => "file renamed",
                        _ => "matched text changed on the same line",
                    };
                    let reason = format!("was {}: {why}", was.fingerprint);
                    chain.push(
                        tx,
                        entry(
                            at,
                            actor,
                            "rekey",
                            &f.fingerprint,
                            None,
                            None,
                            Some(reason),
                            None,
                        ),
                    )?;
                }
                if reopened {
                    let reason = format!("shown again by scan {scan_id}");
                    chain.push(
                        tx,
                        entry(
                            at,
                            actor,
                            "reopen",
                            &f.fingerprint,
                            Some("fixed"),
                            Some("open"),
                            Some(reason),
                            None,
                        ),
                    )?;
                    out.reopened.push(f.fingerprint.clone());
                } else {
                    out.unchanged.push(f.fingerprint.clone());
                }
            }
        }
    }
    tx.insert_findings(scan, &inserts, scan_id)?;
    tx.update_findings(&updates)?;
    let mut fixed = Vec::new();
    for id in &m.gone {
        let row = &prior[by_id[id]];
        if row.state == State::Fixed.as_str() {
            continue;
        }
        fixed.push(*id);
        let reason = format!("not shown by scan {scan_id}");
        let fp = known[by_id[id]].fingerprint.clone();
        chain.push(
            tx,
            entry(
                at,
                actor,
                "fix",
                &fp,
                Some(&row.state),
                Some("fixed"),
                Some(reason),
                None,
            ),
        )?;
        out.fixed.push(fp);
    }
    if !fixed.is_empty() {
        // Stored findings exist only once a scan of their branch was recorded.
        let last = previous.ok_or_else(|| {
            StoreError::Invalid(format!(
                "{} {}: stored findings without a recorded scan",
                scan.repo, scan.branch
            ))
        })?;
        tx.fix_findings(&fixed, last)?;
    }
    chain.flush(tx)?;
    tx.scan_counts(scan_id, &out)?;
    recount(tx, &scan.repo, &scan.branch)?;
    Ok(out)
}

/// A rule id's domain: its first segment (`secrets`, `code`, `config`, …).
pub fn domain_of(rule_id: &str) -> &str {
    rule_id.split('/').next().unwrap_or(rule_id)
}

type TotalKey = (String, String, i64, String);

/// A branch's counts from `finding_counts`, by state, severity, priority and domain.
fn branch_totals(
    tx: &mut dyn Tx,
    repo: &str,
    branch: &str,
) -> Result<std::collections::HashMap<TotalKey, i64>, StoreError> {
    let mut out = std::collections::HashMap::new();
    for r in tx.sql().query(
        "SELECT state, severity, priority, rule_id, n FROM finding_counts WHERE repo = ?1 AND branch = ?2",
        &[repo.into(), branch.into()],
    )? {
        let key = (r.text(0), r.text(1), r.int(2), domain_of(&r.text(3)).to_string());
        *out.entry(key).or_default() += r.int(4);
    }
    Ok(out)
}

fn add_total(tx: &mut dyn Tx, k: &TotalKey, delta: i64) -> Result<(), StoreError> {
    if delta == 0 {
        return Ok(());
    }
    tx.sql().exec(
        "INSERT INTO finding_totals (state, severity, priority, domain, n) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (state, severity, priority, domain) DO UPDATE SET n = finding_totals.n + ?5",
        &[
            k.0.as_str().into(),
            k.1.as_str().into(),
            k.2.into(),
            k.3.as_str().into(),
            delta.into(),
        ],
    )?;
    Ok(())
}

/// Counts a repository and branch's findings again into `finding_counts` (after a scan: one grouped read of
/// that branch's rows, by its index), and moves `finding_totals` by the difference.
pub(crate) fn recount(tx: &mut dyn Tx, repo: &str, branch: &str) -> Result<(), StoreError> {
    let before = branch_totals(tx, repo, branch)?;
    let args = [repo.into(), branch.into()];
    tx.sql().exec(
        "DELETE FROM finding_counts WHERE repo = ?1 AND branch = ?2",
        &args,
    )?;
    tx.sql().exec(
        "INSERT INTO finding_counts (repo, branch, state, severity, priority, rule_id, n)
         SELECT repo, branch, state, severity, priority, rule_id, count(*) FROM findings
         WHERE repo = ?1 AND branch = ?2 GROUP BY repo, branch, state, severity, priority, rule_id",
        &args,
    )?;
    let after = branch_totals(tx, repo, branch)?;
    let mut keys: Vec<&TotalKey> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let delta = after.get(k).copied().unwrap_or(0) - before.get(k).copied().unwrap_or(0);
        add_total(tx, k, delta)?;
    }
    Ok(())
}

/// Fills `finding_totals` from `finding_counts` (the migration to version 2).
pub(crate) fn fill_totals(sql: &mut dyn crate::sql::Sql) -> Result<(), StoreError> {
    let mut totals: std::collections::BTreeMap<TotalKey, i64> = Default::default();
    for r in sql.query(
        "SELECT state, severity, priority, rule_id, n FROM finding_counts",
        &[],
    )? {
        let key = (
            r.text(0),
            r.text(1),
            r.int(2),
            domain_of(&r.text(3)).to_string(),
        );
        *totals.entry(key).or_default() += r.int(4);
    }
    for (k, n) in totals {
        sql.exec(
            "INSERT INTO finding_totals (state, severity, priority, domain, n) VALUES (?1, ?2, ?3, ?4, ?5)",
            &[
                k.0.as_str().into(),
                k.1.as_str().into(),
                k.2.into(),
                k.3.as_str().into(),
                n.into(),
            ],
        )?;
    }
    Ok(())
}

/// Moves one finding from its old state's counts to its new one's (a decision, an expiry).
fn move_count(tx: &mut dyn Tx, id: i64, from: &str, to: &str) -> Result<(), StoreError> {
    if from == to {
        return Ok(());
    }
    let Some(r) = tx.sql().query_opt(
        "SELECT repo, branch, severity, priority, rule_id FROM findings WHERE id = ?1",
        &[id.into()],
    )?
    else {
        return Ok(());
    };
    let key = |state: &str| -> Vec<crate::sql::Val> {
        vec![
            r.text(0).into(),
            r.text(1).into(),
            state.into(),
            r.text(2).into(),
            r.int(3).into(),
            r.text(4).into(),
        ]
    };
    tx.sql().exec(
        "UPDATE finding_counts SET n = n - 1 WHERE repo = ?1 AND branch = ?2 AND state = ?3 AND severity = ?4
         AND priority = ?5 AND rule_id = ?6",
        &key(from),
    )?;
    tx.sql().exec(
        "DELETE FROM finding_counts WHERE repo = ?1 AND branch = ?2 AND state = ?3 AND severity = ?4
         AND priority = ?5 AND rule_id = ?6 AND n <= 0",
        &key(from),
    )?;
    tx.sql().exec(
        "INSERT INTO finding_counts (repo, branch, state, severity, priority, rule_id, n)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)
         ON CONFLICT (repo, branch, state, severity, priority, rule_id) DO UPDATE SET n = finding_counts.n + 1",
        &key(to),
    )?;
    let total = |state: &str| -> TotalKey {
        (
            state.to_string(),
            r.text(2),
            r.int(3),
            domain_of(&r.text(4)).to_string(),
        )
    };
    add_total(tx, &total(from), -1)?;
    add_total(tx, &total(to), 1)?;
    Ok(())
}

/// Applies a person's decision; returns the finding's id.
pub fn decide(tx: &mut dyn Tx, d: &Decision) -> Result<i64, StoreError> {
    d.validate()?;
    // Ids are digits and fingerprints hex: nothing else reaches a pattern.
    if d.finding.is_empty() || !d.finding.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(StoreError::Invalid(format!(
            "`{}`: expected a finding id or fingerprint",
            d.finding
        )));
    }
    let rows = tx.rows_by_key(&d.finding)?;
    let row = match rows.as_slice() {
        [one] => one.clone(),
        [] => return Err(StoreError::NoSuchFinding(d.finding.clone())),
        _ => {
            return Err(StoreError::Invalid(format!(
                "{} names {} findings; give more of the fingerprint",
                d.finding,
                rows.len()
            )))
        }
    };
    if row.state == State::Fixed.as_str() && d.to != State::Open {
        return Err(StoreError::Invalid(format!(
            "finding {} is fixed; a scan reopens it if it comes back",
            row.known.id
        )));
    }
    tx.set_state(
        row.known.id,
        d.to.as_str(),
        Some((&d.reason, d.expires.as_deref())),
    )?;
    move_count(tx, row.known.id, &row.state, d.to.as_str())?;
    let mut chain = Chain::start(tx)?;
    chain.push(
        tx,
        entry(
            &d.at,
            &d.actor,
            d.action(),
            &row.known.fingerprint,
            Some(&row.state),
            Some(d.to.as_str()),
            Some(d.reason.clone()),
            d.expires.clone(),
        ),
    )?;
    chain.flush(tx)?;
    Ok(row.known.id)
}

/// Accepted risks whose expiry is before `now` go back to open; returns their fingerprints.
pub fn expire(tx: &mut dyn Tx, now: &str) -> Result<Vec<String>, StoreError> {
    let due = tx.rows_expiring(now)?;
    let mut chain = Chain::start(tx)?;
    for r in &due {
        tx.set_state(r.known.id, State::Open.as_str(), None)?;
        move_count(tx, r.known.id, &r.state, State::Open.as_str())?;
        let reason = format!(
            "accepted risk expired on {}",
            r.expires.as_deref().unwrap_or("?")
        );
        chain.push(
            tx,
            entry(
                now,
                "warden",
                "expire",
                &r.known.fingerprint,
                Some("accepted-risk"),
                Some("open"),
                Some(reason),
                None,
            ),
        )?;
    }
    chain.flush(tx)?;
    Ok(due.into_iter().map(|r| r.known.fingerprint).collect())
}

/// Appends one audit entry about the store itself (an access change, an upload): `subject` names what it is
/// about (`token:<id>`, `user:<name>`, …) in the entry's finding field.
pub(crate) fn audit_admin(
    tx: &mut dyn Tx,
    at: &str,
    actor: &str,
    action: &str,
    subject: &str,
    reason: String,
) -> Result<(), StoreError> {
    let mut chain = Chain::start(tx)?;
    chain.push(
        tx,
        entry(at, actor, action, subject, None, None, Some(reason), None),
    )?;
    chain.flush(tx)
}
