//! `warden lsp` over JSON-RPC on stdio, driven by a small client written here: the protocol's edge cases (a
//! request before `initialize`, an unknown method, bad params, a stale change, `exit` without `shutdown`,
//! a malformed message) and what an editor sees: diagnostics on open and change, the workspace on save, code
//! actions, hover, the explanation. Neovim drives the same server in tests/lsp_neovim.rs.

mod common;
use common::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use tempfile::TempDir;

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<Value>,
    next: i64,
    /// Server-to-client notifications seen while waiting for something else.
    seen: Vec<Value>,
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

impl Client {
    fn start(root: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
            .args(["lsp", "--debounce", "50"])
            .current_dir(root)
            .env(
                "WARDEN_HASH_KEY",
                "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("warden lsp starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("Content-Length")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                if tx
                    .send(serde_json::from_slice(&body).expect("JSON"))
                    .is_err()
                {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            rx,
            next: 1,
            seen: Vec::new(),
        }
    }

    fn send_raw(&mut self, body: &[u8]) {
        let w = self.stdin.as_mut().unwrap();
        write!(w, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        w.write_all(body).unwrap();
        w.flush().unwrap();
    }

    fn send(&mut self, msg: Value) {
        let mut m = msg;
        m["jsonrpc"] = json!("2.0");
        self.send_raw(&serde_json::to_vec(&m).unwrap());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "method": method, "params": params }));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        self.send(json!({ "id": id, "method": method, "params": params }));
        loop {
            let m = self.recv();
            if m["id"] == json!(id) && m.get("method").is_none() {
                return m;
            }
            self.seen.push(m);
        }
    }

    fn recv(&mut self) -> Value {
        self.rx
            .recv_timeout(Duration::from_secs(60))
            .expect("a message from the server within a minute")
    }

    /// The next diagnostics published for `uri` (skipping other messages).
    fn diagnostics(&mut self, uri: &str) -> Value {
        if let Some(i) = self.seen.iter().position(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        }) {
            return self.seen.remove(i)["params"].clone();
        }
        loop {
            let m = self.recv();
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
                return m["params"].clone();
            }
            self.seen.push(m);
        }
    }

    fn initialize(&mut self, root: &Path) -> Value {
        let r = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "capabilities": { "general": { "positionEncodings": ["utf-16"] } },
            }),
        );
        self.notify("initialized", json!({}));
        r
    }

    fn finish(mut self) -> i32 {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null);
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

