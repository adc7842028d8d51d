//! TensorFlow SavedModel graphs (`saved_model.pb`), scanned as a protobuf stream without loading them.
//!
//! A SavedModel is a program: TensorFlow runs its graph's ops when the model is served or called. Most ops
//! compute on tensors, but some reach the file system, or Python, from inside the graph. [`RISKY_OPS`] lists
//! them, each with what it does; every node using one, in the graphs of every meta graph and in the bodies of
//! library functions (where TF2 models keep all their code), is reported once per op with the offset of the
//! first `NodeDef` and a count.
//!
//! The saver ops every SavedModel carries (`SaveV2`, `RestoreV2`, `MergeV2Checkpoints`, `ShardedFilename`,
//! `StringJoin`, ...) write and read the model's own `variables/` checkpoint and are not reported, nor are
//! lookup tables reading their vocabulary assets (`InitializeTableFromTextFileV2`): benign models are clean.
//! `PrintV2` is reported only when its `output_stream` is a `file://` path.
//!
//! Malformed protobuf stops the scan with an [`IssueKind::Malformed`] issue; what was seen before is kept.
//! Field numbers follow tensorflow's `saved_model.proto`, `meta_graph.proto`, `graph.proto`,
//! `node_def.proto`, `function.proto` and `attr_value.proto`.

use crate::protobuf::{self, Prefix, Reader, Value};
use std::collections::HashMap;
use std::io::{self, Read};
use warden_core::Severity;

/// Bytes kept of an op, node or function name; longer ones are cut (and match no op).
pub const MAX_NAME: usize = 512;
/// Bytes kept of an attribute value shown in a report.
pub const MAX_ATTR_VALUE: usize = 1024;
/// Notable attribute values kept per node.
const MAX_NODE_ATTRS: usize = 8;
/// Attributes whose string values say where a risky op reads or writes; kept for the report.
const NOTABLE_ATTRS: &[&str] = &[
    "output_stream",
    "debug_urls",
    "dump_root",
    "memory_region_name",
    "token",
    "shared_name",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueKind {
    /// The op reads files (or remote objects through TensorFlow's file systems: `gs://`, `s3://`, `hdfs://`).
    ReadsFiles,
    /// The op writes or appends to files, or sends tensors to debug URLs.
    WritesFiles,
    /// The op lists files matching a pattern.
    ListsFiles,
    /// The op calls back into Python.
    RunsPython,
    /// The protobuf is malformed; the scan stopped there.
    Malformed,
}

/// When an op in [`RISKY_OPS`] is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    /// Only when its `output_stream` attribute is a `file://` path (`PrintV2`).
    FileOutputStream,
}

/// An op that reaches outside the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskyOp {
    pub op: &'static str,
    pub kind: IssueKind,
    /// The severity warden should give a node using it.
    pub severity: Severity,
    pub when: When,
    /// What the op does, for the report.
    pub reason: &'static str,
}

const fn risky(
    op: &'static str,
    kind: IssueKind,
    severity: Severity,
    reason: &'static str,
) -> RiskyOp {
    RiskyOp {
        op,
        kind,
        severity,
        when: When::Always,
        reason,
    }
}

use IssueKind::{ListsFiles, ReadsFiles, RunsPython, WritesFiles};
use Severity::{High, Medium};

const READER_OP: &str =
    "reads the files a queue names (TF1 input pipeline); a serving graph has no reason to";
const DATASET_OP: &str =
    "reads the files named by its input (tf.data source); a serving graph has no reason to";

