//! The `model` analyzer on the scan seam: claims model files by their magic bytes (any size) as streams, runs
//! [`crate::scan::scan_file`] over them and turns each report item into a [`Finding`] on line 1, with the
//! callable or problem, the zip member and the byte offset in the message and in `ext["model"]`.

use crate::scan::{self, Item, ModelReport};
use crate::sniff::{self, Format};
use rayon::prelude::*;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use warden_core::{
    Analyzer, AnalyzerSetup, Claim, Confidence, Fact, Facts, FileMeta, FileOutput, Finding,
    FinishOutput, FinishScope, Location, Problem, RuleMeta, Severity, SourceFile,
};

/// The analyzer's name: rule-id prefix, `--only`/`--skip` name and `warden.toml` section.
pub const NAME: &str = "model";

const CWE_502: &str = "CWE-502";
const CWE_94: &str = "CWE-94";
const CWE_22: &str = "CWE-22";
const CWE_409: &str = "CWE-409";
const CWE_20: &str = "CWE-20";
const CWE_345: &str = "CWE-345";
const CWE_494: &str = "CWE-494";

/// (name, title, severity, cwe, description, remediation)
type RuleRow = (
    &'static str,
    &'static str,
    Severity,
    &'static [&'static str],
    &'static str,
    &'static str,
);

const LOAD_SAFELY: &str = "Do not load the file. Get the model from a trusted source and verify its signature; \
    prefer safetensors or GGUF for weights, and load pickles only with `torch.load(weights_only=True)` after a clean scan.";