fn codes(diags: &Value) -> Vec<String> {
    diags["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn repo() -> TempDir {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "app.py", "print('hello')\n");
    dir
}

#[test]
fn diagnostics_follow_the_buffer_and_the_workspace() {
    let dir = repo();
    let root = dir.path().canonicalize().unwrap();
    // On disk, before the server starts: a key in a file nobody opens.
    write(&root, "deploy.env", format!("TOKEN={}\n", github_pat()));
    let mut c = Client::start(&root);
    let init = c.initialize(&root);
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2);
    assert_eq!(init["result"]["serverInfo"]["name"], "warden");

    // The workspace scan publishes the file on disk.
    let env_uri = uri(&root.join("deploy.env"));
    let d = c.diagnostics(&env_uri);
    assert_eq!(codes(&d), ["secrets/github-classic-pat"]);
    let diag = &d["diagnostics"][0];
    assert_eq!(diag["source"], "warden");
    assert_eq!(diag["severity"], 1);
    assert_eq!(diag["range"]["start"], json!({ "line": 0, "character": 6 }));
    assert!(
        !diag["message"].as_str().unwrap().contains(&github_pat()),
        "never the secret whole"
    );

    // An open buffer is analysed as typed: a key appears, then goes.
    let app = root.join("app.py");
    let app_uri = uri(&app);
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": app_uri, "languageId": "python", "version": 1, "text": "print('hello')\n" } }),
    );
    assert_eq!(codes(&c.diagnostics(&app_uri)), Vec::<String>::new());
    let line = format!("é = 1; SLACK_TOKEN = \"{}\"", slack_bot_token());
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": app_uri, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 0 } }, "text": line }],
        }),
    );
    let d = c.diagnostics(&app_uri);
    assert_eq!(d["version"], 2);
    assert_eq!(codes(&d), ["secrets/slack-bot-token"]);
    // UTF-16 columns: `é` is one unit, two bytes.
    let start = line.find("xoxb").unwrap() - 1;
    assert_eq!(
        d["diagnostics"][0]["range"]["start"],
        json!({ "line": 1, "character": start })
    );

    // Code actions on it: the ignore comment, the environment lookup, the explanation.
    let range = d["diagnostics"][0]["range"].clone();
    let r = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": app_uri }, "range": range, "context": { "diagnostics": [] } }),
    );
    let actions = r["result"].as_array().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "warden: ignore secrets/slack-bot-token on this line",
            "warden: read the credential from $SLACK_TOKEN",
            "warden: explain secrets/slack-bot-token",
        ]
    );
    let ignore = &actions[0]["edit"]["changes"][&app_uri][0];
    assert_eq!(
        ignore["newText"],
        " # warden:ignore[secrets/slack-bot-token]"
    );
    let env = &actions[1]["edit"]["changes"][&app_uri];
    assert_eq!(env[0]["newText"], "import os\n");
    assert_eq!(env[1]["newText"], "os.environ[\"SLACK_TOKEN\"]");

    // Hover explains the rule; the explain command shows it.
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": app_uri }, "position": range["start"] }),
    );
    let text = h["result"]["contents"]["value"].as_str().unwrap();
    assert!(text.contains("secrets/slack-bot-token"), "{text}");
    let r = c.request(
        "workspace/executeCommand",
        json!({ "command": "warden.explain", "arguments": ["secrets/slack-bot-token"] }),
    );
    assert_eq!(r["result"], Value::Null);
    let shown = loop {
        if let Some(i) = c
            .seen
            .iter()
            .position(|m| m["method"] == "window/showMessage")
        {
            break c.seen.remove(i);
        }
        let m = c.recv();
        c.seen.push(m);
    };
    assert!(shown["params"]["message"]
        .as_str()
        .unwrap()
        .starts_with("secrets/slack-bot-token"));

    // The ignore comment, applied as a client would, silences it.
    let with_comment = format!("print('hello')\n{line} # warden:ignore[secrets/slack-bot-token]\n");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": app_uri, "version": 3 }, "contentChanges": [{ "text": with_comment }] }),
    );
    let d = c.diagnostics(&app_uri);
    assert_eq!(
        (d["version"].clone(), codes(&d)),
        (json!(3), Vec::<String>::new())
    );

    // On save the workspace is scanned again: the key removed from disk goes away.
    write(&root, "deploy.env", "TOKEN=from-the-vault\n");
    c.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": app_uri } }),
    );
    assert_eq!(codes(&c.diagnostics(&env_uri)), Vec::<String>::new());

    assert_eq!(c.finish(), 0);
}

#[test]
fn protocol_edge_cases_get_answers_not_crashes() {
    let dir = repo();
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::start(&root);
    // Before initialize: "server not initialized".
    let r = c.request("textDocument/hover", json!({}));
    assert_eq!(r["error"]["code"], -32002);
    c.initialize(&root);
    // Unknown method: "method not found"; bad params: "invalid params".
    let r = c.request("textDocument/rename", json!({}));
    assert_eq!(r["error"]["code"], -32601);
    let r = c.request("textDocument/codeAction", json!({ "nonsense": true }));
    assert_eq!(r["error"]["code"], -32602);
    let r = c.request(
        "workspace/executeCommand",
        json!({ "command": "rm -rf", "arguments": [] }),
    );
    assert_eq!(r["error"]["code"], -32602);
    // A change to a buffer never opened, and a notification nobody knows: ignored.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&root.join("nope.py")), "version": 9 }, "contentChanges": [{ "text": "x" }] }),
    );
    c.notify("$/somethingNew", json!({}));
    // A buffer that is not a file: analysed under its name.
    let untitled = "untitled:Untitled-1";
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": untitled, "languageId": "plaintext", "version": 1, "text": format!("{}\n", github_pat()) } }),
    );
    assert_eq!(
        codes(&c.diagnostics(untitled)),
        ["secrets/github-classic-pat"]
    );
    // Positions past the end of the buffer are clamped.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": untitled, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 99, "character": 99 }, "end": { "line": 120, "character": 0 } }, "text": "more" }],
        }),
    );
    assert_eq!(c.diagnostics(untitled)["version"], 2);
    // Still answering.
    let r = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": untitled }, "position": { "line": 50, "character": 0 } }),
    );
    assert_eq!(r["result"], Value::Null);
    assert_eq!(c.finish(), 0);
}

