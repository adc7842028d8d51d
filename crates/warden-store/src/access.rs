//! Who may use the store through the organisation server: users (password, role, repositories), API tokens
//! (role, repositories, a required expiry) and web sessions; and uploads, recorded once per idempotency key.
//!
//! Secrets are never stored. A token is `wst_` and 48 hex digits (192 random bits), kept as its SHA-256: a
//! token that long needs no slow hash, and a lookup by hash is one index probe per request. A password is kept
//! as an argon2id PHC string; signing in as a user that does not exist still verifies against a decoy hash,
//! so the answer takes the same time. A session is `wss_` and 48 hex digits, kept as its SHA-256, with its
//! own CSRF token. Every change of access goes through the audit chain; none of the entries carries a secret.

use crate::model::{ScanDiff, ScanRecord, StoreError};
use crate::ops::{self, Tx};
use crate::sql::{Sql, Val};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a principal may do. Each role includes the ones below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads findings, inventory, assessment and the audit log of its repositories.
    Viewer,
    /// Also changes findings' states and uploads scans.
    Triager,
    /// Also manages users and tokens; sees every repository.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Triager => "triager",
            Role::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "viewer" => Role::Viewer,
            "triager" => Role::Triager,
            "admin" => Role::Admin,
            _ => return None,
        })
    }
}

/// Repositories a principal may see: exact names, or a group written as a prefix ending in `*`
/// (`github.com/acme/*`); `*` alone is every repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Scope(pub Vec<String>);

impl Scope {
    pub fn all() -> Scope {
        Scope(vec!["*".into()])
    }
    pub fn is_all(&self) -> bool {
        self.0.iter().any(|p| p == "*")
    }
    pub fn allows(&self, repo: &str) -> bool {
        self.0.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => repo.starts_with(prefix),
            None => p == repo,
        })
    }
    /// A SQL condition on `column` with its parameters numbered from `first`: true for every repository in
    /// scope (`1 = 1` for all; `1 = 0` for none).
    pub fn condition(&self, column: &str, first: usize) -> (String, Vec<Val>) {
        if self.is_all() {
            return ("1 = 1".into(), vec![]);
        }
        let (mut parts, mut args) = (Vec::new(), Vec::new());
        for p in &self.0 {
            let n = first + args.len();
            match p.strip_suffix('*') {
                Some(prefix) => {
                    parts.push(format!("substr({column}, 1, ?{n}) = ?{}", n + 1));
                    args.push(Val::Int(prefix.chars().count() as i64));
                    args.push(Val::Text(prefix.into()));
                }
                None => {
                    parts.push(format!("{column} = ?{n}"));
                    args.push(Val::Text(p.clone()));
                }
            }
        }
        if parts.is_empty() {
            return ("1 = 0".into(), vec![]);
        }
        (format!("({})", parts.join(" OR ")), args)
    }
    fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "[]".into())
    }
    fn from_json(s: &str) -> Scope {
        Scope(serde_json::from_str(s).unwrap_or_default())
    }
    /// Checks the patterns: not empty, no empty names, `*` only at the end.
    pub fn validate(&self) -> Result<(), StoreError> {
        if self.0.is_empty() {
            return Err(StoreError::Invalid(
                "a scope needs at least one repository (or `*` for all)".into(),
            ));
        }
        for p in &self.0 {
            let body = p.strip_suffix('*').unwrap_or(p);
            if (p.is_empty() || body.contains('*')) && p != "*" {
                return Err(StoreError::Invalid(format!(
                    "repository `{p}`: a name, or a prefix ending in `*`"
                )));
            }
        }
        Ok(())
    }
}

/// Who is asking: a user signed in, or an API token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The user's name, or `token:<id>` for a token.
    pub name: String,
    pub role: Role,
    pub scope: Scope,
}

impl Principal {
    /// Admins see every repository whatever their scope says.
    pub fn can_see(&self, repo: &str) -> bool {
        self.role == Role::Admin || self.scope.allows(repo)
    }
    /// The scope reads are filtered by.
    pub fn read_scope(&self) -> Scope {
        if self.role == Role::Admin {
            Scope::all()
        } else {
            self.scope.clone()
        }
    }
}

