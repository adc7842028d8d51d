//! Python (tree-sitter-python) to the model.

use super::{binary_operands, is_string, join_strings, truth, unquote, Cx};
use crate::ir::{Arg, Call, Expr, ExprKind, Func, Import, Param, Stmt};
use tree_sitter::Node;

pub(crate) fn lower<'t>(cx: &mut Cx<'_, 't>, root: Node<'t>) {
    let body = block(cx, root, None);
    cx.module.funcs[0].body = body;
}

/// The dotted module of this file (`app/api/views.py` → `app.api.views`), for relative imports.
fn file_package(path: &str) -> Vec<String> {
    let mut parts: Vec<String> = path.split('/').map(str::to_string).collect();
    parts.pop(); // the file itself: relative imports start from its package
    parts
}

fn block<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>, class: Option<&str>) -> Vec<Stmt> {
    let mut out = Vec::new();
    for c in cx.kids(n) {
        stmt(cx, c, class, &mut out);
    }
    out
}

fn stmt<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>, class: Option<&str>, out: &mut Vec<Stmt>) {
    if !cx.enter() {
        return;
    }
    match n.kind() {
        "import_statement" => {
            for c in cx.kids(n) {
                let (name_node, alias) = match c.kind() {
                    "aliased_import" => (
                        c.child_by_field_name("name"),
                        c.child_by_field_name("alias"),
                    ),
                    "dotted_name" => (Some(c), None),
                    _ => (None, None),
                };
                let Some(name_node) = name_node else { continue };
                let module = cx.text(name_node).to_string();
                let path: Vec<String> = module.split('.').map(str::to_string).collect();
                // `import a.b` binds `a` (to module a); `import a.b as c` binds c to a.b.
                let (local, bound) = match alias {
                    Some(a) => (cx.text(a).to_string(), path.clone()),
                    None => (path[0].clone(), vec![path[0].clone()]),
                };
                cx.module.imports.push(Import {
                    local,
                    path: bound,
                    module,
                    names: Vec::new(),
                    span: cx.span(c),
                });
            }
        }
        "import_from_statement" => {
            let Some(m) = n.child_by_field_name("module_name") else {
                cx.leave();
                return;
            };
            let module = if m.kind() == "relative_import" {
                let text = cx.text(m);
                let dots = text.chars().take_while(|c| *c == '.').count();
                let rest = &text[dots..];
                let mut base = file_package(cx.path);
                for _ in 1..dots {
                    base.pop();
                }
                if !rest.is_empty() {
                    base.extend(rest.split('.').map(str::to_string));
                }
                base.join(".")
            } else {
                cx.text(m).to_string()
            };
            let mpath: Vec<String> = module
                .split('.')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let mut names = Vec::new();
            let mut cur = n.walk();
            let name_nodes: Vec<Node> = n.children_by_field_name("name", &mut cur).collect();
            for c in name_nodes {
                let (name_node, alias) = match c.kind() {
                    "aliased_import" => (
                        c.child_by_field_name("name"),
                        c.child_by_field_name("alias"),
                    ),
                    _ => (Some(c), None),
                };
                let Some(name_node) = name_node else { continue };
                let name = cx.text(name_node).to_string();
                let local = alias
                    .map(|a| cx.text(a).to_string())
                    .unwrap_or_else(|| name.clone());
                let mut path = mpath.clone();
                path.extend(name.split('.').map(str::to_string));
                names.push(name);
                cx.module.imports.push(Import {
                    local,
                    path,
                    module: module.clone(),
                    names: Vec::new(),
                    span: cx.span(c),
                });
            }
            // One entry for the module itself, for intent rules (binds nothing).
            cx.module.imports.push(Import {
                local: String::new(),
                path: mpath,
                module,
                names,
                span: cx.span(n),
            });
        }
        "expression_statement" => {
            for c in cx.kids(n) {
                match c.kind() {
                    "assignment" | "augmented_assignment" => assignment(cx, c, out),
                    _ => {
                        let e = expr(cx, c);
                        out.push(Stmt::Expr(e));
                    }
                }
            }
        }
        "return_statement" => {
            let e = cx.kids(n).first().map(|c| expr(cx, *c));
            out.push(Stmt::Return(e, cx.span(n)));
        }
        "function_definition" => {
            function(cx, n, Vec::new(), class, out);
        }
        "decorated_definition" => {
            let decorators: Vec<Expr> = cx
                .kids(n)
                .into_iter()
                .filter(|c| c.kind() == "decorator")
                .filter_map(|d| cx.kids(d).first().map(|e| expr(cx, *e)))
                .collect();
            if let Some(def) = n.child_by_field_name("definition") {
                match def.kind() {
                    "function_definition" => function(cx, def, decorators, class, out),
                    "class_definition" => class_def(cx, def),
                    _ => {}
                }
            }
        }
        "class_definition" => class_def(cx, n),
        "if_statement" => {
            let mut arms = Vec::new();
            let mut exhaustive = false;
            let mut cond = None;
            if let Some(c) = n.child_by_field_name("condition") {
                let e = expr(cx, c);
                cond = Some(e.clone());
                out.push(Stmt::Expr(e));
            }
            if let Some(b) = n.child_by_field_name("consequence") {
                arms.push(block(cx, b, class));
            }
            let mut cur = n.walk();
            let alts: Vec<Node> = n.children_by_field_name("alternative", &mut cur).collect();
            for alt in alts {
                match alt.kind() {
                    "elif_clause" => {
                        let mut arm = Vec::new();
                        if let Some(c) = alt.child_by_field_name("condition") {
                            let e = expr(cx, c);
                            arm.push(Stmt::Expr(e));
                        }
                        if let Some(b) = alt.child_by_field_name("consequence") {
                            arm.extend(block(cx, b, class));
                        }
                        arms.push(arm);
                    }
                    "else_clause" => {
                        exhaustive = true;
                        if let Some(b) = alt.child_by_field_name("body") {
                            arms.push(block(cx, b, class));
                        }
                    }
                    _ => {}
                }
            }
            // With elif arms the condition selects only the first of several; keep it for if/else alone.
            let cond = if arms.len() <= 2 { cond } else { None };
            out.push(Stmt::Branch {
                arms,
                exhaustive,
                cond,
            });
        }
        "for_statement" | "while_statement" => {
            let mut body = Vec::new();
            if n.kind() == "for_statement" {
                if let (Some(l), Some(r)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                ) {
                    let value = expr(cx, r);
                    let targets = targets(cx, l);
                    body.push(Stmt::Assign {
                        targets,
                        value,
                        augmented: false,
                        span: cx.span(n),
                    });
                }
            } else if let Some(c) = n.child_by_field_name("condition") {
                let e = expr(cx, c);
                body.push(Stmt::Expr(e));
            }
            if let Some(b) = n.child_by_field_name("body") {
                body.extend(block(cx, b, class));
            }
            out.push(Stmt::Loop(body));
            if let Some(alt) = n.child_by_field_name("alternative") {
                out.extend(block(cx, alt, class));
            }
        }
        "try_statement" => {
            // The body runs; a handler may run after part of it: both are alternatives after the body.
            if let Some(b) = n.child_by_field_name("body") {
                out.extend(block(cx, b, class));
            }
            let mut arms = vec![Vec::new()];
            for c in cx.kids(n) {
                match c.kind() {
                    "except_clause" | "except_group_clause" => {
                        let mut arm = Vec::new();
                        for b in cx.kids(c) {
                            if b.kind() == "block" {
                                arm.extend(block(cx, b, class));
                            }
                        }
                        arms.push(arm);
                    }
                    "else_clause" => {
                        if let Some(b) = c.child_by_field_name("body") {
                            arms[0].extend(block(cx, b, class));
                        }
                    }
                    _ => {}
                }
            }
            out.push(Stmt::Branch {
                arms,
                exhaustive: true,
                cond: None,
            });
            for c in cx.kids(n) {
                if c.kind() == "finally_clause" {
                    for b in cx.kids(c) {
                        out.extend(block(cx, b, class));
                    }
                }
            }
        }
        "with_statement" => {
            for c in cx.kids(n) {
                match c.kind() {
                    "with_clause" => {
                        for item in cx.kids(c) {
                            let Some(v) = item.child_by_field_name("value") else {
                                continue;
                            };
                            if v.kind() == "as_pattern" {
                                let kids = cx.kids(v);
                                let value = kids.first().map(|k| expr(cx, *k));
                                let target = v
                                    .child_by_field_name("alias")
                                    .or_else(|| kids.get(1).copied());
                                if let (Some(value), Some(t)) = (value, target) {
                                    let t = cx.kids(t).first().copied().unwrap_or(t);
                                    let targets = targets(cx, t);
                                    out.push(Stmt::Assign {
                                        targets,
                                        value,
                                        augmented: false,
                                        span: cx.span(item),
                                    });
                                }
                            } else {
                                let e = expr(cx, v);
                                out.push(Stmt::Expr(e));
                            }
                        }
                    }
                    "block" => out.extend(block(cx, c, class)),
                    _ => {}
                }
            }
        }
        "match_statement" => {
            if let Some(s) = n.child_by_field_name("subject") {
                let e = expr(cx, s);
                out.push(Stmt::Expr(e));
            }
            let mut arms = Vec::new();
            if let Some(b) = n.child_by_field_name("body") {
                for case in cx.kids(b) {
                    let mut arm = Vec::new();
                    for c in cx.kids(case) {
                        if c.kind() == "block" {
                            arm.extend(block(cx, c, class));
                        }
                    }
                    arms.push(arm);
                }
            }
            out.push(Stmt::Branch {
                arms,
                exhaustive: false,
                cond: None,
            });
        }
        "block" | "module" => out.extend(block(cx, n, class)),
        "raise_statement" | "break_statement" | "continue_statement" => {
            for c in cx.kids(n) {
                let e = expr(cx, c);
                out.push(Stmt::Expr(e));
            }
            out.push(Stmt::Exit(cx.span(n)));
        }
        "delete_statement"
        | "pass_statement"
        | "global_statement"
        | "nonlocal_statement"
        | "comment"
        | "future_import_statement" => {}
        "assert_statement" | "print_statement" | "exec_statement" => {
            for c in cx.kids(n) {
                let e = expr(cx, c);
                out.push(Stmt::Expr(e));
            }
        }
        _ => {
            // ERROR nodes and anything new: keep what can be read inside.
            for c in cx.kids(n) {
                stmt(cx, c, class, out);
            }
        }
    }
    cx.leave();
}

