//! The analysis of one file: name resolution, pattern rules and taint tracking over the [`Module`] model.
//!
//! Taint is tracked per variable, in statement order (an assignment replaces a variable's value; branches join;
//! loop bodies run twice), with one level of fields (`obj.attr`, `d["key"]`). Each function is analysed with
//! its parameters as symbolic sources, which yields its summary: what its return value is made of (sources
//! inside it, parameters), and which parameters reach which sinks. Calls to the file's own functions apply
//! their summaries; the file is analysed in rounds until summaries stop changing, so flows through helpers
//! (and helpers of helpers) are followed. Calls to other modules' functions get an *external* mark; the
//! analyzer's second phase resolves those against the other files' summaries.

use crate::ir::{Call, Expr, ExprKind, Func, Import, Lang, Module, Span, Stmt};
use crate::path::Pattern;
use crate::rules::{self, CMatcher, Models, RuleSet, ValueSpec, CONTAINER, HTML, INTERP, SYSTEM};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

/// A step of a trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub span: Span,
    pub message: String,
    /// For steps in another file (traces resolved across files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

const MAX_TRACE: usize = 12;

#[derive(Debug, Clone, PartialEq)]
pub struct Taint {
    /// Where it came from: [`rules::USER`], [`rules::LLM`], [`rules::TOOL`].
    pub labels: u8,
    /// Symbolic: which of the enclosing function's parameters it is made of.
    pub params: u64,
    /// Symbolic: which external calls' results it is made of (ids into [`Analysis::ext_calls`]).
    pub ext: Vec<u32>,
    pub flags: u8,
    /// Sink kinds it has been made safe for.
    pub clean: u64,
    pub trace: Rc<Vec<Step>>,
}

impl Taint {
    fn join(&self, o: &Taint) -> Taint {
        let mut ext = self.ext.clone();
        for e in &o.ext {
            if !ext.contains(e) {
                ext.push(*e);
            }
        }
        // Keep the trace that explains real data (a source) over a symbolic one.
        let trace = if self.labels == 0 && o.labels != 0 {
            o.trace.clone()
        } else {
            self.trace.clone()
        };
        // What a value is safe for: what every part with real or parameter data is safe for (a bare external
        // mark says nothing about safety).
        let clean = match (self.ext_only(), o.ext_only()) {
            (true, false) => o.clean,
            (false, true) => self.clean,
            _ => self.clean & o.clean,
        };
        Taint {
            labels: self.labels | o.labels,
            params: self.params | o.params,
            ext,
            flags: self.flags | o.flags,
            clean,
            trace,
        }
    }

    fn step(&self, span: Span, message: String) -> Taint {
        let mut t = self.clone();
        if t.trace.len() < MAX_TRACE && t.trace.last().map(|s| s.span) != Some(span) {
            let mut v = (*t.trace).clone();
            v.push(Step {
                span,
                message,
                path: None,
            });
            t.trace = Rc::new(v);
        }
        t
    }

    fn ext_only(&self) -> bool {
        self.labels == 0 && self.params == 0
    }

    fn is_live(&self) -> bool {
        self.labels != 0 || self.params != 0 || !self.ext.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Konst {
    Str(Rc<str>),
    Bool(bool),
    Null,
    Num,
    Int(i64),
}

impl Konst {
    /// Truthiness, where it is known.
    fn truthy(&self) -> Option<bool> {
        match self {
            Konst::Str(s) => Some(!s.is_empty()),
            Konst::Bool(b) => Some(*b),
            Konst::Null => Some(false),
            Konst::Int(i) => Some(*i != 0),
            Konst::Num => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Val {
    pub t: Option<Taint>,
    pub konst: Option<Konst>,
    /// The resolved name of the value's object (what a method call on it resolves to).
    pub ty: Option<Rc<Vec<String>>>,
    /// A function of this file.
    pub func: Option<usize>,
    /// A dict or object literal's entries by constant key (`{"a": x}["a"]` is `x`).
    pub fields: Option<Rc<Vec<(String, Val)>>>,
    /// A list, tuple or array literal's elements (`["safe", x][0]` is `"safe"`).
    pub elems: Option<Rc<Vec<Val>>>,
}

impl Val {
    fn join(&self, o: &Val) -> Val {
        Val {
            t: match (&self.t, &o.t) {
                (Some(a), Some(b)) => Some(a.join(b)),
                (Some(a), None) | (None, Some(a)) => Some(a.clone()),
                (None, None) => None,
            },
            konst: if self.konst == o.konst {
                self.konst.clone()
            } else {
                None
            },
            ty: if self.ty == o.ty {
                self.ty.clone()
            } else {
                self.ty.clone().or_else(|| o.ty.clone())
            },
            func: self.func.or(o.func),
            fields: if self.fields == o.fields {
                self.fields.clone()
            } else {
                None
            },
            elems: if self.elems == o.elems {
                self.elems.clone()
            } else {
                None
            },
        }
    }

    /// Cheaply known to be equal (shared parts compared by pointer): the common case when joining branches
    /// that did not touch a variable.
    fn same(&self, o: &Val) -> bool {
        let taint_same = match (&self.t, &o.t) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                Rc::ptr_eq(&a.trace, &b.trace)
                    && a.labels == b.labels
                    && a.params == b.params
                    && a.flags == b.flags
                    && a.clean == b.clean
                    && a.ext == b.ext
            }
            _ => false,
        };
        let rc_same = |x: &Option<Rc<Vec<String>>>, y: &Option<Rc<Vec<String>>>| match (x, y) {
            (None, None) => true,
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            _ => false,
        };
        taint_same
            && self.konst == o.konst
            && self.func == o.func
            && rc_same(&self.ty, &o.ty)
            && match (&self.fields, &o.fields) {
                (None, None) => true,
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                _ => false,
            }
            && match (&self.elems, &o.elems) {
                (None, None) => true,
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                _ => false,
            }
    }

    fn data(t: Option<Taint>) -> Val {
        Val {
            t,
            ..Val::default()
        }
    }

    fn is_const(&self) -> bool {
        self.t.is_none() && matches!(self.konst, Some(Konst::Str(_)))
    }
}

/// A scope's variables. Keys are shared strings so that copying a scope at a branch allocates one table and no
/// strings (copies at branches were a large share of the analysis time on Go's `if err != nil` style).
type Env = HashMap<Rc<str>, Val, rustc_hash::FxBuildHasher>;

fn join_env(a: &Env, b: &Env) -> Env {
    let mut out = a.clone();
    for (k, v) in b {
        match out.get_mut(k) {
            Some(x) if x.same(v) => {}
            Some(x) => *x = x.join(v),
            None => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

/// A parameter that reaches a sink inside a function.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSink {
    pub param: usize,
    pub kind: String,
    pub flags: u8,
    pub clean: u64,
    pub span: Span,
    pub trace: Rc<Vec<Step>>,
    pub callee: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Data from sources inside the function that it returns.
    pub ret: Option<Taint>,
    /// Parameters (bits) whose data it returns.
    pub param_to_ret: u64,
    pub param_sinks: Vec<ParamSink>,
    pub ret_ty: Option<Rc<Vec<String>>>,
}

/// A finding of the per-file phase.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule: usize,
    pub span: Span,
    pub trace: Vec<Step>,
    /// What was called or assigned (for the message and the fingerprint).
    pub what: String,
    pub source: u8,
}

/// A call to another module's function.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExtCall {
    pub callee: Vec<String>,
    pub span: Span,
}

/// An external call's result reached a sink here: a finding if the callee returns user or model data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Pending {
    pub ext: u32,
    pub kind: String,
    pub flags: u8,
    pub clean: u64,
    pub span: Span,
    pub what: String,
    pub trace: Vec<Step>,
}

/// User or model data passed to an external function: a finding if that parameter reaches a sink there.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExtArg {
    pub ext: u32,
    pub arg: usize,
    pub labels: u8,
    pub flags: u8,
    pub clean: u64,
    pub trace: Vec<Step>,
}

/// What the analysis of one file yields.
#[derive(Debug, Default)]
pub struct Analysis {
    pub hits: Vec<Hit>,
    pub summaries: BTreeMap<String, Summary>,
    pub ext_calls: Vec<ExtCall>,
    pub pending: Vec<Pending>,
    pub ext_args: Vec<ExtArg>,
    /// Every call resolved through an import (for intent rules): callee and span.
    pub resolved_calls: Vec<(String, Span)>,
}

struct Frame {
    func: usize,
    class: Option<String>,
    receiver: Option<String>,
    param_sinks: Vec<ParamSink>,
    ret: Val,
    route: bool,
}

pub struct Engine<'a> {
    rs: &'a RuleSet,
    models: &'a Models,
    lang: Lang,
    path: &'a str,
    src: &'a [u8],
    module: &'a Module,
    imports: HashMap<&'a str, &'a Import>,
    funcs_by_name: HashMap<String, usize>,
    summaries: HashMap<usize, Summary>,
    changed: bool,
    /// Functions whose summaries were read this round: a later change to one of them needs another round.
    read: HashSet<usize>,
    globals: Env,
    frames: Vec<Frame>,
    class_attrs: HashMap<(String, String), Rc<Vec<String>>>,
    hits: Vec<Hit>,
    seen_hits: HashSet<(usize, u32, u32)>,
    ext_calls: Vec<ExtCall>,
    ext_index: HashMap<(u32, u32), u32>,
    pending: Vec<Pending>,
    ext_args: Vec<ExtArg>,
    resolved_calls: Vec<(String, Span)>,
    collect_calls: bool,
    assign_target: Option<String>,
    /// Pattern matchers by the last literal of their call patterns; wildcard-ended ones under "".
    call_index: HashMap<String, Vec<(usize, usize)>>,
    source_lasts: HashSet<String>,
    depth: usize,
    budget: usize,
}

