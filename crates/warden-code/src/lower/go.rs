//! Go (tree-sitter-go) to the model.

use super::{binary_operands, is_string, join_strings, truth, unquote, Cx};
use crate::ir::{Arg, Call, Expr, ExprKind, Func, Import, Param, Stmt};
use tree_sitter::Node;

pub(crate) fn lower<'t>(cx: &mut Cx<'_, 't>, root: Node<'t>) {
    let mut top = Vec::new();
    for c in cx.kids(root) {
        match c.kind() {
            "import_declaration" => imports(cx, c),
            "function_declaration" | "method_declaration" => function(cx, c),
            "var_declaration" | "const_declaration" => var_decl(cx, c, &mut top),
            "type_declaration" => struct_fields(cx, c),
            _ => {}
        }
    }
    cx.module.funcs[0].body.extend(top);
}

/// The name a package is used by when the import gives none: the last path element, skipping a major-version
/// suffix (`/v2`, `.v3`) and the `go-` / `-go` affixes packages commonly drop (`github.com/sashabaranov/go-openai`
/// is package `openai`).
pub(crate) fn package_name(path: &str) -> String {
    let mut segs: Vec<&str> = path.split('/').collect();
    if segs.len() > 1
        && segs.last().is_some_and(|s| {
            s.len() > 1 && s.starts_with('v') && s[1..].chars().all(|c| c.is_ascii_digit())
        })
    {
        segs.pop();
    }
    let mut last = segs.last().copied().unwrap_or(path);
    if let Some((stem, v)) = last.rsplit_once(".v") {
        if v.chars().all(|c| c.is_ascii_digit()) {
            last = stem;
        }
    }
    let last = last.strip_prefix("go-").unwrap_or(last);
    let last = last.strip_suffix("-go").unwrap_or(last);
    last.replace(['-', '.'], "")
}

fn imports<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) {
    let mut specs = Vec::new();
    for c in cx.kids(n) {
        match c.kind() {
            "import_spec" => specs.push(c),
            "import_spec_list" => {
                specs.extend(cx.kids(c).into_iter().filter(|s| s.kind() == "import_spec"))
            }
            _ => {}
        }
    }
    for s in specs {
        let Some(p) = s.child_by_field_name("path") else {
            continue;
        };
        let path = unquote(cx.text(p));
        let local = match s.child_by_field_name("name") {
            Some(a) if cx.text(a) == "_" || cx.text(a) == "." => String::new(),
            Some(a) => cx.text(a).to_string(),
            None => package_name(&path),
        };
        cx.module.imports.push(Import {
            local,
            path: vec![path.clone()],
            module: path,
            names: Vec::new(),
            span: cx.span(s),
        });
    }
}

fn function<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) {
    let name = n
        .child_by_field_name("name")
        .map(|c| cx.text(c).to_string())
        .unwrap_or_default();
    let mut params = Vec::new();
    let mut class = None;
    if let Some(r) = n.child_by_field_name("receiver") {
        for p in params_of(cx, r) {
            class =
                p.ty.as_deref()
                    .map(|t| t.trim_start_matches('*').to_string());
            params.push(p);
        }
    }
    let receiver_count = params.len();
    if let Some(ps) = n.child_by_field_name("parameters") {
        params.extend(params_of(cx, ps));
    }
    let body = n
        .child_by_field_name("body")
        .map(|b| block(cx, b))
        .unwrap_or_default();
    // Methods: the receiver is not a positional argument at call sites; keep it first and mark the class.
    let _ = receiver_count;
    cx.add_func(Func {
        name: match &class {
            Some(c) => format!("{c}.{name}"),
            None => name,
        },
        class,
        params,
        decorators: Vec::new(),
        body,
        span: cx.span(n),
        nested: false,
    });
}

