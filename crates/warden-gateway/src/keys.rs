//! Client keys: what applications present to the gateway instead of the provider's key. A key is shown once,
//! when it is created; the store (SQLite) keeps its SHA-256 only, with its scope (models), expiry, request rate
//! and token budget. The gateway loads the keys at start and again whenever the file changes, so a revocation
//! takes effect within seconds without a restart.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

/// The prefix every client key starts with (so secret scanners, warden's own included, can recognise one).
pub const PREFIX: &str = "wgk_";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRecord {
    /// Public id (`k_…`), shown in lists and logs.
    pub id: String,
    pub name: String,
    /// Models the key may use; empty: any.
    pub models: Vec<String>,
    /// Tools (function names) the model may call for this key; empty: any. A response that calls another is
    /// refused (excessive agency stopped at run time).
    pub tools: Vec<String>,
    /// Seconds since the epoch; `None`: no expiry.
    pub expires_at: Option<i64>,
    pub revoked: bool,
    /// Requests per minute; `None`: no limit.
    pub rpm: Option<u32>,
    /// Tokens (prompt and completion) the key may use in all; `None`: no budget.
    pub token_budget: Option<u64>,
    pub tokens_used: u64,
    pub created_at: i64,
}

fn hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

fn open(path: &Path) -> Result<Connection, String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let c = Connection::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    c.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    c.execute_batch(
        "CREATE TABLE IF NOT EXISTS gateway_keys (
            id TEXT PRIMARY KEY,
            hash BLOB NOT NULL UNIQUE,
            name TEXT NOT NULL,
            models TEXT NOT NULL,
            tools TEXT NOT NULL DEFAULT '[]',
            expires_at INTEGER,
            revoked INTEGER NOT NULL DEFAULT 0,
            rpm INTEGER,
            token_budget INTEGER,
            tokens_used INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL
        );",
    )
    .map_err(|e| format!("{}: not a gateway key store: {e}", path.display()))?;
    Ok(c)
}

fn now() -> i64 {
    warden_core::time::now()
}

fn random_hex(bytes: usize) -> Result<String, String> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).map_err(|e| format!("no randomness: {e}"))?;
    Ok(hex::encode(b))
}

/// What `create` takes.
pub struct NewKey<'a> {
    pub name: &'a str,
    pub models: Vec<String>,
    pub tools: Vec<String>,
    pub expires_at: Option<i64>,
    pub rpm: Option<u32>,
    pub token_budget: Option<u64>,
}

/// Creates a key; returns its record and the key itself (the only time it exists outside the client).
pub fn create(path: &Path, k: NewKey) -> Result<(KeyRecord, String), String> {
    let c = open(path)?;
    let id = format!("k_{}", random_hex(6)?);
    let key = format!("{PREFIX}{}", random_hex(24)?);
    let created_at = now();
    c.execute(
        "INSERT INTO gateway_keys (id, hash, name, models, expires_at, rpm, token_budget, created_at, tools)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            hash(&key),
            k.name,
            serde_json::to_string(&k.models).unwrap_or_else(|_| "[]".into()),
            k.expires_at,
            k.rpm,
            k.token_budget.map(|b| b as i64),
            created_at,
            serde_json::to_string(&k.tools).unwrap_or_else(|_| "[]".into())
        ],
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((
        KeyRecord {
            id,
            name: k.name.to_string(),
            models: k.models,
            tools: k.tools,
            expires_at: k.expires_at,
            revoked: false,
            rpm: k.rpm,
            token_budget: k.token_budget,
            tokens_used: 0,
            created_at,
        },
        key,
    ))
}

fn record(row: &rusqlite::Row) -> rusqlite::Result<(Vec<u8>, KeyRecord)> {
    let models: String = row.get(3)?;
    Ok((
        row.get(1)?,
        KeyRecord {
            id: row.get(0)?,
            name: row.get(2)?,
            models: serde_json::from_str(&models).unwrap_or_default(),
            tools: serde_json::from_str(&row.get::<_, String>(10)?).unwrap_or_default(),
            expires_at: row.get(4)?,
            revoked: row.get::<_, i64>(5)? != 0,
            rpm: row.get(6)?,
            token_budget: row.get::<_, Option<i64>>(7)?.map(|b| b.max(0) as u64),
            tokens_used: row.get::<_, i64>(8)?.max(0) as u64,
            created_at: row.get(9)?,
        },
    ))
}

