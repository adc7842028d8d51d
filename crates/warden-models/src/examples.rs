//! Every `model/*` rule's positive and negative example, built here as bytes (pickles are emitted opcode by
//! opcode; nothing is ever unpickled). The test checks that each positive example raises its rule and each
//! negative one does not, and that no rule is left without examples. The two whole-directory rules
//! (`unsigned-model`, `signature-invalid`) need a tree on disk and a key: `tests/model.rs`
//! checks them through `warden scan`.

use crate::protobuf::testenc::Msg;
use crate::tar::testkit::build as tar;
use crate::zip::testkit::{build as zip, spec, Spec};

/// One sample: a file name and its bytes.
type Sample = (&'static str, Vec<u8>);

pub(crate) struct Example {
    pub rule: &'static str,
    pub positive: fn() -> Sample,
    pub negative: fn() -> Sample,
}

/// Rules checked elsewhere (they need a directory on disk).
pub(crate) const WHOLE_DIRECTORY_RULES: &[&str] = &["unsigned-model", "signature-invalid"];

fn reduce(module: &str, name: &str) -> Vec<u8> {
    let mut p = vec![0x80, 2];
    p.extend_from_slice(format!("c{module}\n{name}\n").as_bytes());
    p.extend_from_slice(b"X\x02\x00\x00\x00id\x85R.");
    p
}

/// `collections.OrderedDict()`, what a state dict starts as.
fn ordered_dict() -> Vec<u8> {
    b"\x80\x02ccollections\nOrderedDict\n)R.".to_vec()
}

fn keras(config: &str) -> Vec<u8> {
    zip(
        &[
            spec("metadata.json", b"{\"keras_version\": \"3.5.0\"}"),
            spec("config.json", config.as_bytes()),
            spec("model.weights.h5", b"\x89HDF\r\n\x1a\n"),
        ],
        b"",
        b"",
    )
}

fn npy(descr: &str, body: &[u8]) -> Vec<u8> {
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,), }}");
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(body);
    out
}

fn safetensors(header: &str, data: usize) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend(std::iter::repeat_n(0u8, data));
    out
}

/// A GGUF v3 file with string metadata only.
fn gguf(kvs: &[(&str, &str)], declared: u64) -> Vec<u8> {
    let mut out = b"GGUF".to_vec();
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes());
    out.extend_from_slice(&declared.to_le_bytes());
    for (k, v) in kvs {
        out.extend_from_slice(&(k.len() as u64).to_le_bytes());
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(&8u32.to_le_bytes());
        out.extend_from_slice(&(v.len() as u64).to_le_bytes());
        out.extend_from_slice(v.as_bytes());
    }
    out
}

/// An ONNX model: the graph's nodes as (op, domain), and one initializer kept in an external file.
fn onnx(nodes: &[(&str, &str)], location: &str) -> Vec<u8> {
    let mut graph = Msg::new();
    for (op, domain) in nodes {
        graph = graph.msg(
            1,
            Msg::new().str(1, "x").str(2, "y").str(4, op).str(7, domain),
        );
    }
    let tensor = Msg::new()
        .varint(2, 1)
        .str(8, "W")
        .msg(13, Msg::new().str(1, "location").str(2, location))
        .varint(14, 1);
    graph = graph.str(2, "g").msg(5, tensor);
    Msg::new()
        .varint(1, 8)
        .str(2, "pytorch")
        .msg(7, graph)
        .msg(8, Msg::new().str(1, "").varint(2, 17))
        .finish()
}

/// A `saved_model.pb` whose graph holds these ops.
fn saved_model(ops: &[&str]) -> Vec<u8> {
    let mut graph = Msg::new();
    for (i, op) in ops.iter().enumerate() {
        graph = graph.msg(1, Msg::new().str(1, &format!("n{i}")).str(2, op));
    }
    Msg::new()
        .varint(1, 1)
        .msg(2, Msg::new().msg(2, graph))
        .finish()
}

const DENSE: &str = r#"{"module": "keras", "class_name": "Sequential", "config": {"layers": [{"module": "keras.layers", "class_name": "Dense", "config": {"units": 4}}]}}"#;

