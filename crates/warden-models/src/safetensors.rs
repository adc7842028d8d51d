//! safetensors header validation: the 8-byte length, the JSON header and every tensor's dtype, shape and
//! data offsets, checked against the file size without reading tensor data.
//!
//! A loader trusts these offsets; overlapping, out-of-range or uncovered ranges are how a file smuggles
//! bytes past a reviewer or trips a parser, so each is reported with the byte offset of what is wrong.

use serde::de::{Deserializer as _, MapAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};

/// Headers over this many bytes are refused (the reference implementation's own limit).
pub const MAX_HEADER_LEN: u64 = 100 * 1024 * 1024;

/// One tensor as the header describes it; `data_offsets` are relative to the end of the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tensor {
    pub name: String,
    pub dtype: String,
    pub shape: Vec<u64>,
    pub data_offsets: (u64, u64),
    /// Where the tensor's name sits in the file.
    pub header_offset: u64,
}

/// A parsed header: tensors in header order, `__metadata__` in header order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    pub len: u64,
    pub tensors: Vec<Tensor>,
    pub metadata: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub file_size: u64,
    /// `None` when the header could not be read or parsed at all.
    pub header: Option<Header>,
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Something wrong with the file, at a byte offset from its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub offset: u64,
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.kind)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemKind {
    #[error("the file is {size} bytes, too short for the 8-byte header length")]
    TooShort { size: u64 },
    #[error("the header claims {len} bytes, over the {cap}-byte limit")]
    HeaderTooLarge { len: u64, cap: u64 },
    #[error("the header claims {len} bytes but only {available} follow")]
    HeaderPastEnd { len: u64, available: u64 },
    #[error("the header is not UTF-8")]
    NotUtf8,
    #[error("the header is not a JSON object: {message}")]
    NotJson { message: String },
    #[error("tensor `{name}` appears more than once (loaders disagree on which wins)")]
    DuplicateName { name: String },
    #[error("entry `{name}` is not an object")]
    EntryNotObject { name: String },
    #[error("tensor `{name}` has no valid `{field}`")]
    BadField { name: String, field: &'static str },
    #[error("tensor `{name}` has an unexpected field `{field}`")]
    UnknownField { name: String, field: String },
    #[error("tensor `{name}` has unknown dtype `{dtype}`")]
    UnknownDtype { name: String, dtype: String },
    #[error("tensor `{name}`: the size of its shape overflows")]
    SizeOverflow { name: String },
    #[error("tensor `{name}`: offsets begin {begin} > end {end}")]
    OffsetsReversed { name: String, begin: u64, end: u64 },
    #[error("tensor `{name}`: data ends at {end}, past the {data_len} bytes of data")]
    OffsetsOutOfRange {
        name: String,
        end: u64,
        data_len: u64,
    },
    #[error("tensor `{name}`: shape and dtype need {expected} bytes, offsets span {actual}")]
    SizeMismatch {
        name: String,
        expected: u64,
        actual: u64,
    },
    #[error("tensor `{name}` (data {begin}..{end}) overlaps tensor `{other}`")]
    Overlap {
        name: String,
        other: String,
        begin: u64,
        end: u64,
    },
    #[error("data bytes {begin}..{end} belong to no tensor")]
    Uncovered { begin: u64, end: u64 },
    #[error("`__metadata__` is not an object")]
    MetadataNotObject,
    #[error("`__metadata__` value for `{key}` is not a string")]
    MetadataNotString { key: String },
}

/// Validate the safetensors header of `file`. I/O errors are returned; everything wrong with the content is
/// a [`Problem`] in the report.
pub fn check<R: Read + Seek>(file: &mut R) -> io::Result<Report> {
    let file_size = file.seek(SeekFrom::End(0))?;
    file.seek(SeekFrom::Start(0))?;
    let mut report = Report {
        file_size,
        header: None,
        problems: Vec::new(),
    };
    let problem = |offset, kind| Problem { offset, kind };
    if file_size < 8 {
        report
            .problems
            .push(problem(0, ProblemKind::TooShort { size: file_size }));
        return Ok(report);
    }
    let mut len = [0u8; 8];
    file.read_exact(&mut len)?;
    let len = u64::from_le_bytes(len);
    if len > MAX_HEADER_LEN {
        report.problems.push(problem(
            0,
            ProblemKind::HeaderTooLarge {
                len,
                cap: MAX_HEADER_LEN,
            },
        ));
        return Ok(report);
    }
    let available = file_size - 8;
    if len > available {
        report
            .problems
            .push(problem(0, ProblemKind::HeaderPastEnd { len, available }));
        return Ok(report);
    }
    // Bounded by MAX_HEADER_LEN and by the file size, both checked above.
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(len).read_to_end(&mut bytes)?;
    if (bytes.len() as u64) < len {
        report.problems.push(problem(
            0,
            ProblemKind::HeaderPastEnd {
                len,
                available: bytes.len() as u64,
            },
        ));
        return Ok(report);
    }
    let (header, problems) = check_header(&bytes, file_size);
    report.header = header;
    report.problems = problems;
    Ok(report)
}

/// Validate header `bytes` (what follows the 8-byte length) of a file of `file_size` bytes.
fn check_header(bytes: &[u8], file_size: u64) -> (Option<Header>, Vec<Problem>) {
    let mut problems = Vec::new();
    let len = bytes.len() as u64;
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            problems.push(Problem {
                offset: 8 + e.valid_up_to() as u64,
                kind: ProblemKind::NotUtf8,
            });
            return (None, problems);
        }
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let entries = match de
        .deserialize_map(EntriesVisitor)
        .and_then(|e| de.end().map(|()| e))
    {
        Ok(entries) => entries,
        Err(e) => {
            let offset = 8 + line_column_offset(text, e.line(), e.column());
            problems.push(Problem {
                offset,
                kind: ProblemKind::NotJson {
                    message: e.to_string(),
                },
            });
            return (None, problems);
        }
    };

    let data_len = file_size.saturating_sub(8 + len);
    let mut header = Header {
        len,
        ..Header::default()
    };
    let mut cursor = 0usize;
    for (name, entry) in entries {
        let offset = 8 + match key_position(text, &name, cursor) {
            Some(pos) => {
                cursor = pos + 1;
                pos as u64
            }
            None => 0,
        };
        let mut push = |kind| problems.push(Problem { offset, kind });
        match entry {
            Entry::Metadata(value) => match value {
                Value::Object(map) => {
                    for (key, value) in map {
                        match value {
                            Value::String(s) => header.metadata.push((key, s)),
                            _ => push(ProblemKind::MetadataNotString { key }),
                        }
                    }
                }
                _ => push(ProblemKind::MetadataNotObject),
            },
            Entry::Tensor(Err(kinds)) => kinds.into_iter().for_each(push),
            Entry::Tensor(Ok(spec)) => {
                check_tensor(&name, &spec, data_len, &mut push);
                header.tensors.push(Tensor {
                    name,
                    dtype: spec.dtype,
                    shape: spec.shape,
                    data_offsets: spec.offsets,
                    header_offset: offset,
                });
            }
        }
    }
    check_layout(&header.tensors, data_len, 8 + len, &mut problems);
    problems.sort_by_key(|p| p.offset);
    (Some(header), problems)
}