fn assignment<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>, out: &mut Vec<Stmt>) {
    let augmented = n.kind() == "augmented_assignment";
    let Some(l) = n.child_by_field_name("left") else {
        return;
    };
    let value = match n.child_by_field_name("right") {
        Some(r) if r.kind() == "assignment" => {
            // a = b = value: assign the inner first, then a from b's value.
            assignment(cx, r, out);
            match r.child_by_field_name("left") {
                Some(inner) => expr(cx, inner),
                None => return,
            }
        }
        Some(r) => expr(cx, r),
        // `x: int` without a value.
        None => return,
    };
    let targets = targets(cx, l);
    out.push(Stmt::Assign {
        targets,
        value,
        augmented,
        span: cx.span(n),
    });
}

/// Assignment targets: `a`, `a.b`, `a[i]`, and each element of `a, b` / `[a, b]`.
fn targets<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Vec<Expr> {
    match n.kind() {
        "pattern_list" | "tuple_pattern" | "list_pattern" | "expression_list" | "tuple"
        | "list" => cx
            .kids(n)
            .into_iter()
            .flat_map(|c| targets(cx, c))
            .collect(),
        "list_splat_pattern" => cx
            .kids(n)
            .into_iter()
            .flat_map(|c| targets(cx, c))
            .collect(),
        _ => vec![expr(cx, n)],
    }
}

