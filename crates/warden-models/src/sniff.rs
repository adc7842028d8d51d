//! Which model format a file holds, decided from its first bytes; the file name is only a hint for
//! formats that carry no magic (TensorFlow's `saved_model.pb`) and the evidence for [`extension_lies`].

use serde::Serialize;
use warden_core::Confidence;

/// How many leading bytes [`sniff`] wants to see to tell the zip and pickle flavours apart; fewer still works,
/// with less detail.
pub const HEAD_LEN: usize = 8192;

/// A model file format recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "format")]
pub enum Format {
    /// A bare pickle stream (also joblib's uncompressed dumps). Protocols 0 and 1 have no magic, so the
    /// protocol is 0 or 1 as guessed from the opcodes seen.
    Pickle { protocol: u8 },
    /// `torch.save(..., _use_new_zipfile_serialization=False)`: stacked pickles behind the legacy magic number.
    PyTorchLegacy,
    /// A zip with a `*/data.pkl` member (or TorchScript's `*/constants.pkl`).
    PyTorchZip,
    /// The tar PyTorch wrote before 0.4 (`sys_info`, `pickle`, `storages`, `tensors`).
    PyTorchTar,
    /// A Keras v3 `.keras` zip: `config.json` next to `model.weights.h5` or `metadata.json`.
    KerasV3,
    /// A numpy `.npz` zip: every member seen is a `.npy`.
    Npz,
    /// Any other zip.
    Zip,
    /// Any other tar.
    Tar,
    /// A numpy `.npy` array.
    Npy,
    /// HDF5 (legacy Keras `.h5`).
    Hdf5,
    /// safetensors: a little-endian header length, then a JSON header.
    Safetensors,
    /// GGUF (llama.cpp).
    Gguf,
    /// An ONNX `ModelProto`, recognised by a protobuf heuristic.
    Onnx,
    /// A TensorFlow SavedModel `saved_model.pb` (protobuf, recognised with its name).
    SavedModel,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Self::Pickle { .. } => "pickle",
            Self::PyTorchLegacy => "pytorch-legacy",
            Self::PyTorchZip => "pytorch-zip",
            Self::PyTorchTar => "pytorch-tar",
            Self::KerasV3 => "keras-v3",
            Self::Npz => "npz",
            Self::Zip => "zip",
            Self::Tar => "tar",
            Self::Npy => "npy",
            Self::Hdf5 => "hdf5",
            Self::Safetensors => "safetensors",
            Self::Gguf => "gguf",
            Self::Onnx => "onnx",
            Self::SavedModel => "saved-model",
        }
    }

    /// How sure the recognition is: magic numbers are certain, heuristics are not.
    pub fn confidence(self) -> Confidence {
        match self {
            Self::Onnx => Confidence::Low,
            Self::Pickle { protocol } if protocol < 2 => Confidence::Medium,
            Self::SavedModel => Confidence::Medium,
            _ => Confidence::High,
        }
    }

    /// File extensions this format is expected to wear (lower case, without the dot).
    fn expected_extensions(self) -> &'static [&'static str] {
        const TORCH: &[&str] = &["pt", "pth", "bin", "ckpt", "pkl", "pickle", "model", "mar"];
        match self {
            Self::Pickle { .. } => &[
                "pkl", "pickle", "joblib", "dat", "data", "pt", "pth", "bin", "ckpt", "p", "sav",
                "model", "npy",
            ],
            Self::PyTorchLegacy | Self::PyTorchZip | Self::PyTorchTar => TORCH,
            Self::KerasV3 => &["keras", "zip"],
            Self::Npz => &["npz", "zip"],
            Self::Zip => &[
                "zip", "keras", "npz", "pt", "pth", "bin", "ckpt", "mar", "nemo", "jar", "whl",
            ],
            Self::Tar => &["tar", "pt", "pth", "bin", "ckpt", "nemo"],
            Self::Npy => &["npy"],
            Self::Hdf5 => &["h5", "hdf5", "hdf", "keras", "he5"],
            Self::Safetensors => &["safetensors"],
            Self::Gguf => &["gguf"],
            Self::Onnx => &["onnx", "pb", "ort"],
            Self::SavedModel => &["pb"],
        }
    }
}

