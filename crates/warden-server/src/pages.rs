//! The server-rendered pages. They share `base.html`, `macros.html` (the finding card and table) and the
//! stylesheet with `warden scan --format html` (warden_report::html); their own templates are under
//! `templates/`. No page runs a script: forms post, links get, and every form that changes something carries
//! the session's CSRF token.

use crate::api::{self, DecisionBody, FindingsQuery, TokenBody, UserBody};
use crate::auth::{self, Caller, Via, COOKIE};
use crate::{ApiError, AppState};
use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use std::net::SocketAddr;
use warden_report::html::FindingView;
use warden_store::access::Role;
use warden_store::Stored;

/// The server's own templates, by name.
pub const TEMPLATES: [(&str, &str); 12] = [
    (
        "inventory.html",
        include_str!("../templates/inventory.html"),
    ),
    (
        "assessment.html",
        include_str!("../templates/assessment.html"),
    ),
    ("page.html", include_str!("../templates/page.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("overview.html", include_str!("../templates/overview.html")),
    ("repos.html", include_str!("../templates/repos.html")),
    ("queue.html", include_str!("../templates/queue.html")),
    ("finding.html", include_str!("../templates/finding.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    ("tokens.html", include_str!("../templates/tokens.html")),
    ("users.html", include_str!("../templates/users.html")),
];

/// The report's templates and the server's.
pub fn environment() -> minijinja::Environment<'static> {
    let mut env = warden_report::html::environment();
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("templates/{name} does not compile: {e:#}"));
    }
    env.add_global("version", env!("CARGO_PKG_VERSION"));
    env
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(overview))
        .route("/static/warden.css", get(css))
        .route("/favicon.ico", get(favicon))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/repos", get(repos))
        .route("/queue", get(queue))
        .route("/findings/{id}", get(finding))
        .route("/findings/{id}/decision", post(decide))
        .route("/audit", get(audit))
        .route("/inventory", get(inventory))
        .route("/assessment", get(assessment))
        .route("/tokens", get(tokens).post(create_token))
        .route("/tokens/{id}/revoke", post(revoke_token))
        .route("/users", get(users).post(create_user))
        .route("/users/{name}/disable", post(disable_user))
}

/// Why a page is not shown.
pub enum PageError {
    /// Not signed in: to the sign-in page, then back.
    SignIn(String),
    Show {
        status: StatusCode,
        message: String,
        caller: Option<Box<Caller>>,
    },
}

impl PageError {
    fn api(e: ApiError, caller: &Caller) -> PageError {
        PageError::Show {
            status: e.status,
            message: e.message,
            caller: Some(Box::new(caller.clone())),
        }
    }
}

type PageResult = Result<Response, PageError>;

/// Runs a store call for a page; a failure becomes the page's error, shown to its caller.
async fn ask<T: Send + 'static>(
    st: &AppState,
    caller: &Caller,
    f: impl FnOnce(&mut dyn warden_store::Store) -> Result<T, warden_store::StoreError> + Send + 'static,
) -> Result<T, PageError> {
    match st.store.call(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(PageError::api(e.into(), caller)),
        Err(e) => Err(PageError::api(e.into(), caller)),
    }
}

fn me(caller: Option<&Caller>) -> Value {
    match caller {
        Some(c) => Value::from_serialize(serde_json::json!({
            "name": c.principal.name,
            "role": c.principal.role.as_str(),
        })),
        None => Value::from(()),
    }
}

/// Renders a page; a template that fails is a 500 naming it in the server's log.
fn render(
    st: &AppState,
    caller: Option<&Caller>,
    name: &str,
    active: &str,
    title: &str,
    ctx: Value,
) -> Response {
    let base = context! {
        me => me(caller),
        csrf => caller.map(|c| c.csrf().to_string()).unwrap_or_default(),
        active => active,
        title => title,
        inline_css => false,
    };
    let merged = context! { ..base, ..ctx };
    match st
        .templates
        .get_template(name)
        .and_then(|t| t.render(merged))
    {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            eprintln!("warden serve: page {name}: {e:#}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page failed to render",
            )
                .into_response()
        }
    }
}

