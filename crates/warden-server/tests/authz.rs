//! The server as its users meet it, on SQLite and on PostgreSQL: every route × every role (allowed, or
//! 401/403 as designed), the OpenAPI document against the routes, scopes, CSRF, token expiry and revocation,
//! upload idempotence, the sign-in limiter, security headers and the pages.

mod support;

use reqwest::blocking::{Client, Response};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use warden_store::access::{NewToken, Role, Scope, UserInfo};
use warden_store::{FindingRecord, ScanRecord, Store};

fn start(stores: Vec<Box<dyn Store + Send>>) -> String {
    support::start(
        stores,
        warden_server::Settings {
            max_upload: 1 << 20,
            ..Default::default()
        },
    )
}

fn finding(fp: &str, rule: &str, severity: &str) -> FindingRecord {
    FindingRecord {
        fingerprint: fp.into(),
        content_key: format!("c{fp}"),
        line_key: format!("l{fp}"),
        rule_id: rule.into(),
        title: "Title".into(),
        severity: severity.into(),
        confidence: "high".into(),
        path: format!("src/{fp}.py"),
        line: 7,
        message: "<script>alert(1)</script> in a message".into(),
        snippet: "key = AKIA****".into(),
        secret_hash: None,
        priority: 1,
        priority_reasons: vec!["critical severity".into()],
        owner: Some("@acme/platform".into()),
        context: Some(json!({"exposure": "public"})),
    }
}

fn scan(repo: &str, findings: Vec<FindingRecord>) -> ScanRecord {
    ScanRecord {
        repo: repo.into(),
        branch: "main".into(),
        started_at: "2026-11-20T10:00:00Z".into(),
        head_commit: Some("0123456789abcdef".into()),
        tool_version: "0.1.0".into(),
        rules_version: "r1".into(),
        actor: "ci".into(),
        findings,
    }
}

const A: &str = "github.com/acme/api";
const B: &str = "github.com/ml/trainer";

struct Fixture {
    base: String,
    admin: String,
    triager: String,
    viewer: String,
    /// A triager who sees repository A only.
    scoped: String,
    expired: String,
    /// Store ids of a finding in A and one in B.
    in_a: i64,
    in_b: i64,
}

fn token(s: &mut dyn Store, role: Role, scope: Scope, at: &str, expires: &str) -> String {
    s.create_token(&NewToken {
        name: format!("{} token", role.as_str()),
        role,
        scope,
        expires_at: expires.into(),
        actor: "setup".into(),
        at: at.into(),
    })
    .unwrap()
    .0
}

fn user(s: &mut dyn Store, name: &str, role: Role, scope: Scope) {
    s.create_user(
        &UserInfo {
            name: name.into(),
            role,
            scope,
            created_at: "2026-11-01T00:00:00Z".into(),
            disabled_at: None,
        },
        &format!("{name} password"),
        "setup",
    )
    .unwrap();
}