/// A token as listed: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub scope: Scope,
    pub created_by: String,
    pub created_at: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A token to create.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
    pub scope: Scope,
    /// RFC 3339 date or time; required.
    pub expires_at: String,
    pub actor: String,
    pub at: String,
}

/// A user as listed: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub name: String,
    pub role: Role,
    pub scope: Scope,
    pub created_at: String,
    pub disabled_at: Option<String>,
}

/// A signed-in session as the server sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub principal: Principal,
    /// Sent back with every form and every cookie-authenticated write.
    pub csrf: String,
    pub expires_at: String,
}

fn random_hex(bytes: usize) -> Result<String, StoreError> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b)
        .map_err(|e| StoreError::Invalid(format!("no randomness from the system: {e}")))?;
    Ok(hex::encode(b))
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The token prefix: scanners (warden's own included) can recognise a leaked warden token by it.
pub const TOKEN_PREFIX: &str = "wst_";
pub const SESSION_PREFIX: &str = "wss_";

/// What a secret of ours looks like: the prefix and 48 lowercase hex digits.
fn well_formed(secret: &str, prefix: &str) -> bool {
    secret.strip_prefix(prefix).is_some_and(|h| {
        h.len() == 48
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn token_of(r: &crate::sql::SqlRow) -> TokenInfo {
    TokenInfo {
        id: r.text(0),
        name: r.text(1),
        role: Role::parse(&r.text(2)).unwrap_or(Role::Viewer),
        scope: Scope::from_json(&r.text(3)),
        created_by: r.text(4),
        created_at: r.text(5),
        expires_at: r.text(6),
        last_used_at: r.opt_text(7),
        revoked_at: r.opt_text(8),
    }
}

const TOKEN_COLUMNS: &str =
    "id, name, role, repos, created_by, created_at, expires_at, last_used_at, revoked_at";

/// Creates a token; returns it (the only time it is ever seen) and its listing.
pub fn create_token(tx: &mut dyn Tx, t: &NewToken) -> Result<(String, TokenInfo), StoreError> {
    t.scope.validate()?;
    if !crate::model::looks_like_date(&t.expires_at) {
        return Err(StoreError::Invalid(format!(
            "expiry `{}`: expected a date like 2027-03-31",
            t.expires_at
        )));
    }
    if t.expires_at.as_str() <= t.at.as_str() {
        return Err(StoreError::Invalid(format!(
            "expiry {} is not in the future",
            t.expires_at
        )));
    }
    if t.name.trim().is_empty() {
        return Err(StoreError::Invalid("a token needs a name".into()));
    }
    let secret = format!("{TOKEN_PREFIX}{}", random_hex(24)?);
    let id = random_hex(6)?;
    tx.sql().exec(
        "INSERT INTO tokens (id, hash, name, role, repos, created_by, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        &[
            id.as_str().into(),
            sha256_hex(&secret).into(),
            t.name.as_str().into(),
            t.role.as_str().into(),
            t.scope.to_json().into(),
            t.actor.as_str().into(),
            t.at.as_str().into(),
            t.expires_at.as_str().into(),
        ],
    )?;
    ops::audit_admin(
        tx,
        &t.at,
        &t.actor,
        "token-create",
        &format!("token:{id}"),
        format!(
            "name {:?}, role {}, repositories {}, expires {}",
            t.name,
            t.role.as_str(),
            t.scope.0.join(" "),
            t.expires_at
        ),
    )?;
    let info = TokenInfo {
        id,
        name: t.name.clone(),
        role: t.role,
        scope: t.scope.clone(),
        created_by: t.actor.clone(),
        created_at: t.at.clone(),
        expires_at: t.expires_at.clone(),
        last_used_at: None,
        revoked_at: None,
    };
    Ok((secret, info))
}

/// Revokes a token by id; revoking twice is an error naming it.
pub fn revoke_token(tx: &mut dyn Tx, id: &str, actor: &str, at: &str) -> Result<(), StoreError> {
    let n = tx.sql().exec(
        "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        &[id.into(), at.into()],
    )?;
    if n == 0 {
        return Err(StoreError::Invalid(format!(
            "no active token {id} (see `warden token list`)"
        )));
    }
    ops::audit_admin(
        tx,
        at,
        actor,
        "token-revoke",
        &format!("token:{id}"),
        "revoked".into(),
    )
}

pub fn list_tokens(sql: &mut dyn Sql) -> Result<Vec<TokenInfo>, StoreError> {
    Ok(sql
        .query(
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created_at, id"),
            &[],
        )?
        .iter()
        .map(token_of)
        .collect())
}

/// The principal a token stands for, if it is ours, not revoked and not expired at `now`; notes its use (to
/// the minute, so a busy token writes at most once a minute).
pub fn authenticate(
    sql: &mut dyn Sql,
    secret: &str,
    now: &str,
) -> Result<Option<Principal>, StoreError> {
    if !well_formed(secret, TOKEN_PREFIX) {
        return Ok(None);
    }
    let Some(r) = sql.query_opt(
        &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE hash = ?1"),
        &[sha256_hex(secret).into()],
    )?
    else {
        return Ok(None);
    };
    let t = token_of(&r);
    if t.revoked_at.is_some() || t.expires_at.as_str() <= now {
        return Ok(None);
    }
    let minute: String = now.chars().take(16).collect();
    if t.last_used_at.as_deref() != Some(minute.as_str()) {
        sql.exec(
            "UPDATE tokens SET last_used_at = ?2 WHERE id = ?1",
            &[t.id.as_str().into(), minute.into()],
        )?;
    }
    Ok(Some(Principal {
        name: format!("token:{}", t.id),
        role: t.role,
        scope: t.scope,
    }))
}

/// Parameters of the password hash: argon2id with OWASP's recommended minimum (19 MiB, 2 passes).
fn hasher() -> argon2::Argon2<'static> {
    argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters"),
    )
}

fn hash_password(password: &str) -> Result<String, StoreError> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| StoreError::Invalid(format!("no randomness from the system: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Invalid(e.to_string()))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(format!("cannot hash the password: {e}")))
}

fn password_matches(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(phc).is_ok_and(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
}

/// Verified against when the user does not exist, so a wrong name costs what a wrong password costs.
fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("warden decoy password").unwrap_or_default())
}

/// Shortest password accepted (NIST SP 800-63B's minimum for a chosen password).
pub const MIN_PASSWORD: usize = 8;

fn valid_user_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with("token:")
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "._@+-".contains(c))
}

