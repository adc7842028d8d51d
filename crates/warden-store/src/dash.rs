//! What the organisation server's pages and API read: across repositories, filtered by the reader's scope,
//! bounded (pages, not whole tables). Written once for both backends over [`Sql`].

use crate::access::Scope;
use crate::audit::Entry;
use crate::model::{State, StoreError, Stored};
use crate::sql::{Sql, SqlRow, Val};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// States still needing work: not yet triaged, or confirmed and not fixed.
pub const OPEN_STATES: [State; 2] = [State::Open, State::Confirmed];

/// The overview page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Overview {
    /// Findings open or confirmed.
    pub open: i64,
    /// Of those, not yet triaged.
    pub untriaged: i64,
    pub by_severity: BTreeMap<String, i64>,
    pub by_priority: BTreeMap<i64, i64>,
    /// By the rule id's first segment (`secrets`, `code`, `config`, …).
    pub by_domain: BTreeMap<String, i64>,
    pub repositories: i64,
    /// Per day: findings first seen, fixed and reopened by the scans of that day.
    pub trend: Vec<TrendDay>,
    /// Median days from the scan that first showed a finding to the one that no longer did, over the most
    /// recent fixes (up to [`FIX_SAMPLE`]).
    pub median_days_to_fix: Option<f64>,
    pub fixed_sampled: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct TrendDay {
    pub day: String,
    pub new: i64,
    pub fixed: i64,
    pub reopened: i64,
}

/// How many fixed findings the time-to-fix median looks at.
pub const FIX_SAMPLE: i64 = 2000;
/// How many days of trend the overview shows.
pub const TREND_DAYS: usize = 90;

/// A repository and branch as the repositories page lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RepoRow {
    pub repo: String,
    pub branch: String,
    pub open: i64,
    pub critical: i64,
    pub high: i64,
    pub scans: i64,
    pub last_scan_at: Option<String>,
    pub head_commit: Option<String>,
}

/// Which findings a queue shows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct QueueFilter {
    pub repo: Option<String>,
    pub severity: Option<String>,
    /// A rule id's first segment.
    pub domain: Option<String>,
    /// Default: [`State::Open`] (not yet triaged).
    #[serde(default)]
    pub states: Vec<State>,
    pub limit: i64,
    pub offset: i64,
}

/// One page of findings, and how many match in all.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page<T> {
    pub total: i64,
    pub items: Vec<T>,
}

fn and(conds: &mut Vec<String>, args: &mut Vec<Val>, scope: &Scope, column: &str) {
    let (c, a) = scope.condition(column, args.len() + 1);
    conds.push(c);
    args.extend(a);
}

fn states_condition(states: &[State], args: &mut Vec<Val>) -> String {
    let marks: Vec<String> = states
        .iter()
        .map(|s| {
            args.push(s.as_str().into());
            format!("?{}", args.len())
        })
        .collect();
    format!("state IN ({})", marks.join(", "))
}

pub fn overview(sql: &mut dyn Sql, scope: &Scope) -> Result<Overview, StoreError> {
    let mut out = Overview::default();
    // Across every repository, the totals by domain (a few hundred rows at most); for a scope, its branches'
    // counts (the domain is the rule's first segment either way).
    let mut args = Vec::new();
    let rows = if scope.is_all() {
        let c = states_condition(&OPEN_STATES, &mut args);
        sql.query(
            &format!("SELECT state, severity, priority, domain, n FROM finding_totals WHERE {c} AND n > 0"),
            &args,
        )?
    } else {
        let mut conds = vec![states_condition(&OPEN_STATES, &mut args)];
        and(&mut conds, &mut args, scope, "repo");
        sql.query(
            &format!(
                "SELECT state, severity, priority, rule_id, CAST(sum(n) AS BIGINT) FROM finding_counts WHERE {}
                 GROUP BY state, severity, priority, rule_id",
                conds.join(" AND ")
            ),
            &args,
        )?
    };
    for r in &rows {
        let n = r.int(4);
        out.open += n;
        if r.text(0) == State::Open.as_str() {
            out.untriaged += n;
        }
        *out.by_severity.entry(r.text(1)).or_default() += n;
        *out.by_priority.entry(r.int(2)).or_default() += n;
        let rule = r.text(3);
        let domain = rule.split('/').next().unwrap_or("").to_string();
        *out.by_domain.entry(domain).or_default() += n;
    }
    let mut args = Vec::new();
    let mut conds = Vec::new();
    and(&mut conds, &mut args, scope, "repo");
    let cond = conds.join(" AND ");
    out.repositories = sql
        .query_opt(
            &format!("SELECT count(DISTINCT repo) FROM scans WHERE {cond}"),
            &args,
        )?
        .map_or(0, |r| r.int(0));
    let days = sql.query(
        &format!(
            "SELECT substr(started_at, 1, 10) AS day, CAST(sum(new_count) AS BIGINT),
             CAST(sum(fixed_count) AS BIGINT), CAST(sum(reopened_count) AS BIGINT)
             FROM scans WHERE {cond} GROUP BY substr(started_at, 1, 10) ORDER BY day DESC LIMIT {TREND_DAYS}"
        ),
        &args,
    )?;
    out.trend = days
        .iter()
        .rev()
        .map(|r| TrendDay {
            day: r.text(0),
            new: r.int(1),
            fixed: r.int(2),
            reopened: r.int(3),
        })
        .collect();
    // A fix is when a scan no longer showed the finding: its audit entry's time.
    let mut args2 = Vec::new();
    let mut conds2 = vec!["a.action = 'fix'".to_string()];
    and(&mut conds2, &mut args2, scope, "f.repo");
    let fixed = sql.query(
        &format!(
            "SELECT s.started_at, a.at FROM audit a
             JOIN findings f ON f.fingerprint = a.finding JOIN scans s ON s.id = f.first_scan
             WHERE {} ORDER BY a.seq DESC LIMIT {FIX_SAMPLE}",
            conds2.join(" AND ")
        ),
        &args2,
    )?;
    let mut spans: Vec<f64> = fixed
        .iter()
        .filter_map(|r| Some((days_of(&r.text(1))? - days_of(&r.text(0))?) as f64))
        .filter(|d| *d >= 0.0)
        .collect();
    out.fixed_sampled = spans.len();
    if !spans.is_empty() {
        spans.sort_by(f64::total_cmp);
        let m = spans.len() / 2;
        out.median_days_to_fix = Some(if spans.len().is_multiple_of(2) {
            (spans[m - 1] + spans[m]) / 2.0
        } else {
            spans[m]
        });
    }
    Ok(out)
}

