//! The JSON API, `/api/v1/…`, as `data/openapi.json` describes it.

use crate::auth::{Caller, CSRF_HEADER};
use crate::{ApiError, AppState};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use warden_store::access::{NewToken, Role, Scope, UserInfo};
use warden_store::audit::{self, Entry};
use warden_store::dash::QueueFilter;
use warden_store::{Decision, State as FindingState, Stored};

/// The API's description, served at `/api/v1/openapi.json` and checked against the routes by a test.
pub const OPENAPI: &str = include_str!("../data/openapi.json");

pub fn routes(max_upload: usize) -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route(
            "/api/v1/openapi.json",
            get(|| async { ([("content-type", "application/json")], OPENAPI) }),
        )
        .route("/api/v1/whoami", get(whoami))
        .route("/api/v1/overview", get(overview))
        .route("/api/v1/repositories", get(repositories))
        .route("/api/v1/findings", get(findings))
        .route("/api/v1/findings/{id}", get(finding))
        .route("/api/v1/findings/{id}/decision", post(decide))
        .route("/api/v1/audit", get(audit_log))
        .route("/api/v1/inventory", get(inventory))
        .route("/api/v1/assessment", get(assessment))
        .route("/api/v1/tokens", get(tokens).post(create_token))
        .route("/api/v1/tokens/{id}", delete(revoke_token))
        .route("/api/v1/users", get(users).post(create_user))
        .route("/api/v1/users/{name}/disable", post(disable_user))
        .route(
            "/api/v1/scans",
            post(upload).layer(DefaultBodyLimit::max(max_upload)),
        )
}

type ApiResult<T> = Result<T, ApiError>;

fn csrf_of(headers: &HeaderMap) -> Option<&str> {
    headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok())
}

#[derive(Serialize)]
struct WhoAmI {
    name: String,
    role: Role,
    repositories: Scope,
    /// For a session: the CSRF token its writes carry.
    #[serde(skip_serializing_if = "Option::is_none")]
    csrf: Option<String>,
}

async fn whoami(caller: Caller) -> Json<WhoAmI> {
    let csrf = Some(caller.csrf().to_string()).filter(|c| !c.is_empty());
    Json(WhoAmI {
        name: caller.principal.name,
        role: caller.principal.role,
        repositories: caller.principal.scope,
        csrf,
    })
}