/// Ops reported by the scan, with what each does. Ops that every SavedModel's saver subgraph uses are absent
/// on purpose (see the module documentation).
pub const RISKY_OPS: &[RiskyOp] = &[
    risky("ReadFile", ReadsFiles, High, "reads a whole file named by its input tensor (any path, or gs://, s3://, hdfs:// URLs) into the graph"),
    risky("WriteFile", WritesFiles, High, "writes its input tensor to a file named by another input, creating directories"),
    RiskyOp {
        op: "PrintV2",
        kind: WritesFiles,
        severity: High,
        when: When::FileOutputStream,
        reason: "appends printed tensors to the file its output_stream names",
    },
    risky("MatchingFiles", ListsFiles, Medium, "lists the files matching a glob pattern, disclosing the file system"),
    risky("PyFunc", RunsPython, High, "calls a Python function registered in the loading process (tf.py_function / tf.numpy_function)"),
    risky("PyFuncStateless", RunsPython, High, "calls a Python function registered in the loading process (tf.numpy_function)"),
    risky("EagerPyFunc", RunsPython, High, "calls a Python function registered in the loading process (tf.py_function)"),
    risky("ImmutableConst", ReadsFiles, Medium, "memory-maps the file named by its memory_region_name attribute into a tensor"),
    risky("DebugIdentity", WritesFiles, Medium, "sends tensor values to its debug_urls (file:// dumps or grpc:// endpoints)"),
    risky("DebugNanCount", WritesFiles, Medium, "sends tensor statistics to its debug_urls (file:// dumps or grpc:// endpoints)"),
    risky("DebugNumericSummary", WritesFiles, Medium, "sends tensor statistics to its debug_urls (file:// dumps or grpc:// endpoints)"),
    risky("DebugIdentityV2", WritesFiles, Medium, "writes tensor values under the directory its dump_root attribute names"),
    risky("DebugIdentityV3", WritesFiles, Medium, "writes tensor values under the directory its dump_root attribute names"),
    risky("CreateSummaryFileWriter", WritesFiles, Medium, "opens an event-file writer in the directory named by its input"),
    risky("CreateSummaryDbWriter", WritesFiles, Medium, "opens an SQLite summary database at the path named by its input"),
    risky("SaveDataset", WritesFiles, Medium, "writes a dataset to the directory named by its input"),
    risky("SaveDatasetV2", WritesFiles, Medium, "writes a dataset to the directory named by its input"),
    risky("LoadDataset", ReadsFiles, Medium, "reads a saved dataset from the directory named by its input"),
    risky("WholeFileReader", ReadsFiles, Medium, READER_OP),
    risky("WholeFileReaderV2", ReadsFiles, Medium, READER_OP),
    risky("TextLineReader", ReadsFiles, Medium, READER_OP),
    risky("TextLineReaderV2", ReadsFiles, Medium, READER_OP),
    risky("FixedLengthRecordReader", ReadsFiles, Medium, READER_OP),
    risky("FixedLengthRecordReaderV2", ReadsFiles, Medium, READER_OP),
    risky("TFRecordReader", ReadsFiles, Medium, READER_OP),
    risky("TFRecordReaderV2", ReadsFiles, Medium, READER_OP),
    risky("TextLineDataset", ReadsFiles, Medium, DATASET_OP),
    risky("TFRecordDataset", ReadsFiles, Medium, DATASET_OP),
    risky("TFRecordDatasetV2", ReadsFiles, Medium, DATASET_OP),
    risky("FixedLengthRecordDataset", ReadsFiles, Medium, DATASET_OP),
    risky("FixedLengthRecordDatasetV2", ReadsFiles, Medium, DATASET_OP),
];

/// The [`RISKY_OPS`] entry for `op`.
pub fn risky_op(op: &[u8]) -> Option<&'static RiskyOp> {
    RISKY_OPS.iter().find(|r| r.op.as_bytes() == op)
}

/// Something found in the SavedModel: a risky op (once per op, with a count) or a malformation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub kind: IssueKind,
    pub severity: Severity,
    /// The op name, or the malformation.
    pub subject: String,
    pub detail: String,
    /// Byte offset of the first `NodeDef` using the op, or of the broken field.
    pub offset: u64,
    /// Nodes folded into this issue.
    pub count: u64,
}

/// What the scan saw and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SavedModelReport {
    pub schema_version: Option<i64>,
    pub meta_graphs: u64,
    /// Nodes seen, in graphs and in library functions.
    pub nodes: u64,
    /// Library functions seen.
    pub functions: u64,
    /// Issues in file order.
    pub issues: Vec<Issue>,
}

impl SavedModelReport {
    /// Whether the whole file was read without a malformation.
    pub fn is_complete(&self) -> bool {
        !self.issues.iter().any(|i| i.kind == IssueKind::Malformed)
    }
}