/// How many expression evaluations one file may cost (summed over rounds); past it the rest is skipped.
const EVAL_BUDGET: usize = 4_000_000;

impl<'a> Engine<'a> {
    pub fn new(
        rs: &'a RuleSet,
        lang: Lang,
        path: &'a str,
        src: &'a [u8],
        module: &'a Module,
    ) -> Option<Self> {
        // A parse abandoned at its time budget leaves no module-level function to run.
        if module.funcs.is_empty() {
            return None;
        }
        let models = rs.models.get(&lang.family())?;
        let mut imports = HashMap::new();
        for i in &module.imports {
            if !i.local.is_empty() {
                imports.insert(i.local.as_str(), i);
            }
        }
        let mut funcs_by_name = HashMap::new();
        for (i, f) in module.funcs.iter().enumerate().skip(1) {
            if !f.nested {
                funcs_by_name.entry(f.name.clone()).or_insert(i);
            }
        }
        let mut call_index: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (ri, r) in rs.rules.iter().enumerate() {
            for (mi, m) in r.matchers.iter().enumerate() {
                if !m.langs.is_empty() && !m.langs.iter().any(|l| l.family() == lang.family()) {
                    continue;
                }
                for p in &m.calls.0 {
                    let key = last_key(p);
                    let list = call_index.entry(key).or_default();
                    if !list.contains(&(ri, mi)) {
                        list.push((ri, mi));
                    }
                }
            }
        }
        let class_attrs = HashMap::new();
        let mut source_lasts = HashSet::new();
        for s in &models.sources {
            for p in &s.access.0 {
                source_lasts.insert(last_key(p));
            }
        }
        Some(Engine {
            rs,
            models,
            lang,
            path,
            src,
            module,
            imports,
            funcs_by_name,
            summaries: HashMap::new(),
            changed: false,
            read: HashSet::new(),
            globals: Env::default(),
            frames: Vec::new(),
            class_attrs,
            hits: Vec::new(),
            seen_hits: HashSet::new(),
            ext_calls: Vec::new(),
            ext_index: HashMap::new(),
            pending: Vec::new(),
            ext_args: Vec::new(),
            resolved_calls: Vec::new(),
            collect_calls: true,
            assign_target: None,
            call_index,
            source_lasts,
            depth: 0,
            budget: EVAL_BUDGET,
        })
    }

    /// Analyses the file: rounds until the functions' summaries are stable (at most four).
    pub fn run(mut self) -> (Analysis, bool) {
        for (class, field, ty) in &self.module.fields {
            let t = self.resolve_type(ty);
            self.class_attrs
                .insert((class.clone(), field.clone()), Rc::new(t));
        }
        for round in 0..4 {
            self.changed = false;
            self.read.clear();
            self.collect_calls = round == 0;
            self.frames.clear();
            let env = self.run_func(0, &Env::default(), &[]);
            self.globals = env;
            for i in 1..self.module.funcs.len() {
                if !self.module.funcs[i].nested {
                    let _ = self.run_func(i, &Env::default(), &[]);
                }
            }
            if !self.changed || self.budget == 0 {
                break;
            }
        }
        let out_of_budget = self.budget == 0;
        let mut summaries = BTreeMap::new();
        for (i, s) in &self.summaries {
            let f = &self.module.funcs[*i];
            if !f.nested && (s.ret.is_some() || s.param_to_ret != 0 || !s.param_sinks.is_empty()) {
                summaries.insert(f.name.clone(), s.clone());
            }
        }
        (
            Analysis {
                hits: self.hits,
                summaries,
                ext_calls: self.ext_calls,
                pending: self.pending,
                ext_args: self.ext_args,
                resolved_calls: self.resolved_calls,
            },
            out_of_budget,
        )
    }

    // ------------------------------------------------------------ helpers

    fn text(&self, span: Span) -> String {
        let s = self
            .src
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default();
        let s = String::from_utf8_lossy(s);
        let first = s.lines().next().unwrap_or("").trim();
        let mut out: String = first.chars().take(80).collect();
        if out.len() < first.len() || s.lines().nth(1).is_some() {
            out.push('…');
        }
        out
    }

    fn frame(&self) -> &Frame {
        self.frames.last().expect("a frame while analysing")
    }

    fn lookup(&self, env: &Env, name: &str) -> Val {
        if let Some(v) = env.get(name).or_else(|| self.globals.get(name)) {
            return v.clone();
        }
        if let Some(i) = self.imports.get(name) {
            return Val {
                ty: Some(Rc::new(i.path.clone())),
                ..Val::default()
            };
        }
        if let Some(&f) = self.funcs_by_name.get(name) {
            return Val {
                func: Some(f),
                ty: Some(Rc::new(vec![name.to_string()])),
                ..Val::default()
            };
        }
        Val {
            ty: Some(Rc::new(vec![name.to_string()])),
            ..Val::default()
        }
    }

    /// The path a type annotation names, through the imports (`*http.Request` → `net/http.Request`).
    fn resolve_type(&self, ty: &str) -> Vec<String> {
        let t = ty
            .trim()
            .trim_start_matches(['*', '&'])
            .trim_start_matches("[]");
        let t = t.split(['[', '<', '|', ' ']).next().unwrap_or(t);
        let mut parts = t.split('.');
        let first = parts.next().unwrap_or("");
        let mut path = match self.imports.get(first) {
            Some(i) => i.path.clone(),
            None => vec![first.to_string()],
        };
        path.extend(parts.map(str::to_string));
        path
    }

    fn source_taint(&self, label: u8, span: Span, what: &str) -> Taint {
        Taint {
            labels: label,
            params: 0,
            ext: Vec::new(),
            flags: 0,
            clean: 0,
            trace: Rc::new(vec![Step {
                span,
                message: format!("{} `{}`", source_word(label), what),
                path: None,
            }]),
        }
    }

    fn check_sources(&self, path: &[String], span: Span) -> Option<Taint> {
        let last = path.last()?;
        let key = last.strip_suffix("()").unwrap_or(last);
        if !self.source_lasts.contains(key) {
            return None;
        }
        for s in &self.models.sources {
            if s.access.matches_prefix(path) {
                return Some(self.source_taint(s.label, span, &self.text(span)));
            }
        }
        None
    }

    // ------------------------------------------------------------ functions

    fn run_func(&mut self, idx: usize, base: &Env, param_taint: &[(usize, Taint)]) -> Env {
        let module = self.module;
        let f: &Func = &module.funcs[idx];
        if self.frames.len() > 24 {
            return base.clone();
        }
        let mut env = base.clone();
        let mut route = false;
        // Decorators: routes and tool registrations make parameters sources.
        // (label, why, whether framework parameters such as the request object are excluded)
        let mut param_source: Option<(u8, String, bool)> = None;
        for d in &f.decorators {
            let v = self.eval(d, &mut env.clone());
            if let Some(p) = v.ty.as_deref() {
                let mut p = p.clone();
                if let Some(last) = p.last_mut() {
                    if let Some(b) = last.strip_suffix("()") {
                        *last = b.to_string();
                    }
                }
                for s in &self.models.sources {
                    if s.decorated.matches(&p) {
                        param_source = Some((s.label, format!("@{}", self.text(d.span)), true));
                        route |= s.label == rules::USER;
                    }
                }
            }
        }
        if f.class.is_none() && !f.nested && idx != 0 {
            for s in &self.models.sources {
                if s.handler_names.iter().any(|h| h == &f.name) {
                    param_source = Some((s.label, format!("route handler `{}`", f.name), false));
                    route |= s.label == rules::USER;
                }
            }
        }
        let receiver = if f.class.is_some() {
            match f.params.first() {
                Some(p) if self.lang == Lang::Go || p.name == "self" || p.name == "cls" => {
                    Some(p.name.clone())
                }
                _ if self.lang.family() == Lang::JavaScript => Some("this".into()),
                _ => Some("self".into()),
            }
        } else {
            None
        };
        for (i, p) in f.params.iter().enumerate() {
            let mut v = Val::default();
            if receiver.as_deref() == Some(p.name.as_str()) {
                v.ty = Some(Rc::new(vec![f.class.clone().unwrap_or_default()]));
                env.insert(p.name.as_str().into(), v);
                continue;
            }
            let ty = match &p.ty {
                Some(t) => self.resolve_type(t),
                None => vec![p.name.clone()],
            };
            let mut t: Option<Taint> = None;
            if i < 64 {
                t = Some(Taint {
                    labels: 0,
                    params: 1 << i,
                    ext: Vec::new(),
                    flags: 0,
                    clean: 0,
                    trace: Rc::new(vec![Step {
                        span: p.span,
                        message: format!("parameter `{}`", p.name),
                        path: None,
                    }]),
                });
            }
            let mut add = |x: Taint| {
                t = Some(match &t {
                    Some(a) => x.join(a),
                    None => x,
                })
            };
            if let Some((label, why, exclude)) = &param_source {
                if !(*exclude && is_framework_param(p)) {
                    add(self.source_taint(
                        *label,
                        p.span,
                        &format!("{} (parameter of {why})", p.name),
                    ));
                }
            }
            if p.ty.is_some() {
                for s in &self.models.sources {
                    if s.typed.matches(&ty) {
                        add(self.source_taint(
                            s.label,
                            p.span,
                            &format!("{}: {}", p.name, p.ty.as_deref().unwrap_or("")),
                        ));
                    }
                }
            }
            for (pi, pt) in param_taint {
                if *pi == i {
                    add(pt.clone());
                }
            }
            v.t = t;
            v.ty = Some(Rc::new(ty));
            env.insert(p.name.as_str().into(), v);
        }
        self.frames.push(Frame {
            func: idx,
            class: f.class.clone(),
            receiver,
            param_sinks: Vec::new(),
            ret: Val::default(),
            route,
        });
        self.block(&f.body, &mut env);
        let frame = self.frames.pop().expect("pushed above");
        // The summary.
        let mut s = Summary::default();
        if let Some(t) = &frame.ret.t {
            s.param_to_ret = t.params;
            if t.labels != 0 || !t.ext.is_empty() {
                let mut r = t.clone();
                r.params = 0;
                s.ret = Some(r);
            }
        }
        s.ret_ty = frame.ret.ty.clone();
        s.param_sinks = frame.param_sinks;
        if self.summaries.get(&idx) != Some(&s) {
            // Only callers that already used the old summary need to see the new one.
            if self.read.contains(&idx) {
                self.changed = true;
            }
            self.summaries.insert(idx, s);
        }
        env
    }