fn params_of<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Vec<Param> {
    let mut out = Vec::new();
    for p in cx.kids(n) {
        if !matches!(
            p.kind(),
            "parameter_declaration" | "variadic_parameter_declaration"
        ) {
            continue;
        }
        let ty = p
            .child_by_field_name("type")
            .map(|t| cx.text(t).to_string());
        let mut cur = p.walk();
        let names: Vec<Node> = p.children_by_field_name("name", &mut cur).collect();
        for name in names {
            out.push(Param {
                name: cx.text(name).to_string(),
                ty: ty.clone(),
                span: cx.span(p),
            });
        }
    }
    out
}

fn block<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Vec<Stmt> {
    let mut out = Vec::new();
    for c in cx.kids(n) {
        stmt(cx, c, &mut out);
    }
    out
}

fn var_decl<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>, out: &mut Vec<Stmt>) {
    for spec in cx.kids(n) {
        let specs = if spec.kind().ends_with("_spec_list") {
            cx.kids(spec)
        } else {
            vec![spec]
        };
        for s in specs {
            if !matches!(s.kind(), "var_spec" | "const_spec") {
                continue;
            }
            let mut cur = s.walk();
            let names: Vec<Node> = s.children_by_field_name("name", &mut cur).collect();
            let targets: Vec<Expr> = names.iter().map(|x| cx.name(*x)).collect();
            let value = match s.child_by_field_name("value") {
                Some(v) => list_value(cx, v),
                // `var x T`: typed but no value: the type is all there is to resolve it by.
                None => match s.child_by_field_name("type") {
                    Some(t) => {
                        let span = cx.span(t);
                        let callee = type_expr(cx, t);
                        Expr::new(
                            ExprKind::Call(Box::new(Call {
                                callee,
                                args: Vec::new(),
                                construct: true,
                                span,
                            })),
                            span,
                        )
                    }
                    None => continue,
                },
            };
            if targets.is_empty() {
                continue;
            }
            out.push(Stmt::Assign {
                targets,
                value,
                augmented: false,
                span: cx.span(s),
            });
        }
    }
}

/// The right side of `a, b := f()` / `a, b = x, y`: one value (when several, their union, which is what a
/// per-variable analysis can keep).
fn list_value<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Expr {
    let kids = cx.kids(n);
    if n.kind() == "expression_list" {
        match kids.as_slice() {
            [one] => expr(cx, *one),
            _ => {
                let span = cx.span(n);
                Expr::new(
                    ExprKind::Op(kids.into_iter().map(|k| expr(cx, k)).collect()),
                    span,
                )
            }
        }
    } else {
        expr(cx, n)
    }
}