const RULE_ROWS: &[RuleRow] = &[
    (
        "pickle-dangerous-callable",
        "Pickle calls a dangerous callable",
        Severity::Critical,
        &[CWE_502, CWE_94],
        "A pickle in the model references or calls a callable that executes code or reaches the system \
         (os/subprocess, builtins eval/exec/getattr, runpy, importlib, gadgets such as pkgutil.resolve_name). \
         Unpickling the file runs it: loading the model is running the attacker's code.",
        LOAD_SAFELY,
    ),
    (
        "pickle-unknown-callable",
        "Pickle references a callable on no allowlist",
        Severity::Medium,
        &[CWE_502],
        "A pickle in the model imports or calls a callable that is neither on the allowlist of what real \
         models need nor known to be dangerous. Low severity when it belongs to a known ML library, medium \
         otherwise: unpickling imports its module and may run its code.",
        "Check that the callable is expected for this model; load with an allowlist (`weights_only=True`) or convert the model to safetensors.",
    ),
    (
        "pickle-global-mutation",
        "Pickle modifies a module-level object",
        Severity::Critical,
        &[CWE_502, CWE_94],
        "A pickle changes a class, function or module attribute in place (BUILD, SETITEM on a global). Real \
         models never do this; it is how names are smuggled past scanners and loaders' allowlists.",
        LOAD_SAFELY,
    ),
    (
        "pickle-malformed",
        "Malformed pickle",
        Severity::Medium,
        &[CWE_502, CWE_20],
        "A pickle breaks before its STOP opcode. The unpickler runs every opcode before the break, so a \
         crafted prefix still executes; scanners that give up on a broken pickle miss it.",
        "Treat the file as untrusted; re-export it from its source.",
    ),
    (
        "extension-mismatch",
        "File extension lies about the content",
        Severity::High,
        &[CWE_502],
        "The extension promises one format (e.g. `.safetensors`) while the content is another (e.g. a \
         pickle). A loader picked by extension, or a reviewer, is deceived; scanners that pick files by \
         extension skip it.",
        "Rename the file to match its content, or replace it with a file in the promised format.",
    ),
    (
        "zip-encrypted-flag",
        "Zip member carries the encrypted flag",
        Severity::High,
        &[CWE_502],
        "A zip member sets the \"encrypted\" general-purpose flag bit. PyTorch ignores the bit and loads the \
         member; Python's zipfile (and the scanners built on it) refuse or skip it. warden scans its bytes \
         anyway and reports the bypass attempt.",
        "Re-save the model with torch.save; real PyTorch archives never set this bit.",
    ),
    (
        "zip-name-mismatch",
        "Zip local and central member names differ",
        Severity::High,
        &[CWE_502],
        "A member's local header names it differently from the central directory. PyTorch reads the central \
         directory and loads it; zipfile refuses the archive, so scanners built on it fail open.",
        "Re-save the model; a well-formed archive has one name per member.",
    ),
    (
        "zip-duplicate-member",
        "Zip holds two members with the same name",
        Severity::High,
        &[CWE_502],
        "Two or more members share a name. Loaders disagree on which copy they read (the first or the last \
         entry), so a benign copy can be shown to a scanner while the loader runs the other. warden scans \
         every copy and reports the trick.",
        "Re-save the model; a well-formed archive names each member once.",
    ),
    (
        "zip-path-traversal",
        "Zip member name escapes the extraction directory",
        Severity::Medium,
        &[CWE_22],
        "A member name holds `..`, an absolute path or a drive letter: extracting the archive writes outside \
         the target directory.",
        "Do not extract the archive; re-create it with relative member names.",
    ),
    (
        "zip-too-many-members",
        "Zip holds more members than scanned",
        Severity::Medium,
        &[CWE_409],
        "The archive declares more members than warden reads; the rest were not scanned.",
        "Split the archive or check why it holds so many members.",
    ),
    (
        "zip-bomb",
        "Zip member inflates past the ratio cap (zip bomb)",
        Severity::Medium,
        &[CWE_409],
        "A member's declared or actual size exceeds the decompression ratio cap; reading it was cut off, \
         and extracting it would exhaust memory or disk.",
        "Do not extract the archive.",
    ),
    (
        "zip-nesting",
        "Zip nested too deep",
        Severity::Medium,
        &[CWE_409],
        "A zip inside a zip deeper than warden follows, or a compressed zip inside a zip; its members were \
         not scanned.",
        "Flatten the archive so every member can be scanned.",
    ),
    (
        "zip-malformed",
        "Malformed zip",
        Severity::Medium,
        &[CWE_20],
        "The archive's central directory, local headers or offsets are inconsistent (trailing or prepended \
         data, corrupt entries, unsupported compression). Loaders disagree on such files, which is how \
         payloads hide from scanners.",
        "Re-create the archive with a standard tool.",
    ),
    (
        "numpy-invalid-header",
        "Invalid numpy header",
        Severity::Medium,
        &[CWE_20],
        "A `.npy` header cannot be read, or is longer than numpy loads by default.",
        "Re-save the array with numpy.save.",
    ),
    (
        "safetensors-invalid-header",
        "Invalid safetensors header",
        Severity::Medium,
        &[CWE_20],
        "The safetensors header is oversized, not JSON, or describes tensors whose offsets overlap, run past \
         the data or leave bytes uncovered: a parser may be tripped, or bytes smuggled past a reviewer.",
        "Re-save the tensors with the safetensors library.",
    ),
    (
        "gguf-chat-template-injection",
        "GGUF chat template reaches Python internals",
        Severity::Critical,
        &[CWE_94],
        "A chat template in the GGUF metadata uses Jinja constructs that reach Python internals \
         (`__class__`, `__globals__`, `__subclasses__`, ...). Rendering it with an unsandboxed Jinja \
         environment runs code (CVE-2024-34359, llama-cpp-python).",
        "Do not use the model's template; render templates in a sandboxed environment and get the model from a trusted source.",
    ),
    (
        "gguf-invalid-header",
        "Invalid GGUF header",
        Severity::Medium,
        &[CWE_20],
        "The GGUF header or metadata cannot be read (unsupported version, counts that cannot fit, truncation).",
        "Re-convert the model with llama.cpp's tools.",
    ),
    (
        "keras-lambda-layer",
        "Keras model holds a Lambda layer",
        Severity::Critical,
        &[CWE_94, CWE_502],
        "A Keras v3 `.keras` config holds a Lambda layer: serialized Python bytecode that runs when the \
         model is loaded with safe_mode=False.",
        "Replace the Lambda layer with a registered layer class; never load with safe_mode=False.",
    ),
    (
        "keras-custom-object",
        "Keras model names a custom object",
        Severity::Medium,
        &[CWE_94],
        "A Keras v3 config names a class from outside Keras; loading imports and runs that code.",
        "Check that the custom object's code is trusted and pinned.",
    ),
    (
        "keras-config-invalid",
        "Invalid Keras config",
        Severity::Medium,
        &[CWE_20],
        "A Keras v3 `config.json` is oversized or not JSON; it was not checked.",
        "Re-save the model with Keras.",
    ),
    (
        "onnx-external-data-escape",
        "ONNX external data path escapes the model directory",
        Severity::High,
        &[CWE_22],
        "A tensor of the ONNX model keeps its bytes in an external file whose `location` is absolute, \
         climbs out with `..`, names a drive or a URL. `onnx.load` and onnxruntime open it: loading the model \
         reads any file the user can (CVE-2022-25882, CVE-2024-27318) into the weights, from where it can \
         leak through outputs.",
        "Do not load the model. External data locations must be plain relative paths inside the model's \
         directory; re-export the model with `onnx.save_model(..., location=\"model.onnx.data\")`.",
    ),
    (
        "onnx-custom-operator",
        "ONNX node in a custom operator domain",
        Severity::Medium,
        &[CWE_94],
        "A node of the ONNX model belongs to an operator domain that neither ONNX nor onnxruntime implements \
         and that no function in the model defines. It runs only through a custom-op library (native code) \
         registered with the runtime; whoever ships the model decides which code that is.",
        "Check that the custom operator library is one you build or trust, and pin it; prefer models that use \
         standard operators only.",
    ),
    (
        "onnx-malformed",
        "Malformed ONNX model",
        Severity::Medium,
        &[CWE_20],
        "The ONNX protobuf breaks (truncated, a length past its message, nesting past protobuf's limit); the \
         scan stopped there, while a lenient loader may read more than was checked.",
        "Re-export the model; treat it as untrusted.",
    ),
    (
        "tf-risky-op",
        "TensorFlow graph op that reaches files or Python",
        Severity::High,
        &[CWE_94, CWE_22],
        "A TensorFlow SavedModel's graph (or one of its library functions) holds an op that reads or writes \
         files (`ReadFile`, `WriteFile`, `PrintV2` to a file, `MatchingFiles`, `ImmutableConst`), or calls \
         back into Python (`PyFunc`, `EagerPyFunc`). Running the model runs it; high severity for file \
         writes, file reads and Python, medium for the rarer file or debug ops.",
        "Do not serve the model until the op is explained; re-export it without file or Python ops.",
    ),
    (
        "tf-savedmodel-malformed",
        "Malformed TensorFlow SavedModel",
        Severity::Medium,
        &[CWE_20],
        "`saved_model.pb` breaks as protobuf; the scan stopped there, while TensorFlow may read more than was \
         checked.",
        "Re-export the model; treat it as untrusted.",
    ),
    (
        "tar-malformed",
        "Malformed tar",
        Severity::Medium,
        &[CWE_20],
        "A tar holding models (PyTorch's legacy tar, a `model.tar.gz`) has a header whose checksum or size \
         does not hold, or ends early; the members after it were not scanned, while a lenient extractor may \
         still unpack them.",
        "Re-create the archive; treat its content as untrusted.",
    ),
    (
        "unsigned-model",
        "Model directory has no signature",
        Severity::Medium,
        &[CWE_345],
        "`[model] require_signatures` is on and a directory holding model files carries no signature \
         (the OpenSSF model signing bundle, `model.sig` by default) in it or in a directory above it. Nothing \
         proves the model is the one its producer released.",
        "Sign the directory where the model is produced (`warden model sign DIR --key KEY.pem`, or \
         `model_signing sign`), and verify it where it is consumed.",
    ),
    (
        "signature-invalid",
        "Model signature does not verify",
        Severity::High,
        &[CWE_345, CWE_494],
        "The model directory's signature does not verify with the configured public key: a file changed, \
         was added or removed since signing, or the signature was made with another key or is malformed. \
         The model may have been tampered with.",
        "Do not load the model. Find out what changed (the finding names the files); re-sign only a model \
         you have checked.",
    ),
];

