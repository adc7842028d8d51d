//! Which globals a pickle may reference: an allowlist of what real model files need, a denylist of
//! callables that execute code or reach the system, and everything else "unknown".
//!
//! The rules are data ([`RULES`]), each with the reason it exists. Lessons from the bypass history of
//! picklescan, modelscan and fickling shape the matching:
//! - Python 2 module names are normalised first (`__builtin__` → `builtins`, `copy_reg` → `copyreg`,
//!   `cPickle` → `pickle`): the unpickler maps them the same way.
//! - A whole-module rule covers its submodules (`os` covers `os.path`), and private interpreter modules
//!   (a top-level name starting with `_`, such as `_posixsubprocess`, `_io`, `_interpreters`) are dangerous
//!   unless allowlisted: they are the C halves of the dangerous public modules.
//! - From protocol 4 a name may be a dotted path (`find_class` walks it with `getattr`), so
//!   `torch.serialization` + `os.system` reaches `os.system` through the module's own import. A dotted
//!   name is never safe; it is dangerous when it walks through a dunder (`__globals__`, `__builtins__`) or
//!   when any suffix of the path names a dangerous module.
//! - An unresolved (`Dynamic`) import is dangerous: its strings were computed at load time.

use crate::pickle::{Call, Callee, Reference};

/// How much a referenced global is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Needed by real model files and unable to run code of the pickle's choosing.
    Safe,
    /// Not known either way. `known_library` names the ML library it belongs to, for a lower severity.
    Unknown {
        /// The library (e.g. `sklearn`), when the module belongs to a well-known ML library.
        known_library: Option<&'static str>,
    },
    /// Executes code, reaches the system (processes, files, network), or is a gadget that does.
    Dangerous,
}

/// A verdict and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in a few words (from the rule that matched).
    pub reason: &'static str,
}

/// Which names of a module a rule covers.
#[derive(Debug, Clone, Copy)]
pub enum Names {
    /// Every name in the module and in its submodules.
    All,
    /// Exactly these names in exactly this module.
    Only(&'static [&'static str]),
}

/// One policy rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The module (normalised).
    pub module: &'static str,
    /// The names covered.
    pub names: Names,
    /// `Safe` or `Dangerous`.
    pub dangerous: bool,
    /// Why.
    pub reason: &'static str,
}

const fn deny_all(module: &'static str, reason: &'static str) -> Rule {
    Rule {
        module,
        names: Names::All,
        dangerous: true,
        reason,
    }
}