/// Every key with its hash, oldest first.
fn records(c: &Connection) -> Result<Vec<(Vec<u8>, KeyRecord)>, String> {
    let mut st = c
        .prepare("SELECT id, hash, name, models, expires_at, revoked, rpm, token_budget, tokens_used, created_at, tools FROM gateway_keys ORDER BY created_at, id")
        .map_err(|e| e.to_string())?;
    let rows = st
        .query_map([], record)
        .map_err(|e| e.to_string())?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    Ok(rows)
}

pub fn list(path: &Path) -> Result<Vec<KeyRecord>, String> {
    let c = open(path)?;
    Ok(records(&c)?.into_iter().map(|(_, r)| r).collect())
}

/// Revokes a key by id; `false` when there is no such key.
pub fn revoke(path: &Path, id: &str) -> Result<bool, String> {
    let c = open(path)?;
    let n = c
        .execute(
            "UPDATE gateway_keys SET revoked = 1 WHERE id = ?1",
            params![id],
        )
        .map_err(|e| e.to_string())?;
    Ok(n > 0)
}

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    Unknown,
    Revoked,
    Expired,
    Model(String),
    RateLimited,
    BudgetSpent,
}

impl Refusal {
    /// HTTP status, error code and message, OpenAI-style.
    pub fn describe(&self) -> (u16, &'static str, String) {
        match self {
            Refusal::Missing => (
                401,
                "missing_key",
                "a gateway key is required (Authorization: Bearer wgk_…)".into(),
            ),
            Refusal::Unknown => (401, "invalid_key", "the gateway key is not valid".into()),
            Refusal::Revoked => (401, "revoked_key", "the gateway key was revoked".into()),
            Refusal::Expired => (401, "expired_key", "the gateway key has expired".into()),
            Refusal::Model(m) => (
                403,
                "model_not_allowed",
                format!("this key may not use the model `{m}`"),
            ),
            Refusal::RateLimited => (
                429,
                "rate_limited",
                "too many requests for this key; retry in a minute".into(),
            ),
            Refusal::BudgetSpent => (
                429,
                "budget_exhausted",
                "this key's token budget is spent".into(),
            ),
        }
    }
}

/// The keys a running gateway checks against: loaded from the store, reloaded when the file changes; request
/// rates counted in memory; token use written back.
pub struct Keys {
    path: PathBuf,
    state: Mutex<State>,
}

struct State {
    by_hash: HashMap<Vec<u8>, KeyRecord>,
    modified: Option<SystemTime>,
    checked: Instant,
    /// Per key id: the start of the current minute window and the requests in it.
    windows: HashMap<String, (Instant, u32)>,
}

impl Keys {
    pub fn open(path: &Path) -> Result<Keys, String> {
        let keys = Keys {
            path: path.to_path_buf(),
            state: Mutex::new(State {
                by_hash: HashMap::new(),
                modified: None,
                checked: Instant::now(),
                windows: HashMap::new(),
            }),
        };
        keys.reload(true)?;
        Ok(keys)
    }

    /// Whether any key exists (without keys, the gateway serves loopback clients only).
    pub fn any(&self) -> bool {
        self.state
            .lock()
            .map(|s| !s.by_hash.is_empty())
            .unwrap_or(false)
    }

    fn reload(&self, force: bool) -> Result<(), String> {
        let modified = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok();
        {
            let Ok(mut s) = self.state.lock() else {
                return Ok(());
            };
            if !force && (s.checked.elapsed().as_secs() < 2 || s.modified == modified) {
                s.checked = Instant::now();
                return Ok(());
            }
            s.checked = Instant::now();
        }
        let rows = records(&open(&self.path)?)?;
        if let Ok(mut s) = self.state.lock() {
            s.by_hash = rows.into_iter().collect();
            s.modified = modified;
        }
        Ok(())
    }

    /// Checks a presented key for a model; on success, the key's record (and one request counted).
    pub fn check(
        &self,
        presented: Option<&str>,
        model: Option<&str>,
    ) -> Result<KeyRecord, Refusal> {
        let _ = self.reload(false);
        let presented = presented.ok_or(Refusal::Missing)?;
        let h = hash(presented);
        let mut s = self.state.lock().map_err(|_| Refusal::Unknown)?;
        let rec = s.by_hash.get(&h).cloned().ok_or(Refusal::Unknown)?;
        if rec.revoked {
            return Err(Refusal::Revoked);
        }
        if rec.expires_at.is_some_and(|e| e <= now()) {
            return Err(Refusal::Expired);
        }
        if let Some(m) = model {
            if !rec.models.is_empty() && !rec.models.iter().any(|x| x == m) {
                return Err(Refusal::Model(m.to_string()));
            }
        }
        if rec.token_budget.is_some_and(|b| rec.tokens_used >= b) {
            return Err(Refusal::BudgetSpent);
        }
        if let Some(rpm) = rec.rpm {
            let w = s
                .windows
                .entry(rec.id.clone())
                .or_insert((Instant::now(), 0));
            if w.0.elapsed().as_secs() >= 60 {
                *w = (Instant::now(), 0);
            }
            if w.1 >= rpm {
                return Err(Refusal::RateLimited);
            }
            w.1 += 1;
        }
        Ok(rec)
    }