fn rule_tags(cwes: &[&str]) -> Vec<String> {
    cwes.iter()
        .copied()
        .chain(scan::TAGS.iter().copied())
        .map(String::from)
        .collect()
}

/// Every rule this analyzer reports.
pub fn rules() -> &'static [RuleMeta] {
    static RULES: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    RULES.get_or_init(|| {
        RULE_ROWS
            .iter()
            .map(
                |(name, title, severity, cwes, description, remediation)| RuleMeta {
                    id: format!("{NAME}/{name}"),
                    title: (*title).to_string(),
                    severity: *severity,
                    confidence: Confidence::High,
                    description: (*description).to_string(),
                    remediation: (*remediation).to_string(),
                    tags: rule_tags(cwes),
                    references: vec![
                        "https://genai.owasp.org/llmrisk/llm032025-supply-chain/".into(),
                        "https://atlas.mitre.org/techniques/AML.T0011.000".into(),
                    ],
                },
            )
            .collect()
    })
}

/// `[model]` in `warden.toml`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSettings {
    /// Every directory holding a model file must carry a signature that verifies (working-tree scans).
    #[serde(default)]
    pub require_signatures: bool,
    /// The PEM public key (ECDSA P-256 or P-384) signatures are verified with; relative paths are relative
    /// to `warden.toml`'s directory. Required with `require_signatures`.
    pub public_key: Option<PathBuf>,
    /// The signature's file name, looked for in the model's directory and then in each directory above it
    /// (up to the scanned root); default `model.sig`.
    pub signature: Option<String>,
    /// Globs (relative to the scanned root) of the model directories the requirement covers; default: all.
    #[serde(default)]
    pub dirs: Vec<String>,
}

