//! YAML (1.2, multi-document) to [`Tree`], from saphyr-parser's event stream with positions.
//!
//! The builder is iterative (no recursion, so nesting cannot overflow the stack) and bounded: at most
//! [`MAX_DEPTH`] levels and [`MAX_NODES`] nodes per file. An alias is the index of its anchor's node, never a
//! copy, so a billion-laughs document costs one index per alias.

use crate::tree::{Kind, Node, NodeId, Tree};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

pub const MAX_DEPTH: usize = 200;
pub const MAX_NODES: usize = 4_000_000;

/// One document of a stream: its root node and the lines it spans.
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    pub root: NodeId,
    pub start_line: u32,
    pub end_line: u32,
}

/// A parse error, with the 1-based line and column where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}:{}: {}", self.line, self.col, self.message)
    }
}

/// Every document of `src` up to the first error, and that error.
pub struct Yaml {
    pub tree: Tree,
    pub docs: Vec<Doc>,
    pub error: Option<YamlError>,
}

enum Open {
    Seq(NodeId),
    Map(NodeId),
}

fn node(kind: Kind, text: &str, span: Span) -> Node {
    Node {
        kind,
        text: text.into(),
        line: span.start.line() as u32,
        col: span.start.col() as u32 + 1,
        end_line: span.end.line() as u32,
        end_col: span.end.col() as u32 + 1,
        items: Vec::new(),
    }
}

/// The YAML 1.2 core schema for plain scalars.
fn plain_kind(s: &str) -> Kind {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Kind::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return Kind::Bool,
        _ => {}
    }
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    let numeric =
        (t.starts_with("0x") && t.len() > 2 && t[2..].bytes().all(|b| b.is_ascii_hexdigit()))
            || (t.starts_with("0o")
                && t.len() > 2
                && t[2..].bytes().all(|b| (b'0'..=b'7').contains(&b)))
            || (!t.is_empty()
                && t.bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_digit() || b == b'.')
                && t.parse::<f64>().is_ok())
            || matches!(t, ".inf" | ".Inf" | ".INF")
            || matches!(s, ".nan" | ".NaN" | ".NAN");
    if numeric {
        Kind::Num
    } else {
        Kind::Str
    }
}

