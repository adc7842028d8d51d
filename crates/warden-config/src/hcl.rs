//! Terraform's HCL (hcl-edit, which keeps byte spans and bounds its own nesting) to [`Tree`].
//!
//! A file becomes its top-level blocks, each with its identifier, labels and body map. In a body, attributes
//! are entries (`key = value`) and nested blocks are entries under their identifier, repeated as written
//! (`ingress { … } ingress { … }` is two `ingress` entries), so `ingress.from_port` reaches both. `dynamic
//! "x" { content { … } }` is an `x` entry with the content. Literals become scalars; arrays and objects,
//! sequences and maps; `jsonencode(…)`, `tolist`/`toset`/`tomap` and parentheses are looked through; a string or
//! heredoc holding a JSON document (an IAM policy) becomes that document. Everything else (references,
//! templates with interpolation, other calls, operators) is [`Kind::Unknown`] with its source text, which
//! the second phase replaces by the literal value of `var.x` / `local.x` where it can.

use crate::tree::{Kind, Node, NodeId, Tree};
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Block {
    pub ident: String,
    pub labels: Vec<String>,
    pub body: NodeId,
    pub line: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HclFile {
    pub tree: Tree,
    pub blocks: Vec<Block>,
    /// The file's text, for snippets in the second phase (where rules run).
    #[serde(default)]
    pub source: String,
}

/// Converts byte offsets to 1-based lines and columns.
struct Index<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> Index<'a> {
    fn new(src: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1));
        Index { src, starts }
    }

    fn at(&self, off: usize) -> (u32, u32) {
        let off = off.min(self.src.len());
        let line = self.starts.partition_point(|&s| s <= off) - 1;
        let start = self.starts[line];
        let col = self
            .src
            .get(start..off)
            .map_or(off - start, |s| s.chars().count());
        (line as u32 + 1, col as u32 + 1)
    }
}

struct Builder<'a> {
    idx: Index<'a>,
    tree: Tree,
}

const MAX_DEPTH: u32 = 128;