pub(crate) const EXAMPLES: &[Example] = &[
    Example {
        rule: "pickle-dangerous-callable",
        positive: || ("model.pkl", reduce("os", "system")),
        negative: || ("model.pkl", ordered_dict()),
    },
    Example {
        rule: "pickle-unknown-callable",
        positive: || ("model.pkl", reduce("acme_models", "load_thing")),
        negative: || ("model.pkl", ordered_dict()),
    },
    Example {
        rule: "pickle-global-mutation",
        // BUILD with a global on the stack: `numpy.prod.__dict__.update({'a': 'os'})`.
        positive: || {
            (
                "model.pkl",
                b"\x80\x04cnumpy\nprod\nN(Va\nVos\nd\x86b.".to_vec(),
            )
        },
        // BUILD on an object the pickle made.
        negative: || {
            (
                "model.pkl",
                b"\x80\x02ccollections\nOrderedDict\n)R}b.".to_vec(),
            )
        },
    },
    Example {
        rule: "pickle-malformed",
        positive: || {
            let mut p = ordered_dict();
            p.pop();
            p.push(0xff);
            ("model.pkl", p)
        },
        negative: || ("model.pkl", ordered_dict()),
    },
    Example {
        rule: "extension-mismatch",
        positive: || ("model.safetensors", ordered_dict()),
        negative: || ("model.pkl", ordered_dict()),
    },
    Example {
        rule: "zip-encrypted-flag",
        positive: || {
            let data = ordered_dict();
            let z = zip(
                &[Spec {
                    flags: 1,
                    ..spec("archive/data.pkl", &data)
                }],
                b"",
                b"",
            );
            ("model.pt", z)
        },
        negative: || {
            (
                "model.pt",
                zip(&[spec("archive/data.pkl", &ordered_dict())], b"", b""),
            )
        },
    },
    Example {
        rule: "zip-name-mismatch",
        positive: || {
            let data = ordered_dict();
            let z = zip(
                &[Spec {
                    local_name: Some("archive/other.pkl"),
                    ..spec("archive/data.pkl", &data)
                }],
                b"",
                b"",
            );
            ("model.pt", z)
        },
        negative: || {
            (
                "model.pt",
                zip(&[spec("archive/data.pkl", &ordered_dict())], b"", b""),
            )
        },
    },
    Example {
        rule: "zip-duplicate-member",
        positive: || {
            let z = zip(
                &[
                    spec("archive/data.pkl", &ordered_dict()),
                    spec("archive/data.pkl", &ordered_dict()),
                ],
                b"",
                b"",
            );
            ("model.pt", z)
        },
        negative: || {
            (
                "model.pt",
                zip(&[spec("archive/data.pkl", &ordered_dict())], b"", b""),
            )
        },
    },
    Example {
        rule: "zip-path-traversal",
        positive: || {
            (
                "models.zip",
                zip(
                    &[spec("../../home/u/.bashrc.pkl", &ordered_dict())],
                    b"",
                    b"",
                ),
            )
        },
        negative: || {
            (
                "models.zip",
                zip(&[spec("models/a.pkl", &ordered_dict())], b"", b""),
            )
        },
    },
    Example {
        rule: "zip-too-many-members",
        // Past the member cap (100 000): a tar of empty members shows it without a zip64 writer.
        positive: || {
            let names: Vec<String> = (0..crate::tar::MAX_MEMBERS + 1)
                .map(|i| format!("{i}"))
                .collect();
            let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
            ("models.tar", tar(&files))
        },
        negative: || ("models.tar", tar(&[("a.pkl", &ordered_dict())])),
    },
    Example {
        rule: "zip-bomb",
        positive: || {
            let big = vec![0u8; 8 << 20];
            let z = zip(
                &[Spec {
                    deflate: true,
                    ..spec("archive/data.pkl", &big)
                }],
                b"",
                b"",
            );
            ("model.pt", z)
        },
        negative: || {
            let data = ordered_dict();
            let z = zip(
                &[Spec {
                    deflate: true,
                    ..spec("archive/data.pkl", &data)
                }],
                b"",
                b"",
            );
            ("model.pt", z)
        },
    },
    Example {
        rule: "zip-nesting",
        positive: || {
            let mut z = zip(&[spec("a.pkl", &ordered_dict())], b"", b"");
            for _ in 0..crate::scan::MAX_ZIP_DEPTH + 1 {
                z = zip(&[spec("inner.zip", &z)], b"", b"");
            }
            ("models.zip", z)
        },
        negative: || {
            let z = zip(&[spec("a.pkl", &ordered_dict())], b"", b"");
            ("models.zip", zip(&[spec("inner.zip", &z)], b"", b""))
        },
    },
    Example {
        rule: "zip-malformed",
        positive: || {
            let mut z = b"PK\x03\x04".to_vec();
            z.extend_from_slice(&[0x14, 0, 0, 0, 0, 0]);
            z.extend_from_slice(b"no central directory follows");
            ("model.pt", z)
        },
        negative: || {
            (
                "model.pt",
                zip(&[spec("archive/data.pkl", &ordered_dict())], b"", b""),
            )
        },
    },
    Example {
        rule: "numpy-invalid-header",
        positive: || {
            let mut n = b"\x93NUMPY\x01\x00\x10\x00{'descr': 1 +}\n".to_vec();
            n.extend_from_slice(&[0; 4]);
            ("a.npy", n)
        },
        negative: || ("a.npy", npy("<f4", &[0; 4])),
    },
    Example {
        rule: "safetensors-invalid-header",
        positive: || {
            let h = r#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,64]}}"#;
            ("model.safetensors", safetensors(h, 16))
        },
        negative: || {
            let h = r#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#;
            ("model.safetensors", safetensors(h, 16))
        },
    },
    Example {
        rule: "gguf-chat-template-injection",
        positive: || {
            let t = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
            ("model.gguf", gguf(&[("tokenizer.chat_template", t)], 1))
        },
        negative: || {
            let t = "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}";
            ("model.gguf", gguf(&[("tokenizer.chat_template", t)], 1))
        },
    },
    Example {
        rule: "gguf-invalid-header",
        positive: || ("model.gguf", gguf(&[("general.name", "m")], 1 << 40)),
        negative: || ("model.gguf", gguf(&[("general.name", "m")], 1)),
    },
    Example {
        rule: "keras-lambda-layer",
        positive: || {
            let c = r#"{"module": "keras", "class_name": "Sequential", "config": {"layers": [{"module": "keras.layers", "class_name": "Lambda", "config": {"function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAA"}}}}]}}"#;
            ("model.keras", keras(c))
        },
        negative: || ("model.keras", keras(DENSE)),
    },
    Example {
        rule: "keras-custom-object",
        positive: || {
            let c = r#"{"module": "keras", "class_name": "Sequential", "config": {"layers": [{"module": "acme.layers", "class_name": "Magic", "registered_name": "acme>Magic", "config": {}}]}}"#;
            ("model.keras", keras(c))
        },
        negative: || ("model.keras", keras(DENSE)),
    },
    Example {
        rule: "keras-config-invalid",
        positive: || ("model.keras", keras("{\"class_name\": ")),
        negative: || ("model.keras", keras(DENSE)),
    },
    Example {
        rule: "onnx-external-data-escape",
        positive: || {
            (
                "model.onnx",
                onnx(&[("MatMul", "")], "../../../../home/user/.ssh/id_rsa"),
            )
        },
        negative: || ("model.onnx", onnx(&[("MatMul", "")], "model.onnx.data")),
    },
    Example {
        rule: "onnx-custom-operator",
        positive: || {
            (
                "model.onnx",
                onnx(&[("MatMul", ""), ("Inverse", "ai.onnx.contrib")], "w.bin"),
            )
        },
        negative: || {
            (
                "model.onnx",
                onnx(&[("MatMul", ""), ("FusedGemm", "com.microsoft")], "w.bin"),
            )
        },
    },
    Example {
        rule: "onnx-malformed",
        positive: || {
            let mut m = onnx(&[("MatMul", "")], "w.bin");
            m.truncate(m.len() - 5);
            ("model.onnx", m)
        },
        negative: || ("model.onnx", onnx(&[("MatMul", "")], "w.bin")),
    },
    Example {
        rule: "tf-risky-op",
        positive: || {
            (
                "saved_model.pb",
                saved_model(&["Placeholder", "ReadFile", "Identity"]),
            )
        },
        negative: || {
            (
                "saved_model.pb",
                saved_model(&["Placeholder", "SaveV2", "RestoreV2", "MergeV2Checkpoints"]),
            )
        },
    },
    Example {
        rule: "tf-savedmodel-malformed",
        positive: || {
            let mut m = saved_model(&["Placeholder", "MatMul"]);
            m.truncate(m.len() - 3);
            ("saved_model.pb", m)
        },
        negative: || ("saved_model.pb", saved_model(&["Placeholder", "MatMul"])),
    },
    Example {
        rule: "tar-malformed",
        positive: || {
            let mut t = tar(&[("pickle", &ordered_dict())]);
            t[0] = b'X';
            ("model.pt", t)
        },
        negative: || ("model.pt", tar(&[("pickle", &ordered_dict())])),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::scan_file;
    use std::io::Cursor;

    fn rules_raised(sample: &Sample) -> Vec<&'static str> {
        let (name, bytes) = sample;
        let report = scan_file(&mut Cursor::new(bytes), name, bytes.len() as u64).unwrap();
        report.items.iter().map(|i| i.rule).collect()
    }

    #[test]
    fn every_rule_has_examples_that_hold() {
        let mut failures = Vec::new();
        for e in EXAMPLES {
            let pos = (e.positive)();
            let raised = rules_raised(&pos);
            if !raised.contains(&e.rule) {
                failures.push(format!(
                    "{}: positive `{}` raised {raised:?}",
                    e.rule, pos.0
                ));
            }
            let neg = (e.negative)();
            let raised = rules_raised(&neg);
            if raised.contains(&e.rule) {
                failures.push(format!("{}: negative `{}` raised it", e.rule, neg.0));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        for rule in crate::analyzer::rules() {
            let name = rule.id.trim_start_matches("model/");
            assert!(
                EXAMPLES.iter().any(|e| e.rule == name) || WHOLE_DIRECTORY_RULES.contains(&name),
                "{} has no examples",
                rule.id
            );
        }
    }
}