/// Users, tokens and two repositories' scans, then a server over `stores` (all on the same database).
fn fixture(mut stores: Vec<Box<dyn Store + Send>>) -> Fixture {
    let s = &mut *stores[0];
    let now = "2026-11-01T00:00:00Z";
    let admin = token(s, Role::Admin, Scope::all(), now, "2099-01-01");
    let triager = token(s, Role::Triager, Scope::all(), now, "2099-01-01");
    let viewer = token(s, Role::Viewer, Scope::all(), now, "2099-01-01");
    let scoped = token(
        s,
        Role::Triager,
        Scope(vec!["github.com/acme/*".into()]),
        now,
        "2099-01-01",
    );
    let expired = token(s, Role::Admin, Scope::all(), "2020-01-01", "2020-02-01");
    user(s, "ana", Role::Admin, Scope::all());
    user(s, "tom", Role::Triager, Scope::all());
    user(s, "vic", Role::Viewer, Scope(vec![A.into()]));
    s.record_scan(&scan(
        A,
        vec![
            finding("aaaa000000000001", "secrets/aws-access-key", "critical"),
            finding("aaaa000000000002", "code/sql-injection", "high"),
        ],
    ))
    .unwrap();
    s.record_scan(&scan(
        B,
        vec![finding(
            "bbbb000000000001",
            "models/pickle-exec",
            "critical",
        )],
    ))
    .unwrap();
    let all = Scope::all();
    let q = s
        .queue(
            &all,
            &warden_store::dash::QueueFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
    let in_a = q.items.iter().find(|f| f.repo == A).unwrap().id;
    let in_b = q.items.iter().find(|f| f.repo == B).unwrap().id;
    Fixture {
        base: start(stores),
        admin,
        triager,
        viewer,
        scoped,
        expired,
        in_a,
        in_b,
    }
}

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A route: method, path as the OpenAPI document writes it, the least role, the URL to call, a body.
type Route = (
    &'static str,
    &'static str,
    Option<Role>,
    String,
    Option<Value>,
);

/// Every API route: method, path (as the OpenAPI document writes it), the least role, and a request body.
fn routes(fx: &Fixture, n: usize) -> Vec<Route> {
    let a = fx.in_a;
    vec![
        ("get", "/healthz", None, "/healthz".into(), None),
        (
            "get",
            "/api/v1/openapi.json",
            None,
            "/api/v1/openapi.json".into(),
            None,
        ),
        (
            "get",
            "/api/v1/whoami",
            Some(Role::Viewer),
            "/api/v1/whoami".into(),
            None,
        ),
        (
            "get",
            "/api/v1/overview",
            Some(Role::Viewer),
            "/api/v1/overview".into(),
            None,
        ),
        (
            "get",
            "/api/v1/repositories",
            Some(Role::Viewer),
            "/api/v1/repositories".into(),
            None,
        ),
        (
            "get",
            "/api/v1/findings",
            Some(Role::Viewer),
            "/api/v1/findings?state=open,confirmed".into(),
            None,
        ),
        (
            "get",
            "/api/v1/findings/{id}",
            Some(Role::Viewer),
            format!("/api/v1/findings/{a}"),
            None,
        ),
        (
            "post",
            "/api/v1/findings/{id}/decision",
            Some(Role::Triager),
            format!("/api/v1/findings/{a}/decision"),
            Some(json!({"state": "confirmed", "reason": format!("matrix {n}")})),
        ),
        (
            "get",
            "/api/v1/audit",
            Some(Role::Admin),
            "/api/v1/audit?limit=5".into(),
            None,
        ),
        (
            "get",
            "/api/v1/inventory",
            Some(Role::Viewer),
            "/api/v1/inventory".into(),
            None,
        ),
        (
            "get",
            "/api/v1/assessment",
            Some(Role::Viewer),
            "/api/v1/assessment".into(),
            None,
        ),
        (
            "get",
            "/api/v1/tokens",
            Some(Role::Admin),
            "/api/v1/tokens".into(),
            None,
        ),
        (
            "post",
            "/api/v1/tokens",
            Some(Role::Admin),
            "/api/v1/tokens".into(),
            Some(json!({"name": format!("t{n}"), "role": "viewer", "expires": "7d"})),
        ),
        (
            "delete",
            "/api/v1/tokens/{id}",
            Some(Role::Admin),
            "/api/v1/tokens/none".into(),
            None,
        ),
        (
            "get",
            "/api/v1/users",
            Some(Role::Admin),
            "/api/v1/users".into(),
            None,
        ),
        (
            "post",
            "/api/v1/users",
            Some(Role::Admin),
            "/api/v1/users".into(),
            Some(json!({"name": format!("u{n}"), "password": "long enough pw", "role": "viewer"})),
        ),
        (
            "post",
            "/api/v1/users/{name}/disable",
            Some(Role::Admin),
            format!("/api/v1/users/u{n}/disable"),
            None,
        ),
        (
            "post",
            "/api/v1/scans",
            Some(Role::Triager),
            format!("/api/v1/scans?repo={A}&branch=feature-{n}"),
            Some(
                json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "semgrep"}}, "results": []}]}),
            ),
        ),
    ]
}