/// Days since 1970-01-01 of an RFC 3339 date or time (its first ten characters).
pub fn days_of(s: &str) -> Option<i64> {
    let b = s.get(..10)?;
    let y: i64 = b.get(..4)?.parse().ok()?;
    let m: i64 = b.get(5..7)?.parse().ok()?;
    let d: i64 = b.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

pub fn repositories(sql: &mut dyn Sql, scope: &Scope) -> Result<Vec<RepoRow>, StoreError> {
    let mut args = Vec::new();
    let mut conds = Vec::new();
    and(&mut conds, &mut args, scope, "s.repo");
    let cond = conds.join(" AND ");
    let open = format!(
        "state IN ('{}', '{}')",
        State::Open.as_str(),
        State::Confirmed.as_str()
    );
    let rows = sql.query(
        &format!(
            "SELECT s.repo, s.branch, count(*), max(s.id) FROM scans s WHERE {cond}
             GROUP BY s.repo, s.branch ORDER BY s.repo, s.branch"
        ),
        &args,
    )?;
    let counts = {
        let mut args = Vec::new();
        let mut conds = vec![open];
        and(&mut conds, &mut args, scope, "repo");
        sql.query(
            &format!(
                "SELECT repo, branch, severity, CAST(sum(n) AS BIGINT) FROM finding_counts WHERE {}
                 GROUP BY repo, branch, severity",
                conds.join(" AND ")
            ),
            &args,
        )?
    };
    let mut by: BTreeMap<(String, String), (i64, i64, i64)> = BTreeMap::new();
    for c in &counts {
        let e = by.entry((c.text(0), c.text(1))).or_default();
        let n = c.int(3);
        e.0 += n;
        match c.text(2).as_str() {
            "critical" => e.1 += n,
            "high" => e.2 += n,
            _ => {}
        }
    }
    // The latest scan of every branch in scope, in one read.
    let latest: BTreeMap<i64, (String, Option<String>)> = {
        let mut args = Vec::new();
        let mut conds = Vec::new();
        and(&mut conds, &mut args, scope, "repo");
        sql.query(
            &format!(
                "SELECT id, started_at, head_commit FROM scans WHERE id IN
                 (SELECT max(id) FROM scans WHERE {} GROUP BY repo, branch)",
                conds.join(" AND ")
            ),
            &args,
        )?
        .iter()
        .map(|r| (r.int(0), (r.text(1), r.opt_text(2))))
        .collect()
    };
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let last = latest.get(&r.int(3));
        let (open, critical, high) = by.get(&(r.text(0), r.text(1))).copied().unwrap_or_default();
        out.push(RepoRow {
            repo: r.text(0),
            branch: r.text(1),
            open,
            critical,
            high,
            scans: r.int(2),
            last_scan_at: last.map(|l| l.0.clone()),
            head_commit: last.and_then(|l| l.1.clone()),
        });
    }
    Ok(out)
}