    /// Runs statements in order; true when the block always leaves (return, raise, abort()).
    fn block(&mut self, stmts: &[Stmt], env: &mut Env) -> bool {
        for s in stmts {
            if self.budget == 0 {
                return false;
            }
            if self.stmt(s, env) {
                return true;
            }
        }
        false
    }

    fn stmt(&mut self, s: &Stmt, env: &mut Env) -> bool {
        match s {
            Stmt::Exit(_) => return true,
            Stmt::Expr(e) => {
                self.eval(e, env);
                if let ExprKind::Call(c) = &e.kind {
                    if is_exit_call(&c.callee) {
                        return true;
                    }
                }
            }
            Stmt::Return(e, span) => {
                let v = match e {
                    Some(e) => self.eval(e, env),
                    None => Val::default(),
                };
                if self.frame().route {
                    if let Some(t) = &v.t {
                        if t.flags & HTML != 0 {
                            let t = t.clone();
                            self.sink_hit("html", &t, *span, "the response of this route".into());
                        }
                    }
                }
                let fr = self.frames.last_mut().expect("frame");
                fr.ret = if fr.ret == Val::default() {
                    v
                } else {
                    fr.ret.join(&v)
                };
                return true;
            }
            Stmt::Assign {
                targets,
                value,
                augmented,
                span,
            } => {
                let name = targets.first().and_then(target_name);
                let saved = std::mem::replace(&mut self.assign_target, name);
                let mut v = self.eval(value, env);
                self.assign_target = saved;
                for t in targets {
                    if *augmented {
                        let old = self.eval(t, env);
                        v = old.join(&v);
                        if let Some(tt) = &mut v.t {
                            tt.flags |= INTERP;
                        }
                    }
                    self.assign(t, Some(value), v.clone(), *span, env);
                }
            }
            Stmt::Branch {
                arms,
                exhaustive,
                cond,
            } => {
                let before = env.clone();
                // A constant condition picks its arm; validations in it make values safe where they passed.
                let (known, guards) = match cond {
                    Some(c) => {
                        let v = self.eval(c, env);
                        (v.konst.as_ref().and_then(Konst::truthy), guards_of(c, true))
                    }
                    None => (None, Vec::new()),
                };
                let mut merged: Option<Env> = None;
                let mut all_exit = true;
                let n_arms = arms.len();
                for (i, arm) in arms.iter().enumerate() {
                    let first = i == 0 && cond.is_some();
                    if known == Some(false) && first
                        || known == Some(true) && cond.is_some() && i > 0
                    {
                        continue;
                    }
                    let mut e = before.clone();
                    apply_guards(&guards, first, &mut e);
                    let exits = self.block(arm, &mut e);
                    if exits {
                        continue;
                    }
                    all_exit = false;
                    merged = Some(match merged {
                        Some(m) => join_env(&m, &e),
                        None => e,
                    });
                }
                if !(*exhaustive || known == Some(true) && cond.is_some()) {
                    // No else: the fall-through path, where an `if` condition failed.
                    let mut e = before.clone();
                    if cond.is_some() && n_arms <= 1 {
                        apply_guards(&guards, false, &mut e);
                    }
                    all_exit = false;
                    merged = Some(match merged {
                        Some(m) => join_env(&m, &e),
                        None => e,
                    });
                }
                match merged {
                    Some(m) => *env = m,
                    None => return all_exit && n_arms > 0,
                }
            }
            Stmt::Loop(body) => {
                let before = env.clone();
                self.block(body, env);
                let once = join_env(&before, env);
                *env = once;
                self.block(body, env);
                let twice = join_env(&before, env);
                *env = twice;
            }
        }
        false
    }

    fn assign(&mut self, target: &Expr, value: Option<&Expr>, v: Val, span: Span, env: &mut Env) {
        // Pattern rules on assignments, and sinks that are attribute assignments (`el.innerHTML = x`).
        if let Some(value) = value {
            self.check_assign_rules(target, value, &v, span, env);
        }
        match &target.kind {
            ExprKind::Name(n) => {
                let mut v = v;
                if let Some(t) = &v.t {
                    if t.labels != 0 {
                        v.t = Some(t.step(span, format!("assigned to `{n}`")));
                    }
                }
                env.insert(n.as_str().into(), v);
            }
            ExprKind::Attr(base, attr) => {
                if let Some(t) = &v.t {
                    let kinds: Vec<String> = self
                        .models
                        .sinks
                        .iter()
                        .filter(|s| s.assign.iter().any(|a| a == attr))
                        .map(|s| s.kind.clone())
                        .collect();
                    for k in kinds {
                        let t = t.clone();
                        self.sink_hit(&k, &t, span, format!(".{attr} ="));
                    }
                }
                if let ExprKind::Name(b) = &base.kind {
                    let is_self = self.frames.last().and_then(|f| f.receiver.as_deref())
                        == Some(b.as_str())
                        || b == "self"
                        || b == "this";
                    if is_self {
                        if let (Some(ty), Some(class)) =
                            (&v.ty, self.frames.last().and_then(|f| f.class.clone()))
                        {
                            self.class_attrs.insert((class, attr.clone()), ty.clone());
                        }
                    }
                    env.insert(format!("{b}.{attr}").into(), v.clone());
                    self.weak_update(b, &v, env);
                } else if let Some(root) = root_name(base) {
                    self.weak_update(&root, &v, env);
                }
            }
            ExprKind::Index(base, idx) => {
                if let ExprKind::Name(b) = &base.kind {
                    if let Some(cur) = env.get_mut(b.as_str()) {
                        match (&idx.kind, &mut cur.fields, &mut cur.elems) {
                            (ExprKind::Str(k), Some(f), _) => {
                                let mut nf = (**f).clone();
                                nf.retain(|(key, _)| key != k);
                                nf.push((k.clone(), v.clone()));
                                *f = Rc::new(nf);
                            }
                            (ExprKind::Int(i), _, Some(e))
                                if (*i as usize) < e.len() && *i >= 0 =>
                            {
                                let mut ne = (**e).clone();
                                ne[*i as usize] = v.clone();
                                *e = Rc::new(ne);
                            }
                            _ => {
                                cur.fields = None;
                                cur.elems = None;
                            }
                        }
                    }
                }
                if let (ExprKind::Name(b), ExprKind::Str(k)) = (&base.kind, &idx.kind) {
                    env.insert(format!("{b}.{k}").into(), v.clone());
                }
                self.eval(idx, env);
                if let Some(root) = root_name(base) {
                    self.weak_update(&root, &v, env);
                }
            }
            ExprKind::Seq(items) => {
                for i in items {
                    self.assign(i, None, v.clone(), span, env);
                }
            }
            _ => {}
        }
    }

    fn weak_update(&mut self, name: &str, v: &Val, env: &mut Env) {
        if v.t.is_none() {
            return;
        }
        let cur = self.lookup(env, name);
        let mut joined = cur.clone();
        joined.t = cur.join(&Val::data(v.t.clone())).t;
        env.insert(name.into(), joined);
    }

    // ------------------------------------------------------------ expressions

    pub fn eval(&mut self, e: &Expr, env: &mut Env) -> Val {
        if self.budget == 0 || self.depth > 160 {
            return Val::default();
        }
        self.budget -= 1;
        self.depth += 1;
        let v = self.eval_inner(e, env);
        self.depth -= 1;
        v
    }

