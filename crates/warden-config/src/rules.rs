//! Rules as data: each rule names a scope (what it visits: a container, a Terraform resource, a workflow step)
//! and a condition over paths in the positioned tree. The reference is `docs/config-rules.md`.
//!
//! ```toml
//! [[rule]]
//! id = "privileged-container"            # the family prefix is added: k8s/privileged-container
//! scope = "k8s/container"
//! when = { path = "securityContext.privileged", eq = true }
//! ```
//!
//! Conditions: `all`, `any`, `not`, `some = "path"` with `where` (some element, or entry, at the path satisfies
//! `where`, evaluated from that element), and leaves `{ path = …, <test> }` with one test: `exists`, `eq`, `ne`,
//! `in`, `not_in`, `matches`, `not_matches`, `gt`, `ge`, `lt`, `le`, `has`, `empty`, `call` (a named check in
//! Rust, `builtins.rs`). A path may start at a named ancestor of the scope: `$object.kind`, `$workflow.on`.

use crate::builtins::{self, Builtin};
use crate::tree::{parse_path, Hit, Kind, NodeId, Step, Tree};
use regex::Regex;
use serde::Deserialize;
use warden_core::{Confidence, RuleMeta, Severity};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(rename = "rule", default)]
    pub rules: Vec<RuleDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Without the family prefix: `privileged-container`, `gha/script-injection`.
    pub id: String,
    pub title: String,
    pub severity: Severity,
    #[serde(default = "high")]
    pub confidence: Confidence,
    pub scope: String,
    /// Object kinds (Kubernetes), resource types (Terraform) or instructions (Dockerfile) the rule applies to;
    /// empty for all.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Required except for `k8s/graph` rules, which the exposure graph implements.
    #[serde(default)]
    pub when: Option<CondDef>,
    /// Where to point, when not at what made the condition true.
    #[serde(default)]
    pub at: Option<String>,
    /// Evaluate `when` from each element (or map entry, with `*`) the path reaches, one finding per element
    /// that satisfies it: `each = "env"` reports every offending variable, not just the first.
    /// A list of paths iterates the elements of each (`["environment[*]", "environment.*"]` covers both
    /// spellings of compose's environment).
    #[serde(default)]
    pub each: Option<OneOrMany>,
    /// Terraform: the finding is dropped when the module directory has a resource of one of these types that
    /// refers to this one (a bucket's separate public-access block, an account's separate customer-managed
    /// key).
    #[serde(default)]
    pub unless_resource: Vec<Companion>,
    /// The finding's message; the title when absent. `{what}` is replaced by what the scope is
    /// (`container "app" of Deployment "web"`).
    #[serde(default)]
    pub message: Option<String>,
    pub description: String,
    pub remediation: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub references: Vec<String>,
    /// Files that must produce a finding of this rule, each on the line marked `# expect`.
    pub examples: Vec<String>,
    /// Files that must not.
    pub negative_examples: Vec<String>,
    /// The file name the examples are analysed under (a default per scope).
    #[serde(default)]
    pub example_path: Option<String>,
}

/// Resources that, when present in the same module and referring to the resource a rule visits, settle it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Companion {
    /// Resource types that settle the rule.
    pub types: Vec<String>,
    /// The attribute of the companion that refers to the visited resource (`bucket`, `storage_account_id`);
    /// without it, any resource of those types in the module settles the rule (an account-wide setting).
    #[serde(default)]
    pub reference: Option<String>,
}

/// A path or a list of paths.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn paths(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

fn high() -> Confidence {
    Confidence::High
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CondDef {
    pub all: Option<Vec<CondDef>>,
    pub any: Option<Vec<CondDef>>,
    pub not: Option<Box<CondDef>>,
    pub some: Option<String>,
    #[serde(rename = "where")]
    pub where_: Option<Box<CondDef>>,
    pub path: Option<String>,
    pub exists: Option<bool>,
    pub eq: Option<toml::Value>,
    pub ne: Option<toml::Value>,
    #[serde(rename = "in")]
    pub in_: Option<Vec<toml::Value>>,
    pub not_in: Option<Vec<toml::Value>>,
    pub matches: Option<String>,
    pub not_matches: Option<String>,
    pub gt: Option<f64>,
    pub ge: Option<f64>,
    pub lt: Option<f64>,
    pub le: Option<f64>,
    pub has: Option<toml::Value>,
    pub empty: Option<bool>,
    pub call: Option<String>,
}

/// A value a rule compares with.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Bool(bool),
    Num(f64),
    Str(String),
}

