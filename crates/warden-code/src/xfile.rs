//! Flows across the repository's own modules. Each file publishes its functions' summaries (which return user
//! or model data, which pass a parameter to a sink) and its calls to other modules' functions (whose result
//! reached a sink here, or which were passed user data). After the scan, [`finish`] matches the two: a helper
//! in `utils.py` that returns `request.args[...]` is a source wherever it is called.

use crate::engine::{Analysis, Step};
use crate::intent::{CallRef, ImportRef, ModuleFacts};
use crate::ir::{ExprKind, Lang, Span};
use crate::lower::Parsed;
use crate::rules::RuleSet;
use crate::{location, message, related, NAME};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use warden_core::{Fact, Facts, Finding, FinishOutput};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ParamSinkFact {
    param: usize,
    kind: String,
    flags: u8,
    clean: u64,
    span: Span,
    what: String,
    snippet: String,
    trace: Vec<Step>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct FnFact {
    name: String,
    ret_labels: u8,
    ret_flags: u8,
    ret_trace: Vec<Step>,
    /// External calls whose results it returns.
    ret_ext: Vec<Vec<String>>,
    param_to_ret: u64,
    param_sinks: Vec<ParamSinkFact>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SummariesFact {
    lang: Lang,
    /// The names other files import this module by.
    keys: Vec<String>,
    funcs: Vec<FnFact>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingSink {
    kind: String,
    flags: u8,
    clean: u64,
    span: Span,
    what: String,
    snippet: String,
    trace: Vec<Step>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingArg {
    arg: usize,
    labels: u8,
    flags: u8,
    clean: u64,
    trace: Vec<Step>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingCall {
    callee: Vec<String>,
    span: Span,
    sinks: Vec<PendingSink>,
    args: Vec<PendingArg>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CallsFact {
    lang: Lang,
    calls: Vec<PendingCall>,
}

/// The names a file is imported by: `app.utils` for `app/utils.py` (and each shorter suffix is matched at
/// lookup), `src/utils` for `src/utils.ts`, the directory for Go.
fn module_keys(path: &str, lang: Lang) -> Vec<String> {
    let stem = path.rsplit_once('.').map(|(s, _)| s).unwrap_or(path);
    match lang {
        Lang::Python => {
            let dotted = stem.replace('/', ".");
            vec![dotted
                .strip_suffix(".__init__")
                .unwrap_or(&dotted)
                .to_string()]
        }
        Lang::JavaScript | Lang::TypeScript => {
            vec![stem.strip_suffix("/index").unwrap_or(stem).to_string()]
        }
        Lang::Go => vec![path
            .rsplit_once('/')
            .map(|(d, _)| d)
            .unwrap_or("")
            .to_string()],
    }
}

fn step_in(path: &str, mut steps: Vec<Step>) -> Vec<Step> {
    for s in &mut steps {
        if s.path.is_none() {
            s.path = Some(path.to_string());
        }
    }
    steps
}

/// The facts one file publishes for the second phase.
pub(crate) fn facts(path: &str, lang: Lang, src: &[u8], a: &Analysis) -> Option<Vec<Fact>> {
    let mut out = Vec::new();
    if !a.summaries.is_empty() {
        let funcs: Vec<FnFact> = a
            .summaries
            .iter()
            .map(|(name, s)| FnFact {
                name: name.clone(),
                ret_labels: s.ret.as_ref().map_or(0, |t| t.labels),
                ret_flags: s.ret.as_ref().map_or(0, |t| t.flags),
                ret_trace: s
                    .ret
                    .as_ref()
                    .map(|t| step_in(path, (*t.trace).clone()))
                    .unwrap_or_default(),
                ret_ext: s
                    .ret
                    .as_ref()
                    .map(|t| {
                        t.ext
                            .iter()
                            .filter_map(|e| a.ext_calls.get(*e as usize))
                            .map(|c| c.callee.clone())
                            .collect()
                    })
                    .unwrap_or_default(),
                param_to_ret: s.param_to_ret,
                param_sinks: s
                    .param_sinks
                    .iter()
                    .map(|p| ParamSinkFact {
                        param: p.param,
                        kind: p.kind.clone(),
                        flags: p.flags,
                        clean: p.clean,
                        span: p.span,
                        what: p.callee.clone(),
                        snippet: crate::snippet(src, p.span),
                        trace: step_in(path, (*p.trace).clone()),
                    })
                    .collect(),
            })
            .collect();
        let data = SummariesFact {
            lang,
            keys: module_keys(path, lang),
            funcs,
        };
        out.push(Fact {
            analyzer: NAME.into(),
            kind: "code/summaries".into(),
            path: path.into(),
            data: serde_json::to_value(data).ok()?,
        });
    }
    let mut calls: HashMap<u32, PendingCall> = HashMap::new();
    for p in &a.pending {
        let Some(c) = a.ext_calls.get(p.ext as usize) else {
            continue;
        };
        calls
            .entry(p.ext)
            .or_insert_with(|| PendingCall {
                callee: c.callee.clone(),
                span: c.span,
                sinks: Vec::new(),
                args: Vec::new(),
            })
            .sinks
            .push(PendingSink {
                kind: p.kind.clone(),
                flags: p.flags,
                clean: p.clean,
                span: p.span,
                what: p.what.clone(),
                snippet: crate::snippet(src, p.span),
                trace: step_in(path, p.trace.clone()),
            });
    }
    for x in &a.ext_args {
        let Some(c) = a.ext_calls.get(x.ext as usize) else {
            continue;
        };
        calls
            .entry(x.ext)
            .or_insert_with(|| PendingCall {
                callee: c.callee.clone(),
                span: c.span,
                sinks: Vec::new(),
                args: Vec::new(),
            })
            .args
            .push(PendingArg {
                arg: x.arg,
                labels: x.labels,
                flags: x.flags,
                clean: x.clean,
                trace: step_in(path, x.trace.clone()),
            });
    }
    if !calls.is_empty() {
        let mut calls: Vec<PendingCall> = calls.into_values().collect();
        calls.sort_by_key(|c| c.span.start);
        out.push(Fact {
            analyzer: NAME.into(),
            kind: "code/calls".into(),
            path: path.into(),
            data: serde_json::to_value(CallsFact { lang, calls }).ok()?,
        });
    }
    Some(out)
}

/// A function's summary with the file it is in and that file's language.
type Located<'a> = (&'a str, &'a FnFact, Lang);

struct Index<'a> {
    /// (module key, function name) → the summaries of that name
    funcs: HashMap<(String, String), Vec<Located<'a>>>,
}

impl<'a> Index<'a> {
    /// The summary an external callee names: module and function split at each point, matched on a key that
    /// ends the module's name (`app.utils` is found from `myproj.app.utils` and vice versa at a boundary).
    fn resolve(&self, callee: &[String], lang: Lang) -> Option<(&'a str, &'a FnFact)> {
        if callee.len() < 2 {
            return None;
        }
        let name = callee.last()?.trim_end_matches("()").to_string();
        let module: String = match lang {
            Lang::Python => callee[..callee.len() - 1].join("."),
            _ => callee[0].clone(),
        };
        let sep = if lang == Lang::Python { '.' } else { '/' };
        let mut best: Option<(&'a str, &'a FnFact)> = None;
        for ((key, fname), list) in &self.funcs {
            if fname != &name || key.is_empty() {
                continue;
            }
            let fits = module == *key
                || module.ends_with(&format!("{sep}{key}"))
                || key.ends_with(&format!("{sep}{module}"));
            if !fits {
                continue;
            }
            for (path, f, l) in list {
                if l.family() == lang.family() {
                    best = Some((path, f));
                }
            }
        }
        best
    }

    /// Labels a function returns, following the external calls it returns (three modules deep).
    fn ret_labels(&self, f: &FnFact, lang: Lang, depth: usize) -> (u8, Vec<Step>) {
        if f.ret_labels != 0 || depth == 0 {
            return (f.ret_labels, f.ret_trace.clone());
        }
        for callee in &f.ret_ext {
            if let Some((_, g)) = self.resolve(callee, lang) {
                let (l, mut trace) = self.ret_labels(g, lang, depth - 1);
                if l != 0 {
                    trace.extend(f.ret_trace.iter().cloned());
                    return (l, trace);
                }
            }
        }
        (0, Vec::new())
    }
}

fn rules_for(rs: &RuleSet, labels: u8, kind: &str, flags: u8, clean: u64) -> Vec<usize> {
    if clean & rs.kind_bit(kind) != 0 {
        return Vec::new();
    }
    rs.rules
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.taint
                && labels & r.labels != 0
                && r.sinks.iter().any(|k| k == kind)
                && (r.any_flags == 0 || flags & r.any_flags != 0)
                && flags & r.no_flags == 0
        })
        .map(|(i, _)| i)
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn finding(
    rs: &RuleSet,
    ri: usize,
    labels: u8,
    path: &str,
    span: Span,
    what: &str,
    snippet: &str,
    trace: Vec<Step>,
) -> Finding {
    let rule = &rs.rules[ri];
    let mut f = Finding::new(
        &rule.meta,
        message(&rule.def.message, labels & rule.labels, what),
        location(path, span),
    );
    f.related = related(path, &trace);
    f.snippet = snippet.to_string();
    let origin = trace.first().map(|s| s.message.as_str()).unwrap_or("");
    f.matched = format!("{what}|{origin}|{snippet}");
    f
}

pub(crate) fn finish(rs: &RuleSet, facts: &Facts) -> FinishOutput {
    let mut summaries: Vec<(&str, SummariesFact)> = Vec::new();
    let mut calls: Vec<(&str, CallsFact)> = Vec::new();
    for f in &facts.all {
        if f.analyzer != NAME {
            continue;
        }
        match f.kind.as_str() {
            "code/summaries" => {
                if let Ok(s) = serde_json::from_value(f.data.clone()) {
                    summaries.push((f.path.as_str(), s));
                }
            }
            "code/calls" => {
                if let Ok(c) = serde_json::from_value(f.data.clone()) {
                    calls.push((f.path.as_str(), c));
                }
            }
            _ => {}
        }
    }
    let mut index = Index {
        funcs: HashMap::new(),
    };
    for (path, s) in &summaries {
        for key in &s.keys {
            for f in &s.funcs {
                index
                    .funcs
                    .entry((key.clone(), f.name.clone()))
                    .or_default()
                    .push((path, f, s.lang));
            }
        }
    }
    let mut out = FinishOutput::default();
    let mut seen = std::collections::HashSet::new();
    for (path, cf) in &calls {
        for call in &cf.calls {
            let Some((gpath, g)) = index.resolve(&call.callee, cf.lang) else {
                continue;
            };
            // The callee returns user or model data, and its result reached a sink here.
            let (labels, ret_trace) = index.ret_labels(g, cf.lang, 3);
            if labels != 0 {
                for s in &call.sinks {
                    for ri in rules_for(rs, labels, &s.kind, s.flags | g.ret_flags, s.clean) {
                        if !seen.insert((ri, path.to_string(), s.span.start)) {
                            continue;
                        }
                        let mut trace = step_in(gpath, ret_trace.clone());
                        trace.extend(s.trace.iter().cloned());
                        trace.retain(|x| !(x.span == s.span && x.path.as_deref() == Some(path)));
                        out.findings.push(finding(
                            rs, ri, labels, path, s.span, &s.what, &s.snippet, trace,
                        ));
                    }
                }
            }
            // User data passed in, and that parameter reaches a sink there.
            for a in &call.args {
                for ps in g.param_sinks.iter().filter(|p| p.param == a.arg) {
                    for ri in rules_for(
                        rs,
                        a.labels,
                        &ps.kind,
                        a.flags | ps.flags,
                        a.clean | ps.clean,
                    ) {
                        if !seen.insert((ri, gpath.to_string(), ps.span.start)) {
                            continue;
                        }
                        let mut trace = a.trace.clone();
                        trace.extend(ps.trace.iter().cloned());
                        trace.retain(|x| !(x.span == ps.span && x.path.as_deref() == Some(gpath)));
                        out.findings.push(finding(
                            rs,
                            ri,
                            a.labels,
                            gpath,
                            ps.span,
                            &ps.what,
                            &ps.snippet,
                            trace,
                        ));
                    }
                }
            }
        }
    }
    out
}

/// The module path a `go.mod` declares.
pub(crate) fn go_module(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("module "))
        .map(|m| m.trim().trim_matches('"').to_string())
}

/// What the intent rules need of one file: its imports and the calls it makes through them.
pub(crate) fn module_facts(path: &str, parsed: &Parsed) -> ModuleFacts {
    let m = &parsed.module;
    let imports = m
        .imports
        .iter()
        .filter(|i| {
            // Python `from X import a, b` is recorded once (the entry that binds nothing lists the names).
            parsed.lang != Lang::Python
                || i.local.is_empty()
                || i.module == crate::path::show(&i.path)
                || !is_from_name(i)
        })
        .map(|i| ImportRef {
            module: i.module.clone(),
            names: i.names.clone(),
            line: i.span.line,
            column: i.span.col,
            end_column: if i.span.end_line == i.span.line {
                i.span.end_col
            } else {
                i.span.col
            },
        })
        .collect();
    let locals: HashMap<&str, &Vec<String>> = m
        .imports
        .iter()
        .filter(|i| !i.local.is_empty())
        .map(|i| (i.local.as_str(), &i.path))
        .collect();
    let mut calls = Vec::new();
    for f in &m.funcs {
        for s in &f.body {
            s.walk_exprs(&mut |e| {
                if let ExprKind::Call(c) = &e.kind {
                    if let Some(p) = call_path(&c.callee, &locals) {
                        calls.push(CallRef {
                            callee: crate::path::show(&p),
                            line: c.span.line,
                            column: c.span.col,
                            end_column: if c.span.end_line == c.span.line {
                                c.span.end_col
                            } else {
                                c.span.col
                            },
                        });
                    }
                }
            });
        }
    }
    ModuleFacts {
        path: path.to_string(),
        lang: parsed.lang,
        imports,
        calls,
    }
}

/// A Python `from X import a` entry (binds `a`), as opposed to `import X` / the module entry.
fn is_from_name(i: &crate::ir::Import) -> bool {
    i.path.len() > 1 && crate::path::show(&i.path[..i.path.len() - 1]) == i.module
}

/// A callee's path when its root is an import (`sp.run` → `subprocess.run`).
fn call_path(e: &crate::ir::Expr, locals: &HashMap<&str, &Vec<String>>) -> Option<Vec<String>> {
    match &e.kind {
        ExprKind::Name(n) => locals.get(n.as_str()).map(|p| (*p).clone()),
        ExprKind::Attr(b, a) => {
            let mut p = call_path(b, locals)?;
            p.push(a.clone());
            Some(p)
        }
        _ => None,
    }
}