impl Builder<'_> {
    fn node(
        &mut self,
        kind: Kind,
        text: &str,
        span: Option<std::ops::Range<usize>>,
        fallback: (u32, u32),
    ) -> NodeId {
        let ((line, col), (end_line, end_col)) = match span {
            Some(r) => (self.idx.at(r.start), self.idx.at(r.end)),
            None => (fallback, fallback),
        };
        self.tree.push(Node {
            kind,
            text: text.into(),
            line,
            col,
            end_line,
            end_col,
            items: Vec::new(),
        })
    }

    fn raw(&self, span: &Option<std::ops::Range<usize>>) -> String {
        span.as_ref()
            .and_then(|r| self.idx.src.get(r.clone()))
            .unwrap_or("")
            .trim()
            .to_string()
    }

    fn body(&mut self, body: &Body, at: (u32, u32), depth: u32) -> NodeId {
        let m = self.node(Kind::Map, "", body.span(), at);
        if depth > MAX_DEPTH {
            return m;
        }
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let k = self.node(Kind::Str, a.key.as_str(), a.key.span(), at);
                    let kpos = self.idx.at(a.key.span().map_or(0, |r| r.start));
                    let v = self.expr(&a.value, kpos, depth + 1);
                    self.tree.nodes[m as usize].items.extend([k, v]);
                }
                Structure::Block(b) => {
                    let (name, inner) = if b.ident.as_str() == "dynamic" {
                        let name = b
                            .labels
                            .first()
                            .map(|l| l.as_str().to_string())
                            .unwrap_or_default();
                        let content = b.body.iter().find_map(|s| match s {
                            Structure::Block(c) if c.ident.as_str() == "content" => Some(&c.body),
                            _ => None,
                        });
                        (name, content.unwrap_or(&b.body))
                    } else {
                        (b.ident.as_str().to_string(), &b.body)
                    };
                    let k = self.node(Kind::Str, &name, b.ident.span(), at);
                    let kpos = self.idx.at(b.ident.span().map_or(0, |r| r.start));
                    let v = self.body(inner, kpos, depth + 1);
                    self.tree.nodes[m as usize].items.extend([k, v]);
                }
            }
        }
        m
    }

    fn expr(&mut self, e: &Expression, at: (u32, u32), depth: u32) -> NodeId {
        let span = e.span();
        if depth > MAX_DEPTH {
            return self.node(Kind::Unknown, "", span, at);
        }
        match e {
            Expression::Null(_) => self.node(Kind::Null, "", span, at),
            Expression::Bool(b) => self.node(
                Kind::Bool,
                if *b.value() { "true" } else { "false" },
                span,
                at,
            ),
            Expression::Number(n) => {
                let text = n.value().to_string();
                self.node(Kind::Num, &text, span, at)
            }
            Expression::String(s) => {
                let v = s.value().as_str();
                if let Some(j) = self.json(v, span.clone(), at) {
                    return j;
                }
                self.node(Kind::Str, v, span, at)
            }
            Expression::Array(a) => {
                let n = self.node(Kind::Seq, "", span, at);
                for x in a.iter() {
                    let c = self.expr(x, at, depth + 1);
                    self.tree.nodes[n as usize].items.push(c);
                }
                n
            }
            Expression::Object(o) => {
                let n = self.node(Kind::Map, "", span, at);
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => self.node(Kind::Str, i.as_str(), i.span(), at),
                        ObjectKey::Expression(Expression::String(s)) => {
                            self.node(Kind::Str, s.value().as_str(), s.span(), at)
                        }
                        ObjectKey::Expression(x) => {
                            let raw = self.raw(&x.span());
                            self.node(Kind::Unknown, &raw, x.span(), at)
                        }
                    };
                    let val = self.expr(v.expr(), at, depth + 1);
                    self.tree.nodes[n as usize].items.extend([key, val]);
                }
                n
            }
            Expression::Parenthesis(p) => self.expr(p.inner(), at, depth + 1),
            Expression::FuncCall(f)
                if f.name.namespace.is_empty()
                    && matches!(
                        f.name.name.as_str(),
                        "jsonencode" | "tolist" | "toset" | "tomap" | "yamlencode"
                    )
                    && f.args.iter().count() == 1 =>
            {
                self.expr(f.args.iter().next().unwrap(), at, depth + 1)
            }
            Expression::HeredocTemplate(_) | Expression::StringTemplate(_) => {
                // A heredoc holding JSON is read in place, so each key keeps its own line.
                if let (Expression::HeredocTemplate(_), Some(r)) = (e, span.clone()) {
                    if let Some(j) = self.heredoc_json(r) {
                        return j;
                    }
                }
                let raw = self.raw(&span);
                let body = match e {
                    // A heredoc's body: between the first line break and the closing delimiter's line.
                    Expression::HeredocTemplate(_) => raw
                        .split_once('\n')
                        .map(|(_, b)| b.rsplit_once('\n').map_or(b, |(b, _)| b).to_string()),
                    // A quoted template: its text between the quotes (escapes as written).
                    _ => raw
                        .strip_prefix('"')
                        .and_then(|r| r.strip_suffix('"'))
                        .map(|r| r.replace("\\\"", "\"")),
                };
                if let Some(body) = body {
                    // A JSON document with interpolations: each `${…}` inside a JSON string is unknown.
                    if let Some(j) = self.json(&body, span.clone(), at) {
                        return j;
                    }
                    if matches!(e, Expression::HeredocTemplate(_)) && !body.contains("${") {
                        return self.node(Kind::Str, &body, span, at);
                    }
                }
                self.node(Kind::Unknown, &raw, span, at)
            }
            _ => {
                let raw = self.raw(&span);
                self.node(Kind::Unknown, &raw, span, at)
            }
        }
    }

    /// The JSON document in a heredoc's body (between its first line break and its closing delimiter's
    /// line), with each value at its own position.
    fn heredoc_json(&mut self, span: std::ops::Range<usize>) -> Option<NodeId> {
        let src = self.idx.src;
        let text = src.get(span.clone())?;
        let start = span.start + text.find('\n')? + 1;
        let end = span.start + text.trim_end().rfind('\n')?;
        if end <= start {
            return None;
        }
        let body = src.get(start..end)?;
        if !body.trim_start().starts_with(['{', '[']) {
            return None;
        }
        self.scan_json(body, start, None)
    }

    /// Reads `body` as JSON (starting at byte `base` of the file), keeping each value's position, or putting
    /// every node at `fixed` when the text is not the source as written (a quoted string's escapes). Nothing
    /// is left in the tree when it is not JSON.
    fn scan_json(&mut self, body: &str, base: usize, fixed: Option<(u32, u32)>) -> Option<NodeId> {
        let mark = self.tree.nodes.len();
        let mut p = JsonScan {
            s: body.as_bytes(),
            text: body,
            i: 0,
            base,
            depth: 0,
            fixed,
        };
        let v = p.value(self);
        p.ws();
        match v {
            Some(v) if p.i == p.s.len() => Some(v),
            _ => {
                self.tree.nodes.truncate(mark);
                None
            }
        }
    }

    /// A string holding a JSON document (an IAM policy), as that document, every node at the string.
    fn json(
        &mut self,
        s: &str,
        span: Option<std::ops::Range<usize>>,
        at: (u32, u32),
    ) -> Option<NodeId> {
        if !s.trim_start().starts_with(['{', '[']) {
            return None;
        }
        let pos = span.map_or(at, |r| self.idx.at(r.start));
        self.scan_json(s, 0, Some(pos))
    }
}

