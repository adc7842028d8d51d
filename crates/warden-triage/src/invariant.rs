//! Invariants: what a team holds true of its system, stated in `warden.toml` and checked on every scan. A
//! finding that breaks one is escalated to P1 with the invariant named; an inventory asset or a fact that breaks
//! one becomes a finding of its own (`invariant/<name>`). The language is small on purpose (see
//! `docs/invariants.md`):
//!
//! ```text
//! invariant := subject "where" expr          -- what matches it breaks the invariant
//! subject   := "finding" | "asset" | "fact"
//! expr      := and ("or" and)*
//! and       := unary ("and" unary)*
//! unary     := "not" unary | "(" expr ")" | "linked" "(" expr ")" | field op value
//! op        := "==" | "!=" | "<" | "<=" | ">" | ">=" | "matches" | "in" | "has"
//! value     := "string" | word | "[" value ("," value)* "]"
//! ```
//!
//! Written by hand rather than with a parser generator: the grammar is a dozen lines, and every error must
//! point at the exact column of the `forbid` string inside `warden.toml`, which a hand-written lexer over byte
//! offsets gives for free.

use crate::{code_kind, CodeKind, Criticality, Services};
use globset::{Glob, GlobMatcher};
use std::collections::HashMap;
use warden_core::{Asset, Confidence, Fact, Finding, Location, RuleMeta, ScanResult, Severity};

/// What an invariant is stated over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Finding,
    Asset,
    Fact,
}

impl Subject {
    fn as_str(self) -> &'static str {
        match self {
            Subject::Finding => "finding",
            Subject::Asset => "asset",
            Subject::Fact => "fact",
        }
    }

    fn fields(self) -> &'static [&'static str] {
        match self {
            Subject::Finding => &[
                "rule",
                "analyzer",
                "severity",
                "confidence",
                "path",
                "code",
                "service",
                "criticality",
                "tags",
                "assets",
                "title",
                "message",
            ],
            Subject::Asset => &[
                "id",
                "kind",
                "name",
                "path",
                "code",
                "service",
                "criticality",
                "properties.<key>",
            ],
            Subject::Fact => &[
                "analyzer",
                "kind",
                "path",
                "code",
                "service",
                "criticality",
                "data.<key>",
            ],
        }
    }
}

/// A field's type decides which operators and values it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    Text,
    List,
    Severity,
    Confidence,
    Criticality,
    Code,
    AssetKind,
    /// A property of an asset or a fact's data: text, or a list when the value is an array.
    Any,
}

#[derive(Debug, Clone, PartialEq)]
enum Field {
    Named(&'static str, Type),
    Property(String),
    Data(String),
}

impl Field {
    fn ty(&self) -> Type {
        match self {
            Field::Named(_, t) => *t,
            _ => Type::Any,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Matches,
    In,
    Has,
}

#[derive(Debug, Clone)]
enum Value {
    One(String),
    Glob(GlobMatcher),
    Many(Vec<String>),
}

#[derive(Debug, Clone)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Linked(Box<Expr>),
    Cmp { field: Field, op: Op, value: Value },
}

/// A malformed invariant: the byte offset into its text, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Op(&'static str),
}

fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/' | '*' | '@' | '+')
}

