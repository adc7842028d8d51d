//! ONNX models (`ModelProto`), scanned as a protobuf stream without loading them: weights (`raw_data`,
//! typed data fields) are skipped at I/O speed and never held, so a 2 GB model scans in bounded memory.
//!
//! An ONNX file carries no code of its own, but two things in it make a runtime reach outside the model:
//!
//! - **External data paths.** A tensor may keep its bytes in a file named by an `external_data` entry with key
//!   `location`, relative to the model's directory. `onnx.load` and onnxruntime open that path; an absolute
//!   path, a `..` component, a drive letter, a URL or a NUL byte makes them read any file the user can
//!   (CVE-2022-25882, and CVE-2024-27318 for the bypass of its fix). Reported as
//!   [`IssueKind::ExternalDataEscape`].
//! - **Custom operator domains.** A node whose domain is not a standard ONNX or onnxruntime one, and is not a
//!   function defined in the model, runs only through a custom-op library (native code) registered with the
//!   runtime for that domain. Reported once per (domain, operator) as [`IssueKind::CustomOpDomain`].
//!
//! Nodes are visited in the main graph, in subgraphs held by attributes (`If`/`Loop`/`Scan` bodies, at any
//! depth up to the protobuf reader's limit), in training graphs and in the bodies of model-local functions.
//! Malformed protobuf stops the scan with an [`IssueKind::Malformed`] issue; what was seen before is kept.
//!
//! Field numbers follow `onnx/onnx.proto` (proto2).

use crate::protobuf::{self, Prefix, Reader, Value};
use std::collections::{HashMap, HashSet};
use std::io::{self, Read};
use warden_core::Severity;

/// Operator domains whose operators onnxruntime implements itself (ONNX's, and onnxruntime's contrib and
/// internal domains from its `core/graph/constants.h`). `ai.onnx.contrib` (onnxruntime-extensions) is absent
/// on purpose: it is a custom-op library the user must register.
pub const STANDARD_DOMAINS: &[&str] = &[
    "",
    "ai.onnx",
    "ai.onnx.ml",
    "ai.onnx.training",
    "ai.onnx.preview.training",
    "com.microsoft",
    "com.microsoft.nchwc",
    "com.microsoft.experimental",
    "com.microsoft.dml",
    "com.ms.internal.nhwc",
    "org.pytorch.aten",
];

/// Bytes kept of a name (operator, domain, tensor, function); longer names are cut.
pub const MAX_NAME: usize = 512;
/// Bytes kept of an external-data location (PATH_MAX); a longer path cannot be opened anyway.
pub const MAX_LOCATION: usize = 4096;
/// Distinct (domain, operator) pairs and distinct escaping locations kept; more are counted in one issue.
pub const MAX_DISTINCT: usize = 1024;
/// Model-local functions remembered for resolving node domains.
pub const MAX_FUNCTIONS: usize = 4096;
/// Opset imports kept in the report.
pub const MAX_OPSET_IMPORTS: usize = 256;
/// Escaping `location` entries kept per tensor until its end (a tensor normally has one).
const MAX_TENSOR_ESCAPES: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueKind {
    /// An external-data `location` that leaves the model's directory.
    ExternalDataEscape,
    /// A node in a domain that needs a custom-op library.
    CustomOpDomain,
    /// The protobuf is malformed; the scan stopped there.
    Malformed,
}

impl IssueKind {
    /// The severity warden should give the issue.
    pub fn severity(self) -> Severity {
        match self {
            IssueKind::ExternalDataEscape => Severity::High,
            IssueKind::CustomOpDomain => Severity::Medium,
            IssueKind::Malformed => Severity::Medium,
        }
    }
}

/// Something found in the model. Repeats of the same subject are folded into one issue with a count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub kind: IssueKind,
    pub severity: Severity,
    /// The escaping location, `domain::op_type`, or the malformation.
    pub subject: String,
    pub detail: String,
    /// Byte offset of the first occurrence (of the `external_data` entry, the node, or the broken field).
    pub offset: u64,
    /// Occurrences folded into this issue.
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpsetImport {
    pub domain: String,
    pub version: i64,
}

/// What the scan saw and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnnxReport {
    pub ir_version: Option<i64>,
    pub producer_name: Option<String>,
    pub opset_imports: Vec<OpsetImport>,
    /// Whether the model has a main graph (every real model does).
    pub has_graph: bool,
    /// Nodes seen, in every graph and function.
    pub nodes: u64,
    /// Model-local functions seen.
    pub functions: u64,
    /// Issues in file order.
    pub issues: Vec<Issue>,
}

