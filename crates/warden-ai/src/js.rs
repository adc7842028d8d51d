//! AI assets in JavaScript and TypeScript source, from a tree-sitter parse: `import`s and `require`s resolve
//! call names, the JavaScript catalog (`data/catalog-js.toml`) says what a call or `new` creates, and
//! variables carry a sighting to the later calls on it (`client.chat.completions.create({ model })`,
//! `pc.index("name")`, `agent.invoke(…)`). The shapes produced are the Python extractor's
//! ([`crate::python`]); nothing is executed or imported.

use crate::catalog::Entry;
use crate::python::describe_uri;
use crate::sighting::{EnvRead, FileFacts, Input, KeySource, Sighting};
use regex::Regex;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;
use tree_sitter::{Node, Parser};

/// Deeper nesting than this is not followed (pathological generated code); what was seen so far stands.
const MAX_DEPTH: usize = 400;

/// Option properties that carry a key.
const KEY_PROPS: &[&str] = &[
    "apiKey",
    "api_key",
    "openAIApiKey",
    "openaiApiKey",
    "anthropicApiKey",
    "azureOpenAIApiKey",
    "azureADTokenProvider",
    "token",
    "authToken",
    "auth",
    "accessToken",
    "credentials",
    "authCredentials",
    "accessKeyId",
];
/// Option properties that name the model a client calls.
const MODEL_PROPS: &[&str] = &[
    "model",
    "modelId",
    "modelName",
    "deployment",
    "deploymentName",
    "azureOpenAIApiDeploymentName",
];
/// Methods that hand input to an agent or a model.
const RUN_METHODS: &[&str] = &[
    "create",
    "parse",
    "stream",
    "generateContent",
    "generateContentStream",
    "sendMessage",
    "sendMessageStream",
    "invoke",
    "batch",
    "call",
    "run",
    "chat",
    "chatStream",
    "generate",
    "send",
    "complete",
    "predict",
    "query",
    "streamEvents",
    "textGeneration",
    "chatCompletion",
    "chatCompletionStream",
];
/// Methods that write into a vector store.
const WRITE_METHODS: &[&str] = &[
    "upsert",
    "upsertRecords",
    "add",
    "addDocuments",
    "addVectors",
    "insert",
    "insertMany",
    "fromDocuments",
    "fromTexts",
];
/// Methods that name a vector store's index or collection.
const COLLECTION_METHODS: &[&str] = &[
    "index",
    "Index",
    "getOrCreateCollection",
    "getCollection",
    "createCollection",
    "collection",
    "get",
    "create",
    "use",
    "openTable",
    "createTable",
    "createIndex",
];
/// Vector-store methods whose first argument, when a string, is the collection (Qdrant).
const COLLECTION_FIRST_ARG: &[&str] =
    &["upsert", "search", "query", "retrieve", "scroll", "delete"];
/// Properties of an options object that name a vector store's collection.
const COLLECTION_PROPS: &[&str] = &["name", "collectionName", "indexName", "collection", "index"];
/// Properties whose object values are the metadata written beside vectors.
const METADATA_PROPS: &[&str] = &["metadata", "metadatas", "payload", "properties"];
/// Methods of a Vercel AI SDK provider that give a model (`openai.chat("gpt-4o")`).
const PROVIDER_METHODS: &[&str] = &[
    "chat",
    "completion",
    "responses",
    "languageModel",
    "messages",
    "embedding",
    "textEmbedding",
    "textEmbeddingModel",
    "embeddingModel",
    "image",
    "imageModel",
];
const EMBEDDING_METHODS: &[&str] = &[
    "embedding",
    "textEmbedding",
    "textEmbeddingModel",
    "embeddingModel",
];
/// Methods of an object that register route handlers (Express, Fastify, Hono, Koa routers).
const ROUTE_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "del", "all", "options", "head", "use", "route",
];
/// Names that hold a web application or router.
const ROUTER_OBJECTS: &[&str] = &[
    "app", "router", "server", "fastify", "api", "hono", "routes", "route", "r", "express",
];
const HTTP_VERBS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
/// Methods that run SQL text given as their first argument.
const SQL_METHODS: &[&str] = &[
    "query",
    "execute",
    "raw",
    "unsafe",
    "prepare",
    "exec",
    "$queryRaw",
    "$queryRawUnsafe",
    "$executeRaw",
    "$executeRawUnsafe",
];

#[derive(Deserialize)]
struct CatalogFile {
    entry: Vec<Entry>,
}

pub const CATALOG_JS_TOML: &str = include_str!("../data/catalog-js.toml");

/// Every entry of the JavaScript catalog; a broken catalog is a build-time mistake that the crate's tests
/// catch.
pub fn js_entries() -> &'static [Entry] {
    static E: OnceLock<Vec<Entry>> = OnceLock::new();
    E.get_or_init(|| {
        toml::from_str::<CatalogFile>(CATALOG_JS_TOML)
            .map(|f| f.entry)
            .unwrap_or_default()
    })
}

/// An import source without what does not change the package: `node:fs` is `fs`, `…/mcp.js` is `…/mcp`.
fn norm_module(m: &str) -> &str {
    let m = m.strip_prefix("node:").unwrap_or(m);
    m.strip_suffix(".js")
        .or_else(|| m.strip_suffix(".mjs"))
        .or_else(|| m.strip_suffix(".cjs"))
        .unwrap_or(m)
}

/// The npm package an import source names: `@scope/name` or `name`.
fn package_of(m: &str) -> &str {
    let m = norm_module(m);
    let mut seg = m.match_indices('/');
    let cut = if m.starts_with('@') {
        seg.nth(1)
    } else {
        seg.next()
    };
    match cut {
        Some((i, _)) => &m[..i],
        None => m,
    }
}

fn module_matches(entry_module: &str, imported: &str, exact: bool) -> bool {
    let (e, i) = (norm_module(entry_module), norm_module(imported));
    e == i || (!exact && i.len() > e.len() && i.starts_with(e) && i.as_bytes()[e.len()] == b'/')
}

/// What a resolved name matched in the catalog.
struct Hit {
    idx: usize,
    entry: &'static Entry,
    /// The catalog name matched (`createOpenAI`, `Chroma`).
    name: String,
    /// What follows it: a static factory (`fromDocuments`) or a provider's model method (`embedding`).
    method: Option<String>,
}

/// The entry `<module>.<path>` matches, if any.
fn lookup(module: &str, path: &[String]) -> Option<Hit> {
    let path: Vec<&str> = match path {
        [] => vec!["default"],
        [d, rest @ ..] if d == "default" && !rest.is_empty() => {
            rest.iter().map(String::as_str).collect()
        }
        p => p.iter().map(String::as_str).collect(),
    };
    let rest = path.join(".");
    for (idx, e) in js_entries().iter().enumerate() {
        for n in &e.names {
            let exact = n == "default";
            if !e.modules.iter().any(|m| module_matches(m, module, exact)) {
                continue;
            }
            if rest == *n {
                return Some(Hit {
                    idx,
                    entry: e,
                    name: n.clone(),
                    method: None,
                });
            }
            let Some(tail) = rest
                .strip_prefix(n.as_str())
                .and_then(|t| t.strip_prefix('.'))
            else {
                continue;
            };
            let factory = tail.starts_with("from") && !tail.contains('.');
            let provider = e.kind == "model-provider" && PROVIDER_METHODS.contains(&tail);
            if factory || provider {
                return Some(Hit {
                    idx,
                    entry: e,
                    name: n.clone(),
                    method: Some(tail.to_string()),
                });
            }
        }
    }
    None
}

/// `from "pkg"`, `require("pkg")` for the catalog's packages (and their subpaths).
fn import_re() -> &'static regex::bytes::Regex {
    static R: OnceLock<regex::bytes::Regex> = OnceLock::new();
    R.get_or_init(|| {
        let mut pkgs: Vec<String> = js_entries()
            .iter()
            .filter(|e| e.kind != "dataset")
            .flat_map(|e| e.modules.iter())
            .map(|m| regex::escape(package_of(m)))
            .collect();
        pkgs.sort();
        pkgs.dedup();
        regex::bytes::Regex::new(&format!(
            r#"(?:\bfrom|\brequire\s*\()\s*["'](?:node:)?(?:{})(?:/[^"'\r\n]*)?["']"#,
            pkgs.join("|")
        ))
        .expect("import pattern")
    })
}

/// Whether a JavaScript or TypeScript file can hold anything the catalog knows, decided before parsing: it
/// imports or requires an AI SDK, framework, MCP SDK or vector store. Most files do not and are never parsed.
pub fn worth_parsing(src: &[u8]) -> bool {
    if memchr::memmem::find(src, b"from").is_none()
        && memchr::memmem::find(src, b"require").is_none()
    {
        return false;
    }
    import_re().is_match(src)
}

#[derive(Clone, Copy, PartialEq)]
enum Lang {
    JavaScript,
    TypeScript,
    Tsx,
}

fn lang_of(path: &str) -> Lang {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".tsx") {
        Lang::Tsx
    } else if lower.ends_with(".ts") || lower.ends_with(".mts") || lower.ends_with(".cts") {
        Lang::TypeScript
    } else {
        Lang::JavaScript
    }
}

thread_local! {
    static PARSERS: std::cell::RefCell<[Option<Parser>; 3]> = const { std::cell::RefCell::new([None, None, None]) };
}

/// Parses one JavaScript or TypeScript file (the grammar follows `path`'s extension) and returns what it
/// sights; `Err` names why it could not be parsed.
pub fn scan(src: &[u8], path: &str) -> Result<FileFacts, String> {
    let lang = lang_of(path);
    let tree = PARSERS.with(|cell| {
        let mut slots = cell.borrow_mut();
        let slot = &mut slots[lang as usize];
        if slot.is_none() {
            let mut p = Parser::new();
            let language = match lang {
                Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
                Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
                Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            };
            p.set_language(&language)
                .map_err(|e| format!("grammar: {e}"))?;
            *slot = Some(p);
        }
        let parser = slot.as_mut().expect("parser");
        let tree = parser.parse(src, None);
        parser.reset();
        tree.ok_or_else(|| "the JavaScript parser gave up on this file".to_string())
    })?;
    let mut cx = Cx::new(src, path);
    let root = tree.root_node();
    cx.imports(root, 0);
    cx.walk(root, 0);
    cx.finish();
    Ok(cx.facts)
}

/// A value, as far as the file shows it.
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
    /// Variables of the function computed from a parameter (`const { q } = req.body`): variable → parameter.
    derived: HashMap<String, String>,
}

/// What kind of web route file the path is (Next.js, SvelteKit and Remix route modules export handlers).
#[derive(Default)]
struct RouteFile {
    /// `app/**/route.ts`, `+server.ts`: exported `GET`, `POST`, … serve requests.
    verbs: bool,
    /// `pages/api/**`: the default export serves requests.
    default_export: bool,
    /// `app/routes/**` (Remix, React Router): exported `action` and `loader` serve requests.
    action_loader: bool,
}

struct Cx<'s> {
    src: &'s [u8],
    route_file: RouteFile,
    /// Local name → (import source, exported path): `import { OpenAI as O } from "openai"` is
    /// `O → ("openai", ["OpenAI"])`, a default import `["default"]`, a namespace or `require` `[]`.
    aliases: HashMap<String, (String, Vec<String>)>,
    /// Variable (`client`, `this.client`) → the sighting it holds.
    vars: HashMap<String, usize>,
    /// `const X = "literal"`: variable → string (model names held in constants).
    strings: HashMap<String, String>,
    /// Variables assigned from an environment variable: variable → its name.
    env_vars: HashMap<String, String>,
    /// Variables assigned from a secret manager.
    secret_vars: HashSet<String>,
    /// Variables assigned an expression that builds or names sightings (`const tools = [shell, search]`).
    lists: HashMap<String, Vec<usize>>,
    /// Vercel AI SDK provider clients (one per provider and embeddings-or-not per file).
    vercel: HashSet<usize>,
    /// Clients kept once per file: key → sighting.
    shared: HashMap<String, usize>,
    /// Classes that define a tool → the tool's sighting.
    classes: HashMap<String, usize>,
    /// `const t = new StdioServerTransport()`: variable → constructor name.
    news: HashMap<String, String>,
    /// Functions passed by name to a route registration (`app.post("/x", handle)`).
    route_fns: HashSet<String>,
    /// Call or `new` node (byte range) → the sighting it made, so every path asks once.
    memo: HashMap<(usize, usize), Option<usize>>,
    /// How deep `sight` is in itself (an agent given an agent given …).
    sighting_depth: usize,
    facts: FileFacts,
    funcs: Vec<Func>,
    /// SQL text and its line.
    sql: Vec<(String, u32)>,
    /// Database URIs and bucket paths in strings, with their line.
    uris: Vec<(String, u32)>,
}

/// SQL a tool runs: any statement.
fn sql_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(
            r"(?is)^\s*(select|with|insert|update|delete|create|drop|alter|truncate|merge|replace|grant)\s",
        )
        .expect("re")
    })
}