#[derive(Debug, Clone)]
pub enum Test {
    Exists(bool),
    Eq(Val),
    Ne(Val),
    In(Vec<Val>),
    NotIn(Vec<Val>),
    Matches(Regex),
    NotMatches(Regex),
    Gt(f64),
    Ge(f64),
    Lt(f64),
    Le(f64),
    Has(Val),
    Empty(bool),
    Call(Builtin),
}

/// Where a path starts: the scope's node or one of its named ancestors.
#[derive(Debug, Clone)]
pub struct PathRef {
    pub anchor: Option<String>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone)]
pub enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Some(PathRef, Box<Cond>),
    Leaf(PathRef, Test),
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub meta: RuleMeta,
    pub scope: String,
    pub kinds: Vec<String>,
    pub when: Cond,
    pub at: Option<PathRef>,
    pub each: Option<Vec<PathRef>>,
    pub message: Option<String>,
    pub def: RuleDef,
}

fn val(v: &toml::Value) -> Result<Val, String> {
    Ok(match v {
        toml::Value::Boolean(b) => Val::Bool(*b),
        toml::Value::Integer(i) => Val::Num(*i as f64),
        toml::Value::Float(f) => Val::Num(*f),
        toml::Value::String(s) => Val::Str(s.clone()),
        other => return Err(format!("cannot compare with {other}")),
    })
}

fn path_ref(s: &str) -> Result<PathRef, String> {
    let (anchor, rest) = match s.strip_prefix('$') {
        Some(r) => {
            let (a, rest) = r.split_once('.').unwrap_or((r, ""));
            (Some(a.to_string()), rest)
        }
        None => (None, s),
    };
    Ok(PathRef {
        anchor,
        steps: parse_path(rest)?,
    })
}

fn regex(s: &str) -> Result<Regex, String> {
    Regex::new(s).map_err(|e| format!("bad regex `{s}`: {e}"))
}

impl CondDef {
    pub fn compile(&self) -> Result<Cond, String> {
        let mut forms = Vec::new();
        if let Some(v) = &self.all {
            forms.push(Cond::All(
                v.iter().map(|c| c.compile()).collect::<Result<_, _>>()?,
            ));
        }
        if let Some(v) = &self.any {
            forms.push(Cond::Any(
                v.iter().map(|c| c.compile()).collect::<Result<_, _>>()?,
            ));
        }
        if let Some(c) = &self.not {
            forms.push(Cond::Not(Box::new(c.compile()?)));
        }
        if let Some(p) = &self.some {
            let w = self
                .where_
                .as_ref()
                .ok_or_else(|| format!("`some = \"{p}\"` needs `where`"))?;
            forms.push(Cond::Some(path_ref(p)?, Box::new(w.compile()?)));
        } else if self.where_.is_some() {
            return Err("`where` without `some`".into());
        }
        let mut tests = Vec::new();
        if let Some(b) = self.exists {
            tests.push(Test::Exists(b));
        }
        if let Some(v) = &self.eq {
            tests.push(Test::Eq(val(v)?));
        }
        if let Some(v) = &self.ne {
            tests.push(Test::Ne(val(v)?));
        }
        if let Some(v) = &self.in_ {
            tests.push(Test::In(v.iter().map(val).collect::<Result<_, _>>()?));
        }
        if let Some(v) = &self.not_in {
            tests.push(Test::NotIn(v.iter().map(val).collect::<Result<_, _>>()?));
        }
        if let Some(r) = &self.matches {
            tests.push(Test::Matches(regex(r)?));
        }
        if let Some(r) = &self.not_matches {
            tests.push(Test::NotMatches(regex(r)?));
        }
        for (o, f) in [
            (self.gt, Test::Gt as fn(f64) -> Test),
            (self.ge, Test::Ge),
            (self.lt, Test::Lt),
            (self.le, Test::Le),
        ] {
            if let Some(n) = o {
                tests.push(f(n));
            }
        }
        if let Some(v) = &self.has {
            tests.push(Test::Has(val(v)?));
        }
        if let Some(b) = self.empty {
            tests.push(Test::Empty(b));
        }
        if let Some(name) = &self.call {
            tests
                .push(Test::Call(builtins::by_name(name).ok_or_else(|| {
                    format!("unknown check `call = \"{name}\"`")
                })?));
        }
        match (&self.path, tests.len()) {
            (Some(p), 1) => forms.push(Cond::Leaf(path_ref(p)?, tests.pop().unwrap())),
            (None, 1) => forms.push(Cond::Leaf(path_ref("")?, tests.pop().unwrap())),
            (Some(p), 0) => {
                return Err(format!(
                    "`path = \"{p}\"` needs one test (eq, exists, matches, …)"
                ))
            }
            (_, 0) => {}
            (_, n) => return Err(format!("one test per condition, found {n}; use `all`")),
        }
        match forms.len() {
            1 => Ok(forms.pop().unwrap()),
            0 => Err("empty condition".into()),
            _ => Err("a condition has one form: all, any, not, some, or a path test".into()),
        }
    }
}