impl OnnxReport {
    /// Whether the whole file was read without a malformation.
    pub fn is_complete(&self) -> bool {
        !self.issues.iter().any(|i| i.kind == IssueKind::Malformed)
    }
}

/// Scan the ONNX model of `size` bytes in `r` (positioned at its start). Errors are I/O errors only;
/// malformed content is an [`IssueKind::Malformed`] issue.
pub fn scan(r: &mut dyn Read, size: u64) -> io::Result<OnnxReport> {
    let mut pb = Reader::new(r, Some(size));
    let mut st = State::default();
    match model(&mut pb, &mut st) {
        Ok(()) => {}
        Err(protobuf::Error::Io(e)) => return Err(e),
        Err(protobuf::Error::Malformed { offset, kind }) => {
            st.report.issues.push(issue(
                IssueKind::Malformed,
                kind.to_string(),
                format!(
                    "the model's protobuf is malformed at byte {offset}: {kind}; the scan stopped there and \
                     nothing after it was checked"
                ),
                offset,
                1,
            ));
        }
    }
    Ok(st.finish())
}

/// Whether `domain` is one whose operators the runtime implements itself.
pub fn is_standard_domain(domain: &[u8]) -> bool {
    STANDARD_DOMAINS.iter().any(|d| d.as_bytes() == domain)
}

/// Why an external-data `location` leaves the model's directory, or `None` for a plain relative path.
pub fn location_escape(location: &[u8]) -> Option<&'static str> {
    if location.contains(&0) {
        return Some("contains a NUL byte");
    }
    if let [b'/' | b'\\', ..] = location {
        return Some("is an absolute path");
    }
    if let [d, b':', ..] = location {
        if d.is_ascii_alphabetic() {
            return Some("starts with a drive letter");
        }
    }
    if is_url(location) {
        return Some("is a URL");
    }
    if location
        .split(|&b| b == b'/' || b == b'\\')
        .any(|c| c == b"..")
    {
        return Some("climbs out of the model's directory with `..`");
    }
    None
}

/// `scheme://…`, or a scheme loaders are known to follow. A bare `name:` is no URL: exporters name files
/// after tensors such as `onnx::MatMul_12`.
fn is_url(location: &[u8]) -> bool {
    const SCHEMES: &[&[u8]] = &[
        b"file", b"http", b"https", b"ftp", b"data", b"s3", b"gs", b"hdfs", b"smb",
    ];
    let Some(colon) = location.iter().position(|&b| b == b':') else {
        return false;
    };
    let (scheme, rest) = location.split_at(colon);
    let valid = matches!(scheme, [first, ..] if first.is_ascii_alphabetic())
        && scheme
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    valid && (rest.starts_with(b"://") || SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme)))
}

fn issue(kind: IssueKind, subject: String, detail: String, offset: u64, count: u64) -> Issue {
    Issue {
        kind,
        severity: kind.severity(),
        subject,
        detail,
        offset,
        count,
    }
}

#[derive(Debug)]
struct Seen {
    offset: u64,
    count: u64,
    detail: String,
}

#[derive(Debug, Default)]
struct State {
    report: OnnxReport,
    /// Nodes in non-standard domains by (domain, op_type), resolved against `functions` at the end.
    custom: HashMap<(Prefix, Prefix), Seen>,
    custom_dropped: u64,
    /// (domain, name) of model-local functions, complete names only.
    functions: HashSet<(Vec<u8>, Vec<u8>)>,
    escapes: HashMap<String, Seen>,
    escapes_dropped: u64,
}

impl State {
    fn node(&mut self, domain: Option<Prefix>, op: Option<Prefix>, offset: u64) {
        self.report.nodes += 1;
        let domain = domain.unwrap_or_default();
        if domain.is_complete() && is_standard_domain(&domain.bytes) {
            return;
        }
        let op = op.unwrap_or_default();
        let len = self.custom.len();
        match self.custom.entry((domain, op)) {
            std::collections::hash_map::Entry::Occupied(mut e) => e.get_mut().count += 1,
            std::collections::hash_map::Entry::Vacant(e) if len < MAX_DISTINCT => {
                e.insert(Seen {
                    offset,
                    count: 1,
                    detail: String::new(),
                });
            }
            std::collections::hash_map::Entry::Vacant(_) => self.custom_dropped += 1,
        }
    }