/// Scan the `saved_model.pb` of `size` bytes in `r` (positioned at its start). Errors are I/O errors only;
/// malformed content is an [`IssueKind::Malformed`] issue.
pub fn scan(r: &mut dyn Read, size: u64) -> io::Result<SavedModelReport> {
    let mut pb = Reader::new(r, Some(size));
    let mut st = State::default();
    match saved_model(&mut pb, &mut st) {
        Ok(()) => {}
        Err(protobuf::Error::Io(e)) => return Err(e),
        Err(protobuf::Error::Malformed { offset, kind }) => {
            st.report.issues.push(Issue {
                kind: IssueKind::Malformed,
                severity: Medium,
                subject: kind.to_string(),
                detail: format!(
                    "the SavedModel's protobuf is malformed at byte {offset}: {kind}; the scan stopped there \
                     and nothing after it was checked"
                ),
                offset,
                count: 1,
            });
        }
    }
    Ok(st.finish())
}

#[derive(Debug, Default)]
struct State {
    report: SavedModelReport,
    /// Issues by op, in the order first seen.
    found: HashMap<&'static str, Issue>,
}

impl State {
    fn node(&mut self, node: Node, offset: u64, function: Option<&Prefix>) {
        self.report.nodes += 1;
        let Some(risky) = node
            .op
            .as_ref()
            .filter(|op| op.is_complete())
            .and_then(|op| risky_op(&op.bytes))
        else {
            return;
        };
        let to_file =
            |(k, v): &(&str, Prefix)| *k == "output_stream" && v.bytes.starts_with(b"file://");
        if risky.when == When::FileOutputStream && !node.attrs.iter().any(to_file) {
            return;
        }
        if let Some(issue) = self.found.get_mut(risky.op) {
            issue.count += 1;
            return;
        }
        let name = node.name.map(|n| n.to_text()).unwrap_or_default();
        let place = match function {
            Some(f) => format!("in library function `{}`", f.to_text()),
            None => "in the graph".to_owned(),
        };
        let mut detail = format!("node `{name}` ({place}) {}", risky.reason);
        for (key, value) in &node.attrs {
            detail.push_str(&format!("; {key} = `{}`", value.to_text()));
        }
        self.found.insert(
            risky.op,
            Issue {
                kind: risky.kind,
                severity: risky.severity,
                subject: risky.op.to_owned(),
                detail,
                offset,
                count: 1,
            },
        );
    }

    fn finish(mut self) -> SavedModelReport {
        let mut issues = std::mem::take(&mut self.report.issues);
        issues.extend(self.found.into_values());
        issues.sort_by(|a, b| (a.offset, &a.subject).cmp(&(b.offset, &b.subject)));
        for issue in &mut issues {
            if issue.count > 1 {
                issue
                    .detail
                    .push_str(&format!(" ({} nodes use it)", issue.count));
            }
        }
        self.report.issues = issues;
        self.report
    }
}

type Result<T = ()> = std::result::Result<T, protobuf::Error>;