/// Extensions that promise a specific format; any other extension promises nothing.
const CLAIMING_EXTENSIONS: &[&str] = &[
    "safetensors",
    "gguf",
    "npy",
    "npz",
    "onnx",
    "h5",
    "hdf5",
    "keras",
    "pkl",
    "pickle",
    "joblib",
    "pt",
    "pth",
    "ckpt",
    "pb",
    "tar",
    "zip",
    // Text and document extensions promise text: binary model content behind them is hiding.
    "txt",
    "md",
    "json",
    "yaml",
    "yml",
    "csv",
    "log",
    "html",
    "xml",
    "cfg",
    "ini",
    "toml",
];

/// True when `file_name`'s extension promises a different format than the content holds, e.g. a pickle
/// named `.safetensors` (a loader picked by extension would then run it).
pub fn extension_lies(format: Format, file_name: &str) -> bool {
    let Some(ext) = extension(file_name) else {
        return false;
    };
    CLAIMING_EXTENSIONS.contains(&ext.as_str())
        && !format.expected_extensions().contains(&ext.as_str())
}

fn extension(file_name: &str) -> Option<String> {
    let base = base_name(file_name);
    let (stem, ext) = base.rsplit_once('.')?;
    (!stem.is_empty()).then(|| ext.to_ascii_lowercase())
}

fn base_name(file_name: &str) -> &str {
    file_name.rsplit(['/', '\\']).next().unwrap_or(file_name)
}

/// Recognise the format of a file from its first bytes (ideally [`HEAD_LEN`] of them). `file_name` is used
/// only for `saved_model.pb`, which has no magic of its own.
pub fn sniff(head: &[u8], file_name: &str) -> Option<Format> {
    if head.starts_with(b"GGUF") {
        return Some(Format::Gguf);
    }
    if head.starts_with(b"\x93NUMPY") {
        return Some(Format::Npy);
    }
    if head.starts_with(b"PK\x03\x04") {
        return Some(classify_zip_names(
            zip_local_names(head).iter().map(String::as_str),
        ));
    }
    if head.starts_with(b"PK\x05\x06") {
        return Some(Format::Zip);
    }
    if is_hdf5(head) {
        return Some(Format::Hdf5);
    }
    if is_safetensors(head) {
        return Some(Format::Safetensors);
    }
    if let Some(format) = tar_format(head) {
        return Some(format);
    }
    if let Some(format) = pickle_format(head) {
        return Some(format);
    }
    if base_name(file_name).eq_ignore_ascii_case("saved_model.pb") && looks_like_saved_model(head) {
        return Some(Format::SavedModel);
    }
    if looks_like_onnx(head) {
        return Some(Format::Onnx);
    }
    None
}

/// The zip flavour told by its member names (from local headers here, or from the central directory when
/// the container reader has it).
pub fn classify_zip_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Format {
    let (mut config, mut keras_companion, mut all_npy, mut any) = (false, false, true, false);
    for name in names {
        any = true;
        if name == "data.pkl" || name.ends_with("/data.pkl") || name.ends_with("/constants.pkl") {
            return Format::PyTorchZip;
        }
        config |= name == "config.json";
        keras_companion |= name == "model.weights.h5" || name == "metadata.json";
        all_npy &= name.ends_with(".npy");
    }
    match () {
        _ if config && keras_companion => Format::KerasV3,
        _ if any && all_npy => Format::Npz,
        _ => Format::Zip,
    }
}

/// Member names from the local file headers that fit in `head`, in order. Stops at the first header whose
/// data cannot be skipped (a data descriptor with unknown size, zip64) or that runs past the head.
fn zip_local_names(head: &[u8]) -> Vec<String> {
    const MAX_MEMBERS: usize = 64;
    let mut names = Vec::new();
    let mut at = 0usize;
    while names.len() < MAX_MEMBERS {
        let Some(h) = head.get(at..at.saturating_add(30)) else {
            break;
        };
        if !h.starts_with(b"PK\x03\x04") {
            break;
        }
        let flags = u16::from_le_bytes([h[6], h[7]]);
        let csize = u32::from_le_bytes([h[18], h[19], h[20], h[21]]);
        let name_len = usize::from(u16::from_le_bytes([h[26], h[27]]));
        let extra_len = usize::from(u16::from_le_bytes([h[28], h[29]]));
        let name_start = at + 30;
        let Some(name) = head.get(name_start..name_start + name_len) else {
            break;
        };
        names.push(String::from_utf8_lossy(name).into_owned());
        if flags & 0x8 != 0 || csize == u32::MAX {
            break;
        }
        at = name_start + name_len + extra_len + csize as usize;
    }
    names
}

