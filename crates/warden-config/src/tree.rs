//! One positioned tree for every configuration format: YAML documents, HCL bodies and Dockerfiles are all
//! lowered to it, so rules (and the path language they use) never see a parser's types.
//!
//! A tree is an arena: nodes refer to their children by index, and a YAML alias is the index of its anchor's
//! node, so an alias bomb costs one index per alias, not an expansion. Maps are multi-maps (HCL repeats block
//! names: `ingress { … } ingress { … }`), so a key step yields every entry with that key.

use serde::{Deserialize, Serialize};

pub type NodeId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Null,
    Bool,
    Num,
    Str,
    /// An expression whose value is not known without evaluating it (`var.x`, `${{ github.sha }}` is a string,
    /// but `aws_iam_role.r.arn` is unknown). Its text is the expression's source.
    Unknown,
    Seq,
    Map,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Node {
    pub kind: Kind,
    /// Scalars: the value (`true`/`false` for booleans, the literal for numbers); unknowns: the source text.
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub text: Box<str>,
    /// 1-based line and column where the node starts, and the line and column just past its end.
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
    /// Seq: the elements; Map: keys and values, alternating.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<NodeId>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

/// A position in the source, for findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
}

/// One result of a path lookup: the value, and the key it was found under (where it came from a map), which
/// is where a finding about it points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub key: Option<NodeId>,
    pub node: NodeId,
}

/// A step of a path: `a.b`, `a[*]`, `a[0]`, `a.*`, `"dotted.key"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    AnyKey,
    AnyElem,
    Index(usize),
}

/// Lookups stop after this many hits, so a path over alias-shared sequences stays bounded.
pub const MAX_HITS: usize = 10_000;

/// Parses a path: dot-separated keys, `"quoted.keys"`, `*` for any key, `[*]` for any element, `[N]` for one.
pub fn parse_path(s: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'.' => i += 1,
            b'"' => {
                let end = s[i + 1..]
                    .find('"')
                    .ok_or_else(|| format!("unclosed quote in path `{s}`"))?;
                steps.push(Step::Key(s[i + 1..i + 1 + end].to_string()));
                i += end + 2;
            }
            b'[' => {
                let end = s[i..]
                    .find(']')
                    .ok_or_else(|| format!("unclosed `[` in path `{s}`"))?;
                let inner = &s[i + 1..i + end];
                steps.push(if inner == "*" {
                    Step::AnyElem
                } else {
                    Step::Index(
                        inner
                            .parse()
                            .map_err(|_| format!("bad index `[{inner}]` in path `{s}`"))?,
                    )
                });
                i += end + 1;
            }
            _ => {
                let end = s[i..].find(['.', '[']).map_or(s.len(), |e| i + e);
                let key = &s[i..end];
                if key.contains('"') {
                    return Err(format!("stray quote in path `{s}`"));
                }
                steps.push(if key == "*" {
                    Step::AnyKey
                } else {
                    Step::Key(key.to_string())
                });
                i = end;
            }
        }
    }
    Ok(steps)
}