fn lex(text: &str) -> Result<Vec<(usize, Tok)>, ParseError> {
    let mut out = Vec::new();
    let mut it = text.char_indices().peekable();
    while let Some(&(i, c)) = it.peek() {
        if c.is_whitespace() {
            it.next();
            continue;
        }
        let tok = match c {
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '[' => Tok::LBracket,
            ']' => Tok::RBracket,
            ',' => Tok::Comma,
            '=' | '!' | '<' | '>' => {
                it.next();
                let eq = it.peek().is_some_and(|&(_, n)| n == '=');
                let op = match (c, eq) {
                    ('=', true) => "==",
                    ('!', true) => "!=",
                    ('<', true) => "<=",
                    ('>', true) => ">=",
                    ('<', false) => "<",
                    ('>', false) => ">",
                    _ => {
                        return Err(ParseError {
                            offset: i,
                            message: format!("`{c}` alone is not an operator (use `==` or `!=`)"),
                        })
                    }
                };
                if eq {
                    it.next();
                }
                out.push((i, Tok::Op(op)));
                continue;
            }
            '"' => {
                it.next();
                let mut s = String::new();
                let mut closed = false;
                while let Some((_, c)) = it.next() {
                    match c {
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\\' => match it.next() {
                            Some((_, e @ ('"' | '\\'))) => s.push(e),
                            Some((j, e)) => {
                                return Err(ParseError {
                                    offset: j,
                                    message: format!(
                                        "unknown escape `\\{e}` (only `\\\"` and `\\\\`)"
                                    ),
                                })
                            }
                            None => break,
                        },
                        c => s.push(c),
                    }
                }
                if !closed {
                    return Err(ParseError {
                        offset: i,
                        message: "unterminated string".into(),
                    });
                }
                out.push((i, Tok::Str(s)));
                continue;
            }
            c if word_char(c) => {
                let mut s = String::new();
                while let Some(&(_, c)) = it.peek() {
                    if !word_char(c) {
                        break;
                    }
                    s.push(c);
                    it.next();
                }
                out.push((i, Tok::Word(s)));
                continue;
            }
            c => {
                return Err(ParseError {
                    offset: i,
                    message: format!("unexpected `{c}`"),
                })
            }
        };
        it.next();
        out.push((i, tok));
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    end: usize,
    subject: Subject,
    _text: &'a str,
}

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "where", "in", "matches", "has", "linked",
];

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(o, _)| *o)
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            offset: self.offset(),
            message: message.into(),
        })
    }

    fn at_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }

    fn describe(&self) -> String {
        match self.peek() {
            None => "the end".into(),
            Some(Tok::Word(w)) => format!("`{w}`"),
            Some(Tok::Str(s)) => format!("\"{s}\""),
            Some(Tok::LParen) => "`(`".into(),
            Some(Tok::RParen) => "`)`".into(),
            Some(Tok::LBracket) => "`[`".into(),
            Some(Tok::RBracket) => "`]`".into(),
            Some(Tok::Comma) => "`,`".into(),
            Some(Tok::Op(o)) => format!("`{o}`"),
        }
    }

    fn expect(&mut self, t: Tok, what: &str) -> Result<(), ParseError> {
        if self.peek() == Some(&t) {
            self.pos += 1;
            Ok(())
        } else {
            self.err(format!("expected {what}, found {}", self.describe()))
        }
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut parts = vec![self.and()?];
        while self.at_word("or") {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut parts = vec![self.unary()?];
        while self.at_word("and") {
            self.pos += 1;
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.at_word("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            let e = self.or()?;
            self.expect(Tok::RParen, "`)`")?;
            return Ok(e);
        }
        if self.at_word("linked") {
            if self.subject == Subject::Fact {
                return self.err("`linked` needs a finding or an asset: facts have no links");
            }
            self.pos += 1;
            self.expect(Tok::LParen, "`(` after `linked`")?;
            let outer = self.subject;
            self.subject = Subject::Asset;
            let e = self.or()?;
            self.subject = outer;
            self.expect(Tok::RParen, "`)`")?;
            return Ok(Expr::Linked(Box::new(e)));
        }
        self.comparison()
    }

    fn field(&mut self) -> Result<Field, ParseError> {
        let name = match self.peek() {
            Some(Tok::Word(w)) if !KEYWORDS.contains(&w.as_str()) => w.clone(),
            _ => {
                return self.err(format!(
                    "expected a {} field ({}), found {}",
                    self.subject.as_str(),
                    self.subject.fields().join(", "),
                    self.describe()
                ))
            }
        };
        let field = match (self.subject, name.as_str()) {
            (Subject::Asset, n) if n.starts_with("properties.") && n.len() > 11 => {
                Field::Property(n[11..].to_string())
            }
            (Subject::Fact, n) if n.starts_with("data.") && n.len() > 5 => {
                Field::Data(n[5..].to_string())
            }
            (s, n) => {
                let ty = match n {
                    "severity" if s == Subject::Finding => Type::Severity,
                    "confidence" if s == Subject::Finding => Type::Confidence,
                    "criticality" => Type::Criticality,
                    "code" => Type::Code,
                    "kind" if s == Subject::Asset => Type::AssetKind,
                    "tags" | "assets" if s == Subject::Finding => Type::List,
                    _ => Type::Text,
                };
                match s.fields().iter().find(|f| **f == n) {
                    Some(f) => Field::Named(f, ty),
                    None => {
                        return self.err(format!(
                            "unknown {} field `{n}` (known: {})",
                            s.as_str(),
                            s.fields().join(", ")
                        ))
                    }
                }
            }
        };
        self.pos += 1;
        Ok(field)
    }

    fn op(&mut self) -> Result<Op, ParseError> {
        let op = match self.peek() {
            Some(Tok::Op("==")) => Op::Eq,
            Some(Tok::Op("!=")) => Op::Ne,
            Some(Tok::Op("<")) => Op::Lt,
            Some(Tok::Op("<=")) => Op::Le,
            Some(Tok::Op(">")) => Op::Gt,
            Some(Tok::Op(">=")) => Op::Ge,
            Some(Tok::Word(w)) if w == "matches" => Op::Matches,
            Some(Tok::Word(w)) if w == "in" => Op::In,
            Some(Tok::Word(w)) if w == "has" => Op::Has,
            _ => {
                return self.err(format!(
                    "expected an operator (==, !=, <, <=, >, >=, matches, in, has), found {}",
                    self.describe()
                ))
            }
        };
        self.pos += 1;
        Ok(op)
    }

    fn scalar(&mut self) -> Result<(usize, String), ParseError> {
        let at = self.offset();
        let v = match self.peek() {
            Some(Tok::Str(s)) => s.clone(),
            Some(Tok::Word(w)) if !KEYWORDS.contains(&w.as_str()) => w.clone(),
            _ => return self.err(format!("expected a value, found {}", self.describe())),
        };
        self.pos += 1;
        Ok((at, v))
    }

    fn check_value(&self, ty: Type, at: usize, v: &str) -> Result<(), ParseError> {
        let allowed: &[&str] = match ty {
            Type::Severity => &["info", "low", "medium", "high", "critical"],
            Type::Confidence => &["low", "medium", "high"],
            Type::Criticality => &["low", "normal", "high", "critical"],
            Type::Code => &[
                "production",
                "test",
                "example",
                "docs",
                "vendored",
                "generated",
            ],
            Type::AssetKind => &[
                "model",
                "llm-client",
                "agent",
                "tool",
                "vector-store",
                "dataset",
                "mcp-server",
                "workload",
                "service-account",
                "credential",
            ],
            _ => return Ok(()),
        };
        if allowed.contains(&v) {
            Ok(())
        } else {
            Err(ParseError {
                offset: at,
                message: format!("`{v}` is not one of {}", allowed.join(", ")),
            })
        }
    }

    fn comparison(&mut self) -> Result<Expr, ParseError> {
        let field_at = self.offset();
        let field = self.field()?;
        let op_at = self.offset();
        let op = self.op()?;
        let ty = field.ty();
        let ordered = matches!(ty, Type::Severity | Type::Confidence | Type::Criticality);
        let bad = |m: String| {
            Err(ParseError {
                offset: op_at,
                message: m,
            })
        };
        match op {
            Op::Lt | Op::Le | Op::Gt | Op::Ge if !ordered => {
                return bad(
                    "`<`, `<=`, `>` and `>=` compare severity, confidence and criticality only"
                        .into(),
                )
            }
            Op::Has if !matches!(ty, Type::List | Type::Any) => {
                return bad("`has` tests a list field (tags, assets, a list property)".into())
            }
            Op::Eq | Op::Ne | Op::In if ty == Type::List => {
                return bad("this field is a list: use `has \"…\"` or `matches \"glob\"`".into())
            }
            _ => {}
        }
        let _ = field_at;
        let value = match op {
            Op::In => {
                self.expect(Tok::LBracket, "`[` to start a list after `in`")?;
                let mut vs = Vec::new();
                loop {
                    let (at, v) = self.scalar()?;
                    self.check_value(ty, at, &v)?;
                    vs.push(v);
                    if self.peek() == Some(&Tok::Comma) {
                        self.pos += 1;
                        continue;
                    }
                    self.expect(Tok::RBracket, "`,` or `]`")?;
                    break;
                }
                Value::Many(vs)
            }
            Op::Matches => {
                let (at, v) = self.scalar()?;
                let g = Glob::new(&v).map_err(|e| ParseError {
                    offset: at,
                    message: format!("bad glob `{v}`: {}", e.kind()),
                })?;
                Value::Glob(g.compile_matcher())
            }
            _ => {
                let (at, v) = self.scalar()?;
                self.check_value(ty, at, &v)?;
                Value::One(v)
            }
        };
        Ok(Expr::Cmp { field, op, value })
    }
}

/// Parses an invariant's text (public through [`Invariant::new`]).
fn parse(text: &str) -> Result<(Subject, Expr), ParseError> {
    let toks = lex(text)?;
    let mut p = Parser {
        toks,
        pos: 0,
        end: text.len(),
        subject: Subject::Finding,
        _text: text,
    };
    p.subject = match p.peek() {
        Some(Tok::Word(w)) if w == "finding" => Subject::Finding,
        Some(Tok::Word(w)) if w == "asset" => Subject::Asset,
        Some(Tok::Word(w)) if w == "fact" => Subject::Fact,
        _ => {
            return p.err(format!(
                "an invariant starts with `finding where`, `asset where` or `fact where`, found {}",
                p.describe()
            ))
        }
    };
    p.pos += 1;
    if !p.at_word("where") {
        return p.err(format!("expected `where`, found {}", p.describe()));
    }
    p.pos += 1;
    let e = p.or()?;
    if p.pos < p.toks.len() {
        return p.err(format!(
            "expected `and`, `or` or the end, found {}",
            p.describe()
        ));
    }
    Ok((p.subject, e))
}

/// What a field holds for one subject: absent, one text, or a list.
enum Got<'a> {
    None,
    One(std::borrow::Cow<'a, str>),
    Many(Vec<std::borrow::Cow<'a, str>>),
}

fn json_got(v: Option<&serde_json::Value>) -> Got<'_> {
    use serde_json::Value as J;
    fn one(v: &J) -> Option<std::borrow::Cow<'_, str>> {
        match v {
            J::String(s) => Some(s.as_str().into()),
            J::Bool(b) => Some(b.to_string().into()),
            J::Number(n) => Some(n.to_string().into()),
            _ => None,
        }
    }
    match v {
        None | Some(J::Null) => Got::None,
        Some(J::Array(a)) => Got::Many(a.iter().filter_map(one).collect()),
        Some(v) => one(v).map_or(Got::None, Got::One),
    }
}