fn is_hdf5(head: &[u8]) -> bool {
    const SIG: &[u8] = b"\x89HDF\r\n\x1a\n";
    // The superblock sits at 0 or after a user block of 512 * 2^k bytes.
    let mut at = 0usize;
    loop {
        match head.get(at..at + SIG.len()) {
            Some(s) if s == SIG => return true,
            Some(_) => {}
            None => return false,
        }
        at = if at == 0 { 512 } else { at * 2 };
    }
}

fn is_safetensors(head: &[u8]) -> bool {
    let Some(len) = head.get(..8) else {
        return false;
    };
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(len);
    let len = u64::from_le_bytes(bytes);
    // Over 4 GiB is no header anyone wrote; the validator reports anything over its own cap.
    (2..1 << 32).contains(&len)
        && head.get(8) == Some(&b'{')
        && head
            .get(9)
            .is_none_or(|b| matches!(b, b'"' | b'}' | b' ' | b'\n' | b'\r' | b'\t'))
}

fn tar_format(head: &[u8]) -> Option<Format> {
    if head.get(257..262) != Some(&b"ustar"[..]) {
        return None;
    }
    let name = head.get(..100)?;
    let name = &name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())];
    let torch = [&b"sys_info"[..], b"pickle", b"storages", b"tensors"];
    Some(if torch.contains(&name) {
        Format::PyTorchTar
    } else {
        Format::Tar
    })
}

/// The legacy `torch.save` magic number 0x1950a86a20f9469cfc6c as a protocol-2 `LONG1`.
const TORCH_LEGACY_MAGIC: &[u8] = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";

fn pickle_format(head: &[u8]) -> Option<Format> {
    if head.starts_with(TORCH_LEGACY_MAGIC) {
        return Some(Format::PyTorchLegacy);
    }
    match head {
        [0x80, protocol @ 2..=5] => Some(Format::Pickle {
            protocol: *protocol,
        }),
        [0x80, protocol @ 2..=5, next, ..] if is_opcode(*next) => Some(Format::Pickle {
            protocol: *protocol,
        }),
        [0x80, ..] => None,
        _ => old_protocol_pickle(head).map(|protocol| Format::Pickle { protocol }),
    }
}

fn is_opcode(b: u8) -> bool {
    matches!(
        b,
        b'(' | b'.'
            | b'0'
            | b'1'
            | b'2'
            | b'F'
            | b'I'
            | b'J'
            | b'K'
            | b'L'
            | b'M'
            | b'N'
            | b'P'
            | b'Q'
            | b'R'
            | b'S'
            | b'T'
            | b'U'
            | b'V'
            | b'X'
            | b'a'
            | b'b'
            | b'c'
            | b'd'
            | b'}'
            | b'e'
            | b'g'
            | b'h'
            | b'i'
            | b'j'
            | b'l'
            | b']'
            | b'o'
            | b'p'
            | b'q'
            | b'r'
            | b's'
            | b't'
            | b')'
            | b'u'
            | b'G'
            | b'B'
            | b'C'
            | 0x80..=0x98
    )
}