/// What `require_signatures` needs, resolved at setup.
#[derive(Debug)]
struct SignaturePolicy {
    public_key_pem: String,
    signature: String,
    dirs: Option<globset::GlobSet>,
    root: Option<PathBuf>,
}

/// The `model` analyzer.
#[derive(Debug, Default)]
pub struct ModelsAnalyzer {
    policy: Option<SignaturePolicy>,
}

/// The fact each scanned model file publishes: `{format}` at its path.
pub const FACT_MODEL_FILE: &str = "model/file";

impl ModelsAnalyzer {
    pub fn new() -> Self {
        ModelsAnalyzer::default()
    }

    /// Reads `[model]`: with `require_signatures`, the public key is read now, so a missing or invalid key
    /// stops the run before any scanning with a message naming `warden.toml`.
    pub fn from_setup(setup: &AnalyzerSetup) -> Result<Self, String> {
        let Some(section) = setup.config.section(NAME) else {
            return Ok(ModelsAnalyzer::default());
        };
        let settings: ModelSettings = section.parse(NAME).map_err(|e| e.to_string())?;
        if !settings.require_signatures {
            return Ok(ModelsAnalyzer::default());
        }
        let at = format!("{}:{}: [model]", section.path.display(), section.line);
        let Some(key) = &settings.public_key else {
            return Err(format!(
                "{at}: require_signatures needs public_key (the PEM public key signatures are verified with)"
            ));
        };
        let key = if key.is_relative() {
            section
                .path
                .parent()
                .map_or_else(|| key.clone(), |d| d.join(key))
        } else {
            key.clone()
        };
        let public_key_pem = std::fs::read_to_string(&key)
            .map_err(|e| format!("{at}: public_key {}: {e}", key.display()))?;
        crate::signing::check_public_key(&public_key_pem)
            .map_err(|e| format!("{at}: public_key {}: {e}", key.display()))?;
        let dirs = if settings.dirs.is_empty() {
            None
        } else {
            let mut b = globset::GlobSetBuilder::new();
            for d in &settings.dirs {
                b.add(globset::Glob::new(d).map_err(|e| format!("{at}: dirs: {e}"))?);
            }
            Some(b.build().map_err(|e| format!("{at}: dirs: {e}"))?)
        };
        Ok(ModelsAnalyzer {
            policy: Some(SignaturePolicy {
                public_key_pem,
                signature: settings.signature.unwrap_or_else(|| "model.sig".into()),
                dirs,
                root: setup.worktree.map(Path::to_path_buf),
            }),
        })
    }
}

fn rule_meta(name: &str) -> &'static RuleMeta {
    let id = format!("{NAME}/{name}");
    rules()
        .iter()
        .find(|r| r.id == id)
        .expect("every rule name used is in RULE_ROWS")
}

