//! From a tree-sitter tree to the [`Module`](crate::ir::Module) model, one file per language. Shared here: the
//! parse itself (with its budget), spans, node text, and the depth guard that keeps deeply nested input from
//! exhausting the stack.

mod go;
mod js;
mod python;

use crate::ir::{Arg, Call, Expr, ExprKind, Func, Lang, Module, Span};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};
use tree_sitter::{Node, Parser, Tree};

/// How deep the lowering follows nested expressions and statements; deeper parts become opaque values. Real
/// code nests a few dozen levels; generated code can nest thousands, which would exhaust a worker thread's
/// 2 MiB stack (the walker's threads keep the default size; a debug build spends several KiB per level).
pub const MAX_DEPTH: usize = 100;

/// A file's parse: the tree-sitter tree and the lowered model, built once per file and shared.
pub struct Parsed {
    pub lang: Lang,
    pub module: Module,
    /// Why the analysis of this file was cut short, if it was (parse budget, nesting, syntax errors).
    pub problems: Vec<String>,
    /// Whether the tree holds syntax errors (the rest of the file is still analysed).
    pub has_errors: bool,
}

/// The per-file budget.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Wall time for the parse; past it the parse is abandoned and the file reported.
    pub parse_time: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            parse_time: Duration::from_secs(3),
        }
    }
}

fn language(lang: Lang, path: &str) -> tree_sitter::Language {
    match lang {
        Lang::Python => tree_sitter_python::LANGUAGE.into(),
        Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
        Lang::TypeScript if path.ends_with(".tsx") => tree_sitter_typescript::LANGUAGE_TSX.into(),
        Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        Lang::Go => tree_sitter_go::LANGUAGE.into(),
    }
}

thread_local! {
    // One parser per worker thread and grammar: building a parser is cheap, but its internal buffers grow to
    // the largest file seen and are worth keeping.
    static PARSERS: std::cell::RefCell<Vec<(usize, Parser)>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn parse_tree(lang: Lang, path: &str, src: &[u8], budget: Budget) -> Result<Tree, String> {
    let language = language(lang, path);
    let key = match lang {
        Lang::TypeScript if path.ends_with(".tsx") => 4,
        l => l as usize,
    };
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let idx = match parsers.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                let mut p = Parser::new();
                p.set_language(&language)
                    .map_err(|e| format!("grammar: {e}"))?;
                parsers.push((key, p));
                parsers.len() - 1
            }
        };
        let parser = &mut parsers[idx].1;
        let started = Instant::now();
        let mut over = false;
        let mut progress = |_: &tree_sitter::ParseState| {
            if started.elapsed() > budget.parse_time {
                over = true;
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let len = src.len();
        let mut read = |offset: usize, _| &src[offset.min(len)..];
        let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
        let tree = parser.parse_with_options(&mut read, None, Some(options));
        parser.reset();
        match tree {
            Some(t) => Ok(t),
            None if over => Err(format!(
                "parse took over {} s (the per-file budget); not analysed",
                budget.parse_time.as_secs()
            )),
            None => Err("the parser gave up on this file; not analysed".to_string()),
        }
    })
}

/// Parses and lowers one file. Never fails: what cannot be analysed is described in `problems`.
pub fn parse(lang: Lang, path: &str, src: &[u8], budget: Budget) -> Parsed {
    let mut parsed = Parsed {
        lang,
        module: Module::default(),
        problems: Vec::new(),
        has_errors: false,
    };
    let tree = match parse_tree(lang, path, src, budget) {
        Ok(t) => t,
        Err(e) => {
            parsed.problems.push(e);
            return parsed;
        }
    };
    let root = tree.root_node();
    parsed.has_errors = root.has_error();
    let mut cx = Cx {
        cursor: root.walk(),
        src,
        path,
        module: Module::default(),
        depth: 0,
        too_deep: false,
        fn_depth: 0,
    };
    cx.module.funcs.push(Func {
        name: "<module>".into(),
        span: cx.span(root),
        ..Func::default()
    });
    match lang {
        Lang::Python => python::lower(&mut cx, root),
        Lang::JavaScript | Lang::TypeScript => js::lower(&mut cx, root),
        Lang::Go => go::lower(&mut cx, root),
    }
    if cx.too_deep {
        parsed.problems.push(format!(
            "expressions nest deeper than {MAX_DEPTH} levels; the deeper parts were not analysed"
        ));
    }
    parsed.module = cx.module;
    parsed
}