/// Protocols 0 and 1 have no magic: walk the opcodes in `head`, checking every argument's syntax and the
/// stack effect, and accept only a walk that reaches `STOP` or runs out of bytes after several opcodes.
/// Text rarely survives: a space, most punctuation and many letters are not opcodes, and text arguments
/// must parse. Returns the protocol guessed (1 when a binary opcode was seen).
fn old_protocol_pickle(head: &[u8]) -> Option<u8> {
    const MAX_OPS: usize = 256;
    const MAX_MARKS: usize = 64;
    let first = *head.first()?;
    if !b"(c}])ILFSVNJKMTUXGP".contains(&first) {
        return None;
    }
    let mut frames: Vec<usize> = vec![0];
    let mut binary = false;
    let mut at = 0usize;
    let mut ops = 0usize;
    while ops < MAX_OPS {
        let Some(&op) = head.get(at) else {
            // Ran out of head mid-stream: enough clean opcodes make it a pickle.
            return (ops >= 4 && binary_looks_binary(binary, head)).then_some(u8::from(binary));
        };
        if !PROTOCOL_0_1_OPS.contains(&op) {
            return None;
        }
        at += 1;
        ops += 1;
        let arg = match op {
            b'I' | b'L' | b'F' | b'S' | b'V' | b'P' | b'p' | b'g' => Arg::Lines(1),
            b'c' | b'i' => Arg::Lines(2),
            b'K' | b'q' | b'h' => Arg::Fixed(1),
            b'M' => Arg::Fixed(2),
            b'J' | b'r' | b'j' => Arg::Fixed(4),
            b'G' => Arg::Fixed(8),
            b'U' => Arg::Counted(1),
            b'T' | b'X' => Arg::Counted(4),
            _ => Arg::None,
        };
        binary |= matches!(arg, Arg::Fixed(_) | Arg::Counted(_)) || b"])}euoQ".contains(&op);
        let ran_out = || (ops > 4 && binary_looks_binary(binary, head)).then_some(u8::from(binary));
        match arg {
            Arg::None => {}
            Arg::Fixed(n) => {
                if head.len() < at + n {
                    return ran_out();
                }
                at += n;
            }
            Arg::Counted(width) => {
                let Some(len) = head.get(at..at + width) else {
                    return ran_out();
                };
                let len = len
                    .iter()
                    .rev()
                    .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
                at += width;
                if head.len() < at.saturating_add(len) {
                    return ran_out();
                }
                at += len;
            }
            Arg::Lines(n) => {
                for i in 0..n {
                    let rest = head.get(at..).unwrap_or_default();
                    let Some(end) = rest.iter().position(|&b| b == b'\n') else {
                        // A line still open at the end of the head must look right so far.
                        // String arguments (a protocol-0 numpy array's bytes) may be longer than the head.
                        let long_string = match op {
                            b'V' => true,
                            b'S' => matches!(rest.first(), Some(b'\'' | b'"')),
                            _ => false,
                        };
                        let ok = (rest.len() < 1024 || long_string)
                            && ops > 4
                            && binary_looks_binary(binary, head);
                        return ok.then_some(u8::from(binary));
                    };
                    if !text_arg_ok(op, i, &rest[..end]) {
                        return None;
                    }
                    at += end + 1;
                }
            }
        }
        if !stack_effect(op, &mut frames, MAX_MARKS) {
            return None;
        }
        if op == b'.' {
            // A pickler leaves exactly its one result on the stack, with no mark open.
            let clean = frames.as_slice() == [1];
            return (ops >= 3 && clean && binary_looks_binary(binary, &head[..at]))
                .then_some(u8::from(binary));
        }
    }
    binary_looks_binary(binary, &head[..at]).then_some(u8::from(binary))
}