/// The model directories of the scanned files and whether each is signed and verifies.
fn check_signatures(policy: &SignaturePolicy, root: &Path, files: &[&str]) -> Vec<Finding> {
    use std::collections::BTreeMap;
    // The signature that covers each model file: the nearest directory (the file's own, then upwards)
    // holding the signature file.
    let mut signed: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut unsigned: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for &file in files {
        let parent = file.rsplit_once('/').map_or("", |(d, _)| d);
        if let Some(globs) = &policy.dirs {
            if !globs.is_match(if parent.is_empty() { "." } else { parent }) {
                continue;
            }
        }
        let mut dir = Some(parent);
        let mut found = None;
        while let Some(d) = dir {
            let candidate = if d.is_empty() {
                policy.signature.clone()
            } else {
                format!("{d}/{}", policy.signature)
            };
            if root.join(&candidate).is_file() {
                found = Some(d);
                break;
            }
            dir = if d.is_empty() {
                None
            } else {
                Some(d.rsplit_once('/').map_or("", |(up, _)| up))
            };
        }
        match found {
            Some(d) => signed.entry(d.to_string()).or_default().push(file),
            None => unsigned.entry(parent.to_string()).or_default().push(file),
        }
    }
    let shown = |d: &str| {
        if d.is_empty() {
            ".".to_string()
        } else {
            d.to_string()
        }
    };
    let list = |files: &[&str]| {
        let mut names: Vec<&str> = files
            .iter()
            .map(|f| f.rsplit('/').next().unwrap_or(f))
            .take(5)
            .collect();
        if files.len() > 5 {
            names.push("…");
        }
        names.join(", ")
    };
    let mut findings = Vec::new();
    for (dir, files) in &unsigned {
        let message = format!(
            "model directory `{}` ({}) has no signature: no `{}` in it or above it",
            shown(dir),
            list(files),
            policy.signature
        );
        let mut f = Finding::new(
            rule_meta("unsigned-model"),
            message,
            Location::at(files[0], 1, 1, 1),
        );
        f.severity = Severity::Medium;
        f.snippet = shown(dir);
        f.matched = format!("unsigned|{dir}");
        findings.push(f);
    }
    // Signatures are independent: verify them in parallel (each also hashes its files in parallel).
    let verified: Vec<(String, Result<(), String>)> = signed
        .keys()
        .collect::<Vec<_>>()
        .par_iter()
        .map(|dir| {
            let disk = root.join(dir.as_str());
            let sig = disk.join(&policy.signature);
            let result = crate::signing::verify(&disk, &sig, &policy.public_key_pem)
                .map(|_| ())
                .map_err(|e| e.to_string());
            ((*dir).clone(), result)
        })
        .collect();
    for (dir, result) in verified {
        let Err(why) = result else { continue };
        let sig = if dir.is_empty() {
            policy.signature.clone()
        } else {
            format!("{dir}/{}", policy.signature)
        };
        let mut f = Finding::new(
            rule_meta("signature-invalid"),
            format!("model directory `{}`: {why}", shown(&dir)),
            Location::at(&sig, 1, 1, 1),
        );
        f.severity = Severity::High;
        f.snippet = shown(&dir);
        f.matched = format!("invalid|{dir}|{why}");
        findings.push(f);
    }
    findings
}

/// Whether the first bytes of a file are a model format this analyzer scans.
pub fn claims(head: &[u8], path: &str) -> bool {
    if path.rsplit('/').next() == Some("keras_metadata.pb") {
        return true;
    }
    match sniff::sniff(head, path) {
        Some(
            Format::Pickle { .. }
            | Format::PyTorchLegacy
            | Format::PyTorchZip
            | Format::KerasV3
            | Format::Npz
            | Format::Zip
            | Format::Npy
            | Format::Safetensors
            | Format::Gguf
            | Format::PyTorchTar
            | Format::Tar
            | Format::Hdf5
            | Format::Onnx
            | Format::SavedModel,
        ) => true,
        None => scan::compressed_model_magic(head).is_some(),
    }
}

/// Turns a report item into a finding at line 1 of `path`.
pub fn finding(path: &str, report: &ModelReport, item: &Item) -> Finding {
    let id = format!("{NAME}/{}", item.rule);
    let rule = rules().iter().find(|r| r.id == id);
    let fallback;
    let rule = match rule {
        Some(r) => r,
        None => {
            fallback = RuleMeta {
                id: id.clone(),
                title: item.subject.clone(),
                severity: item.severity,
                confidence: Confidence::High,
                description: String::new(),
                remediation: String::new(),
                tags: rule_tags(&[]),
                references: Vec::new(),
            };
            &fallback
        }
    };
    let place = match &item.member {
        Some(m) => format!(" in member `{m}`"),
        None => String::new(),
    };
    let file_at = match (item.member.is_some(), item.file_offset) {
        (true, Some(f)) => format!(" (file byte {f})"),
        _ => String::new(),
    };
    let times = if item.count > 1 {
        format!(" ({} times)", item.count)
    } else {
        String::new()
    };
    let message = format!(
        "`{}` at byte {}{place}{file_at}{times}: {}",
        item.subject, item.offset, item.detail
    );
    let mut f = Finding::new(rule, message, Location::at(path, 1, 1, 1));
    f.severity = item.severity;
    f.snippet = item.subject.clone();
    f.matched = format!(
        "{}|{}",
        item.subject,
        item.member.as_deref().unwrap_or_default()
    );
    f.ext.insert(
        NAME.to_string(),
        json!({
            "format": report.format.map(Format::name),
            "kind": item.kind,
            "subject": item.subject,
            "offset": item.offset,
            "file_offset": item.file_offset,
            "member": item.member,
            "count": item.count,
            "tags": item.tags,
        }),
    );
    f
}