fn class_def<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) {
    let name = n
        .child_by_field_name("name")
        .map(|c| cx.text(c).to_string())
        .unwrap_or_default();
    let Some(body) = n.child_by_field_name("body") else {
        return;
    };
    // Class-level statements run once, like module code: lower them into the module's top level.
    let stmts = block(cx, body, Some(&name));
    cx.module.funcs[0].body.extend(stmts);
}

fn function<'t>(
    cx: &mut Cx<'_, 't>,
    n: Node<'t>,
    decorators: Vec<Expr>,
    class: Option<&str>,
    out: &mut Vec<Stmt>,
) {
    let name = n
        .child_by_field_name("name")
        .map(|c| cx.text(c).to_string())
        .unwrap_or_default();
    let params = n
        .child_by_field_name("parameters")
        .map(|p| params(cx, p))
        .unwrap_or_default();
    let nested = class.is_none() && !is_top(n);
    let body = n
        .child_by_field_name("body")
        .map(|b| block(cx, b, None))
        .unwrap_or_default();
    let span = cx.span(n);
    let idx = cx.add_func(Func {
        name: match class {
            Some(c) => format!("{c}.{name}"),
            None => name.clone(),
        },
        class: class.map(str::to_string),
        params,
        decorators,
        body,
        span,
        nested,
    });
    if nested {
        // A def inside a function binds a local name to a closure.
        out.push(Stmt::Assign {
            targets: vec![Expr::new(ExprKind::Name(name), span)],
            value: Expr::new(ExprKind::Func(idx), span),
            augmented: false,
            span,
        });
    }
}