impl Tree {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    pub fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        (self.nodes.len() - 1) as NodeId
    }

    pub fn kind(&self, id: NodeId) -> Kind {
        self.node(id).kind
    }

    pub fn text(&self, id: NodeId) -> &str {
        &self.node(id).text
    }

    pub fn pos(&self, id: NodeId) -> Pos {
        let n = self.node(id);
        Pos {
            line: n.line,
            col: n.col,
            end_line: n.end_line,
            end_col: n.end_col,
        }
    }

    /// A scalar's text, for strings, numbers and booleans.
    pub fn str(&self, id: NodeId) -> Option<&str> {
        let n = self.node(id);
        matches!(n.kind, Kind::Str | Kind::Num | Kind::Bool).then_some(&*n.text)
    }

    pub fn is_map(&self, id: NodeId) -> bool {
        self.kind(id) == Kind::Map
    }

    /// A map's entries as (key, value).
    pub fn entries(&self, id: NodeId) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        let n = self.node(id);
        let items: &[NodeId] = if n.kind == Kind::Map { &n.items } else { &[] };
        items.chunks_exact(2).map(|c| (c[0], c[1]))
    }

    /// A sequence's elements (nothing for other kinds).
    pub fn elems(&self, id: NodeId) -> &[NodeId] {
        let n = self.node(id);
        if n.kind == Kind::Seq {
            &n.items
        } else {
            &[]
        }
    }

    /// The first value under `key` in a map (YAML merge keys `<<` are followed).
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.get_hit(map, key).map(|h| h.node)
    }

    pub fn get_hit(&self, map: NodeId, key: &str) -> Option<Hit> {
        let mut out = Vec::new();
        self.key_hits(map, key, &mut out, 0);
        out.into_iter().next()
    }

    /// A string value under `key`.
    pub fn get_str(&self, map: NodeId, key: &str) -> Option<&str> {
        self.get(map, key).and_then(|n| self.str(n))
    }

    fn key_hits(&self, map: NodeId, key: &str, out: &mut Vec<Hit>, depth: u32) {
        let mut found = false;
        for (k, v) in self.entries(map) {
            if &*self.node(k).text == key && self.kind(k) != Kind::Seq && self.kind(k) != Kind::Map
            {
                found = true;
                if out.len() < MAX_HITS {
                    out.push(Hit {
                        key: Some(k),
                        node: v,
                    });
                }
            }
        }
        if found || depth > 8 {
            return;
        }
        for (k, v) in self.entries(map) {
            if &*self.node(k).text == "<<" {
                for m in std::iter::once(v).chain(self.elems(v).iter().copied()) {
                    if self.is_map(m) {
                        self.key_hits(m, key, out, depth + 1);
                    }
                }
            }
        }
    }

    /// Every node the path reaches from `from`. A key step on a sequence applies to each element, so
    /// `containers.image` and `containers[*].image` are the same path.
    pub fn lookup(&self, from: NodeId, path: &[Step]) -> Vec<Hit> {
        let mut cur = vec![Hit {
            key: None,
            node: from,
        }];
        for step in path {
            let mut next = Vec::new();
            for h in &cur {
                self.step(h.node, step, &mut next);
                if next.len() >= MAX_HITS {
                    break;
                }
            }
            cur = next;
            if cur.is_empty() {
                break;
            }
        }
        cur
    }

    fn step(&self, at: NodeId, step: &Step, out: &mut Vec<Hit>) {
        match (step, self.kind(at)) {
            (Step::Key(k), Kind::Map) => self.key_hits(at, k, out, 0),
            (Step::Key(k), Kind::Seq) => {
                for &e in self.elems(at) {
                    if self.is_map(e) {
                        self.key_hits(e, k, out, 0);
                    }
                    if out.len() >= MAX_HITS {
                        break;
                    }
                }
            }
            (Step::AnyKey, Kind::Map) => {
                for (k, v) in self.entries(at) {
                    if &*self.node(k).text != "<<" {
                        out.push(Hit {
                            key: Some(k),
                            node: v,
                        });
                    }
                }
            }
            (Step::AnyElem, Kind::Seq) => {
                out.extend(self.elems(at).iter().map(|&e| Hit { key: None, node: e }))
            }
            (Step::Index(i), Kind::Seq) => {
                if let Some(&e) = self.elems(at).get(*i) {
                    out.push(Hit { key: None, node: e })
                }
            }
            _ => {}
        }
        out.truncate(MAX_HITS);
    }

    /// The deepest point of `path` that exists (for a finding about a missing key: it points at the parent
    /// that should hold it).
    pub fn deepest(&self, from: NodeId, path: &[Step]) -> Hit {
        let mut best = Hit {
            key: None,
            node: from,
        };
        let mut cur = vec![best];
        for step in path {
            let mut next = Vec::new();
            for h in &cur {
                self.step(h.node, step, &mut next);
            }
            // A null value (`securityContext:` with nothing under it) is where the key would go.
            match next.first() {
                Some(h) => best = *h,
                None => break,
            }
            cur = next;
        }
        best
    }

    /// Where a hit points: its key where it has one (the line a reader looks for), else the node.
    pub fn hit_pos(&self, h: Hit) -> Pos {
        match h.key {
            Some(k) => {
                let mut p = self.pos(k);
                let v = self.pos(h.node);
                if v.line == p.line {
                    p.end_line = v.end_line;
                    p.end_col = v.end_col;
                }
                p
            }
            None => self.pos(h.node),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse() {
        assert_eq!(
            parse_path(r#"metadata.annotations."a.b/c"[*].x[2].*"#).unwrap(),
            vec![
                Step::Key("metadata".into()),
                Step::Key("annotations".into()),
                Step::Key("a.b/c".into()),
                Step::AnyElem,
                Step::Key("x".into()),
                Step::Index(2),
                Step::AnyKey
            ]
        );
        assert!(parse_path("a[").is_err());
        assert!(parse_path("a\"b").is_err());
    }
}