const fn deny(module: &'static str, names: &'static [&'static str], reason: &'static str) -> Rule {
    Rule {
        module,
        names: Names::Only(names),
        dangerous: true,
        reason,
    }
}

const fn allow(module: &'static str, names: &'static [&'static str], reason: &'static str) -> Rule {
    Rule {
        module,
        names: Names::Only(names),
        dangerous: false,
        reason,
    }
}

const TORCH_STORAGES: &[&str] = &[
    "FloatStorage",
    "DoubleStorage",
    "HalfStorage",
    "BFloat16Storage",
    "LongStorage",
    "IntStorage",
    "ShortStorage",
    "CharStorage",
    "ByteStorage",
    "BoolStorage",
    "ComplexFloatStorage",
    "ComplexDoubleStorage",
    "QUInt8Storage",
    "QInt8Storage",
    "QInt32Storage",
    "QUInt4x2Storage",
    "QUInt2x4Storage",
    "UntypedStorage",
    "Size",
    "device",
    "dtype",
    "float32",
    "float64",
    "float16",
    "bfloat16",
    "int64",
    "int32",
    "int16",
    "int8",
    "uint8",
    "bool",
    "complex64",
    "complex128",
    "float",
    "double",
    "half",
    "long",
    "int",
    "short",
    "strided",
    "sparse_coo",
    "contiguous_format",
    "channels_last",
    "preserve_format",
];

const NUMPY_RECONSTRUCT: &[&str] = &["_reconstruct", "scalar", "_frombuffer"];

/// The rules. Order does not matter: the most specific match wins (an exact-name rule over a
/// whole-module rule, a longer module over a shorter one), and `Dangerous` wins a tie.
pub const RULES: &[Rule] = &[
    // --- Allowlist: what real model files need. Each either rebuilds data or builds a plain container;
    // any callable they are handed is itself a global the pickle must reference, and is judged on its own.
    allow(
        "torch._utils",
        &[
            "_rebuild_tensor",
            "_rebuild_tensor_v2",
            "_rebuild_tensor_v3",
            "_rebuild_parameter",
            "_rebuild_parameter_with_state",
            "_rebuild_qtensor",
            "_rebuild_sparse_tensor",
            "_rebuild_nested_tensor",
            "_rebuild_device_tensor_from_numpy",
            "_rebuild_meta_tensor_no_storage",
            "_rebuild_wrapper_subclass",
            "_rebuild_sparse_csr_tensor",
        ],
        "PyTorch tensor rebuild helper",
    ),
    // _rebuild_from_type_v2(func, type, args, state) calls `func`, which the pickle must name as a global.
    allow(
        "torch._tensor",
        &["_rebuild_from_type", "_rebuild_from_type_v2"],
        "PyTorch tensor subclass rebuild",
    ),
    allow(
        "torch.nn.parameter",
        &[
            "Parameter",
            "_rebuild_parameter",
            "_rebuild_parameter_with_state",
        ],
        "PyTorch parameter",
    ),
    allow(
        "torch",
        TORCH_STORAGES,
        "PyTorch storage type, size, device or dtype",
    ),
    allow(
        "torch.storage",
        &["TypedStorage", "UntypedStorage"],
        "PyTorch storage type",
    ),
    allow(
        "torch.serialization",
        &["_get_layout"],
        "PyTorch layout lookup",
    ),
    allow(
        "torch.jit._pickle",
        &[
            "build_intlist",
            "build_tensorlist",
            "build_doublelist",
            "build_boollist",
            "build_tensor_from_id",
            "restore_type_tag",
        ],
        "TorchScript list and tensor rebuild helper",
    ),
    allow(
        "collections",
        &["OrderedDict", "Counter", "deque"],
        "plain container",
    ),
    // defaultdict stores a factory and calls it only on a missing key, which needs a getitem gadget
    // (operator.getitem, ...) that is denied; the factory itself is a global judged on its own.
    allow(
        "collections",
        &["defaultdict"],
        "container with a factory (the factory is judged separately)",
    ),
    allow(
        "numpy.core.multiarray",
        NUMPY_RECONSTRUCT,
        "numpy array reconstruction",
    ),
    allow(
        "numpy._core.multiarray",
        NUMPY_RECONSTRUCT,
        "numpy array reconstruction",
    ),
    allow(
        "numpy.core.numeric",
        &["_frombuffer"],
        "numpy array reconstruction",
    ),
    allow(
        "numpy._core.numeric",
        &["_frombuffer"],
        "numpy array reconstruction",
    ),
    allow(
        "numpy",
        &[
            "ndarray",
            "dtype",
            "bool_",
            "float16",
            "float32",
            "float64",
            "int8",
            "int16",
            "int32",
            "int64",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
            "complex64",
            "complex128",
        ],
        "numpy array or dtype",
    ),
    // joblib's wrappers only describe an array whose bytes follow in the file (read by the pickle reader,
    // which skips them), or name a sibling file for joblib < 0.10.
    allow(
        "joblib.numpy_pickle",
        &["NumpyArrayWrapper", "NDArrayWrapper", "ZNDArrayWrapper"],
        "joblib array wrapper",
    ),
    allow(
        "sklearn.externals.joblib.numpy_pickle",
        &["NumpyArrayWrapper", "NDArrayWrapper", "ZNDArrayWrapper"],
        "joblib array wrapper",
    ),
    allow(
        "numpy.ma.core",
        &["_mareconstruct", "MaskedArray"],
        "numpy masked array reconstruction",
    ),
    allow(
        "builtins",
        &[
            "set",
            "frozenset",
            "bytearray",
            "bytes",
            "slice",
            "complex",
            "range",
            "int",
            "float",
            "str",
            "bool",
            "dict",
            "list",
            "tuple",
            "object",
        ],
        "builtin data type",
    ),
    // _codecs.encode turns a str into bytes for protocol 2 pickles of bytes; codecs are data transforms.
    allow("_codecs", &["encode"], "bytes from a protocol 2 pickle"),
    allow("codecs", &["encode"], "bytes from a protocol 2 pickle"),
    // _reconstructor(cls, base, state) creates cls via base.__new__; cls and base are globals judged
    // separately. __newobj__ is what protocol 2 NEWOBJ stands for.
    allow(
        "copyreg",
        &["_reconstructor", "__newobj__", "__newobj_ex__"],
        "object reconstruction",
    ),
    allow("uuid", &["UUID", "SafeUUID"], "UUID value"),
    allow(
        "datetime",
        &["datetime", "date", "time", "timedelta", "timezone"],
        "date/time value",
    ),
    allow("decimal", &["Decimal"], "decimal value"),
    allow("fractions", &["Fraction"], "fraction value"),
    // --- Denylist: builtins.
    deny(
        "builtins",
        &[
            "eval",
            "exec",
            "execfile",
            "compile",
            "__import__",
            "reload",
        ],
        "runs code",
    ),
    // getattr/setattr/delattr walk or rewrite any object: getattr(module, "system") reaches os.system.
    deny(
        "builtins",
        &[
            "getattr",
            "setattr",
            "delattr",
            "globals",
            "locals",
            "vars",
            "__build_class__",
        ],
        "attribute gadget (reaches or rewrites any object)",
    ),
    deny(
        "builtins",
        &[
            "open",
            "file",
            "input",
            "raw_input",
            "breakpoint",
            "help",
            "exit",
            "quit",
            "apply",
            "memoryview",
        ],
        "file/terminal access, debugger or indirect call",
    ),
    // --- Denylist: processes, code, interpreter state.
    deny_all(
        "os",
        "process, file and environment access (os.path included: no model needs it)",
    ),
    deny_all("posix", "os on POSIX"),
    deny_all("nt", "os on Windows"),
    deny_all("subprocess", "runs processes"),
    deny_all("commands", "Python 2 subprocess"),
    deny_all("popen2", "Python 2 subprocess"),
    deny_all("pty", "pty.spawn runs processes"),
    deny_all(
        "platform",
        "runs helper commands (platform.popen, _syscmd_*)",
    ),
    deny_all("sys", "interpreter state (sys.modules, setprofile, exit)"),
    deny_all(
        "runpy",
        "runs modules and code (_run_code, _run_module_code)",
    ),
    deny_all(
        "importlib",
        "imports any module: every denylist entry is one call away",
    ),
    deny_all("imp", "imports any module"),
    deny_all("zipimport", "imports code from archives"),
    deny_all(
        "pkgutil",
        "imports by name (resolve_name reaches any attribute)",
    ),
    deny_all("pydoc", "pydoc.locate imports by name; pagers run commands"),
    deny_all("site", "site.addsitedir executes .pth files"),
    deny_all("code", "interactive interpreter runs code"),
    deny_all("codeop", "compiles code"),
    deny_all("marshal", "loads code objects"),
    deny_all("pickle", "nested unpickling"),
    deny_all("shelve", "pickle-backed storage"),
    deny_all("dill", "unpickles code"),
    deny_all(
        "cloudpickle",
        "rebuilds functions from code (_make_function, subimport)",
    ),
    deny_all("jsonpickle", "unpickles arbitrary objects"),
    deny(
        "yaml",
        &[
            "load",
            "load_all",
            "unsafe_load",
            "unsafe_load_all",
            "full_load",
            "full_load_all",
        ],
        "YAML object construction",
    ),
    deny_all("ctypes", "raw memory and native calls"),
    deny_all("cffi", "native calls"),
    deny_all("gc", "reaches every live object"),
    deny_all("inspect", "frame and object introspection"),
    deny(
        "types",
        &[
            "FunctionType",
            "LambdaType",
            "CodeType",
            "MethodType",
            "CellType",
            "ModuleType",
            "BuiltinFunctionType",
        ],
        "builds functions or code objects",
    ),
    deny_all(
        "uuid",
        "private helpers run commands (_get_command_stdout, _popen, _ifconfig_getnode)",
    ),
    deny_all("multiprocessing", "runs processes"),
    deny_all("concurrent", "process and thread pools run callables"),
    deny_all("threading", "Thread(target=...).start() runs callables"),
    deny_all("signal", "installs handlers, sends signals"),
    deny_all("atexit", "registers callables to run at exit"),
    deny_all(
        "asyncio",
        "subprocesses and network (create_subprocess_shell, _UnixSubprocessTransport)",
    ),
    // tempfile creates files and directories on disk; no model needs that.
    deny_all("tempfile", "creates files on disk"),
    deny_all("shutil", "copies, moves and deletes files"),
    deny_all("io", "opens files (io.open, FileIO)"),
    deny("codecs", &["open", "EncodedFile"], "opens files"),
    deny_all("fileinput", "reads and rewrites files"),
    deny_all("linecache", "reads arbitrary files"),
    deny("logging", &["FileHandler"], "creates files"),
    deny_all("logging.handlers", "files, sockets and subprocess handlers"),
    deny_all(
        "logging.config",
        "logging.config.listen/fileConfig evaluate configuration",
    ),
    deny_all(
        "sqlite3",
        "creates database files; load_extension loads native code",
    ),
    deny_all("mailcap", "findmatch runs the entry's test command"),
    deny_all("webbrowser", "opens URLs and runs browsers"),
    // --- Denylist: debuggers, profilers and tooling that execute strings.
    deny_all("pdb", "debugger runs code"),
    deny_all("bdb", "debugger runs code"),
    deny_all("profile", "run/runctx exec strings"),
    deny_all("cProfile", "run/runctx exec strings"),
    deny_all("trace", "Trace.run/runctx exec strings"),
    deny_all("timeit", "timeit exec strings"),
    deny_all("doctest", "debug_script runs code"),
    deny_all("idlelib", "IDLE runs code"),
    deny_all("lib2to3", "grammar loading unpickles"),
    deny_all("distutils", "file writes and compilers"),
    deny_all("setuptools", "builds and runs code"),
    deny_all("pip", "installs packages"),
    deny_all("venv", "creates environments, runs pip"),
    deny_all("ensurepip", "runs pip"),
    deny_all("test", "test.support spawns interpreters"),
    // --- Denylist: network.
    deny_all("socket", "network"),
    deny_all("ssl", "network (get_server_certificate exfiltrates)"),
    deny_all("socketserver", "network"),
    deny_all("http", "network (http.client, http.server)"),
    deny_all("httplib", "network"),
    deny_all("urllib.request", "network"),
    deny(
        "urllib",
        &["urlopen", "urlretrieve", "URLopener", "FancyURLopener"],
        "Python 2 network",
    ),
    deny_all("urllib2", "network"),
    deny_all("urllib3", "network"),
    deny_all("requests", "network"),
    deny_all("httpx", "network"),
    deny_all("aiohttp", "network"),
    deny_all("ftplib", "network"),
    deny_all("smtplib", "network"),
    deny_all("poplib", "network"),
    deny_all("imaplib", "network (IMAP4_stream runs a command)"),
    deny_all("nntplib", "network"),
    deny_all("telnetlib", "network"),
    deny_all("xmlrpc", "network"),
    // --- Denylist: gadgets that turn data into calls or attribute walks.
    deny_all(
        "operator",
        "attrgetter/methodcaller/itemgetter/call reach and call any attribute",
    ),
    deny(
        "functools",
        &["partial", "partialmethod", "reduce", "singledispatch"],
        "wraps or repeatedly calls a callable",
    ),
    deny(
        "copyreg",
        &[
            "add_extension",
            "remove_extension",
            "clear_extension_cache",
            "pickle",
            "constructor",
        ],
        "rewrites unpickling state (EXT codes can then name any callable)",
    ),
    // --- Denylist: ML libraries' own loaders and code paths.
    deny("torch", &["load"], "nested torch.load (pickle)"),
    deny(
        "torch.serialization",
        &["load", "_load", "_legacy_load"],
        "nested torch.load (pickle)",
    ),
    deny(
        "torch.storage",
        &["_load_from_bytes"],
        "nested torch.load (pickle)",
    ),
    deny_all("torch.hub", "downloads and runs hubconf code"),
    deny_all("torch.package", "imports packaged code"),
    deny_all(
        "torch.utils.cpp_extension",
        "compiles and loads native code",
    ),
    deny_all(
        "torch._inductor",
        "compiles and runs code (codecache.compile_file)",
    ),
    deny_all("torch._dynamo", "guard evaluation runs code"),
    deny_all("torch.utils.collect_env", "runs commands"),
    deny_all("torch.utils.bottleneck", "profiles scripts"),
    deny_all("torch.utils._config_module", "load_config unpickles"),
    deny_all(
        "torch.utils.data.datapipes.utils.decoder",
        "decoders unpickle",
    ),
    deny_all(
        "torch.fx.experimental.symbolic_shapes",
        "evaluates guard expressions",
    ),
    deny_all("torch.jit.unsupported_tensor_ops", "execWrapper runs code"),
    deny("torch.jit", &["load"], "loads TorchScript code"),
    deny(
        "numpy",
        &[
            "load",
            "loads",
            "fromfile",
            "loadtxt",
            "genfromtxt",
            "memmap",
            "save",
            "savetxt",
        ],
        "file access or nested pickle",
    ),
    deny_all("numpy.f2py", "getlincoef/_eval_length eval strings"),
    deny_all("numpy.testing", "runstring execs"),
    deny_all("numpy.distutils", "compilers"),
    deny_all("numpy.ctypeslib", "loads native libraries"),
    deny("numpy.lib.npyio", &["load"], "nested pickle"),
    deny(
        "pandas",
        &["read_pickle", "eval", "read_csv", "read_json", "read_html"],
        "nested pickle, eval or file/network read",
    ),
    deny_all("pandas.io", "nested pickle and file/network readers"),
    deny_all("pandas.core.computation", "evaluates expressions"),
    deny("joblib", &["load"], "nested pickle"),
    deny("joblib.numpy_pickle", &["load"], "nested pickle"),
    deny("scipy.io", &["loadmat", "savemat"], "file access"),
];

/// Top-level modules of well-known ML libraries: unknown globals there are reported at a lower severity.
const KNOWN_LIBRARIES: &[&str] = &[
    "torch",
    "torchvision",
    "torchaudio",
    "torchtext",
    "numpy",
    "scipy",
    "sklearn",
    "xgboost",
    "lightgbm",
    "catboost",
    "pandas",
    "transformers",
    "tokenizers",
    "sentencepiece",
    "joblib",
    "tensorflow",
    "keras",
    "jax",
    "jaxlib",
    "flax",
    "optax",
    "timm",
    "lightning",
    "pytorch_lightning",
    "omegaconf",
    "fastai",
    "spacy",
    "gensim",
    "statsmodels",
    "safetensors",
    "accelerate",
    "peft",
    "diffusers",
    "huggingface_hub",
    "datasets",
    "einops",
    "onnx",
    "sentence_transformers",
    "pathlib",
];

/// Python 2 names the unpickler maps to Python 3 modules (`_compat_pickle`), plus spelling variants.
fn normalise_module(module: &str) -> &str {
    match module {
        "__builtin__" | "__builtins__" | "exceptions" => "builtins",
        "copy_reg" => "copyreg",
        "cPickle" | "_pickle" => "pickle",
        "_operator" => "operator",
        "_functools" => "functools",
        "_io" => "io",
        "_socket" => "socket",
        "_thread" | "thread" | "dummy_thread" => "threading",
        "_posixsubprocess" => "subprocess",
        "_ctypes" => "ctypes",
        "_signal" => "signal",
        "_multiprocessing" => "multiprocessing",
        "_asyncio" => "asyncio",
        "cStringIO" | "StringIO" => "io",
        "httplib" => "http",
        other => other,
    }
}

/// Python 2 builtins that `_compat_pickle.NAME_MAPPING` renames when a protocol 0–2 pickle is loaded (a
/// pickle written by Python 3 with protocol 2 names `range` as `__builtin__.xrange`, `str` as `unicode`).
fn normalise_name<'a>(module: &'a str, name: &'a str) -> (&'a str, &'a str) {
    match (module, name) {
        ("builtins", "xrange") => ("builtins", "range"),
        ("builtins", "unicode" | "basestring") => ("builtins", "str"),
        ("builtins", "long") => ("builtins", "int"),
        ("builtins", "unichr") => ("builtins", "chr"),
        ("builtins", "raw_input") => ("builtins", "input"),
        ("builtins", "reduce") => ("functools", "reduce"),
        ("builtins", "intern") => ("sys", "intern"),
        ("builtins", "execfile") => ("builtins", "exec"),
        ("itertools", "izip") => ("builtins", "zip"),
        ("itertools", "imap") => ("builtins", "map"),
        ("itertools", "ifilter") => ("builtins", "filter"),
        ("UserDict", "UserDict") | ("UserDict", "IterableUserDict") => ("collections", "UserDict"),
        ("UserList", "UserList") => ("collections", "UserList"),
        _ => (module, name),
    }
}

fn covers(rule_module: &str, module: &str) -> bool {
    module == rule_module
        || (module.len() > rule_module.len()
            && module.starts_with(rule_module)
            && module.as_bytes().get(rule_module.len()) == Some(&b'.'))
}

/// Specificity of a rule match: exact-name rules beat module rules; longer modules beat shorter ones.
fn rule_match(module: &str, name: &str) -> Option<&'static Rule> {
    let mut best: Option<(&'static Rule, (bool, usize, bool))> = None;
    for rule in RULES {
        let hit = match rule.names {
            Names::Only(names) => module == rule.module && names.contains(&name),
            Names::All => covers(rule.module, module),
        };
        if !hit {
            continue;
        }
        let rank = (
            matches!(rule.names, Names::Only(_)),
            rule.module.len(),
            rule.dangerous,
        );
        if best.is_none_or(|(_, r)| rank > r) {
            best = Some((rule, rank));
        }
    }
    best.map(|(rule, _)| rule)
}

/// The most specific whole-module rule covering `module`.
fn module_rule(module: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .filter(|r| matches!(r.names, Names::All) && covers(r.module, module))
        .max_by_key(|r| (r.module.len(), r.dangerous))
}

fn is_dunder(part: &str) -> bool {
    part.len() > 4 && part.starts_with("__") && part.ends_with("__")
}

fn unknown(module: &str, reason: &'static str) -> Classification {
    let top = module.split('.').next().unwrap_or(module);
    let known_library = KNOWN_LIBRARIES.iter().copied().find(|lib| *lib == top);
    Classification {
        verdict: Verdict::Unknown { known_library },
        reason,
    }
}

const fn dangerous(reason: &'static str) -> Classification {
    Classification {
        verdict: Verdict::Dangerous,
        reason,
    }
}

/// Classifies `module.name` as `find_class` would resolve it.
pub fn classify(module: &str, name: &str) -> Classification {
    let module = normalise_module(module.trim());
    let (module, name) = normalise_name(module, name.trim());
    if module.is_empty() || name.is_empty() {
        return dangerous("empty module or name (malformed import)");
    }
    if name.contains('.') {
        return classify_dotted(module, name);
    }
    if let Some(rule) = rule_match(module, name) {
        let verdict = if rule.dangerous {
            Verdict::Dangerous
        } else {
            Verdict::Safe
        };
        return Classification {
            verdict,
            reason: rule.reason,
        };
    }
    if is_dunder(name) {
        return dangerous("module dunder attribute (__builtins__, __loader__, ...)");
    }
    // `posixpath.os`, `torch.serialization.sys`: a dangerous module reached as another module's attribute,
    // a stepping stone to its functions.
    if module_rule(normalise_module(name)).is_some_and(|r| r.dangerous) {
        return dangerous("a dangerous module reached as another module's attribute");
    }
    // TorchScript archives name their compiled classes `__torch__.…`; their code (in the archive's `code/`)
    // runs in the TorchScript interpreter, not as Python: known to torch, reported low.
    if module == "__torch__" || module.starts_with("__torch__.") {
        return Classification {
            verdict: Verdict::Unknown {
                known_library: Some("torch"),
            },
            reason: "TorchScript class: its TorchScript code in the archive runs when loaded with torch.jit.load",
        };
    }
    // `__main__` holds the training script's own classes in many legitimate full-model pickles.
    if module.starts_with('_') && module != "__main__" {
        return dangerous("private interpreter module");
    }
    unknown(module, "not on the allowlist")
}

/// A dotted name is an attribute walk from the module: never safe, dangerous if it passes a dunder or any
/// suffix of `module.name` names a dangerous global.
fn classify_dotted(module: &str, name: &str) -> Classification {
    let parts: Vec<&str> = name.split('.').collect();
    if parts.iter().any(|p| p.is_empty() || is_dunder(p)) {
        return dangerous("attribute walk through a dunder or empty name");
    }
    let Some((last, walk)) = parts.split_last() else {
        return dangerous("empty name");
    };
    // The object reached is `last` on `module.walk...`; the walk may re-enter any module the code
    // imported, so try every suffix of the path as a module.
    let full: Vec<&str> = module.split('.').chain(walk.iter().copied()).collect();
    for start in 0..full.len() {
        let candidate = full[start..].join(".");
        let c = classify(&candidate, last);
        if c.verdict == Verdict::Dangerous {
            return c;
        }
        // The walk passing through a dangerous module object is dangerous even for a harmless last name.
        if module_rule(normalise_module(&candidate)).is_some_and(|r| r.dangerous) {
            return dangerous("attribute walk through a dangerous module");
        }
    }
    unknown(module, "dotted attribute path")
}

/// Classifies any reference a pickle makes.
pub fn classify_reference(reference: &Reference) -> Classification {
    match reference {
        Reference::Global(g) => classify(&g.module, &g.name),
        // EXT codes resolve only through copyreg's registry, which is empty unless filled earlier (and
        // filling it is denied): unknown.
        Reference::Extension(_) => Classification {
            verdict: Verdict::Unknown {
                known_library: None,
            },
            reason: "extension code with no known registry",
        },
        Reference::Dynamic { .. } => dangerous("import computed at load time"),
    }
}

/// Classifies a call. For `BUILD`, `SETITEM(S)`, `APPEND(S)` and `ADDITEMS` the code that runs belongs
/// to the object's class; an object returned directly by a callable (`collections.OrderedDict()`, a
/// tensor rebuilt by `torch._utils._rebuild_tensor_v2`) is judged as that callable.
pub fn classify_call(call: &Call) -> Classification {
    use crate::pickle::Opcode as O;
    let on_object = matches!(
        call.opcode,
        O::Build | O::SetItem | O::SetItems | O::Append | O::Appends | O::AddItems
    );
    match &call.callee {
        Callee::ResultOf {
            reference,
            depth: 1,
        } if on_object => classify_reference(reference),
        callee => classify_callee(callee),
    }
}

/// Classifies what a call invokes: a call on a value returned by a dangerous callable is dangerous
/// (`getattr(os, "system")(...)`); an unresolved callee is unknown.
pub fn classify_callee(callee: &Callee) -> Classification {
    match callee {
        Callee::Reference(r) | Callee::InstanceOf(r) => classify_reference(r),
        Callee::ResultOf { reference, .. } => {
            let c = classify_reference(reference);
            match c.verdict {
                Verdict::Dangerous => c,
                // Returned values of safe callables are tensors, containers or objects of classes the
                // pickle named; calling one is not something a model needs.
                _ => Classification {
                    verdict: Verdict::Unknown {
                        known_library: None,
                    },
                    reason: "call on a value returned by another call",
                },
            }
        }
        Callee::Unresolved => Classification {
            verdict: Verdict::Unknown {
                known_library: None,
            },
            reason: "callee not traceable",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(module: &str, name: &str) -> Verdict {
        classify(module, name).verdict
    }

    #[test]
    fn model_essentials_are_safe() {
        for (m, n) in [
            ("torch._utils", "_rebuild_tensor_v2"),
            ("torch._utils", "_rebuild_parameter"),
            ("torch._tensor", "_rebuild_from_type_v2"),
            ("torch", "FloatStorage"),
            ("torch", "BFloat16Storage"),
            ("torch", "Size"),
            ("collections", "OrderedDict"),
            ("collections", "defaultdict"),
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
            ("__builtin__", "set"),
            ("__builtin__", "xrange"),
            ("__builtin__", "unicode"),
            ("__builtin__", "long"),
            ("builtins", "frozenset"),
            ("_codecs", "encode"),
            ("copy_reg", "_reconstructor"),
            ("uuid", "UUID"),
        ] {
            assert_eq!(verdict(m, n), Verdict::Safe, "{m}.{n}");
        }
    }

    #[test]
    fn code_execution_and_system_access_are_dangerous() {
        for (m, n) in [
            ("posixpath", "os"),
            ("torch.serialization", "sys"),
            ("os", "system"),
            ("os.path", "join"),
            ("posix", "system"),
            ("nt", "system"),
            ("subprocess", "Popen"),
            ("_posixsubprocess", "fork_exec"),
            ("builtins", "eval"),
            ("__builtin__", "exec"),
            ("builtins", "getattr"),
            ("builtins", "__import__"),
            ("builtins", "open"),
            ("runpy", "_run_code"),
            ("runpy", "_run_module_code"),
            ("pty", "spawn"),
            ("socket", "create_connection"),
            ("webbrowser", "open"),
            ("importlib", "import_module"),
            ("importlib.util", "find_spec"),
            ("pkgutil", "resolve_name"),
            ("shutil", "rmtree"),
            ("sys", "modules"),
            ("ctypes", "CDLL"),
            ("code", "InteractiveInterpreter"),
            ("marshal", "loads"),
            ("cPickle", "loads"),
            ("_pickle", "loads"),
            ("dill._dill", "_create_code"),
            ("uuid", "_get_command_stdout"),
            ("asyncio.unix_events", "_UnixSubprocessTransport"),
            ("multiprocessing.util", "spawnv_passfds"),
            ("threading", "Thread"),
            ("signal", "signal"),
            ("tempfile", "mkdtemp"),
            ("requests.api", "get"),
            ("urllib.request", "urlopen"),
            ("http.client", "HTTPSConnection"),
            ("httplib", "HTTPConnection"),
            ("operator", "attrgetter"),
            ("_operator", "methodcaller"),
            ("functools", "partial"),
            ("functools", "reduce"),
            ("types", "CodeType"),
            ("types", "FunctionType"),
            ("copyreg", "add_extension"),
            ("_io", "FileIO"),
            ("_interpreters", "run_string"),
            ("mailcap", "findmatch"),
            ("numpy.f2py.crackfortran", "getlincoef"),
            ("numpy.testing._private.utils", "runstring"),
            ("torch.storage", "_load_from_bytes"),
            ("torch.serialization", "load"),
            ("torch._inductor.codecache", "compile_file"),
            ("pydoc", "locate"),
            ("timeit", "timeit"),
            ("cProfile", "run"),
            ("pip", "main"),
            ("platform", "popen"),
        ] {
            assert_eq!(verdict(m, n), Verdict::Dangerous, "{m}.{n}");
        }
    }

    #[test]
    fn dotted_names_walk_attributes() {
        // torch.serialization imports os: the walk reaches os.system.
        assert_eq!(
            verdict("torch.serialization", "os.system"),
            Verdict::Dangerous
        );
        assert_eq!(
            verdict("torch._utils", "_rebuild_tensor_v2.__globals__"),
            Verdict::Dangerous
        );
        assert_eq!(verdict("numpy", "testing.runstring"), Verdict::Dangerous);
        assert_eq!(verdict("some.module", "sys.modules"), Verdict::Dangerous);
        // numpy.prod.a after a BUILD: unknown, never safe.
        assert!(matches!(
            verdict("numpy", "prod.a"),
            Verdict::Unknown { .. }
        ));
        assert!(matches!(
            verdict("torch", "Size.x"),
            Verdict::Unknown { .. }
        ));
        assert_eq!(verdict("builtins", "__builtins__"), Verdict::Dangerous);
    }

    #[test]
    fn everything_else_is_unknown_and_ml_libraries_are_named() {
        assert_eq!(
            verdict("sklearn.linear_model._logistic", "LogisticRegression"),
            Verdict::Unknown {
                known_library: Some("sklearn")
            }
        );
        assert_eq!(
            verdict("xgboost.core", "Booster"),
            Verdict::Unknown {
                known_library: Some("xgboost")
            }
        );
        assert_eq!(
            verdict("__torch__.torch.nn.modules.linear", "Linear"),
            Verdict::Unknown {
                known_library: Some("torch")
            }
        );
        assert_eq!(verdict("torch.jit._pickle", "build_intlist"), Verdict::Safe);
        assert_eq!(
            verdict("mypackage", "Thing"),
            Verdict::Unknown {
                known_library: None
            }
        );
        assert_eq!(
            verdict("posixpath", "join"),
            Verdict::Unknown {
                known_library: None
            }
        );
        assert_eq!(
            verdict("builtins", "print"),
            Verdict::Unknown {
                known_library: None
            }
        );
        // a prefix is not a module: "osmosis" is not "os"
        assert_eq!(
            verdict("osmosis", "run"),
            Verdict::Unknown {
                known_library: None
            }
        );
        assert_eq!(verdict("", "x"), Verdict::Dangerous);
        assert_eq!(
            verdict("__main__", "MyModel"),
            Verdict::Unknown {
                known_library: None
            }
        );
    }

    #[test]
    fn references_and_callees() {
        let os_system = Reference::Global(crate::pickle::Global {
            module: "os".into(),
            name: "system".into(),
        });
        let od = Reference::Global(crate::pickle::Global {
            module: "collections".into(),
            name: "OrderedDict".into(),
        });
        assert_eq!(
            classify_reference(&Reference::Dynamic {
                module: None,
                name: None
            })
            .verdict,
            Verdict::Dangerous
        );
        assert!(matches!(
            classify_reference(&Reference::Extension(3)).verdict,
            Verdict::Unknown { .. }
        ));
        let call = |callee, opcode| Call {
            callee,
            offset: 0,
            opcode,
        };
        use crate::pickle::Opcode;
        assert_eq!(
            classify_call(&call(
                Callee::ResultOf {
                    reference: os_system.clone(),
                    depth: 2
                },
                Opcode::Reduce
            ))
            .verdict,
            Verdict::Dangerous
        );
        assert_eq!(
            classify_call(&call(
                Callee::ResultOf {
                    reference: od.clone(),
                    depth: 1
                },
                Opcode::SetItems
            ))
            .verdict,
            Verdict::Safe
        );
        assert!(matches!(
            classify_call(&call(
                Callee::ResultOf {
                    reference: od,
                    depth: 1
                },
                Opcode::Reduce
            ))
            .verdict,
            Verdict::Unknown { .. }
        ));
    }

    #[test]
    fn every_rule_is_reachable() {
        for rule in RULES {
            let name = match rule.names {
                Names::All => "anything",
                Names::Only(names) => names[0],
            };
            let c = classify(rule.module, name);
            let expected = if rule.dangerous {
                Verdict::Dangerous
            } else {
                Verdict::Safe
            };
            assert_eq!(
                c.verdict, expected,
                "{}.{name} ({})",
                rule.module, rule.reason
            );
        }
    }
}