fn finish(st: &AppState, r: PageResult) -> Response {
    match r {
        Ok(r) => r,
        Err(PageError::SignIn(next)) => {
            let to = format!(
                "/login?next={}",
                percent_encoding::utf8_percent_encode(&next, percent_encoding::NON_ALPHANUMERIC)
            );
            Redirect::to(&to).into_response()
        }
        Err(PageError::Show {
            status,
            message,
            caller,
        }) => {
            let mut r = render(
                st,
                caller.as_deref(),
                "error.html",
                "",
                status.canonical_reason().unwrap_or("Error"),
                context! { status => status.as_u16(), message => message },
            );
            *r.status_mut() = status;
            r
        }
    }
}

/// The signed-in caller of a page (a session, or a token for scripts that read pages).
async fn page_caller(st: &AppState, headers: &HeaderMap, uri: &Uri) -> Result<Caller, PageError> {
    let next = uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    match auth::identify(st, headers).await {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(PageError::SignIn(next)),
        Err(e) if e.status == StatusCode::UNAUTHORIZED => Err(PageError::SignIn(next)),
        Err(e) => Err(PageError::Show {
            status: e.status,
            message: e.message,
            caller: None,
        }),
    }
}

fn require(caller: &Caller, role: Role) -> Result<(), PageError> {
    caller.require(role).map_err(|e| PageError::api(e, caller))
}

fn check_csrf(caller: &Caller, sent: &str) -> Result<(), PageError> {
    caller
        .check_csrf(Some(sent))
        .map_err(|e| PageError::api(e, caller))
}

async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        warden_report::html::CSS,
    )
}

/// A shield, so browsers asking for an icon get one.
const FAVICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\"><path fill=\"#4b63d1\" d=\"M8 1l6 2v5c0 3.5-2.6 6-6 7-3.4-1-6-3.5-6-7V3z\"/></svg>";

async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "max-age=86400"),
        ],
        FAVICON,
    )
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

/// Only a path on this site: no scheme, no host, no `//` (an open redirect otherwise).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.into(),
        _ => "/".into(),
    }
}

async fn login_form(State(st): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    render(
        &st,
        None,
        "login.html",
        "login",
        "Sign in",
        context! { next => safe_next(q.next.as_deref()), error => () },
    )
}