/// The lowering's state for one file.
pub(crate) struct Cx<'s, 't> {
    /// One cursor for every child listing: creating a cursor per node allocated and freed its stack each
    /// time (a large share of the lowering's allocations).
    cursor: tree_sitter::TreeCursor<'t>,
    pub src: &'s [u8],
    pub path: &'s str,
    pub module: Module,
    pub depth: usize,
    pub too_deep: bool,
    /// How many function bodies enclose the node being lowered.
    pub fn_depth: usize,
}

impl<'s, 't> Cx<'s, 't> {
    /// The named children of a node.
    pub fn kids(&mut self, n: Node<'t>) -> Vec<Node<'t>> {
        self.cursor.reset(n);
        n.named_children(&mut self.cursor).collect()
    }

    pub fn text(&self, n: Node) -> &'s str {
        std::str::from_utf8(&self.src[n.byte_range()]).unwrap_or("")
    }

    pub fn span(&self, n: Node) -> Span {
        let s = n.start_position();
        let e = n.end_position();
        Span {
            line: s.row as u32 + 1,
            col: s.column as u32 + 1,
            end_line: e.row as u32 + 1,
            end_col: e.column as u32 + 1,
            start: n.start_byte() as u32,
            end: n.end_byte() as u32,
        }
    }

    /// Enters one level of nesting; `false` when the file nests too deep (the caller makes an opaque value).
    pub fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            self.too_deep = true;
            return false;
        }
        self.depth += 1;
        true
    }

    pub fn leave(&mut self) {
        self.depth -= 1;
    }

    pub fn add_func(&mut self, f: Func) -> usize {
        self.module.funcs.push(f);
        self.module.funcs.len() - 1
    }

    pub fn opaque(&self, n: Node) -> Expr {
        Expr::other(self.span(n))
    }

    pub fn name(&self, n: Node) -> Expr {
        Expr::new(ExprKind::Name(self.text(n).to_string()), self.span(n))
    }
}

/// The unquoted value of a string literal's text (best effort: escapes stay as written).
pub(crate) fn unquote(text: &str) -> String {
    // A string prefix (`b"..."`, `r'...'`, `f"..."`) only when a quote follows it.
    let stripped = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let t = if stripped.len() < text.len()
        && stripped.starts_with(['"', '\'', '`'])
        && text.len() - stripped.len() <= 2
    {
        stripped
    } else {
        text
    };
    for q in ["\"\"\"", "'''", "\"", "'", "`"] {
        if t.len() >= 2 * q.len() && t.starts_with(q) && t.ends_with(q) {
            return t[q.len()..t.len() - q.len()].to_string();
        }
    }
    t.to_string()
}

/// `a + b` where one side is a string: a constant when both are, else an interpolation.
pub(crate) fn join_strings(parts: Vec<Expr>, span: Span) -> Expr {
    let mut literal = String::new();
    let mut values = Vec::new();
    for p in parts {
        match p.kind {
            ExprKind::Str(s) => literal.push_str(&s),
            ExprKind::Interp { parts, literal: l } => {
                literal.push_str(&l);
                values.extend(parts);
            }
            _ => values.push(p),
        }
    }
    if values.is_empty() {
        Expr::new(ExprKind::Str(literal), span)
    } else {
        Expr::new(
            ExprKind::Interp {
                parts: values,
                literal,
            },
            span,
        )
    }
}

/// Whether an expression is string-valued by its syntax (a literal or an interpolation).
pub(crate) fn is_string(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Str(_) | ExprKind::Interp { .. })
}

/// A binary expression's operator and lowered operands (the three grammars name the fields alike).
pub(crate) fn binary_operands<'s, 't>(
    cx: &mut Cx<'s, 't>,
    n: Node<'t>,
    expr: fn(&mut Cx<'s, 't>, Node<'t>) -> Expr,
) -> Option<(&'s str, Expr, Expr)> {
    let (l, r) = (
        n.child_by_field_name("left")?,
        n.child_by_field_name("right")?,
    );
    let op = n
        .child_by_field_name("operator")
        .map(|o| cx.text(o))
        .unwrap_or("");
    Some((op, expr(cx, l), expr(cx, r)))
}

/// A boolean computed from values: a call to the language's `bool`/`Boolean` builtin, which the models treat
/// as a cleanser, so the calls inside still count but the data does not flow on.
pub(crate) fn truth(builtin: &str, parts: Vec<Expr>, span: Span) -> Expr {
    Expr::new(
        ExprKind::Call(Box::new(Call {
            callee: Expr::new(ExprKind::Name(builtin.into()), span),
            args: vec![Arg {
                name: None,
                value: Expr::new(ExprKind::Seq(parts), span),
                splat: false,
            }],
            construct: false,
            span,
        })),
        span,
    )
}