async fn overview(
    State(st): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<warden_store::dash::Overview>> {
    let scope = caller.principal.read_scope();
    Ok(Json(st.store.call(move |s| s.overview(&scope)).await??))
}

async fn repositories(
    State(st): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<warden_store::dash::RepoRow>>> {
    let scope = caller.principal.read_scope();
    Ok(Json(st.store.call(move |s| s.repositories(&scope)).await??))
}

/// Query of the findings list.
#[derive(Debug, Default, Deserialize)]
pub struct FindingsQuery {
    pub repo: Option<String>,
    pub severity: Option<String>,
    pub domain: Option<String>,
    /// Comma-separated states (default: open).
    pub state: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl FindingsQuery {
    pub fn filter(&self) -> ApiResult<QueueFilter> {
        let states = match &self.state {
            None => vec![],
            Some(s) => s
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    FindingState::parse(s.trim())
                        .ok_or_else(|| ApiError::bad_request(format!("unknown state `{s}`")))
                })
                .collect::<ApiResult<_>>()?,
        };
        let nonempty = |o: &Option<String>| o.clone().filter(|s| !s.is_empty());
        Ok(QueueFilter {
            repo: nonempty(&self.repo),
            severity: nonempty(&self.severity),
            domain: nonempty(&self.domain),
            states,
            limit: self.limit.unwrap_or(50),
            offset: self.offset.unwrap_or(0),
        })
    }
}

async fn findings(
    State(st): State<AppState>,
    caller: Caller,
    Query(q): Query<FindingsQuery>,
) -> ApiResult<Json<warden_store::dash::Page<Stored>>> {
    let filter = q.filter()?;
    let scope = caller.principal.read_scope();
    Ok(Json(
        st.store.call(move |s| s.queue(&scope, &filter)).await??,
    ))
}

async fn inventory(
    State(st): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<warden_store::dash::Snapshot>>> {
    let scope = caller.principal.read_scope();
    Ok(Json(
        st.store
            .call(move |s| s.latest_snapshots(&scope, "inventory"))
            .await??,
    ))
}

/// Each repository's latest self-assessment, with the score of every assessment before it.
#[derive(Serialize)]
pub struct AssessmentRow {
    #[serde(flatten)]
    pub latest: warden_store::dash::Snapshot,
    /// `[scan time, score]`, oldest first.
    pub scores: Vec<(String, i64)>,
}

/// How many past assessments the evolution reads, across the caller's repositories.
const ASSESSMENT_HISTORY: i64 = 20_000;

pub async fn assessments(st: &AppState, caller: &Caller) -> ApiResult<Vec<AssessmentRow>> {
    let scope = caller.principal.read_scope();
    let (latest, history) = st
        .store
        .call(move |s| -> Result<_, warden_store::StoreError> {
            Ok((
                s.latest_snapshots(&scope, "assessment")?,
                s.snapshot_history(&scope, "assessment", ASSESSMENT_HISTORY)?,
            ))
        })
        .await??;
    Ok(latest
        .into_iter()
        .map(|l| {
            let scores = history
                .iter()
                .filter(|h| h.repo == l.repo && h.branch == l.branch)
                .map(|h| (h.at.clone(), h.body["score"].as_i64().unwrap_or(0)))
                .collect();
            AssessmentRow { latest: l, scores }
        })
        .collect())
}

async fn assessment(
    State(st): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<AssessmentRow>>> {
    Ok(Json(assessments(&st, &caller).await?))
}

/// A finding with its audit history.
#[derive(Serialize)]
pub struct FindingDetail {
    #[serde(flatten)]
    pub finding: Stored,
    pub history: Vec<Entry>,
}

/// A finding the caller may see; any other id is "not found", so that existence does not leak.
async fn visible(st: &AppState, caller: &Caller, id: &str) -> ApiResult<Stored> {
    let not_found = || ApiError::not_found(format!("no finding {id}"));
    let n: i64 = id.parse().map_err(|_| not_found())?;
    match st.store.call(move |s| s.finding_by_id(n)).await?? {
        Some(f) if caller.principal.can_see(&f.repo) => Ok(f),
        _ => Err(not_found()),
    }
}

/// A visible finding with its audit history.
pub async fn visible_finding(st: &AppState, caller: &Caller, id: &str) -> ApiResult<FindingDetail> {
    let finding = visible(st, caller, id).await?;
    let fp = finding.fingerprint.clone();
    let history = st.store.call(move |s| s.history(&fp)).await??;
    Ok(FindingDetail { finding, history })
}

async fn finding(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<FindingDetail>> {
    Ok(Json(visible_finding(&st, &caller, &id).await?))
}

/// A triage decision.
#[derive(Debug, Deserialize)]
pub struct DecisionBody {
    /// `confirmed`, `false-positive`, `accepted-risk` (needs `expires`) or `open`.
    pub state: String,
    pub reason: String,
    pub expires: Option<String>,
}

/// Applies a decision to a finding the caller may see and change.
pub async fn apply_decision(
    st: &AppState,
    caller: &Caller,
    id: &str,
    body: DecisionBody,
) -> ApiResult<Stored> {
    caller.require(Role::Triager)?;
    let finding = visible(st, caller, id).await?;
    let to = FindingState::parse(&body.state)
        .ok_or_else(|| ApiError::bad_request(format!("unknown state `{}`", body.state)))?;
    let d = Decision {
        finding: finding.id.to_string(),
        to,
        reason: body.reason,
        expires: body.expires.filter(|e| !e.is_empty()),
        actor: caller.actor(),
        at: crate::now(),
    };
    Ok(st.store.call(move |s| s.decide(&d)).await??)
}

async fn decide(
    State(st): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<DecisionBody>,
) -> ApiResult<Json<Stored>> {
    caller.check_csrf(csrf_of(&headers))?;
    Ok(Json(apply_decision(&st, &caller, &id, body).await?))
}

/// Where the audit verifier stopped: it checks only what was appended since its last look.
#[derive(Default)]
pub struct ChainStatus {
    state: Mutex<Verified>,
    /// A background check is under way.
    running: std::sync::atomic::AtomicBool,
}

/// The audit chain's status as the pages and the API show it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verified {
    /// Entries checked, from the first.
    pub entries: i64,
    /// The first broken entry, with why; `None` while the chain holds.
    pub broken: Option<String>,
    pub checked_at: String,
    /// A check is under way: entries appended since `checked_at` are not counted yet.
    pub checking: bool,
    #[serde(skip)]
    last: Option<Entry>,
}

impl ChainStatus {
    /// What the last check found, at once; starts a check in the background when none is running, so a page
    /// never waits on the chain (the first check after a start reads the whole log).
    pub fn current(self: &std::sync::Arc<Self>, st: &AppState) -> Verified {
        use std::sync::atomic::Ordering;
        let mut v = self.state.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if !self.running.swap(true, Ordering::SeqCst) {
            let (me, st) = (std::sync::Arc::clone(self), st.clone());
            tokio::spawn(async move {
                let _ = me.check(&st).await;
                me.running.store(false, Ordering::SeqCst);
            });
        }
        v.checking = self.running.load(Ordering::SeqCst);
        v
    }

    /// Checks the entries appended since the last call; a break is kept (it does not heal).
    pub async fn check(&self, st: &AppState) -> ApiResult<Verified> {
        let mut v = self.state.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if v.broken.is_none() {
            loop {
                let after = v.last.as_ref().map_or(0, |e| e.seq);
                let batch = st
                    .store
                    .call(move |s| s.audit_after(after, 10_000))
                    .await??;
                if batch.is_empty() {
                    break;
                }
                for e in batch {
                    let expected = v.last.as_ref().map_or(1, |p| p.seq + 1);
                    let prev_hash = v.last.as_ref().map_or(audit::GENESIS, |p| p.hash.as_str());
                    let why = if e.seq != expected {
                        Some(format!(
                            "entry {}: expected sequence number {expected}",
                            e.seq
                        ))
                    } else if e.prev_hash != prev_hash {
                        Some(format!(
                            "entry {}: not linked to entry {}",
                            e.seq,
                            expected - 1
                        ))
                    } else if audit::hash_of(&e) != e.hash {
                        Some(format!("entry {}: edited after it was written", e.seq))
                    } else {
                        None
                    };
                    if why.is_some() {
                        v.broken = why;
                        break;
                    }
                    v.entries += 1;
                    v.last = Some(e);
                }
                if v.broken.is_some() {
                    break;
                }
            }
        }
        v.checked_at = crate::now();
        let mut shared = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if v.entries >= shared.entries || v.broken.is_some() {
            *shared = v.clone();
        }
        Ok(v)
    }
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<i64>,
    before: Option<i64>,
}

#[derive(Serialize)]
struct AuditPage {
    verified: Verified,
    entries: Vec<Entry>,
}

async fn audit_log(
    State(st): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    // The log names every repository's findings: admins only.
    caller.require(Role::Admin)?;
    let verified = st.chain.check(&st).await?;
    let (limit, before) = (q.limit.unwrap_or(100), q.before);
    let entries = st
        .store
        .call(move |s| s.audit_page(limit, before))
        .await??;
    Ok(Json(AuditPage { verified, entries }))
}

async fn tokens(
    State(st): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<warden_store::access::TokenInfo>>> {
    caller.require(Role::Admin)?;
    Ok(Json(st.store.call(|s| s.tokens()).await??))
}

/// A token to create.
#[derive(Debug, Deserialize)]
pub struct TokenBody {
    pub name: String,
    pub role: Role,
    /// Repository names or `prefix*` groups (default: all).
    #[serde(default)]
    pub repositories: Vec<String>,
    /// A date (`2027-03-31`) or a duration from now (`30d`, `12h`); required.
    pub expires: String,
}

/// `30d`, `12h`, `90m` from now, or a date as given.
pub fn expiry(s: &str) -> ApiResult<String> {
    let s = s.trim();
    let unit = match s.chars().last() {
        Some('d') => 86_400,
        Some('h') => 3_600,
        Some('m') => 60,
        _ => {
            return if warden_store::looks_like_date(s) {
                Ok(s.to_string())
            } else {
                Err(ApiError::bad_request(format!(
                    "expiry `{s}`: a date like 2027-03-31, or 30d / 12h"
                )))
            }
        }
    };
    let n: u64 = s[..s.len() - 1]
        .parse()
        .ok()
        .filter(|n| *n > 0 && *n <= 3650 * 24 * 60)
        .ok_or_else(|| ApiError::bad_request(format!("expiry `{s}`: a positive number first")))?;
    Ok(crate::later(n * unit))
}

pub async fn make_token(
    st: &AppState,
    caller: &Caller,
    body: TokenBody,
) -> ApiResult<(String, warden_store::access::TokenInfo)> {
    caller.require(Role::Admin)?;
    let t = NewToken {
        name: body.name,
        role: body.role,
        scope: if body.repositories.is_empty() {
            Scope::all()
        } else {
            Scope(body.repositories)
        },
        expires_at: expiry(&body.expires)?,
        actor: caller.actor(),
        at: crate::now(),
    };
    Ok(st.store.call(move |s| s.create_token(&t)).await??)
}

#[derive(Serialize)]
struct CreatedToken {
    /// Shown once: the server keeps only its hash.
    token: String,
    #[serde(flatten)]
    info: warden_store::access::TokenInfo,
}

async fn create_token(
    State(st): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(body): Json<TokenBody>,
) -> ApiResult<impl IntoResponse> {
    caller.check_csrf(csrf_of(&headers))?;
    let (token, info) = make_token(&st, &caller, body).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, info })))
}