    fn eval_inner(&mut self, e: &Expr, env: &mut Env) -> Val {
        match &e.kind {
            ExprKind::Name(n) => {
                let v = self.lookup(env, n);
                if v.t.is_none() && !env.contains_key(n.as_str()) {
                    if let Some(ty) = &v.ty {
                        if let Some(t) = self.check_sources(ty, e.span) {
                            return Val { t: Some(t), ..v };
                        }
                    }
                }
                v
            }
            ExprKind::Attr(base, attr) => {
                if let ExprKind::Name(b) = &base.kind {
                    if let Some(v) = env
                        .get(format!("{b}.{attr}").as_str())
                        .or_else(|| self.globals.get(format!("{b}.{attr}").as_str()))
                    {
                        return v.clone();
                    }
                }
                let bv = self.eval(base, env);
                let mut ty: Option<Vec<String>> = None;
                if let ExprKind::Name(b) = &base.kind {
                    let is_self =
                        self.frames.last().and_then(|f| f.receiver.as_deref()) == Some(b.as_str());
                    if is_self {
                        if let Some(class) = self.frames.last().and_then(|f| f.class.clone()) {
                            if let Some(t) = self.class_attrs.get(&(class, attr.clone())) {
                                ty = Some((**t).clone());
                            }
                        }
                    }
                }
                let ty = ty.or_else(|| {
                    bv.ty.as_ref().map(|p| {
                        let mut p = (**p).clone();
                        p.push(attr.clone());
                        p
                    })
                });
                let mut t = bv.t.clone();
                if let Some(p) = &ty {
                    if let Some(s) = self.check_sources(p, e.span) {
                        t = Some(match t {
                            Some(x) => s.join(&x),
                            None => s,
                        });
                    }
                }
                Val {
                    t,
                    ty: ty.map(Rc::new),
                    ..Val::default()
                }
            }
            ExprKind::Index(base, idx) => {
                if let (ExprKind::Name(b), ExprKind::Str(k)) = (&base.kind, &idx.kind) {
                    if let Some(v) = env.get(format!("{b}.{k}").as_str()) {
                        return v.clone();
                    }
                }
                let iv = self.eval(idx, env);
                let bv = self.eval(base, env);
                if let Some(v) = element(&bv, &iv) {
                    return v;
                }
                Val {
                    t: bv.t,
                    ty: bv.ty,
                    ..Val::default()
                }
            }
            ExprKind::Call(c) => self.call(c, env),
            ExprKind::Str(s) => Val {
                konst: Some(Konst::Str(Rc::from(s.as_str()))),
                ..Val::default()
            },
            ExprKind::Interp { parts, literal } => {
                let mut v = Val::default();
                let mut all_const = true;
                for p in parts {
                    let pv = self.eval(p, env);
                    all_const &= pv.konst.is_some() && pv.t.is_none();
                    v = v.join(&Val::data(pv.t));
                }
                if let Some(t) = &mut v.t {
                    if !literal.trim().is_empty() {
                        t.flags |= INTERP;
                    }
                    if literal.contains('<') {
                        t.flags |= HTML;
                    }
                }
                v.ty = None;
                if all_const {
                    v.konst = Some(Konst::Str(Rc::from(literal.as_str())));
                }
                v
            }
            ExprKind::Num => Val {
                konst: Some(Konst::Num),
                ..Val::default()
            },
            ExprKind::Int(i) => Val {
                konst: Some(Konst::Int(*i)),
                ..Val::default()
            },
            ExprKind::Not(a) => {
                let v = self.eval(a, env);
                Val {
                    konst: v
                        .konst
                        .as_ref()
                        .and_then(Konst::truthy)
                        .map(|b| Konst::Bool(!b)),
                    ..Val::default()
                }
            }
            ExprKind::Cond(c, a, b) => {
                let cv = self.eval(c, env);
                match cv.konst.as_ref().and_then(Konst::truthy) {
                    Some(true) => self.eval(a, env),
                    Some(false) => self.eval(b, env),
                    None => {
                        let av = self.eval(a, env);
                        let bv = self.eval(b, env);
                        av.join(&bv)
                    }
                }
            }
            ExprKind::Binary(op, a, b) => {
                let av = self.eval(a, env);
                let bv = self.eval(b, env);
                binary(op, &av, &bv)
            }
            ExprKind::Bool(b) => Val {
                konst: Some(Konst::Bool(*b)),
                ..Val::default()
            },
            ExprKind::Null => Val {
                konst: Some(Konst::Null),
                ..Val::default()
            },
            ExprKind::Seq(items) => {
                let mut v = Val::default();
                let mut elems = Vec::with_capacity(items.len());
                for i in items {
                    let iv = self.eval(i, env);
                    v = v.join(&Val::data(iv.t.clone()));
                    elems.push(iv);
                }
                v.elems = Some(Rc::new(elems));
                if let Some(t) = &mut v.t {
                    t.flags |= CONTAINER;
                }
                v.konst = None;
                v.ty = None;
                v
            }
            ExprKind::Dict(kv) => {
                let mut v = Val::default();
                let mut system = false;
                let mut operator = false;
                let mut fields = Some(Vec::new());
                for (k, val) in kv {
                    let vv = self.eval(val, env);
                    match (k.as_ref().map(|k| &k.kind), &mut fields) {
                        (Some(ExprKind::Str(key)), Some(f)) => f.push((key.clone(), vv.clone())),
                        _ => fields = None,
                    }
                    if let Some(k) = k {
                        self.eval(k, env);
                        if let (ExprKind::Str(key), ExprKind::Str(role)) = (&k.kind, &val.kind) {
                            if key == "role" && matches!(role.as_str(), "system" | "developer") {
                                system = true;
                            }
                        }
                        if let ExprKind::Str(key) = &k.kind {
                            self.check_property_rules(key, val, &vv, env);
                            // Query operators that run code or match anything: the dict is the query itself.
                            if matches!(
                                key.as_str(),
                                "$where" | "$function" | "$accumulator" | "$expr"
                            ) && vv.t.is_some()
                            {
                                operator = true;
                            }
                        }
                    }
                    v = v.join(&Val::data(vv.t));
                }
                if let Some(t) = &mut v.t {
                    // A Python dict holds strings where a JavaScript object may hold request objects (`{ $ne: 1 }`),
                    // so only Python marks values inside dicts as contained.
                    if self.lang == Lang::Python && !operator {
                        t.flags |= CONTAINER;
                    }
                    if system {
                        t.flags |= SYSTEM;
                    }
                }
                v.konst = None;
                v.ty = None;
                v.fields = fields.map(Rc::new);
                v
            }
            ExprKind::Op(parts) => {
                let mut v: Option<Val> = None;
                for p in parts {
                    let pv = self.eval(p, env);
                    v = Some(match v {
                        Some(x) => x.join(&pv),
                        None => pv,
                    });
                }
                v.unwrap_or_default()
            }
            ExprKind::Func(idx) => {
                // A closure: analysed here, with the variables it can see.
                let base = env.clone();
                let _ = self.run_func(*idx, &base, &[]);
                Val {
                    func: Some(*idx),
                    ..Val::default()
                }
            }
            ExprKind::Other => Val::default(),
        }
    }