fn check_tensor(name: &str, spec: &TensorSpec, data_len: u64, push: &mut impl FnMut(ProblemKind)) {
    let name = || name.to_owned();
    let (begin, end) = spec.offsets;
    if begin > end {
        push(ProblemKind::OffsetsReversed {
            name: name(),
            begin,
            end,
        });
    } else if end > data_len {
        push(ProblemKind::OffsetsOutOfRange {
            name: name(),
            end,
            data_len,
        });
    }
    let Some(bits) = dtype_bits(&spec.dtype) else {
        push(ProblemKind::UnknownDtype {
            name: name(),
            dtype: spec.dtype.clone(),
        });
        return;
    };
    let elements = spec
        .shape
        .iter()
        .try_fold(1u128, |acc, &d| acc.checked_mul(u128::from(d)));
    let Some(total_bits) = elements.and_then(|n| n.checked_mul(bits)) else {
        push(ProblemKind::SizeOverflow { name: name() });
        return;
    };
    let actual = end.saturating_sub(begin);
    match u64::try_from(total_bits / 8) {
        Ok(expected) if total_bits % 8 == 0 && expected == actual => {}
        Ok(expected) => push(ProblemKind::SizeMismatch {
            name: name(),
            expected,
            actual,
        }),
        Err(_) => push(ProblemKind::SizeOverflow { name: name() }),
    }
}