/// Whether a definition sits at the top of the module (possibly under a decorator).
fn is_top(n: Node) -> bool {
    let mut p = n.parent();
    while let Some(x) = p {
        match x.kind() {
            "module" => return true,
            "decorated_definition" => p = x.parent(),
            _ => return false,
        }
    }
    false
}

fn params<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Vec<Param> {
    let mut out = Vec::new();
    for p in cx.kids(n) {
        let (name, ty) = match p.kind() {
            "identifier" => (Some(p), None),
            "typed_parameter" => (
                cx.kids(p).into_iter().find(|c| c.kind() == "identifier"),
                p.child_by_field_name("type"),
            ),
            "default_parameter" | "typed_default_parameter" => {
                (p.child_by_field_name("name"), p.child_by_field_name("type"))
            }
            "list_splat_pattern" | "dictionary_splat_pattern" => (
                cx.kids(p).into_iter().find(|c| c.kind() == "identifier"),
                None,
            ),
            _ => (None, None),
        };
        if let Some(name) = name {
            out.push(Param {
                name: cx.text(name).to_string(),
                ty: ty.map(|t| cx.text(t).to_string()),
                span: cx.span(p),
            });
        }
    }
    out
}

pub(crate) fn expr<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Expr {
    if !cx.enter() {
        return cx.opaque(n);
    }
    let e = expr_inner(cx, n);
    cx.leave();
    e
}