fn stmt<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>, out: &mut Vec<Stmt>) {
    if !cx.enter() {
        return;
    }
    match n.kind() {
        "short_var_declaration" | "assignment_statement" => {
            if let (Some(l), Some(r)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) {
                let value = list_value(cx, r);
                let targets: Vec<Expr> = cx.kids(l).into_iter().map(|t| expr(cx, t)).collect();
                let augmented = n
                    .child_by_field_name("operator")
                    .is_some_and(|o| cx.text(o) != "=" && cx.text(o) != ":=");
                out.push(Stmt::Assign {
                    targets,
                    value,
                    augmented,
                    span: cx.span(n),
                });
            }
        }
        "var_declaration" | "const_declaration" => var_decl(cx, n, out),
        "expression_statement"
        | "go_statement"
        | "defer_statement"
        | "send_statement"
        | "inc_statement"
        | "dec_statement" => {
            for c in cx.kids(n) {
                let e = expr(cx, c);
                out.push(Stmt::Expr(e));
            }
        }
        "return_statement" => {
            let e = cx.kids(n).first().map(|c| list_value(cx, *c));
            out.push(Stmt::Return(e, cx.span(n)));
        }
        "if_statement" => {
            if let Some(i) = n.child_by_field_name("initializer") {
                stmt(cx, i, out);
            }
            let mut cond = None;
            if let Some(c) = n.child_by_field_name("condition") {
                let e = expr(cx, c);
                cond = Some(e.clone());
                out.push(Stmt::Expr(e));
            }
            let mut arms = Vec::new();
            if let Some(b) = n.child_by_field_name("consequence") {
                arms.push(block(cx, b));
            }
            let mut exhaustive = false;
            if let Some(a) = n.child_by_field_name("alternative") {
                exhaustive = true;
                let mut arm = Vec::new();
                stmt(cx, a, &mut arm);
                arms.push(arm);
            }
            out.push(Stmt::Branch {
                arms,
                exhaustive,
                cond,
            });
        }
        "for_statement" => {
            let mut body = Vec::new();
            for c in cx.kids(n) {
                match c.kind() {
                    "range_clause" => {
                        if let (Some(l), Some(r)) = (
                            c.child_by_field_name("left"),
                            c.child_by_field_name("right"),
                        ) {
                            let value = expr(cx, r);
                            let targets: Vec<Expr> =
                                cx.kids(l).into_iter().map(|t| expr(cx, t)).collect();
                            body.push(Stmt::Assign {
                                targets,
                                value,
                                augmented: false,
                                span: cx.span(c),
                            });
                        }
                    }
                    "for_clause" => {
                        for k in cx.kids(c) {
                            stmt(cx, k, &mut body);
                        }
                    }
                    "block" => body.extend(block(cx, c)),
                    _ => {
                        let e = expr(cx, c);
                        body.push(Stmt::Expr(e));
                    }
                }
            }
            out.push(Stmt::Loop(body));
        }
        "expression_switch_statement" | "type_switch_statement" | "select_statement" => {
            if let Some(i) = n.child_by_field_name("initializer") {
                stmt(cx, i, out);
            }
            if let Some(v) = n.child_by_field_name("value") {
                let e = expr(cx, v);
                out.push(Stmt::Expr(e));
            }
            let mut arms = Vec::new();
            let mut exhaustive = false;
            for c in cx.kids(n) {
                if !matches!(
                    c.kind(),
                    "expression_case" | "default_case" | "type_case" | "communication_case"
                ) {
                    continue;
                }
                exhaustive |= c.kind() == "default_case";
                let mut arm = Vec::new();
                for k in cx.kids(c) {
                    if k.kind() == "expression_list" {
                        continue;
                    }
                    stmt(cx, k, &mut arm);
                }
                arms.push(arm);
            }
            out.push(Stmt::Branch {
                arms,
                exhaustive,
                cond: None,
            });
        }
        "block" | "labeled_statement" | "statement_list" => {
            for c in cx.kids(n) {
                stmt(cx, c, out);
            }
        }
        "break_statement" | "continue_statement" | "goto_statement" => {
            out.push(Stmt::Exit(cx.span(n)))
        }
        "comment"
        | "fallthrough_statement"
        | "empty_statement"
        | "type_declaration"
        | "label_name" => {}
        k if k.ends_with("expression") || k.ends_with("literal") || k == "identifier" => {
            let e = expr(cx, n);
            out.push(Stmt::Expr(e));
        }
        _ => {
            for c in cx.kids(n) {
                stmt(cx, c, out);
            }
        }
    }
    cx.leave();
}

fn expr<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Expr {
    if !cx.enter() {
        return cx.opaque(n);
    }
    let e = expr_inner(cx, n);
    cx.leave();
    e
}

/// A type used as a value (a composite literal's or conversion's type): `tls.Config`, `*http.Request`,
/// `[]byte`.
fn type_expr<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Expr {
    let span = cx.span(n);
    match n.kind() {
        "qualified_type" => {
            let (Some(p), Some(t)) = (
                n.child_by_field_name("package"),
                n.child_by_field_name("name"),
            ) else {
                return cx.opaque(n);
            };
            Expr::new(
                ExprKind::Attr(Box::new(cx.name(p)), cx.text(t).to_string()),
                span,
            )
        }
        "pointer_type" | "generic_type" => match cx.kids(n).first() {
            Some(c) => type_expr(cx, *c),
            None => cx.opaque(n),
        },
        "type_identifier" | "identifier" => cx.name(n),
        _ => Expr::new(ExprKind::Name(cx.text(n).to_string()), span),
    }
}