fn send(
    c: &Client,
    fx: &Fixture,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Response {
    let url = format!("{}{path}", fx.base);
    let mut r = match method {
        "get" => c.get(&url),
        "post" => c.post(&url),
        "delete" => c.delete(&url),
        _ => unreachable!(),
    };
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if let Some(b) = body {
        r = r.json(b);
    }
    r.send().unwrap()
}

fn scenario(fx: &Fixture) {
    let c = client();
    // The matrix: anonymous, each role, an expired token and a garbled one.
    let callers: [(Option<&str>, Option<Role>); 4] = [
        (None, None),
        (Some(&fx.viewer), Some(Role::Viewer)),
        (Some(&fx.triager), Some(Role::Triager)),
        (Some(&fx.admin), Some(Role::Admin)),
    ];
    let mut n = 0;
    for (token, role) in callers {
        n += 1;
        for (method, path, least, url, body) in routes(fx, n) {
            let res = send(&c, fx, method, &url, token, body.as_ref());
            let status = res.status();
            assert_eq!(
                res.headers()["content-security-policy"],
                warden_server::CSP,
                "{method} {path}"
            );
            assert_eq!(res.headers()["x-frame-options"], "DENY");
            let expected_denial = match (least, role) {
                (None, _) => None,
                (Some(_), None) => Some(StatusCode::UNAUTHORIZED),
                (Some(l), Some(r)) if r < l => Some(StatusCode::FORBIDDEN),
                _ => None,
            };
            match expected_denial {
                Some(d) => assert_eq!(status, d, "{method} {path} as {role:?}"),
                None => {
                    let ok = status.is_success()
                        // Revoking a token that does not exist is refused by name, after authorization.
                        || (path == "/api/v1/tokens/{id}" && status == StatusCode::UNPROCESSABLE_ENTITY);
                    assert!(
                        ok,
                        "{method} {path} as {role:?}: {status} {}",
                        res.text().unwrap()
                    );
                }
            }
        }
        for bad in [fx.expired.as_str(), "wst_0000", "not a token"] {
            let res = send(&c, fx, "get", "/api/v1/whoami", Some(bad), None);
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{bad}");
        }
    }

    // The OpenAPI document describes exactly these routes.
    let doc: Value = send(&c, fx, "get", "/api/v1/openapi.json", None, None)
        .json()
        .unwrap();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), p.clone()))
        })
        .collect();
    let served: BTreeSet<(String, String)> = routes(fx, 0)
        .into_iter()
        .map(|(m, p, ..)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, served);
    for (m, p, least, ..) in routes(fx, 0) {
        let role = doc["paths"][p][m]["x-warden-role"].as_str().unwrap();
        assert_eq!(role, least.map_or("public", |r| r.as_str()), "{m} {p}");
    }

    // Scopes: a finding outside the caller's repositories does not exist for them.
    let res = send(
        &c,
        fx,
        "get",
        &format!("/api/v1/findings/{}", fx.in_b),
        Some(&fx.scoped),
        None,
    );
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let page: Value = send(
        &c,
        fx,
        "get",
        "/api/v1/findings?state=open,confirmed",
        Some(&fx.scoped),
        None,
    )
    .json()
    .unwrap();
    assert!(page["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["repo"] == A));
    let res = send(
        &c,
        fx,
        "post",
        &format!("/api/v1/scans?repo={B}"),
        Some(&fx.scoped),
        Some(&json!({"version": "2.1.0", "runs": []})),
    );
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "no uploads outside the scope"
    );

    // Uploads: idempotent per key; the scan record `warden scan --upload` sends; bad bodies refused by reason.
    let body = serde_json::to_value(scan(
        A,
        vec![finding(
            "aaaa000000000001",
            "secrets/aws-access-key",
            "critical",
        )],
    ))
    .unwrap();
    let upload = |key: &str| {
        c.post(format!("{}/api/v1/scans", fx.base))
            .bearer_auth(&fx.triager)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .unwrap()
    };
    let first = upload("k-1");
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().unwrap();
    assert_eq!(first["fixed"], 1, "the SQL finding is gone: {first}");
    assert_eq!(first["replayed"], false);
    let again = upload("k-1");
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().unwrap();
    assert_eq!(again["scan_id"], first["scan_id"]);
    assert_eq!(again["replayed"], true);
    let res = c
        .post(format!("{}/api/v1/scans?repo={A}", fx.base))
        .bearer_auth(&fx.triager)
        .body("{\"hello\": 1}")
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().unwrap().contains("SARIF"));
    let res = c
        .post(format!("{}/api/v1/scans?repo={A}", fx.base))
        .bearer_auth(&fx.triager)
        .body(vec![b' '; (1 << 20) + 10])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Tokens: created through the API, usable, revoked, refused.
    let created: Value = send(
        &c,
        fx,
        "post",
        "/api/v1/tokens",
        Some(&fx.admin),
        Some(
            &json!({"name": "short-lived", "role": "viewer", "expires": "1d", "repositories": [A]}),
        ),
    )
    .json()
    .unwrap();
    let t = created["token"].as_str().unwrap().to_string();
    let who: Value = send(&c, fx, "get", "/api/v1/whoami", Some(&t), None)
        .json()
        .unwrap();
    assert_eq!(who["role"], "viewer");
    let listed = send(&c, fx, "get", "/api/v1/tokens", Some(&fx.admin), None)
        .text()
        .unwrap();
    assert!(!listed.contains(&t), "a token is never listed");
    let id = created["id"].as_str().unwrap();
    let res = send(
        &c,
        fx,
        "delete",
        &format!("/api/v1/tokens/{id}"),
        Some(&fx.admin),
        None,
    );
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        send(&c, fx, "get", "/api/v1/whoami", Some(&t), None).status(),
        StatusCode::UNAUTHORIZED
    );
    let res = send(
        &c,
        fx,
        "post",
        "/api/v1/tokens",
        Some(&fx.admin),
        Some(&json!({"name": "forever", "role": "viewer", "expires": "never"})),
    );
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "an expiry is required"
    );

    // The audit chain holds every change and verifies.
    let audit: Value = send(
        &c,
        fx,
        "get",
        "/api/v1/audit?limit=500",
        Some(&fx.admin),
        None,
    )
    .json()
    .unwrap();
    assert!(
        audit["verified"]["broken"].is_null(),
        "{}",
        audit["verified"]
    );
    let actions: BTreeSet<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "token-create",
        "token-revoke",
        "user-add",
        "user-disable",
        "confirm",
        "new",
        "fix",
    ] {
        assert!(actions.contains(a), "{a} in {actions:?}");
    }

    sessions(fx);
}