impl Analyzer for ModelsAnalyzer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn rules(&self) -> &[RuleMeta] {
        rules()
    }

    fn claim(&self, file: &FileMeta) -> Claim {
        if claims(file.head, file.path) {
            Claim::Stream
        } else {
            Claim::Skip
        }
    }

    fn finish_scope(&self) -> FinishScope {
        if self.policy.is_some() {
            FinishScope::Head
        } else {
            FinishScope::None
        }
    }

    /// With `require_signatures`, every model directory of a working-tree scan is checked against its
    /// signature; staged and history scans cannot (their files are not on disk) and say so once.
    fn finish(&self, facts: &Facts) -> FinishOutput {
        let mut out = FinishOutput::default();
        let Some(policy) = &self.policy else {
            return out;
        };
        let mut files: Vec<&str> = facts
            .of_kind(FACT_MODEL_FILE)
            .map(|f| f.path.as_str())
            .collect();
        files.sort_unstable();
        files.dedup();
        match &policy.root {
            Some(root) => out.findings = check_signatures(policy, root, &files),
            None if !files.is_empty() => out.problems.push(Problem {
                path: files[0].to_string(),
                message:
                    "model signatures are verified in working-tree scans only; this scan reads git \
                          objects, so `require_signatures` was not checked"
                        .into(),
            }),
            None => {}
        }
        out
    }

    fn analyze(&self, file: &SourceFile, out: &mut FileOutput) {
        let path = file.meta.path;
        let mut stream = match file.open() {
            Ok(s) => s,
            Err(e) => {
                out.problems
                    .push(format!("cannot open the model file: {e}"));
                return;
            }
        };
        match scan::scan_file(&mut stream, path, file.meta.size) {
            Ok(report) => {
                if let Some(format) = report.format {
                    out.facts.push(Fact {
                        analyzer: NAME.to_string(),
                        kind: FACT_MODEL_FILE.to_string(),
                        path: path.to_string(),
                        data: json!({ "format": format.name() }),
                    });
                }
                for item in &report.items {
                    out.findings.push(finding(path, &report, item));
                }
                for limit in &report.limits {
                    out.partial.push(format!(
                        "{limit}; callables reached through what was dropped are reported as unresolved"
                    ));
                }
                if report.dropped_items > 0 {
                    out.partial.push(format!(
                        "{} more model findings were not listed (over {})",
                        report.dropped_items,
                        scan::MAX_ITEMS
                    ));
                }
            }
            Err(e) => out.problems.push(format!("reading the model file: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_unique_and_tagged() {
        let rules = rules();
        let mut ids: Vec<_> = rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), rules.len());
        for r in rules {
            assert!(r.tags.iter().any(|t| t.starts_with("CWE-")), "{}", r.id);
            assert!(r.tags.iter().any(|t| t == "OWASP-LLM03"), "{}", r.id);
        }
    }

    #[test]
    fn analyzes_a_streamed_pickle() {
        let mut p = vec![0x80, 2];
        p.extend_from_slice(b"cposix\nsystem\nX\x02\x00\x00\x00id\x85R.");
        let meta = FileMeta {
            path: "models/weights.safetensors",
            size: p.len() as u64,
            head: &p,
            binary: true,
        };
        let a = ModelsAnalyzer::new();
        assert_eq!(a.claim(&meta), Claim::Stream);
        let file = SourceFile::in_memory(meta, &p);
        let mut out = FileOutput::default();
        a.analyze(&file, &mut out);
        let ids: Vec<_> = out.findings.iter().map(|f| f.rule_id.as_str()).collect();
        assert!(ids.contains(&"model/pickle-dangerous-callable"), "{ids:?}");
        assert!(ids.contains(&"model/extension-mismatch"), "{ids:?}");
        let f = out
            .findings
            .iter()
            .find(|f| f.rule_id == "model/pickle-dangerous-callable")
            .unwrap();
        assert_eq!(f.location.start_line, 1);
        assert!(f.message.contains("posix.system") && f.message.contains("byte 2"));
        assert_eq!(f.ext["model"]["offset"], 2);
        assert!(rules().iter().any(|r| r.id == f.rule_id));
        let text = FileMeta {
            path: "a.txt",
            size: 5,
            head: b"hello",
            binary: false,
        };
        assert_eq!(a.claim(&text), Claim::Skip);
    }
}