fn expr_inner<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) -> Expr {
    let span = cx.span(n);
    let kind = match n.kind() {
        "identifier" | "field_identifier" | "package_identifier" | "type_identifier" => {
            ExprKind::Name(cx.text(n).to_string())
        }
        "nil" | "iota" => ExprKind::Null,
        "true" => ExprKind::Bool(true),
        "false" => ExprKind::Bool(false),
        "int_literal" => match cx.text(n).replace('_', "").parse::<i64>() {
            Ok(v) => ExprKind::Int(v),
            Err(_) => ExprKind::Num,
        },
        "float_literal" | "imaginary_literal" | "rune_literal" => ExprKind::Num,
        "interpreted_string_literal" | "raw_string_literal" => ExprKind::Str(unquote(cx.text(n))),
        "selector_expression" => {
            let (Some(o), Some(f)) = (
                n.child_by_field_name("operand"),
                n.child_by_field_name("field"),
            ) else {
                return cx.opaque(n);
            };
            ExprKind::Attr(Box::new(expr(cx, o)), cx.text(f).to_string())
        }
        "index_expression" | "slice_expression" => {
            let Some(o) = n.child_by_field_name("operand") else {
                return cx.opaque(n);
            };
            let obj = expr(cx, o);
            let idx = match n.child_by_field_name("index") {
                Some(i) => expr(cx, i),
                None => Expr::other(span),
            };
            ExprKind::Index(Box::new(obj), Box::new(idx))
        }
        "call_expression" => {
            let Some(f) = n.child_by_field_name("function") else {
                return cx.opaque(n);
            };
            let mut args = Vec::new();
            if let Some(a) = n.child_by_field_name("arguments") {
                for c in cx.kids(a) {
                    match c.kind() {
                        "variadic_argument" => {
                            if let Some(v) = cx.kids(c).first() {
                                args.push(Arg {
                                    name: None,
                                    value: expr(cx, *v),
                                    splat: true,
                                });
                            }
                        }
                        "comment" => {}
                        k if k.ends_with("_type") => {}
                        _ => args.push(Arg {
                            name: None,
                            value: expr(cx, c),
                            splat: false,
                        }),
                    }
                }
            }
            // A conversion like []byte(s) or string(b) is the same value.
            if matches!(
                f.kind(),
                "slice_type" | "array_type" | "parenthesized_type" | "pointer_type"
            ) {
                return match args.into_iter().next() {
                    Some(a) => a.value,
                    None => cx.opaque(n),
                };
            }
            if f.kind() == "identifier" && matches!(cx.text(f), "string" | "byte" | "rune" | "any")
            {
                if let Some(a) = args.into_iter().next() {
                    return a.value;
                }
                return cx.opaque(n);
            }
            let callee = expr(cx, f);
            ExprKind::Call(Box::new(Call {
                callee,
                args,
                construct: false,
                span,
            }))
        }
        "type_conversion_expression" => match n.child_by_field_name("operand") {
            Some(o) => return expr(cx, o),
            None => ExprKind::Other,
        },
        "composite_literal" => {
            let callee = match n.child_by_field_name("type") {
                Some(t) => type_expr(cx, t),
                None => Expr::other(span),
            };
            let mut args = Vec::new();
            if let Some(b) = n.child_by_field_name("body") {
                literal_elements(cx, b, &mut args);
            }
            ExprKind::Call(Box::new(Call {
                callee,
                args,
                construct: true,
                span,
            }))
        }
        "literal_value" => {
            let mut args = Vec::new();
            literal_elements(cx, n, &mut args);
            let callee = Expr::other(span);
            ExprKind::Call(Box::new(Call {
                callee,
                args,
                construct: true,
                span,
            }))
        }
        "binary_expression" => {
            let Some((op, le, re)) = binary_operands(cx, n, expr) else {
                return cx.opaque(n);
            };
            if op == "+" && (is_string(&le) || is_string(&re)) {
                return join_strings(vec![le, re], span);
            }
            if matches!(
                op,
                "==" | "!=" | "<" | ">" | "<=" | ">=" | "&&" | "-" | "*" | "/" | "%"
            ) {
                let op = if op == "&&" { "and" } else { op };
                return Expr::new(
                    ExprKind::Binary(op.to_string(), Box::new(le), Box::new(re)),
                    span,
                );
            }
            if op == "||" {
                return truth("bool", vec![le, re], span);
            }
            ExprKind::Op(vec![le, re])
        }
        "unary_expression"
            if n.child_by_field_name("operator")
                .is_some_and(|o| cx.text(o) == "!") =>
        {
            match n.child_by_field_name("operand") {
                Some(o) => ExprKind::Not(Box::new(expr(cx, o))),
                None => ExprKind::Other,
            }
        }
        "unary_expression" | "parenthesized_expression" | "type_assertion_expression" => {
            match n
                .child_by_field_name("operand")
                .or_else(|| cx.kids(n).first().copied())
            {
                Some(o) => return expr(cx, o),
                None => ExprKind::Other,
            }
        }
        "func_literal" => {
            let params = n
                .child_by_field_name("parameters")
                .map(|p| params_of(cx, p))
                .unwrap_or_default();
            let body = n
                .child_by_field_name("body")
                .map(|b| block(cx, b))
                .unwrap_or_default();
            let idx = cx.add_func(Func {
                name: "<func>".into(),
                params,
                body,
                span,
                nested: true,
                ..Func::default()
            });
            ExprKind::Func(idx)
        }
        "expression_list" => ExprKind::Op(cx.kids(n).into_iter().map(|c| expr(cx, c)).collect()),
        _ => ExprKind::Other,
    };
    Expr::new(kind, span)
}