const STORED_COLUMNS: &str = "id, repo, branch, fingerprint, rule_id, title, severity, confidence, path, line,
    message, snippet, state, reason, expires, first_scan,
    COALESCE(last_scan, (SELECT max(s.id) FROM scans s WHERE s.repo = findings.repo AND s.branch = findings.branch)),
    priority, priority_reasons, owner, context";

fn stored_of(r: &SqlRow) -> Result<Stored, StoreError> {
    let id = r.int(0);
    Ok(Stored {
        id,
        repo: r.text(1),
        branch: r.text(2),
        fingerprint: r.text(3),
        rule_id: r.text(4),
        title: r.text(5),
        severity: r.text(6),
        confidence: r.text(7),
        path: r.text(8),
        line: r.int(9),
        message: r.text(10),
        snippet: r.text(11),
        state: State::parse(&r.text(12)).unwrap_or(State::Open),
        reason: r.opt_text(13),
        expires: r.opt_text(14),
        first_scan: r.int(15),
        last_scan: r.int(16),
        priority: r.int(17),
        priority_reasons: serde_json::from_str(&r.text(18)).unwrap_or_default(),
        owner: r.opt_text(19),
        context: crate::context_of("findings", id, r.opt_text(20).as_deref())?,
    })
}

/// Findings across repositories in scope, by priority then age; a page of them and the count.
pub fn queue(
    sql: &mut dyn Sql,
    scope: &Scope,
    filter: &QueueFilter,
) -> Result<Page<Stored>, StoreError> {
    let states = if filter.states.is_empty() {
        vec![State::Open]
    } else {
        filter.states.clone()
    };
    // The conditions besides the state, shared by the count and the rows.
    let mut args = Vec::new();
    let mut conds = Vec::new();
    and(&mut conds, &mut args, scope, "repo");
    if let Some(repo) = &filter.repo {
        args.push(repo.into());
        conds.push(format!("repo = ?{}", args.len()));
    }
    if let Some(s) = &filter.severity {
        args.push(s.into());
        conds.push(format!("severity = ?{}", args.len()));
    }
    if let Some(d) = &filter.domain {
        let prefix = format!("{d}/");
        args.push(Val::Int(prefix.chars().count() as i64));
        args.push(prefix.into());
        conds.push(format!(
            "substr(rule_id, 1, ?{}) = ?{}",
            args.len() - 1,
            args.len()
        ));
    }
    // The total is a sum over the counts, never a count of findings: over the totals by domain when the
    // caller sees everything and names no repository, else over its branches' counts.
    let total = if scope.is_all() && filter.repo.is_none() {
        let mut targs = Vec::new();
        let mut tconds = vec![states_condition(&states, &mut targs)];
        if let Some(s) = &filter.severity {
            targs.push(s.into());
            tconds.push(format!("severity = ?{}", targs.len()));
        }
        if let Some(d) = &filter.domain {
            targs.push(d.into());
            tconds.push(format!("domain = ?{}", targs.len()));
        }
        sql.query_opt(
            &format!(
                "SELECT CAST(sum(n) AS BIGINT) FROM finding_totals WHERE {}",
                tconds.join(" AND ")
            ),
            &targs,
        )?
    } else {
        let mut cargs = args.clone();
        let mut cconds = conds.clone();
        cconds.push(states_condition(&states, &mut cargs));
        sql.query_opt(
            &format!(
                "SELECT CAST(sum(n) AS BIGINT) FROM finding_counts WHERE {}",
                cconds.join(" AND ")
            ),
            &cargs,
        )?
    }
    .map_or(0, |r| r.int(0));
    let limit = filter.limit.clamp(1, 500);
    let offset = filter.offset.max(0);
    // One ordered index scan per state (state, priority, id), merged: an `IN` over states would have the
    // database sort every matching row.
    let mut parts = Vec::new();
    for st in &states {
        args.push(st.as_str().into());
        let mut c = conds.clone();
        c.push(format!("state = ?{}", args.len()));
        parts.push(format!(
            "SELECT * FROM (SELECT {STORED_COLUMNS} FROM findings WHERE {} ORDER BY priority, id LIMIT {}) AS s{}",
            c.join(" AND "),
            limit + offset,
            parts.len()
        ));
    }
    let rows = sql.query(
        &format!(
            "SELECT * FROM ({}) AS u ORDER BY priority, id LIMIT {limit} OFFSET {offset}",
            parts.join(" UNION ALL ")
        ),
        &args,
    )?;
    Ok(Page {
        total,
        items: rows.iter().map(stored_of).collect::<Result<_, _>>()?,
    })
}

/// One finding by its store id.
pub fn finding(sql: &mut dyn Sql, id: i64) -> Result<Option<Stored>, StoreError> {
    sql.query_opt(
        &format!("SELECT {STORED_COLUMNS} FROM findings WHERE id = ?1"),
        &[id.into()],
    )?
    .map(|r| stored_of(&r))
    .transpose()
}