    fn escape(
        &mut self,
        location: &Prefix,
        reason: &str,
        tensor: &str,
        external: bool,
        offset: u64,
    ) {
        let subject = location.to_text();
        if let Some(seen) = self.escapes.get_mut(&subject) {
            seen.count += 1;
            return;
        }
        if self.escapes.len() >= MAX_DISTINCT {
            self.escapes_dropped += 1;
            return;
        }
        let loaders = if external {
            "onnx.load and onnxruntime open that path when loading the model, reading any file the user can read"
        } else {
            "the tensor's data_location is not EXTERNAL, so the standard loaders ignore the entry, but no \
             exporter writes such a path"
        };
        let detail = format!(
            "tensor `{tensor}` keeps its data in `{subject}`, which {reason}: {loaders} (path traversal in \
             external data, CVE-2022-25882 / CVE-2024-27318)"
        );
        self.escapes.insert(
            subject,
            Seen {
                offset,
                count: 1,
                detail,
            },
        );
    }

    fn finish(mut self) -> OnnxReport {
        let mut issues = std::mem::take(&mut self.report.issues);
        for ((domain, op), seen) in self.custom {
            let local = domain.is_complete()
                && op.is_complete()
                && self
                    .functions
                    .contains(&(domain.bytes.clone(), op.bytes.clone()));
            if local {
                continue;
            }
            let (domain, op) = (domain.to_text(), op.to_text());
            let detail = format!(
                "{} node(s) run operator `{op}` from domain `{domain}`, which is neither a standard ONNX or \
                 onnxruntime domain nor a function defined in the model: a runtime runs it only through a \
                 custom-op library (native code) registered for that domain",
                seen.count
            );
            issues.push(issue(
                IssueKind::CustomOpDomain,
                format!("{domain}::{op}"),
                detail,
                seen.offset,
                seen.count,
            ));
        }
        if self.custom_dropped > 0 {
            issues.push(issue(
                IssueKind::CustomOpDomain,
                "(more operators)".to_owned(),
                format!(
                    "{} more nodes in non-standard domains, past the {MAX_DISTINCT} distinct operators listed",
                    self.custom_dropped
                ),
                0,
                self.custom_dropped,
            ));
        }
        for (subject, seen) in self.escapes {
            issues.push(issue(
                IssueKind::ExternalDataEscape,
                subject,
                seen.detail,
                seen.offset,
                seen.count,
            ));
        }
        if self.escapes_dropped > 0 {
            issues.push(issue(
                IssueKind::ExternalDataEscape,
                "(more locations)".to_owned(),
                format!(
                    "{} more escaping external-data locations, past the {MAX_DISTINCT} listed",
                    self.escapes_dropped
                ),
                0,
                self.escapes_dropped,
            ));
        }
        issues.sort_by(|a, b| (a.offset, &a.subject).cmp(&(b.offset, &b.subject)));
        self.report.issues = issues;
        self.report
    }
}

type Result<T = ()> = std::result::Result<T, protobuf::Error>;

/// ModelProto.
fn model(pb: &mut Reader<'_>, st: &mut State) -> Result {
    while let Some(f) = pb.next_field()? {
        match (f.number, f.value) {
            (1, Value::Varint(v)) => st.report.ir_version = Some(v as i64),
            (2, Value::Len(_)) => {
                st.report.producer_name = Some(pb.read_prefix(MAX_NAME)?.to_text());
            }
            (7, Value::Len(_)) => {
                st.report.has_graph = true;
                pb.message(|pb| graph(pb, st))?;
            }
            (8, Value::Len(_)) => pb.message(|pb| opset_import(pb, st))?,
            // TrainingInfoProto { initialization = 1, algorithm = 2 }: both graphs.
            (20, Value::Len(_)) => pb.message(|pb| {
                while let Some(f) = pb.next_field()? {
                    if let (1 | 2, Value::Len(_)) = (f.number, f.value) {
                        pb.message(|pb| graph(pb, st))?;
                    }
                }
                Ok(())
            })?,
            (25, Value::Len(_)) => pb.message(|pb| function(pb, st))?,
            _ => {}
        }
    }
    Ok(())
}