#[derive(Deserialize)]
struct LoginForm {
    user: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(st): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let ip = addr.ip();
    let again = |status: StatusCode, error: &str| {
        let mut r = render(
            &st,
            None,
            "login.html",
            "login",
            "Sign in",
            context! { next => next.clone(), error => error },
        );
        *r.status_mut() = status;
        r
    };
    if !st.limiter.allowed(ip, st.settings.login_attempts) {
        return again(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many failed attempts from this address; wait a minute.",
        );
    }
    let (user, password) = (f.user.clone(), f.password);
    let now = crate::now();
    let until = crate::later(st.settings.session.as_secs());
    let result = st
        .store
        .call(move |s| -> Result<_, warden_store::StoreError> {
            match s.check_password(&user, &password)? {
                Some(u) => Ok(Some(s.start_session(&u, &now, &until)?)),
                None => Ok(None),
            }
        })
        .await;
    match result {
        Ok(Ok(Some((secret, _)))) => {
            st.limiter.succeeded(ip);
            let mut cookie = format!(
                "{COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
                st.settings.session.as_secs()
            );
            if st.settings.secure_cookies {
                cookie.push_str("; Secure");
            }
            let mut r = Redirect::to(&next).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Ok(Ok(None)) => {
            st.limiter.failed(ip);
            again(StatusCode::UNAUTHORIZED, "Wrong user name or password.")
        }
        _ => again(
            StatusCode::SERVICE_UNAVAILABLE,
            "The store is unavailable; try again.",
        ),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Ok(Some(c)) = auth::identify(&st, &headers).await {
        if let (Via::Session { secret, csrf }, true) = (&c.via, true) {
            if csrf == &f.csrf {
                let secret = secret.clone();
                let _ = st.store.call(move |s| s.end_session(&secret)).await;
            }
        }
    }
    let mut r = Redirect::to("/login").into_response();
    let mut cookie = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    if st.settings.secure_cookies {
        cookie.push_str("; Secure");
    }
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

fn pairs<K: ToString>(m: impl IntoIterator<Item = (K, i64)>) -> Vec<(String, u64)> {
    m.into_iter()
        .map(|(k, v)| (k.to_string(), v.max(0) as u64))
        .collect()
}

const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

async fn overview(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let r = async {
        let caller = page_caller(&st, &headers, &uri).await?;
        let scope = caller.principal.read_scope();
        let o = ask(&st, &caller, move |s| s.overview(&scope)).await?;
        let chain = st.chain.current(&st);
        let by_severity: Vec<(String, u64)> = SEVERITIES
            .iter()
            .map(|s| {
                (
                    s.to_string(),
                    o.by_severity.get(*s).copied().unwrap_or(0).max(0) as u64,
                )
            })
            .collect();
        let by_priority = pairs(o.by_priority.iter().map(|(p, n)| (format!("P{p}"), *n)));
        let by_domain = pairs(o.by_domain.iter().map(|(d, n)| (d.clone(), *n)));
        let trend_new = pairs(o.trend.iter().map(|d| (d.day.clone(), d.new)));
        let trend_fixed = pairs(o.trend.iter().map(|d| (d.day.clone(), d.fixed)));
        Ok(render(
            &st,
            Some(&caller),
            "overview.html",
            "overview",
            "Overview",
            context! { o, chain, by_severity, by_priority, by_domain, trend_new, trend_fixed },
        ))
    }
    .await;
    finish(&st, r)
}

async fn repos(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let r = async {
        let caller = page_caller(&st, &headers, &uri).await?;
        let scope = caller.principal.read_scope();
        let repos = ask(&st, &caller, move |s| s.repositories(&scope)).await?;
        Ok(render(
            &st,
            Some(&caller),
            "repos.html",
            "repos",
            "Repositories",
            context! { repos },
        ))
    }
    .await;
    finish(&st, r)
}

/// A stored finding as the shared templates show it.
pub fn view_of(f: &Stored) -> FindingView {
    FindingView {
        rule_id: f.rule_id.clone(),
        title: f.title.clone(),
        severity: f.severity.clone(),
        confidence: f.confidence.clone(),
        priority: f.priority.clamp(1, 4) as u8,
        priority_reasons: f.priority_reasons.clone(),
        path: f.path.clone(),
        line: f.line.max(0) as u32,
        message: f.message.clone(),
        snippet: f.snippet.clone(),
        owner: f.owner.clone(),
        context: f.context.clone(),
        fingerprint: f.fingerprint.clone(),
        state: Some(f.state.as_str().to_string()),
        url: Some(format!("/findings/{}", f.id)),
        ..Default::default()
    }
}

fn queue_link(q: &FindingsQuery, state: &str, offset: i64) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let mut parts = vec![format!("state={}", enc(state))];
    for (k, v) in [
        ("repo", &q.repo),
        ("severity", &q.severity),
        ("domain", &q.domain),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", enc(v)));
        }
    }
    parts.push(format!("offset={offset}"));
    format!("/queue?{}", parts.join("&"))
}

const QUEUE_PAGE: i64 = 50;

async fn queue(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(mut q): Query<FindingsQuery>,
) -> Response {
    let r = async {
        let caller = page_caller(&st, &headers, &uri).await?;
        let state = q
            .state
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "open".into());
        q.state = Some(state.clone());
        q.limit = Some(QUEUE_PAGE);
        let filter = q.filter().map_err(|e| PageError::api(e, &caller))?;
        let offset = filter.offset.max(0);
        let scope = caller.principal.read_scope();
        let page = ask(&st, &caller, move |s| s.queue(&scope, &filter)).await?;
        let rows: Vec<FindingView> = page.items.iter().map(view_of).collect();
        let prev = (offset > 0).then(|| queue_link(&q, &state, (offset - QUEUE_PAGE).max(0)));
        let next = (offset + QUEUE_PAGE < page.total)
            .then(|| queue_link(&q, &state, offset + QUEUE_PAGE));
        let qv = serde_json::json!({"repo": q.repo, "severity": q.severity, "domain": q.domain});
        Ok(render(
            &st,
            Some(&caller),
            "queue.html",
            "queue",
            "Triage queue",
            context! { rows, page => serde_json::json!({"total": page.total}), q => qv, state, offset, prev, next },
        ))
    }
    .await;
    finish(&st, r)
}