/// Protocol-1 arguments are raw bytes; printable text that happens to parse as them (`M .. `) is prose, so
/// a walk that used binary opcodes must have met at least one byte text does not hold.
fn binary_looks_binary(binary: bool, walked: &[u8]) -> bool {
    !binary
        || walked
            .iter()
            .any(|&b| (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t')) || b >= 0x7f)
}

/// Every opcode of pickle protocols 0 and 1.
const PROTOCOL_0_1_OPS: &[u8] = b"(.012FIJKLMNPQRSTUVXabcd}eghijl]opqrst)uG";

enum Arg {
    None,
    Fixed(usize),
    Counted(usize),
    Lines(usize),
}

fn text_arg_ok(op: u8, line: usize, arg: &[u8]) -> bool {
    let digits = |s: &[u8]| {
        let s = s
            .strip_prefix(b"-")
            .or_else(|| s.strip_prefix(b"+"))
            .unwrap_or(s);
        !s.is_empty() && s.len() <= 64 && s.iter().all(u8::is_ascii_digit)
    };
    let dotted = |s: &[u8]| {
        s.first()
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
            && s.len() <= 256
            && s.iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'))
    };
    match op {
        b'I' | b'p' | b'g' => digits(arg),
        b'L' => digits(arg.strip_suffix(b"L").unwrap_or(arg)),
        b'F' => {
            !arg.is_empty()
                && arg.len() <= 64
                && std::str::from_utf8(arg).is_ok_and(|s| s.parse::<f64>().is_ok())
        }
        b'S' => matches!(arg, [q @ (b'\'' | b'"'), .., e] if q == e),
        b'c' | b'i' => dotted(arg) && (line == 1 || !arg.ends_with(b".")),
        b'P' => !arg.is_empty() && arg.iter().all(u8::is_ascii_graphic),
        // UNICODE takes any line.
        _ => true,
    }
}

/// Apply `op`'s effect on the stack; false when the op could not run (underflow, no mark).
fn stack_effect(op: u8, frames: &mut Vec<usize>, max_marks: usize) -> bool {
    let Some(top) = frames.last_mut() else {
        return false;
    };
    let need = |top: &mut usize, n: usize, push: usize| {
        if *top < n {
            return false;
        }
        *top = *top - n + push;
        true
    };
    match op {
        b'(' => {
            if frames.len() > max_marks {
                return false;
            }
            frames.push(0);
            true
        }
        // Ops that collect everything since the last mark.
        b't' | b'l' | b'd' | b'i' | b'o' | b'1' | b'e' | b'u' => {
            if frames.len() < 2 {
                return false;
            }
            let items = frames.pop().unwrap_or_default();
            let Some(below) = frames.last_mut() else {
                return false;
            };
            match op {
                b'd' | b'u' if items & 1 == 1 => false,
                b'o' if items == 0 => false,
                b'1' => true,
                // APPENDS and SETITEMS add to the object under the mark.
                b'e' | b'u' => *below >= 1,
                _ => {
                    *below += 1;
                    true
                }
            }
        }
        b'.' | b'p' | b'q' | b'r' => *top >= 1,
        b'0' => need(top, 1, 0),
        b'2' => need(top, 1, 2),
        b'a' | b'R' | b'b' => need(top, 2, 1),
        b's' => need(top, 3, 1),
        b'Q' => need(top, 1, 1),
        _ => {
            *top += 1;
            true
        }
    }
}

/// TensorFlow's `SavedModel` proto: field 1 `saved_model_schema_version` (varint) then field 2 `meta_graphs`.
fn looks_like_saved_model(head: &[u8]) -> bool {
    matches!(head, [0x08, _, 0x12, ..] | [0x12, ..])
}

/// ONNX `ModelProto` fields, by number, with their wire type (0 varint, 2 length-delimited).
const ONNX_FIELDS: &[(u64, u8)] = &[
    (1, 0),  // ir_version
    (2, 2),  // producer_name
    (3, 2),  // producer_version
    (4, 2),  // domain
    (5, 0),  // model_version
    (6, 2),  // doc_string
    (7, 2),  // graph
    (8, 2),  // opset_import
    (14, 2), // metadata_props
    (20, 2), // training_info
    (25, 2), // functions
];

/// Serializers write fields in number order, so an ONNX model starts with `ir_version` (tag 0x08) holding a
/// version ONNX has used, followed by more known fields of the right wire type with lengths that fit.
fn looks_like_onnx(head: &[u8]) -> bool {
    let mut at = 0usize;
    let mut fields = 0usize;
    let mut last_field = 0u64;
    while fields < 16 {
        let Some((tag, next)) = varint(head, at) else {
            break;
        };
        let (field, wire) = (tag >> 3, (tag & 7) as u8);
        if !ONNX_FIELDS.contains(&(field, wire)) || field < last_field {
            return false;
        }
        if fields == 0 && field != 1 {
            return false;
        }
        let Some((value, next)) = varint(head, next) else {
            break;
        };
        if field == 1 && !(3..=20).contains(&value) {
            return false;
        }
        fields += 1;
        last_field = field;
        at = next;
        if wire == 2 {
            let Some(end) = usize::try_from(value)
                .ok()
                .and_then(|v| next.checked_add(v))
            else {
                return false;
            };
            if end > head.len() {
                // A field running past the head (the graph, usually) ends the walk.
                break;
            }
            if matches!(field, 2..=4)
                && !head[next..end]
                    .iter()
                    .all(|b| b.is_ascii_graphic() || *b == b' ')
            {
                return false;
            }
            at = end;
        }
        if at == head.len() {
            break;
        }
    }
    fields >= 2 && last_field >= 2
}

fn varint(buf: &[u8], mut at: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(at)?;
        at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some((value, at));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn zip_member(name: &str, data: &[u8]) -> Vec<u8> {
        let mut out = b"PK\x03\x04".to_vec();
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        out
    }

    fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
        members.iter().flat_map(|(n, d)| zip_member(n, d)).collect()
    }

    #[test]
    fn pickles_of_every_protocol() {
        assert_eq!(
            sniff(b"\x80\x04\x95\x10\x00\x00\x00", "x"),
            Some(Format::Pickle { protocol: 4 })
        );
        assert_eq!(
            sniff(b"\x80\x02}q\x00.", "model.joblib"),
            Some(Format::Pickle { protocol: 2 })
        );
        assert_eq!(
            sniff(b"\x80\x05", "x"),
            Some(Format::Pickle { protocol: 5 })
        );
        assert_eq!(
            sniff(b"cos\nsystem\n(S'ls'\ntR.", "x"),
            Some(Format::Pickle { protocol: 0 })
        );
        assert_eq!(
            sniff(b"(dp0\nS'a'\np1\nI1\nsS'b'\np2\nI2\ns.", "x"),
            Some(Format::Pickle { protocol: 0 })
        );
        assert_eq!(
            sniff(b"(lp0\nI1\naI2\na.", "x"),
            Some(Format::Pickle { protocol: 0 })
        );
        assert_eq!(
            sniff(b"}q\x00(U\x01aq\x01K\x01U\x01bq\x02K\x02u.", "x"),
            Some(Format::Pickle { protocol: 1 })
        );
        assert_eq!(
            sniff(b"cposix\nsystem\nq\x00(U\x02idq\x01tq\x02Rq\x03.", "x"),
            Some(Format::Pickle { protocol: 1 })
        );
        // numpy's protocol-0 arrays carry their bytes in one UNICODE line longer than the head.
        let mut head = b"ccollections\nOrderedDict\np0\n(tRp1\nVw\np2\ncnumpy\ndtype\np3\n(Vf4\np4\nI00\ntp5\nRp6\n(V".to_vec();
        head.extend(std::iter::repeat_n(0xbfu8, HEAD_LEN));
        head.truncate(HEAD_LEN);
        assert_eq!(sniff(&head, "x"), Some(Format::Pickle { protocol: 0 }));
        assert_eq!(
            sniff(&[TORCH_LEGACY_MAGIC, b".\x80\x02"].concat(), "x"),
            Some(Format::PyTorchLegacy)
        );
    }

    #[test]
    fn text_is_not_a_pickle() {
        for text in [
            &b"The quick brown fox jumps over the lazy dog.\n"[..],
            b"(c) 2024 Example Corp. All rights reserved.\n",
            b"cat\ndog\nfish\n",
            b"Version 1.2.3\nSee LICENSE\n",
            b"I like pickles\n",
            b"N/A\n",
            b"[1, 2, 3]\n",
            b"{\"a\": 1}\n",
            b"Subject: hello\n\nbody",
            b"import os\nprint(1)\n",
            b"SELECT * FROM t;\n",
            b"LICENSE\n=======\n",
            b"\x80\x07garbage",
            b"\x80\x02\x00",
            b"",
        ] {
            assert_eq!(
                sniff(text, "notes.txt"),
                None,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn zips_by_member_names() {
        let torch = zip(&[
            ("archive/data.pkl", b"\x80\x02."),
            ("archive/version", b"3\n"),
        ]);
        assert_eq!(sniff(&torch, "w.safetensors"), Some(Format::PyTorchZip));
        let keras = zip(&[
            ("metadata.json", b"{}"),
            ("config.json", b"{}"),
            ("model.weights.h5", b""),
        ]);
        assert_eq!(sniff(&keras, "m.keras"), Some(Format::KerasV3));
        let npz = zip(&[("a.npy", b"\x93NUMPY"), ("b.npy", b"\x93NUMPY")]);
        assert_eq!(sniff(&npz, "x"), Some(Format::Npz));
        assert_eq!(
            sniff(&zip(&[("readme.txt", b"hi")]), "x"),
            Some(Format::Zip)
        );
        // A member whose size is in a data descriptor stops the walk at its own name.
        let mut described = zip_member("model/data.pkl", b"");
        described[6] = 0x08;
        assert_eq!(sniff(&described, "x"), Some(Format::PyTorchZip));
        // A local header cut by the head end is a plain zip.
        assert_eq!(sniff(&torch[..20], "x"), Some(Format::Zip));
        assert_eq!(classify_zip_names(["x/constants.pkl"]), Format::PyTorchZip);
    }

    #[test]
    fn magic_numbers() {
        assert_eq!(sniff(b"GGUF\x03\x00\x00\x00", "x"), Some(Format::Gguf));
        assert_eq!(sniff(b"\x93NUMPY\x01\x00v\x00{", "x"), Some(Format::Npy));
        assert_eq!(sniff(b"\x89HDF\r\n\x1a\n\x00", "x"), Some(Format::Hdf5));
        let mut user_block = vec![0u8; 512];
        user_block.extend_from_slice(b"\x89HDF\r\n\x1a\n");
        assert_eq!(sniff(&user_block, "x"), Some(Format::Hdf5));
        let mut st = 2u64.to_le_bytes().to_vec();
        st.extend_from_slice(b"{}");
        assert_eq!(sniff(&st, "x"), Some(Format::Safetensors));
        let mut st = 64u64.to_le_bytes().to_vec();
        st.extend_from_slice(b"{\"__metadata__\":{}}");
        assert_eq!(sniff(&st, "x"), Some(Format::Safetensors));
        let mut not_st = (1u64 << 40).to_le_bytes().to_vec();
        not_st.push(b'{');
        assert_eq!(sniff(&not_st, "x"), None);
        let mut tar = vec![0u8; 512];
        tar[..6].copy_from_slice(b"pickle");
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(sniff(&tar, "x"), Some(Format::PyTorchTar));
        tar[..6].copy_from_slice(b"readme");
        assert_eq!(sniff(&tar, "x"), Some(Format::Tar));
    }

    #[test]
    fn onnx_and_saved_model() {
        // ir_version 8, producer_name "pytorch", producer_version "2.1", then a graph longer than the head.
        let onnx = b"\x08\x08\x12\x07pytorch\x1a\x032.1:\xff\xff\x01\x0a";
        assert_eq!(sniff(onnx, "model.bin"), Some(Format::Onnx));
        assert_eq!(Format::Onnx.confidence(), Confidence::Low);
        assert_eq!(sniff(b"\x08\x08", "x"), None, "one field is not enough");
        assert_eq!(sniff(b"\x08\x63\x12\x01a", "x"), None, "ir_version 99");
        assert_eq!(
            sniff(b"\x08\x07\x12\x03\x00\x01\x02", "x"),
            None,
            "binary producer name"
        );
        assert_eq!(
            sniff(b"\x08\x01\x12\x10\x0a", "dir/saved_model.pb"),
            Some(Format::SavedModel)
        );
        assert_eq!(sniff(b"\x08\x01\x12\x10\x0a", "other.pb"), None);
    }

    #[test]
    fn lying_extensions() {
        assert!(extension_lies(
            Format::Pickle { protocol: 4 },
            "model.safetensors"
        ));
        assert!(extension_lies(Format::PyTorchZip, "dir/weights.gguf"));
        assert!(extension_lies(Format::Zip, "x.npy"));
        assert!(extension_lies(
            Format::Pickle { protocol: 4 },
            "docs/notes.txt"
        ));
        assert!(extension_lies(Format::PyTorchZip, "config.json"));
        assert!(!extension_lies(Format::Pickle { protocol: 2 }, "model.pkl"));
        assert!(!extension_lies(Format::PyTorchZip, "pytorch_model.bin"));
        assert!(!extension_lies(Format::Safetensors, "model.SAFETENSORS"));
        assert!(!extension_lies(Format::Pickle { protocol: 2 }, "noext"));
        assert!(!extension_lies(
            Format::Pickle { protocol: 2 },
            ".safetensors"
        ));
        assert!(!extension_lies(
            Format::Pickle { protocol: 2 },
            "file.unknownext"
        ));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(head in proptest::collection::vec(any::<u8>(), 0..2048), name in ".{0,20}") {
            let _ = sniff(&head, &name);
            if let Some(format) = sniff(&head, &name) {
                let _ = extension_lies(format, &name);
            }
        }

        #[test]
        fn printable_prose_is_not_a_pickle(text in "[A-Za-z ,.!?'\n]{0,200} [A-Za-z ,.!?'\n]{0,200}") {
            // Words with spaces: a space is no opcode, so prose dies at its first word break.
            prop_assert_eq!(sniff(text.as_bytes(), "x.txt"), None);
        }
    }
}
