//! AI assets in Python source, from a tree-sitter parse: imports resolve call names, the catalog says what a
//! call creates, and variables carry a sighting to the later calls on it (`client.chat.completions.create(
//! model=…)`, `pc.Index("name")`, `agent.run(…)`). Nothing is executed or imported.

use crate::catalog::{self, Entry};
use crate::sighting::{EnvRead, FileFacts, Input, KeySource, Pin, Sighting};
use std::collections::HashMap;
use std::sync::OnceLock;
use tree_sitter::{Node, Parser};

/// Deeper nesting than this is not followed (pathological generated code); what was seen so far stands.
const MAX_DEPTH: usize = 400;

/// Keyword arguments that carry a key.
const KEY_ARGS: &[&str] = &[
    "api_key",
    "openai_api_key",
    "anthropic_api_key",
    "google_api_key",
    "cohere_api_key",
    "mistral_api_key",
    "groq_api_key",
    "pinecone_api_key",
    "azure_ad_token",
    "token",
    "auth_credentials",
];
/// Keyword arguments that name the model a client calls.
const MODEL_ARGS: &[&str] = &[
    "model",
    "model_name",
    "model_id",
    "deployment_name",
    "azure_deployment",
    "deployment_id",
    "engine",
    "modelId",
];
/// Methods that hand input to an agent or a model.
const RUN_METHODS: &[&str] = &[
    "run",
    "arun",
    "invoke",
    "ainvoke",
    "stream",
    "astream",
    "chat",
    "achat",
    "query",
    "aquery",
    "kickoff",
    "initiate_chat",
    "run_sync",
    "create",
    "generate_content",
    "predict",
    "complete",
    "messages",
    "converse",
    "invoke_model",
];
/// Methods that write into a vector store.
const WRITE_METHODS: &[&str] = &[
    "upsert",
    "add",
    "add_texts",
    "add_documents",
    "insert",
    "upsert_points",
    "upload_points",
    "add_embeddings",
    "from_documents",
    "from_texts",
];
/// Methods that name a vector store's index or collection.
const COLLECTION_METHODS: &[&str] = &[
    "Index",
    "IndexAsyncio",
    "get_or_create_collection",
    "create_collection",
    "get_collection",
    "get",
    "open_table",
    "create_table",
    "create_index",
];

/// `import X` / `from X` at the start of a line, for X among `roots`.
fn import_re(roots: &[String]) -> regex::bytes::Regex {
    let alts: Vec<String> = roots.iter().map(|r| regex::escape(r)).collect();
    regex::bytes::Regex::new(&format!(
        r"(?m)^[ \t]*(?:from|import)[ \t]+(?:{})\b",
        alts.join("|")
    ))
    .expect("import pattern")
}

fn strong() -> &'static regex::bytes::Regex {
    static R: OnceLock<regex::bytes::Regex> = OnceLock::new();
    R.get_or_init(|| import_re(&catalog::strong_roots()))
}

fn weak() -> &'static regex::bytes::Regex {
    static R: OnceLock<regex::bytes::Regex> = OnceLock::new();
    R.get_or_init(|| {
        let strong = catalog::strong_roots();
        let weak: Vec<String> = catalog::root_modules()
            .into_iter()
            .filter(|r| r != "os" && !strong.contains(r))
            .collect();
        import_re(&weak)
    })
}

fn model_file_hint() -> &'static aho_corasick::AhoCorasick {
    static R: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    R.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build([
                ".pkl",
                ".pickle",
                ".joblib",
                ".pt\"",
                ".pt'",
                ".pth",
                ".bin\"",
                ".h5",
                ".keras",
                ".onnx",
                ".gguf",
                ".safetensors",
                ".ckpt",
                ".skops",
                "bedrock",
            ])
            .expect("hints")
    })
}

/// Whether a Python file can hold anything the catalog knows, decided before parsing: it imports an AI SDK,
/// framework or store, or it imports a model-file loader (pickle, torch, joblib, …) and names a model file.
/// Most Python files import neither and are never parsed here.
pub fn worth_parsing(src: &[u8]) -> bool {
    if memchr::memmem::find(src, b"import").is_none() {
        return false;
    }
    strong().is_match(src) || (weak().is_match(src) && model_file_hint().is_match(src))
}

thread_local! {
    static PARSER: std::cell::RefCell<Option<Parser>> = const { std::cell::RefCell::new(None) };
}

/// Parses one Python file and returns what it sights; `Err` names why it could not be parsed.
pub fn scan(src: &[u8]) -> Result<FileFacts, String> {
    let tree = PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = Parser::new();
            p.set_language(&tree_sitter_python::LANGUAGE.into())
                .map_err(|e| format!("grammar: {e}"))?;
            *slot = Some(p);
        }
        let parser = slot.as_mut().expect("parser");
        let tree = parser.parse(src, None);
        parser.reset();
        tree.ok_or_else(|| "the Python parser gave up on this file".to_string())
    })?;
    let mut cx = Cx {
        src,
        aliases: HashMap::new(),
        vars: HashMap::new(),
        opened: HashMap::new(),
        strings: HashMap::new(),
        facts: FileFacts::default(),
        funcs: Vec::new(),
        secret_vars: Vec::new(),
        env_vars: HashMap::new(),
        lists: HashMap::new(),
        sql: Vec::new(),
        uris: Vec::new(),
    };
    let root = tree.root_node();
    cx.imports(root, 0);
    cx.walk(root, 0);
    cx.finish();
    Ok(cx.facts)
}

/// An argument's value, as far as the file shows it.
#[derive(Debug, Clone)]
enum Val {
    Str(String),
    Env(String),
    Var(String),
    Other,
}

struct Func {
    name: String,
    params: Vec<String>,
    handler: bool,
    /// Locals assigned from the parameters or from the web framework's request object (`q =
    /// request.json["q"]`), with the name they come from.
    derived: Vec<(String, String)>,
}

/// Request objects web frameworks hand out as globals (Flask, Quart, Bottle, Sanic).
const REQUEST_GLOBALS: &[&str] = &[
    "flask.request",
    "quart.request",
    "bottle.request",
    "sanic.request",
];

struct Cx<'s> {
    src: &'s [u8],
    /// Local name → qualified import path.
    aliases: HashMap<String, String>,
    /// Variable → the sighting it holds.
    vars: HashMap<String, usize>,
    /// `with open("p") as fh` / `fh = open("p")`: variable → path.
    opened: HashMap<String, String>,
    /// `X = "literal"` at any level: variable → string (for paths and model names held in constants).
    strings: HashMap<String, String>,
    facts: FileFacts,
    funcs: Vec<Func>,
    /// Variables assigned from a secret manager call.
    secret_vars: Vec<String>,
    /// Variables assigned from an environment variable: variable → its name.
    env_vars: HashMap<String, String>,
    /// Variables assigned an expression that builds sightings (`tools = [ShellTool()] + …`).
    lists: HashMap<String, Vec<usize>>,
    /// SQL text and its line.
    sql: Vec<(String, u32)>,
    /// Database URIs and bucket paths in strings, with their line.
    uris: Vec<(String, u32)>,
}