    fn call(&mut self, c: &Call, env: &mut Env) -> Val {
        let span = c.span;
        // The callee: a function of this file, or a resolved path.
        let mut recv: Option<Val> = None;
        let mut local: Option<usize> = None;
        let mut offset = 0usize;
        let mut path: Option<Vec<String>> = None;
        let mut via_import = false;
        match &c.callee.kind {
            ExprKind::Attr(r, m) => {
                let rv = self.eval(r, env);
                if let ExprKind::Name(b) = &r.kind {
                    let fr = self.frames.last();
                    let is_self = fr.and_then(|f| f.receiver.as_deref()) == Some(b.as_str());
                    if is_self {
                        if let Some(class) = fr.and_then(|f| f.class.clone()) {
                            if let Some(&i) = self.funcs_by_name.get(&format!("{class}.{m}")) {
                                local = Some(i);
                                let f = &self.module.funcs[i];
                                if f.params
                                    .first()
                                    .is_some_and(|p| p.name == "self" || p.name == "cls")
                                    || self.lang == Lang::Go
                                {
                                    offset = 1;
                                }
                            }
                        }
                    }
                    via_import =
                        self.imports.contains_key(b.as_str()) && !env.contains_key(b.as_str());
                } else if let Some(root) = root_name(r) {
                    via_import = self.imports.contains_key(root.as_str())
                        && !env.contains_key(root.as_str());
                }
                path = rv.ty.as_ref().map(|p| {
                    let mut p = (**p).clone();
                    p.push(m.clone());
                    p
                });
                recv = Some(rv);
            }
            ExprKind::Name(n) => {
                let v = self.lookup(env, n);
                local = v.func;
                via_import = self.imports.contains_key(n.as_str()) && !env.contains_key(n.as_str());
                path = v.ty.as_ref().map(|p| (**p).clone());
                if local.is_some() {
                    path = None;
                }
            }
            _ => {
                let v = self.eval(&c.callee, env);
                local = v.func;
            }
        }
        let path_ref = path.as_deref();
        // Handlers registered with routing calls: their first parameter is the request.
        let mut callback_taint: Option<Taint> = None;
        if let Some(p) = path_ref {
            for s in &self.models.sources {
                if s.callback.matches(p) {
                    callback_taint = Some(self.source_taint(
                        s.label,
                        span,
                        &format!("request of `{}`", self.text(c.callee.span)),
                    ));
                }
            }
        }
        let mut args: Vec<Val> = Vec::with_capacity(c.args.len());
        for a in &c.args {
            // `tool({ execute: async ({ command }) => ... })`: handlers inside an options object.
            if let (Some(t), ExprKind::Dict(kv)) = (&callback_taint, &a.value.kind) {
                for (_, v) in kv {
                    if let ExprKind::Func(idx) = &v.kind {
                        self.run_handler(*idx, t, env);
                    }
                }
            }
            if let (Some(t), ExprKind::Func(idx)) = (&callback_taint, &a.value.kind) {
                self.run_handler(*idx, t, env);
                args.push(Val {
                    func: Some(*idx),
                    ..Val::default()
                });
                continue;
            }
            args.push(self.eval(&a.value, env));
        }
        if let Some(p) = path_ref {
            self.check_call_rules(c, p, &args, recv.as_ref(), env);
        }

        // Literal containers whose elements are known: `d.get("k")`, `xs.pop(0)`, `xs.append(x)`.
        if let (ExprKind::Attr(r, m), Some(rv)) = (&c.callee.kind, recv.as_ref()) {
            if let (Some(v), "get") = (
                element(rv, args.first().unwrap_or(&Val::default())),
                m.as_str(),
            ) {
                return v;
            }
            if let (ExprKind::Name(b), Some(elems)) = (&r.kind, &rv.elems) {
                if env.contains_key(b.as_str()) {
                    let mut e = (**elems).clone();
                    let mut known = true;
                    let mut popped = None;
                    match (m.as_str(), args.first().map(|a| &a.konst)) {
                        ("pop", None) => popped = e.pop(),
                        ("pop", Some(Some(Konst::Int(i))))
                            if (*i as usize) < e.len() && *i >= 0 =>
                        {
                            popped = Some(e.remove(*i as usize))
                        }
                        ("append" | "push", Some(_)) => e.push(args[0].clone()),
                        ("insert", Some(Some(Konst::Int(i))))
                            if (*i as usize) <= e.len() && *i >= 0 && args.len() == 2 =>
                        {
                            e.insert(*i as usize, args[1].clone())
                        }
                        ("shift", None) if !e.is_empty() => popped = Some(e.remove(0)),
                        ("reverse", None) => e.reverse(),
                        _ => known = false,
                    }
                    let cur = env.get_mut(b.as_str()).expect("checked above");
                    if known {
                        let mut t: Option<Taint> = None;
                        for x in &e {
                            if let Some(xt) = &x.t {
                                t = Some(match t {
                                    Some(a) => a.join(xt),
                                    None => xt.clone(),
                                });
                            }
                        }
                        cur.t = t;
                        cur.elems = Some(Rc::new(e));
                        if let Some(p) = popped {
                            return p;
                        }
                        if m == "reverse" || m == "append" || m == "push" || m == "insert" {
                            return Val::default();
                        }
                    } else {
                        cur.elems = None;
                    }
                }
            }
        }

        // Methods that put their arguments into the receiver.
        if let ExprKind::Attr(r, m) = &c.callee.kind {
            if self.models.mutators.iter().any(|x| x == m) {
                if let Some(root) = root_name(r) {
                    let mut joined = Val::default();
                    for a in &args {
                        joined = joined.join(&Val::data(a.t.clone()));
                    }
                    self.weak_update(&root, &joined, env);
                }
            }
        }

        // A function of this file: its summary.
        if let Some(fi) = local {
            let text = self.text(c.callee.span);
            return self.apply_summary(fi, c, &args, offset, &text);
        }
        let Some(p) = path else {
            return self.default_result(recv.as_ref(), &args, None);
        };
        let mut modeled = false;

        // Sinks.
        let mut sink_checks: Vec<(String, Taint, Span)> = Vec::new();
        let mut is_sink = false;
        let last = p
            .last()
            .map(|s| s.trim_end_matches("()"))
            .unwrap_or("")
            .to_string();
        for si in self.models.sink_index.candidates(&last) {
            let s = &self.models.sinks[si];
            if s.calls.is_empty() || !s.calls.matches(&p) || s.except_calls.matches(&p) {
                continue;
            }
            modeled = true;
            is_sink = true;
            if !s.when.iter().all(|(k, spec)| {
                find_arg_ref(c, &rules::ArgRef::parse(k))
                    .is_some_and(|(i, e)| value_matches(spec, e, &arg_val(&args, i, e), self))
            }) {
                continue;
            }
            for (i, a) in c.args.iter().enumerate() {
                let by_pos = a.name.is_none() && !a.splat && s.args.contains(&i);
                let by_name = a.name.as_ref().is_some_and(|n| s.kwargs.contains(n));
                if s.all_args || by_pos || by_name || (a.splat && !s.args.is_empty()) {
                    if let Some(t) = &args[i].t {
                        sink_checks.push((s.kind.clone(), t.clone(), a.value.span));
                    }
                }
                // Option objects: `fetch(url, { body })`, `exec(cmd, { shell: true })`.
                if matches!(a.value.kind, ExprKind::Dict(_)) {
                    for (key, v) in options_of(&a.value) {
                        if s.kwargs.contains(&key) {
                            if let Some(t) = self.eval(v, env).t {
                                sink_checks.push((s.kind.clone(), t, v.span));
                            }
                        }
                    }
                }
            }
            if s.receiver {
                if let Some(t) = recv.as_ref().and_then(|r| r.t.clone()) {
                    sink_checks.push((s.kind.clone(), t, span));
                }
            }
        }
        let jsx = matches!(&c.callee.kind, ExprKind::Attr(b, _) if matches!(&b.kind, ExprKind::Name(n) if n == "<jsx>"));
        for (kind, t, at) in sink_checks {
            // In JSX the attribute is the place to point at (`dangerouslySetInnerHTML={...}`).
            self.sink_hit(
                &kind,
                &t,
                if jsx { at } else { span },
                self.text(c.callee.span),
            );
        }

        // Model calls: prompts are sinks, the answer is a source.
        let mut llm_result: Option<Val> = None;
        for li in self.models.llm_index.candidates(&last) {
            let l = &self.models.llms[li];
            if !l.calls.matches(&p) {
                continue;
            }
            modeled = true;
            let mut prompts: Vec<Taint> = Vec::new();
            let mut has_limit = false;
            for (i, a) in c.args.iter().enumerate() {
                let name = a.name.as_deref();
                if name.is_some_and(|n| l.limit_kwargs.iter().any(|k| k == n)) {
                    has_limit = true;
                }
                let is_prompt = match name {
                    Some(n) => {
                        l.prompt_kwargs.iter().any(|k| k == n)
                            || l.system_kwargs.iter().any(|k| k == n)
                    }
                    None => l.prompt_args.contains(&i),
                };
                let is_system = name.is_some_and(|n| l.system_kwargs.iter().any(|k| k == n));
                if is_prompt {
                    if let Some(t) = &args[i].t {
                        let mut t = t.clone();
                        if is_system {
                            t.flags |= SYSTEM;
                        }
                        prompts.push(t);
                    }
                }
                // An options object (JS SDKs, Go request structs): its keys are the arguments.
                for (key, v) in options_of(&a.value) {
                    {
                        let key = key.as_str();
                        if l.limit_kwargs.iter().any(|x| x == key) {
                            has_limit = true;
                        }
                        let sys = l.system_kwargs.iter().any(|x| x == key);
                        if sys || l.prompt_kwargs.iter().any(|x| x == key) {
                            let vv = self.eval(v, env);
                            if let Some(mut t) = vv.t {
                                if sys {
                                    t.flags |= SYSTEM;
                                }
                                prompts.push(t);
                            }
                        }
                    }
                }
            }
            if l.limit_kwargs.is_empty() {
                has_limit = true;
            }
            for t in &prompts {
                self.sink_hit("prompt", t, span, self.text(c.callee.span));
                if !has_limit {
                    self.sink_hit("prompt-unbounded", t, span, self.text(c.callee.span));
                }
            }
            let mut rp = p.clone();
            if let Some(last) = rp.last_mut() {
                last.push_str("()");
            }
            llm_result = Some(Val {
                t: Some(self.source_taint(
                    rules::LLM,
                    span,
                    &format!("{}(…)", self.text(c.callee.span)),
                )),
                ty: Some(Rc::new(rp)),
                ..Val::default()
            });
        }
        if let Some(v) = llm_result {
            return v;
        }

        // Sources that are calls (`input()`, `request.get_json()`).
        let mut rp = p.clone();
        if let Some(last) = rp.last_mut() {
            last.push_str("()");
        }
        if let Some(t) = self.check_sources(&rp, span) {
            return Val {
                t: Some(t),
                ty: Some(Rc::new(rp)),
                ..Val::default()
            };
        }

        // Sanitizers.
        for si in self.models.sanitizer_index.candidates(&last) {
            let s = &self.models.sanitizers[si];
            if s.calls.matches(&p) {
                let mut v = self.default_result(recv.as_ref(), &args, Some(rp.clone()));
                if s.kinds == u64::MAX {
                    v.t = None;
                } else if let Some(t) = &mut v.t {
                    t.clean |= s.kinds;
                }
                return v;
            }
        }

        // String formatting functions (`fmt.Sprintf`).
        for (pats, ti) in &self.models.formats {
            if pats.matches(&p) {
                let mut v = self.default_result(None, &args, Some(rp.clone()));
                let literal = args.get(*ti).and_then(|a| match &a.konst {
                    Some(Konst::Str(s)) => Some(s.clone()),
                    _ => None,
                });
                if let (Some(t), Some(lit)) = (&mut v.t, literal) {
                    t.flags |= INTERP;
                    if lit.contains('<') {
                        t.flags |= HTML;
                    }
                }
                return v;
            }
        }

        // What a sink returns (a command's output, a response, query rows, a file's contents) is new data, not
        // the arguments that chose it.
        // (A method on tainted data keeps the object's taint: `r.URL.Query()`.)
        if is_sink {
            return Val {
                t: recv.as_ref().and_then(|r| r.t.clone()),
                ty: Some(Rc::new(rp)),
                ..Val::default()
            };
        }

        let mut v = self.default_result(recv.as_ref(), &args, Some(rp));
        // Calls to other modules' functions: their summaries are resolved after the scan.
        if via_import && !modeled && p.len() >= 2 {
            let id = self.ext_id(&p, span);
            for (i, a) in args.iter().enumerate() {
                if c.args[i].name.is_some() || c.args[i].splat {
                    continue;
                }
                if let Some(t) = &a.t {
                    if t.labels != 0 {
                        let t = t.step(span, format!("passed to `{}`", self.text(c.callee.span)));
                        self.ext_args.push(ExtArg {
                            ext: id,
                            arg: i,
                            labels: t.labels,
                            flags: t.flags,
                            clean: t.clean,
                            trace: (*t.trace).clone(),
                        });
                    }
                }
            }
            let mark = Taint {
                labels: 0,
                params: 0,
                ext: vec![id],
                flags: 0,
                clean: 0,
                trace: Rc::new(vec![Step {
                    span,
                    message: format!("result of `{}(…)`", self.text(c.callee.span)),
                    path: None,
                }]),
            };
            v.t = Some(match v.t {
                Some(t) => t.join(&mark),
                None => mark,
            });
        }
        v
    }