/// A dotted key into JSON (`exposure.public`).
fn json_path<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    key.split('.').try_fold(v, |v, k| v.get(k))
}

fn rank(ty: Type, v: &str) -> Option<u8> {
    let order: &[&str] = match ty {
        Type::Severity => &["info", "low", "medium", "high", "critical"],
        Type::Confidence => &["low", "medium", "high"],
        Type::Criticality => &["low", "normal", "high", "critical"],
        _ => return None,
    };
    order.iter().position(|o| *o == v).map(|p| p as u8)
}

fn code_str(k: CodeKind) -> &'static str {
    match k {
        CodeKind::Production => "production",
        CodeKind::Test => "test",
        CodeKind::Example => "example",
        CodeKind::Docs => "docs",
        CodeKind::Vendored => "vendored",
        CodeKind::Generated => "generated",
    }
}

fn criticality_str(c: Criticality) -> &'static str {
    match c {
        Criticality::Critical => "critical",
        Criticality::High => "high",
        Criticality::Normal => "normal",
        Criticality::Low => "low",
    }
}

/// One subject under evaluation, with what it needs to answer `linked`.
enum Item<'a> {
    Finding(&'a Finding),
    Asset(&'a Asset),
    Fact(&'a Fact),
}

struct World<'a> {
    services: &'a Services,
    assets: HashMap<&'a str, &'a Asset>,
    links: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> World<'a> {
    fn new(result: &'a ScanResult, services: &'a Services) -> Self {
        let assets = result.assets.iter().map(|a| (a.id.as_str(), a)).collect();
        let mut links: HashMap<&str, Vec<&str>> = HashMap::new();
        for e in &result.edges {
            links.entry(e.from.as_str()).or_default().push(&e.to);
            links.entry(e.to.as_str()).or_default().push(&e.from);
        }
        World {
            services,
            assets,
            links,
        }
    }

    fn path_of<'b>(&self, item: &'b Item<'b>) -> Option<&'b str> {
        match item {
            Item::Finding(f) => Some(&f.location.path),
            Item::Asset(a) => a.location.as_ref().map(|l| l.path.as_str()),
            Item::Fact(f) => Some(&f.path),
        }
    }

    fn get<'b>(&self, item: &'b Item<'b>, field: &'b Field) -> Got<'b>
    where
        'a: 'b,
    {
        let path = self.path_of(item);
        let service = path.and_then(|p| self.services.of(p));
        match (item, field) {
            (Item::Asset(a), Field::Property(k)) => json_got(json_path(&a.properties, k)),
            (Item::Fact(f), Field::Data(k)) => json_got(json_path(&f.data, k)),
            (_, Field::Named("path", _)) => path.map_or(Got::None, |p| Got::One(p.into())),
            (_, Field::Named("code", _)) => {
                path.map_or(Got::None, |p| Got::One(code_str(code_kind(p)).into()))
            }
            (_, Field::Named("service", _)) => {
                service.map_or(Got::None, |(n, _)| Got::One(n.to_string().into()))
            }
            (_, Field::Named("criticality", _)) => {
                Got::One(criticality_str(service.map_or(Criticality::Normal, |(_, c)| c)).into())
            }
            (Item::Finding(f), Field::Named(n, _)) => match *n {
                "rule" => Got::One(f.rule_id.as_str().into()),
                "analyzer" => Got::One(f.analyzer().into()),
                "severity" => Got::One(f.severity.as_str().into()),
                "confidence" => Got::One(f.confidence.as_str().into()),
                "title" => Got::One(f.title.as_str().into()),
                "message" => Got::One(f.message.as_str().into()),
                "tags" => Got::Many(f.tags.iter().map(|t| t.as_str().into()).collect()),
                "assets" => Got::Many(f.assets.iter().map(|t| t.as_str().into()).collect()),
                _ => Got::None,
            },
            (Item::Asset(a), Field::Named(n, _)) => match *n {
                "id" => Got::One(a.id.as_str().into()),
                "name" => Got::One(a.name.as_str().into()),
                "kind" => Got::One(asset_kind(a).into()),
                _ => Got::None,
            },
            (Item::Fact(f), Field::Named(n, _)) => match *n {
                "analyzer" => Got::One(f.analyzer.as_str().into()),
                "kind" => Got::One(f.kind.as_str().into()),
                _ => Got::None,
            },
            _ => Got::None,
        }
    }

    fn eval(&self, e: &Expr, item: &Item) -> bool {
        match e {
            Expr::Or(es) => es.iter().any(|e| self.eval(e, item)),
            Expr::And(es) => es.iter().all(|e| self.eval(e, item)),
            Expr::Not(e) => !self.eval(e, item),
            Expr::Linked(e) => {
                let ids: Vec<&str> = match item {
                    // The assets a finding is about, and the assets joined to them: a secret in a
                    // credential reaches the workloads that read it.
                    Item::Finding(f) => {
                        let mut ids: Vec<&str> = f.assets.iter().map(String::as_str).collect();
                        for a in &f.assets {
                            if let Some(n) = self.links.get(a.as_str()) {
                                ids.extend(n.iter().copied());
                            }
                        }
                        ids
                    }
                    Item::Asset(a) => self
                        .links
                        .get(a.id.as_str())
                        .map(|v| v.to_vec())
                        .unwrap_or_default(),
                    Item::Fact(_) => Vec::new(),
                };
                ids.iter()
                    .filter_map(|id| self.assets.get(id))
                    .any(|a| self.eval(e, &Item::Asset(a)))
            }
            Expr::Cmp { field, op, value } => {
                let got = self.get(item, field);
                let ty = field.ty();
                let test = |v: &str| -> bool {
                    match (op, value) {
                        (Op::Eq | Op::Has, Value::One(x)) => v == x,
                        (Op::Ne, Value::One(x)) => v != x,
                        (Op::Matches, Value::Glob(g)) => g.is_match(v),
                        (Op::In, Value::Many(xs)) => xs.iter().any(|x| x == v),
                        (Op::Lt | Op::Le | Op::Gt | Op::Ge, Value::One(x)) => {
                            match (rank(ty, v), rank(ty, x)) {
                                (Some(a), Some(b)) => match op {
                                    Op::Lt => a < b,
                                    Op::Le => a <= b,
                                    Op::Gt => a > b,
                                    _ => a >= b,
                                },
                                _ => false,
                            }
                        }
                        _ => false,
                    }
                };
                match got {
                    // An absent field equals nothing, so it differs from everything.
                    Got::None => *op == Op::Ne,
                    Got::One(v) => test(&v),
                    Got::Many(vs) => {
                        if *op == Op::Ne {
                            !vs.iter().any(|v| !test(v))
                        } else {
                            vs.iter().any(|v| test(v))
                        }
                    }
                }
            }
        }
    }
}

