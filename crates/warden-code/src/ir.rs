//! The language-independent model every rule works on. Each language's lowering (`lower/*.rs`) turns a
//! tree-sitter tree into a [`Module`]: imports with their local names, functions with parameters and a body of
//! statements, and expressions reduced to what data flow and name resolution need. Rules never see a
//! language's node kinds, so one rule covers Python, JavaScript/TypeScript and Go.

use serde::{Deserialize, Serialize};

/// The languages the analyzer parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
    Go,
}

impl Lang {
    /// The language of a file, from its name.
    pub fn of_path(path: &str) -> Option<Lang> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "py" | "pyw" => Lang::Python,
            "js" | "mjs" | "cjs" | "jsx" => Lang::JavaScript,
            "ts" | "mts" | "cts" | "tsx" => Lang::TypeScript,
            "go" => Lang::Go,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
            Lang::TypeScript => "typescript",
            Lang::Go => "go",
        }
    }

    /// JavaScript and TypeScript share their models.
    pub fn family(self) -> Lang {
        match self {
            Lang::TypeScript => Lang::JavaScript,
            l => l,
        }
    }

    pub fn parse_name(s: &str) -> Option<Lang> {
        Some(match s {
            "python" | "py" => Lang::Python,
            "javascript" | "js" => Lang::JavaScript,
            "typescript" | "ts" => Lang::TypeScript,
            "go" => Lang::Go,
            _ => return None,
        })
    }
}

/// A 1-based span; columns count bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash)]
pub struct Span {
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
    /// Byte offsets into the file.
    pub start: u32,
    pub end: u32,
}

/// One file, lowered.
#[derive(Debug, Default)]
pub struct Module {
    pub imports: Vec<Import>,
    /// `funcs[0]` is the module's top-level code.
    pub funcs: Vec<Func>,
    /// Declared field types: (type, field, annotation), from Go structs and typed class fields.
    pub fields: Vec<(String, String, String)>,
}