async fn finding(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let r = async {
        let caller = page_caller(&st, &headers, &uri).await?;
        let d = api::visible_finding(&st, &caller, &id)
            .await
            .map_err(|e| PageError::api(e, &caller))?;
        let f = view_of(&d.finding);
        Ok(render(
            &st,
            Some(&caller),
            "finding.html",
            "queue",
            &format!("{} {}", d.finding.rule_id, d.finding.path),
            context! {
                f,
                id => d.finding.id,
                repo => d.finding.repo,
                branch => d.finding.branch,
                reason => d.finding.reason,
                expires => d.finding.expires,
                history => d.history,
                can_triage => caller.principal.role >= Role::Triager,
            },
        ))
    }
    .await;
    finish(&st, r)
}

#[derive(Deserialize)]
struct DecisionForm {
    csrf: String,
    state: String,
    reason: String,
    expires: Option<String>,
}

async fn decide(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Response {
    let r = async {
        let caller = page_caller(&st, &headers, &uri).await?;
        check_csrf(&caller, &f.csrf)?;
        let body = DecisionBody {
            state: f.state,
            reason: f.reason,
            expires: f.expires,
        };
        let stored = api::apply_decision(&st, &caller, &id, body)
            .await
            .map_err(|e| PageError::api(e, &caller))?;
        Ok(Redirect::to(&format!("/findings/{}", stored.id)).into_response())
    }
    .await;
    finish(&st, r)
}

#[derive(Deserialize, Default)]
struct RepoQuery {
    repo: Option<String>,
    branch: Option<String>,
}

fn chosen<'a, T>(items: &'a [T], q: &RepoQuery, key: impl Fn(&T) -> (&str, &str)) -> Option<&'a T> {
    match &q.repo {
        Some(r) => items.iter().find(|i| {
            let (repo, branch) = key(i);
            repo == r && q.branch.as_deref().is_none_or(|b| b == branch)
        }),
        None => items.first(),
    }
}