impl RuleDef {
    pub fn compile(&self, family: &str) -> Result<Rule, String> {
        let full = format!("{family}/{}", self.id);
        let when = match (&self.when, self.scope.as_str()) {
            (Some(w), s) if s != "k8s/graph" => {
                w.compile().map_err(|e| format!("{full}: when: {e}"))?
            }
            (None, "k8s/graph") => Cond::All(Vec::new()),
            (Some(_), _) => return Err(format!("{full}: graph rules have no `when`")),
            (None, _) => return Err(format!("{full}: needs `when`")),
        };
        let at = self
            .at
            .as_deref()
            .map(path_ref)
            .transpose()
            .map_err(|e| format!("{full}: at: {e}"))?;
        let each = self
            .each
            .as_ref()
            .map(|e| {
                e.paths()
                    .into_iter()
                    .map(path_ref)
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()
            .map_err(|e| format!("{full}: each: {e}"))?;
        if !self.unless_resource.is_empty() && self.scope != "tf/resource" {
            return Err(format!("{full}: unless_resource is for tf/resource rules"));
        }
        if !crate::scope::SCOPES.contains(&self.scope.as_str()) {
            return Err(format!(
                "{full}: unknown scope `{}` (known: {})",
                self.scope,
                crate::scope::SCOPES.join(", ")
            ));
        }
        Ok(Rule {
            meta: RuleMeta {
                id: full,
                title: self.title.clone(),
                severity: self.severity,
                confidence: self.confidence,
                description: self.description.trim().to_string(),
                remediation: self.remediation.trim().to_string(),
                tags: self.tags.clone(),
                references: self.references.clone(),
            },
            scope: self.scope.clone(),
            kinds: self.kinds.clone(),
            when,
            at,
            each,
            message: self.message.clone(),
            def: self.clone(),
        })
    }
}

/// What a condition is evaluated against: the tree, the scope's node and its named ancestors.
pub struct Ctx<'a> {
    pub tree: &'a Tree,
    pub anchors: &'a [(&'static str, NodeId)],
    /// Inside `some`: the key of the entry being tested (`$key`), when it came from a map.
    pub key: std::cell::Cell<Option<NodeId>>,
    /// The last `matches` that held: the node and the text the regex matched, so a finding on a multi-line
    /// value (a `run: |` script, a continued RUN) can point at the line that holds the match.
    pub found: std::cell::RefCell<Option<(NodeId, String)>>,
}