/// The key of a client given none: the SDK reads its variables (or the cloud's credentials chain).
fn default_key(key_env: &[String], line: u32) -> KeySource {
    let cloud = key_env
        .iter()
        .any(|k| k == "AWS_ACCESS_KEY_ID" || k == "GOOGLE_APPLICATION_CREDENTIALS");
    KeySource {
        from: if key_env.is_empty() {
            "none"
        } else if cloud {
            "cloud-identity"
        } else {
            "sdk-default"
        }
        .into(),
        env: key_env.to_vec(),
        line,
    }
}

fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "generator_function_declaration"
            | "function_expression"
            | "function"
            | "generator_function"
            | "arrow_function"
            | "method_definition"
    )
}

/// Wrappers that do not change what an expression is: `await x`, `(x)`, `x!`, `x as T`, `<T>x`.
fn unwrap(mut n: Node) -> Node {
    for _ in 0..16 {
        match n.kind() {
            "await_expression"
            | "parenthesized_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
            | "type_assertion" => {
                let mut c = n.walk();
                let inner = n
                    .named_children(&mut c)
                    .find(|x| x.kind() != "type_arguments" && x.kind() != "comment");
                match inner {
                    Some(i) => n = i,
                    None => return n,
                }
            }
            _ => return n,
        }
    }
    n
}

impl<'s> Cx<'s> {
    fn new(src: &'s [u8], path: &str) -> Self {
        let lower = path.replace('\\', "/").to_ascii_lowercase();
        let base = lower.rsplit('/').next().unwrap_or(&lower);
        let stem = base.split('.').next().unwrap_or(base);
        let route_file = RouteFile {
            verbs: stem == "route" || stem == "+server",
            default_export: lower.starts_with("pages/api/") || lower.contains("/pages/api/"),
            action_loader: lower.starts_with("app/routes/") || lower.contains("/app/routes/"),
        };
        Cx {
            src,
            route_file,
            aliases: HashMap::new(),
            vars: HashMap::new(),
            strings: HashMap::new(),
            env_vars: HashMap::new(),
            secret_vars: HashSet::new(),
            lists: HashMap::new(),
            vercel: HashSet::new(),
            shared: HashMap::new(),
            classes: HashMap::new(),
            news: HashMap::new(),
            route_fns: HashSet::new(),
            memo: HashMap::new(),
            sighting_depth: 0,
            facts: FileFacts::default(),
            funcs: Vec::new(),
            sql: Vec::new(),
            uris: Vec::new(),
        }
    }