/// Overlaps between tensors and data bytes no tensor covers; `data_start` turns data offsets into file offsets.
fn check_layout(tensors: &[Tensor], data_len: u64, data_start: u64, problems: &mut Vec<Problem>) {
    let mut ranges: Vec<(u64, u64, usize)> = tensors
        .iter()
        .enumerate()
        .filter(|(_, t)| t.data_offsets.0 <= t.data_offsets.1 && t.data_offsets.1 <= data_len)
        .map(|(i, t)| (t.data_offsets.0, t.data_offsets.1, i))
        .collect();
    ranges.sort_unstable();
    let mut covered = 0u64;
    let mut owner: Option<usize> = None;
    for &(begin, end, i) in &ranges {
        if begin > covered {
            let kind = ProblemKind::Uncovered {
                begin: covered,
                end: begin,
            };
            problems.push(Problem {
                offset: data_start + covered,
                kind,
            });
        }
        if begin < covered && begin < end {
            if let Some(other) = owner {
                let kind = ProblemKind::Overlap {
                    name: tensors[i].name.clone(),
                    other: tensors[other].name.clone(),
                    begin,
                    end,
                };
                problems.push(Problem {
                    offset: tensors[i].header_offset,
                    kind,
                });
            }
        }
        if end > covered {
            covered = end;
            owner = Some(i);
        }
    }
    if covered < data_len {
        let kind = ProblemKind::Uncovered {
            begin: covered,
            end: data_len,
        };
        problems.push(Problem {
            offset: data_start + covered,
            kind,
        });
    }
    let mut by_name: Vec<&Tensor> = tensors.iter().collect();
    by_name.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in by_name.windows(2) {
        if pair[0].name == pair[1].name {
            let kind = ProblemKind::DuplicateName {
                name: pair[1].name.clone(),
            };
            problems.push(Problem {
                offset: pair[1].header_offset.max(pair[0].header_offset),
                kind,
            });
        }
    }
}

/// Bits per element of each safetensors dtype (sub-byte float formats included).
fn dtype_bits(dtype: &str) -> Option<u128> {
    Some(match dtype {
        "F4" => 4,
        "F6_E2M3" | "F6_E3M2" => 6,
        "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" | "F8_E8M0" => 8,
        "I16" | "U16" | "F16" | "BF16" => 16,
        "I32" | "U32" | "F32" => 32,
        "I64" | "U64" | "F64" | "C64" => 64,
        _ => return None,
    })
}

#[derive(Debug)]
struct TensorSpec {
    dtype: String,
    shape: Vec<u64>,
    offsets: (u64, u64),
}

enum Entry {
    Metadata(Value),
    Tensor(Result<TensorSpec, Vec<ProblemKind>>),
}

/// Top-level entries in document order, duplicates kept; each tensor entry is reduced to a compact spec as
/// it is read, so peak memory stays near the header's own size.
struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Vec<(String, Entry)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            let value: Value = map.next_value()?;
            let entry = if name == "__metadata__" {
                Entry::Metadata(value)
            } else {
                Entry::Tensor(tensor_spec(&name, value))
            };
            entries.push((name, entry));
        }
        Ok(entries)
    }
}

fn tensor_spec(name: &str, value: Value) -> Result<TensorSpec, Vec<ProblemKind>> {
    let Value::Object(map) = value else {
        return Err(vec![ProblemKind::EntryNotObject {
            name: name.to_owned(),
        }]);
    };
    let mut problems = Vec::new();
    let bad = |field| ProblemKind::BadField {
        name: name.to_owned(),
        field,
    };
    let dtype = match map.get("dtype") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let shape = match map.get("shape") {
        Some(Value::Array(dims)) => dims.iter().map(Value::as_u64).collect::<Option<Vec<_>>>(),
        _ => None,
    };
    let offsets = match map.get("data_offsets") {
        Some(Value::Array(pair)) => match pair.as_slice() {
            [b, e] => b.as_u64().zip(e.as_u64()),
            _ => None,
        },
        _ => None,
    };
    for (field, ok) in [
        ("dtype", dtype.is_some()),
        ("shape", shape.is_some()),
        ("data_offsets", offsets.is_some()),
    ] {
        if !ok {
            problems.push(bad(field));
        }
    }
    for key in map.keys() {
        if !matches!(key.as_str(), "dtype" | "shape" | "data_offsets") {
            problems.push(ProblemKind::UnknownField {
                name: name.to_owned(),
                field: key.clone(),
            });
        }
    }
    match (dtype, shape, offsets) {
        (Some(dtype), Some(shape), Some(offsets)) if problems.is_empty() => Ok(TensorSpec {
            dtype,
            shape,
            offsets,
        }),
        _ => Err(problems),
    }
}