/// Adds a user; a name already taken is an error.
pub fn create_user(
    tx: &mut dyn Tx,
    info: &UserInfo,
    password: &str,
    actor: &str,
) -> Result<(), StoreError> {
    if !valid_user_name(&info.name) {
        return Err(StoreError::Invalid(format!(
            "user name `{}`: letters, digits and . _ @ + - only",
            info.name
        )));
    }
    if password.chars().count() < MIN_PASSWORD {
        return Err(StoreError::Invalid(format!(
            "a password needs at least {MIN_PASSWORD} characters"
        )));
    }
    info.scope.validate()?;
    let taken = tx
        .sql()
        .query_opt(
            "SELECT name FROM users WHERE name = ?1",
            &[info.name.as_str().into()],
        )?
        .is_some();
    if taken {
        return Err(StoreError::Invalid(format!(
            "user {} exists already",
            info.name
        )));
    }
    tx.sql().exec(
        "INSERT INTO users (name, password_hash, role, repos, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        &[
            info.name.as_str().into(),
            hash_password(password)?.into(),
            info.role.as_str().into(),
            info.scope.to_json().into(),
            info.created_at.as_str().into(),
        ],
    )?;
    ops::audit_admin(
        tx,
        &info.created_at,
        actor,
        "user-add",
        &format!("user:{}", info.name),
        format!(
            "role {}, repositories {}",
            info.role.as_str(),
            info.scope.0.join(" ")
        ),
    )
}