fn literal_elements<'t>(cx: &mut Cx<'_, 't>, body: Node<'t>, args: &mut Vec<Arg>) {
    for el in cx.kids(body) {
        match el.kind() {
            "keyed_element" => {
                let kids = cx.kids(el);
                let (Some(k), Some(v)) = (kids.first(), kids.get(1)) else {
                    continue;
                };
                let key = cx
                    .kids(*k)
                    .first()
                    .map(|x| cx.text(*x))
                    .unwrap_or_else(|| cx.text(*k));
                let vnode = cx.kids(*v).first().copied().unwrap_or(*v);
                let value = expr(cx, vnode);
                args.push(Arg {
                    name: Some(key.to_string()),
                    value,
                    splat: false,
                });
            }
            "literal_element" => {
                let vnode = cx.kids(el).first().copied().unwrap_or(el);
                args.push(Arg {
                    name: None,
                    value: expr(cx, vnode),
                    splat: false,
                });
            }
            "comment" => {}
            _ => args.push(Arg {
                name: None,
                value: expr(cx, el),
                splat: false,
            }),
        }
    }
}

/// `type Handlers struct { DB *sql.DB }`: field types, so `h.DB.Query` resolves to `database/sql.DB.Query`.
fn struct_fields<'t>(cx: &mut Cx<'_, 't>, n: Node<'t>) {
    for spec in cx.kids(n) {
        if spec.kind() != "type_spec" {
            continue;
        }
        let (Some(name), Some(ty)) = (
            spec.child_by_field_name("name"),
            spec.child_by_field_name("type"),
        ) else {
            continue;
        };
        if ty.kind() != "struct_type" {
            continue;
        }
        let tname = cx.text(name).to_string();
        for list in cx.kids(ty) {
            for field in cx.kids(list) {
                if field.kind() != "field_declaration" {
                    continue;
                }
                let Some(fty) = field.child_by_field_name("type") else {
                    continue;
                };
                let fty = cx.text(fty).to_string();
                let mut cur = field.walk();
                let names: Vec<Node> = field.children_by_field_name("name", &mut cur).collect();
                if names.is_empty() {
                    // An embedded field is named by its type.
                    let last = fty
                        .trim_start_matches('*')
                        .rsplit('.')
                        .next()
                        .unwrap_or("")
                        .to_string();
                    cx.module.fields.push((tname.clone(), last, fty.clone()));
                }
                for f in names {
                    cx.module
                        .fields
                        .push((tname.clone(), cx.text(f).to_string(), fty.clone()));
                }
            }
        }
    }
}