fn asset_kind(a: &Asset) -> String {
    serde_json::to_value(a.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// One invariant, parsed.
#[derive(Debug, Clone)]
pub struct Invariant {
    pub name: String,
    pub description: String,
    /// The `forbid` text as written.
    pub forbid: String,
    pub subject: Subject,
    /// For assets and facts: the severity of the finding raised.
    pub severity: Severity,
    /// Shipped with warden (`data/invariants.toml`) rather than written by the team.
    pub default: bool,
    expr: Expr,
    meta: Option<RuleMeta>,
}

impl Invariant {
    pub fn new(
        name: &str,
        description: &str,
        forbid: &str,
        severity: Severity,
        default: bool,
    ) -> Result<Self, ParseError> {
        let (subject, expr) = parse(forbid)?;
        let meta = (subject != Subject::Finding).then(|| RuleMeta {
            id: format!("invariant/{name}"),
            title: description.to_string(),
            severity,
            confidence: Confidence::High,
            description: format!(
                "Breaks the invariant `{name}` declared in warden.toml: {description} (forbid: {forbid})"
            ),
            remediation: "Bring the asset back within the invariant, or change the invariant if the team's \
                          rule has changed."
                .into(),
            tags: vec![format!("invariant:{name}")],
            references: vec![],
        });
        Ok(Invariant {
            name: name.into(),
            description: description.into(),
            forbid: forbid.into(),
            subject,
            severity,
            default,
            expr,
            meta,
        })
    }
}

/// The invariants a scan checks.
#[derive(Debug, Clone, Default)]
pub struct Invariants {
    pub list: Vec<Invariant>,
}

/// The tag a finding that breaks an invariant carries.
pub fn tag(name: &str) -> String {
    format!("invariant:{name}")
}

impl Invariants {
    /// The rules of asset and fact invariants (they raise findings of their own).
    pub fn rules(&self) -> impl Iterator<Item = &RuleMeta> {
        self.list.iter().filter_map(|i| i.meta.as_ref())
    }

    pub fn get(&self, name: &str) -> Option<&Invariant> {
        self.list.iter().find(|i| i.name == name)
    }

    /// Checks a finished scan: findings that break an invariant are tagged `invariant:<name>`; assets and facts
    /// that break one are returned as new findings (fingerprints not yet set).
    pub fn check(&self, result: &mut ScanResult, services: &Services) -> Vec<Finding> {
        if self.list.is_empty() {
            return Vec::new();
        }
        let mut tags: Vec<Vec<String>> = vec![Vec::new(); result.findings.len()];
        let mut raised = Vec::new();
        {
            let world = World::new(result, services);
            for inv in &self.list {
                match inv.subject {
                    Subject::Finding => {
                        for (i, f) in result.findings.iter().enumerate() {
                            if world.eval(&inv.expr, &Item::Finding(f)) {
                                tags[i].push(tag(&inv.name));
                            }
                        }
                    }
                    Subject::Asset => {
                        for a in &result.assets {
                            if world.eval(&inv.expr, &Item::Asset(a)) {
                                if let Some(f) = raise(inv, &a.id, a.location.clone(), || {
                                    format!("{} `{}`", asset_kind(a), a.name)
                                }) {
                                    let mut f = f;
                                    f.assets.push(a.id.clone());
                                    raised.push(f);
                                }
                            }
                        }
                    }
                    Subject::Fact => {
                        for fact in &result.facts {
                            if world.eval(&inv.expr, &Item::Fact(fact)) {
                                let key = format!("{}:{}", fact.kind, fact.path);
                                let at = Location::at(fact.path.clone(), 1, 1, 1);
                                if let Some(f) =
                                    raise(inv, &key, Some(at), || format!("{} fact", fact.kind))
                                {
                                    raised.push(f);
                                }
                            }
                        }
                    }
                }
            }
        }
        for (f, t) in result.findings.iter_mut().zip(tags) {
            for t in t {
                if !f.tags.contains(&t) {
                    f.tags.push(t);
                }
            }
        }
        raised
    }
}

fn raise(
    inv: &Invariant,
    key: &str,
    at: Option<Location>,
    what: impl Fn() -> String,
) -> Option<Finding> {
    let meta = inv.meta.as_ref()?;
    let at = at?;
    let mut f = Finding::new(
        meta,
        format!(
            "{} breaks the invariant `{}`: {}",
            what(),
            inv.name,
            inv.description
        ),
        at,
    );
    f.matched = key.to_string();
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> ParseError {
        parse(text).map(|_| ()).expect_err("should not parse")
    }

    #[test]
    fn the_documented_examples_parse() {
        for t in [
            r#"finding where rule matches "secrets/*" and tags has "exposure:public""#,
            r#"finding where rule in ["code/llm-output-code-execution", "code/llm-output-sql"] and code == production"#,
            r#"asset where kind == llm-client and not path matches "services/gateway/**""#,
            r#"asset where kind == model and properties.signature == "missing" and code == production"#,
            r#"finding where severity >= high and (service == payments or criticality >= high)"#,
            r#"asset where kind == credential and linked(kind == workload and properties.public == true)"#,
            r#"fact where kind == "ai/file" and data.imports has "openai""#,
        ] {
            parse(t).unwrap_or_else(|e| panic!("{t}: {e:?}"));
        }
    }

    #[test]
    fn errors_point_at_the_offending_token() {
        let e = err("finding where rul == x");
        assert_eq!(e.offset, 14);
        assert!(
            e.message.contains("unknown finding field `rul`"),
            "{}",
            e.message
        );
        let e = err("finding where severity >= hgh");
        assert_eq!(e.offset, 26);
        assert!(e.message.contains("`hgh` is not one of"), "{}", e.message);
        let e = err("finding where tags == x");
        assert!(e.message.contains("list"), "{}", e.message);
        assert_eq!(e.offset, 19);
        let e = err("asset kind == model");
        assert_eq!(e.offset, 6);
        let e = err("finding where (rule == x");
        assert_eq!(e.offset, 24);
        assert!(e.message.contains("expected `)`"), "{}", e.message);
        let e = err("finding where rule == \"x");
        assert_eq!(e.offset, 22);
        assert!(e.message.contains("unterminated"));
        let e = err("finding where path matches \"a/[\"");
        assert!(e.message.contains("bad glob"), "{}", e.message);
        let e = err("finding where rule = x");
        assert_eq!(e.offset, 19);
        let e = err("fact where linked(kind == model)");
        assert!(e.message.contains("facts have no links"));
        let e = err("finding where rule == x y");
        assert_eq!(e.offset, 24);
        let e = err("finding where path < x");
        assert!(e.message.contains("compare severity"), "{}", e.message);
    }

    fn result() -> ScanResult {
        use warden_core::{AssetKind, Edge, EdgeKind, ScanInfo, ScanMode};
        let mut r = ScanResult::new(ScanInfo {
            tool: "warden".into(),
            tool_version: "0".into(),
            rules_version: "r".into(),
            target: ".".into(),
            mode: ScanMode::Worktree,
            head_commit: None,
            branch: None,
            started_at: "2026-11-30T00:00:00Z".into(),
            analyzers: vec![],
            hash_key_id: "k".into(),
        });
        let asset = |id: &str, kind, path: &str, props: serde_json::Value| Asset {
            id: id.into(),
            kind,
            name: id.into(),
            location: Some(Location::at(path, 3, 1, 1)),
            properties: props,
        };
        r.assets = vec![
            asset(
                "cred",
                AssetKind::Credential,
                "deploy/secret.yaml",
                serde_json::json!({}),
            ),
            asset(
                "web",
                AssetKind::Workload,
                "deploy/web.yaml",
                serde_json::json!({"public": true}),
            ),
            asset(
                "batch",
                AssetKind::Workload,
                "deploy/batch.yaml",
                serde_json::json!({"public": false}),
            ),
            asset(
                "cred2",
                AssetKind::Credential,
                "deploy/other.yaml",
                serde_json::json!({}),
            ),
            asset(
                "llm",
                AssetKind::LlmClient,
                "services/billing/a.py",
                serde_json::json!({"models": ["gpt-4o", "o3"]}),
            ),
            asset(
                "llm2",
                AssetKind::LlmClient,
                "services/gateway/a.py",
                serde_json::json!({}),
            ),
        ];
        r.edges = vec![
            Edge {
                from: "web".into(),
                to: "cred".into(),
                kind: EdgeKind::Reads,
            },
            Edge {
                from: "batch".into(),
                to: "cred2".into(),
                kind: EdgeKind::Reads,
            },
        ];
        let meta = |id: &str, sev| RuleMeta {
            id: id.into(),
            title: "t".into(),
            severity: sev,
            confidence: Confidence::High,
            description: String::new(),
            remediation: String::new(),
            tags: vec![],
            references: vec![],
        };
        let mut f = Finding::new(
            &meta("secrets/x", Severity::High),
            "m",
            Location::at("deploy/secret.yaml", 4, 1, 1),
        );
        f.assets = vec!["cred".into()];
        r.findings.push(f);
        r.findings.push(Finding::new(
            &meta("code/sql-injection", Severity::Medium),
            "m",
            Location::at("tests/t.py", 1, 1, 1),
        ));
        r
    }

    fn check(forbid: &str) -> (Vec<Vec<String>>, Vec<String>) {
        let inv = Invariants {
            list: vec![Invariant::new("x", "d", forbid, Severity::High, false).unwrap()],
        };
        let mut r = result();
        let raised = inv.check(&mut r, &Services::default());
        (
            r.findings.iter().map(|f| f.tags.clone()).collect(),
            raised.iter().map(|f| f.assets.join(",")).collect(),
        )
    }

    #[test]
    fn invariants_evaluate_over_findings_assets_and_links() {
        let (tags, raised) = check("asset where kind == credential and linked(kind == workload and properties.public == true)");
        assert_eq!(raised, ["cred"]);
        assert!(tags.iter().all(|t| t.is_empty()));
        let (_, raised) =
            check(r#"asset where kind == llm-client and not path matches "services/gateway/**""#);
        assert_eq!(raised, ["llm"]);
        let (_, raised) = check(r#"asset where properties.models has "o3""#);
        assert_eq!(raised, ["llm"]);
        let (tags, raised) = check("finding where linked(properties.public == true) or (code == test and severity >= medium)");
        assert!(raised.is_empty());
        assert_eq!(
            tags,
            [
                vec!["invariant:x".to_string()],
                vec!["invariant:x".to_string()]
            ]
        );
        let (tags, _) = check("finding where severity > high or service == payments");
        assert!(tags.iter().all(|t| t.is_empty()));
        // An absent field differs from everything.
        let (tags, _) = check("finding where service != payments and criticality == normal");
        assert!(tags.iter().all(|t| t.len() == 1));
    }

    proptest::proptest! {
        /// Whatever the text, parsing returns and any error points inside it.
        #[test]
        fn parse_never_panics(s in "\\PC{0,80}") {
            if let Err(e) = parse(&s) {
                proptest::prop_assert!(e.offset <= s.len());
            }
        }

        #[test]
        fn parse_never_panics_on_near_miss(s in "(finding|asset|fact) where [a-z.()\"=!<> \\[\\],*/-]{0,60}") {
            if let Err(e) = parse(&s) {
                proptest::prop_assert!(e.offset <= s.len());
            }
        }
    }
}