/// An admin's change of access (revoke a token, disable a user): `f` gets the store, the caller's audit name
/// and the time. The caller's CSRF token, if a session's, was checked by the route.
pub async fn admin_action(
    st: &AppState,
    caller: &Caller,
    f: impl FnOnce(&mut dyn warden_store::Store, &str, &str) -> Result<(), warden_store::StoreError>
        + Send
        + 'static,
) -> ApiResult<()> {
    caller.require(Role::Admin)?;
    let (actor, at) = (caller.actor(), crate::now());
    Ok(st.store.call(move |s| f(s, &actor, &at)).await??)
}

async fn revoke_token(
    State(st): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.check_csrf(csrf_of(&headers))?;
    admin_action(&st, &caller, move |s, actor, at| {
        s.revoke_token(&id, actor, at)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn users(State(st): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<UserInfo>>> {
    caller.require(Role::Admin)?;
    Ok(Json(st.store.call(|s| s.users()).await??))
}

/// A user to add.
#[derive(Debug, Deserialize)]
pub struct UserBody {
    pub name: String,
    pub password: String,
    pub role: Role,
    #[serde(default)]
    pub repositories: Vec<String>,
}

pub async fn make_user(st: &AppState, caller: &Caller, body: UserBody) -> ApiResult<UserInfo> {
    caller.require(Role::Admin)?;
    let info = UserInfo {
        name: body.name,
        role: body.role,
        scope: if body.repositories.is_empty() {
            Scope::all()
        } else {
            Scope(body.repositories)
        },
        created_at: crate::now(),
        disabled_at: None,
    };
    let (i2, actor) = (info.clone(), caller.actor());
    st.store
        .call(move |s| s.create_user(&i2, &body.password, &actor))
        .await??;
    Ok(info)
}

async fn create_user(
    State(st): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(body): Json<UserBody>,
) -> ApiResult<impl IntoResponse> {
    caller.check_csrf(csrf_of(&headers))?;
    let info = make_user(&st, &caller, body).await?;
    Ok((StatusCode::CREATED, Json(info)))
}

async fn disable_user(
    State(st): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    caller.check_csrf(csrf_of(&headers))?;
    admin_action(&st, &caller, move |s, actor, at| {
        s.disable_user(&name, actor, at)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What an upload recorded.
#[derive(Debug, Serialize, Deserialize)]
pub struct UploadResult {
    pub scan_id: i64,
    pub repo: String,
    pub branch: String,
    pub new: usize,
    pub unchanged: usize,
    pub reopened: usize,
    pub fixed: usize,
    /// The same idempotency key was recorded before: nothing was written again.
    pub replayed: bool,
}

async fn upload(
    State(st): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(target): Query<crate::import::Target>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<UploadResult>)> {
    caller.check_csrf(csrf_of(&headers))?;
    caller.require(Role::Triager)?;
    let sent_key = match headers.get("idempotency-key") {
        Some(k) => Some(
            k.to_str()
                .map_err(|_| ApiError::bad_request("Idempotency-Key is not text"))?
                .to_string(),
        ),
        None => None,
    };
    let body_digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&body))
    };
    let actor = caller.actor();
    let upload = tokio::task::spawn_blocking(move || crate::import::parse(&body, &target, &actor))
        .await
        .map_err(|_| ApiError::bad_request("the body could not be read"))?
        .map_err(|r| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_report", r.0))?;
    let (scan, attachments) = (upload.scan, upload.attachments);
    if !caller.principal.can_see(&scan.repo) {
        return Err(ApiError::forbidden(format!(
            "this token or user may not write to {}",
            scan.repo
        )));
    }
    let (repo, branch) = (scan.repo.clone(), scan.branch.clone());
    // Without a key, the body and where it goes are one: resending the same report records it once.
    let key = sent_key.unwrap_or_else(|| {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for part in [repo.as_str(), branch.as_str(), body_digest.as_str()] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        format!("sha256:{}", hex::encode(h.finalize()))
    });
    let (diff, replayed) = st
        .store
        .call(move |s| s.record_upload(&key, &scan, &attachments))
        .await??;
    let status = if replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(UploadResult {
            scan_id: diff.scan_id,
            repo,
            branch,
            new: diff.new.len(),
            unchanged: diff.unchanged.len(),
            reopened: diff.reopened.len(),
            fixed: diff.fixed.len(),
            replayed,
        }),
    ))
}