fn expr_inner<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Expr {
    let span = cx.span(n);
    let kind = match n.kind() {
        "identifier" => ExprKind::Name(cx.text(n).to_string()),
        "attribute" => {
            let (Some(o), Some(a)) = (
                n.child_by_field_name("object"),
                n.child_by_field_name("attribute"),
            ) else {
                return cx.opaque(n);
            };
            ExprKind::Attr(Box::new(expr(cx, o)), cx.text(a).to_string())
        }
        "subscript" => {
            let Some(v) = n.child_by_field_name("value") else {
                return cx.opaque(n);
            };
            let value = expr(cx, v);
            let mut cur = n.walk();
            let subs: Vec<Node> = n.children_by_field_name("subscript", &mut cur).collect();
            let idx = match subs.first() {
                Some(s) => expr(cx, *s),
                None => Expr::other(span),
            };
            ExprKind::Index(Box::new(value), Box::new(idx))
        }
        "call" => {
            let Some(f) = n.child_by_field_name("function") else {
                return cx.opaque(n);
            };
            let callee = expr(cx, f);
            let mut args = Vec::new();
            if let Some(a) = n.child_by_field_name("arguments") {
                if a.kind() == "generator_expression" {
                    args.push(Arg {
                        name: None,
                        value: expr(cx, a),
                        splat: false,
                    });
                } else {
                    for c in cx.kids(a) {
                        match c.kind() {
                            "keyword_argument" => {
                                let name = c
                                    .child_by_field_name("name")
                                    .map(|x| cx.text(x).to_string());
                                let value = match c.child_by_field_name("value") {
                                    Some(v) => expr(cx, v),
                                    None => cx.opaque(c),
                                };
                                args.push(Arg {
                                    name,
                                    value,
                                    splat: false,
                                });
                            }
                            "list_splat" | "dictionary_splat" => {
                                let value = match cx.kids(c).first() {
                                    Some(v) => expr(cx, *v),
                                    None => cx.opaque(c),
                                };
                                args.push(Arg {
                                    name: None,
                                    value,
                                    splat: true,
                                });
                            }
                            "comment" => {}
                            _ => args.push(Arg {
                                name: None,
                                value: expr(cx, c),
                                splat: false,
                            }),
                        }
                    }
                }
            }
            // "...".format(x) builds a string from a template.
            if let ExprKind::Attr(recv, m) = &callee.kind {
                if m == "format" {
                    if let ExprKind::Str(lit) = &recv.kind {
                        let literal = lit.clone();
                        let parts = args.into_iter().map(|a| a.value).collect();
                        return Expr::new(ExprKind::Interp { parts, literal }, span);
                    }
                }
            }
            ExprKind::Call(Box::new(Call {
                callee,
                args,
                construct: false,
                span,
            }))
        }
        "string" => return string(cx, n),
        "concatenated_string" => {
            let parts: Vec<Expr> = cx.kids(n).into_iter().map(|c| string(cx, c)).collect();
            return join_strings(parts, span);
        }
        "integer" => match cx.text(n).replace('_', "").parse::<i64>() {
            Ok(v) => ExprKind::Int(v),
            Err(_) => ExprKind::Num,
        },
        "float" => ExprKind::Num,
        "true" => ExprKind::Bool(true),
        "false" => ExprKind::Bool(false),
        "none" => ExprKind::Null,
        "list" | "tuple" | "set" | "expression_list" | "pattern_list" => {
            ExprKind::Seq(cx.kids(n).into_iter().map(|c| expr(cx, c)).collect())
        }
        "dictionary" => {
            let mut kv = Vec::new();
            for c in cx.kids(n) {
                match c.kind() {
                    "pair" => {
                        let k = c.child_by_field_name("key").map(|k| expr(cx, k));
                        let v = match c.child_by_field_name("value") {
                            Some(v) => expr(cx, v),
                            None => cx.opaque(c),
                        };
                        kv.push((k, v));
                    }
                    "dictionary_splat" => {
                        if let Some(v) = cx.kids(c).first() {
                            kv.push((None, expr(cx, *v)));
                        }
                    }
                    _ => {}
                }
            }
            ExprKind::Dict(kv)
        }
        "binary_operator" => {
            let Some((op, le, re)) = binary_operands(cx, n, expr) else {
                return cx.opaque(n);
            };
            if (op == "+" && (is_string(&le) || is_string(&re))) || (op == "%" && is_string(&le)) {
                return join_strings(vec![le, re], span);
            }
            ExprKind::Binary(op.to_string(), Box::new(le), Box::new(re))
        }
        "parenthesized_expression"
        | "await"
        | "unary_operator"
        | "as_pattern"
        | "keyword_separator"
        | "list_splat"
        | "dictionary_splat"
        | "expression_statement" => {
            let kids = cx.kids(n);
            match kids.as_slice() {
                [one] => return expr(cx, *one),
                _ => ExprKind::Op(kids.into_iter().map(|c| expr(cx, c)).collect()),
            }
        }
        "not_operator" => match n
            .child_by_field_name("argument")
            .or_else(|| cx.kids(n).first().copied())
        {
            Some(a) => ExprKind::Not(Box::new(expr(cx, a))),
            None => ExprKind::Other,
        },
        "conditional_expression" => {
            // a if cond else b
            let kids = cx.kids(n);
            if kids.len() == 3 {
                let a = expr(cx, kids[0]);
                let c = expr(cx, kids[1]);
                let b = expr(cx, kids[2]);
                ExprKind::Cond(Box::new(c), Box::new(a), Box::new(b))
            } else {
                ExprKind::Op(kids.into_iter().map(|k| expr(cx, k)).collect())
            }
        }
        "boolean_operator" | "comparison_operator" => {
            // `x or default` keeps x's value; comparisons make booleans but are kept for their calls.
            let kids = cx.kids(n);
            if n.kind() == "comparison_operator" {
                // a < b, x in C, x not in C: the operators sit between the operands.
                let mut ops = Vec::new();
                let mut c = n.walk();
                for ch in n.children(&mut c) {
                    if !ch.is_named() {
                        ops.push(cx.text(ch).to_string());
                    }
                }
                let op = ops.join(" ");
                if kids.len() == 2 {
                    let a = expr(cx, kids[0]);
                    let b = expr(cx, kids[1]);
                    return Expr::new(ExprKind::Binary(op, Box::new(a), Box::new(b)), span);
                }
                let parts: Vec<Expr> = kids.into_iter().map(|c| expr(cx, c)).collect();
                return truth("bool", parts, span);
            }
            let op = n
                .child_by_field_name("operator")
                .map(|o| cx.text(o).to_string())
                .unwrap_or_default();
            let parts: Vec<Expr> = kids.into_iter().map(|c| expr(cx, c)).collect();
            if op == "and" && parts.len() == 2 {
                let mut it = parts.into_iter();
                let (a, b) = (
                    it.next().unwrap_or_else(|| Expr::other(span)),
                    it.next().unwrap_or_else(|| Expr::other(span)),
                );
                return Expr::new(
                    ExprKind::Binary("and".into(), Box::new(a), Box::new(b)),
                    span,
                );
            }
            ExprKind::Op(parts)
        }
        "named_expression" => {
            // (x := value): the value; the binding is lost (rare in flows that matter).
            match n.child_by_field_name("value") {
                Some(v) => return expr(cx, v),
                None => ExprKind::Other,
            }
        }
        "lambda" => {
            let params = n
                .child_by_field_name("parameters")
                .map(|p| params(cx, p))
                .unwrap_or_default();
            let body = match n.child_by_field_name("body") {
                Some(b) => {
                    let e = expr(cx, b);
                    vec![Stmt::Return(Some(e), span)]
                }
                None => Vec::new(),
            };
            let idx = cx.add_func(Func {
                name: "<lambda>".into(),
                params,
                body,
                span,
                nested: true,
                ..Func::default()
            });
            ExprKind::Func(idx)
        }
        "list_comprehension"
        | "set_comprehension"
        | "generator_expression"
        | "dictionary_comprehension" => {
            // [f(x) for x in xs]: the element expression, with x standing for the iterable's elements.
            let body = n.child_by_field_name("body");
            let mut parts = Vec::new();
            for c in cx.kids(n) {
                if Some(c) == body {
                    continue;
                }
                if c.kind() == "for_in_clause" {
                    if let Some(r) = c.child_by_field_name("right") {
                        parts.push(expr(cx, r));
                    }
                }
            }
            if let Some(b) = body {
                parts.push(expr(cx, b));
            }
            ExprKind::Op(parts)
        }
        "pair" => match n.child_by_field_name("value") {
            Some(v) => return expr(cx, v),
            None => ExprKind::Other,
        },
        "ellipsis" => ExprKind::Null,
        _ => ExprKind::Other,
    };
    Expr::new(kind, span)
}

fn string<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Expr {
    let span = cx.span(n);
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut interpolated = false;
    for c in cx.kids(n) {
        match c.kind() {
            "string_content" | "escape_sequence" => literal.push_str(cx.text(c)),
            "interpolation" => {
                interpolated = true;
                if let Some(e) = c
                    .child_by_field_name("expression")
                    .or_else(|| cx.kids(c).first().copied())
                {
                    parts.push(expr(cx, e));
                }
            }
            _ => {}
        }
    }
    if interpolated {
        return Expr::new(ExprKind::Interp { parts, literal }, span);
    }
    if cx.kids(n).is_empty() {
        return Expr::new(ExprKind::Str(unquote(cx.text(n))), span);
    }
    Expr::new(ExprKind::Str(literal), span)
}
