//! JavaScript, TypeScript and TSX (tree-sitter-javascript / -typescript) to the model.

use super::{binary_operands, is_string, join_strings, truth, unquote, Cx};
use crate::ir::{Arg, Call, Expr, ExprKind, Func, Import, Param, Span, Stmt};
use tree_sitter::Node;

pub(crate) fn lower<'t>(cx: &mut Cx<'_, 't>, root: Node<'t>) {
    let body = block(cx, root, None);
    cx.module.funcs[0].body.extend(body);
}

/// A module specifier as a path segment: `node:fs` is `fs`; relative specifiers are resolved against the
/// importing file's directory (`./utils` in `src/app.ts` is `src/utils`) so a repository's own modules have one
/// name wherever they are imported from.
pub(crate) fn module_segment(path: &str, spec: &str) -> String {
    let spec = spec.strip_prefix("node:").unwrap_or(spec);
    if !(spec.starts_with("./") || spec.starts_with("../")) {
        return spec.to_string();
    }
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    for seg in spec.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    // Drop a source extension and a trailing /index: `./utils.js`, `./utils/index` are `utils`.
    let mut s = joined.as_str();
    for ext in [".js", ".ts", ".tsx", ".jsx", ".mjs", ".cjs", ".mts", ".cts"] {
        if let Some(x) = s.strip_suffix(ext) {
            s = x;
            break;
        }
    }
    s.strip_suffix("/index").unwrap_or(s).to_string()
}

fn block<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>, class: Option<&str>) -> Vec<Stmt> {
    let mut out = Vec::new();
    for c in cx.kids(n) {
        stmt(cx, c, class, &mut out);
    }
    out
}

fn add_import<'t>(cx: &mut Cx<'_, 't>, local: String, spec: &str, name: Option<&str>, span: Span) {
    let mut path = vec![module_segment(cx.path, spec)];
    if let Some(n) = name {
        if n != "default" {
            path.push(n.to_string());
        }
    }
    cx.module.imports.push(Import {
        local,
        path,
        module: spec.to_string(),
        names: name.map(|n| vec![n.to_string()]).unwrap_or_default(),
        span,
    });
}