    /// A request handler registered with a routing call: analysed with its first parameter as the request.
    fn run_handler(&mut self, idx: usize, request: &Taint, env: &Env) {
        let mut t = request.clone();
        if let Some(p) = self.module.funcs[idx].params.first() {
            t = t.step(p.span, format!("handler parameter `{}`", p.name));
        }
        let _ = self.run_func(idx, env, &[(0, t)]);
    }

    fn ext_id(&mut self, p: &[String], span: Span) -> u32 {
        if let Some(&id) = self.ext_index.get(&(span.start, span.end)) {
            return id;
        }
        let id = self.ext_calls.len() as u32;
        self.ext_calls.push(ExtCall {
            callee: p.to_vec(),
            span,
        });
        self.ext_index.insert((span.start, span.end), id);
        id
    }

    /// An unmodelled call's value: made of its receiver and arguments (`x.strip()`, `"".join(xs)`, `str(x)`).
    fn default_result(&self, recv: Option<&Val>, args: &[Val], path: Option<Vec<String>>) -> Val {
        let mut v = Val::default();
        if let Some(r) = recv {
            v = v.join(&Val::data(r.t.clone()));
            if r.is_const() && args.iter().all(|a| a.t.is_none()) {
                // "literal".encode(), Buffer.from("literal"): still a constant.
                v.konst = r.konst.clone();
            }
        }
        for a in args {
            v = v.join(&Val::data(a.t.clone()));
        }
        if recv.is_none() && args.len() == 1 && args[0].is_const() {
            v.konst = args[0].konst.clone();
        }
        if let (Some(r), Some(p)) = (recv, &path) {
            // Converters on constants: `Buffer.from("x")`, `bytes("x")`.
            if r.t.is_none() && args.len() == 1 && args[0].is_const() && is_converter(p) {
                v.konst = args[0].konst.clone();
            }
        }
        v.ty = path.map(Rc::new);
        v
    }

    fn apply_summary(
        &mut self,
        fi: usize,
        c: &Call,
        args: &[Val],
        offset: usize,
        callee_text: &str,
    ) -> Val {
        self.read.insert(fi);
        let Some(s) = self.summaries.get(&fi).cloned() else {
            // Not analysed yet (this round): its arguments flow through.
            return self.default_result(None, args, None);
        };
        let f = &self.module.funcs[fi];
        // Which argument feeds which parameter.
        let mut by_param: Vec<Option<usize>> = vec![None; f.params.len()];
        let mut pos = 0usize;
        for (i, a) in c.args.iter().enumerate() {
            match &a.name {
                Some(n) => {
                    if let Some(pi) = f.params.iter().position(|p| &p.name == n) {
                        by_param[pi] = Some(i);
                    }
                }
                None => {
                    let pi = pos + offset;
                    if pi < by_param.len() {
                        by_param[pi] = Some(i);
                    }
                    pos += 1;
                }
            }
        }
        let mut v = Val {
            t: s.ret.clone(),
            ty: s.ret_ty.clone(),
            ..Val::default()
        };
        if let Some(t) = &mut v.t {
            *t = t.step(c.span, format!("returned by `{callee_text}()`"));
        }
        for (pi, ai) in by_param.iter().enumerate() {
            let Some(ai) = ai else { continue };
            if pi < 64 && s.param_to_ret & (1 << pi) != 0 {
                if let Some(t) = &args[*ai].t {
                    let t = t.step(c.span, format!("through `{callee_text}()`"));
                    v.t = Some(match v.t {
                        Some(x) => x.join(&t),
                        None => t,
                    });
                }
            }
        }
        for ps in &s.param_sinks {
            let Some(Some(ai)) = by_param.get(ps.param) else {
                continue;
            };
            let Some(t) = &args[*ai].t else { continue };
            let mut t = t.step(c.span, format!("passed to `{callee_text}()`"));
            t.flags |= ps.flags;
            t.clean |= ps.clean;
            let mut trace = (*t.trace).clone();
            trace.extend(ps.trace.iter().skip(1).cloned());
            trace.truncate(MAX_TRACE);
            t.trace = Rc::new(trace);
            self.sink_hit(&ps.kind, &t, ps.span, ps.callee.clone());
        }
        v
    }

    /// A value reaches a sink of `kind` at `span`.
    fn sink_hit(&mut self, kind: &str, t: &Taint, span: Span, what: String) {
        if !t.is_live() {
            return;
        }
        let bit = self.rs.kind_bit(kind);
        if t.clean & bit != 0 {
            return;
        }
        if t.labels != 0 {
            for (ri, r) in self.rs.rules.iter().enumerate() {
                if !r.taint || t.labels & r.labels == 0 || !r.sinks.iter().any(|k| k == kind) {
                    continue;
                }
                if (r.any_flags != 0 && t.flags & r.any_flags == 0) || t.flags & r.no_flags != 0 {
                    continue;
                }
                self.add_hit(
                    ri,
                    span,
                    (*t.trace).clone(),
                    what.clone(),
                    t.labels & r.labels,
                );
            }
        }
        if t.params != 0 {
            if let Some(fr) = self.frames.last_mut() {
                for i in 0..64 {
                    if t.params & (1 << i) != 0 {
                        let ps = ParamSink {
                            param: i,
                            kind: kind.to_string(),
                            flags: t.flags,
                            clean: t.clean,
                            span,
                            trace: t.trace.clone(),
                            callee: what.clone(),
                        };
                        if !fr
                            .param_sinks
                            .iter()
                            .any(|x| x.param == i && x.kind == ps.kind && x.span == span)
                        {
                            fr.param_sinks.push(ps);
                        }
                    }
                }
            }
        }
        for e in &t.ext {
            let p = Pending {
                ext: *e,
                kind: kind.to_string(),
                flags: t.flags,
                clean: t.clean,
                span,
                what: what.clone(),
                trace: (*t.trace).clone(),
            };
            if !self
                .pending
                .iter()
                .any(|x| x.ext == p.ext && x.kind == p.kind && x.span == p.span)
            {
                self.pending.push(p);
            }
        }
    }

    fn add_hit(&mut self, rule: usize, span: Span, mut trace: Vec<Step>, what: String, source: u8) {
        if self.seen_hits.insert((rule, span.start, span.end)) {
            trace.retain(|s| s.span != span || s.path.is_some());
            self.hits.push(Hit {
                rule,
                span,
                trace,
                what,
                source,
            });
        }
    }

    // ------------------------------------------------------------ pattern rules

    fn check_call_rules(
        &mut self,
        c: &Call,
        path: &[String],
        args: &[Val],
        recv: Option<&Val>,
        env: &mut Env,
    ) {
        let last = path
            .last()
            .map(|s| s.strip_suffix("()").unwrap_or(s))
            .unwrap_or("");
        let mut cands: Vec<(usize, usize)> = Vec::new();
        if let Some(l) = self.call_index.get(last) {
            cands.extend(l);
        }
        if let Some(l) = self.call_index.get("") {
            cands.extend(l);
        }
        for (ri, mi) in cands {
            let m = &self.rs.rules[ri].matchers[mi];
            if !m.calls.matches(path) {
                continue;
            }
            if self.call_matcher_holds(m, c, args, recv, env) {
                let what = self.text(c.callee.span);
                self.add_hit(ri, c.span, Vec::new(), what, 0);
            }
        }
    }