async fn inventory(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<RepoQuery>,
) -> Response {
    let r = async {
        let caller = page_caller(&st, &headers, &uri).await?;
        let scope = caller.principal.read_scope();
        let snaps = ask(&st, &caller, move |s| {
            s.latest_snapshots(&scope, "inventory")
        })
        .await?;
        let is_ai = |a: &serde_json::Value| a["ai"].as_bool().unwrap_or(true);
        let level_of =
            |a: &serde_json::Value| a["risk"]["level"].as_str().unwrap_or("").to_string();
        let pick = chosen(&snaps, &q, |s| (s.repo.as_str(), s.branch.as_str()));
        let repos: Vec<serde_json::Value> = snaps
            .iter()
            .map(|s| {
                let assets = s.body["assets"].as_array().cloned().unwrap_or_default();
                let ai = assets.iter().filter(|a| is_ai(a)).count();
                let risky = assets
                    .iter()
                    .filter(|a| is_ai(a) && matches!(level_of(a).as_str(), "high" | "critical"))
                    .count();
                serde_json::json!({
                    "repo": s.repo, "branch": s.branch, "ai": ai, "risky": risky, "at": s.at,
                    "selected": pick.is_some_and(|p| p.scan_id == s.scan_id),
                })
            })
            .collect();
        let (graph, assets, chosen_v) = match pick {
            Some(p) => {
                let assets: Vec<serde_json::Value> = p.body["assets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|a| {
                        let loc = &a["location"];
                        let at = match (loc["path"].as_str(), loc["start_line"].as_u64()) {
                            (Some(path), Some(line)) => format!("{path}:{line}"),
                            (Some(path), None) => path.to_string(),
                            _ => String::new(),
                        };
                        serde_json::json!({
                            "kind": a["kind"], "name": a["name"], "where": at,
                            "level": level_of(a), "score": a["risk"]["score"],
                            "reasons": a["risk"]["reasons"].as_array().cloned().unwrap_or_default(),
                        })
                    })
                    .collect();
                (
                    crate::graph::svg(&p.body),
                    assets,
                    serde_json::json!({"repo": p.repo, "branch": p.branch}),
                )
            }
            None => (String::new(), vec![], serde_json::Value::Null),
        };
        Ok(render(
            &st,
            Some(&caller),
            "inventory.html",
            "inventory",
            "AI inventory",
            context! { repos, graph, assets, chosen => chosen_v },
        ))
    }
    .await;
    finish(&st, r)
}