fn stmt<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>, class: Option<&str>, out: &mut Vec<Stmt>) {
    if !cx.enter() {
        return;
    }
    match n.kind() {
        "import_statement" => {
            let spec = n
                .child_by_field_name("source")
                .map(|s| unquote(cx.text(s)))
                .unwrap_or_default();
            let span = cx.span(n);
            let mut bound = false;
            for c in cx.kids(n) {
                if c.kind() != "import_clause" {
                    continue;
                }
                for k in cx.kids(c) {
                    match k.kind() {
                        "identifier" => {
                            add_import(cx, cx.text(k).to_string(), &spec, None, span);
                            bound = true;
                        }
                        "namespace_import" => {
                            if let Some(id) = cx.kids(k).first() {
                                add_import(cx, cx.text(*id).to_string(), &spec, None, span);
                                bound = true;
                            }
                        }
                        "named_imports" => {
                            for s in cx.kids(k) {
                                if s.kind() != "import_specifier" {
                                    continue;
                                }
                                let Some(name) = s.child_by_field_name("name") else {
                                    continue;
                                };
                                let name = unquote(cx.text(name));
                                let local = s
                                    .child_by_field_name("alias")
                                    .map(|a| cx.text(a).to_string())
                                    .unwrap_or_else(|| name.clone());
                                add_import(cx, local, &spec, Some(&name), span);
                                bound = true;
                            }
                        }
                        _ => {}
                    }
                }
            }
            if !bound {
                add_import(cx, String::new(), &spec, None, span);
            }
        }
        "export_statement" => {
            if let Some(d) = n.child_by_field_name("declaration") {
                stmt(cx, d, class, out);
            } else if let Some(v) = n.child_by_field_name("value") {
                let e = expr(cx, v);
                out.push(Stmt::Expr(e));
            } else if let Some(src) = n.child_by_field_name("source") {
                // export { x } from './y': an import for dependency purposes.
                let spec = unquote(cx.text(src));
                let span = cx.span(n);
                add_import(cx, String::new(), &spec, None, span);
            }
        }
        "lexical_declaration" | "variable_declaration" => {
            for d in cx.kids(n) {
                if d.kind() != "variable_declarator" {
                    continue;
                }
                let (Some(name), Some(value)) = (
                    d.child_by_field_name("name"),
                    d.child_by_field_name("value"),
                ) else {
                    continue;
                };
                if let Some(spec) = require_of(cx, value) {
                    // const x = require('m') / const { a, b: c } = require('m')
                    let span = cx.span(d);
                    match name.kind() {
                        "identifier" => {
                            add_import(cx, cx.text(name).to_string(), &spec, None, span)
                        }
                        "object_pattern" => {
                            for p in cx.kids(name) {
                                match p.kind() {
                                    "shorthand_property_identifier_pattern" => {
                                        let t = cx.text(p).to_string();
                                        add_import(cx, t.clone(), &spec, Some(&t), span);
                                    }
                                    "pair_pattern" => {
                                        if let (Some(k), Some(v)) = (
                                            p.child_by_field_name("key"),
                                            p.child_by_field_name("value"),
                                        ) {
                                            let key = unquote(cx.text(k));
                                            add_import(
                                                cx,
                                                cx.text(v).to_string(),
                                                &spec,
                                                Some(&key),
                                                span,
                                            );
                                        }
                                    }
                                    _ => {}
                                }
                            }
                        }
                        _ => add_import(cx, String::new(), &spec, None, span),
                    }
                    continue;
                }
                if let ("identifier", "arrow_function" | "function_expression" | "function") =
                    (name.kind(), value.kind())
                {
                    if cx.fn_depth == 0 {
                        // const f = () => {...} at the top: a named function others call.
                        let fname = cx.text(name).to_string();
                        function(cx, value, fname, class, false);
                        continue;
                    }
                }
                let value_e = expr(cx, value);
                let targets = pattern_targets(cx, name);
                out.push(Stmt::Assign {
                    targets,
                    value: value_e,
                    augmented: false,
                    span: cx.span(d),
                });
            }
        }
        "expression_statement" => {
            for c in cx.kids(n) {
                expr_stmt(cx, c, out);
            }
        }
        "return_statement" => {
            let e = cx.kids(n).first().map(|c| expr(cx, *c));
            out.push(Stmt::Return(e, cx.span(n)));
        }
        "function_declaration" | "generator_function_declaration" => {
            let name = n
                .child_by_field_name("name")
                .map(|c| cx.text(c).to_string())
                .unwrap_or_default();
            let nested = cx.fn_depth > 0;
            let idx = function(cx, n, name.clone(), class, nested);
            if nested {
                let span = cx.span(n);
                out.push(Stmt::Assign {
                    targets: vec![Expr::new(ExprKind::Name(name), span)],
                    value: Expr::new(ExprKind::Func(idx), span),
                    augmented: false,
                    span,
                });
            }
        }
        "class_declaration" | "abstract_class_declaration" | "class" => {
            let name = n
                .child_by_field_name("name")
                .map(|c| cx.text(c).to_string())
                .unwrap_or_default();
            if let Some(body) = n.child_by_field_name("body") {
                for m in cx.kids(body) {
                    match m.kind() {
                        "method_definition" => {
                            let mname = m
                                .child_by_field_name("name")
                                .map(|c| cx.text(c).to_string())
                                .unwrap_or_default();
                            function(cx, m, mname, Some(&name), false);
                        }
                        "field_definition" | "public_field_definition"
                            if m.child_by_field_name("value").is_none() =>
                        {
                            if let (Some(p), Some(t)) =
                                (m.child_by_field_name("name"), m.child_by_field_name("type"))
                            {
                                let t = cx.text(t).trim_start_matches(':').trim().to_string();
                                cx.module
                                    .fields
                                    .push((name.clone(), cx.text(p).to_string(), t));
                            }
                        }
                        "field_definition" | "public_field_definition" => {
                            if let (Some(p), Some(v)) = (
                                m.child_by_field_name("property")
                                    .or_else(|| m.child_by_field_name("name")),
                                m.child_by_field_name("value"),
                            ) {
                                let value = expr(cx, v);
                                let span = cx.span(m);
                                let target = Expr::new(
                                    ExprKind::Attr(
                                        Box::new(Expr::new(ExprKind::Name("this".into()), span)),
                                        cx.text(p).to_string(),
                                    ),
                                    span,
                                );
                                cx.module.funcs[0].body.push(Stmt::Assign {
                                    targets: vec![target],
                                    value,
                                    augmented: false,
                                    span,
                                });
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        "if_statement" => {
            let mut cond = None;
            if let Some(c) = n.child_by_field_name("condition") {
                let e = expr(cx, c);
                cond = Some(e.clone());
                out.push(Stmt::Expr(e));
            }
            let mut arms = Vec::new();
            if let Some(b) = n.child_by_field_name("consequence") {
                arms.push(block_or_stmt(cx, b, class));
            }
            let mut exhaustive = false;
            if let Some(alt) = n.child_by_field_name("alternative") {
                exhaustive = true;
                let mut arm = Vec::new();
                for c in cx.kids(alt) {
                    stmt(cx, c, class, &mut arm);
                }
                arms.push(arm);
            }
            out.push(Stmt::Branch {
                arms,
                exhaustive,
                cond,
            });
        }
        "for_statement" | "for_in_statement" | "while_statement" | "do_statement" => {
            let mut body = Vec::new();
            if n.kind() == "for_in_statement" {
                if let (Some(l), Some(r)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                ) {
                    let value = expr(cx, r);
                    let targets = pattern_targets(cx, l);
                    body.push(Stmt::Assign {
                        targets,
                        value,
                        augmented: false,
                        span: cx.span(n),
                    });
                }
            }
            for f in ["initializer", "condition", "increment"] {
                if let Some(c) = n.child_by_field_name(f) {
                    stmt_or_expr(cx, c, class, &mut body);
                }
            }
            if let Some(b) = n.child_by_field_name("body") {
                body.extend(block_or_stmt(cx, b, class));
            }
            out.push(Stmt::Loop(body));
        }
        "try_statement" => {
            if let Some(b) = n.child_by_field_name("body") {
                out.extend(block(cx, b, class));
            }
            let mut arms = vec![Vec::new()];
            if let Some(h) = n.child_by_field_name("handler") {
                if let Some(b) = h.child_by_field_name("body") {
                    arms.push(block(cx, b, class));
                }
            }
            out.push(Stmt::Branch {
                arms,
                exhaustive: true,
                cond: None,
            });
            if let Some(f) = n.child_by_field_name("finalizer") {
                for c in cx.kids(f) {
                    stmt(cx, c, class, out);
                }
            }
        }
        "switch_statement" => {
            if let Some(v) = n.child_by_field_name("value") {
                let e = expr(cx, v);
                out.push(Stmt::Expr(e));
            }
            let mut arms = Vec::new();
            let mut exhaustive = false;
            if let Some(b) = n.child_by_field_name("body") {
                for case in cx.kids(b) {
                    exhaustive |= case.kind() == "switch_default";
                    let mut arm = Vec::new();
                    let mut cur = case.walk();
                    let body: Vec<Node> = case.children_by_field_name("body", &mut cur).collect();
                    for c in body {
                        stmt(cx, c, class, &mut arm);
                    }
                    arms.push(arm);
                }
            }
            out.push(Stmt::Branch {
                arms,
                exhaustive,
                cond: None,
            });
        }
        "statement_block" | "program" | "labeled_statement" | "else_clause" => {
            for c in cx.kids(n) {
                stmt(cx, c, class, out);
            }
        }
        "throw_statement" | "break_statement" | "continue_statement" => {
            for c in cx.kids(n) {
                let e = expr(cx, c);
                out.push(Stmt::Expr(e));
            }
            out.push(Stmt::Exit(cx.span(n)));
        }
        "comment"
        | "empty_statement"
        | "debugger_statement"
        | "hash_bang_line"
        | "type_alias_declaration"
        | "interface_declaration"
        | "enum_declaration"
        | "ambient_declaration"
        | "module"
        | "internal_module" => {}
        _ => {
            if n.kind().ends_with("expression") || n.kind() == "identifier" {
                expr_stmt(cx, n, out);
            } else {
                for c in cx.kids(n) {
                    stmt(cx, c, class, out);
                }
            }
        }
    }
    cx.leave();
}

fn stmt_or_expr<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>, class: Option<&str>, out: &mut Vec<Stmt>) {
    if n.kind().ends_with("expression") || n.kind() == "sequence_expression" {
        expr_stmt(cx, n, out);
    } else {
        stmt(cx, n, class, out);
    }
}

fn block_or_stmt<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>, class: Option<&str>) -> Vec<Stmt> {
    let mut out = Vec::new();
    stmt(cx, n, class, &mut out);
    out
}

fn expr_stmt<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>, out: &mut Vec<Stmt>) {
    match n.kind() {
        "assignment_expression" | "augmented_assignment_expression" => {
            let (Some(l), Some(r)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) else {
                return;
            };
            if r.kind() == "assignment_expression" {
                expr_stmt(cx, r, out);
            }
            let value = if r.kind() == "assignment_expression" {
                match r.child_by_field_name("left") {
                    Some(x) => expr(cx, x),
                    None => return,
                }
            } else {
                expr(cx, r)
            };
            // module.exports = { a, b } / exports.f = function ...: bodies are lowered as values.
            let targets = pattern_targets(cx, l);
            out.push(Stmt::Assign {
                targets,
                value,
                augmented: n.kind() == "augmented_assignment_expression",
                span: cx.span(n),
            });
        }
        "sequence_expression" => {
            for c in cx.kids(n) {
                expr_stmt(cx, c, out);
            }
        }
        _ => {
            let e = expr(cx, n);
            out.push(Stmt::Expr(e));
        }
    }
}

/// Targets of a declaration or assignment: `x`, `a.b`, and each name of `{ a, b: c }` / `[a, b]`, which take
/// the whole value (a destructured property is a part of it).
fn pattern_targets<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Vec<Expr> {
    match n.kind() {
        "object_pattern" | "array_pattern" => {
            let mut out = Vec::new();
            for c in cx.kids(n) {
                match c.kind() {
                    "shorthand_property_identifier_pattern" | "identifier" => out.push(cx.name(c)),
                    "pair_pattern" => {
                        if let Some(v) = c.child_by_field_name("value") {
                            out.extend(pattern_targets(cx, v));
                        }
                    }
                    "object_assignment_pattern" | "assignment_pattern" => {
                        if let Some(l) = c.child_by_field_name("left") {
                            out.extend(pattern_targets(cx, l));
                        }
                    }
                    "rest_pattern" => {
                        for k in cx.kids(c) {
                            out.extend(pattern_targets(cx, k));
                        }
                    }
                    _ => out.extend(pattern_targets(cx, c)),
                }
            }
            out
        }
        "assignment_pattern" => n
            .child_by_field_name("left")
            .map(|l| pattern_targets(cx, l))
            .unwrap_or_default(),
        _ => vec![expr(cx, n)],
    }
}

/// `require('m')` → `m`.
fn require_of<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Option<String> {
    let n = if n.kind() == "await_expression" {
        cx.kids(n).first().copied()?
    } else {
        n
    };
    if n.kind() != "call_expression" {
        return None;
    }
    let f = n.child_by_field_name("function")?;
    if cx.text(f) != "require" {
        return None;
    }
    let args = n.child_by_field_name("arguments")?;
    let first = cx.kids(args).into_iter().next()?;
    if first.kind() != "string" {
        return None;
    }
    Some(unquote(cx.text(first)))
}

fn function<'t>(
    cx: &mut Cx<'_, 't>,
    n: Node<'t>,
    name: String,
    class: Option<&str>,
    nested: bool,
) -> usize {
    let (params, destructured) = params_of(cx, n);
    cx.fn_depth += 1;
    // `({ query }) => ...`: each destructured name is part of its argument.
    let mut body = destructured;
    match n.child_by_field_name("body") {
        Some(b) if b.kind() == "statement_block" => body.extend(block(cx, b, None)),
        Some(b) => {
            let e = expr(cx, b);
            body.push(Stmt::Return(Some(e), cx.span(b)));
        }
        None => {}
    };
    cx.fn_depth -= 1;
    cx.add_func(Func {
        name: match class {
            Some(c) => format!("{c}.{name}"),
            None => name,
        },
        class: class.map(str::to_string),
        params,
        decorators: Vec::new(),
        body,
        span: cx.span(n),
        nested,
    })
}

fn params_of<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> (Vec<Param>, Vec<Stmt>) {
    let mut out = Vec::new();
    let mut binds = Vec::new();
    if let Some(p) = n.child_by_field_name("parameter") {
        out.push(Param {
            name: cx.text(p).to_string(),
            ty: None,
            span: cx.span(p),
        });
        return (out, binds);
    }
    let Some(ps) = n.child_by_field_name("parameters") else {
        return (out, binds);
    };
    for p in cx.kids(ps) {
        let (pat, ty) = match p.kind() {
            "required_parameter" | "optional_parameter" => (
                p.child_by_field_name("pattern"),
                p.child_by_field_name("type")
                    .map(|t| cx.text(t).trim_start_matches(':').trim().to_string()),
            ),
            "assignment_pattern" => (p.child_by_field_name("left"), None),
            _ => (Some(p), None),
        };
        let Some(pat) = pat else { continue };
        let span = cx.span(p);
        let name = match pat.kind() {
            "identifier" => cx.text(pat).to_string(),
            _ => {
                let arg = format!("$arg{}", out.len());
                let targets = pattern_targets(cx, pat);
                binds.push(Stmt::Assign {
                    targets,
                    value: Expr::new(ExprKind::Name(arg.clone()), span),
                    augmented: false,
                    span,
                });
                arg
            }
        };
        out.push(Param { name, ty, span });
    }
    (out, binds)
}

pub(crate) fn expr<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Expr {
    if !cx.enter() {
        return cx.opaque(n);
    }
    let e = expr_inner(cx, n);
    cx.leave();
    e
}

fn args_of<'t>(cx: &mut Cx<'_, 't>, n: Option<Node<'t>>) -> Vec<Arg> {
    let mut args = Vec::new();
    let Some(a) = n else { return args };
    if a.kind() == "template_string" {
        args.push(Arg {
            name: None,
            value: expr(cx, a),
            splat: false,
        });
        return args;
    }
    for c in cx.kids(a) {
        match c.kind() {
            "spread_element" => {
                if let Some(v) = cx.kids(c).first() {
                    args.push(Arg {
                        name: None,
                        value: expr(cx, *v),
                        splat: true,
                    });
                }
            }
            "comment" => {}
            _ => args.push(Arg {
                name: None,
                value: expr(cx, c),
                splat: false,
            }),
        }
    }
    args
}

fn expr_inner<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Expr {
    let span = cx.span(n);
    let kind = match n.kind() {
        "identifier"
        | "this"
        | "super"
        | "shorthand_property_identifier"
        | "property_identifier"
        | "private_property_identifier" => ExprKind::Name(cx.text(n).to_string()),
        "undefined" | "null" => ExprKind::Null,
        "true" => ExprKind::Bool(true),
        "false" => ExprKind::Bool(false),
        "number" => match cx.text(n).replace('_', "").parse::<i64>() {
            Ok(v) => ExprKind::Int(v),
            Err(_) => ExprKind::Num,
        },
        "member_expression" => {
            let (Some(o), Some(p)) = (
                n.child_by_field_name("object"),
                n.child_by_field_name("property"),
            ) else {
                return cx.opaque(n);
            };
            ExprKind::Attr(Box::new(expr(cx, o)), cx.text(p).to_string())
        }
        "subscript_expression" => {
            let (Some(o), Some(i)) = (
                n.child_by_field_name("object"),
                n.child_by_field_name("index"),
            ) else {
                return cx.opaque(n);
            };
            let obj = expr(cx, o);
            let idx = expr(cx, i);
            // o["name"] is o.name.
            if let ExprKind::Str(s) = &idx.kind {
                if !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
                {
                    return Expr::new(ExprKind::Attr(Box::new(obj), s.clone()), span);
                }
            }
            ExprKind::Index(Box::new(obj), Box::new(idx))
        }
        "call_expression" => {
            let Some(f) = n.child_by_field_name("function") else {
                return cx.opaque(n);
            };
            let callee = expr(cx, f);
            let args = args_of(cx, n.child_by_field_name("arguments"));
            ExprKind::Call(Box::new(Call {
                callee,
                args,
                construct: false,
                span,
            }))
        }
        "new_expression" => {
            let Some(f) = n.child_by_field_name("constructor") else {
                return cx.opaque(n);
            };
            let callee = expr(cx, f);
            let args = args_of(cx, n.child_by_field_name("arguments"));
            ExprKind::Call(Box::new(Call {
                callee,
                args,
                construct: true,
                span,
            }))
        }
        "string" => ExprKind::Str(unquote(cx.text(n))),
        "template_string" => {
            let mut parts = Vec::new();
            let mut literal = String::new();
            for c in cx.kids(n) {
                match c.kind() {
                    "string_fragment" | "escape_sequence" => literal.push_str(cx.text(c)),
                    "template_substitution" => {
                        if let Some(e) = cx.kids(c).first() {
                            parts.push(expr(cx, *e));
                        }
                    }
                    _ => {}
                }
            }
            if parts.is_empty() {
                ExprKind::Str(literal)
            } else {
                ExprKind::Interp { parts, literal }
            }
        }
        "array" => ExprKind::Seq(
            cx.kids(n)
                .into_iter()
                .filter(|c| c.kind() != "comment")
                .map(|c| expr(cx, c))
                .collect(),
        ),
        "object" => {
            let mut kv = Vec::new();
            for c in cx.kids(n) {
                match c.kind() {
                    "pair" => {
                        let k = c.child_by_field_name("key").map(|k| {
                            let s = cx.span(k);
                            Expr::new(ExprKind::Str(unquote(cx.text(k))), s)
                        });
                        let v = match c.child_by_field_name("value") {
                            Some(v) => expr(cx, v),
                            None => cx.opaque(c),
                        };
                        kv.push((k, v));
                    }
                    "shorthand_property_identifier" => {
                        let s = cx.span(c);
                        kv.push((
                            Some(Expr::new(ExprKind::Str(cx.text(c).to_string()), s)),
                            cx.name(c),
                        ));
                    }
                    "spread_element" => {
                        if let Some(v) = cx.kids(c).first() {
                            kv.push((None, expr(cx, *v)));
                        }
                    }
                    "method_definition" => {
                        let name = c
                            .child_by_field_name("name")
                            .map(|x| cx.text(x).to_string())
                            .unwrap_or_default();
                        let idx = function(cx, c, name.clone(), None, true);
                        let s = cx.span(c);
                        kv.push((
                            Some(Expr::new(ExprKind::Str(name), s)),
                            Expr::new(ExprKind::Func(idx), s),
                        ));
                    }
                    _ => {}
                }
            }
            ExprKind::Dict(kv)
        }
        "binary_expression" => {
            let Some((op, le, re)) = binary_operands(cx, n, expr) else {
                return cx.opaque(n);
            };
            if op == "+" && (is_string(&le) || is_string(&re)) {
                return join_strings(vec![le, re], span);
            }
            if matches!(op, "instanceof" | "in") {
                return boolean(vec![le, re], span);
            }
            if matches!(op, "||" | "??" | "|") {
                return Expr::new(ExprKind::Op(vec![le, re]), span);
            }
            let op = if op == "&&" { "and" } else { op };
            ExprKind::Binary(op.to_string(), Box::new(le), Box::new(re))
        }
        "ternary_expression" => {
            let (Some(c), Some(a), Some(b)) = (
                n.child_by_field_name("condition"),
                n.child_by_field_name("consequence"),
                n.child_by_field_name("alternative"),
            ) else {
                return cx.opaque(n);
            };
            let (c, a, b) = (expr(cx, c), expr(cx, a), expr(cx, b));
            ExprKind::Cond(Box::new(c), Box::new(a), Box::new(b))
        }
        "unary_expression" => {
            let op = n
                .child_by_field_name("operator")
                .map(|o| cx.text(o))
                .unwrap_or("");
            let inner: Vec<Expr> = cx.kids(n).into_iter().map(|c| expr(cx, c)).collect();
            if op == "!" && inner.len() == 1 {
                let a = inner
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| Expr::other(span));
                return Expr::new(ExprKind::Not(Box::new(a)), span);
            }
            if matches!(op, "typeof" | "-" | "+" | "~" | "void") {
                return boolean(inner, span);
            }
            ExprKind::Op(inner)
        }
        "parenthesized_expression"
        | "await_expression"
        | "as_expression"
        | "non_null_expression"
        | "satisfies_expression"
        | "type_assertion"
        | "spread_element"
        | "yield_expression" => match cx.kids(n).into_iter().find(|c| !c.kind().contains("type")) {
            Some(c) => return expr(cx, c),
            None => ExprKind::Other,
        },
        "arrow_function" | "function_expression" | "function" | "generator_function" => {
            let name = n
                .child_by_field_name("name")
                .map(|c| cx.text(c).to_string())
                .unwrap_or_else(|| "<anonymous>".into());
            ExprKind::Func(function(cx, n, name, None, true))
        }
        "assignment_expression" | "augmented_assignment_expression" => {
            match n.child_by_field_name("right") {
                Some(r) => return expr(cx, r),
                None => ExprKind::Other,
            }
        }
        "sequence_expression" => {
            ExprKind::Op(cx.kids(n).into_iter().map(|c| expr(cx, c)).collect())
        }
        "jsx_element" | "jsx_self_closing_element" | "jsx_fragment" => return jsx(cx, n),
        "jsx_expression" => match cx.kids(n).first() {
            Some(c) => return expr(cx, *c),
            None => ExprKind::Other,
        },
        _ => ExprKind::Other,
    };
    Expr::new(kind, span)
}