const ENTRY_COLUMNS: &str =
    "seq, at, actor, action, finding, from_state, to_state, reason, expires, prev_hash, hash";

fn entry_of(r: &SqlRow) -> Entry {
    Entry {
        seq: r.int(0),
        at: r.text(1),
        actor: r.text(2),
        action: r.text(3),
        finding: r.text(4),
        from_state: r.opt_text(5),
        to_state: r.opt_text(6),
        reason: r.opt_text(7),
        expires: r.opt_text(8),
        prev_hash: r.text(9),
        hash: r.text(10),
    }
}

/// A finding's audit entries (by its fingerprint), oldest first.
pub fn history(sql: &mut dyn Sql, fingerprint: &str) -> Result<Vec<Entry>, StoreError> {
    Ok(sql
        .query(
            &format!("SELECT {ENTRY_COLUMNS} FROM audit WHERE finding = ?1 ORDER BY seq"),
            &[fingerprint.into()],
        )?
        .iter()
        .map(entry_of)
        .collect())
}

/// The newest audit entries, `limit` of them, before `before` (a sequence number) when given; newest first.
pub fn audit_page(
    sql: &mut dyn Sql,
    limit: i64,
    before: Option<i64>,
) -> Result<Vec<Entry>, StoreError> {
    let limit = limit.clamp(1, 1000);
    Ok(sql
        .query(
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM audit WHERE seq < ?1 ORDER BY seq DESC LIMIT {limit}"
            ),
            &[before.unwrap_or(i64::MAX).into()],
        )?
        .iter()
        .map(entry_of)
        .collect())
}

/// Audit entries after `seq`, oldest first, at most `limit`: a verifier that keeps where it stopped checks
/// only what was appended since.
pub fn audit_after(sql: &mut dyn Sql, seq: i64, limit: i64) -> Result<Vec<Entry>, StoreError> {
    Ok(sql
        .query(
            &format!("SELECT {ENTRY_COLUMNS} FROM audit WHERE seq > ?1 ORDER BY seq LIMIT {limit}"),
            &[seq.into()],
        )?
        .iter()
        .map(entry_of)
        .collect())
}

/// An inventory or self-assessment as a scan of a repository and branch brought it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Snapshot {
    pub repo: String,
    pub branch: String,
    pub scan_id: i64,
    pub at: String,
    pub body: serde_json::Value,
}

fn snapshot_of(r: &SqlRow) -> Result<Snapshot, StoreError> {
    Ok(Snapshot {
        repo: r.text(0),
        branch: r.text(1),
        scan_id: r.int(2),
        at: r.text(3),
        body: serde_json::from_str(&r.text(4)).map_err(|e| StoreError::Corrupt {
            path: "snapshots".into(),
            detail: format!("scan {}: {e}", r.int(2)),
        })?,
    })
}

pub fn latest_snapshots(
    sql: &mut dyn Sql,
    scope: &Scope,
    kind: &str,
) -> Result<Vec<Snapshot>, StoreError> {
    let mut args = vec![Val::Text(kind.into())];
    let mut conds = vec!["s.kind = ?1".to_string()];
    and(&mut conds, &mut args, scope, "s.repo");
    sql.query(
        &format!(
            "SELECT s.repo, s.branch, s.scan_id, s.at, s.body FROM snapshots s WHERE {} AND s.scan_id =
             (SELECT max(t.scan_id) FROM snapshots t WHERE t.kind = s.kind AND t.repo = s.repo AND t.branch = s.branch)
             ORDER BY s.repo, s.branch",
            conds.join(" AND ")
        ),
        &args,
    )?
    .iter()
    .map(snapshot_of)
    .collect()
}

pub fn snapshot_history(
    sql: &mut dyn Sql,
    scope: &Scope,
    kind: &str,
    limit: i64,
) -> Result<Vec<Snapshot>, StoreError> {
    let mut args = vec![Val::Text(kind.into())];
    let mut conds = vec!["kind = ?1".to_string()];
    and(&mut conds, &mut args, scope, "repo");
    let limit = limit.clamp(1, 100_000);
    sql.query(
        &format!(
            "SELECT repo, branch, scan_id, at, body FROM snapshots WHERE {} ORDER BY repo, branch, scan_id LIMIT {limit}",
            conds.join(" AND ")
        ),
        &args,
    )?
    .iter()
    .map(snapshot_of)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_from_the_epoch() {
        assert_eq!(days_of("1970-01-01"), Some(0));
        assert_eq!(days_of("2000-03-01T00:00:00Z"), Some(11_017));
        assert_eq!(
            days_of("2026-11-30").unwrap() - days_of("2026-10-31").unwrap(),
            30
        );
        assert_eq!(days_of("2026-13-01"), None);
        assert_eq!(days_of("soon"), None);
    }
}