    fn text(&self, n: Node) -> &'s str {
        std::str::from_utf8(&self.src[n.byte_range()]).unwrap_or("")
    }

    fn line(n: Node) -> u32 {
        n.start_position().row as u32 + 1
    }

    // ---- imports ------------------------------------------------------------------------------------

    /// Every `import` and `require` of the file, wherever it is, and the functions passed by name to route
    /// registrations.
    fn imports(&mut self, n: Node<'s>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match n.kind() {
            "import_statement" => {
                self.import_statement(n);
                return;
            }
            "variable_declarator" => {
                if let (Some(name), Some(value)) = (
                    n.child_by_field_name("name"),
                    n.child_by_field_name("value"),
                ) {
                    if let Some((module, path)) = self.required(unwrap(value), 0) {
                        self.bind_import(name, &module, &path);
                    }
                }
            }
            "call_expression" if self.route_call(n).is_some() => {
                for a in self.args(n) {
                    if a.kind() == "identifier" {
                        self.route_fns.insert(self.text(a).to_string());
                    }
                }
            }
            _ => {}
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            self.imports(ch, depth + 1);
        }
    }

    fn import_statement(&mut self, n: Node<'s>) {
        let source = n
            .child_by_field_name("source")
            .and_then(|s| self.string_value(s));
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            match ch.kind() {
                "import_require_clause" => {
                    // `import x = require("y")` (TypeScript).
                    let m = ch
                        .child_by_field_name("source")
                        .and_then(|s| self.string_value(s));
                    let id = ch.named_child(0).filter(|x| x.kind() == "identifier");
                    if let (Some(m), Some(id)) = (m, id) {
                        self.aliases
                            .insert(self.text(id).to_string(), (m, Vec::new()));
                    }
                }
                "import_clause" => {
                    let Some(m) = source.clone() else { continue };
                    let mut c2 = ch.walk();
                    for part in ch.named_children(&mut c2) {
                        match part.kind() {
                            "identifier" => {
                                self.aliases.insert(
                                    self.text(part).to_string(),
                                    (m.clone(), vec!["default".into()]),
                                );
                            }
                            "namespace_import" => {
                                if let Some(id) = part.named_child(0) {
                                    self.aliases
                                        .insert(self.text(id).to_string(), (m.clone(), Vec::new()));
                                }
                            }
                            "named_imports" => {
                                let mut c3 = part.walk();
                                for spec in part.named_children(&mut c3) {
                                    if spec.kind() != "import_specifier" {
                                        continue;
                                    }
                                    let Some(name) = spec.child_by_field_name("name") else {
                                        continue;
                                    };
                                    let exported = self
                                        .string_value(name)
                                        .unwrap_or_else(|| self.text(name).to_string());
                                    let local = spec
                                        .child_by_field_name("alias")
                                        .map(|a| self.text(a).to_string())
                                        .unwrap_or_else(|| exported.clone());
                                    self.aliases.insert(local, (m.clone(), vec![exported]));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// `require("pkg")`, `require("pkg").a.b`: the module and the path into it.
    fn required(&self, n: Node, depth: usize) -> Option<(String, Vec<String>)> {
        if depth > 16 {
            return None;
        }
        match n.kind() {
            "call_expression" => {
                let f = n.child_by_field_name("function")?;
                if f.kind() != "identifier" || self.text(f) != "require" {
                    return None;
                }
                let a = *self.args(n).first()?;
                Some((self.string_value(a)?, Vec::new()))
            }
            "member_expression" => {
                let (m, mut p) =
                    self.required(unwrap(n.child_by_field_name("object")?), depth + 1)?;
                p.push(self.text(n.child_by_field_name("property")?).to_string());
                Some((m, p))
            }
            _ => None,
        }
    }

    /// `const X = require(…)` / `const { A, B: C } = require(…)`.
    fn bind_import(&mut self, name: Node, module: &str, path: &[String]) {
        match name.kind() {
            "identifier" => {
                self.aliases.insert(
                    self.text(name).to_string(),
                    (module.to_string(), path.to_vec()),
                );
            }
            "object_pattern" => {
                let mut c = name.walk();
                for p in name.named_children(&mut c) {
                    let (key, local) = match p.kind() {
                        "shorthand_property_identifier_pattern" => {
                            (self.text(p).to_string(), self.text(p).to_string())
                        }
                        "pair_pattern" => {
                            let (Some(k), Some(v)) =
                                (p.child_by_field_name("key"), p.child_by_field_name("value"))
                            else {
                                continue;
                            };
                            let v = if v.kind() == "assignment_pattern" {
                                match v.child_by_field_name("left") {
                                    Some(l) => l,
                                    None => continue,
                                }
                            } else {
                                v
                            };
                            if v.kind() != "identifier" {
                                continue;
                            }
                            let key = self
                                .string_value(k)
                                .unwrap_or_else(|| self.text(k).to_string());
                            (key, self.text(v).to_string())
                        }
                        "object_assignment_pattern" => {
                            let Some(l) = p.child_by_field_name("left") else {
                                continue;
                            };
                            (self.text(l).to_string(), self.text(l).to_string())
                        }
                        _ => continue,
                    };
                    let mut full = path.to_vec();
                    full.push(key);
                    self.aliases.insert(local, (module.to_string(), full));
                }
            }
            _ => {}
        }
    }

    // ---- names and values ----------------------------------------------------------------------------

    /// The dotted name of a callee or value: `a.b.c`, with calls and `new` in the chain looked through
    /// (`new OpenAI().chat.completions.create` is `OpenAI.chat.completions.create`).
    fn dotted(&self, n: Node, depth: usize) -> Option<Vec<String>> {
        if depth > 32 {
            return None;
        }
        let n = unwrap(n);
        match n.kind() {
            "identifier" | "property_identifier" | "shorthand_property_identifier" => {
                Some(vec![self.text(n).to_string()])
            }
            "this" => Some(vec!["this".into()]),
            "member_expression" => {
                let mut base = self.dotted(n.child_by_field_name("object")?, depth + 1)?;
                base.push(self.text(n.child_by_field_name("property")?).to_string());
                Some(base)
            }
            "call_expression" => self.dotted(n.child_by_field_name("function")?, depth + 1),
            "new_expression" => self.dotted(n.child_by_field_name("constructor")?, depth + 1),
            "subscript_expression" => self.dotted(n.child_by_field_name("object")?, depth + 1),
            _ => None,
        }
    }

    /// The import-resolved name of a dotted path: (import source, path into it); `None` when its root is no
    /// import.
    fn qualify(&self, parts: &[String]) -> Option<(String, Vec<String>)> {
        let (m, p) = self.aliases.get(parts.first()?)?;
        let mut path = p.clone();
        path.extend(parts[1..].iter().cloned());
        Some((m.clone(), path))
    }

    /// A dotted name for capability checks: resolved (`fs.writeFileSync` → `fs.writeFileSync`, `{ exec }
    /// from "node:child_process"` → `child_process.exec`) or as written.
    fn resolved_name(&self, parts: &[String]) -> (Option<String>, Vec<String>) {
        match self.qualify(parts) {
            Some((m, mut p)) => {
                if p.first().is_some_and(|d| d == "default") {
                    p.remove(0);
                }
                (Some(norm_module(&m).to_string()), p)
            }
            None => (None, parts.to_vec()),
        }
    }

    fn string_value(&self, n: Node) -> Option<String> {
        let n = unwrap(n);
        match n.kind() {
            "string" | "template_string" => {
                let mut c = n.walk();
                let mut out = String::new();
                for ch in n.named_children(&mut c) {
                    match ch.kind() {
                        "string_fragment" | "escape_sequence" | "html_character_reference" => {
                            out.push_str(self.text(ch))
                        }
                        "template_substitution" => return None,
                        _ => {}
                    }
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// A string or template literal's text with substitutions as placeholders (for SQL).
    fn literal_text(&self, n: Node) -> String {
        let mut c = n.walk();
        let mut out = String::new();
        for ch in n.named_children(&mut c) {
            match ch.kind() {
                "string_fragment" | "escape_sequence" => out.push_str(self.text(ch)),
                "template_substitution" => out.push_str("$1"),
                _ => {}
            }
        }
        out
    }

    /// `process.env.X`, `process.env["X"]`, `import.meta.env.X`, `Bun.env.X`, `Deno.env.get("X")`.
    fn env_name(&self, n: Node) -> Option<String> {
        let n = unwrap(n);
        let env_object = |o: Node| {
            if o.byte_range().len() > 40 {
                return false;
            }
            let t: String = self
                .text(o)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            matches!(
                t.as_str(),
                "process.env" | "import.meta.env" | "Bun.env" | "process?.env"
            )
        };
        match n.kind() {
            "member_expression" => {
                if !env_object(n.child_by_field_name("object")?) {
                    return None;
                }
                Some(self.text(n.child_by_field_name("property")?).to_string())
            }
            "subscript_expression" => {
                if !env_object(n.child_by_field_name("object")?) {
                    return None;
                }
                self.string_value(n.child_by_field_name("index")?)
            }
            "call_expression" => {
                let f = n.child_by_field_name("function")?;
                if self.text(f) != "Deno.env.get" {
                    return None;
                }
                self.string_value(*self.args(n).first()?)
            }
            _ => None,
        }
    }

    fn val(&self, n: Node) -> Val {
        self.val_at(n, 0)
    }

    fn val_at(&self, n: Node, depth: usize) -> Val {
        if depth > 8 {
            return Val::Other;
        }
        let n = unwrap(n);
        if let Some(s) = self.string_value(n) {
            return Val::Str(s);
        }
        if let Some(e) = self.env_name(n) {
            return Val::Env(e);
        }
        match n.kind() {
            "identifier" | "shorthand_property_identifier" => Val::Var(self.text(n).to_string()),
            // `process.env.X || "default"`, `process.env.X ?? fallback`.
            "binary_expression" => match n
                .child_by_field_name("left")
                .map(|l| self.val_at(l, depth + 1))
            {
                Some(Val::Env(e)) => Val::Env(e),
                _ => Val::Other,
            },
            _ => Val::Other,
        }
    }

    /// A value that is a string, directly or through a constant.
    fn str_of(&self, n: Node) -> Option<String> {
        match self.val(n) {
            Val::Str(s) => Some(s),
            Val::Var(v) => self.strings.get(&v).cloned(),
            _ => None,
        }
    }

    /// The arguments of a call or `new` (a tagged template's template is its one argument).
    fn args(&self, call: Node<'s>) -> Vec<Node<'s>> {
        let Some(args) = call.child_by_field_name("arguments") else {
            return Vec::new();
        };
        if args.kind() == "template_string" {
            return vec![args];
        }
        let mut c = args.walk();
        args.named_children(&mut c)
            .filter(|a| a.kind() != "comment")
            .collect()
    }

    /// The properties of an object literal: (key, value); `{ apiKey }` gives the shorthand node as value.
    fn props(&self, obj: Node<'s>) -> Vec<(String, Node<'s>)> {
        let obj = unwrap(obj);
        let mut out = Vec::new();
        if obj.kind() != "object" {
            return out;
        }
        let mut c = obj.walk();
        for p in obj.named_children(&mut c) {
            match p.kind() {
                "pair" => {
                    let (Some(k), Some(v)) =
                        (p.child_by_field_name("key"), p.child_by_field_name("value"))
                    else {
                        continue;
                    };
                    let key = self
                        .string_value(k)
                        .unwrap_or_else(|| self.text(k).to_string());
                    out.push((key, v));
                }
                "shorthand_property_identifier" => out.push((self.text(p).to_string(), p)),
                "method_definition" => {
                    if let Some(k) = p.child_by_field_name("name") {
                        out.push((self.text(k).to_string(), p));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// A property of any object among the arguments.
    fn prop(&self, args: &[Node<'s>], key: &str) -> Option<Node<'s>> {
        args.iter()
            .flat_map(|a| self.props(*a))
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// An argument by spec: `0` a positional (not an options object), a name an option property.
    fn arg_of(&self, args: &[Node<'s>], spec: &str) -> Option<Node<'s>> {
        match spec.parse::<usize>() {
            Ok(i) => args
                .get(i)
                .copied()
                .filter(|a| unwrap(*a).kind() != "object"),
            Err(_) => self.prop(args, spec),
        }
    }

    /// The names a declaration or parameter binds: `a`, `{ a, b: c }`, `[a, ...b]`, `a = 1`, `a: T`.
    fn bound_names(&self, n: Node, out: &mut Vec<String>, depth: usize) {
        if depth > 16 {
            return;
        }
        match n.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                out.push(self.text(n).to_string())
            }
            "this" | "type_annotation" | "decorator" | "accessibility_modifier" => {}
            "assignment_pattern" | "object_assignment_pattern" => {
                if let Some(l) = n.child_by_field_name("left") {
                    self.bound_names(l, out, depth + 1);
                }
            }
            "pair_pattern" => {
                if let Some(v) = n.child_by_field_name("value") {
                    self.bound_names(v, out, depth + 1);
                }
            }
            "required_parameter" | "optional_parameter" => {
                if let Some(p) = n
                    .child_by_field_name("pattern")
                    .or_else(|| n.child_by_field_name("name"))
                {
                    self.bound_names(p, out, depth + 1);
                }
            }
            _ => {
                let mut c = n.walk();
                for ch in n.named_children(&mut c) {
                    self.bound_names(ch, out, depth + 1);
                }
            }
        }
    }

    /// The sighting a variable of a dotted name holds, and how many parts name the variable
    /// (`client.x` → 1, `this.client.x` → 2).
    fn held(&self, parts: &[String]) -> Option<(usize, usize)> {
        if parts.len() >= 2 && parts[0] == "this" {
            if let Some(&i) = self.vars.get(&format!("this.{}", parts[1])) {
                return Some((i, 2));
            }
        }
        self.vars.get(parts.first()?).map(|&i| (i, 1))
    }

    // ---- the walk ----------------------------------------------------------------------------------

    fn walk(&mut self, n: Node<'s>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match n.kind() {
            "import_statement" => return,
            k if is_function(k) => {
                self.function(n, depth);
                return;
            }
            "class_declaration" | "class" | "abstract_class_declaration" => self.class(n),
            "variable_declarator" => self.declarator(n),
            "assignment_expression" => {
                if let (Some(l), Some(r)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                ) {
                    if let Some(parts) = self
                        .dotted(l, 0)
                        .filter(|p| p.len() == 1 || (p.len() == 2 && p[0] == "this"))
                    {
                        if l.kind() != "subscript_expression" {
                            self.bind(parts.join("."), r);
                        }
                    }
                }
            }
            "public_field_definition" | "field_definition" => {
                let name = n
                    .child_by_field_name("name")
                    .or_else(|| n.child_by_field_name("property"));
                if let (Some(k), Some(v)) = (name, n.child_by_field_name("value")) {
                    let var = format!("this.{}", self.text(k));
                    self.bind(var, v);
                }
            }
            "call_expression" => self.call(n),
            "new_expression" => {
                self.sight(n);
            }
            "member_expression" | "subscript_expression" => {
                if let Some(e) = self.env_name(n) {
                    self.facts.env.push(EnvRead {
                        name: e,
                        line: Self::line(n),
                    });
                }
            }
            "string" | "template_string" => {
                let s = self.literal_text(n);
                self.literal(&s, Self::line(n));
            }
            _ => {}
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            self.walk(ch, depth + 1);
        }
    }

    fn function(&mut self, n: Node<'s>, depth: usize) {
        let mut params = Vec::new();
        if let Some(p) = n.child_by_field_name("parameter") {
            self.bound_names(p, &mut params, 0);
        }
        if let Some(ps) = n.child_by_field_name("parameters") {
            let mut c = ps.walk();
            for p in ps.named_children(&mut c) {
                self.bound_names(p, &mut params, 0);
            }
        }
        let (name, handler) = self.function_role(n, &params);
        self.funcs.push(Func {
            name,
            params,
            handler,
            derived: HashMap::new(),
        });
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            self.walk(ch, depth + 1);
        }
        self.funcs.pop();
    }

    /// A function's name, and whether it serves HTTP requests: passed to a route registration
    /// (`app.post("/x", async (req, res) => …)`, `router.get("/", handle)`, Fastify `route({ handler })`),
    /// an exported `GET`/`POST`/… of a Next.js or SvelteKit route file (`action`/`loader` of a Remix route, the
    /// default export of a `pages/api` file), a NestJS `@Post()` method, or an Express-style `(req, res)`.
    fn function_role(&self, n: Node<'s>, params: &[String]) -> (String, bool) {
        let mut name = n
            .child_by_field_name("name")
            .map(|x| self.text(x).to_string())
            .unwrap_or_default();
        let mut handler = false;
        let parent = n.parent();
        let mut exported = false;
        let mut default_export = false;
        match parent.map(|p| p.kind()) {
            Some("arguments") => {
                if let Some(call) = parent.and_then(|p| p.parent()) {
                    if let Some(route) = self.route_call(call) {
                        handler = true;
                        name = route;
                    }
                }
            }
            Some("variable_declarator") => {
                let p = parent.expect("parent");
                if let Some(k) = p.child_by_field_name("name") {
                    name = self.text(k).to_string();
                }
                exported = p
                    .parent()
                    .and_then(|d| d.parent())
                    .is_some_and(|e| e.kind() == "export_statement");
            }
            Some("pair") => {
                let p = parent.expect("parent");
                if let Some(k) = p.child_by_field_name("key") {
                    name = self.text(k).to_string();
                }
                // Fastify `fastify.route({ method, url, handler })`.
                if name == "handler" {
                    let call = p.parent().and_then(|o| o.parent()).and_then(|a| a.parent());
                    if let Some(call) = call.filter(|c| c.kind() == "call_expression") {
                        let method = call
                            .child_by_field_name("function")
                            .and_then(|f| self.dotted(f, 0))
                            .and_then(|p| p.last().cloned());
                        if method.as_deref() == Some("route") {
                            handler = true;
                        }
                    }
                }
            }
            Some("assignment_expression") => {
                if let Some(l) = parent.and_then(|p| p.child_by_field_name("left")) {
                    name = self.text(l).to_string();
                }
            }
            Some("export_statement") => {
                exported = true;
                let p = parent.expect("parent");
                let mut c = p.walk();
                default_export = p.children(&mut c).any(|ch| ch.kind() == "default");
            }
            _ => {}
        }
        if !handler && !name.is_empty() && self.route_fns.contains(&name) {
            handler = true;
        }
        if exported {
            if self.route_file.verbs && HTTP_VERBS.contains(&name.as_str()) {
                handler = true;
            }
            if self.route_file.action_loader && (name == "action" || name == "loader") {
                handler = true;
            }
            if self.route_file.default_export && default_export {
                handler = true;
            }
        }
        if n.kind() == "method_definition" && self.nest_route(n) {
            handler = true;
        }
        if let [first, second, ..] = params {
            if matches!(first.as_str(), "req" | "request")
                && matches!(second.as_str(), "res" | "reply" | "response")
            {
                handler = true;
            }
        }
        if name.is_empty() {
            name = if default_export {
                "default".into()
            } else {
                "anonymous".into()
            };
        }
        (name, handler)
    }

    /// A route registration: `app.post("/path", …)`, `router.get(…)`, `app.route("/x").post(…)`; its handler's
    /// display name (`POST /path`).
    fn route_call(&self, call: Node<'s>) -> Option<String> {
        if call.kind() != "call_expression" {
            return None;
        }
        let f = call.child_by_field_name("function")?;
        if f.kind() != "member_expression" {
            return None;
        }
        let method = self.text(f.child_by_field_name("property")?);
        if !ROUTE_METHODS.contains(&method) {
            return None;
        }
        let object = unwrap(f.child_by_field_name("object")?);
        let args = self.args(call);
        let path = args.first().and_then(|a| self.string_value(*a));
        let known = match object.kind() {
            "call_expression" => true,
            _ => self
                .dotted(object, 0)
                .and_then(|p| p.last().cloned())
                .is_some_and(|o| ROUTER_OBJECTS.contains(&o.as_str()) || o.ends_with("Router")),
        };
        if path.is_none() && !known {
            return None;
        }
        if !args
            .iter()
            .any(|a| is_function(unwrap(*a).kind()) || a.kind() == "identifier")
        {
            return None;
        }
        let verb = method.to_ascii_uppercase();
        Some(match path {
            Some(p) => format!("{verb} {p}"),
            None => format!("{verb} handler"),
        })
    }

    /// A NestJS controller method: `@Post()`, `@Get(":id")`, … before it.
    fn nest_route(&self, method: Node<'s>) -> bool {
        let mut decorators = Vec::new();
        let mut c = method.walk();
        decorators.extend(method.children_by_field_name("decorator", &mut c));
        let mut prev = method.prev_named_sibling();
        while let Some(p) = prev.filter(|p| p.kind() == "decorator") {
            decorators.push(p);
            prev = p.prev_named_sibling();
        }
        decorators.iter().any(|d| {
            let Some(e) = d.named_child(0) else {
                return false;
            };
            let callee = if e.kind() == "call_expression" {
                e.child_by_field_name("function")
            } else {
                Some(e)
            };
            callee.is_some_and(|c| {
                matches!(
                    self.text(c),
                    "Get" | "Post" | "Put" | "Patch" | "Delete" | "All" | "Sse"
                )
            })
        })
    }

    /// A class extending a tool base class (`class Shell extends StructuredTool { … }`): a tool, with the
    /// capabilities of its body; `new Shell()` is that tool.
    fn class(&mut self, n: Node<'s>) {
        let mut c = n.walk();
        let heritage = n
            .named_children(&mut c)
            .find(|ch| ch.kind() == "class_heritage");
        let Some(heritage) = heritage else {
            return;
        };
        let mut base = None;
        Self::first_name(heritage, &mut base, 0);
        let Some(base) = base else { return };
        let Some(parts) = self.dotted(base, 0) else {
            return;
        };
        let Some((m, p)) = self.qualify(&parts) else {
            return;
        };
        let Some(hit) = lookup(&m, &p) else { return };
        if hit.entry.kind != "custom-tool" {
            return;
        }
        let class_name = n
            .child_by_field_name("name")
            .map(|x| self.text(x).to_string())
            .unwrap_or_else(|| "tool".into());
        let mut name = class_name.clone();
        if let Some(body) = n.child_by_field_name("body") {
            let mut c = body.walk();
            for f in body.named_children(&mut c) {
                if !matches!(f.kind(), "public_field_definition" | "field_definition") {
                    continue;
                }
                let key = f
                    .child_by_field_name("name")
                    .or_else(|| f.child_by_field_name("property"));
                if key.is_some_and(|k| self.text(k) == "name") {
                    if let Some(s) = f.child_by_field_name("value").and_then(|v| self.str_of(v)) {
                        name = s;
                    }
                }
            }
        }
        let mut caps = Vec::new();
        if let Some(body) = n.child_by_field_name("body") {
            self.capabilities(body, &mut caps, 0);
        }
        caps.sort();
        caps.dedup();
        let idx = self.facts.sightings.len();
        self.facts.sightings.push(Sighting {
            kind: "tool".into(),
            name,
            line: Self::line(n),
            end_line: n.end_position().row as u32 + 1,
            framework: hit.entry.framework.clone(),
            capabilities: caps,
            extra: serde_json::Map::from_iter([("custom".into(), true.into())]),
            ..Default::default()
        });
        self.classes.insert(class_name, idx);
    }

    fn first_name(n: Node<'s>, out: &mut Option<Node<'s>>, depth: usize) {
        if depth > 8 || out.is_some() {
            return;
        }
        if matches!(n.kind(), "identifier" | "member_expression") {
            *out = Some(n);
            return;
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            Self::first_name(ch, out, depth + 1);
        }
    }

    fn declarator(&mut self, n: Node<'s>) {
        let (Some(name), Some(value)) = (
            n.child_by_field_name("name"),
            n.child_by_field_name("value"),
        ) else {
            return;
        };
        match name.kind() {
            "identifier" => self.bind(self.text(name).to_string(), value),
            "object_pattern" | "array_pattern" => {
                let mut names = Vec::new();
                self.bound_names(name, &mut names, 0);
                let v = unwrap(value);
                // `const { OPENAI_API_KEY } = process.env`.
                let env = v.byte_range().len() < 40 && {
                    let t: String = self
                        .text(v)
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    t == "process.env" || t == "import.meta.env"
                };
                if name.kind() == "object_pattern" && env {
                    let mut c = name.walk();
                    for p in name.named_children(&mut c) {
                        let (key, local) = match p.kind() {
                            "shorthand_property_identifier_pattern" => {
                                (self.text(p).to_string(), self.text(p).to_string())
                            }
                            "pair_pattern" => {
                                let (Some(k), Some(v)) =
                                    (p.child_by_field_name("key"), p.child_by_field_name("value"))
                                else {
                                    continue;
                                };
                                let mut l = Vec::new();
                                self.bound_names(v, &mut l, 0);
                                let Some(l) = l.into_iter().next() else {
                                    continue;
                                };
                                (self.text(k).to_string(), l)
                            }
                            "object_assignment_pattern" => {
                                let Some(l) = p.child_by_field_name("left") else {
                                    continue;
                                };
                                (self.text(l).to_string(), self.text(l).to_string())
                            }
                            _ => continue,
                        };
                        self.facts.env.push(EnvRead {
                            name: key.clone(),
                            line: Self::line(p),
                        });
                        self.env_vars.insert(local, key);
                    }
                    return;
                }
                if self.secret_source(v) {
                    self.secret_vars.extend(names.iter().cloned());
                }
                self.derive(&names, v);
            }
            _ => {}
        }
    }

    /// Whether an expression reads a secret manager (or a value that came from one).
    fn secret_source(&self, v: Node) -> bool {
        if is_function(v.kind()) || v.kind() == "class" || v.byte_range().len() > 4096 {
            return false;
        }
        let lower = self.text(v).to_ascii_lowercase();
        if lower.contains("secret") || lower.contains("vault") {
            return true;
        }
        if self.secret_vars.is_empty() {
            return false;
        }
        let mut ids = Vec::new();
        self.identifiers_within(v, &mut ids, 0, &mut 256);
        ids.iter().any(|(i, _)| self.secret_vars.contains(i))
    }

    /// Variables of a function computed from its parameters.
    fn derive(&mut self, names: &[String], v: Node) {
        if self.funcs.is_empty() || names.is_empty() || is_function(v.kind()) || v.kind() == "class"
        {
            return;
        }
        let mut ids = Vec::new();
        self.identifiers_within(v, &mut ids, 0, &mut 256);
        for (id, _) in ids {
            for f in self.funcs.iter_mut().rev() {
                let p = if f.params.contains(&id) {
                    Some(id.clone())
                } else {
                    f.derived.get(&id).cloned()
                };
                if let Some(p) = p {
                    for n in names {
                        f.derived.entry(n.clone()).or_insert_with(|| p.clone());
                    }
                    return;
                }
            }
        }
    }

    /// `var = value`: what the variable holds for later uses.
    fn bind(&mut self, var: String, value: Node<'s>) {
        let v = unwrap(value);
        if let Some(s) = self.string_value(v) {
            self.strings.insert(var, s);
            return;
        }
        if let Val::Env(e) = self.val(v) {
            self.env_vars.insert(var, e);
            return;
        }
        if self.secret_source(v) {
            self.secret_vars.insert(var.clone());
        }
        self.derive(std::slice::from_ref(&var), v);
        match v.kind() {
            "call_expression" | "new_expression" => {
                let callee = v
                    .child_by_field_name("function")
                    .or_else(|| v.child_by_field_name("constructor"));
                let Some(parts) = callee.and_then(|f| self.dotted(f, 0)) else {
                    return;
                };
                if v.kind() == "new_expression" {
                    if let Some(last) = parts.last() {
                        self.news.insert(var.clone(), last.clone());
                    }
                }
                // `const run = promisify(exec)`: `run` is `exec`.
                if parts.last().is_some_and(|l| l == "promisify") {
                    if let Some(a) = self.args(v).first().and_then(|a| self.dotted(*a, 0)) {
                        if let Some(q) = self.qualify(&a) {
                            self.aliases.insert(var, q);
                            return;
                        }
                    }
                }
                // The sighting its receiver holds (`const index = pc.index("x")` is still the Pinecone
                // store) or the one the call creates.
                match self.held(&parts) {
                    Some((i, used)) if parts.len() > used && !self.vercel.contains(&i) => {
                        self.vars.insert(var, i);
                    }
                    _ => {
                        if let Some(i) = self.sight(v) {
                            self.vars.insert(var, i);
                        } else if parts.iter().any(|p| p == "pipe")
                            || parts.ends_with(&["RunnableSequence".into(), "from".into()])
                        {
                            // A LangChain chain (`prompt.pipe(model)`, `RunnableSequence.from([prompt,
                            // model])`): running it runs its model.
                            let mut held = Vec::new();
                            self.held_in(v, &mut held, 0);
                            let model = held.into_iter().find(|&i| {
                                matches!(
                                    self.facts.sightings[i].kind.as_str(),
                                    "llm-client" | "agent"
                                )
                            });
                            if let Some(i) = model {
                                self.vars.insert(var, i);
                            }
                        }
                    }
                }
            }
            "identifier" => {
                let src = self.text(v);
                if let Some(&i) = self.vars.get(src) {
                    self.vars.insert(var, i);
                } else if let Some(l) = self.lists.get(src).cloned() {
                    self.lists.insert(var, l);
                } else if let Some(s) = self.env_vars.get(src).cloned() {
                    self.env_vars.insert(var, s);
                }
            }
            _ => {
                // `const tools = [shell, new DynamicTool(…)]` and other expressions: the variable names what
                // it is built from, for agents given it.
                let mut held = Vec::new();
                let mut calls = Vec::new();
                Self::calls_in(v, &mut calls, 0);
                for c in calls {
                    if let Some(i) = self.sight(c) {
                        held.push(i);
                    }
                }
                self.held_in(v, &mut held, 0);
                if !held.is_empty() {
                    held.dedup();
                    self.lists.insert(var, held);
                }
            }
        }
    }

    // ---- sightings ---------------------------------------------------------------------------------

    /// Creates the sighting a call or `new` makes, once per node (a declaration and the walk both ask).
    fn sight(&mut self, call: Node<'s>) -> Option<usize> {
        let key = (call.start_byte(), call.end_byte());
        if let Some(r) = self.memo.get(&key) {
            return *r;
        }
        if self.sighting_depth > 16 {
            return None;
        }
        self.memo.insert(key, None);
        self.sighting_depth += 1;
        let r = self.sight_new(call);
        self.sighting_depth -= 1;
        self.memo.insert(key, r);
        r
    }

    fn sight_new(&mut self, call: Node<'s>) -> Option<usize> {
        let is_new = call.kind() == "new_expression";
        let callee = if is_new {
            call.child_by_field_name("constructor")?
        } else if call.kind() == "call_expression" {
            call.child_by_field_name("function")?
        } else {
            return None;
        };
        let parts = self.dotted(callee, 0)?;
        if is_new && parts.len() == 1 {
            if let Some(&i) = self.classes.get(&parts[0]) {
                return Some(i);
            }
        }
        // `myOpenAI("gpt-4o")`, `myOpenAI.embedding("…")` on a provider `createOpenAI(…)` made.
        if let Some((i, used)) = self.held(&parts) {
            if self.vercel.contains(&i) && !is_new && parts.len() <= used + 1 {
                let method = parts.get(used).cloned();
                return self.provider_model(i, call, method.as_deref());
            }
            return None;
        }
        let (module, path) = self.qualify(&parts)?;
        let hit = lookup(&module, &path)?;
        let e = hit.entry;
        let args = self.args(call);
        let line = Self::line(call);
        let mut s = Sighting {
            kind: e.kind.clone(),
            line,
            end_line: call.end_position().row as u32 + 1,
            provider: e.provider.clone(),
            framework: e.framework.clone(),
            embeddings: e.embeddings,
            ..Default::default()
        };
        let called = if path.is_empty() {
            format!("{module}.default")
        } else {
            format!("{module}.{}", path.join("."))
        };
        s.extra.insert("call".into(), called.into());
        if let Some(c) = &e.capability {
            s.capabilities.push(c.clone());
        }
        match e.kind.as_str() {
            "model-provider" => {
                if hit.name.starts_with("create") && hit.method.is_none() {
                    // `createOpenAI({ apiKey })`: the provider's client, with its key.
                    let key = self.key_source(&args, e, line);
                    let i = self.vercel_client(e, false, line, call);
                    let k = &mut self.facts.sightings[i].key;
                    if k.as_ref().is_none_or(|k| k.from == "sdk-default") {
                        *k = Some(key);
                    }
                    return Some(i);
                }
                let embeddings = hit
                    .method
                    .as_deref()
                    .is_some_and(|m| EMBEDDING_METHODS.contains(&m));
                let i = self.vercel_client(e, embeddings, line, call);
                if let Some(m) = args.first().and_then(|a| self.str_of(*a)) {
                    Self::add_model(&mut self.facts.sightings[i], m);
                }
                return Some(i);
            }
            "llm-client"
                if e.framework.as_deref() == Some("Vercel AI SDK") && e.provider.is_none() =>
            {
                return self.ai_call(e, call, &args);
            }
            "llm-client" => {
                let last = hit.name.rsplit('.').next().unwrap_or(&hit.name).to_string();
                s.name = match &e.framework {
                    Some(f) => format!("{} ({f} {last})", e.provider.clone().unwrap_or_default()),
                    None => e.provider.clone().unwrap_or_default(),
                };
                self.models_from(&args, &mut s, 0);
                if e.arg.iter().any(|a| a == "0") {
                    if let Some(m) = args.first().and_then(|a| self.str_of(*a)) {
                        Self::add_model(&mut s, m);
                    }
                }
                s.key = Some(self.key_source(&args, e, line));
                if !is_new {
                    // A module-level call (`ollama.chat({ model, messages })`): one client per file, its
                    // arguments are its input.
                    if RUN_METHODS.contains(&last.as_str()) {
                        s.inputs = self.inputs_of(&args);
                    }
                    let key = format!("entry:{}", hit.idx);
                    if let Some(&i) = self.shared.get(&key) {
                        let t = &mut self.facts.sightings[i];
                        for m in s.models {
                            Self::add_model(t, m);
                        }
                        for inp in s.inputs {
                            if !t.inputs.contains(&inp) {
                                t.inputs.push(inp);
                            }
                        }
                        return Some(i);
                    }
                    let i = self.push(s);
                    self.shared.insert(key, i);
                    return Some(i);
                }
            }
            "vector-store" => {
                s.name = e.provider.clone().unwrap_or_default();
                if let Some(c) = e
                    .arg
                    .iter()
                    .find_map(|spec| self.arg_of(&args, spec))
                    .and_then(|a| self.str_of(a))
                {
                    s.collections.push(c);
                }
                if !e.key_env.is_empty() {
                    s.key = Some(self.key_source(&args, e, line));
                }
                if hit
                    .method
                    .as_deref()
                    .is_some_and(|m| WRITE_METHODS.contains(&m))
                {
                    s.extra.insert("written".into(), true.into());
                    s.fields = self.metadata_keys(&args, hit.method.as_deref());
                }
            }
            "dataset" => {
                let named = e.arg.iter().find_map(|spec| self.arg_of(&args, spec));
                match named.map(|a| self.val(a)) {
                    Some(Val::Str(uri)) => {
                        let (name, db) = describe_uri(&uri)?;
                        s.name = name;
                        s.target = Some(db);
                    }
                    Some(Val::Env(var)) => {
                        s.name = format!("database from ${var}");
                        s.extra.insert("env".into(), var.into());
                    }
                    Some(Val::Var(v)) if self.env_vars.contains_key(&v) => {
                        let var = self.env_vars[&v].clone();
                        s.name = format!("database from ${var}");
                        s.extra.insert("env".into(), var.into());
                    }
                    _ => return None,
                }
            }
            "agent" => {
                let last = hit.name.split('.').next().unwrap_or(&hit.name).to_string();
                s.name = format!("{} {last}", e.framework.clone().unwrap_or_default());
                if let Some(n) = self.prop(&args, "name").and_then(|v| self.str_of(v)) {
                    s.extra.insert("agent_name".into(), n.into());
                }
                self.models_from(&args, &mut s, 0);
                // What it is given: sightings held by variables among its arguments, or made inline.
                let mut given = Vec::new();
                let mut calls = Vec::new();
                for a in &args {
                    Self::calls_in(*a, &mut calls, 0);
                }
                for c in calls {
                    if let Some(i) = self.sight(c) {
                        given.push(i);
                    }
                }
                for a in &args {
                    self.held_in(*a, &mut given, 0);
                }
                s.uses = given;
            }
            "tool" => {
                s.name = hit.name.clone();
            }
            "custom-tool" => {
                s.kind = "tool".into();
                s.name = self
                    .tool_name(call, &args)
                    .unwrap_or_else(|| hit.name.clone());
                let mut caps = Vec::new();
                for a in &args {
                    self.capabilities(*a, &mut caps, 0);
                }
                caps.sort();
                caps.dedup();
                s.capabilities = caps;
                s.extra.insert("custom".into(), true.into());
            }
            "mcp-server" => {
                s.name = self
                    .prop(&args, "name")
                    .or_else(|| args.first().copied())
                    .and_then(|a| self.str_of(a))
                    .unwrap_or_else(|| "MCP server".into());
                s.extra.insert("source".into(), "code".into());
            }
            _ => return None,
        }
        Some(self.push(s))
    }

    fn push(&mut self, s: Sighting) -> usize {
        self.facts.sightings.push(s);
        self.facts.sightings.len() - 1
    }

    fn add_model(s: &mut Sighting, m: String) {
        if !m.is_empty() && m.len() < 200 && !s.models.contains(&m) {
            s.models.push(m);
        }
    }

    /// The file's client for a Vercel AI SDK provider (one per provider, embeddings apart).
    fn vercel_client(&mut self, e: &Entry, embeddings: bool, line: u32, at: Node) -> usize {
        let provider = e.provider.clone().unwrap_or_else(|| "configurable".into());
        self.vercel_client_of(&provider, &e.key_env, embeddings, line, at)
    }

    fn vercel_client_of(
        &mut self,
        provider: &str,
        key_env: &[String],
        embeddings: bool,
        line: u32,
        at: Node,
    ) -> usize {
        let key = format!("vercel:{provider}:{embeddings}");
        if let Some(&i) = self.shared.get(&key) {
            return i;
        }
        let mut s = Sighting {
            kind: "llm-client".into(),
            name: format!("{provider} (Vercel AI SDK)"),
            line,
            end_line: at.end_position().row as u32 + 1,
            provider: Some(provider.to_string()),
            framework: Some("Vercel AI SDK".into()),
            embeddings,
            ..Default::default()
        };
        if provider != "configurable" {
            s.key = Some(default_key(key_env, line));
        }
        let i = self.push(s);
        self.shared.insert(key, i);
        self.vercel.insert(i);
        i
    }

    /// `provider("model")` / `provider.embedding("model")` on a provider client: the model it names.
    fn provider_model(&mut self, i: usize, call: Node<'s>, method: Option<&str>) -> Option<usize> {
        if method.is_some_and(|m| !PROVIDER_METHODS.contains(&m)) {
            return None;
        }
        let embeddings = method.is_some_and(|m| EMBEDDING_METHODS.contains(&m));
        let i = if embeddings != self.facts.sightings[i].embeddings {
            let provider = self.facts.sightings[i]
                .provider
                .clone()
                .unwrap_or_else(|| "configurable".into());
            let key = self.facts.sightings[i].key.clone();
            let fresh = !self
                .shared
                .contains_key(&format!("vercel:{provider}:{embeddings}"));
            let j = self.vercel_client_of(&provider, &[], embeddings, Self::line(call), call);
            if fresh {
                self.facts.sightings[j].key = key;
            }
            j
        } else {
            i
        };
        let args = self.args(call);
        if let Some(m) = args.first().and_then(|a| self.str_of(*a)) {
            Self::add_model(&mut self.facts.sightings[i], m);
        }
        Some(i)
    }

    /// `generateText({ model: openai("gpt-4o"), prompt, tools })`: an LLM call of the provider its model comes
    /// from, with the call's input and the tools it is given.
    fn ai_call(&mut self, e: &'static Entry, call: Node<'s>, args: &[Node<'s>]) -> Option<usize> {
        let line = Self::line(call);
        let model = self.prop(args, "model");
        let client = model.and_then(|m| {
            let m = unwrap(m);
            let i = match m.kind() {
                "call_expression" | "new_expression" => self.sight(m),
                "identifier" | "shorthand_property_identifier" => {
                    self.vars.get(self.text(m)).copied()
                }
                _ => None,
            }?;
            (self.facts.sightings[i].kind == "llm-client").then_some(i)
        });
        let i = match client {
            Some(i) => i,
            None => {
                let i = self.vercel_client_of("configurable", &[], e.embeddings, line, call);
                if let Some(m) = model.and_then(|m| self.str_of(m)) {
                    // A gateway model id (`"openai/gpt-4o"`).
                    Self::add_model(&mut self.facts.sightings[i], m);
                }
                i
            }
        };
        let inputs = self.inputs_of(args);
        let mut tools = Vec::new();
        if let Some(t) = self.prop(args, "tools") {
            let mut calls = Vec::new();
            Self::calls_in(t, &mut calls, 0);
            for c in calls {
                if let Some(j) = self.sight(c) {
                    tools.push(j);
                }
            }
            self.held_in(t, &mut tools, 0);
        }
        let s = &mut self.facts.sightings[i];
        for inp in inputs {
            if !s.inputs.contains(&inp) {
                s.inputs.push(inp);
            }
        }
        for t in tools {
            if t != i && !s.uses.contains(&t) {
                s.uses.push(t);
            }
        }
        Some(i)
    }

    /// A tool's declared name: its `name`/`id` option, else the variable or property it is assigned to.
    fn tool_name(&self, call: Node<'s>, args: &[Node<'s>]) -> Option<String> {
        if let Some(n) = self
            .prop(args, "name")
            .or_else(|| self.prop(args, "id"))
            .and_then(|v| self.str_of(v))
        {
            return Some(n);
        }
        let mut p = call.parent();
        for _ in 0..4 {
            let Some(node) = p else { break };
            match node.kind() {
                "await_expression" | "parenthesized_expression" | "as_expression" => {
                    p = node.parent()
                }
                "variable_declarator" => {
                    return node
                        .child_by_field_name("name")
                        .map(|n| self.text(n).to_string())
                }
                "pair" => {
                    return node.child_by_field_name("key").map(|k| {
                        self.string_value(k)
                            .unwrap_or_else(|| self.text(k).to_string())
                    })
                }
                _ => break,
            }
        }
        None
    }

    /// Calls and `new`s inside an expression, not looking into function bodies.
    fn calls_in(n: Node<'s>, out: &mut Vec<Node<'s>>, depth: usize) {
        if depth > 24 || is_function(n.kind()) {
            return;
        }
        if matches!(n.kind(), "call_expression" | "new_expression") {
            out.push(n);
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            Self::calls_in(ch, out, depth + 1);
        }
    }

    /// Sightings held by the variables an expression names (`[shell, search]`, `{ llm, tools }`).
    fn held_in(&self, n: Node, out: &mut Vec<usize>, depth: usize) {
        if depth > 16 || is_function(n.kind()) {
            return;
        }
        match n.kind() {
            "identifier" | "shorthand_property_identifier" => {
                let t = self.text(n);
                if let Some(&i) = self.vars.get(t) {
                    if !out.contains(&i) {
                        out.push(i);
                    }
                }
                if let Some(list) = self.lists.get(t) {
                    for &i in list {
                        if !out.contains(&i) {
                            out.push(i);
                        }
                    }
                }
                return;
            }
            "member_expression" => {
                let this_var = self
                    .dotted(n, 0)
                    .filter(|p| p.len() == 2 && p[0] == "this")
                    .and_then(|p| self.vars.get(&p.join(".")).copied());
                match this_var {
                    Some(i) if !out.contains(&i) => out.push(i),
                    Some(_) => {}
                    // `mcp.getTools()`: what the object holds.
                    None => {
                        if let Some(o) = n.child_by_field_name("object") {
                            self.held_in(o, out, depth + 1);
                        }
                    }
                }
                return;
            }
            _ => {}
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            self.held_in(ch, out, depth + 1);
        }
    }

    /// Model names from the options objects among the arguments (and those of the commands they wrap:
    /// `client.send(new ConverseCommand({ modelId }))`).
    fn models_from(&self, args: &[Node<'s>], s: &mut Sighting, depth: usize) {
        if depth > 2 {
            return;
        }
        for a in args {
            let a = unwrap(*a);
            match a.kind() {
                "object" => {
                    for (k, v) in self.props(a) {
                        if MODEL_PROPS.contains(&k.as_str()) {
                            // `model: process.env.MODEL ?? "gpt-4o"`: the default the code names.
                            let v = unwrap(v);
                            let m = match v.kind() {
                                "binary_expression" => {
                                    v.child_by_field_name("right").and_then(|r| self.str_of(r))
                                }
                                _ => self.str_of(v),
                            };
                            if let Some(m) = m {
                                Self::add_model(s, m);
                            }
                        }
                    }
                }
                "new_expression" | "call_expression" => {
                    let inner = self.args(a);
                    self.models_from(&inner, s, depth + 1);
                }
                _ => {}
            }
        }
    }

    fn key_source(&self, args: &[Node<'s>], e: &Entry, line: u32) -> KeySource {
        let given = args
            .iter()
            .flat_map(|a| self.props(*a))
            .find(|(k, _)| KEY_PROPS.contains(&k.as_str()))
            .map(|(_, v)| v)
            .or_else(|| {
                // `new GoogleGenerativeAI(key)`.
                e.arg
                    .iter()
                    .filter_map(|s| s.strip_prefix("key:"))
                    .find_map(|s| self.arg_of(args, s))
            });
        match given {
            Some(v) => self.key_of(v),
            None => default_key(&e.key_env, line),
        }
    }

    /// Where the value given as a key comes from (never the value itself).
    fn key_of(&self, v: Node<'s>) -> KeySource {
        self.key_of_at(v, 0)
    }

    fn key_of_at(&self, v: Node<'s>, depth: usize) -> KeySource {
        let line = Self::line(v);
        let ks = |from: &str, env: Vec<String>| KeySource {
            from: from.into(),
            env,
            line,
        };
        match self.val(v) {
            Val::Str(_) => return ks("hard-coded", vec![]),
            Val::Env(var) => return ks("env", vec![var]),
            Val::Var(var) if self.env_vars.contains_key(&var) => {
                return ks("env", vec![self.env_vars[&var].clone()])
            }
            Val::Var(var) if self.secret_vars.contains(&var) => {
                return ks("secret-manager", vec![])
            }
            Val::Var(var) if self.strings.contains_key(&var) => return ks("hard-coded", vec![]),
            _ => {}
        }
        let v = unwrap(v);
        // An options object (`credentials: { accessKeyId, secretAccessKey }`): its key property.
        if v.kind() == "object" {
            if let Some((_, inner)) = self
                .props(v)
                .into_iter()
                .find(|(k, _)| KEY_PROPS.contains(&k.as_str()))
            {
                if depth < 4 {
                    return self.key_of_at(inner, depth + 1);
                }
            }
        }
        let mut envs = Vec::new();
        self.envs_in(v, &mut envs, 0);
        let mut ids = Vec::new();
        self.identifiers(v, &mut ids, 0);
        for (id, _) in &ids {
            if let Some(e) = self.env_vars.get(id) {
                if !envs.contains(e) {
                    envs.push(e.clone());
                }
            }
        }
        let text = if v.byte_range().len() > 4096 {
            ""
        } else {
            self.text(v)
        };
        let lower = text.to_ascii_lowercase();
        if ids.iter().any(|(i, _)| self.secret_vars.contains(i))
            || lower.contains("secret")
            || lower.contains("vault")
        {
            ks("secret-manager", vec![])
        } else if !envs.is_empty() {
            ks("env", envs)
        } else if [
            "Credential(",
            "fromNodeProviderChain",
            "fromIni",
            "fromEnv",
            "fromSSO",
            "fromInstanceMetadata",
            "fromContainerMetadata",
            "fromTemporaryCredentials",
        ]
        .iter()
        .any(|p| text.contains(p))
        {
            ks("cloud-identity", vec![])
        } else {
            ks("code", vec![])
        }
    }

    fn envs_in(&self, n: Node, out: &mut Vec<String>, depth: usize) {
        if depth > 16 {
            return;
        }
        if let Some(e) = self.env_name(n) {
            if !out.contains(&e) {
                out.push(e);
            }
            return;
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            self.envs_in(ch, out, depth + 1);
        }
    }

    // ---- calls on what variables hold ----------------------------------------------------------------

    fn call(&mut self, n: Node<'s>) {
        if let Some(e) = self.env_name(n) {
            self.facts.env.push(EnvRead {
                name: e,
                line: Self::line(n),
            });
            return;
        }
        let Some(parts) = n
            .child_by_field_name("function")
            .and_then(|f| self.dotted(f, 0))
        else {
            return;
        };
        if let Some((i, used)) = self.held(&parts) {
            if self.vercel.contains(&i) {
                self.sight(n);
                return;
            }
            if parts.len() > used {
                self.use_of(i, n, &parts[used..]);
                return;
            }
        }
        // `run(agent, input)`, `runner.run(agent, input)` (OpenAI Agents).
        if parts.last().is_some_and(|l| l == "run") {
            let args = self.args(n);
            if let Some(&i) = args.first().and_then(|a| self.vars.get(self.text(*a))) {
                if self.facts.sightings[i].kind == "agent" {
                    let inputs = self.inputs_of(&args[1..]);
                    let s = &mut self.facts.sightings[i];
                    for inp in inputs {
                        if !s.inputs.contains(&inp) {
                            s.inputs.push(inp);
                        }
                    }
                    return;
                }
            }
        }
        self.sight(n);
    }

    /// `client.chat.completions.create({ model, messages })`, `pc.index("name")`, `index.upsert([…])`,
    /// `agent.invoke(…)`, `server.tool("name", …)`; `parts` is the path after the variable.
    fn use_of(&mut self, i: usize, call: Node<'s>, parts: &[String]) {
        let method = parts.last().map(String::as_str).unwrap_or("");
        let args = self.args(call);
        let kind = self.facts.sightings[i].kind.clone();
        if kind == "mcp-server" {
            self.mcp_use(i, call, method, &args);
            return;
        }
        if kind == "llm-client" || kind == "agent" {
            let mut tmp = std::mem::take(&mut self.facts.sightings[i]);
            self.models_from(&args, &mut tmp, 0);
            self.facts.sightings[i] = tmp;
            if RUN_METHODS.contains(&method) {
                let inputs = self.inputs_of(&args);
                let s = &mut self.facts.sightings[i];
                for inp in inputs {
                    if !s.inputs.contains(&inp) {
                        s.inputs.push(inp);
                    }
                }
            }
        }
        if kind == "vector-store" {
            let first_string = args.first().and_then(|a| self.str_of(*a));
            let name = if COLLECTION_METHODS.contains(&method) {
                first_string.clone().or_else(|| {
                    COLLECTION_PROPS
                        .iter()
                        .find_map(|p| self.prop(&args, p))
                        .and_then(|v| self.str_of(v))
                })
            } else if COLLECTION_FIRST_ARG.contains(&method) {
                first_string
            } else {
                None
            };
            if let Some(name) = name {
                let s = &mut self.facts.sightings[i];
                if !s.collections.contains(&name) {
                    s.collections.push(name);
                }
            }
            if WRITE_METHODS.contains(&method) {
                let keys = self.metadata_keys(&args, Some(method));
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

    /// `server.tool("name", …, handler)`, `server.registerTool("name", { … }, handler)`,
    /// `server.addTool({ name, execute })` (FastMCP), `server.setRequestHandler(CallToolRequestSchema, …)`:
    /// tools of the server, with their handlers' capabilities; `server.connect(transport)`: its transport.
    fn mcp_use(&mut self, server: usize, call: Node<'s>, method: &str, args: &[Node<'s>]) {
        let name = match method {
            "tool" | "registerTool" => args.first().and_then(|a| self.str_of(*a)),
            "addTool" => self.prop(args, "name").and_then(|v| self.str_of(v)),
            "setRequestHandler"
                if args
                    .first()
                    .is_some_and(|a| self.text(*a).ends_with("CallToolRequestSchema")) =>
            {
                Some("tools/call handler".to_string())
            }
            "connect" => {
                let t = args
                    .first()
                    .map(|a| {
                        let a = unwrap(*a);
                        self.news
                            .get(self.text(a))
                            .cloned()
                            .unwrap_or_else(|| self.text(a).to_string())
                    })
                    .unwrap_or_default();
                let transport = if t.contains("Stdio") {
                    Some("stdio")
                } else if t.contains("HTTP") || t.contains("Http") || t.contains("SSE") {
                    Some("http")
                } else {
                    None
                };
                if let Some(t) = transport {
                    self.facts.sightings[server]
                        .extra
                        .insert("transport".into(), t.into());
                }
                return;
            }
            _ => None,
        };
        let Some(name) = name else { return };
        let mut caps = Vec::new();
        for a in args {
            self.capabilities(*a, &mut caps, 0);
        }
        caps.sort();
        caps.dedup();
        let idx = self.push(Sighting {
            kind: "tool".into(),
            name,
            line: Self::line(call),
            end_line: call.end_position().row as u32 + 1,
            framework: Some("MCP".into()),
            capabilities: caps,
            extra: serde_json::Map::from_iter([("custom".into(), true.into())]),
            ..Default::default()
        });
        self.facts.sightings[server].uses.push(idx);
    }

    /// Keys of the metadata written beside vectors: objects under `metadata`/`metadatas`/`payload`/
    /// `properties`, or the metadata array of `fromTexts(texts, metadatas, …)`.
    fn metadata_keys(&self, args: &[Node<'s>], method: Option<&str>) -> Vec<String> {
        let mut out = Vec::new();
        for a in args {
            self.metadata_in(*a, &mut out, 0);
        }
        if method == Some("fromTexts") {
            if let Some(m) = args.get(1) {
                self.object_keys(*m, &mut out, 0);
            }
        }
        out
    }

    fn metadata_in(&self, n: Node, out: &mut Vec<String>, depth: usize) {
        if depth > 24 {
            return;
        }
        if n.kind() == "pair" {
            let key = n.child_by_field_name("key").map(|k| {
                self.string_value(k)
                    .unwrap_or_else(|| self.text(k).to_string())
            });
            if key.is_some_and(|k| METADATA_PROPS.contains(&k.as_str())) {
                if let Some(v) = n.child_by_field_name("value") {
                    self.object_keys(v, out, 0);
                }
                return;
            }
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            self.metadata_in(ch, out, depth + 1);
        }
    }

    /// Keys of an object literal, or of the object literals of an array.
    fn object_keys(&self, n: Node, out: &mut Vec<String>, depth: usize) {
        if depth > 4 {
            return;
        }
        let n = unwrap(n);
        match n.kind() {
            "object" => {
                let mut c = n.walk();
                for p in n.named_children(&mut c) {
                    let k = match p.kind() {
                        "pair" => p.child_by_field_name("key").map(|k| {
                            self.string_value(k)
                                .unwrap_or_else(|| self.text(k).to_string())
                        }),
                        "shorthand_property_identifier" => Some(self.text(p).to_string()),
                        _ => None,
                    };
                    if let Some(k) = k.filter(|k| !k.is_empty() && k.len() < 64) {
                        if !out.contains(&k) {
                            out.push(k);
                        }
                    }
                }
            }
            "array" => {
                let mut c = n.walk();
                for ch in n.named_children(&mut c) {
                    self.object_keys(ch, out, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// What a tool's code reaches: processes, code evaluation, files, HTTP, SQL.
    fn capabilities(&self, n: Node<'s>, out: &mut Vec<String>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if matches!(n.kind(), "call_expression" | "new_expression") {
            if let Some(c) = self.capability_of(n) {
                out.push(c.to_string());
            }
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            self.capabilities(ch, out, depth + 1);
        }
    }

    fn capability_of(&self, call: Node<'s>) -> Option<&'static str> {
        let is_new = call.kind() == "new_expression";
        let callee = call
            .child_by_field_name("function")
            .or_else(|| call.child_by_field_name("constructor"))?;
        let args = self.args(call);
        // sql`SELECT …` (postgres.js, @vercel/postgres, Prisma.sql), `db.query("SELECT …")`.
        let sql_text = |a: Node| {
            let a = unwrap(a);
            let t = match a.kind() {
                "string" | "template_string" => self.literal_text(a),
                "identifier" => self.strings.get(self.text(a)).cloned().unwrap_or_default(),
                _ => String::new(),
            };
            sql_re().is_match(&t)
        };
        if call
            .child_by_field_name("arguments")
            .is_some_and(|a| a.kind() == "template_string")
            && args.first().is_some_and(|a| sql_text(*a))
        {
            return Some("sql");
        }
        let parts = self.dotted(callee, 0)?;
        let (module, path) = self.resolved_name(&parts);
        let last = path.last().map(String::as_str).unwrap_or("");
        let first = parts[0].as_str();
        let unresolved = module.is_none();
        let module = module.unwrap_or_default();
        let fs_module = matches!(module.as_str(), "fs" | "fs/promises" | "fs-extra")
            || (unresolved && matches!(first, "fs" | "fsp" | "fsPromises" | "fse"));
        let cap = if module == "child_process"
            || matches!(module.as_str(), "execa" | "shelljs" | "zx" | "cross-spawn")
            || (unresolved
                && parts.len() == 1
                && matches!(
                    first,
                    "exec" | "execSync" | "spawn" | "spawnSync" | "execFile" | "execFileSync"
                ))
            || (unresolved && first == "child_process")
            || matches!(
                parts.join(".").as_str(),
                "Bun.spawn" | "Bun.spawnSync" | "Bun.$" | "Deno.Command" | "Deno.run"
            ) {
            Some("shell")
        } else if (unresolved && parts.len() == 1 && (first == "eval" || first == "Function"))
            || matches!(module.as_str(), "vm" | "vm2" | "isolated-vm")
            || (unresolved && first == "vm" && last.starts_with("run"))
        {
            Some("code-exec")
        } else if fs_module
            && (last.starts_with("write")
                || last.starts_with("append")
                || last.starts_with("unlink")
                || last.starts_with("rm")
                || last.starts_with("rename")
                || last.starts_with("copy")
                || last.starts_with("output")
                || last == "createWriteStream"
                || last == "remove"
                || last == "move")
        {
            Some("file-write")
        } else if fs_module
            && (last.starts_with("read") || last == "createReadStream" || last.starts_with("open"))
        {
            Some("file-read")
        } else if (!is_new && unresolved && parts.len() == 1 && first == "fetch")
            || matches!(
                module.as_str(),
                "axios" | "node-fetch" | "got" | "undici" | "ky" | "superagent" | "cross-fetch"
            )
            || (matches!(module.as_str(), "http" | "https") && matches!(last, "request" | "get"))
            || (unresolved && first == "axios")
        {
            Some("http")
        } else if SQL_METHODS.contains(&last)
            && parts.len() > 1
            && args.first().is_some_and(|a| sql_text(*a))
        {
            Some("sql")
        } else {
            None
        };
        cap
    }

    /// Parameters of the enclosing functions an expression uses (directly or through a variable computed from
    /// one): input that reaches a prompt or an agent from the function's caller (from an HTTP request, for a
    /// route handler).
    fn inputs_of(&self, nodes: &[Node]) -> Vec<Input> {
        if self.funcs.is_empty() {
            return vec![];
        }
        let mut names = Vec::new();
        for n in nodes {
            self.identifiers(*n, &mut names, 0);
        }
        let mut out: Vec<Input> = Vec::new();
        for (name, line) in names {
            for f in self.funcs.iter().rev() {
                let param = if f.params.contains(&name) {
                    Some(name.clone())
                } else {
                    f.derived.get(&name).cloned()
                };
                if let Some(param) = param {
                    if !out.iter().any(|i| i.name == param) {
                        out.push(Input {
                            source: if f.handler {
                                "http-request"
                            } else {
                                "parameter"
                            }
                            .into(),
                            name: param,
                            function: f.name.clone(),
                            line,
                        });
                    }
                    break;
                }
            }
        }
        out
    }

    /// Identifiers an expression uses (at most a few thousand nodes of it are looked at).
    fn identifiers(&self, n: Node, out: &mut Vec<(String, u32)>, depth: usize) {
        let mut budget = 4096;
        self.identifiers_within(n, out, depth, &mut budget);
    }

    fn identifiers_within(
        &self,
        n: Node,
        out: &mut Vec<(String, u32)>,
        depth: usize,
        budget: &mut usize,
    ) {
        if depth > 32 || *budget == 0 {
            return;
        }
        *budget -= 1;
        match n.kind() {
            "identifier" | "shorthand_property_identifier" => {
                out.push((self.text(n).to_string(), Self::line(n)))
            }
            // `req.body.q`: the object is what comes in.
            "member_expression" => {
                if let Some(o) = n.child_by_field_name("object") {
                    self.identifiers_within(o, out, depth + 1, budget);
                }
            }
            "pair" => {
                if let Some(v) = n.child_by_field_name("value") {
                    self.identifiers_within(v, out, depth + 1, budget);
                }
            }
            _ => {
                let mut c = n.walk();
                for ch in n.named_children(&mut c) {
                    self.identifiers_within(ch, out, depth + 1, budget);
                }
            }
        }
    }

    /// A string literal: SQL a file runs, a database address, a bucket path.
    fn literal(&mut self, s: &str, line: u32) {
        crate::sighting::note_literal(&mut self.sql, &mut self.uris, s, line);
    }

    // ---- the file as a whole -----------------------------------------------------------------------

    /// Joins what the walk collected: agents get the file's tools and clients when given none by name, SQL
    /// tables and addresses become data sets when the file has AI assets, and stores written in a file that
    /// reads tables read them.
    fn finish(&mut self) {
        crate::sighting::link_agents(&mut self.facts);
        let has_ai = self.facts.sightings.iter().any(|s| {
            matches!(
                s.kind.as_str(),
                "llm-client" | "model" | "agent" | "vector-store" | "mcp-server" | "tool"
            )
        });
        if !has_ai {
            // A file that only opens a database is not an AI asset on its own.
            self.facts.sightings.clear();
            return;
        }
        crate::sighting::add_data_sets(
            &mut self.facts,
            std::mem::take(&mut self.sql),
            std::mem::take(&mut self.uris),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sights_in(path: &str, src: &str) -> Vec<Sighting> {
        scan(src.as_bytes(), path).unwrap().sightings
    }

    fn sights(src: &str) -> Vec<Sighting> {
        sights_in("src/app.js", src)
    }

    #[test]
    fn the_catalog_parses_and_every_entry_is_usable() {
        let file: CatalogFile = toml::from_str(CATALOG_JS_TOML).expect("catalog-js.toml");
        assert!(file.entry.len() > 60);
        assert_eq!(js_entries().len(), file.entry.len());
        for e in &file.entry {
            assert!(
                [
                    "llm-client",
                    "agent",
                    "tool",
                    "custom-tool",
                    "vector-store",
                    "dataset",
                    "mcp-server",
                    "model-provider"
                ]
                .contains(&e.kind.as_str()),
                "{e:?}"
            );
            assert!(!e.modules.is_empty() && !e.names.is_empty(), "{e:?}");
            if e.kind == "tool" {
                assert!(e.capability.is_some(), "a tool says what it can do: {e:?}");
            }
            if matches!(e.kind.as_str(), "llm-client" | "model-provider") && e.provider.is_some() {
                assert!(
                    !e.key_env.is_empty()
                        || e.provider.as_deref() == Some("Ollama")
                        || e.provider.as_deref() == Some("configurable"),
                    "a hosted provider names its key variable: {e:?}"
                );
            }
            assert!(e.only_arg0.is_empty(), "{e:?}");
        }
    }

    #[test]
    fn names_match_the_package_and_its_exports_but_not_by_accident() {
        let p = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            lookup("openai", &p(&["default"])).unwrap().entry.kind,
            "llm-client"
        );
        assert_eq!(
            lookup("openai", &[]).unwrap().entry.provider.as_deref(),
            Some("OpenAI")
        );
        assert_eq!(
            lookup("openai", &p(&["AzureOpenAI"]))
                .unwrap()
                .entry
                .provider
                .as_deref(),
            Some("Azure OpenAI")
        );
        assert_eq!(
            lookup("ollama", &p(&["default", "chat"]))
                .unwrap()
                .entry
                .provider
                .as_deref(),
            Some("Ollama")
        );
        assert_eq!(
            lookup(
                "@modelcontextprotocol/sdk/server/mcp.js",
                &p(&["McpServer"])
            )
            .unwrap()
            .entry
            .kind,
            "mcp-server"
        );
        assert_eq!(
            lookup(
                "@langchain/community/tools/tavily_search",
                &p(&["TavilySearchResults"])
            )
            .unwrap()
            .entry
            .capability
            .as_deref(),
            Some("http")
        );
        let f = lookup(
            "langchain/vectorstores/memory",
            &p(&["MemoryVectorStore", "fromDocuments"]),
        )
        .unwrap();
        assert_eq!(f.method.as_deref(), Some("fromDocuments"));
        assert!(lookup("openai-compat", &p(&["OpenAI"])).is_none());
        assert!(lookup("openai/helpers/zod", &p(&["default"])).is_none());
        assert!(lookup("mylib", &p(&["OpenAI"])).is_none());
        assert!(lookup("openai", &p(&["NotOpenAI"])).is_none());
    }

    #[test]
    fn only_files_that_import_an_ai_library_are_parsed() {
        assert!(worth_parsing(b"import OpenAI from \"openai\";\n"));
        assert!(worth_parsing(
            b"const { Pinecone } = require('@pinecone-database/pinecone')\n"
        ));
        assert!(worth_parsing(b"import { openai } from '@ai-sdk/openai'\n"));
        assert!(worth_parsing(
            b"import { McpServer } from \"@modelcontextprotocol/sdk/server/mcp.js\";\n"
        ));
        assert!(worth_parsing(
            b"import x = require(\"@anthropic-ai/sdk\");\n"
        ));
        assert!(!worth_parsing(
            b"import React from 'react';\nimport { Pool } from 'pg';\n"
        ));
        assert!(!worth_parsing(b"import x from 'openai-like';\n"));
        assert!(!worth_parsing(
            b"// we might use openai one day\nconst x = 1;\n"
        ));
        assert!(!worth_parsing(b"const m = await import('openai');\n"));
    }

    #[test]
    fn an_openai_client_with_its_model_and_env_key_in_an_express_handler() {
        let s = sights(
            "import express from \"express\";\nimport OpenAI from \"openai\";\nconst app = express();\n\
             const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });\n\
             app.post(\"/chat\", async (req, res) => {\n  const { message } = req.body;\n\
               const r = await client.chat.completions.create({ model: \"gpt-4o-mini\", messages: [{ role: \"user\", content: message }] });\n\
               res.json(r);\n});\n",
        );
        assert_eq!(s.len(), 1, "{s:#?}");
        assert_eq!(s[0].kind, "llm-client");
        assert_eq!(s[0].name, "OpenAI");
        assert_eq!(s[0].provider.as_deref(), Some("OpenAI"));
        assert_eq!(s[0].models, ["gpt-4o-mini"]);
        let key = s[0].key.as_ref().unwrap();
        assert_eq!(
            (key.from.as_str(), key.env.clone()),
            ("env", vec!["OPENAI_API_KEY".to_string()])
        );
        assert_eq!(s[0].inputs.len(), 1, "{:?}", s[0].inputs);
        assert_eq!(s[0].inputs[0].source, "http-request");
        assert_eq!(s[0].inputs[0].name, "req");
        assert_eq!(s[0].inputs[0].function, "POST /chat");
        let facts = scan(
            b"import OpenAI from 'openai';\nconst k = process.env['A'] ?? import.meta.env.B;\nconst c = new OpenAI();\n",
            "a.mjs",
        )
        .unwrap();
        let env: Vec<&str> = facts.env.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(env, ["A", "B"]);
    }

    #[test]
    fn an_anthropic_client_with_a_hard_coded_key() {
        let src = "const Anthropic = require(\"@anthropic-ai/sdk\");\n\
                   const anthropic = new Anthropic({ apiKey: \"xxxxxxxxxxxxxxxxxxxxxxxx\" });\n\
                   async function ask(question) {\n  return anthropic.messages.create({ model: \"claude-3-5-sonnet-latest\", max_tokens: 256, messages: [{ role: \"user\", content: question }] });\n}\n";
        let s = sights(src);
        assert_eq!(s.len(), 1, "{s:#?}");
        assert_eq!(s[0].provider.as_deref(), Some("Anthropic"));
        assert_eq!(s[0].models, ["claude-3-5-sonnet-latest"]);
        assert_eq!(s[0].key.as_ref().unwrap().from, "hard-coded");
        assert_eq!(s[0].key.as_ref().unwrap().line, 2);
        assert_eq!(
            (s[0].inputs[0].source.as_str(), s[0].inputs[0].name.as_str()),
            ("parameter", "question")
        );
        // The key's value is never kept.
        let json = serde_json::to_string(&scan(src.as_bytes(), "a.js").unwrap()).unwrap();
        assert!(!json.contains("sk-ant"), "{json}");
        // Absent: the SDK reads its variable; from a secret manager: said so.
        let d = sights("import Anthropic from '@anthropic-ai/sdk';\nconst a = new Anthropic();\n");
        let k = d[0].key.as_ref().unwrap();
        assert_eq!(
            (k.from.as_str(), k.env.clone()),
            ("sdk-default", vec!["ANTHROPIC_API_KEY".to_string()])
        );
        let sm = sights(
            "import Anthropic from '@anthropic-ai/sdk';\n\
             const { SecretString } = await sm.send(new GetSecretValueCommand({ SecretId: 'k' }));\n\
             const a = new Anthropic({ apiKey: JSON.parse(SecretString).key });\n",
        );
        assert_eq!(sm[0].key.as_ref().unwrap().from, "secret-manager");
    }

    #[test]
    fn vercel_ai_sdk_calls_are_clients_of_their_model_s_provider() {
        let s = sights_in(
            "lib/answer.ts",
            "import { generateText, streamText } from \"ai\";\nimport { openai } from \"@ai-sdk/openai\";\n\
             export async function answer(question: string): Promise<string> {\n\
               const { text } = await generateText({ model: openai(\"gpt-4o\"), prompt: question });\n  return text;\n}\n\
             const mini = openai(\"gpt-4o-mini\");\nexport const s = (q: string) => streamText({ model: mini, prompt: q });\n",
        );
        assert_eq!(s.len(), 1, "{s:#?}");
        assert_eq!(s[0].kind, "llm-client");
        assert_eq!(s[0].name, "OpenAI (Vercel AI SDK)");
        assert_eq!(s[0].framework.as_deref(), Some("Vercel AI SDK"));
        assert_eq!(s[0].models, ["gpt-4o", "gpt-4o-mini"]);
        assert_eq!(s[0].key.as_ref().unwrap().from, "sdk-default");
        let names: Vec<&str> = s[0].inputs.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["question", "q"]);
        // A provider made with its own key; embeddings apart.
        let s = sights(
            "import { embed, generateText } from 'ai';\nimport { createAnthropic } from '@ai-sdk/anthropic';\n\
             import { openai } from '@ai-sdk/openai';\n\
             const anthropic = createAnthropic({ apiKey: process.env.CLAUDE_KEY });\n\
             await generateText({ model: anthropic('claude-3-haiku-20240307'), prompt: 'hi' });\n\
             await embed({ model: openai.embedding('text-embedding-3-small'), value: 'x' });\n",
        );
        assert_eq!(s.len(), 2, "{s:#?}");
        assert_eq!(s[0].provider.as_deref(), Some("Anthropic"));
        assert_eq!(s[0].models, ["claude-3-haiku-20240307"]);
        assert_eq!(s[0].key.as_ref().unwrap().env, ["CLAUDE_KEY"]);
        assert!(s[1].embeddings);
        assert_eq!(s[1].models, ["text-embedding-3-small"]);
    }

    #[test]
    fn a_langchain_agent_with_a_tool_that_runs_commands() {
        let s = sights_in(
            "agent.ts",
            "import { ChatOpenAI } from \"@langchain/openai\";\nimport { tool } from \"@langchain/core/tools\";\n\
             import { createReactAgent } from \"@langchain/langgraph/prebuilt\";\nimport { execSync } from \"node:child_process\";\n\
             import { z } from \"zod\";\n\
             const shell = tool(async ({ cmd }: { cmd: string }) => execSync(cmd).toString(), { name: \"shell\", schema: z.object({ cmd: z.string() }) });\n\
             const llm = new ChatOpenAI({ model: \"gpt-4o\", temperature: 0 });\n\
             const agent = createReactAgent({ llm, tools: [shell] });\n\
             export async function handle(body: string) {\n  return agent.invoke({ messages: [{ role: \"user\", content: body }] });\n}\n",
        );
        let agent = s.iter().find(|x| x.kind == "agent").unwrap();
        assert_eq!(agent.framework.as_deref(), Some("LangGraph"));
        let tool = s.iter().position(|x| x.kind == "tool").unwrap();
        let llm = s.iter().position(|x| x.kind == "llm-client").unwrap();
        assert_eq!(s[tool].name, "shell");
        assert_eq!(s[tool].capabilities, ["shell"]);
        assert_eq!(s[llm].name, "OpenAI (LangChain ChatOpenAI)");
        assert_eq!(s[llm].models, ["gpt-4o"]);
        assert!(
            agent.uses.contains(&tool) && agent.uses.contains(&llm),
            "{agent:?}"
        );
        assert_eq!(agent.inputs[0].name, "body");
    }

    #[test]
    fn a_langchain_chain_runs_its_model() {
        let s = sights(
            "import { ChatAnthropic } from '@langchain/anthropic';\nimport { ChatPromptTemplate } from '@langchain/core/prompts';\n\
             const model = new ChatAnthropic({ model: 'claude-3-5-haiku-latest' });\n\
             const chain = ChatPromptTemplate.fromMessages([['human', '{q}']]).pipe(model);\n\
             export const ask = async (q) => chain.invoke({ q });\n",
        );
        assert_eq!(s.len(), 1, "{s:#?}");
        assert_eq!(s[0].name, "Anthropic (LangChain ChatAnthropic)");
        assert_eq!(s[0].inputs[0].name, "q");
        assert_eq!(s[0].inputs[0].function, "ask");
    }

    #[test]
    fn tool_capabilities_come_from_what_their_code_calls() {
        let s = sights(
            "const { tool } = require('ai');\nconst fs = require('fs');\nconst vm = require('node:vm');\n\
             const t = {\n  write: tool({ execute: async ({ p, d }) => fs.writeFileSync(p, d) }),\n\
               run: tool({ execute: async ({ code }) => vm.runInNewContext(code) }),\n\
               ev: tool({ execute: async ({ code }) => eval(code) }),\n\
               get: tool({ execute: async ({ url }) => (await fetch(url)).text() }),\n\
               q: tool({ execute: async ({ id }) => db.query(`SELECT name FROM users WHERE id = ${id}`) }),\n};\n",
        );
        let caps: Vec<(&str, Vec<String>)> = s
            .iter()
            .filter(|x| x.kind == "tool")
            .map(|x| (x.name.as_str(), x.capabilities.clone()))
            .collect();
        assert_eq!(
            caps,
            [
                ("write", vec!["file-write".to_string()]),
                ("run", vec!["code-exec".to_string()]),
                ("ev", vec!["code-exec".to_string()]),
                ("get", vec!["http".to_string()]),
                ("q", vec!["sql".to_string()]),
            ]
        );
    }

    #[test]
    fn a_pinecone_index_with_personal_metadata() {
        let s = sights(
            "const { Pinecone } = require(\"@pinecone-database/pinecone\");\n\
             const pc = new Pinecone({ apiKey: process.env.PINECONE_API_KEY });\nconst index = pc.index(\"customers\");\n\
             async function store(rows) {\n  await index.upsert(rows.map((r) => ({ id: r.id, values: r.vec, metadata: { email: r.email, phone: r.phone } })));\n}\n",
        );
        assert_eq!(s.len(), 1, "{s:#?}");
        assert_eq!(s[0].kind, "vector-store");
        assert_eq!(s[0].name, "Pinecone");
        assert_eq!(s[0].collections, ["customers"]);
        assert_eq!(s[0].fields, ["email", "phone"]);
        assert_eq!(s[0].key.as_ref().unwrap().env, ["PINECONE_API_KEY"]);
        let c = sights(
            "import { ChromaClient } from 'chromadb';\nconst client = new ChromaClient();\n\
             const col = await client.getOrCreateCollection({ name: 'docs' });\n\
             await col.add({ ids: ['1'], documents: ['d'], metadatas: [{ ssn: '1' }] });\n",
        );
        assert_eq!(
            (c[0].collections.clone(), c[0].fields.clone()),
            (vec!["docs".to_string()], vec!["ssn".to_string()])
        );
    }

    #[test]
    fn an_mcp_server_with_two_tools() {
        let s = sights_in(
            "server.ts",
            "import { McpServer } from \"@modelcontextprotocol/sdk/server/mcp.js\";\n\
             import { StdioServerTransport } from \"@modelcontextprotocol/sdk/server/stdio.js\";\n\
             import { z } from \"zod\";\nimport { readFile, writeFile } from \"node:fs/promises\";\n\
             const server = new McpServer({ name: \"files\", version: \"1.0.0\" });\n\
             server.tool(\"read\", { path: z.string() }, async ({ path }) => ({ content: [{ type: \"text\", text: await readFile(path, \"utf8\") }] }));\n\
             server.registerTool(\"write\", { description: \"write\", inputSchema: { path: z.string() } }, async ({ path, text }) => {\n  await writeFile(path, text);\n  return { content: [] };\n});\n\
             const transport = new StdioServerTransport();\nawait server.connect(transport);\n",
        );
        assert_eq!(s.len(), 3, "{s:#?}");
        assert_eq!(s[0].kind, "mcp-server");
        assert_eq!(s[0].name, "files");
        assert_eq!(s[0].uses, [1, 2]);
        assert_eq!(
            s[0].extra.get("transport"),
            Some(&serde_json::json!("stdio"))
        );
        assert_eq!(s[0].extra.get("source"), Some(&serde_json::json!("code")));
        assert_eq!(
            (s[1].name.as_str(), s[1].capabilities.clone()),
            ("read", vec!["file-read".to_string()])
        );
        assert_eq!(
            (s[2].name.as_str(), s[2].capabilities.clone()),
            ("write", vec!["file-write".to_string()])
        );
        assert!(s[1..]
            .iter()
            .all(|t| t.kind == "tool" && t.framework.as_deref() == Some("MCP")));
    }

    #[test]
    fn typescript_and_tsx_parse() {
        let ts = sights_in(
            "src/service.ts",
            "import OpenAI from 'openai';\ninterface Q { text: string }\n\
             export class Service {\n  private client: OpenAI = new OpenAI({ apiKey: process.env.OPENAI_API_KEY! });\n\
               async ask<T extends Q>(q: T): Promise<string> {\n    const r = await this.client.responses.create({ model: 'gpt-4.1' as const, input: q.text });\n    return r.output_text as string;\n  }\n}\n",
        );
        assert_eq!(ts.len(), 1, "{ts:#?}");
        assert_eq!(ts[0].models, ["gpt-4.1"]);
        assert_eq!(ts[0].key.as_ref().unwrap().env, ["OPENAI_API_KEY"]);
        assert_eq!(ts[0].inputs[0].name, "q");
        let tsx = sights_in(
            "app/chat/page.tsx",
            "import { useState } from 'react';\nimport { GoogleGenerativeAI } from '@google/generative-ai';\n\
             const genAI = new GoogleGenerativeAI(process.env.NEXT_PUBLIC_GEMINI_KEY as string);\n\
             export default function Chat({ initial }: { initial: string }) {\n  const [q, setQ] = useState<string>(initial);\n\
               const model = genAI.getGenerativeModel({ model: 'gemini-1.5-flash' });\n\
               return <button onClick={() => model.generateContent(q)}>Ask {q}</button>;\n}\n",
        );
        assert_eq!(tsx.len(), 1, "{tsx:#?}");
        assert_eq!(tsx[0].provider.as_deref(), Some("Google GenAI"));
        assert_eq!(tsx[0].models, ["gemini-1.5-flash"]);
        assert_eq!(tsx[0].key.as_ref().unwrap().env, ["NEXT_PUBLIC_GEMINI_KEY"]);
    }

    #[test]
    fn a_next_js_route_handler_serves_http_requests() {
        let s = sights_in(
            "app/api/chat/route.ts",
            "import Groq from 'groq-sdk';\nconst groq = new Groq();\n\
             export async function POST(req: Request) {\n  const { prompt } = await req.json();\n\
               return groq.chat.completions.create({ model: 'llama-3.1-8b-instant', messages: [{ role: 'user', content: prompt }] });\n}\n",
        );
        assert_eq!(s[0].provider.as_deref(), Some("Groq"));
        assert_eq!(
            (
                s[0].inputs[0].source.as_str(),
                s[0].inputs[0].function.as_str()
            ),
            ("http-request", "POST")
        );
    }

    #[test]
    fn a_name_that_is_not_imported_from_the_sdk_is_not_a_client() {
        assert!(sights("class OpenAI {}\nconst client = new OpenAI();\n").is_empty());
        assert!(
            sights("import { OpenAI } from './openai';\nconst client = new OpenAI();\n").is_empty()
        );
        assert!(sights(
            "import { OpenAI } from 'mylib';\nconst c = new OpenAI({ apiKey: 'x' });\n"
        )
        .is_empty());
        assert!(
            sights("const { OpenAI } = await import('openai');\nconst c = new OpenAI();\n")
                .is_empty()
        );
    }

    #[test]
    fn sql_tables_become_data_sets_only_beside_ai_assets() {
        let q = "import { Pool } from 'pg';\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\n\
                 const rows = await pool.query('SELECT id, email FROM customers');\n";
        assert!(sights(q).is_empty());
        let with_ai = format!(
            "{q}import OpenAI from 'openai';\nconst c = new OpenAI();\nconst u = 'postgres://app:pw@db.internal:5432/crm';\n" // warden:ignore
        );
        let s = sights(&with_ai);
        let t = s
            .iter()
            .find(|x| x.kind == "dataset" && x.provider.as_deref() == Some("table"))
            .unwrap();
        assert_eq!(t.name, "customers");
        assert_eq!(t.fields, ["id", "email"]);
        assert!(s.iter().any(|x| x.name == "database from $DATABASE_URL"));
        let db = s
            .iter()
            .find(|x| x.target.as_deref() == Some("postgres://db.internal/crm"))
            .unwrap();
        assert_eq!(db.provider.as_deref(), Some("database"));
    }

    #[test]
    fn openai_agents_tools_and_runs() {
        let s = sights(
            "import { Agent, run, tool } from '@openai/agents';\nimport { spawn } from 'child_process';\n\
             const sh = tool({ name: 'sh', description: 'run', parameters: {}, execute: async ({ c }) => spawn(c) });\n\
             const agent = new Agent({ name: 'Ops', model: 'gpt-4.1', tools: [sh] });\n\
             export async function go(input) { return run(agent, input); }\n",
        );
        let a = s.iter().find(|x| x.kind == "agent").unwrap();
        assert_eq!(a.name, "OpenAI Agents Agent");
        assert_eq!(a.models, ["gpt-4.1"]);
        assert_eq!(a.extra.get("agent_name"), Some(&serde_json::json!("Ops")));
        assert_eq!(a.inputs[0].name, "input");
        let t = s.iter().position(|x| x.kind == "tool").unwrap();
        assert_eq!(s[t].capabilities, ["shell"]);
        assert_eq!(a.uses, [t]);
    }

    #[test]
    fn deep_nesting_is_cut_off_not_overflowed() {
        let mut src = String::from(
            "import OpenAI from 'openai';\nimport { Agent, tool } from '@openai/agents';\n",
        );
        for _ in 0..3000 {
            src.push_str("new Agent({ tools: [tool({ execute: () => (");
        }
        for _ in 0..3000 {
            src.push_str(") })] })");
        }
        src.push_str(";\nconst x = ");
        src.push_str(&"[".repeat(20_000));
        src.push_str(&"]".repeat(20_000));
        src.push_str(";\nconst k = ");
        src.push_str(&"process.env.A || ".repeat(5_000));
        src.push_str("'b';\nconst c = new OpenAI({ apiKey: k });\n");
        let facts = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || scan(src.as_bytes(), "deep.js"))
            .unwrap()
            .join()
            .expect("no stack overflow")
            .unwrap();
        assert!(facts.sightings.iter().any(|s| s.kind == "llm-client"));
    }

    proptest::proptest! {
        #[test]
        fn any_input_parses_without_panicking(src in "(?s).{0,400}") {
            let _ = scan(src.as_bytes(), "x.js");
            let _ = scan(src.as_bytes(), "x.ts");
            let _ = scan(src.as_bytes(), "x.tsx");
        }

        #[test]
        fn js_shaped_input_never_panics(
            lines in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just("import OpenAI from 'openai';".to_string()),
                proptest::strategy::Just("import { generateText, tool } from 'ai';".to_string()),
                proptest::strategy::Just("import { openai, createOpenAI } from '@ai-sdk/openai';".to_string()),
                proptest::strategy::Just("const { Pinecone } = require('@pinecone-database/pinecone');".to_string()),
                proptest::strategy::Just("import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';".to_string()),
                proptest::strategy::Just("const c = new OpenAI({ apiKey: process.env.K });".to_string()),
                proptest::strategy::Just("const p = createOpenAI({ apiKey: 'x' }); p.embedding('e');".to_string()),
                proptest::strategy::Just("c.chat.completions.create({ model: 'm', messages: x });".to_string()),
                proptest::strategy::Just("generateText({ model: openai('m'), prompt: a, tools: { t: tool({ execute: () => eval(a) }) } });".to_string()),
                proptest::strategy::Just("const s = new McpServer({ name: 'n' }); s.tool('t', async () => fetch(u));".to_string()),
                proptest::strategy::Just("const pc = new Pinecone(); pc.index('i').upsert([{ metadata: { e: 1 } }]);".to_string()),
                proptest::strategy::Just("app.post('/x', async (req, res) => {".to_string()),
                proptest::strategy::Just("function f(a: string) {".to_string()),
                proptest::strategy::Just("  return c.run(a);".to_string()),
                proptest::strategy::Just("});".to_string()),
                proptest::strategy::Just("}".to_string()),
                "[a-zA-Z(){}\\[\\],.:=\"'`$ <>/]{0,40}",
            ], 0..30)
        ) {
            let src = lines.join("\n");
            let _ = scan(src.as_bytes(), "x.ts");
            let _ = scan(src.as_bytes(), "x.jsx");
        }
    }
}