/// OperatorSetIdProto.
fn opset_import(pb: &mut Reader<'_>, st: &mut State) -> Result {
    let (mut domain, mut version) = (String::new(), 0);
    while let Some(f) = pb.next_field()? {
        match (f.number, f.value) {
            (1, Value::Len(_)) => domain = pb.read_prefix(MAX_NAME)?.to_text(),
            (2, Value::Varint(v)) => version = v as i64,
            _ => {}
        }
    }
    if st.report.opset_imports.len() < MAX_OPSET_IMPORTS {
        st.report
            .opset_imports
            .push(OpsetImport { domain, version });
    }
    Ok(())
}

/// GraphProto.
fn graph(pb: &mut Reader<'_>, st: &mut State) -> Result {
    while let Some(f) = pb.next_field()? {
        match (f.number, f.value) {
            (1, Value::Len(_)) => pb.message(|pb| node(pb, st, f.offset))?,
            (5, Value::Len(_)) => pb.message(|pb| tensor(pb, st))?,
            (15, Value::Len(_)) => pb.message(|pb| sparse_tensor(pb, st))?,
            _ => {}
        }
    }
    Ok(())
}

/// NodeProto at `offset`. Later `op_type`/`domain` values replace earlier ones, as protobuf parsers do.
fn node(pb: &mut Reader<'_>, st: &mut State, offset: u64) -> Result {
    let (mut op, mut domain) = (None, None);
    while let Some(f) = pb.next_field()? {
        match (f.number, f.value) {
            (4, Value::Len(_)) => op = Some(pb.read_prefix(MAX_NAME)?),
            (7, Value::Len(_)) => domain = Some(pb.read_prefix(MAX_NAME)?),
            (5, Value::Len(_)) => pb.message(|pb| attribute(pb, st))?,
            _ => {}
        }
    }
    st.node(domain, op, offset);
    Ok(())
}

/// AttributeProto: its tensors and graphs.
fn attribute(pb: &mut Reader<'_>, st: &mut State) -> Result {
    while let Some(f) = pb.next_field()? {
        match (f.number, f.value) {
            (5 | 10, Value::Len(_)) => pb.message(|pb| tensor(pb, st))?,
            (6 | 11, Value::Len(_)) => pb.message(|pb| graph(pb, st))?,
            (22 | 23, Value::Len(_)) => pb.message(|pb| sparse_tensor(pb, st))?,
            _ => {}
        }
    }
    Ok(())
}

/// SparseTensorProto { values = 1, indices = 2 }.
fn sparse_tensor(pb: &mut Reader<'_>, st: &mut State) -> Result {
    while let Some(f) = pb.next_field()? {
        if let (1 | 2, Value::Len(_)) = (f.number, f.value) {
            pb.message(|pb| tensor(pb, st))?;
        }
    }
    Ok(())
}