async fn assessment(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<RepoQuery>,
) -> Response {
    let r = async {
        let caller = page_caller(&st, &headers, &uri).await?;
        let all = api::assessments(&st, &caller)
            .await
            .map_err(|e| PageError::api(e, &caller))?;
        let rows: Vec<serde_json::Value> = all
            .iter()
            .map(|a| {
                serde_json::json!({
                    "repo": a.latest.repo, "branch": a.latest.branch, "at": a.latest.at,
                    "score": a.latest.body["score"], "level": a.latest.body["level"],
                    "count": a.scores.len(),
                })
            })
            .collect();
        let pick = chosen(&all, &q, |a| {
            (a.latest.repo.as_str(), a.latest.branch.as_str())
        });
        let (chosen_v, questions, evolution) = match pick {
            Some(a) => (
                serde_json::json!({
                    "repo": a.latest.repo, "branch": a.latest.branch,
                    "score": a.latest.body["score"], "level": a.latest.body["level"],
                }),
                a.latest.body["questions"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
                a.scores
                    .iter()
                    .map(|(at, s)| (at.chars().take(10).collect::<String>(), (*s).max(0) as u64))
                    .collect::<Vec<_>>(),
            ),
            None => (serde_json::Value::Null, vec![], vec![]),
        };
        Ok(render(
            &st,
            Some(&caller),
            "assessment.html",
            "assessment",
            "Self-assessment",
            context! { rows, chosen => chosen_v, questions, evolution },
        ))
    }
    .await;
    finish(&st, r)
}

#[derive(Deserialize)]
struct AuditQuery {
    before: Option<i64>,
}

const AUDIT_PAGE: i64 = 100;

async fn audit(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<AuditQuery>,
) -> Response {
    let r = async {
        let caller = page_caller(&st, &headers, &uri).await?;
        require(&caller, Role::Admin)?;
        let chain = st
            .chain
            .check(&st)
            .await
            .map_err(|e| PageError::api(e, &caller))?;
        let before = q.before;
        let entries = ask(&st, &caller, move |s| s.audit_page(AUDIT_PAGE, before)).await?;
        let older = entries
            .last()
            .filter(|e| e.seq > 1 && entries.len() as i64 == AUDIT_PAGE)
            .map(|e| e.seq);
        Ok(render(
            &st,
            Some(&caller),
            "audit.html",
            "audit",
            "Audit log",
            context! { chain, entries, older },
        ))
    }
    .await;
    finish(&st, r)
}

async fn tokens_page(
    st: &AppState,
    caller: &Caller,
    created: Option<(String, warden_store::access::TokenInfo)>,
) -> PageResult {
    require(caller, Role::Admin)?;
    let tokens = ask(st, caller, |s| s.tokens()).await?;
    let (created_token, created) = match created {
        Some((t, i)) => (Some(t), Some(i)),
        None => (None, None),
    };
    let mut r = render(
        st,
        Some(caller),
        "tokens.html",
        "tokens",
        "API tokens",
        context! { tokens, created, created_token, now => crate::now() },
    );
    if created_token.is_some() {
        *r.status_mut() = StatusCode::CREATED;
    }
    Ok(r)
}

async fn tokens(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let r = async {
        let caller = page_caller(&st, &headers, &uri).await?;
        tokens_page(&st, &caller, None).await
    }
    .await;
    finish(&st, r)
}

#[derive(Deserialize)]
struct TokenForm {
    csrf: String,
    name: String,
    role: String,
    repositories: String,
    expires: String,
}

fn role_of(caller: &Caller, s: &str) -> Result<Role, PageError> {
    Role::parse(s)
        .ok_or_else(|| PageError::api(ApiError::bad_request(format!("unknown role `{s}`")), caller))
}

async fn create_token(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Form(f): Form<TokenForm>,
) -> Response {
    let r = async {
        let caller = page_caller(&st, &headers, &uri).await?;
        check_csrf(&caller, &f.csrf)?;
        let body = TokenBody {
            name: f.name,
            role: role_of(&caller, &f.role)?,
            repositories: f
                .repositories
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            expires: f.expires,
        };
        let created = api::make_token(&st, &caller, body)
            .await
            .map_err(|e| PageError::api(e, &caller))?;
        tokens_page(&st, &caller, Some(created)).await
    }
    .await;
    finish(&st, r)
}

async fn revoke_token(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let r = async {
        let caller = page_caller(&st, &headers, &uri).await?;
        check_csrf(&caller, &f.csrf)?;
        api::admin_action(&st, &caller, move |s, actor, at| {
            s.revoke_token(&id, actor, at)
        })
        .await
        .map_err(|e| PageError::api(e, &caller))?;
        Ok(Redirect::to("/tokens").into_response())
    }
    .await;
    finish(&st, r)
}

async fn users(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let r = async {
        let caller = page_caller(&st, &headers, &uri).await?;
        require(&caller, Role::Admin)?;
        let users = ask(&st, &caller, |s| s.users()).await?;
        Ok(render(
            &st,
            Some(&caller),
            "users.html",
            "users",
            "Users",
            context! { users },
        ))
    }
    .await;
    finish(&st, r)
}

#[derive(Deserialize)]
struct UserForm {
    csrf: String,
    name: String,
    password: String,
    role: String,
    repositories: String,
}

async fn create_user(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Form(f): Form<UserForm>,
) -> Response {
    let r = async {
        let caller = page_caller(&st, &headers, &uri).await?;
        check_csrf(&caller, &f.csrf)?;
        let body = UserBody {
            name: f.name,
            password: f.password,
            role: role_of(&caller, &f.role)?,
            repositories: f
                .repositories
                .split_whitespace()
                .map(str::to_string)
                .collect(),
        };
        api::make_user(&st, &caller, body)
            .await
            .map_err(|e| PageError::api(e, &caller))?;
        Ok(Redirect::to("/users").into_response())
    }
    .await;
    finish(&st, r)
}

async fn disable_user(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(name): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let r = async {
        let caller = page_caller(&st, &headers, &uri).await?;
        check_csrf(&caller, &f.csrf)?;
        api::admin_action(&st, &caller, move |s, actor, at| {
            s.disable_user(&name, actor, at)
        })
        .await
        .map_err(|e| PageError::api(e, &caller))?;
        Ok(Redirect::to("/users").into_response())
    }
    .await;
    finish(&st, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_next_stays_on_the_site() {
        let env = environment();
        for (name, _) in TEMPLATES {
            assert!(env.get_template(name).is_ok(), "{name}");
        }
        assert_eq!(safe_next(Some("/queue?repo=x")), "/queue?repo=x");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