/// SavedModel { saved_model_schema_version = 1, meta_graphs = 2 }.
fn saved_model(pb: &mut Reader<'_>, st: &mut State) -> Result {
    while let Some(f) = pb.next_field()? {
        match (f.number, f.value) {
            (1, Value::Varint(v)) => st.report.schema_version = Some(v as i64),
            (2, Value::Len(_)) => {
                st.report.meta_graphs += 1;
                pb.message(|pb| meta_graph(pb, st))?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// MetaGraphDef { graph_def = 2 }; meta_info_def, saver_def, signatures and object_graph_def hold no ops.
fn meta_graph(pb: &mut Reader<'_>, st: &mut State) -> Result {
    while let Some(f) = pb.next_field()? {
        if let (2, Value::Len(_)) = (f.number, f.value) {
            pb.message(|pb| graph_def(pb, st))?;
        }
    }
    Ok(())
}

/// GraphDef { node = 1, library = 2 }.
fn graph_def(pb: &mut Reader<'_>, st: &mut State) -> Result {
    while let Some(f) = pb.next_field()? {
        match (f.number, f.value) {
            (1, Value::Len(_)) => {
                let n = pb.message(node_def)?;
                st.node(n, f.offset, None);
            }
            (2, Value::Len(_)) => pb.message(|pb| library(pb, st))?,
            _ => {}
        }
    }
    Ok(())
}

/// FunctionDefLibrary { function = 1 }.
fn library(pb: &mut Reader<'_>, st: &mut State) -> Result {
    while let Some(f) = pb.next_field()? {
        if let (1, Value::Len(_)) = (f.number, f.value) {
            st.report.functions += 1;
            pb.message(|pb| function_def(pb, st))?;
        }
    }
    Ok(())
}

/// FunctionDef { signature = 1 (OpDef { name = 1 }), node_def = 3 }.
fn function_def(pb: &mut Reader<'_>, st: &mut State) -> Result {
    let mut name = None;
    while let Some(f) = pb.next_field()? {
        match (f.number, f.value) {
            (1, Value::Len(_)) => {
                name = pb.message(|pb| {
                    let mut name = None;
                    while let Some(f) = pb.next_field()? {
                        if let (1, Value::Len(_)) = (f.number, f.value) {
                            name = Some(pb.read_prefix(MAX_NAME)?);
                        }
                    }
                    Ok(name)
                })?;
            }
            (3, Value::Len(_)) => {
                let n = pb.message(node_def)?;
                st.node(n, f.offset, name.as_ref());
            }
            _ => {}
        }
    }
    Ok(())
}

/// What a node says about itself: its name, op and notable attribute values.
#[derive(Debug, Default)]
struct Node {
    name: Option<Prefix>,
    op: Option<Prefix>,
    attrs: Vec<(&'static str, Prefix)>,
}

/// NodeDef { name = 1, op = 2, attr = 5 (map<string, AttrValue>) }.
fn node_def(pb: &mut Reader<'_>) -> Result<Node> {
    let mut node = Node::default();
    while let Some(f) = pb.next_field()? {
        match (f.number, f.value) {
            (1, Value::Len(_)) => node.name = Some(pb.read_prefix(MAX_NAME)?),
            (2, Value::Len(_)) => node.op = Some(pb.read_prefix(MAX_NAME)?),
            (5, Value::Len(_)) if node.attrs.len() < MAX_NODE_ATTRS => {
                pb.message(|pb| attr_entry(pb, &mut node.attrs))?;
            }
            _ => {}
        }
    }
    Ok(node)
}

/// One map entry { key = 1, value = 2 (AttrValue) }: the string values of a notable key.
fn attr_entry(pb: &mut Reader<'_>, attrs: &mut Vec<(&'static str, Prefix)>) -> Result {
    let (mut key, mut key_seen) = (None, false);
    let mut values = Vec::new();
    while let Some(f) = pb.next_field()? {
        match (f.number, f.value) {
            (1, Value::Len(_)) => {
                let k = pb.read_prefix(MAX_NAME)?;
                key = NOTABLE_ATTRS
                    .iter()
                    .copied()
                    .find(|n| n.as_bytes() == k.bytes);
                key_seen = true;
            }
            // The key comes first in every serializer: skip values of keys known to be of no interest.
            (2, Value::Len(_)) if key.is_some() || !key_seen => {
                values.clear();
                pb.message(|pb| attr_strings(pb, &mut values))?;
            }
            _ => {}
        }
    }
    if let Some(key) = key {
        for v in values {
            if attrs.len() < MAX_NODE_ATTRS {
                attrs.push((key, v));
            }
        }
    }
    Ok(())
}

/// AttrValue { list = 1 (ListValue { s = 2 }), s = 2 }: its string values, at most a few.
fn attr_strings(pb: &mut Reader<'_>, out: &mut Vec<Prefix>) -> Result {
    while let Some(f) = pb.next_field()? {
        match (f.number, f.value) {
            (2, Value::Len(_)) if out.len() < MAX_NODE_ATTRS => {
                out.push(pb.read_prefix(MAX_ATTR_VALUE)?);
            }
            (1, Value::Len(_)) => pb.message(|pb| {
                while let Some(f) = pb.next_field()? {
                    if let (2, Value::Len(_)) = (f.number, f.value) {
                        if out.len() < MAX_NODE_ATTRS {
                            out.push(pb.read_prefix(MAX_ATTR_VALUE)?);
                        }
                    }
                }
                Ok(())
            })?,
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protobuf::testenc::{self, Filler, Msg};
    use proptest::prelude::*;
    use std::io::Cursor;

    fn run(bytes: &[u8]) -> SavedModelReport {
        scan(&mut Cursor::new(bytes), bytes.len() as u64).expect("no I/O error from a cursor")
    }

    fn attr_s(key: &str, s: &str) -> Msg {
        Msg::new().str(1, key).msg(2, Msg::new().str(2, s))
    }

    fn attr_type(key: &str, ty: u64) -> Msg {
        Msg::new().str(1, key).msg(2, Msg::new().varint(6, ty))
    }

    fn node(name: &str, op: &str) -> Msg {
        Msg::new()
            .str(1, name)
            .str(2, op)
            .str(3, "input:0")
            .str(4, "/device:CPU:0")
            .msg(5, attr_type("T", 1))
    }

    fn function(name: &str, nodes: &[Msg]) -> Msg {
        let mut f = Msg::new().msg(
            1,
            Msg::new()
                .str(1, name)
                .msg(2, Msg::new().str(1, "x").varint(3, 1)),
        );
        for n in nodes {
            f = f.msg(3, n.clone());
        }
        f.msg(4, Msg::new().str(1, "out").str(2, "y:0"))
    }

    fn saved_model(nodes: &[Msg], functions: &[Msg]) -> Msg {
        let mut graph = Msg::new();
        for n in nodes {
            graph = graph.msg(1, n.clone());
        }
        let mut library = Msg::new();
        for f in functions {
            library = library.msg(1, f.clone());
        }
        graph = graph
            .msg(2, library)
            .msg(4, Msg::new().varint(1, 1087).varint(2, 0));
        let meta = Msg::new()
            .msg(
                1,
                Msg::new()
                    .str(1, "serve")
                    .str(3, "2.15.0")
                    .msg(6, Msg::new().msg(1, Msg::new().str(1, "ReadFile"))),
            )
            .msg(2, graph)
            .msg(
                3,
                Msg::new()
                    .str(1, "saver_filename:0")
                    .str(2, "StatefulPartitionedCall_1:0"),
            )
            .msg(
                7,
                Msg::new().msg(1, Msg::new().msg(1, Msg::new().varint(1, 1))),
            );
        Msg::new().varint(1, 1).msg(2, meta)
    }

    /// The saver subgraph, variables, a lookup table and a stderr print: what real SavedModels hold.
    fn benign_nodes() -> Vec<Msg> {
        vec![
            node("serving_default_x", "Placeholder"),
            node("dense/kernel", "VarHandleOp"),
            node("saver_filename", "Placeholder"),
            node("StringJoin", "StringJoin"),
            node("ShardedFilename", "ShardedFilename"),
            node("SaveV2", "SaveV2"),
            node("MergeV2Checkpoints", "MergeV2Checkpoints"),
            node("RestoreV2", "RestoreV2"),
            node("vocab_init", "InitializeTableFromTextFileV2"),
            node("StatefulPartitionedCall", "StatefulPartitionedCall"),
            node("print", "PrintV2").msg(5, attr_s("output_stream", "stderr")),
        ]
    }

    fn benign_functions() -> Vec<Msg> {
        vec![function(
            "__inference_call_123",
            &[
                node("MatMul", "MatMul"),
                node("BiasAdd", "BiasAdd"),
                node("save", "SaveV2"),
            ],
        )]
    }

    fn subjects(r: &SavedModelReport) -> Vec<(IssueKind, &str, u64)> {
        r.issues
            .iter()
            .map(|i| (i.kind, i.subject.as_str(), i.count))
            .collect()
    }

    #[test]
    fn benign_saved_model_is_clean() {
        let r = run(&saved_model(&benign_nodes(), &benign_functions()).finish());
        assert_eq!(r.issues, []);
        assert_eq!(r.schema_version, Some(1));
        assert_eq!((r.meta_graphs, r.nodes, r.functions), (1, 14, 1));
        assert!(r.is_complete());
    }

    #[test]
    fn risky_ops_in_graph_are_found_and_folded() {
        let mut nodes = benign_nodes();
        nodes.push(node("steal", "ReadFile"));
        nodes.push(node("steal_again", "ReadFile"));
        nodes.push(node("drop", "WriteFile"));
        nodes.push(node("glob", "MatchingFiles"));
        nodes.push(
            node("mmap", "ImmutableConst").msg(5, attr_s("memory_region_name", "/etc/shadow")),
        );
        let bytes = saved_model(&nodes, &benign_functions()).finish();
        let r = run(&bytes);
        assert_eq!(
            subjects(&r),
            [
                (ReadsFiles, "ReadFile", 2),
                (WritesFiles, "WriteFile", 1),
                (ListsFiles, "MatchingFiles", 1),
                (ReadsFiles, "ImmutableConst", 1),
            ]
        );
        let read = &r.issues[0];
        assert_eq!(read.severity, High);
        assert!(
            read.detail
                .starts_with("node `steal` (in the graph) reads a whole file"),
            "{}",
            read.detail
        );
        assert!(read.detail.ends_with("(2 nodes use it)"));
        // The offset is the NodeDef's tag in GraphDef (field 1).
        assert_eq!(bytes[read.offset as usize], 0x0a);
        let name_at = bytes.windows(5).position(|w| w == b"steal").unwrap_or(0) as u64;
        assert!(read.offset < name_at && name_at - read.offset < 6);
        assert!(r.issues[3]
            .detail
            .contains("memory_region_name = `/etc/shadow`"));
    }

    #[test]
    fn ops_in_library_functions_are_found() {
        let mut functions = benign_functions();
        functions.push(function(
            "__inference_pyfunc_7",
            &[
                node("x", "Identity"),
                node("EagerPyFunc", "EagerPyFunc").msg(5, attr_s("token", "pyfunc_0")),
            ],
        ));
        functions.push(function("__inference_np_8", &[node("np", "PyFunc")]));
        let r = run(&saved_model(&benign_nodes(), &functions).finish());
        assert_eq!(
            subjects(&r),
            [(RunsPython, "EagerPyFunc", 1), (RunsPython, "PyFunc", 1)]
        );
        assert!(r.issues[0]
            .detail
            .contains("(in library function `__inference_pyfunc_7`)"));
        assert!(r.issues[0].detail.contains("token = `pyfunc_0`"));
        assert_eq!(r.functions, 3);
    }

    #[test]
    fn print_to_file_is_found() {
        let mut nodes = benign_nodes();
        nodes
            .push(node("log", "PrintV2").msg(5, attr_s("output_stream", "file:///home/u/.bashrc")));
        let r = run(&saved_model(&nodes, &[]).finish());
        assert_eq!(subjects(&r), [(WritesFiles, "PrintV2", 1)]);
        assert!(r.issues[0]
            .detail
            .contains("output_stream = `file:///home/u/.bashrc`"));
    }

    #[test]
    fn debug_urls_in_lists_are_shown() {
        let urls = Msg::new().str(1, "debug_urls").msg(
            2,
            Msg::new().msg(
                1,
                Msg::new()
                    .str(2, "grpc://attacker:6064")
                    .str(2, "file:///tmp/d"),
            ),
        );
        let r = run(&saved_model(&[node("dbg", "DebugIdentity").msg(5, urls)], &[]).finish());
        assert_eq!(subjects(&r), [(WritesFiles, "DebugIdentity", 1)]);
        let d = &r.issues[0].detail;
        assert!(
            d.contains("debug_urls = `grpc://attacker:6064`; debug_urls = `file:///tmp/d`"),
            "{d}"
        );
    }

    #[test]
    fn every_meta_graph_is_scanned() {
        let first = saved_model(&benign_nodes(), &[]).finish();
        let second = saved_model(&[node("w", "WriteFile")], &[]).finish();
        // Two SavedModel messages concatenated parse as one with two meta graphs.
        let r = run(&[first, second].concat());
        assert_eq!(r.meta_graphs, 2);
        assert_eq!(subjects(&r), [(WritesFiles, "WriteFile", 1)]);
    }

    #[test]
    fn table_names_are_unique_and_exclude_saver_ops() {
        for (i, a) in RISKY_OPS.iter().enumerate() {
            assert!(RISKY_OPS[i + 1..].iter().all(|b| b.op != a.op), "{}", a.op);
            assert_ne!(a.kind, IssueKind::Malformed);
        }
        for benign in [
            "SaveV2",
            "RestoreV2",
            "MergeV2Checkpoints",
            "ShardedFilename",
            "StringJoin",
            "InitializeTableFromTextFileV2",
            "Placeholder",
        ] {
            assert!(risky_op(benign.as_bytes()).is_none(), "{benign}");
        }
    }

    #[test]
    fn truncated_and_garbage_input_is_malformed() {
        let bytes = saved_model(&[node("steal", "ReadFile"), node("ok", "Identity")], &[]).finish();
        for cut in 0..bytes.len() {
            let r = scan(&mut Cursor::new(&bytes[..cut]), bytes.len() as u64).unwrap();
            assert!(!r.is_complete(), "cut at {cut}");
        }
        let second = bytes.windows(2).position(|w| w == b"ok").unwrap_or(0);
        let r = scan(&mut Cursor::new(&bytes[..second]), bytes.len() as u64).unwrap();
        assert_eq!(
            subjects(&r),
            [
                (ReadsFiles, "ReadFile", 1),
                (IssueKind::Malformed, "the data ends inside a field", 1)
            ]
        );
        for garbage in [
            vec![0xff; 16],
            vec![0x12, 0x7f, 0x00],
            b"\x08\x01\x13".to_vec(),
        ] {
            let r = run(&garbage);
            assert!(!r.is_complete(), "{garbage:?}");
            assert_eq!(r.issues.last().map(|i| i.severity), Some(Medium));
        }
    }

    #[test]
    fn big_constant_is_skipped_not_held() {
        // A Const node whose tensor attribute carries 50 MB, then a ReadFile node.
        let data_len: u64 = 50 << 20;
        // AttrValue.tensor (8) > TensorProto.tensor_content (4).
        let mut tensor_head = vec![0x22];
        testenc::varint(&mut tensor_head, data_len);
        let tensor_len = tensor_head.len() as u64 + data_len;
        let mut attr_value_head = vec![0x42];
        testenc::varint(&mut attr_value_head, tensor_len);
        let attr_value_len = attr_value_head.len() as u64 + tensor_len;
        let mut entry_head = Msg::new().str(1, "value").finish();
        entry_head.push(0x12);
        testenc::varint(&mut entry_head, attr_value_len);
        let entry_len = entry_head.len() as u64 + attr_value_len;
        let mut node_head = Msg::new().str(1, "const").str(2, "Const").finish();
        node_head.push(0x2a);
        testenc::varint(&mut node_head, entry_len);
        let node_len = node_head.len() as u64 + entry_len;
        let tail = Msg::new().msg(1, node("steal", "ReadFile")).finish();
        let mut graph_head = vec![0x0a];
        testenc::varint(&mut graph_head, node_len);
        let graph_len = graph_head.len() as u64 + node_len + tail.len() as u64;
        let mut meta_head = vec![0x12];
        testenc::varint(&mut meta_head, graph_len);
        let meta_len = meta_head.len() as u64 + graph_len;
        let mut head = Msg::new().varint(1, 1).finish();
        head.push(0x12);
        testenc::varint(&mut head, meta_len);
        let head = [
            head,
            meta_head,
            graph_head,
            node_head,
            entry_head,
            attr_value_head,
            tensor_head,
        ]
        .concat();
        let total = head.len() as u64 + data_len + tail.len() as u64;
        let mut src = Cursor::new(head)
            .chain(Filler(data_len))
            .chain(Cursor::new(tail));
        let r = scan(&mut src, total).unwrap();
        assert_eq!(subjects(&r), [(ReadsFiles, "ReadFile", 1)]);
        assert!(r.issues[0].offset > data_len);
        assert_eq!(r.nodes, 2);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
            let _ = run(&bytes);
        }

        #[test]
        fn mutated_models_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
            let mut bytes = saved_model(&benign_nodes(), &benign_functions()).finish();
            for (i, b) in flips {
                let at = i.index(bytes.len());
                bytes[at] = b;
            }
            let _ = run(&bytes);
        }
    }
}