/// A boolean computed from values: the calls inside still count, the data does not flow on.
fn boolean(parts: Vec<Expr>, span: Span) -> Expr {
    truth("Boolean", parts, span)
}

/// JSX: each element is a call to `<jsx>.<tag>` with its attributes as named arguments and its children as
/// positional ones, so `dangerouslySetInnerHTML={{ __html: x }}` and `<a href={x}>` are arguments a rule can
/// name.
fn jsx<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Expr {
    let span = cx.span(n);
    let opening = match n.kind() {
        "jsx_element" => n.child_by_field_name("open_tag"),
        "jsx_self_closing_element" => Some(n),
        _ => None,
    };
    let tag = opening
        .and_then(|o| o.child_by_field_name("name"))
        .map(|t| cx.text(t).to_string())
        .unwrap_or_default();
    let mut args = Vec::new();
    if let Some(o) = opening {
        for a in cx.kids(o) {
            if a.kind() != "jsx_attribute" {
                continue;
            }
            let kids = cx.kids(a);
            let Some(name) = kids.first() else { continue };
            let value = match kids.get(1) {
                Some(v) if v.kind() == "string" => {
                    Expr::new(ExprKind::Str(unquote(cx.text(*v))), cx.span(*v))
                }
                Some(v) => expr(cx, *v),
                None => Expr::new(ExprKind::Bool(true), cx.span(a)),
            };
            args.push(Arg {
                name: Some(cx.text(*name).to_string()),
                value,
                splat: false,
            });
        }
    }
    for c in cx.kids(n) {
        if matches!(
            c.kind(),
            "jsx_expression" | "jsx_element" | "jsx_self_closing_element"
        ) {
            args.push(Arg {
                name: None,
                value: expr(cx, c),
                splat: false,
            });
        }
    }
    Expr::new(
        ExprKind::Call(Box::new(Call {
            callee: Expr::new(
                ExprKind::Attr(
                    Box::new(Expr::new(ExprKind::Name("<jsx>".into()), span)),
                    tag,
                ),
                span,
            ),
            args,
            construct: false,
            span,
        })),
        span,
    )
}