/// Where `name` occurs as an object key (its JSON spelling followed by `:`) at or after `from`.
fn key_position(text: &str, name: &str, from: usize) -> Option<usize> {
    let quoted = serde_json::to_string(name).ok()?;
    let mut at = from;
    while let Some(found) = text.get(at..)?.find(&quoted) {
        let pos = at + found;
        let after = text.get(pos + quoted.len()..)?;
        if after.trim_start().starts_with(':') {
            return Some(pos);
        }
        at = pos + 1;
    }
    None
}

/// serde_json reports 1-based lines and byte columns; turn them into a byte offset into `text`.
fn line_column_offset(text: &str, line: usize, column: usize) -> u64 {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len()) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Cursor;

    fn file(header: &str, data_len: usize) -> Vec<u8> {
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend_from_slice(header.as_bytes());
        out.extend(std::iter::repeat_n(0u8, data_len));
        out
    }

    fn kinds(bytes: Vec<u8>) -> Vec<ProblemKind> {
        check(&mut Cursor::new(bytes))
            .unwrap()
            .problems
            .into_iter()
            .map(|p| p.kind)
            .collect()
    }

    #[test]
    fn a_valid_file_has_no_problems() {
        let header = r#"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"BF16","shape":[3],"data_offsets":[16,22]},"empty":{"dtype":"I64","shape":[0],"data_offsets":[22,22]}}  "#;
        let report = check(&mut Cursor::new(file(header, 22))).unwrap();
        assert_eq!(report.problems, vec![]);
        let parsed = report.header.unwrap();
        assert_eq!(
            parsed.metadata,
            vec![("format".to_owned(), "pt".to_owned())]
        );
        assert_eq!(parsed.tensors.len(), 3);
        assert_eq!(parsed.tensors[1].shape, vec![3]);
        assert_eq!(
            parsed.tensors[0].header_offset,
            8 + header.find("\"a\"").unwrap() as u64
        );
    }

    #[test]
    fn truncated_and_oversized_headers() {
        assert_eq!(
            kinds(vec![1, 2, 3]),
            vec![ProblemKind::TooShort { size: 3 }]
        );
        let mut huge = (MAX_HEADER_LEN + 1).to_le_bytes().to_vec();
        huge.extend_from_slice(b"{}");
        assert_eq!(
            kinds(huge),
            vec![ProblemKind::HeaderTooLarge {
                len: MAX_HEADER_LEN + 1,
                cap: MAX_HEADER_LEN
            }]
        );
        let mut short = 100u64.to_le_bytes().to_vec();
        short.extend_from_slice(b"{\"a\":");
        assert_eq!(
            kinds(short),
            vec![ProblemKind::HeaderPastEnd {
                len: 100,
                available: 5
            }]
        );
        let mut max = u64::MAX.to_le_bytes().to_vec();
        max.push(b'{');
        assert!(matches!(
            kinds(max)[..],
            [ProblemKind::HeaderTooLarge { .. }]
        ));
    }

    #[test]
    fn not_utf8_or_not_json() {
        let mut bytes = 4u64.to_le_bytes().to_vec();
        bytes.extend_from_slice(b"{\xff}}");
        let report = check(&mut Cursor::new(bytes)).unwrap();
        assert_eq!(
            report.problems,
            vec![Problem {
                offset: 9,
                kind: ProblemKind::NotUtf8
            }]
        );
        let report = check(&mut Cursor::new(file("{\"a\":\n  ]", 0))).unwrap();
        assert_eq!(report.problems[0].offset, 8 + 8);
        assert!(matches!(
            report.problems[0].kind,
            ProblemKind::NotJson { .. }
        ));
        assert!(matches!(
            kinds(file("[1,2]", 0))[..],
            [ProblemKind::NotJson { .. }]
        ));
        assert!(matches!(
            kinds(file("{}\0\0", 0))[..],
            [ProblemKind::NotJson { .. }]
        ));
    }

    #[test]
    fn bad_offsets() {
        let overlap = r#"{"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}"#;
        let problems = check(&mut Cursor::new(file(overlap, 8))).unwrap().problems;
        assert_eq!(problems.len(), 1);
        let ProblemKind::Overlap { name, other, .. } = &problems[0].kind else {
            panic!("{problems:?}")
        };
        assert_eq!((name.as_str(), other.as_str()), ("b", "a"));
        assert_eq!(
            problems[0].offset,
            8 + overlap.find("\"b\"").unwrap() as u64
        );

        let out_of_range = r#"{"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}}"#;
        assert_eq!(
            kinds(file(out_of_range, 4)),
            vec![
                ProblemKind::OffsetsOutOfRange {
                    name: "a".into(),
                    end: 8,
                    data_len: 4
                },
                ProblemKind::Uncovered { begin: 0, end: 4 },
            ]
        );

        let reversed = r#"{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}"#;
        let k = kinds(file(reversed, 4));
        assert!(
            k.contains(&ProblemKind::OffsetsReversed {
                name: "a".into(),
                begin: 4,
                end: 0
            }),
            "{k:?}"
        );
        assert!(
            k.contains(&ProblemKind::Uncovered { begin: 0, end: 4 }),
            "{k:?}"
        );

        let mismatch = r#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#;
        assert_eq!(
            kinds(file(mismatch, 8)),
            vec![ProblemKind::SizeMismatch {
                name: "a".into(),
                expected: 12,
                actual: 8
            }]
        );

        let gap = r#"{"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}"#;
        let problems = check(&mut Cursor::new(file(gap, 6))).unwrap().problems;
        let data_start = 8 + gap.len() as u64;
        assert_eq!(
            problems,
            vec![
                Problem {
                    offset: data_start,
                    kind: ProblemKind::Uncovered { begin: 0, end: 2 }
                },
                Problem {
                    offset: data_start + 4,
                    kind: ProblemKind::Uncovered { begin: 4, end: 6 }
                },
            ]
        );

        let overflow = r#"{"a":{"dtype":"F64","shape":[18446744073709551615,18446744073709551615,4],"data_offsets":[0,0]}}"#;
        assert_eq!(
            kinds(file(overflow, 0)),
            vec![ProblemKind::SizeOverflow { name: "a".into() }]
        );
    }

    #[test]
    fn malformed_entries_and_metadata() {
        let header = r#"{"__metadata__":{"ok":"x","n":1},"a":[],"b":{"dtype":"Q9","shape":[1],"data_offsets":[0,1]},"c":{"shape":[-1],"data_offsets":[0]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2],"evil":1}}"#;
        let k = kinds(file(header, 2));
        for expected in [
            ProblemKind::MetadataNotString { key: "n".into() },
            ProblemKind::EntryNotObject { name: "a".into() },
            ProblemKind::UnknownDtype {
                name: "b".into(),
                dtype: "Q9".into(),
            },
            ProblemKind::BadField {
                name: "c".into(),
                field: "dtype",
            },
            ProblemKind::BadField {
                name: "c".into(),
                field: "shape",
            },
            ProblemKind::BadField {
                name: "c".into(),
                field: "data_offsets",
            },
            ProblemKind::UnknownField {
                name: "a".into(),
                field: "evil".into(),
            },
        ] {
            assert!(k.contains(&expected), "{expected:?} not in {k:?}");
        }
        assert!(kinds(file(r#"{"__metadata__":[]}"#, 0)).contains(&ProblemKind::MetadataNotObject));
        let dup = r#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#;
        assert_eq!(
            kinds(file(dup, 2)),
            vec![ProblemKind::DuplicateName { name: "a".into() }]
        );
    }

    #[test]
    fn sub_byte_dtypes() {
        let ok = r#"{"a":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}}"#;
        assert_eq!(kinds(file(ok, 2)), vec![]);
        let odd = r#"{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,1]}}"#;
        assert!(matches!(
            kinds(file(odd, 1))[..],
            [ProblemKind::SizeMismatch { .. }]
        ));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = check(&mut Cursor::new(bytes));
        }

        #[test]
        fn arbitrary_headers_never_panic(header in r#"\{("[a-z_]{0,3}":\{("(dtype|shape|data_offsets|x)":(\[[0-9, -]{0,12}\]|"[A-Z0-9_]{0,5}"|[0-9]{1,20}),?){0,4}\},?){0,4}\}"#, data in 0usize..64) {
            let _ = check(&mut Cursor::new(file(&header, data)));
        }
    }
}