/// A JSON reader that keeps positions (serde_json keeps none): objects, arrays, strings with escapes, numbers,
/// literals, and Terraform's `${…}` interpolations, which make the string (or value) that holds them unknown.
/// Written by hand because a policy's `"Action": "*"` must point at its own line in a heredoc.
struct JsonScan<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    base: usize,
    depth: u32,
    /// Where every node goes when positions in `s` are not positions in the file.
    fixed: Option<(u32, u32)>,
}

impl JsonScan<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn node(&self, b: &mut Builder, kind: Kind, text: &str, from: usize) -> NodeId {
        match self.fixed {
            Some(pos) => b.node(kind, text, None, pos),
            None => b.node(
                kind,
                text,
                Some(self.base + from..self.base + self.i.max(from)),
                (1, 1),
            ),
        }
    }

    /// Skips a balanced `${…}` starting at `self.i`.
    fn interpolation(&mut self) -> Option<()> {
        let mut depth = 0usize;
        while self.i < self.s.len() {
            match self.s[self.i] {
                b'{' => depth += 1,
                b'}' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        self.i += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
        None
    }

    fn string(&mut self) -> Option<(String, bool)> {
        self.i += 1;
        let mut out = String::new();
        let mut unknown = false;
        loop {
            let c = *self.s.get(self.i)?;
            match c {
                b'"' => {
                    self.i += 1;
                    return Some((out, unknown));
                }
                b'\\' => {
                    let e = *self.s.get(self.i + 1)?;
                    self.i += 2;
                    match e {
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'r' => out.push('\r'),
                        b'b' | b'f' => {}
                        b'u' => {
                            let hex = self.text.get(self.i..self.i + 4)?;
                            self.i += 4;
                            out.push(
                                char::from_u32(u32::from_str_radix(hex, 16).ok()?)
                                    .unwrap_or('\u{fffd}'),
                            );
                        }
                        other => out.push(other as char),
                    }
                }
                b'$' if self.s.get(self.i + 1) == Some(&b'{') => {
                    self.interpolation()?;
                    out.push_str("${…}");
                    unknown = true;
                }
                _ => {
                    let ch = self.text.get(self.i..)?.chars().next()?;
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }

    fn value(&mut self, b: &mut Builder) -> Option<NodeId> {
        self.ws();
        let from = self.i;
        let c = *self.s.get(self.i)?;
        if self.depth > MAX_DEPTH {
            return None;
        }
        match c {
            b'{' | b'[' => {
                self.i += 1;
                self.depth += 1;
                let kind = if c == b'{' { Kind::Map } else { Kind::Seq };
                let id = self.node(b, kind, "", from);
                let close = if c == b'{' { b'}' } else { b']' };
                self.ws();
                if self.s.get(self.i) == Some(&close) {
                    self.i += 1;
                } else {
                    loop {
                        if kind == Kind::Map {
                            self.ws();
                            let kfrom = self.i;
                            if self.s.get(self.i) != Some(&b'"') {
                                return None;
                            }
                            let (k, _) = self.string()?;
                            let kid = self.node(b, Kind::Str, &k, kfrom);
                            self.ws();
                            if self.s.get(self.i) != Some(&b':') {
                                return None;
                            }
                            self.i += 1;
                            let v = self.value(b)?;
                            b.tree.nodes[id as usize].items.extend([kid, v]);
                        } else {
                            let v = self.value(b)?;
                            b.tree.nodes[id as usize].items.push(v);
                        }
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(x) if *x == close => {
                                self.i += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                self.depth -= 1;
                let (end_line, end_col) =
                    self.fixed.unwrap_or_else(|| b.idx.at(self.base + self.i));
                let n = &mut b.tree.nodes[id as usize];
                n.end_line = end_line;
                n.end_col = end_col;
                Some(id)
            }
            b'"' => {
                let (text, unknown) = self.string()?;
                let kind = if unknown { Kind::Unknown } else { Kind::Str };
                Some(self.node(b, kind, &text, from))
            }
            b'$' if self.s.get(self.i + 1) == Some(&b'{') => {
                self.interpolation()?;
                let raw = self.text.get(from..self.i)?.to_string();
                Some(self.node(b, Kind::Unknown, &raw, from))
            }
            _ => {
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_alphanumeric() || b"+-.".contains(&self.s[self.i]))
                {
                    self.i += 1;
                }
                let word = self.text.get(from..self.i)?;
                let kind = match word {
                    "true" | "false" => Kind::Bool,
                    "null" => Kind::Null,
                    w if w.parse::<f64>().is_ok() => Kind::Num,
                    _ => return None,
                };
                let text = if kind == Kind::Null { "" } else { word };
                Some(self.node(b, kind, text, from))
            }
        }
    }
}

/// Parses a Terraform file. The error names the line and column.
pub fn parse(src: &str) -> Result<HclFile, String> {
    let body = hcl_edit::parser::parse_body(src).map_err(|e| {
        let loc = e.location();
        format!("line {}:{}: {}", loc.line(), loc.column(), e.message())
    })?;
    let mut b = Builder {
        idx: Index::new(src),
        tree: Tree::default(),
    };
    let mut blocks = Vec::new();
    for s in body.iter() {
        if let Structure::Block(block) = s {
            let at = b.idx.at(block.span().map_or(0, |r| r.start));
            let body = b.body(&block.body, at, 0);
            blocks.push(Block {
                ident: block.ident.as_str().to_string(),
                labels: block
                    .labels
                    .iter()
                    .map(|l| l.as_str().to_string())
                    .collect(),
                body,
                line: at.0,
            });
        }
    }
    Ok(HclFile {
        tree: b.tree,
        blocks,
        source: src.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::parse_path;

    #[test]
    fn blocks_attributes_and_json() {
        let src = r#"resource "aws_security_group" "sg" {
  name = "x"
  ingress {
    from_port   = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port = 443
  }
  tags = var.tags
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [{ Action = "*", Effect = "Allow" }]
  })
  other = <<EOF
{"Statement": [{"Action": "s3:*"}]}
EOF
}
"#;
        let f = parse(src).unwrap();
        assert_eq!(f.blocks.len(), 2);
        assert_eq!(f.blocks[0].labels, vec!["aws_security_group", "sg"]);
        let t = &f.tree;
        let ports = t.lookup(f.blocks[0].body, &parse_path("ingress.from_port").unwrap());
        assert_eq!(ports.len(), 2);
        assert_eq!(t.pos(ports[0].key.unwrap()).line, 4);
        let cidr = t.lookup(
            f.blocks[0].body,
            &parse_path("ingress.cidr_blocks[*]").unwrap(),
        );
        assert_eq!(t.text(cidr[0].node), "0.0.0.0/0");
        let tags = t.get(f.blocks[0].body, "tags").unwrap();
        assert_eq!((t.kind(tags), t.text(tags)), (Kind::Unknown, "var.tags"));
        let act = t.lookup(
            f.blocks[1].body,
            &parse_path("policy.Statement.Action").unwrap(),
        );
        assert_eq!(t.text(act[0].node), "*");
        let act = t.lookup(
            f.blocks[1].body,
            &parse_path("other.Statement.Action").unwrap(),
        );
        assert_eq!(t.text(act[0].node), "s3:*");
    }

    #[test]
    fn json_templates_with_interpolations() {
        let src = "resource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\"Statement\": [{\"Action\": \"*\", \"Resource\": \"${aws_s3_bucket.b.arn}/*\"}]}\nEOF\n  defs = <<EOF\n[{\"privileged\": true}]\nEOF\n}\n";
        let f = parse(src).unwrap();
        let t = &f.tree;
        let b = f.blocks[0].body;
        let act = t.lookup(b, &parse_path("policy.Statement.Action").unwrap());
        assert_eq!(t.text(act[0].node), "*");
        let res = t.lookup(b, &parse_path("policy.Statement.Resource").unwrap());
        assert_eq!(t.kind(res[0].node), Kind::Unknown);
        let p = t.lookup(b, &parse_path("defs.privileged").unwrap());
        assert_eq!(t.kind(p[0].node), Kind::Bool);
    }

    #[test]
    fn heredoc_json_keeps_each_line() {
        let src = "resource \"aws_iam_role_policy\" \"p\" {\n  policy = <<-POLICY\n    {\n      \"Statement\": [\n        {\n          \"Effect\": \"Allow\",\n          \"Action\": \"*\",\n          \"Resource\": \"${aws_s3_bucket.b.arn}/*\"\n        }\n      ]\n    }\n  POLICY\n}\n";
        let f = parse(src).unwrap();
        let t = &f.tree;
        let b = f.blocks[0].body;
        let act = t.lookup(b, &parse_path("policy.Statement.Action").unwrap());
        assert_eq!(t.text(act[0].node), "*");
        assert_eq!(t.pos(act[0].key.unwrap()).line, 7);
        assert_eq!(t.pos(act[0].key.unwrap()).col, 11);
        let res = t.lookup(b, &parse_path("policy.Statement.Resource").unwrap());
        assert_eq!(t.kind(res[0].node), Kind::Unknown);
        assert_eq!(t.pos(res[0].node).line, 8);
        // Not JSON: a plain string.
        let f = parse("resource \"x\" \"y\" {\n  s = <<EOT\n{ not json\nEOT\n}\n").unwrap();
        let v = f.tree.get(f.blocks[0].body, "s").unwrap();
        assert_eq!(f.tree.kind(v), Kind::Str);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("resource \"a\" \"b\" {\n  x = \n}\n").unwrap_err();
        assert!(e.starts_with("line "), "{e}");
    }
}