impl<'s> Cx<'s> {
    fn text(&self, n: Node) -> &'s str {
        std::str::from_utf8(&self.src[n.byte_range()]).unwrap_or("")
    }

    fn line(n: Node) -> u32 {
        n.start_position().row as u32 + 1
    }

    /// Every import of the file, wherever it is (imports inside functions count too).
    fn imports(&mut self, n: Node, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match n.kind() {
            "import_statement" => {
                let mut c = n.walk();
                for name in n.named_children(&mut c) {
                    match name.kind() {
                        "dotted_name" => {
                            let full = self.text(name).to_string();
                            let first = full.split('.').next().unwrap_or(&full).to_string();
                            self.note_import(&full, n);
                            // `import a.b` binds `a` to the package `a`.
                            self.aliases.insert(first.clone(), first);
                        }
                        "aliased_import" => {
                            if let (Some(m), Some(a)) = (
                                name.child_by_field_name("name"),
                                name.child_by_field_name("alias"),
                            ) {
                                self.note_import(self.text(m), n);
                                self.aliases
                                    .insert(self.text(a).to_string(), self.text(m).to_string());
                            }
                        }
                        _ => {}
                    }
                }
                return;
            }
            "import_from_statement" => {
                let module = n
                    .child_by_field_name("module_name")
                    .map(|m| self.text(m).to_string())
                    .unwrap_or_default();
                if module.starts_with('.') {
                    return;
                }
                self.note_import(&module, n);
                let mut c = n.walk();
                for name in n.children_by_field_name("name", &mut c) {
                    match name.kind() {
                        "dotted_name" => {
                            let t = self.text(name);
                            self.aliases.insert(t.to_string(), format!("{module}.{t}"));
                        }
                        "aliased_import" => {
                            if let (Some(m), Some(a)) = (
                                name.child_by_field_name("name"),
                                name.child_by_field_name("alias"),
                            ) {
                                self.aliases.insert(
                                    self.text(a).to_string(),
                                    format!("{module}.{}", self.text(m)),
                                );
                            }
                        }
                        _ => {}
                    }
                }
                return;
            }
            _ => {}
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            self.imports(ch, depth + 1);
        }
    }

    /// Remembers an import of an AI library (its catalog root, `google.genai` for Google's), once per root.
    fn note_import(&mut self, module: &str, at: Node) {
        let roots = catalog::root_modules();
        let Some(root) = roots
            .iter()
            .filter(|r| *r != "os")
            .find(|r| module == r.as_str() || module.starts_with(&format!("{r}.")))
        else {
            return;
        };
        if !self.facts.imports.iter().any(|i| &i.name == root) {
            self.facts.imports.push(EnvRead {
                name: root.clone(),
                line: Self::line(at),
            });
        }
    }

    /// The dotted name of a callee or value: `a.b.c`, with calls in the chain looked through
    /// (`boto3.Session().client` is `boto3.Session.client`).
    fn dotted(&self, n: Node, depth: usize) -> Option<Vec<String>> {
        if depth > 32 {
            return None;
        }
        match n.kind() {
            "identifier" => Some(vec![self.text(n).to_string()]),
            "attribute" => {
                let mut base = self.dotted(n.child_by_field_name("object")?, depth + 1)?;
                base.push(self.text(n.child_by_field_name("attribute")?).to_string());
                Some(base)
            }
            "call" => self.dotted(n.child_by_field_name("function")?, depth + 1),
            "subscript" => self.dotted(n.child_by_field_name("value")?, depth + 1),
            "await" | "parenthesized_expression" => {
                let mut c = n.walk();
                let inner = n.named_children(&mut c).next()?;
                self.dotted(inner, depth + 1)
            }
            _ => None,
        }
    }

    /// The import-resolved name of a dotted path (`OpenAI` → `openai.OpenAI`); `None` when its root is no
    /// import.
    fn qualify(&self, parts: &[String]) -> Option<String> {
        let root = self.aliases.get(parts.first()?)?;
        let mut q = root.clone();
        for p in &parts[1..] {
            q.push('.');
            q.push_str(p);
        }
        Some(q)
    }

    fn string_value(&self, n: Node) -> Option<String> {
        match n.kind() {
            "string" => {
                let mut c = n.walk();
                let mut out = String::new();
                for ch in n.named_children(&mut c) {
                    match ch.kind() {
                        "string_content" => out.push_str(self.text(ch)),
                        "escape_sequence" => out.push_str(self.text(ch)),
                        "interpolation" => return None,
                        _ => {}
                    }
                }
                Some(out)
            }
            "concatenated_string" => {
                let mut c = n.walk();
                let mut out = String::new();
                for ch in n.named_children(&mut c) {
                    out.push_str(&self.string_value(ch)?);
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// `os.environ["X"]`, `os.getenv("X")`, `os.environ.get("X")`, `environ["X"]`, `getenv("X")`.
    fn env_name(&self, n: Node) -> Option<String> {
        match n.kind() {
            "subscript" => {
                let v = self.dotted(n.child_by_field_name("value")?, 0)?;
                let q = self.qualify(&v)?;
                if q != "os.environ" {
                    return None;
                }
                self.string_value(n.child_by_field_name("subscript")?)
            }
            "call" => {
                let f = self.dotted(n.child_by_field_name("function")?, 0)?;
                let q = self.qualify(&f)?;
                if !matches!(
                    q.as_str(),
                    "os.getenv" | "os.environ.get" | "os.environ.__getitem__"
                ) {
                    return None;
                }
                let args = n.child_by_field_name("arguments")?;
                let mut c = args.walk();
                let first = args.named_children(&mut c).next()?;
                self.string_value(first)
            }
            _ => None,
        }
    }

    fn val(&self, n: Node) -> Val {
        if let Some(s) = self.string_value(n) {
            return Val::Str(s);
        }
        if let Some(e) = self.env_name(n) {
            return Val::Env(e);
        }
        if n.kind() == "identifier" {
            return Val::Var(self.text(n).to_string());
        }
        Val::Other
    }

    /// Positional and keyword arguments of a call.
    fn args(&self, call: Node<'s>) -> (Vec<Node<'s>>, Vec<(String, Node<'s>)>) {
        let mut pos = Vec::new();
        let mut kw = Vec::new();
        let Some(args) = call.child_by_field_name("arguments") else {
            return (pos, kw);
        };
        let mut c = args.walk();
        for a in args.named_children(&mut c) {
            match a.kind() {
                "keyword_argument" => {
                    if let (Some(k), Some(v)) = (
                        a.child_by_field_name("name"),
                        a.child_by_field_name("value"),
                    ) {
                        kw.push((self.text(k).to_string(), v));
                    }
                }
                "comment" => {}
                _ => pos.push(a),
            }
        }
        (pos, kw)
    }

    fn arg<'a>(pos: &'a [Node<'s>], kw: &'a [(String, Node<'s>)], spec: &str) -> Option<Node<'s>> {
        match spec.parse::<usize>() {
            Ok(i) => pos.get(i).copied(),
            Err(_) => kw.iter().find(|(k, _)| k == spec).map(|(_, v)| *v),
        }
    }

    fn walk(&mut self, n: Node<'s>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match n.kind() {
            "function_definition" => {
                let name = n
                    .child_by_field_name("name")
                    .map(|x| self.text(x).to_string())
                    .unwrap_or_default();
                let mut params = Vec::new();
                if let Some(ps) = n.child_by_field_name("parameters") {
                    let mut c = ps.walk();
                    for p in ps.named_children(&mut c) {
                        let id = match p.kind() {
                            "identifier" => Some(p),
                            _ => p
                                .child_by_field_name("name")
                                .or_else(|| p.named_child(0))
                                .filter(|x| x.kind() == "identifier"),
                        };
                        if let Some(id) = id {
                            let t = self.text(id);
                            if t != "self" && t != "cls" {
                                params.push(t.to_string());
                            }
                        }
                    }
                }
                let handler = n
                    .parent()
                    .filter(|p| p.kind() == "decorated_definition")
                    .is_some_and(|p| self.is_route(p));
                if let Some(p) = n.parent().filter(|p| p.kind() == "decorated_definition") {
                    self.decorated_tool(p, n, &name);
                }
                self.funcs.push(Func {
                    name,
                    params,
                    handler,
                    derived: Vec::new(),
                });
                let mut c = n.walk();
                for ch in n.named_children(&mut c) {
                    self.walk(ch, depth + 1);
                }
                self.funcs.pop();
                return;
            }
            "assignment" => self.assignment(n),
            "with_item" => self.with_item(n),
            "call" => self.call(n),
            "subscript" => {
                if let Some(e) = self.env_name(n) {
                    self.facts.env.push(EnvRead {
                        name: e,
                        line: Self::line(n),
                    });
                }
            }
            "string" => {
                if let Some(s) = self.string_value(n) {
                    self.literal(&s, Self::line(n));
                }
            }
            _ => {}
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            self.walk(ch, depth + 1);
        }
    }

    /// A decorator such as `@app.post("/x")`, `@router.get`, `@app.route`: the function serves HTTP requests.
    fn is_route(&self, decorated: Node) -> bool {
        let mut c = decorated.walk();
        let decorators: Vec<Node> = decorated
            .named_children(&mut c)
            .filter(|d| d.kind() == "decorator")
            .collect();
        decorators.iter().any(|d| {
            let Some(e) = d.named_child(0) else {
                return false;
            };
            let Some(parts) = self.dotted(e, 0) else {
                return false;
            };
            parts.len() >= 2
                && matches!(
                    parts.last().map(String::as_str),
                    Some(
                        "get"
                            | "post"
                            | "put"
                            | "patch"
                            | "delete"
                            | "route"
                            | "api_route"
                            | "websocket"
                            | "message"
                            | "event"
                    )
                )
        })
    }

    /// `@tool`, `@function_tool`, `@kernel_function`, `@mcp.tool()` on a function: a tool (of an MCP server
    /// when the decorator hangs off one), with the capabilities its body uses.
    fn decorated_tool(&mut self, decorated: Node<'s>, func: Node<'s>, name: &str) {
        let mut c = decorated.walk();
        let decorators: Vec<Node> = decorated
            .named_children(&mut c)
            .filter(|d| d.kind() == "decorator")
            .collect();
        for d in decorators {
            let Some(e) = d.named_child(0) else { continue };
            let Some(parts) = self.dotted(e, 0) else {
                continue;
            };
            let last = parts.last().map(String::as_str).unwrap_or("");
            let server = self.vars.get(&parts[0]).copied().filter(|&i| {
                parts.len() == 2 && self.facts.sightings[i].kind == "mcp-server" && last == "tool"
            });
            let q = self.qualify(&parts).unwrap_or_default();
            let framework = if server.is_some() {
                Some("MCP")
            } else if last == "tool"
                && (q.starts_with("langchain")
                    || q.starts_with("crewai")
                    || q.starts_with("smolagents"))
            {
                Some(q.split('.').next().unwrap_or("LangChain"))
            } else if last == "function_tool" && q.starts_with("agents") {
                Some("OpenAI Agents")
            } else if last == "kernel_function" && q.starts_with("semantic_kernel") {
                Some("Semantic Kernel")
            } else if last == "tool" && q.starts_with("pydantic_ai") {
                Some("Pydantic AI")
            } else {
                None
            };
            let Some(framework) = framework else { continue };
            let mut caps = Vec::new();
            self.capabilities(func, &mut caps, 0);
            caps.sort();
            caps.dedup();
            let idx = self.facts.sightings.len();
            self.facts.sightings.push(Sighting {
                kind: "tool".into(),
                name: name.to_string(),
                line: Self::line(func),
                end_line: func.end_position().row as u32 + 1,
                framework: Some(framework.to_string()),
                capabilities: caps,
                extra: serde_json::Map::from_iter([("custom".into(), true.into())]),
                ..Default::default()
            });
            if let Some(s) = server {
                self.facts.sightings[s].uses.push(idx);
            }
            return;
        }
    }

    /// What a function body reaches: processes, code evaluation, files written, HTTP, SQL.
    fn capabilities(&self, n: Node<'s>, out: &mut Vec<String>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if n.kind() == "call" {
            if let Some(parts) = n
                .child_by_field_name("function")
                .and_then(|f| self.dotted(f, 0))
            {
                let q = self.qualify(&parts).unwrap_or_else(|| parts.join("."));
                let cap = if q.starts_with("subprocess.")
                    || matches!(
                        q.as_str(),
                        "os.system"
                            | "os.popen"
                            | "os.execv"
                            | "os.execvp"
                            | "os.spawnl"
                            | "pty.spawn"
                    ) {
                    Some("shell")
                } else if matches!(q.as_str(), "eval" | "exec" | "compile") {
                    Some("code-exec")
                } else if q.starts_with("requests.")
                    || q.starts_with("httpx.")
                    || q.starts_with("urllib.request.")
                    || q.starts_with("aiohttp.")
                {
                    Some("http")
                } else if matches!(
                    q.as_str(),
                    "os.remove" | "os.unlink" | "shutil.rmtree" | "shutil.move" | "os.rename"
                ) || q.ends_with(".write_text")
                    || q.ends_with(".write_bytes")
                {
                    Some("file-write")
                } else if q == "open" {
                    let (pos, kw) = self.args(n);
                    let mode = Self::arg(&pos, &kw, "1")
                        .or_else(|| Self::arg(&pos, &kw, "mode"))
                        .and_then(|m| self.string_value(m))
                        .unwrap_or_default();
                    Some(if mode.contains(['w', 'a', 'x', '+']) {
                        "file-write"
                    } else {
                        "file-read"
                    })
                } else if parts
                    .last()
                    .is_some_and(|l| l == "execute" || l == "executemany")
                {
                    Some("sql")
                } else {
                    None
                };
                if let Some(c) = cap {
                    out.push(c.to_string());
                }
            }
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            self.capabilities(ch, out, depth + 1);
        }
    }

    fn assignment(&mut self, n: Node<'s>) {
        let (Some(left), Some(right)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            return;
        };
        if left.kind() != "identifier" {
            return;
        }
        let var = self.text(left).to_string();
        // Inside a function, a local built from a parameter or the request global carries that input.
        if !self.funcs.is_empty() {
            let mut names = Vec::new();
            self.identifiers(right, &mut names, 0);
            let from = names.iter().find_map(|(name, _)| {
                let f = self.funcs.last()?;
                if f.params.contains(name) {
                    return Some(name.clone());
                }
                if let Some((_, src)) = f.derived.iter().find(|(d, _)| d == name) {
                    return Some(src.clone());
                }
                let q = self.aliases.get(name)?;
                REQUEST_GLOBALS
                    .contains(&q.as_str())
                    .then(|| "request".to_string())
            });
            if let (Some(src), Some(f)) = (from, self.funcs.last_mut()) {
                if !f.derived.iter().any(|(d, _)| d == &var) {
                    f.derived.push((var.clone(), src));
                }
            }
        }
        if let Some(s) = self.string_value(right) {
            self.strings.insert(var, s);
            return;
        }
        if let Some(e) = self.env_name(right) {
            self.env_vars.insert(var, e);
            return;
        }
        let mut call = right;
        while call.kind() == "await" {
            match call.named_child(0) {
                Some(c) => call = c,
                None => return,
            }
        }
        if call.kind() != "call" {
            // `tools = [ShellTool()] + toolkit.get_tools()` and other expressions: the variable names what
            // it is built from, for agents given it.
            let mut calls = Vec::new();
            Self::calls_in(call, &mut calls, 0);
            let held: Vec<usize> = calls.into_iter().filter_map(|c| self.sight(c)).collect();
            if !held.is_empty() {
                self.lists.insert(var, held);
            }
            return;
        }
        let Some(parts) = call
            .child_by_field_name("function")
            .and_then(|f| self.dotted(f, 0))
        else {
            return;
        };
        if parts[0] == "open" && parts.len() == 1 {
            let (pos, kw) = self.args(call);
            if let Some(p) = Self::arg(&pos, &kw, "0").and_then(|a| self.string_value(a)) {
                self.opened.insert(var, p);
            }
            return;
        }
        let q = self.qualify(&parts).unwrap_or_default();
        if q.contains("secretsmanager")
            || q.contains("secretmanager")
            || q.contains("keyvault")
            || q.starts_with("hvac")
            || parts.iter().any(|p| {
                matches!(
                    p.as_str(),
                    "get_secret_value"
                        | "get_secret"
                        | "access_secret_version"
                        | "read_secret_version"
                )
            })
        {
            self.secret_vars.push(var.clone());
        }
        // The sighting this call creates (the call is visited next, by `walk`) or the one its receiver holds
        // (`index = pc.Index("x")` is still the Pinecone store).
        let held = self
            .vars
            .get(&parts[0])
            .copied()
            .filter(|_| parts.len() > 1);
        match held {
            Some(i) => {
                self.vars.insert(var, i);
            }
            None => {
                if let Some(i) = self.sight(call) {
                    self.vars.insert(var, i);
                }
            }
        }
    }

    fn with_item(&mut self, n: Node<'s>) {
        // `with open("p") as fh` / `with psycopg.connect(url) as conn`.
        let Some(v) = n.child_by_field_name("value") else {
            return;
        };
        if v.kind() != "as_pattern" {
            return;
        }
        let (Some(call), Some(alias)) = (v.named_child(0), v.child_by_field_name("alias")) else {
            return;
        };
        let var = self.text(alias).trim().to_string();
        if call.kind() != "call" {
            return;
        }
        let parts = call
            .child_by_field_name("function")
            .and_then(|f| self.dotted(f, 0))
            .unwrap_or_default();
        if parts.len() == 1 && parts[0] == "open" {
            let (pos, kw) = self.args(call);
            if let Some(p) = Self::arg(&pos, &kw, "0").and_then(|a| self.string_value(a)) {
                self.opened.insert(var, p);
            }
        } else if let Some(i) = self.sight(call) {
            self.vars.insert(var, i);
        }
    }

    /// Creates the sighting a call makes, once per call node (an assignment and the walk both ask).
    fn sight(&mut self, call: Node<'s>) -> Option<usize> {
        let line = Self::line(call);
        let col = call.start_position().column as u32;
        if let Some(i) = self.facts.sightings.iter().position(|s| {
            s.line == line && s.extra.get("col").and_then(|c| c.as_u64()) == Some(col as u64)
        }) {
            return Some(i);
        }
        let parts = call
            .child_by_field_name("function")
            .and_then(|f| self.dotted(f, 0))?;
        let q = self.qualify(&parts)?;
        let (pos, kw) = self.args(call);
        let mcp = matches!(
            q.as_str(),
            "mcp.server.fastmcp.FastMCP"
                | "fastmcp.FastMCP"
                | "mcp.server.Server"
                | "mcp.server.lowlevel.Server"
        );
        let entry: Option<&Entry> = if mcp { None } else { catalog::lookup(&q) };
        if entry.is_none() && !mcp {
            return None;
        }
        if let Some(e) = entry {
            if !e.only_arg0.is_empty() {
                let a0 = Self::arg(&pos, &kw, "0")
                    .or_else(|| Self::arg(&pos, &kw, "service_name"))
                    .and_then(|a| self.string_value(a))?;
                if !e.only_arg0.contains(&a0) {
                    return None;
                }
            }
        }
        let mut s = Sighting {
            line,
            end_line: call.end_position().row as u32 + 1,
            ..Default::default()
        };
        s.extra.insert("col".into(), col.into());
        s.extra.insert("call".into(), q.clone().into());
        if mcp {
            s.kind = "mcp-server".into();
            s.framework = Some("MCP Python SDK".into());
            s.name = Self::arg(&pos, &kw, "0")
                .or_else(|| Self::arg(&pos, &kw, "name"))
                .and_then(|a| self.string_value(a))
                .unwrap_or_else(|| "MCP server".into());
            s.extra.insert("source".into(), "code".into());
        } else if let Some(e) = entry {
            s.kind = e.kind.clone();
            s.provider = e.provider.clone();
            s.framework = e.framework.clone();
            s.embeddings = e.embeddings;
            if let Some(c) = &e.capability {
                s.capabilities.push(c.clone());
            }
            let named = e
                .arg
                .iter()
                .find_map(|spec| Self::arg(&pos, &kw, spec))
                .map(|a| self.val(a));
            let named = match named {
                Some(Val::Var(v)) => Some(
                    self.strings
                        .get(&v)
                        .cloned()
                        .map(Val::Str)
                        .or_else(|| self.opened.get(&v).cloned().map(Val::Str))
                        .or_else(|| self.env_vars.get(&v).cloned().map(Val::Env))
                        .unwrap_or(Val::Var(v)),
                ),
                other => other,
            };
            let last = parts.last().cloned().unwrap_or_default();
            match e.kind.as_str() {
                "llm-client" => {
                    for k in [
                        "base_url",
                        "api_base",
                        "azure_endpoint",
                        "host",
                        "endpoint",
                        "openai_api_base",
                    ] {
                        if let Some(url) = Self::arg(&pos, &kw, k).and_then(|a| match self.val(a) {
                            Val::Str(u) => Some(u),
                            Val::Var(v) => self.strings.get(&v).cloned(),
                            _ => None,
                        }) {
                            if let Some((scheme, rest)) = url.split_once("://") {
                                let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
                                let host = rest.split(['/', ':', '?']).next().unwrap_or("");
                                s.extra
                                    .insert("base_url".into(), format!("{scheme}://{rest}").into());
                                s.extra.insert("host".into(), host.to_string().into());
                            }
                            break;
                        }
                    }
                    s.name = match &e.framework {
                        Some(f) => {
                            format!("{} ({f} {last})", e.provider.clone().unwrap_or_default())
                        }
                        None => e.provider.clone().unwrap_or_default(),
                    };
                    self.models_from(&kw, &mut s);
                    s.key = Some(self.key_source(&kw, e, line));
                }
                "vector-store" => {
                    s.name = e.provider.clone().unwrap_or_default();
                    if let Some(Val::Str(c)) = named {
                        s.collections.push(c);
                    }
                    if !e.key_env.is_empty() {
                        s.key = Some(self.key_source(&kw, e, line));
                    }
                }
                "model" => {
                    let Some(Val::Str(name)) = named else {
                        return None;
                    };
                    let task = if last == "pipeline" {
                        Self::arg(&pos, &kw, "task")
                            .or_else(|| Self::arg(&pos, &kw, "0"))
                            .and_then(|a| self.string_value(a))
                    } else {
                        let class = parts
                            .iter()
                            .rev()
                            .nth(1)
                            .map(String::as_str)
                            .unwrap_or(&last);
                        task_of(class).map(str::to_string)
                    };
                    if let Some(t) = task {
                        s.extra.insert("task".into(), t.into());
                    }
                    let local = looks_local(&name);
                    s.kind = if local {
                        "model-file".into()
                    } else {
                        "model".into()
                    };
                    s.pin = Some(self.pin(&kw, &name, local, e));
                    if local {
                        s.target = Some(name.clone());
                    }
                    s.name = name;
                }
                "model-file" => {
                    let Some(Val::Str(path)) = named else {
                        return None;
                    };
                    s.target = Some(path.clone());
                    s.name = path;
                    s.pin = Some(Pin {
                        pinned: true,
                        revision: None,
                        how: "local".into(),
                    });
                }
                "dataset" => match named {
                    Some(Val::Str(name)) if e.provider.as_deref() == Some("Hugging Face") => {
                        s.pin = Some(self.pin(&kw, &name, false, e));
                        s.name = name;
                    }
                    Some(Val::Str(uri)) => {
                        let (name, db) = describe_uri(&uri)?;
                        s.name = name;
                        s.target = Some(db);
                    }
                    Some(Val::Env(var)) => {
                        s.name = format!("database from ${var}");
                        s.extra.insert("env".into(), var.into());
                    }
                    _ => return None,
                },
                "agent" => {
                    s.name = format!("{} {last}", e.framework.clone().unwrap_or_default());
                    if last == "UserProxyAgent" || last == "CodeExecutorAgent" {
                        let disabled = kw
                            .iter()
                            .any(|(k, v)| k == "code_execution_config" && self.text(*v) == "False");
                        if !disabled {
                            s.capabilities.push("code-exec".into());
                        }
                    }
                    if kw
                        .iter()
                        .any(|(k, v)| k == "allow_code_execution" && self.text(*v) == "True")
                    {
                        s.capabilities.push("code-exec".into());
                    }
                    self.models_from(&kw, &mut s);
                    // What it is given: sightings held by variables among its arguments.
                    let mut given = Vec::new();
                    for a in pos.iter().chain(kw.iter().map(|(_, v)| v)) {
                        self.held_in(*a, &mut given, 0);
                    }
                    s.uses = given;
                }
                "tool" => {
                    s.name = last.clone();
                    if last == "load_tools" {
                        // `load_tools(["terminal", "python_repl", …])`.
                        s.capabilities.clear();
                    }
                }
                _ => {}
            }
        }
        let idx = self.facts.sightings.len();
        self.facts.sightings.push(s);
        Some(idx)
    }

    fn calls_in(n: Node<'s>, out: &mut Vec<Node<'s>>, depth: usize) {
        if depth > 24 {
            return;
        }
        if n.kind() == "call" {
            out.push(n);
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            Self::calls_in(ch, out, depth + 1);
        }
    }

    /// Sightings held by the variables an expression names (`[ShellTool()] + tk.get_tools()`, `tools`).
    fn held_in(&self, n: Node, out: &mut Vec<usize>, depth: usize) {
        if depth > 16 {
            return;
        }
        if n.kind() == "identifier" {
            if let Some(&i) = self.vars.get(self.text(n)) {
                out.push(i);
            }
            if let Some(list) = self.lists.get(self.text(n)) {
                out.extend(list.iter().copied());
            }
            return;
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            self.held_in(ch, out, depth + 1);
        }
    }

    fn models_from(&self, kw: &[(String, Node<'s>)], s: &mut Sighting) {
        for (k, v) in kw {
            if MODEL_ARGS.contains(&k.as_str()) {
                let m = match self.val(*v) {
                    Val::Str(m) => Some(m),
                    Val::Var(var) => self.strings.get(&var).cloned(),
                    _ => None,
                };
                if let Some(m) = m.filter(|m| !m.is_empty() && m.len() < 200) {
                    if !s.models.contains(&m) {
                        s.models.push(m);
                    }
                }
            }
        }
    }

    fn key_source(&self, kw: &[(String, Node<'s>)], e: &Entry, line: u32) -> KeySource {
        let given = kw.iter().find(|(k, _)| KEY_ARGS.contains(&k.as_str()));
        let Some((_, v)) = given else {
            let cloud = e
                .key_env
                .iter()
                .any(|k| k == "AWS_ACCESS_KEY_ID" || k == "GOOGLE_APPLICATION_CREDENTIALS");
            return KeySource {
                from: if e.key_env.is_empty() {
                    "none".into()
                } else if cloud {
                    "cloud-identity".into()
                } else {
                    "sdk-default".into()
                },
                env: e.key_env.clone(),
                line,
            };
        };
        let line = Self::line(*v);
        match self.val(*v) {
            Val::Str(_) => KeySource {
                from: "hard-coded".into(),
                env: vec![],
                line,
            },
            Val::Env(var) => KeySource {
                from: "env".into(),
                env: vec![var],
                line,
            },
            Val::Var(var) if self.env_vars.contains_key(&var) => KeySource {
                from: "env".into(),
                env: vec![self.env_vars[&var].clone()],
                line,
            },
            Val::Var(var) if self.secret_vars.contains(&var) => KeySource {
                from: "secret-manager".into(),
                env: vec![],
                line,
            },
            Val::Var(var) if self.strings.contains_key(&var) => KeySource {
                from: "hard-coded".into(),
                env: vec![],
                line,
            },
            _ => {
                let text = self.text(*v);
                let from = if text.contains("secret") || text.contains("vault") {
                    "secret-manager"
                } else if text.contains("environ") || text.contains("getenv") {
                    "env"
                } else {
                    "code"
                };
                KeySource {
                    from: from.into(),
                    env: vec![],
                    line,
                }
            }
        }
    }

    fn pin(&self, kw: &[(String, Node<'s>)], name: &str, local: bool, e: &Entry) -> Pin {
        if local {
            return Pin {
                pinned: true,
                revision: None,
                how: "local".into(),
            };
        }
        // `torch.hub.load("owner/repo:ref", …)`.
        if e.provider.as_deref() == Some("PyTorch Hub") {
            return match name.split_once(':') {
                Some((_, r)) if is_commit(r) => Pin {
                    pinned: true,
                    revision: Some(r.into()),
                    how: "commit".into(),
                },
                Some((_, r)) => Pin {
                    pinned: false,
                    revision: Some(r.into()),
                    how: "mutable-ref".into(),
                },
                None => Pin {
                    pinned: false,
                    revision: None,
                    how: "none".into(),
                },
            };
        }
        let rev = kw
            .iter()
            .find(|(k, _)| k == "revision" || k == "commit_hash")
            .map(|(_, v)| match self.val(*v) {
                Val::Str(s) => s,
                Val::Var(var) => self.strings.get(&var).cloned().unwrap_or(var),
                _ => self.text(*v).to_string(),
            });
        match rev {
            Some(r) if is_commit(&r) => Pin {
                pinned: true,
                revision: Some(r),
                how: "commit".into(),
            },
            Some(r) => Pin {
                pinned: false,
                revision: Some(r),
                how: "mutable-ref".into(),
            },
            None => Pin {
                pinned: false,
                revision: None,
                how: "none".into(),
            },
        }
    }

    fn call(&mut self, n: Node<'s>) {
        if let Some(e) = self.env_name(n) {
            self.facts.env.push(EnvRead {
                name: e,
                line: Self::line(n),
            });
        }
        let Some(parts) = n
            .child_by_field_name("function")
            .and_then(|f| self.dotted(f, 0))
        else {
            return;
        };
        // Calls on a variable that holds a sighting.
        if let Some(&i) = self.vars.get(&parts[0]) {
            if parts.len() > 1 {
                self.use_of(i, n, &parts);
                return;
            }
        }
        // `Runner.run(agent, input)` (OpenAI Agents).
        if parts.len() == 2 && parts[0] == "Runner" {
            let (pos, _) = self.args(n);
            if let Some(&i) = pos.first().and_then(|a| self.vars.get(self.text(*a))) {
                let inputs = self.inputs_of(&pos[1..]);
                self.facts.sightings[i].inputs.extend(inputs);
            }
            return;
        }
        // `pickle.load(fh)` after `with open("m.pkl", "rb") as fh`.
        let idx = self.sight(n);
        if let Some(i) = idx {
            let s = &self.facts.sightings[i];
            if s.kind == "llm-client"
                && s.extra
                    .get("call")
                    .and_then(|c| c.as_str())
                    .is_some_and(|c| {
                        c.ends_with(".create")
                            || c.contains("completion")
                            || c.ends_with("chat")
                            || c.ends_with("generate")
                    })
            {
                // A module-level call (`openai.chat.completions.create(…)`, `litellm.completion(…)`):
                // its messages are its input.
                let (pos, kw) = self.args(n);
                let mut all: Vec<Node> = pos;
                all.extend(kw.into_iter().map(|(_, v)| v));
                let inputs = self.inputs_of(&all);
                self.facts.sightings[i].inputs.extend(inputs);
            }
        }
    }

    /// `client.chat.completions.create(model=…, messages=…)`, `pc.Index("name")`, `index.upsert(…)`,
    /// `agent.run(…)`.
    fn use_of(&mut self, i: usize, call: Node<'s>, parts: &[String]) {
        let method = parts.last().map(String::as_str).unwrap_or("");
        let (pos, kw) = self.args(call);
        let kind = self.facts.sightings[i].kind.clone();
        if kind == "llm-client" || kind == "agent" {
            let mut tmp = std::mem::take(&mut self.facts.sightings[i]);
            self.models_from(&kw, &mut tmp);
            self.facts.sightings[i] = tmp;
        }
        if RUN_METHODS.contains(&method) && (kind == "llm-client" || kind == "agent") {
            let mut all: Vec<Node> = pos.clone();
            all.extend(kw.iter().map(|(_, v)| *v));
            let inputs = self.inputs_of(&all);
            for inp in inputs {
                if !self.facts.sightings[i].inputs.contains(&inp) {
                    self.facts.sightings[i].inputs.push(inp);
                }
            }
        }
        if kind == "vector-store" {
            if COLLECTION_METHODS.contains(&method) {
                let name = Self::arg(&pos, &kw, "0")
                    .or_else(|| Self::arg(&pos, &kw, "name"))
                    .or_else(|| Self::arg(&pos, &kw, "collection_name"))
                    .or_else(|| Self::arg(&pos, &kw, "index_name"))
                    .and_then(|a| match self.val(a) {
                        Val::Str(s) => Some(s),
                        Val::Var(v) => self.strings.get(&v).cloned(),
                        _ => None,
                    });
                if let Some(name) = name {
                    let s = &mut self.facts.sightings[i];
                    if !s.collections.contains(&name) {
                        s.collections.push(name);
                    }
                }
            }
            if WRITE_METHODS.contains(&method) {
                let mut keys = Vec::new();
                for a in pos.iter().chain(kw.iter().map(|(_, v)| v)) {
                    self.dict_keys(*a, &mut keys, 0);
                }
                let s = &mut self.facts.sightings[i];
                s.extra.insert("written".into(), true.into());
                for k in keys {
                    if !s.fields.contains(&k) {
                        s.fields.push(k);
                    }
                }
            }
        }
    }

    /// String keys of dict literals inside an expression (vector metadata).
    fn dict_keys(&self, n: Node, out: &mut Vec<String>, depth: usize) {
        if depth > 24 {
            return;
        }
        if n.kind() == "pair" {
            if let Some(k) = n
                .child_by_field_name("key")
                .and_then(|k| self.string_value(k))
            {
                out.push(k);
            }
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            self.dict_keys(ch, out, depth + 1);
        }
    }

    /// Parameters of the enclosing function that an expression uses: input that reaches a prompt or an
    /// agent from the function's caller (from an HTTP request, for a route handler).
    fn inputs_of(&self, nodes: &[Node]) -> Vec<Input> {
        let Some(f) = self.funcs.last() else {
            return vec![];
        };
        let mut names = Vec::new();
        for n in nodes {
            self.identifiers(*n, &mut names, 0);
        }
        let mut out: Vec<Input> = Vec::new();
        for (name, line) in names {
            if out.iter().any(|i| i.name == name) {
                continue;
            }
            let derived = f
                .derived
                .iter()
                .find(|(d, _)| d == &name)
                .map(|(_, src)| src);
            let source = if f.params.contains(&name) {
                if f.handler {
                    "http-request"
                } else {
                    "parameter"
                }
            } else if derived.is_some_and(|s| s == "request") {
                "http-request"
            } else if let Some(src) = derived {
                if f.handler || !f.params.contains(src) {
                    "http-request"
                } else {
                    "parameter"
                }
            } else {
                continue;
            };
            out.push(Input {
                source: source.into(),
                name,
                function: f.name.clone(),
                line,
            });
        }
        out
    }

    fn identifiers(&self, n: Node, out: &mut Vec<(String, u32)>, depth: usize) {
        if depth > 32 {
            return;
        }
        match n.kind() {
            "identifier" => out.push((self.text(n).to_string(), Self::line(n))),
            // `q.text`: the object is what comes in.
            "attribute" => {
                if let Some(o) = n.child_by_field_name("object") {
                    self.identifiers(o, out, depth + 1);
                }
            }
            "keyword_argument" => {
                if let Some(v) = n.child_by_field_name("value") {
                    self.identifiers(v, out, depth + 1);
                }
            }
            _ => {
                let mut c = n.walk();
                for ch in n.named_children(&mut c) {
                    self.identifiers(ch, out, depth + 1);
                }
            }
        }
    }

    /// A string literal: SQL a file runs, a database address, a bucket path.
    fn literal(&mut self, s: &str, line: u32) {
        crate::sighting::note_literal(&mut self.sql, &mut self.uris, s, line);
    }

    /// Joins what the walk collected: local model files get their `open()` path, SQL tables and addresses
    /// become data sets when the file has AI assets, and stores written in a file that reads tables read them.
    fn finish(&mut self) {
        crate::sighting::link_agents(&mut self.facts);
        let has_ai = self.facts.sightings.iter().any(|s| {
            matches!(
                s.kind.as_str(),
                "llm-client" | "model" | "agent" | "vector-store" | "mcp-server" | "tool"
            )
        });
        if !has_ai {
            // A file that only opens a database or loads a pickle is not an AI asset on its own.
            self.facts
                .sightings
                .retain(|s| s.kind == "model-file" && looks_like_model_file(&s.name));
            return;
        }
        crate::sighting::add_data_sets(
            &mut self.facts,
            std::mem::take(&mut self.sql),
            std::mem::take(&mut self.uris),
        );
        for s in &mut self.facts.sightings {
            s.extra.remove("col");
        }
    }
}

/// The Hugging Face task a model class serves, where its name says it.
fn task_of(class: &str) -> Option<&'static str> {
    Some(match class {
        "SentenceTransformer" => "sentence-similarity",
        "CrossEncoder" => "text-ranking",
        c if c.ends_with("ForSequenceClassification") => "text-classification",
        c if c.ends_with("ForCausalLM") => "text-generation",
        c if c.ends_with("ForSeq2SeqLM") => "text2text-generation",
        c if c.ends_with("ForTokenClassification") => "token-classification",
        c if c.ends_with("ForQuestionAnswering") => "question-answering",
        c if c.ends_with("ForImageClassification") => "image-classification",
        c if c.ends_with("ForSpeechSeq2Seq") => "automatic-speech-recognition",
        c if c.ends_with("ForMaskedLM") => "fill-mask",
        "LLM" => "text-generation",
        _ => return None,
    })
}

/// A model name that is a path on disk rather than a hub id.
fn looks_local(name: &str) -> bool {
    name.starts_with('/')
        || name.starts_with("./")
        || name.starts_with("../")
        || name.starts_with('~')
        || name.contains('\\')
        || looks_like_model_file(name)
}

fn looks_like_model_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".pkl",
        ".pickle",
        ".joblib",
        ".pt",
        ".pth",
        ".bin",
        ".h5",
        ".keras",
        ".onnx",
        ".gguf",
        ".safetensors",
        ".ckpt",
        ".skops",
        ".npy",
        ".npz",
        ".pb",
        ".tflite",
    ]
    .iter()
    .any(|e| lower.ends_with(e))
}

fn is_commit(r: &str) -> bool {
    r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A database address or bucket path, described without its credentials: (display name, target).
pub fn describe_uri(uri: &str) -> Option<(String, String)> {
    let (scheme, rest) = uri.split_once("://")?;
    let scheme = scheme
        .split('+')
        .next()
        .unwrap_or(scheme)
        .to_ascii_lowercase();
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.split(':').next().unwrap_or(host);
    match scheme.as_str() {
        "s3" | "gs" | "az" | "abfs" | "abfss" => {
            let target = format!("{scheme}://{rest}");
            Some((
                format!("bucket {scheme}://{host}/{path}")
                    .trim_end_matches('/')
                    .to_string(),
                target,
            ))
        }
        _ => {
            let db = path.split('/').next().unwrap_or("");
            let name = if db.is_empty() {
                format!("{scheme} database at {host}")
            } else {
                format!("{scheme} database {db} at {host}")
            };
            Some((name, format!("{scheme}://{host}/{db}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sights(src: &str) -> Vec<Sighting> {
        scan(src.as_bytes()).unwrap().sightings
    }

    #[test]
    fn an_openai_client_with_its_model_and_key_from_the_environment() {
        let s = sights(
            "import os\nfrom openai import OpenAI\nclient = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])\n\
             def ask(q):\n    return client.chat.completions.create(model=\"gpt-4o-mini\", messages=[{\"role\": \"user\", \"content\": q}])\n",
        );
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].kind, "llm-client");
        assert_eq!(s[0].provider.as_deref(), Some("OpenAI"));
        assert_eq!(s[0].models, ["gpt-4o-mini"]);
        let key = s[0].key.as_ref().unwrap();
        assert_eq!(
            (key.from.as_str(), key.env.clone()),
            ("env", vec!["OPENAI_API_KEY".to_string()])
        );
        assert_eq!(s[0].inputs[0].name, "q");
    }

    #[test]
    fn only_files_that_import_an_ai_library_or_load_a_model_file_are_parsed() {
        assert!(worth_parsing(b"import os\nfrom openai import OpenAI\n"));
        assert!(worth_parsing(b"from google.genai import Client\n"));
        assert!(worth_parsing(
            b"import pickle\nm = pickle.load(open('m.pkl', 'rb'))\n"
        ));
        assert!(!worth_parsing(
            b"import pickle\nstate = pickle.loads(blob)\n"
        ));
        assert!(!worth_parsing(
            b"import sqlite3\nfrom google.cloud import storage\n"
        ));
        assert!(!worth_parsing(b"# we might import openai one day\nx = 1\n"));
    }

    #[test]
    fn flask_request_data_through_a_local_is_http_input() {
        let s = sights(
            "from flask import Flask, request\nfrom openai import OpenAI\nclient = OpenAI(base_url=\"http://llm:8000/v1\")\n\
             @app.route(\"/ask\", methods=[\"POST\"])\ndef ask():\n    q = request.json[\"q\"]\n    prompt = f\"Answer: {q}\"\n    return \
             client.chat.completions.create(model=\"m\", messages=[{\"role\": \"user\", \"content\": prompt}])\n",
        );
        let c = &s[0];
        assert_eq!(c.extra["host"], "llm");
        assert_eq!(c.inputs.len(), 1, "{:?}", c.inputs);
        assert_eq!(
            (c.inputs[0].source.as_str(), c.inputs[0].name.as_str()),
            ("http-request", "prompt")
        );
    }

    #[test]
    fn an_unpinned_and_a_pinned_hub_model() {
        let s = sights(
            "from transformers import AutoModel\na = AutoModel.from_pretrained(\"org/m\")\n\
             b = AutoModel.from_pretrained(\"org/n\", revision=\"0123456789abcdef0123456789abcdef01234567\")\n\
             c = AutoModel.from_pretrained(\"org/o\", revision=\"main\")\n",
        );
        let pins: Vec<(&str, bool, &str)> = s
            .iter()
            .map(|x| {
                (
                    x.name.as_str(),
                    x.pin.as_ref().unwrap().pinned,
                    x.pin.as_ref().unwrap().how.as_str(),
                )
            })
            .collect();
        assert_eq!(
            pins,
            [
                ("org/m", false, "none"),
                ("org/n", true, "commit"),
                ("org/o", false, "mutable-ref")
            ]
        );
    }

    #[test]
    fn a_name_that_is_not_imported_from_the_sdk_is_not_a_client() {
        assert!(sights("class OpenAI: pass\nclient = OpenAI()\n").is_empty());
        assert!(sights("from mylib import OpenAI\nclient = OpenAI()\n").is_empty());
    }

    #[test]
    fn an_agent_with_its_tools_and_untrusted_input() {
        let s = sights(
            "from langchain.agents import initialize_agent\nfrom langchain_community.tools import ShellTool\n\
             from langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model=\"gpt-4o\")\n\
             agent = initialize_agent([ShellTool()], llm)\n\
             def handle(body):\n    return agent.run(f\"do {body}\")\n",
        );
        let agent = s.iter().find(|x| x.kind == "agent").unwrap();
        let tool = s.iter().position(|x| x.kind == "tool").unwrap();
        assert!(agent.uses.contains(&tool));
        assert_eq!(s[tool].capabilities, ["shell"]);
        assert_eq!(agent.inputs[0].name, "body");
    }

    #[test]
    fn a_pickle_opened_by_path_is_a_model_file() {
        let s = sights(
            "import pickle\nwith open(\"models/m.pkl\", \"rb\") as fh:\n    m = pickle.load(fh)\n",
        );
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].kind, "model-file");
        assert_eq!(s[0].target.as_deref(), Some("models/m.pkl"));
    }

    #[test]
    fn sql_tables_become_data_sets_only_beside_ai_assets() {
        let q = "import psycopg\nrows = conn.execute(\"SELECT id, email FROM customers\")\n";
        assert!(sights(q).is_empty());
        let with_ai = format!("{q}from openai import OpenAI\nc = OpenAI()\n");
        let s = sights(&with_ai);
        let t = s.iter().find(|x| x.kind == "dataset").unwrap();
        assert_eq!(t.name, "customers");
        assert_eq!(t.fields, ["id", "email"]);
    }

    #[test]
    fn database_addresses_lose_their_credentials() {
        assert_eq!(
            describe_uri(
                "postgresql://ops:hunter2@db.internal:5432/operations?sslmode=require" // warden:ignore
            )
            .unwrap(),
            (
                "postgresql database operations at db.internal".to_string(),
                "postgresql://db.internal/operations".to_string()
            )
        );
    }

    proptest::proptest! {
        #[test]
        fn any_input_parses_without_panicking(src in "(?s).{0,400}") {
            let _ = scan(src.as_bytes());
        }

        #[test]
        fn python_shaped_input_never_panics(
            lines in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just("from openai import OpenAI".to_string()),
                proptest::strategy::Just("import os".to_string()),
                proptest::strategy::Just("c = OpenAI(api_key=os.environ['K'])".to_string()),
                proptest::strategy::Just("c.chat.completions.create(model='m', messages=x)".to_string()),
                proptest::strategy::Just("def f(a):".to_string()),
                proptest::strategy::Just("    return c.run(a)".to_string()),
                "[a-z(),.=\"' \\[\\]]{0,40}",
            ], 0..30)
        ) {
            let _ = scan(lines.join("\n").as_bytes());
        }
    }
}