    /// Adds tokens a request used to its key (in memory at once, in the store too).
    pub fn spend(&self, id: &str, tokens: u64) {
        if tokens == 0 {
            return;
        }
        if let Ok(mut s) = self.state.lock() {
            for r in s.by_hash.values_mut().filter(|r| r.id == id) {
                r.tokens_used += tokens;
            }
        }
        if let Ok(c) = open(&self.path) {
            let _ = c.execute(
                "UPDATE gateway_keys SET tokens_used = tokens_used + ?1 WHERE id = ?2",
                params![tokens as i64, id],
            );
            // Our own write is not a change to reload for.
            if let Ok(mut s) = self.state.lock() {
                s.modified = std::fs::metadata(&self.path)
                    .and_then(|m| m.modified())
                    .ok();
            }
        }
    }
}

/// The key a request presents: `Authorization: Bearer …` (OpenAI), `x-api-key` (Anthropic) or `api-key` (Azure).
pub fn presented(headers: &hyper::HeaderMap) -> Option<String> {
    if let Some(v) = headers.get("authorization").and_then(|v| v.to_str().ok()) {
        if let Some(k) = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
        {
            return Some(k.trim().to_string());
        }
    }
    for h in ["x-api-key", "api-key"] {
        if let Some(v) = headers.get(h).and_then(|v| v.to_str().ok()) {
            return Some(v.trim().to_string());
        }
    }
    None
}

/// Looks up a key record by id (for `keys list` and tests).
pub fn find(path: &Path, id: &str) -> Result<Option<KeyRecord>, String> {
    let c = open(path)?;
    c.query_row(
        "SELECT id, hash, name, models, expires_at, revoked, rpm, token_budget, tokens_used, created_at, tools FROM gateway_keys WHERE id = ?1",
        params![id],
        record,
    )
    .optional()
    .map(|r| r.map(|(_, k)| k))
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_for_scope_expiry_revocation_rate_and_budget() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("keys.db");
        let (rec, key) = create(
            &db,
            NewKey {
                name: "app",
                models: vec!["gpt-4o-mini".into()],
                tools: vec![],
                expires_at: None,
                rpm: Some(2),
                token_budget: Some(100),
            },
        )
        .unwrap();
        assert!(key.starts_with(PREFIX) && key.len() == PREFIX.len() + 48);
        let keys = Keys::open(&db).unwrap();
        assert!(keys.any());
        assert_eq!(
            keys.check(Some(&key), Some("gpt-4o-mini")).unwrap().id,
            rec.id
        );
        assert_eq!(
            keys.check(Some(&key), Some("gpt-4o")),
            Err(Refusal::Model("gpt-4o".into()))
        );
        assert_eq!(keys.check(Some("wgk_nope"), None), Err(Refusal::Unknown));
        assert_eq!(keys.check(None, None), Err(Refusal::Missing));
        // The rate: two per minute, one used above.
        assert!(keys.check(Some(&key), None).is_ok());
        assert_eq!(keys.check(Some(&key), None), Err(Refusal::RateLimited));
        // The budget, persisted.
        keys.spend(&rec.id, 150);
        assert_eq!(find(&db, &rec.id).unwrap().unwrap().tokens_used, 150);
        let (_, other) = create(
            &db,
            NewKey {
                name: "old",
                models: vec![],
                tools: vec![],
                expires_at: Some(now() - 1),
                rpm: None,
                token_budget: None,
            },
        )
        .unwrap();
        let keys = Keys::open(&db).unwrap();
        assert_eq!(keys.check(Some(&key), None), Err(Refusal::BudgetSpent));
        assert_eq!(keys.check(Some(&other), None), Err(Refusal::Expired));
        assert!(revoke(&db, &rec.id).unwrap());
        assert!(!revoke(&db, "k_missing").unwrap());
        let keys = Keys::open(&db).unwrap();
        assert_eq!(keys.check(Some(&key), None), Err(Refusal::Revoked));
        // Only hashes are stored.
        let raw = std::fs::read(&db).unwrap();
        assert!(!raw.windows(key.len()).any(|w| w == key.as_bytes()));
    }
}