impl<'a> Ctx<'a> {
    pub fn new(tree: &'a Tree, anchors: &'a [(&'static str, NodeId)]) -> Self {
        Ctx {
            tree,
            anchors,
            key: std::cell::Cell::new(None),
            found: std::cell::RefCell::new(None),
        }
    }
}

/// Where a condition held. `strong` when a leaf found the node it tested (a value, a key); weak when the
/// location is a fallback (the parent of a missing key, the scope for a negation).
#[derive(Debug, Clone, Copy)]
pub struct Held {
    pub hit: Hit,
    pub strong: bool,
}

impl Ctx<'_> {
    fn start(&self, at: NodeId, p: &PathRef) -> Option<NodeId> {
        match p.anchor.as_deref() {
            None => Some(at),
            Some("key") => self.key.get(),
            Some(a) => self
                .anchors
                .iter()
                .find(|(n, _)| *n == a)
                .map(|(_, id)| *id),
        }
    }

    pub fn lookup(&self, at: NodeId, p: &PathRef) -> Vec<Hit> {
        match self.start(at, p) {
            Some(s) => self.tree.lookup(s, &p.steps),
            None => Vec::new(),
        }
    }

    pub fn eval(&self, at: NodeId, c: &Cond) -> Option<Held> {
        let scope = Held {
            hit: Hit {
                key: None,
                node: at,
            },
            strong: false,
        };
        match c {
            Cond::All(v) => {
                let mut best: Option<Held> = None;
                for c in v {
                    let h = self.eval(at, c)?;
                    if h.strong || best.is_none_or(|b| !b.strong) {
                        best = Some(h);
                    }
                }
                best.or(Some(scope))
            }
            Cond::Any(v) => {
                let mut weak = None;
                for c in v {
                    match self.eval(at, c) {
                        Some(h) if h.strong => return Some(h),
                        Some(h) => weak = weak.or(Some(h)),
                        None => {}
                    }
                }
                weak
            }
            Cond::Not(c) => match self.eval(at, c) {
                Some(_) => None,
                None => Some(scope),
            },
            Cond::Some(p, w) => {
                for h in self.lookup(at, p) {
                    let elems: Vec<(NodeId, Option<NodeId>)> = match self.tree.kind(h.node) {
                        Kind::Seq => self.tree.elems(h.node).iter().map(|&e| (e, None)).collect(),
                        _ => vec![(h.node, h.key)],
                    };
                    for (e, key) in elems {
                        let outer = self.key.replace(key);
                        let res = self.eval(e, w);
                        self.key.set(outer);
                        if let Some(mut held) = res {
                            if !held.strong {
                                held.hit = Hit { key, node: e };
                            }
                            return Some(held);
                        }
                    }
                }
                None
            }
            Cond::Leaf(p, test) => self.leaf(at, p, test),
        }
    }

    /// The hits of a path, a sequence standing for its elements.
    pub fn elements(&self, at: NodeId, p: &PathRef) -> Vec<Hit> {
        let mut out = Vec::new();
        for h in self.lookup(at, p) {
            if self.tree.kind(h.node) == Kind::Seq {
                out.extend(
                    self.tree
                        .elems(h.node)
                        .iter()
                        .map(|&e| Hit { key: None, node: e }),
                );
            } else {
                out.push(h);
            }
        }
        out
    }

    fn leaf(&self, at: NodeId, p: &PathRef, test: &Test) -> Option<Held> {
        let t = self.tree;
        // Scalar tests on a list test its elements (`script` matches when one of its lines does).
        let hits = match test {
            Test::Exists(_) | Test::Empty(_) | Test::Has(_) => self.lookup(at, p),
            // A named check sees the list itself first (a Dockerfile is one), then its elements.
            Test::Call(_) => {
                let mut v = self.lookup(at, p);
                let more: Vec<Hit> = self
                    .elements(at, p)
                    .into_iter()
                    .filter(|h| !v.contains(h))
                    .collect();
                v.extend(more);
                v
            }
            _ => self.elements(at, p),
        };
        let strong = |h: Hit| {
            Some(Held {
                hit: h,
                strong: true,
            })
        };
        match test {
            Test::Exists(want) => {
                let present = hits.iter().find(|h| t.kind(h.node) != Kind::Null);
                match (want, present) {
                    (true, Some(h)) => strong(*h),
                    (false, None) => {
                        let from = self.start(at, p)?;
                        Some(Held {
                            hit: t.deepest(from, &p.steps),
                            strong: false,
                        })
                    }
                    _ => None,
                }
            }
            Test::Empty(want) => {
                if *want {
                    hits.into_iter()
                        .find(|h| is_empty(t, h.node))
                        .and_then(strong)
                } else {
                    hits.into_iter()
                        .find(|h| !is_empty(t, h.node))
                        .and_then(strong)
                }
            }
            Test::Ne(v) => {
                let known: Vec<_> = hits.iter().filter(|h| scalar(t, h.node)).collect();
                if !known.is_empty() && !known.iter().any(|h| eq(t, h.node, v)) {
                    strong(*known[0])
                } else {
                    None
                }
            }
            Test::NotIn(vs) => hits
                .into_iter()
                .find(|h| scalar(t, h.node) && !vs.iter().any(|v| eq(t, h.node, v)))
                .and_then(strong),
            Test::NotMatches(re) => {
                let known: Vec<_> = hits.iter().filter(|h| scalar(t, h.node)).collect();
                if !known.is_empty() && !known.iter().any(|h| re.is_match(t.text(h.node))) {
                    strong(*known[0])
                } else {
                    None
                }
            }
            Test::Call(b) => hits.into_iter().find_map(|h| {
                let at = (b.check)(t, h.node)?;
                Some(Held {
                    hit: if at == h.node {
                        h
                    } else {
                        Hit {
                            key: None,
                            node: at,
                        }
                    },
                    strong: true,
                })
            }),
            _ => hits
                .into_iter()
                .find(|h| self.holds(h.node, test))
                .and_then(strong),
        }
    }

    fn holds(&self, n: NodeId, test: &Test) -> bool {
        let t = self.tree;
        match test {
            Test::Eq(v) => eq(t, n, v),
            Test::In(vs) => vs.iter().any(|v| eq(t, n, v)),
            Test::Matches(re) => {
                if !matches!(
                    t.kind(n),
                    Kind::Str | Kind::Num | Kind::Bool | Kind::Unknown
                ) {
                    return false;
                }
                match re.find(t.text(n)) {
                    Some(m) => {
                        *self.found.borrow_mut() = Some((n, m.as_str().to_string()));
                        true
                    }
                    None => false,
                }
            }
            Test::Gt(x) => num(t, n).is_some_and(|v| v > *x),
            Test::Ge(x) => num(t, n).is_some_and(|v| v >= *x),
            Test::Lt(x) => num(t, n).is_some_and(|v| v < *x),
            Test::Le(x) => num(t, n).is_some_and(|v| v <= *x),
            Test::Has(v) => match t.kind(n) {
                Kind::Seq => t.elems(n).iter().any(|&e| eq(t, e, v)),
                Kind::Map => t.entries(n).any(|(k, _)| eq(t, k, v)),
                _ => eq(t, n, v),
            },
            _ => false,
        }
    }
}

fn scalar(t: &Tree, n: NodeId) -> bool {
    matches!(t.kind(n), Kind::Str | Kind::Num | Kind::Bool)
}

fn is_empty(t: &Tree, n: NodeId) -> bool {
    match t.kind(n) {
        Kind::Null => true,
        Kind::Seq | Kind::Map => t.node(n).items.is_empty(),
        Kind::Str => t.text(n).trim().is_empty(),
        _ => false,
    }
}

fn num(t: &Tree, n: NodeId) -> Option<f64> {
    match t.kind(n) {
        Kind::Num | Kind::Str => t.text(n).trim().parse().ok(),
        _ => None,
    }
}

/// Scalar equality, lenient across YAML's and HCL's spellings: `"true"` equals `true`, `"80"` equals `80`.
pub fn eq(t: &Tree, n: NodeId, v: &Val) -> bool {
    let kind = t.kind(n);
    if !matches!(kind, Kind::Str | Kind::Num | Kind::Bool) {
        return false;
    }
    let text = t.text(n);
    match v {
        Val::Bool(b) => text.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        Val::Num(x) => text.trim().parse::<f64>().is_ok_and(|y| y == *x),
        Val::Str(s) => text == s,
    }
}