/// A name an import binds, and what it stands for.
#[derive(Debug, Clone)]
pub struct Import {
    /// The local name (`sp` in `import subprocess as sp`); empty for imports that bind nothing (`import "x"`,
    /// `from x import *`).
    pub local: String,
    /// What the name stands for, as a path: `["subprocess"]`, `["os", "system"]`, `["child_process", "exec"]`,
    /// `["net/http"]`. JavaScript and Go module specifiers are one segment.
    pub path: Vec<String>,
    /// The module as written, relative imports resolved (`app.utils`, `./utils`, `os/exec`): for intent rules.
    pub module: String,
    /// `from X import a` binds `a` of module X.
    pub names: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    /// The annotation as written (`*http.Request`, `Request`, `str`).
    pub ty: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Func {
    /// `name`, `Class.name`, or `<lambda>`/`<module>`.
    pub name: String,
    pub class: Option<String>,
    pub params: Vec<Param>,
    pub decorators: Vec<Expr>,
    pub body: Vec<Stmt>,
    pub span: Span,
    /// Defined inside another function (a closure or callback): analysed where it appears, with the
    /// enclosing scope's variables.
    pub nested: bool,
}

#[derive(Debug, Clone)]
pub enum Stmt {
    /// `targets = value` (several targets for tuple unpacking and Go's `a, b :=`); `augmented` for `+=`.
    Assign {
        targets: Vec<Expr>,
        value: Expr,
        augmented: bool,
        span: Span,
    },
    Expr(Expr),
    Return(Option<Expr>, Span),
    /// Alternatives: `if`/`elif`/`else`, `try`/`except`, `switch` cases. `exhaustive` when one of them always
    /// runs (there is an `else`).
    Branch {
        arms: Vec<Vec<Stmt>>,
        exhaustive: bool,
        /// The condition that selects the first arm (`if`), when there is one: validations in it (`x in
        /// ALLOWED`, `RE.match(x)`) make `x` safe in the arm where they passed, and a constant condition
        /// selects one arm.
        cond: Option<Expr>,
    },
    Loop(Vec<Stmt>),
    /// `raise`, `throw`, `break`, `continue`, `panic(...)`: the rest of the block does not run.
    Exit(Span),
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Name(String),
    Attr(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Call(Box<Call>),
    /// A constant string (its value, unquoted, best effort).
    Str(String),
    /// A string built from literal text and values: f-strings, template literals, `"a" + x`, `"%s" % x`,
    /// `"{}".format(x)`, `fmt.Sprintf`. `literal` is the constant text joined.
    Interp {
        parts: Vec<Expr>,
        literal: String,
    },
    Num,
    /// An integer literal (for folding constant conditions, `(7 * 42) - 86 > 200`).
    Int(i64),
    /// Arithmetic and comparisons: `+ - * / // % < <= > >= == != in not in`.
    Binary(String, Box<Expr>, Box<Expr>),
    /// `a if cond else b`, `cond ? a : b`: (cond, a, b).
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `not x`, `!x`.
    Not(Box<Expr>),
    Bool(bool),
    Null,
    /// Lists, tuples, sets, arrays.
    Seq(Vec<Expr>),
    /// Dicts and object literals; `None` keys are spreads.
    Dict(Vec<(Option<Expr>, Expr)>),
    /// Any other operator: its value is made of its operands.
    Op(Vec<Expr>),
    /// A function expression (lambda, arrow function, closure): an index into [`Module::funcs`].
    Func(usize),
    /// `await x`, `(x)`, `x!`, `x as T`, `*x`, `&x`: the same value.
    Other,
}

#[derive(Debug, Clone)]
pub struct Call {
    pub callee: Expr,
    pub args: Vec<Arg>,
    /// `new X()` or a Go composite literal `X{...}`.
    pub construct: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Arg {
    /// Keyword arguments (`shell=True`) and Go composite-literal keys (`InsecureSkipVerify: true`).
    pub name: Option<String>,
    pub value: Expr,
    /// `*args`, `**kwargs`, `...args`.
    pub splat: bool,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }

    pub fn other(span: Span) -> Self {
        Expr {
            kind: ExprKind::Other,
            span,
        }
    }

    /// The constant string this expression is, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Visit this expression and every expression inside it (not inside nested functions).
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Attr(e, _) => e.walk(f),
            ExprKind::Index(a, b) => {
                a.walk(f);
                b.walk(f);
            }
            ExprKind::Call(c) => {
                c.callee.walk(f);
                for a in &c.args {
                    a.value.walk(f);
                }
            }
            ExprKind::Interp { parts, .. } | ExprKind::Seq(parts) | ExprKind::Op(parts) => {
                for p in parts {
                    p.walk(f);
                }
            }
            ExprKind::Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            ExprKind::Cond(c, a, b) => {
                c.walk(f);
                a.walk(f);
                b.walk(f);
            }
            ExprKind::Not(a) => a.walk(f),
            ExprKind::Dict(kv) => {
                for (k, v) in kv {
                    if let Some(k) = k {
                        k.walk(f);
                    }
                    v.walk(f);
                }
            }
            _ => {}
        }
    }
}

impl Stmt {
    /// Visit every expression of this statement and the statements inside it.
    pub fn walk_exprs<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        match self {
            Stmt::Assign { targets, value, .. } => {
                for t in targets {
                    t.walk(f);
                }
                value.walk(f);
            }
            Stmt::Expr(e) => e.walk(f),
            Stmt::Return(e, _) => {
                if let Some(e) = e {
                    e.walk(f)
                }
            }
            Stmt::Exit(_) => {}
            Stmt::Branch { arms, .. } => {
                for a in arms {
                    for s in a {
                        s.walk_exprs(f);
                    }
                }
            }
            Stmt::Loop(body) => {
                for s in body {
                    s.walk_exprs(f);
                }
            }
        }
    }
}