/// TensorProto: its name, `external_data` locations and `data_location`; the data itself is skipped.
fn tensor(pb: &mut Reader<'_>, st: &mut State) -> Result {
    let mut name = None;
    let mut external = false;
    let mut escapes: Vec<(Prefix, &'static str, u64)> = Vec::new();
    while let Some(f) = pb.next_field()? {
        match (f.number, f.value) {
            (8, Value::Len(_)) => name = Some(pb.read_prefix(MAX_NAME)?),
            (14, Value::Varint(v)) => external = v == 1,
            (13, Value::Len(_)) => {
                let Some(location) = pb.message(location_entry)? else {
                    continue;
                };
                if let Some(reason) = location_escape(&location.bytes) {
                    if escapes.len() < MAX_TENSOR_ESCAPES {
                        escapes.push((location, reason, f.offset));
                    }
                }
            }
            _ => {}
        }
    }
    let name = name.map(|n| n.to_text()).unwrap_or_default();
    for (location, reason, offset) in &escapes {
        st.escape(location, reason, &name, external, *offset);
    }
    Ok(())
}

/// StringStringEntryProto { key = 1, value = 2 }: the value when the key is `location`.
fn location_entry(pb: &mut Reader<'_>) -> Result<Option<Prefix>> {
    let (mut key, mut value) = (None, None);
    while let Some(f) = pb.next_field()? {
        match (f.number, f.value) {
            (1, Value::Len(_)) => key = Some(pb.read_prefix(MAX_NAME)?),
            (2, Value::Len(_)) => value = Some(pb.read_prefix(MAX_LOCATION)?),
            _ => {}
        }
    }
    let is_location = key.is_some_and(|k| k.bytes == b"location");
    Ok(value.filter(|_| is_location))
}

/// FunctionProto: remembered by (domain, name); its nodes and default attributes are scanned.
fn function(pb: &mut Reader<'_>, st: &mut State) -> Result {
    let (mut name, mut domain) = (Prefix::default(), Prefix::default());
    while let Some(f) = pb.next_field()? {
        match (f.number, f.value) {
            (1, Value::Len(_)) => name = pb.read_prefix(MAX_NAME)?,
            (10, Value::Len(_)) => domain = pb.read_prefix(MAX_NAME)?,
            (7, Value::Len(_)) => pb.message(|pb| node(pb, st, f.offset))?,
            (11, Value::Len(_)) => pb.message(|pb| attribute(pb, st))?,
            _ => {}
        }
    }
    st.report.functions += 1;
    if name.is_complete() && domain.is_complete() && st.functions.len() < MAX_FUNCTIONS {
        st.functions.insert((domain.bytes, name.bytes));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protobuf::testenc::{self, Filler, Msg};
    use proptest::prelude::*;
    use std::io::Cursor;

    fn run(bytes: &[u8]) -> OnnxReport {
        scan(&mut Cursor::new(bytes), bytes.len() as u64).expect("no I/O error from a cursor")
    }

    fn node(op: &str, domain: &str) -> Msg {
        let m = Msg::new()
            .str(1, "x")
            .str(2, "y")
            .str(3, &format!("{op}_0"))
            .str(4, op);
        if domain.is_empty() {
            m
        } else {
            m.str(7, domain)
        }
    }

    fn entry(key: &str, value: &str) -> Msg {
        Msg::new().str(1, key).str(2, value)
    }

    fn external_tensor(name: &str, location: &str) -> Msg {
        Msg::new()
            .varint(1, 4)
            .varint(2, 1)
            .str(8, name)
            .msg(13, entry("location", location))
            .msg(13, entry("offset", "0"))
            .msg(13, entry("length", "16"))
            .varint(14, 1)
    }

    fn value_info(name: &str) -> Msg {
        Msg::new()
            .str(1, name)
            .msg(2, Msg::new().msg(1, Msg::new().varint(1, 1)))
    }

    fn model(graph: Msg) -> Msg {
        Msg::new()
            .varint(1, 8)
            .str(2, "pytorch")
            .str(3, "2.1.0")
            .msg(7, graph)
            .msg(8, Msg::new().str(1, "").varint(2, 17))
            .msg(8, Msg::new().str(1, "com.microsoft").varint(2, 1))
    }

    fn benign_graph() -> Msg {
        Msg::new()
            .msg(1, node("Conv", ""))
            .msg(1, node("Relu", "ai.onnx"))
            .msg(1, node("FusedGemm", "com.microsoft"))
            .msg(1, node("LabelEncoder", "ai.onnx.ml"))
            .str(2, "main_graph")
            .msg(
                5,
                Msg::new()
                    .varint(1, 4)
                    .varint(2, 1)
                    .str(8, "w")
                    .bytes(9, &[0; 64]),
            )
            .msg(5, external_tensor("big", "weights/model.onnx.data"))
            .msg(5, external_tensor("mm", "onnx::MatMul_1234"))
            .msg(11, value_info("x"))
            .msg(12, value_info("y"))
    }

    fn kinds(r: &OnnxReport) -> Vec<(IssueKind, &str)> {
        r.issues
            .iter()
            .map(|i| (i.kind, i.subject.as_str()))
            .collect()
    }

    #[test]
    fn benign_model_is_clean() {
        let r = run(&model(benign_graph()).finish());
        assert_eq!(r.issues, []);
        assert_eq!(r.ir_version, Some(8));
        assert_eq!(r.producer_name.as_deref(), Some("pytorch"));
        assert!(r.has_graph);
        assert_eq!(r.nodes, 4);
        assert_eq!(
            r.opset_imports,
            [
                OpsetImport {
                    domain: String::new(),
                    version: 17
                },
                OpsetImport {
                    domain: "com.microsoft".into(),
                    version: 1
                }
            ]
        );
        assert!(r.is_complete());
    }

    #[test]
    fn escaping_locations_are_found() {
        let escaping = [
            "../../etc/passwd",
            "/etc/passwd",
            "\\\\server\\share\\w.bin",
            "C:\\Windows\\win.ini",
            "c:w.bin",
            "file:///etc/passwd",
            "http://example.com/w.bin",
            "S3:bucket/w",
            "w.bin\0.txt",
            "sub/../../x.bin",
            "sub\\..\\..\\x.bin",
        ];
        let mut graph = benign_graph();
        for (i, loc) in escaping.iter().enumerate() {
            graph = graph.msg(5, external_tensor(&format!("t{i}"), loc));
        }
        let r = run(&model(graph).finish());
        let mut got: Vec<_> = r
            .issues
            .iter()
            .map(|i| {
                assert_eq!(i.kind, IssueKind::ExternalDataEscape);
                assert_eq!(i.severity, Severity::High);
                i.subject.clone()
            })
            .collect();
        got.sort();
        let mut want: Vec<_> = escaping.iter().map(|s| s.replace('\0', "\\0")).collect();
        want.sort();
        assert_eq!(got, want);
        let first = &r.issues[0];
        assert!(first.detail.contains("tensor `t"), "{}", first.detail);
        assert!(first.detail.contains("CVE-2022-25882"));
    }

    #[test]
    fn location_rules() {
        for ok in [
            "w.bin",
            "weights/w.bin",
            "./w.bin",
            "onnx::MatMul_1",
            "model.onnx_data",
            "a..b/c..",
            "",
        ] {
            assert_eq!(location_escape(ok.as_bytes()), None, "{ok}");
        }
        assert_eq!(
            location_escape(b"a/../b"),
            Some("climbs out of the model's directory with `..`")
        );
        assert_eq!(location_escape(b"/x"), Some("is an absolute path"));
        assert_eq!(location_escape(b"ftp:x"), Some("is a URL"));
        assert_eq!(location_escape(b"custom+x://host/p"), Some("is a URL"));
    }

    #[test]
    fn repeated_escape_is_folded_and_non_external_noted() {
        let graph = Msg::new()
            .msg(5, external_tensor("a", "../secret"))
            .msg(5, external_tensor("b", "../secret"))
            .msg(
                5,
                Msg::new()
                    .str(8, "c")
                    .msg(13, entry("location", "/etc/shadow")),
            );
        let r = run(&model(graph).finish());
        assert_eq!(r.issues.len(), 2);
        assert_eq!(
            (r.issues[0].subject.as_str(), r.issues[0].count),
            ("../secret", 2)
        );
        assert!(r.issues[0].detail.contains("tensor `a`"));
        assert!(r.issues[1].detail.contains("not EXTERNAL"));
    }

    #[test]
    fn other_keys_are_not_locations() {
        let t = Msg::new()
            .str(8, "t")
            .msg(13, entry("checksum", "/etc/passwd"))
            .msg(13, entry("location", "w.bin"))
            .varint(14, 1);
        assert_eq!(run(&model(Msg::new().msg(5, t)).finish()).issues, []);
    }

    #[test]
    fn custom_domains_are_found_and_folded() {
        let graph = Msg::new()
            .msg(1, node("Conv", ""))
            .msg(1, node("Backdoor", "evil.ops"))
            .msg(1, node("Backdoor", "evil.ops"))
            .msg(1, node("Other", "evil.ops"))
            .msg(1, node("Tokenizer", "ai.onnx.contrib"));
        let bytes = model(graph).finish();
        let r = run(&bytes);
        assert_eq!(
            kinds(&r),
            [
                (IssueKind::CustomOpDomain, "evil.ops::Backdoor"),
                (IssueKind::CustomOpDomain, "evil.ops::Other"),
                (IssueKind::CustomOpDomain, "ai.onnx.contrib::Tokenizer"),
            ]
        );
        let backdoor = &r.issues[0];
        assert_eq!((backdoor.count, backdoor.severity), (2, Severity::Medium));
        assert!(backdoor.detail.contains("custom-op library"));
        // The first Backdoor node's tag, found in the file.
        let first = bytes
            .windows(b"Backdoor_0".len())
            .position(|w| w == b"Backdoor_0")
            .expect("node name in file");
        assert!(backdoor.offset < first as u64);
        assert_eq!(bytes[backdoor.offset as usize], 0x0a, "a node field tag");
    }

    #[test]
    fn node_offset_is_its_tag() {
        // ModelProto.graph tag at 0, its length at 1, the node's tag at 2.
        let r = run(&Msg::new()
            .msg(7, Msg::new().msg(1, node("X", "evil")))
            .finish());
        assert_eq!(r.issues[0].offset, 2);
    }

    #[test]
    fn last_domain_wins() {
        let n = node("Conv", "evil.ops").str(7, "");
        assert_eq!(run(&model(Msg::new().msg(1, n)).finish()).issues, []);
        let n = node("Conv", "").str(7, "evil.ops");
        assert_eq!(run(&model(Msg::new().msg(1, n)).finish()).issues.len(), 1);
    }

    #[test]
    fn subgraphs_are_visited() {
        let body = Msg::new()
            .msg(1, node("Add", ""))
            .msg(1, node("Hidden", "evil.loop"))
            .msg(5, external_tensor("in_body", "../../../root/.ssh/id_rsa"));
        let loop_node =
            node("Loop", "").msg(5, Msg::new().str(1, "body").varint(20, 5).msg(6, body));
        let then_branch = Msg::new().msg(1, node("Deep", "evil.if"));
        let if_node = node("If", "").msg(
            5,
            Msg::new()
                .str(1, "branches")
                .msg(11, then_branch.clone())
                .msg(
                    11,
                    Msg::new().msg(1, node("Loop", "").msg(5, Msg::new().msg(6, then_branch))),
                ),
        );
        let constant = node("Constant", "").msg(
            5,
            Msg::new()
                .str(1, "value")
                .msg(5, external_tensor("const", "/etc/hosts")),
        );
        let sparse = Msg::new()
            .msg(1, external_tensor("vals", "../v.bin"))
            .msg(2, external_tensor("idx", "i.bin"));
        let graph = Msg::new()
            .msg(1, loop_node)
            .msg(1, if_node)
            .msg(1, constant)
            .msg(15, sparse);
        let r = run(&model(graph).finish());
        let mut got = kinds(&r);
        got.sort_by_key(|k| k.1);
        assert_eq!(
            got,
            [
                (IssueKind::ExternalDataEscape, "../../../root/.ssh/id_rsa"),
                (IssueKind::ExternalDataEscape, "../v.bin"),
                (IssueKind::ExternalDataEscape, "/etc/hosts"),
                (IssueKind::CustomOpDomain, "evil.if::Deep"),
                (IssueKind::CustomOpDomain, "evil.loop::Hidden"),
            ]
        );
        let deep = r.issues.iter().find(|i| i.subject == "evil.if::Deep");
        assert_eq!(deep.map(|i| i.count), Some(2));
        assert_eq!(r.nodes, 8);
    }

    #[test]
    fn local_functions_resolve_and_their_bodies_are_scanned() {
        let function = Msg::new()
            .str(1, "MyBlock")
            .str(4, "x")
            .str(5, "y")
            .msg(7, node("Relu", ""))
            .msg(7, node("Inside", "evil.fn"))
            .msg(9, Msg::new().str(1, "").varint(2, 17))
            .str(10, "local.fns");
        let graph = Msg::new()
            .msg(1, node("MyBlock", "local.fns"))
            .msg(1, node("Undefined", "local.fns"));
        let bytes = model(graph).msg(25, function).finish();
        let r = run(&bytes);
        assert_eq!(
            kinds(&r),
            [
                (IssueKind::CustomOpDomain, "local.fns::Undefined"),
                (IssueKind::CustomOpDomain, "evil.fn::Inside"),
            ]
        );
        assert_eq!(r.functions, 1);
    }

    #[test]
    fn training_graphs_are_visited() {
        let training = Msg::new()
            .msg(1, Msg::new().msg(1, node("Init", "evil.train")))
            .msg(
                2,
                Msg::new().msg(1, node("Step", "ai.onnx.preview.training")),
            );
        let bytes = model(benign_graph()).msg(20, training).finish();
        assert_eq!(
            kinds(&run(&bytes)),
            [(IssueKind::CustomOpDomain, "evil.train::Init")]
        );
    }

    #[test]
    fn nesting_past_the_limit_is_malformed_not_a_stack_overflow() {
        // Each Loop body adds three messages (node, attribute, graph).
        let mut graph = Msg::new().msg(1, node("Bottom", "evil.deep"));
        for _ in 0..protobuf::MAX_DEPTH / 3 + 2 {
            graph = Msg::new().msg(
                1,
                node("Loop", "").msg(5, Msg::new().str(1, "body").msg(6, graph)),
            );
        }
        let r = run(&model(graph).finish());
        assert_eq!(
            r.issues.last().map(|i| (i.kind, i.subject.as_str())),
            Some((IssueKind::Malformed, "messages are nested deeper than 100"))
        );
        // Just inside the limit, the bottom node is found.
        let mut graph = Msg::new().msg(1, node("Bottom", "evil.deep"));
        for _ in 0..(protobuf::MAX_DEPTH - 3) / 3 {
            graph = Msg::new().msg(
                1,
                node("Loop", "").msg(5, Msg::new().str(1, "body").msg(6, graph)),
            );
        }
        assert_eq!(
            kinds(&run(&model(graph).finish())),
            [(IssueKind::CustomOpDomain, "evil.deep::Bottom")]
        );
    }

    #[test]
    fn long_names_are_cut() {
        let domain = "d".repeat(MAX_NAME + 10);
        let r = run(&model(Msg::new().msg(1, node("Op", &domain))).finish());
        assert_eq!(r.issues.len(), 1);
        assert!(r.issues[0]
            .subject
            .ends_with(&format!("… ({} bytes)::Op", MAX_NAME + 10)));
    }

    #[test]
    fn truncated_model_is_malformed_and_keeps_what_was_seen() {
        let bytes = model(
            Msg::new()
                .msg(1, node("Backdoor", "evil.ops"))
                .msg(1, node("Conv", "")),
        )
        .finish();
        for cut in 0..bytes.len() {
            let r = scan(&mut Cursor::new(&bytes[..cut]), bytes.len() as u64).unwrap();
            assert!(!r.is_complete(), "cut at {cut}");
            let m = r.issues.iter().find(|i| i.kind == IssueKind::Malformed);
            assert!(m.is_some_and(|m| m.offset <= cut as u64), "cut at {cut}");
        }
        // Cut inside the second node: the first is still reported.
        let second = bytes
            .windows(b"Conv_0".len())
            .position(|w| w == b"Conv_0")
            .expect("node name in file");
        let r = scan(&mut Cursor::new(&bytes[..second]), bytes.len() as u64).unwrap();
        assert_eq!(
            kinds(&r),
            [
                (IssueKind::CustomOpDomain, "evil.ops::Backdoor"),
                (IssueKind::Malformed, "the data ends inside a field"),
            ]
        );
    }

    #[test]
    fn garbage_is_malformed() {
        for bytes in [
            vec![0xff; 32],
            b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80".to_vec(),
            vec![0x3a, 0x05, 0x0b, 0x00],
            b"PK\x03\x04 not onnx".to_vec(),
        ] {
            let r = run(&bytes);
            assert!(!r.is_complete(), "{bytes:?}");
            assert_eq!(r.issues.last().map(|i| i.severity), Some(Severity::Medium));
        }
    }

    #[test]
    fn big_initializer_is_skipped_not_held() {
        // 50 MB of raw_data generated on the fly, then a custom node after it.
        let data_len: u64 = 50 << 20;
        let mut tensor_head = Msg::new().varint(1, 4).varint(2, 1).str(8, "huge").finish();
        tensor_head.push(0x4a); // field 9 (raw_data), wire type 2
        testenc::varint(&mut tensor_head, data_len);
        let tensor_len = tensor_head.len() as u64 + data_len;
        let mut graph_head = vec![0x2a]; // GraphProto.initializer (5)
        testenc::varint(&mut graph_head, tensor_len);
        let tail = Msg::new().msg(1, node("After", "evil.ops")).finish();
        let graph_len = graph_head.len() as u64 + tensor_len + tail.len() as u64;
        let mut head = Msg::new().varint(1, 8).finish();
        head.push(0x3a); // ModelProto.graph (7)
        testenc::varint(&mut head, graph_len);
        let head = [head, graph_head, tensor_head].concat();
        let total = head.len() as u64 + data_len + tail.len() as u64;
        let mut src = Cursor::new(head)
            .chain(Filler(data_len))
            .chain(Cursor::new(tail));
        let start = std::time::Instant::now();
        let r = scan(&mut src, total).unwrap();
        assert!(start.elapsed().as_secs() < 10);
        assert_eq!(kinds(&r), [(IssueKind::CustomOpDomain, "evil.ops::After")]);
        assert!(r.issues[0].offset > data_len);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
            let _ = run(&bytes);
        }

        #[test]
        fn mutated_models_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
            let mut bytes = model(benign_graph().msg(1, node("Loop", "").msg(5, Msg::new().msg(6, benign_graph())))).finish();
            for (i, b) in flips {
                let at = i.index(bytes.len());
                bytes[at] = b;
            }
            let _ = run(&bytes);
        }
    }
}