fn login(c: &Client, fx: &Fixture, user: &str, password: &str) -> Response {
    c.post(format!("{}/login", fx.base))
        .form(&[("user", user), ("password", password), ("next", "/queue")])
        .send()
        .unwrap()
}

fn cookie_of(r: &Response) -> String {
    let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    set.split(';').next().unwrap().to_string()
}

fn sessions(fx: &Fixture) {
    let c = client();
    // Pages send the anonymous to sign in, and back.
    let res = c
        .get(format!("{}/queue?state=open", fx.base))
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        "/login?next=%2Fqueue%3Fstate%3Dopen"
    );
    let res = login(&c, fx, "tom", "tom password");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/queue");
    let tom = cookie_of(&res);
    let page = |cookie: &str, path: &str| {
        c.get(format!("{}{path}", fx.base))
            .header("cookie", cookie)
            .send()
            .unwrap()
    };
    let res = page(&tom, "/");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().unwrap();
    assert!(html.contains("Overview") && html.contains("<svg"), "{html}");
    assert!(!html.contains("<script"), "no script on any page");
    let html = page(&tom, &format!("/findings/{}", fx.in_a))
        .text()
        .unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)") && !html.contains("<script>alert"),
        "escaped"
    );
    assert!(html.contains("name=\"csrf\""));
    assert_eq!(page(&tom, "/tokens").status(), StatusCode::FORBIDDEN);
    assert_eq!(page(&tom, "/static/warden.css").status(), StatusCode::OK);

    // A cookie write needs the CSRF token: from whoami for the API, from the form for pages.
    let who: Value = page(&tom, "/api/v1/whoami").json().unwrap();
    let csrf = who["csrf"].as_str().unwrap().to_string();
    let decide = |csrf: Option<&str>| {
        let mut r = c
            .post(format!("{}/api/v1/findings/{}/decision", fx.base, fx.in_a))
            .header("cookie", &tom)
            .json(&json!({"state": "open", "reason": "reopened by tom"}));
        if let Some(t) = csrf {
            r = r.header("x-csrf-token", t);
        }
        r.send().unwrap()
    };
    assert_eq!(decide(None).status(), StatusCode::FORBIDDEN);
    assert_eq!(decide(Some("0000")).status(), StatusCode::FORBIDDEN);
    assert_eq!(decide(Some(&csrf)).status(), StatusCode::OK);
    let res = c
        .post(format!("{}/findings/{}/decision", fx.base, fx.in_a))
        .header("cookie", &tom)
        .form(&[
            ("csrf", "wrong"),
            ("state", "false-positive"),
            ("reason", "x"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = c
        .post(format!("{}/findings/{}/decision", fx.base, fx.in_a))
        .header("cookie", &tom)
        .form(&[
            ("csrf", csrf.as_str()),
            ("state", "false-positive"),
            ("reason", "test data"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = page(&tom, &format!("/findings/{}", fx.in_a))
        .text()
        .unwrap();
    assert!(
        html.contains("test data") && html.contains("dismiss"),
        "in its history"
    );

    // A viewer scoped to A: no triage form, no B.
    let vic = cookie_of(&login(&c, fx, "vic", "vic password"));
    let html = page(&vic, &format!("/findings/{}", fx.in_a))
        .text()
        .unwrap();
    assert!(!html.contains("Record decision"));
    assert_eq!(
        page(&vic, &format!("/findings/{}", fx.in_b)).status(),
        StatusCode::NOT_FOUND
    );

    // The inventory and the self-assessment a `warden scan --upload` brings, as graph, tables and evolution.
    for (key, score) in [("ai-1", 40), ("ai-2", 20)] {
        let mut body = serde_json::to_value(scan(A, vec![])).unwrap();
        body["branch"] = json!("ai");
        body["inventory"] = json!({
            "assets": [
                {"id": "w", "kind": "workload", "name": "chat-api", "ai": false},
                {"id": "g", "kind": "agent", "name": "support-bot", "ai": true,
                 "location": {"path": "bot.py", "start_line": 3},
                 "risk": {"level": "high", "score": 70, "reasons": ["has a shell tool"]}}
            ],
            "edges": [{"from": "w", "to": "g", "kind": "runs"}]
        });
        body["assessment"] = json!({"score": score, "level": "moderate", "questions": [
            {"id": 1, "question": "Do you keep an inventory of AI assets?", "answer": "yes", "source": "evidence", "evidence": ["1 agent"]}
        ]});
        let res = c
            .post(format!("{}/api/v1/scans", fx.base))
            .bearer_auth(&fx.triager)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let html = page(&vic, "/inventory").text().unwrap();
    assert!(
        html.contains("support-bot") && html.contains("<svg class=\"graph\""),
        "{html}"
    );
    assert!(html.contains("has a shell tool"));
    let html = page(&vic, &format!("/assessment?repo={A}&branch=ai"))
        .text()
        .unwrap();
    assert!(
        html.contains("inventory of AI assets") && html.contains("<svg"),
        "{html}"
    );
    let rows: Value = page(&vic, "/api/v1/assessment").json().unwrap();
    assert_eq!(rows[0]["scores"].as_array().unwrap().len(), 2);
    let vic_b: Value = c
        .get(format!("{}/api/v1/inventory", fx.base))
        .bearer_auth(&fx.scoped)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(vic_b.as_array().unwrap().len(), 1);

    // Every page renders for an admin (pages take a token too, for scripts).
    for path in [
        "/",
        "/repos",
        "/queue",
        "/queue?state=open,confirmed&domain=secrets",
        "/inventory",
        "/assessment",
        "/audit",
        "/tokens",
        "/users",
    ] {
        let res = c
            .get(format!("{}{path}", fx.base))
            .bearer_auth(&fx.admin)
            .send()
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let html = res.text().unwrap();
        assert!(
            html.contains("</html>") && !html.contains("<script"),
            "{path}"
        );
    }

    // Signing out ends the session.
    let res = c
        .post(format!("{}/logout", fx.base))
        .header("cookie", &tom)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(page(&tom, "/").status(), StatusCode::SEE_OTHER);

    // Five wrong passwords from one address, then even the right one waits.
    for _ in 0..5 {
        assert_eq!(
            login(&c, fx, "ana", "wrong").status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login(&c, fx, "ana", "ana password").status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[test]
fn sqlite_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let stores: Vec<Box<dyn Store + Send>> = (0..2)
        .map(|_| {
            Box::new(warden_store::sqlite::Sqlite::open(&db).unwrap()) as Box<dyn Store + Send>
        })
        .collect();
    scenario(&fixture(stores));
}

#[test]
fn postgres_server() {
    let server = warden_store::testing::Server::start();
    let url = server.database("server");
    let stores: Vec<Box<dyn Store + Send>> = (0..4)
        .map(|_| Box::new(warden_store::pg::Postgres::open(&url).unwrap()) as Box<dyn Store + Send>)
        .collect();
    scenario(&fixture(stores));
}