    fn in_paths(&self, m: &CMatcher) -> bool {
        m.paths.as_ref().is_none_or(|g| g.is_match(self.path))
    }

    fn call_matcher_holds(
        &self,
        m: &CMatcher,
        c: &Call,
        args: &[Val],
        _recv: Option<&Val>,
        _env: &Env,
    ) -> bool {
        if !self.in_paths(m) {
            return false;
        }
        for (r, spec) in &m.args {
            match find_arg_ref(c, r) {
                Some((i, e)) if value_matches(spec, e, &arg_val(args, i, e), self) => {}
                _ => return false,
            }
        }
        for (r, spec) in &m.unless {
            if let Some((i, e)) = find_arg_ref(c, r) {
                if value_matches(spec, e, &arg_val(args, i, e), self) {
                    return false;
                }
            }
        }
        for r in &m.missing {
            if find_arg_ref(c, r).is_some() {
                return false;
            }
        }
        if let Some(spec) = &m.any_arg {
            let mut found = false;
            for (i, a) in c.args.iter().enumerate() {
                if value_matches(spec, &a.value, &args[i], self) {
                    found = true;
                }
                if let ExprKind::Seq(items) = &a.value.kind {
                    for it in items {
                        if value_matches(spec, it, &literal_val(it), self) {
                            found = true;
                        }
                    }
                }
            }
            if !found {
                return false;
            }
        }
        if let Some(re) = &m.context {
            let func_name = self
                .frames
                .last()
                .map(|f| self.module.funcs[f.func].name.as_str())
                .unwrap_or("");
            let hit = self
                .assign_target
                .as_deref()
                .is_some_and(|t| re.is_match(t))
                || re.is_match(func_name);
            if !hit {
                return false;
            }
        }
        true
    }

    fn check_assign_rules(
        &mut self,
        target: &Expr,
        value: &Expr,
        v: &Val,
        span: Span,
        env: &mut Env,
    ) {
        let path: Vec<String> = match expr_path(target) {
            Some(p) => p,
            None => return,
        };
        let mut hits = Vec::new();
        for (ri, r) in self.rs.rules.iter().enumerate() {
            for m in &r.matchers {
                let Some((pats, spec)) = &m.assign else {
                    continue;
                };
                if !m.langs.is_empty() && !m.langs.iter().any(|l| l.family() == self.lang.family())
                {
                    continue;
                }
                if !self.in_paths(m) || !pats.matches(&path) {
                    continue;
                }
                if let Some(re) = &m.context {
                    if !path.last().is_some_and(|n| re.is_match(n)) {
                        continue;
                    }
                }
                // Module-level settings only (`DEBUG = True` in settings.py), or any attribute path.
                if path.len() == 1 && self.frames.len() > 1 {
                    continue;
                }
                if value_matches(spec, value, v, self) {
                    hits.push(ri);
                }
            }
        }
        let _ = env;
        for ri in hits {
            let what = self.text(target.span);
            self.add_hit(ri, span, Vec::new(), what, 0);
        }
    }

    fn check_property_rules(&mut self, key: &str, val: &Expr, v: &Val, _env: &mut Env) {
        let mut hits = Vec::new();
        for (ri, r) in self.rs.rules.iter().enumerate() {
            for m in &r.matchers {
                let Some((k, spec)) = &m.property else {
                    continue;
                };
                if k != key {
                    continue;
                }
                if !m.langs.is_empty() && !m.langs.iter().any(|l| l.family() == self.lang.family())
                {
                    continue;
                }
                if self.in_paths(m) && value_matches(spec, val, v, self) {
                    hits.push(ri);
                }
            }
        }
        for ri in hits {
            self.add_hit(ri, val.span, Vec::new(), key.to_string(), 0);
        }
    }
}

fn last_key(p: &Pattern) -> String {
    let text = p.to_string();
    let last = text.rsplit(['.', ':']).next().unwrap_or("");
    if last == "*" || last == "**" {
        String::new()
    } else {
        last.trim_end_matches("()").to_string()
    }
}

fn source_word(label: u8) -> &'static str {
    match label {
        rules::LLM => "model output",
        rules::TOOL => "tool argument chosen by the model",
        _ => "user input",
    }
}

/// Framework parameters that are not request data (FastAPI dependencies, the request object itself).
fn is_framework_param(p: &crate::ir::Param) -> bool {
    let ty = p.ty.as_deref().unwrap_or("");
    matches!(
        p.name.as_str(),
        "self" | "cls" | "ctx" | "context" | "db" | "session" | "background_tasks"
    ) || ty.contains("Session")
        || ty.contains("Depends")
        || ty.ends_with("Request")
        || ty.contains("Context")
}

fn target_name(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.clone()),
        ExprKind::Attr(_, a) => Some(a.clone()),
        ExprKind::Index(_, i) => i.as_str().map(str::to_string),
        _ => None,
    }
}

fn root_name(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.clone()),
        ExprKind::Attr(b, _) | ExprKind::Index(b, _) => root_name(b),
        ExprKind::Call(c) => root_name(&c.callee),
        _ => None,
    }
}

fn expr_path(e: &Expr) -> Option<Vec<String>> {
    match &e.kind {
        ExprKind::Name(n) => Some(vec![n.clone()]),
        ExprKind::Index(b, i) => {
            let mut p = expr_path(b)?;
            p.push(i.as_str()?.to_string());
            Some(p)
        }
        ExprKind::Attr(b, a) => {
            let mut p = expr_path(b)?;
            p.push(a.clone());
            Some(p)
        }
        _ => None,
    }
}

fn is_converter(p: &[String]) -> bool {
    matches!(
        p.last().map(|s| s.trim_end_matches("()")),
        Some(
            "from"
                | "encode"
                | "decode"
                | "fromhex"
                | "bytes"
                | "bytearray"
                | "str"
                | "String"
                | "toString"
        )
    )
}

/// An option-object key in any argument: `{ rejectUnauthorized: false }`.
fn dict_key<'c>(c: &'c Call, n: &str) -> Option<(usize, &'c Expr)> {
    for (i, a) in c.args.iter().enumerate() {
        if let ExprKind::Dict(kv) = &a.value.kind {
            for (k, v) in kv {
                if let Some(Expr {
                    kind: ExprKind::Str(key),
                    ..
                }) = k
                {
                    if key == n {
                        return Some((usize::MAX - i, v));
                    }
                }
            }
        }
    }
    None
}

fn find_arg_ref<'c>(c: &'c Call, r: &rules::ArgRef) -> Option<(usize, &'c Expr)> {
    for n in &r.names {
        if let Some((i, a)) = c
            .args
            .iter()
            .enumerate()
            .find(|(_, a)| a.name.as_deref() == Some(n.as_str()))
        {
            return Some((i, &a.value));
        }
    }
    let mut pos = 0;
    for (i, a) in c.args.iter().enumerate() {
        if a.name.is_some() || a.splat {
            continue;
        }
        if r.positions.contains(&pos) {
            return Some((i, &a.value));
        }
        pos += 1;
    }
    for n in &r.names {
        if let Some((i, e)) = dict_key(c, n) {
            return Some((i, e));
        }
    }
    None
}

/// The value of an argument found by [`find_arg_ref`]: evaluated for real arguments, read from the literal for
/// option-object entries.
fn arg_val(args: &[Val], i: usize, e: &Expr) -> Val {
    args.get(i).cloned().unwrap_or_else(|| literal_val(e))
}

fn literal_val(e: &Expr) -> Val {
    match &e.kind {
        ExprKind::Str(s) => Val {
            konst: Some(Konst::Str(Rc::from(s.as_str()))),
            ..Val::default()
        },
        ExprKind::Bool(b) => Val {
            konst: Some(Konst::Bool(*b)),
            ..Val::default()
        },
        ExprKind::Null => Val {
            konst: Some(Konst::Null),
            ..Val::default()
        },
        _ => Val::default(),
    }
}

/// Whether an argument matches a value spec. Arguments found inside option objects carry an index past the
/// argument list; their value is read from the literal.
fn value_matches(spec: &ValueSpec, e: &Expr, v: &Val, eng: &Engine) -> bool {
    let lit;
    let v = if v == &Val::default() {
        lit = literal_val(e);
        &lit
    } else {
        v
    };
    match spec {
        ValueSpec::Text(re) => {
            let s = eng
                .src
                .get(e.span.start as usize..e.span.end as usize)
                .unwrap_or_default();
            re.is_match(&String::from_utf8_lossy(s))
        }
        ValueSpec::Path(p) => match expr_path(e) {
            Some(path) => {
                // Resolve the root through imports.
                let mut full = match eng.imports.get(path[0].as_str()) {
                    Some(i) => i.path.clone(),
                    None => vec![path[0].clone()],
                };
                full.extend(path[1..].iter().cloned());
                p.matches(&full) || p.matches(&path)
            }
            None => false,
        },
        _ => value_matches_val(spec, v, eng),
    }
}

fn value_matches_val(spec: &ValueSpec, v: &Val, _eng: &Engine) -> bool {
    match spec {
        ValueSpec::Bool(b) => v.konst == Some(Konst::Bool(*b)),
        ValueSpec::Null => v.konst == Some(Konst::Null),
        ValueSpec::Any => true,
        ValueSpec::Const => v.is_const(),
        ValueSpec::Str(s) => {
            matches!(&v.konst, Some(Konst::Str(x)) if &**x == s.as_str()) && v.t.is_none()
        }
        ValueSpec::Re(re) => {
            matches!(&v.konst, Some(Konst::Str(x)) if re.is_match(x)) && v.t.is_none()
        }
        ValueSpec::Text(_) | ValueSpec::Path(_) => false,
    }
}