pub fn parse(src: &str) -> Yaml {
    let mut tree = Tree::default();
    let mut docs = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: rustc_hash::FxHashMap<usize, NodeId> = Default::default();
    let mut doc_start = 1u32;
    let mut root: Option<NodeId> = None;
    let mut error = None;
    let mut last_line = 1u32;

    for ev in Parser::new_from_str(src) {
        let (ev, span) = match ev {
            Ok(e) => e,
            Err(e) => {
                error = Some(YamlError {
                    line: e.marker().line() as u32,
                    col: e.marker().col() as u32 + 1,
                    message: e.info().to_string(),
                });
                break;
            }
        };
        last_line = span.end.line() as u32;
        if tree.nodes.len() >= MAX_NODES {
            error = Some(YamlError {
                line: span.start.line() as u32,
                col: span.start.col() as u32 + 1,
                message: format!("more than {MAX_NODES} nodes; the rest of the file is not read"),
            });
            break;
        }
        let (new, anchor, opens) = match ev {
            Event::DocumentStart(_) => {
                doc_start = span.start.line() as u32;
                root = None;
                stack.clear();
                continue;
            }
            Event::DocumentEnd => {
                if let Some(r) = root.take() {
                    docs.push(Doc {
                        root: r,
                        start_line: doc_start,
                        end_line: span.end.line().max(span.start.line()) as u32,
                    });
                }
                continue;
            }
            Event::Scalar(v, style, anchor, _) => {
                let kind = if style == ScalarStyle::Plain {
                    plain_kind(&v)
                } else {
                    Kind::Str
                };
                let text = if kind == Kind::Null { "" } else { &v };
                (tree.push(node(kind, text, span)), anchor, false)
            }
            Event::SequenceStart(anchor, _) => (tree.push(node(Kind::Seq, "", span)), anchor, true),
            Event::MappingStart(anchor, _) => (tree.push(node(Kind::Map, "", span)), anchor, true),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(Open::Seq(id) | Open::Map(id)) = stack.pop() {
                    let n = &mut tree.nodes[id as usize];
                    let end = span.end;
                    if end.line() as u32 >= n.line {
                        n.end_line = end.line() as u32;
                        n.end_col = end.col() as u32 + 1;
                    }
                }
                continue;
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some(&target) => (target, 0, false),
                None => (tree.push(node(Kind::Null, "", span)), 0, false),
            },
            _ => continue,
        };
        if anchor != 0 {
            anchors.insert(anchor, new);
        }
        match stack.last() {
            Some(Open::Seq(p) | Open::Map(p)) => tree.nodes[*p as usize].items.push(new),
            None => root = Some(new),
        }
        if opens {
            if stack.len() >= MAX_DEPTH {
                error = Some(YamlError {
                    line: span.start.line() as u32,
                    col: span.start.col() as u32 + 1,
                    message: format!("nested deeper than {MAX_DEPTH} levels"),
                });
                break;
            }
            stack.push(if tree.kind(new) == Kind::Seq {
                Open::Seq(new)
            } else {
                Open::Map(new)
            });
        }
    }
    // A stream cut short by an error keeps its complete documents; a document without an explicit end that
    // the error interrupted is dropped (it may be missing the keys a rule looks for).
    if error.is_none() {
        if let Some(r) = root {
            docs.push(Doc {
                root: r,
                start_line: doc_start,
                end_line: last_line,
            });
        }
    }
    // Mapping keys that are not scalars, and odd item counts (an error cut a map short), are fixed up so
    // `entries` stays well-formed.
    for n in &mut tree.nodes {
        if n.kind == Kind::Map && n.items.len() % 2 == 1 {
            n.items.pop();
        }
    }
    Yaml { tree, docs, error }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::parse_path;

    #[test]
    fn documents_positions_and_kinds() {
        let y = parse("a: 1\nb:\n  - x: true\n    y: 'true'\n---\nkind: Pod\nz: ~\n");
        assert!(y.error.is_none());
        assert_eq!(y.docs.len(), 2);
        let t = &y.tree;
        let d0 = y.docs[0].root;
        let hits = t.lookup(d0, &parse_path("b.x").unwrap());
        assert_eq!(hits.len(), 1);
        assert_eq!(t.kind(hits[0].node), Kind::Bool);
        assert_eq!(t.pos(hits[0].key.unwrap()).line, 3);
        assert_eq!(
            t.kind(t.lookup(d0, &parse_path("b.y").unwrap())[0].node),
            Kind::Str
        );
        assert_eq!(y.docs[1].start_line, 5);
        assert_eq!(t.get_str(y.docs[1].root, "kind"), Some("Pod"));
        assert_eq!(t.kind(t.get(y.docs[1].root, "z").unwrap()), Kind::Null);
    }

    #[test]
    fn aliases_share_and_merge_keys_resolve() {
        let y = parse("base: &b\n  image: nginx\nsvc:\n  <<: *b\n  ports: [80]\n");
        let t = &y.tree;
        assert_eq!(
            t.lookup(y.docs[0].root, &parse_path("svc.image").unwrap())
                .len(),
            1
        );
    }

    #[test]
    fn alias_bomb_is_cheap() {
        let mut s = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for i in 1..10 {
            let prev = (b'a' + i - 1) as char;
            let cur = (b'a' + i) as char;
            s.push_str(&format!("{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        let y = parse(&s);
        assert!(y.error.is_none());
        assert!(y.tree.nodes.len() < 200);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let s = "[".repeat(100_000);
        let y = parse(&s);
        assert!(y.error.is_some());
    }

    #[test]
    fn errors_keep_earlier_documents() {
        let y = parse("a: 1\n---\nb: [\n");
        assert_eq!(y.docs.len(), 1);
        let e = y.error.unwrap();
        assert!(e.line >= 3, "{e}");
    }
}