/// Disables a user and ends their sessions.
pub fn disable_user(tx: &mut dyn Tx, name: &str, actor: &str, at: &str) -> Result<(), StoreError> {
    let n = tx.sql().exec(
        "UPDATE users SET disabled_at = ?2 WHERE name = ?1 AND disabled_at IS NULL",
        &[name.into(), at.into()],
    )?;
    if n == 0 {
        return Err(StoreError::Invalid(format!("no active user {name}")));
    }
    tx.sql()
        .exec("DELETE FROM sessions WHERE user_name = ?1", &[name.into()])?;
    ops::audit_admin(
        tx,
        at,
        actor,
        "user-disable",
        &format!("user:{name}"),
        "disabled; sessions ended".into(),
    )
}

fn user_of(r: &crate::sql::SqlRow) -> UserInfo {
    UserInfo {
        name: r.text(0),
        role: Role::parse(&r.text(1)).unwrap_or(Role::Viewer),
        scope: Scope::from_json(&r.text(2)),
        created_at: r.text(3),
        disabled_at: r.opt_text(4),
    }
}

pub fn list_users(sql: &mut dyn Sql) -> Result<Vec<UserInfo>, StoreError> {
    Ok(sql
        .query(
            "SELECT name, role, repos, created_at, disabled_at FROM users ORDER BY name",
            &[],
        )?
        .iter()
        .map(user_of)
        .collect())
}

/// The user, when the password is theirs and they are not disabled. Takes as long for a name that does not
/// exist as for a wrong password.
pub fn check_password(
    sql: &mut dyn Sql,
    name: &str,
    password: &str,
) -> Result<Option<UserInfo>, StoreError> {
    let row = sql.query_opt(
        "SELECT name, role, repos, created_at, disabled_at, password_hash FROM users WHERE name = ?1",
        &[name.into()],
    )?;
    let (user, phc) = match &row {
        Some(r) => (Some(user_of(r)), r.text(5)),
        None => (None, decoy().to_string()),
    };
    let ok = password_matches(password, &phc);
    Ok(user.filter(|u| ok && u.disabled_at.is_none()))
}

/// Starts a session for a user who signed in; returns the cookie's value and the session.
pub fn start_session(
    sql: &mut dyn Sql,
    user: &UserInfo,
    now: &str,
    expires_at: &str,
) -> Result<(String, Session), StoreError> {
    let secret = format!("{SESSION_PREFIX}{}", random_hex(24)?);
    let csrf = random_hex(16)?;
    sql.exec(
        "INSERT INTO sessions (hash, user_name, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        &[
            sha256_hex(&secret).into(),
            user.name.as_str().into(),
            csrf.as_str().into(),
            now.into(),
            expires_at.into(),
        ],
    )?;
    // Expired sessions go when new ones start.
    sql.exec("DELETE FROM sessions WHERE expires_at <= ?1", &[now.into()])?;
    let session = Session {
        principal: Principal {
            name: user.name.clone(),
            role: user.role,
            scope: user.scope.clone(),
        },
        csrf,
        expires_at: expires_at.into(),
    };
    Ok((secret, session))
}

/// The session a cookie names, when it has not expired and its user is still enabled.
pub fn session(sql: &mut dyn Sql, secret: &str, now: &str) -> Result<Option<Session>, StoreError> {
    if !well_formed(secret, SESSION_PREFIX) {
        return Ok(None);
    }
    let row = sql.query_opt(
        "SELECT u.name, u.role, u.repos, u.created_at, u.disabled_at, s.csrf, s.expires_at
         FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.hash = ?1",
        &[sha256_hex(secret).into()],
    )?;
    Ok(row.and_then(|r| {
        let user = user_of(&r);
        let expires_at = r.text(6);
        (user.disabled_at.is_none() && expires_at.as_str() > now).then(|| Session {
            principal: Principal {
                name: user.name,
                role: user.role,
                scope: user.scope,
            },
            csrf: r.text(5),
            expires_at,
        })
    }))
}

pub fn end_session(sql: &mut dyn Sql, secret: &str) -> Result<(), StoreError> {
    sql.exec(
        "DELETE FROM sessions WHERE hash = ?1",
        &[sha256_hex(secret).into()],
    )?;
    Ok(())
}