#[test]
fn exit_without_shutdown_and_malformed_input_end_the_server_with_status_1() {
    let dir = repo();
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::start(&root);
    c.initialize(&root);
    c.notify("exit", Value::Null);
    assert_eq!(c.child.wait().unwrap().code(), Some(1));

    let mut c = Client::start(&root);
    c.initialize(&root);
    c.send_raw(b"{ this is not json");
    drop(c.stdin.take());
    assert_eq!(c.child.wait().unwrap().code(), Some(1));
}

#[test]
fn a_broken_warden_toml_is_reported_and_nothing_is_analysed() {
    let dir = repo();
    let root = dir.path().canonicalize().unwrap();
    write(&root, "warden.toml", "[scan\nonly = 3\n");
    write(&root, "deploy.env", format!("TOKEN={}\n", github_pat()));
    let mut c = Client::start(&root);
    c.initialize(&root);
    let shown = loop {
        let m = c.recv();
        if m["method"] == "window/showMessage" {
            break m;
        }
    };
    assert_eq!(shown["params"]["type"], 1);
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap()
            .contains("warden.toml"),
        "{shown}"
    );
    // Fixed and saved: the scanner is built again and the workspace scanned.
    write(&root, "warden.toml", "[scan]\n");
    c.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri(&root.join("warden.toml")) } }),
    );
    assert_eq!(
        codes(&c.diagnostics(&uri(&root.join("deploy.env")))),
        ["secrets/github-classic-pat"]
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn a_cross_file_trace_updates_as_the_buffer_changes() {
    let dir = TempDir::new().unwrap();
    let root = dir.path().canonicalize().unwrap();
    write(&root, "shop/__init__.py", "");
    write(
        &root,
        "shop/params.py",
        "from flask import request\n\n\ndef customer_id():\n    return request.args.get(\"customer\", \"\")\n",
    );
    let safe = "import sqlite3\n\nfrom flask import Flask\n\nfrom shop.params import customer_id\n\napp = Flask(__name__)\n\n\n@app.route(\"/orders\")\ndef orders():\n    conn = sqlite3.connect(\"shop.db\")\n    cid = customer_id()\n    return conn.execute(\"SELECT * FROM orders WHERE customer = ?\", (cid,)).fetchall()\n";
    write(&root, "shop/views.py", safe);
    let mut c = Client::start(&root);
    c.initialize(&root);
    let views = uri(&root.join("shop/views.py"));
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": views, "languageId": "python", "version": 1, "text": safe } }),
    );
    assert_eq!(codes(&c.diagnostics(&views)), Vec::<String>::new());
    // Unsaved: the query now concatenates what the other module returns from the request.
    let unsafe_text = safe.replace(
        "\"SELECT * FROM orders WHERE customer = ?\", (cid,)",
        "\"SELECT * FROM orders WHERE customer = '\" + cid + \"'\"",
    );
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": views, "version": 2 }, "contentChanges": [{ "text": unsafe_text }] }),
    );
    let d = c.diagnostics(&views);
    assert_eq!(codes(&d), ["code/sql-injection"], "{d}");
    let related = d["diagnostics"][0]["relatedInformation"]
        .as_array()
        .unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"] == uri(&root.join("shop/params.py"))),
        "the trace runs through the other module: {d}"
    );
    assert_eq!(d["diagnostics"][0]["range"]["start"]["line"], 13);
    assert_eq!(c.finish(), 0);
}