/// Calls after which the code does not go on: `abort(400)`, `sys.exit()`, `panic(...)`, `log.Fatal(...)`.
fn is_exit_call(callee: &Expr) -> bool {
    let name = match &callee.kind {
        ExprKind::Name(n) => n.as_str(),
        ExprKind::Attr(_, a) => a.as_str(),
        _ => return false,
    };
    matches!(
        name,
        "abort" | "exit" | "_exit" | "panic" | "Fatal" | "Fatalf" | "Fatalln" | "Exit" | "Abort"
    )
}

/// Whether a function name says it validates its argument (`is_safe_path`, `isValidHost`, `validate_name`,
/// `allowed`).
fn is_validator_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('_', "");
    [
        "isvalid",
        "issafe",
        "isallowed",
        "ispermitted",
        "allowed",
        "validate",
        "isinallowlist",
        "whitelisted",
        "allowlisted",
        "isalnum",
        "isdigit",
        "isnumeric",
        "isdecimal",
        "isalpha",
        "isidentifier",
        "isrelativeto",
        "fullmatch",
        "matchstring",
        "isuuid",
        "isemail",
        "isint",
        "isurl",
    ]
    .iter()
    .any(|p| n.starts_with(p))
        || matches!(
            n.as_str(),
            "match" | "test" | "has" | "includes" | "startswith" | "contains"
        )
}

/// The variables a condition validates, and whether they are safe where the condition holds (`true`) or where
/// it fails (`false`): `x in ALLOWED` → x safe when true; `not RE.match(x)` → x safe when false.
fn guards_of(e: &Expr, holds: bool) -> Vec<(String, bool)> {
    let var = |e: &Expr| -> Option<String> {
        match &e.kind {
            ExprKind::Name(n) => Some(n.clone()),
            ExprKind::Attr(b, a) => match &b.kind {
                ExprKind::Name(n) => Some(format!("{n}.{a}")),
                _ => None,
            },
            _ => None,
        }
    };
    match &e.kind {
        ExprKind::Not(a) => guards_of(a, !holds),
        ExprKind::Binary(op, a, b) => match op.as_str() {
            "and" if holds => {
                let mut g = guards_of(a, true);
                g.extend(guards_of(b, true));
                g
            }
            "in" => var(a).map(|n| vec![(n, holds)]).unwrap_or_default(),
            "not in" => var(a).map(|n| vec![(n, !holds)]).unwrap_or_default(),
            "==" | "===" | "is" if b.as_str().is_some() => {
                var(a).map(|n| vec![(n, holds)]).unwrap_or_default()
            }
            "!=" | "!==" | "is not" if b.as_str().is_some() => {
                var(a).map(|n| vec![(n, !holds)]).unwrap_or_default()
            }
            // `net.ParseIP(x) == nil`, `parse(x) is None`: x parsed as a strict type where the result is not nil.
            "==" | "!=" | "is" | "is not" if matches!(b.kind, ExprKind::Null) => match &a.kind {
                ExprKind::Call(c) => {
                    let name = match &c.callee.kind {
                        ExprKind::Name(n) => n.as_str(),
                        ExprKind::Attr(_, m) => m.as_str(),
                        _ => "",
                    };
                    let lower = name.to_ascii_lowercase();
                    if !(lower.starts_with("parse")
                        || lower.starts_with("valid")
                        || lower.starts_with("ip_address"))
                    {
                        return Vec::new();
                    }
                    let ok_when = matches!(op.as_str(), "!=" | "is not");
                    c.args
                        .iter()
                        .filter_map(|x| var(&x.value))
                        .map(|n| (n, if ok_when { holds } else { !holds }))
                        .collect()
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        },
        ExprKind::Call(c) => {
            let name = match &c.callee.kind {
                ExprKind::Name(n) => n.as_str(),
                ExprKind::Attr(_, m) => m.as_str(),
                _ => return Vec::new(),
            };
            if !is_validator_name(name) {
                return Vec::new();
            }
            let mut out = Vec::new();
            // `x.isdigit()`, `path.is_relative_to(root)`: the receiver; `RE.match(x)`, `ALLOWED.includes(x)`,
            // `is_safe(x)`: the arguments.
            if let ExprKind::Attr(r, _) = &c.callee.kind {
                if c.args.is_empty()
                    || matches!(
                        name,
                        "is_relative_to" | "startswith" | "startsWith" | "HasPrefix"
                    )
                {
                    if let Some(n) = var(r) {
                        out.push((n, holds));
                    }
                }
            }
            for a in &c.args {
                if let Some(n) = var(&a.value) {
                    out.push((n, holds));
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Clears the data of validated variables in the arm where their validation passed.
fn apply_guards(guards: &[(String, bool)], then_arm: bool, env: &mut Env) {
    for (name, holds) in guards {
        if *holds == then_arm {
            if let Some(v) = env.get_mut(name.as_str()) {
                v.t = None;
            } else {
                env.insert(name.as_str().into(), Val::default());
            }
        }
    }
}

/// Arithmetic and comparisons: folded when both sides are constants; comparisons carry no data.
fn binary(op: &str, a: &Val, b: &Val) -> Val {
    let konst = match (&a.konst, &b.konst) {
        (Some(Konst::Int(x)), Some(Konst::Int(y))) if a.t.is_none() && b.t.is_none() => match op {
            "+" => x.checked_add(*y).map(Konst::Int),
            "-" => x.checked_sub(*y).map(Konst::Int),
            "*" => x.checked_mul(*y).map(Konst::Int),
            "//" | "/" if *y != 0 && x % y == 0 => Some(Konst::Int(x / y)),
            "%" if *y != 0 => Some(Konst::Int(x % y)),
            "<" => Some(Konst::Bool(x < y)),
            "<=" => Some(Konst::Bool(x <= y)),
            ">" => Some(Konst::Bool(x > y)),
            ">=" => Some(Konst::Bool(x >= y)),
            "==" | "===" => Some(Konst::Bool(x == y)),
            "!=" | "!==" => Some(Konst::Bool(x != y)),
            _ => None,
        },
        // b"\x00" * 16: a repeated constant is still a constant (a zero IV, a fixed salt).
        (Some(Konst::Str(x)), Some(Konst::Int(n))) | (Some(Konst::Int(n)), Some(Konst::Str(x)))
            if op == "*" && a.t.is_none() && b.t.is_none() && (0..=4096).contains(n) =>
        {
            Some(Konst::Str(Rc::from(x.repeat(*n as usize).as_str())))
        }
        (Some(Konst::Str(x)), Some(Konst::Str(y))) if a.t.is_none() && b.t.is_none() => match op {
            "==" | "===" => Some(Konst::Bool(x == y)),
            "!=" | "!==" => Some(Konst::Bool(x != y)),
            _ => None,
        },
        (Some(x), Some(y)) if op == "and" => match (x.truthy(), y.truthy()) {
            (Some(p), Some(q)) => Some(Konst::Bool(p && q)),
            (Some(false), _) | (_, Some(false)) => Some(Konst::Bool(false)),
            _ => None,
        },
        _ => None,
    };
    let comparison = matches!(
        op,
        "<" | "<="
            | ">"
            | ">="
            | "=="
            | "==="
            | "!="
            | "!=="
            | "in"
            | "not in"
            | "is"
            | "is not"
            | "and"
    );
    if comparison {
        return Val {
            konst,
            ..Val::default()
        };
    }
    let mut v = Val::data(a.join(&Val::data(b.t.clone())).t);
    v.konst = konst;
    if op == "|" {
        // `prompt | llm | parser`: a LangChain pipeline is driven through its first step's object.
        v.ty = a.ty.clone();
    }
    v
}

/// `d["k"]` / `xs[1]` of a literal whose entries are known.
fn element(base: &Val, idx: &Val) -> Option<Val> {
    match &idx.konst {
        Some(Konst::Str(k)) => {
            let f = base.fields.as_ref()?;
            f.iter()
                .rev()
                .find(|(key, _)| key.as_str() == &**k)
                .map(|(_, v)| v.clone())
        }
        Some(Konst::Int(i)) => {
            let e = base.elems.as_ref()?;
            let i = if *i < 0 { e.len() as i64 + i } else { *i };
            e.get(usize::try_from(i).ok()?).cloned()
        }
        _ => None,
    }
}

/// The named entries of an options argument: an object/dict literal or a Go composite literal.
fn options_of(e: &Expr) -> Vec<(String, &Expr)> {
    match &e.kind {
        ExprKind::Dict(kv) => kv
            .iter()
            .filter_map(|(k, v)| match k {
                Some(Expr {
                    kind: ExprKind::Str(key),
                    ..
                }) => Some((key.clone(), v)),
                _ => None,
            })
            .collect(),
        ExprKind::Call(c) if c.construct => c
            .args
            .iter()
            .filter_map(|a| a.name.as_ref().map(|n| (n.clone(), &a.value)))
            .collect(),
        _ => Vec::new(),
    }
}