/// What came with an uploaded scan, kept beside it: `inventory` (the AI inventory document) or `assessment`
/// (the self-assessment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub kind: String,
    pub body: serde_json::Value,
}

/// The kinds of attachment the store keeps.
pub const ATTACHMENT_KINDS: [&str; 2] = ["inventory", "assessment"];

/// Records an uploaded scan once per idempotency key: a retry with the same key gets the first answer back
/// (`true` when it is such a replay) and records nothing; the same key for another repository is refused.
pub fn record_upload(
    tx: &mut dyn Tx,
    key: &str,
    scan: &ScanRecord,
    attachments: &[Attachment],
) -> Result<(ScanDiff, bool), StoreError> {
    if let Some(a) = attachments
        .iter()
        .find(|a| !ATTACHMENT_KINDS.contains(&a.kind.as_str()))
    {
        return Err(StoreError::Invalid(format!(
            "unknown attachment `{}` (expected {})",
            a.kind,
            ATTACHMENT_KINDS.join(" or ")
        )));
    }
    if key.is_empty() || key.len() > 128 {
        return Err(StoreError::Invalid(
            "an idempotency key has 1 to 128 characters".into(),
        ));
    }
    if let Some(r) = tx.sql().query_opt(
        "SELECT repo, branch, diff FROM uploads WHERE key = ?1",
        &[key.into()],
    )? {
        if r.text(0) != scan.repo || r.text(1) != scan.branch {
            return Err(StoreError::Invalid(format!(
                "idempotency key {key} was used for another repository or branch"
            )));
        }
        let diff = serde_json::from_str(&r.text(2)).map_err(|e| StoreError::Corrupt {
            path: "uploads".into(),
            detail: format!("upload {key}: {e}"),
        })?;
        return Ok((diff, true));
    }
    let diff = ops::record_scan(tx, scan)?;
    let text = serde_json::to_string(&diff).map_err(|e| StoreError::Invalid(e.to_string()))?;
    tx.sql().exec(
        "INSERT INTO uploads (key, scan_id, repo, branch, diff, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[
            key.into(),
            diff.scan_id.into(),
            scan.repo.as_str().into(),
            scan.branch.as_str().into(),
            text.into(),
            scan.started_at.as_str().into(),
        ],
    )?;
    for a in attachments {
        tx.sql().exec(
            "INSERT INTO snapshots (scan_id, repo, branch, kind, at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[
                diff.scan_id.into(),
                scan.repo.as_str().into(),
                scan.branch.as_str().into(),
                a.kind.as_str().into(),
                scan.started_at.as_str().into(),
                a.body.to_string().into(),
            ],
        )?;
    }
    Ok((diff, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_match_names_and_groups() {
        let s = Scope(vec!["github.com/acme/api".into(), "github.com/ml/*".into()]);
        assert!(s.allows("github.com/acme/api"));
        assert!(!s.allows("github.com/acme/api2"));
        assert!(s.allows("github.com/ml/trainer"));
        assert!(!s.allows("github.com/acme/web"));
        assert!(Scope::all().allows("anything"));
        assert!(Scope(vec!["a*b".into()]).validate().is_err());
        assert!(Scope(vec![]).validate().is_err());
    }

    #[test]
    fn only_our_shapes_are_looked_up() {
        assert!(well_formed(
            &format!("wst_{}", "ab".repeat(24)),
            TOKEN_PREFIX
        ));
        assert!(!well_formed(
            &format!("wst_{}", "AB".repeat(24)),
            TOKEN_PREFIX
        ));
        assert!(!well_formed("wst_short", TOKEN_PREFIX));
        assert!(!well_formed(
            &format!("wss_{}", "ab".repeat(24)),
            TOKEN_PREFIX
        ));
    }

    #[test]
    fn a_password_verifies_and_a_wrong_one_does_not() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(password_matches("correct horse", &h));
        assert!(!password_matches("correct horsf", &h));
        assert!(!password_matches("anything", "not a phc string"));
    }
}
