//! GGUF (v1–v3) header and metadata, read from a stream without the tensor data, and the check of its chat
//! templates: a `tokenizer.chat_template` is Jinja that servers render, and an unsandboxed renderer runs
//! whatever Python it reaches (CVE-2024-34359 in llama-cpp-python).

use std::io::{self, BufReader, Read};

/// Keys are limited to 65 535 bytes by the GGUF spec.
pub const MAX_KEY_LEN: u64 = 65_535;
pub const MAX_STRING_LEN: u64 = 64 << 20;
pub const MAX_ARRAY_LEN: u64 = 1 << 28;
/// Arrays of arrays deeper than this are refused.
pub const MAX_ARRAY_DEPTH: usize = 4;
/// Bytes of metadata values kept in memory; past it values are still read (and checked) but dropped.
pub const MAX_RETAINED: u64 = 64 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    U8,
    I8,
    U16,
    I16,
    U32,
    I32,
    F32,
    Bool,
    String,
    Array,
    U64,
    I64,
    F64,
}

impl ValueType {
    fn from_u32(ty: u32) -> Option<Self> {
        use ValueType::*;
        Some(match ty {
            0 => U8,
            1 => I8,
            2 => U16,
            3 => I16,
            4 => U32,
            5 => I32,
            6 => F32,
            7 => Bool,
            8 => String,
            9 => Array,
            10 => U64,
            11 => I64,
            12 => F64,
            _ => return None,
        })
    }

    /// The fewest bytes one value of this type takes, for bounding counts against the file size.
    fn min_size(self, version: u32) -> u64 {
        use ValueType::*;
        let count = if version == 1 { 4 } else { 8 };
        match self {
            U8 | I8 | Bool => 1,
            U16 | I16 => 2,
            U32 | I32 | F32 => 4,
            U64 | I64 | F64 => 8,
            String => count,
            Array => 4 + count,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    F32(f32),
    Bool(bool),
    /// Invalid UTF-8 is replaced; `None` when the retention budget was spent.
    String(Option<String>),
    Array(Array),
    U64(u64),
    I64(i64),
    F64(f64),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(Some(s)) => Some(s),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Array {
    pub elem_type: ValueType,
    pub len: u64,
    /// The elements kept: all of them unless the retention budget ran out.
    pub values: Vec<Value>,
}

/// One metadata pair, with where its key and its value start in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Kv {
    pub key: String,
    pub offset: u64,
    pub value_offset: u64,
    pub value: Value,
}

#[derive(Debug)]
pub struct Gguf {
    pub version: u32,
    pub endian: Endian,
    pub tensor_count: u64,
    pub kv_count: u64,
    /// The pairs read before the end or before [`Gguf::error`].
    pub metadata: Vec<Kv>,
    /// Why reading stopped early, if it did: what came before is still reported (a template followed by
    /// garbage is still a template a loader may have read).
    pub error: Option<GgufError>,
}

impl Gguf {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.metadata
            .iter()
            .find(|kv| kv.key == key)
            .map(|kv| &kv.value)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    #[error("not a GGUF file (no GGUF magic)")]
    BadMagic,
    #[error("unsupported GGUF version {0}")]
    UnsupportedVersion(u32),
    #[error("the file ends at byte {offset}, inside the header")]
    Truncated { offset: u64 },
    #[error("{what} of {count} at byte {offset} cannot fit in the file or exceeds the limit")]
    CountTooLarge {
        what: &'static str,
        count: u64,
        offset: u64,
    },
    #[error("unknown value type {ty} at byte {offset}")]
    UnknownType { ty: u32, offset: u64 },
    #[error("arrays nested deeper than {MAX_ARRAY_DEPTH} at byte {offset}")]
    TooDeep { offset: u64 },
    #[error(transparent)]
    Io(io::Error),
}

/// Read the header and metadata of the GGUF stream `r` (positioned at its start) of `file_size` bytes.
/// `Err` means it is no GGUF at all; problems after the magic and version land in [`Gguf::error`].
pub fn read<R: Read>(r: R, file_size: u64) -> Result<Gguf, GgufError> {
    let mut src = Src {
        r: BufReader::new(r),
        pos: 0,
        file_size,
        endian: Endian::Little,
        version: 0,
        budget: MAX_RETAINED,
    };
    let magic: [u8; 4] = src.bytes()?;
    if &magic != b"GGUF" {
        return Err(GgufError::BadMagic);
    }
    let raw: [u8; 4] = src.bytes()?;
    let (version, endian) = match (u32::from_le_bytes(raw), u32::from_be_bytes(raw)) {
        (v @ 1..=3, _) => (v, Endian::Little),
        (_, v @ 1..=3) => (v, Endian::Big),
        (v, _) => return Err(GgufError::UnsupportedVersion(v)),
    };
    src.version = version;
    src.endian = endian;
    let mut gguf = Gguf {
        version,
        endian,
        tensor_count: 0,
        kv_count: 0,
        metadata: Vec::new(),
        error: None,
    };
    if let Err(e) = read_metadata(&mut src, &mut gguf) {
        gguf.error = Some(e);
    }
    Ok(gguf)
}

fn read_metadata<R: Read>(src: &mut Src<R>, gguf: &mut Gguf) -> Result<(), GgufError> {
    let min_tensor_info = if src.version == 1 { 24 } else { 32 };
    gguf.tensor_count = src.count("tensor count", min_tensor_info, u64::MAX)?;
    let min_kv = ValueType::String.min_size(src.version) + 4;
    gguf.kv_count = src.count("metadata count", min_kv, u64::MAX)?;
    for _ in 0..gguf.kv_count {
        let offset = src.pos;
        let key = src.string(MAX_KEY_LEN, true)?.unwrap_or_default();
        let ty = src.u32()?;
        let value_offset = src.pos;
        let value = src.value(ty, 0)?;
        gguf.metadata.push(Kv {
            key,
            offset,
            value_offset,
            value,
        });
    }
    Ok(())
}

struct Src<R> {
    r: BufReader<R>,
    pos: u64,
    file_size: u64,
    endian: Endian,
    version: u32,
    budget: u64,
}

impl<R: Read> Src<R> {
    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], GgufError> {
        let mut buf = [0u8; N];
        self.r.read_exact(&mut buf).map_err(|e| self.io(e))?;
        self.pos += N as u64;
        Ok(buf)
    }

    fn io(&self, e: io::Error) -> GgufError {
        match e.kind() {
            io::ErrorKind::UnexpectedEof => GgufError::Truncated { offset: self.pos },
            _ => GgufError::Io(e),
        }
    }

    fn u32(&mut self) -> Result<u32, GgufError> {
        let b = self.bytes()?;
        Ok(match self.endian {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        })
    }

    fn u64(&mut self) -> Result<u64, GgufError> {
        let b = self.bytes()?;
        Ok(match self.endian {
            Endian::Little => u64::from_le_bytes(b),
            Endian::Big => u64::from_be_bytes(b),
        })
    }

    /// A count or length (u32 in v1, u64 after), refused when `count * min_size` bytes cannot follow in the
    /// file or `count` exceeds `cap`.
    fn count(&mut self, what: &'static str, min_size: u64, cap: u64) -> Result<u64, GgufError> {
        let offset = self.pos;
        let count = if self.version == 1 {
            u64::from(self.u32()?)
        } else {
            self.u64()?
        };
        let remaining = self.file_size.saturating_sub(self.pos);
        if count > cap || count.saturating_mul(min_size) > remaining {
            return Err(GgufError::CountTooLarge {
                what,
                count,
                offset,
            });
        }
        Ok(count)
    }

    fn string(&mut self, cap: u64, retain: bool) -> Result<Option<String>, GgufError> {
        let len = self.count("string length", 1, cap)?;
        if retain && len <= self.budget {
            self.budget -= len;
            let mut buf = Vec::new();
            (&mut self.r)
                .take(len)
                .read_to_end(&mut buf)
                .map_err(|e| self.io(e))?;
            self.pos += buf.len() as u64;
            if (buf.len() as u64) < len {
                return Err(GgufError::Truncated { offset: self.pos });
            }
            return Ok(Some(byte_preserving_text(&buf)));
        }
        let skipped =
            io::copy(&mut (&mut self.r).take(len), &mut io::sink()).map_err(|e| self.io(e))?;
        self.pos += skipped;
        if skipped < len {
            return Err(GgufError::Truncated { offset: self.pos });
        }
        Ok(None)
    }

    fn value(&mut self, ty: u32, depth: usize) -> Result<Value, GgufError> {
        let offset = self.pos.saturating_sub(4);
        let Some(ty) = ValueType::from_u32(ty) else {
            return Err(GgufError::UnknownType { ty, offset });
        };
        Ok(match ty {
            ValueType::U8 => Value::U8(u8::from_le_bytes(self.bytes()?)),
            ValueType::I8 => Value::I8(i8::from_le_bytes(self.bytes()?)),
            ValueType::Bool => Value::Bool(self.bytes::<1>()?[0] != 0),
            ValueType::U16 => Value::U16(self.u16()?),
            ValueType::I16 => Value::I16(self.u16()? as i16),
            ValueType::U32 => Value::U32(self.u32()?),
            ValueType::I32 => Value::I32(self.u32()? as i32),
            ValueType::F32 => Value::F32(f32::from_bits(self.u32()?)),
            ValueType::U64 => Value::U64(self.u64()?),
            ValueType::I64 => Value::I64(self.u64()? as i64),
            ValueType::F64 => Value::F64(f64::from_bits(self.u64()?)),
            ValueType::String => Value::String(self.string(MAX_STRING_LEN, true)?),
            ValueType::Array => {
                if depth >= MAX_ARRAY_DEPTH {
                    return Err(GgufError::TooDeep { offset });
                }
                let elem_offset = self.pos;
                let raw = self.u32()?;
                let Some(elem_type) = ValueType::from_u32(raw) else {
                    return Err(GgufError::UnknownType {
                        ty: raw,
                        offset: elem_offset,
                    });
                };
                let len = self.count(
                    "array length",
                    elem_type.min_size(self.version),
                    MAX_ARRAY_LEN,
                )?;
                let mut values = Vec::new();
                for _ in 0..len {
                    let value = self.value(raw, depth + 1)?;
                    // Each kept element costs its enum slot; strings were charged when read.
                    if self.budget >= 32 {
                        self.budget -= 32;
                        values.push(value);
                    }
                }
                Value::Array(Array {
                    elem_type,
                    len,
                    values,
                })
            }
        })
    }

    fn u16(&mut self) -> Result<u16, GgufError> {
        let b = self.bytes()?;
        Ok(match self.endian {
            Endian::Little => u16::from_le_bytes(b),
            Endian::Big => u16::from_be_bytes(b),
        })
    }
}

/// The bytes as text with every invalid byte replaced by `?` (not U+FFFD, which takes three bytes), so a
/// byte position in the text is the same position in the file.
fn byte_preserving_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let mut s = String::with_capacity(bytes.len());
            for chunk in bytes.utf8_chunks() {
                s.push_str(chunk.valid());
                s.extend(std::iter::repeat_n('?', chunk.invalid().len()));
            }
            s
        }
    }
}

/// A Jinja construct in a chat template that reaches Python internals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFinding {
    pub key: String,
    /// Byte offset of the construct in the file.
    pub offset: u64,
    pub construct: String,
    /// A short stretch of the template around the construct.
    pub excerpt: String,
}

/// Chat templates (`tokenizer.chat_template` and `tokenizer.chat_template.*`) with dangerous constructs.
pub fn chat_template_findings(gguf: &Gguf) -> Vec<TemplateFinding> {
    let len_width = if gguf.version == 1 { 4 } else { 8 };
    let mut findings = Vec::new();
    for kv in &gguf.metadata {
        let is_template =
            kv.key == "tokenizer.chat_template" || kv.key.starts_with("tokenizer.chat_template.");
        let Some(template) = kv.value.as_str().filter(|_| is_template) else {
            continue;
        };
        for c in template_constructs(template) {
            findings.push(TemplateFinding {
                key: kv.key.clone(),
                offset: kv.value_offset + len_width + c.at as u64,
                excerpt: excerpt(template, c.at),
                construct: c.construct,
            });
        }
    }
    findings
}

/// One dangerous construct at byte `at` of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Construct {
    pub at: usize,
    pub construct: String,
}

/// Attribute names that lead from any Jinja object to Python's object graph, globals or builtins.
const INTERNAL_ATTRS: &[&str] = &[
    "__class__",
    "__globals__",
    "__builtins__",
    "__subclasses__",
    "__mro__",
    "__base__",
    "__bases__",
    "__init__",
    "__import__",
    "__dict__",
    "__getattribute__",
    "__reduce__",
    "__reduce_ex__",
    "__loader__",
    "__spec__",
    "__code__",
    "__func__",
    "__self__",
    "__module__",
    "__call__",
    "__getitem__",
    "__new__",
];

/// Names that run commands or reach frames and modules when called or read as attributes.
const DANGEROUS_NAMES: &[&str] = &[
    "popen",
    "eval",
    "exec",
    "system",
    "import_module",
    "getattr",
    "subprocess",
    "builtins",
    "func_globals",
    "f_globals",
    "f_back",
    "f_locals",
    "gi_frame",
    "cr_frame",
    "tb_frame",
    "co_code",
    "spawn",
    "check_output",
];

/// Jinja and Flask globals that are plain Python objects: one attribute hop from their `__globals__`.
const EXPOSED_GLOBALS: &[&str] = &[
    "lipsum",
    "cycler",
    "joiner",
    "url_for",
    "get_flashed_messages",
];

/// Globals only a web framework defines; reading into them leaks configuration or reaches its internals.
const FRAMEWORK_OBJECTS: &[&str] = &["request", "config", "os", "self"];

/// Find constructs inside the template's `{{ }}` and `{% %}` blocks (text outside them is only printed).
pub fn template_constructs(template: &str) -> Vec<Construct> {
    let mut out = Vec::new();
    for block in code_blocks(template) {
        check_block(&block, &mut out);
    }
    out.sort_by_key(|c| c.at);
    out.dedup();
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Punct(char),
    Other,
}

/// The tokens of each code block, with their byte positions in the template.
fn code_blocks(t: &str) -> Vec<Vec<(usize, Tok)>> {
    let bytes = t.as_bytes();
    let mut blocks = Vec::new();
    let mut i = 0usize;
    while i + 1 < bytes.len() {
        let close: &[u8] = match (bytes[i], bytes[i + 1]) {
            (b'{', b'{') => b"}}",
            (b'{', b'%') => b"%}",
            (b'{', b'#') => {
                i = t
                    .get(i + 2..)
                    .and_then(|r| r.find("#}"))
                    .map_or(bytes.len(), |e| i + 2 + e + 2);
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let mut tokens = Vec::new();
        i += 2;
        while i < bytes.len() {
            let b = bytes[i];
            if bytes[i..].starts_with(close) {
                i += 2;
                break;
            }
            if b.is_ascii_whitespace() || b == b'-' && matches!(bytes.get(i + 1), Some(b'}' | b'%'))
            {
                i += 1;
            } else if b.is_ascii_alphabetic() || b == b'_' {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                tokens.push((start, Tok::Ident(t[start..i].to_owned())));
            } else if b == b'\'' || b == b'"' {
                let start = i;
                let (value, end) = string_literal(t, i);
                tokens.push((start, Tok::Str(value)));
                i = end;
            } else if b.is_ascii() {
                tokens.push((
                    i,
                    if b.is_ascii_punctuation() {
                        Tok::Punct(char::from(b))
                    } else {
                        Tok::Other
                    },
                ));
                i += 1;
            } else {
                tokens.push((i, Tok::Other));
                i += t
                    .get(i..)
                    .and_then(|r| r.chars().next())
                    .map_or(1, char::len_utf8);
            }
        }
        blocks.push(tokens);
    }
    blocks
}

/// A Python-style string literal starting at `start` (a quote): its value with escapes decoded (so
/// `'\x5f\x5fclass\x5f\x5f'` reads as `__class__`) and the index after it.
fn string_literal(t: &str, start: usize) -> (String, usize) {
    let quote = t.as_bytes()[start];
    let mut out = String::new();
    let mut chars = t
        .get(start + 1..)
        .unwrap_or_default()
        .char_indices()
        .peekable();
    while let Some((i, c)) = chars.next() {
        if c as u32 == u32::from(quote) {
            return (out, start + 1 + i + 1);
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else { break };
        let hex_len = match e {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            'n' => {
                out.push('\n');
                continue;
            }
            't' => {
                out.push('\t');
                continue;
            }
            '0'..='7' => {
                let mut code = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|(_, d)| d.to_digit(8)) {
                        Some(d) => {
                            code = code * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                continue;
            }
            other => {
                out.push(other);
                continue;
            }
        };
        let digits: String = (0..hex_len)
            .filter_map(|_| {
                chars
                    .next_if(|(_, h)| h.is_ascii_hexdigit())
                    .map(|(_, h)| h)
            })
            .collect();
        let code = u32::from_str_radix(&digits, 16)
            .ok()
            .and_then(char::from_u32);
        out.push(code.unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    (out, t.len())
}

fn check_block(tokens: &[(usize, Tok)], out: &mut Vec<Construct>) {
    let punct = |i: usize| match tokens.get(i) {
        Some((_, Tok::Punct(c))) => Some(*c),
        _ => None,
    };
    let mut push = |at: usize, construct: String| out.push(Construct { at, construct });
    let mut i = 0;
    while i < tokens.len() {
        let (at, tok) = &tokens[i];
        match tok {
            Tok::Ident(name) => {
                let after = punct(i + 1);
                let attribute = i > 0 && punct(i - 1) == Some('.');
                if name.len() > 2 && (name.starts_with("__") || name.ends_with("__")) {
                    push(*at, format!("Python internal `{name}`"));
                } else if name.starts_with("_TemplateReference")
                    || (attribute && name.starts_with('_'))
                {
                    push(*at, format!("private attribute `{name}`"));
                } else if DANGEROUS_NAMES.contains(&name.as_str())
                    && (attribute || after == Some('('))
                {
                    push(*at, format!("dangerous call or attribute `{name}`"));
                } else if EXPOSED_GLOBALS.contains(&name.as_str()) && !attribute {
                    push(*at, format!("Python object global `{name}`"));
                } else if FRAMEWORK_OBJECTS.contains(&name.as_str())
                    && !attribute
                    && matches!(after, Some('.' | '['))
                {
                    push(*at, format!("`{name}.` reaches beyond the template"));
                }
                i += 1;
            }
            Tok::Str(_) => {
                // Literals joined by `~` or `+` (or placed side by side) are one string to Jinja.
                let mut joined = String::new();
                let mut j = i;
                while let Some((_, Tok::Str(s))) = tokens.get(j) {
                    joined.push_str(s);
                    j += 1;
                    if matches!(punct(j), Some('~' | '+'))
                        && matches!(tokens.get(j + 1), Some((_, Tok::Str(_))))
                    {
                        j += 1;
                    }
                }
                let attr_arg = i >= 2
                    && punct(i - 1) == Some('(')
                    && matches!(&tokens[i - 2].1, Tok::Ident(n) if n == "attr");
                if let Some(name) = INTERNAL_ATTRS.iter().find(|n| joined.contains(*n)) {
                    push(*at, format!("Python internal `{name}` in a string"));
                } else if attr_arg
                    && (joined.starts_with('_') || DANGEROUS_NAMES.contains(&joined.as_str()))
                {
                    push(*at, format!("attr('{joined}')"));
                } else if joined.contains("%c")
                    && (j..tokens.len())
                        .any(|k| matches!(&tokens[k].1, Tok::Ident(n) if n == "format"))
                {
                    push(*at, "string built from character codes".to_owned());
                }
                i = j.max(i + 1);
            }
            _ => i += 1,
        }
    }
}

fn excerpt(template: &str, at: usize) -> String {
    let floor = |mut i: usize| {
        i = i.min(template.len());
        while !template.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(at.saturating_sub(20));
    let end = floor(at.saturating_add(60));
    template
        .get(start..end)
        .unwrap_or_default()
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone)]
    enum V<'a> {
        U32(u32),
        Str(&'a str),
        F32(f32),
        Bool(bool),
        Arr(u32, Vec<V<'a>>),
    }

    fn encode(v: &V, version: u32, out: &mut Vec<u8>) {
        let count = |n: u64, out: &mut Vec<u8>| {
            if version == 1 {
                out.extend_from_slice(&(n as u32).to_le_bytes())
            } else {
                out.extend_from_slice(&n.to_le_bytes())
            }
        };
        match v {
            V::U32(n) => out.extend_from_slice(&n.to_le_bytes()),
            V::F32(f) => out.extend_from_slice(&f.to_le_bytes()),
            V::Bool(b) => out.push(u8::from(*b)),
            V::Str(s) => {
                count(s.len() as u64, out);
                out.extend_from_slice(s.as_bytes());
            }
            V::Arr(ty, items) => {
                out.extend_from_slice(&ty.to_le_bytes());
                count(items.len() as u64, out);
                items.iter().for_each(|i| encode(i, version, out));
            }
        }
    }

    fn ty(v: &V) -> u32 {
        match v {
            V::U32(_) => 4,
            V::F32(_) => 6,
            V::Bool(_) => 7,
            V::Str(_) => 8,
            V::Arr(..) => 9,
        }
    }

    fn gguf(version: u32, kvs: &[(&str, V)]) -> Vec<u8> {
        let mut out = b"GGUF".to_vec();
        out.extend_from_slice(&version.to_le_bytes());
        let count = |n: u64, out: &mut Vec<u8>| {
            if version == 1 {
                out.extend_from_slice(&(n as u32).to_le_bytes())
            } else {
                out.extend_from_slice(&n.to_le_bytes())
            }
        };
        count(0, &mut out);
        count(kvs.len() as u64, &mut out);
        for (k, v) in kvs {
            encode(&V::Str(k), version, &mut out);
            out.extend_from_slice(&ty(v).to_le_bytes());
            encode(v, version, &mut out);
        }
        out
    }

    fn parse(bytes: &[u8]) -> Gguf {
        read(bytes, bytes.len() as u64).unwrap()
    }

    const BENIGN: &str = "{% set ns = namespace(found=false) %}{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] | trim + '<|im_end|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %} You are a system. Use eval and os.path config. freely";

    #[test]
    fn reads_metadata_of_every_version() {
        for version in 1..=3 {
            let bytes = gguf(
                version,
                &[
                    ("general.architecture", V::Str("llama")),
                    ("llama.context_length", V::U32(4096)),
                    ("x.f", V::F32(0.5)),
                    ("x.b", V::Bool(true)),
                    (
                        "tokenizer.ggml.tokens",
                        V::Arr(8, vec![V::Str("<s>"), V::Str("a")]),
                    ),
                    (
                        "nested",
                        V::Arr(9, vec![V::Arr(4, vec![V::U32(1), V::U32(2)])]),
                    ),
                ],
            );
            let g = parse(&bytes);
            assert!(g.error.is_none(), "{:?}", g.error);
            assert_eq!(
                (g.version, g.kv_count, g.endian),
                (version, 6, Endian::Little)
            );
            assert_eq!(
                g.get("general.architecture").and_then(Value::as_str),
                Some("llama")
            );
            assert_eq!(g.get("llama.context_length"), Some(&Value::U32(4096)));
            assert_eq!(g.get("x.b"), Some(&Value::Bool(true)));
            let Some(Value::Array(tokens)) = g.get("tokenizer.ggml.tokens") else {
                panic!()
            };
            assert_eq!((tokens.len, tokens.values.len()), (2, 2));
            let Some(Value::Array(nested)) = g.get("nested") else {
                panic!()
            };
            assert_eq!(
                nested.values[0],
                Value::Array(Array {
                    elem_type: ValueType::U32,
                    len: 2,
                    values: vec![Value::U32(1), Value::U32(2)]
                })
            );
        }
    }

    #[test]
    fn big_endian_files() {
        let mut out = b"GGUF".to_vec();
        out.extend_from_slice(&3u32.to_be_bytes());
        out.extend_from_slice(&0u64.to_be_bytes());
        out.extend_from_slice(&1u64.to_be_bytes());
        out.extend_from_slice(&1u64.to_be_bytes());
        out.push(b'k');
        out.extend_from_slice(&4u32.to_be_bytes());
        out.extend_from_slice(&7u32.to_be_bytes());
        let g = parse(&out);
        assert_eq!((g.endian, g.get("k")), (Endian::Big, Some(&Value::U32(7))));
    }

    #[test]
    fn malformed_files() {
        assert!(matches!(
            read(&b"GGUX\x03\0\0\0"[..], 8),
            Err(GgufError::BadMagic)
        ));
        assert!(matches!(
            read(&b"GGUF\x09\0\0\0"[..], 8),
            Err(GgufError::UnsupportedVersion(9))
        ));
        assert!(matches!(
            read(&b"GGU"[..], 3),
            Err(GgufError::Truncated { .. })
        ));

        let good = gguf(3, &[("a", V::Str("hello")), ("b", V::U32(1))]);
        let cut = parse(&good[..good.len() - 2]);
        assert_eq!(cut.metadata.len(), 1, "the pair before the cut is kept");
        assert!(matches!(cut.error, Some(GgufError::Truncated { .. })));

        let mut huge_kv = b"GGUF\x03\0\0\0".to_vec();
        huge_kv.extend_from_slice(&0u64.to_le_bytes());
        huge_kv.extend_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(
            parse(&huge_kv).error,
            Some(GgufError::CountTooLarge {
                what: "metadata count",
                offset: 16,
                ..
            })
        ));

        let mut huge_str = b"GGUF\x03\0\0\0".to_vec();
        huge_str.extend_from_slice(&0u64.to_le_bytes());
        huge_str.extend_from_slice(&1u64.to_le_bytes());
        huge_str.extend_from_slice(&(1u64 << 40).to_le_bytes());
        huge_str.extend_from_slice(&[b'x'; 32]);
        assert!(matches!(
            parse(&huge_str).error,
            Some(GgufError::CountTooLarge {
                what: "string length",
                ..
            })
        ));

        let mut bad_type = gguf(3, &[("a", V::U32(1))]);
        let ty_at = bad_type.len() - 8;
        bad_type[ty_at..ty_at + 4].copy_from_slice(&99u32.to_le_bytes());
        assert!(matches!(
            parse(&bad_type).error,
            Some(GgufError::UnknownType { ty: 99, .. })
        ));

        let mut arr = gguf(3, &[("a", V::Arr(4, vec![]))]);
        let len_at = arr.len() - 8;
        arr[len_at..].copy_from_slice(&(1u64 << 62).to_le_bytes());
        assert!(matches!(
            parse(&arr).error,
            Some(GgufError::CountTooLarge {
                what: "array length",
                ..
            })
        ));

        let deep = (0..10).fold(V::U32(1), |inner, _| V::Arr(ty(&inner), vec![inner]));
        assert!(matches!(
            parse(&gguf(3, &[("d", deep)])).error,
            Some(GgufError::TooDeep { .. })
        ));
    }

    #[test]
    fn malicious_chat_templates() {
        for (template, construct) in [
            (
                "{{ lipsum.__globals__['os'].popen('id').read() }}",
                "Python object global `lipsum`",
            ),
            (
                "{{ ''.__class__.__mro__[1].__subclasses__() }}",
                "Python internal `__class__`",
            ),
            (
                "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('id') }}",
                "`self.` reaches beyond the template",
            ),
            (
                "{% set x = namespace.__init__.__globals__ %}",
                "Python internal `__init__`",
            ),
            ("{{ cycler.__init__ }}", "Python object global `cycler`"),
            ("{{ joiner }}", "Python object global `joiner`"),
            (
                "{{ ()|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
                "Python internal `__class__` in a string",
            ),
            (
                "{{ x['__glo' ~ 'bals__'] }}",
                "Python internal `__globals__` in a string",
            ),
            ("{{ x|attr('popen') }}", "attr('popen')"),
            (
                "{{ request.application }}",
                "`request.` reaches beyond the template",
            ),
            (
                "{{ config.items() }}",
                "`config.` reaches beyond the template",
            ),
            (
                "{%- for m in messages %}{{ m.eval('1') }}{% endfor -%}",
                "dangerous call or attribute `eval`",
            ),
            ("{{ os.system('id') }}", "`os.` reaches beyond the template"),
            (
                "{{ ('%c%c'|format(95,95)) }}",
                "string built from character codes",
            ),
            (
                "{{ x[\"\\u005f_class__\"] }}",
                "Python internal `__class__` in a string",
            ),
        ] {
            let found = template_constructs(template);
            assert!(
                found.iter().any(|c| c.construct == construct),
                "{template}: {found:?}"
            );
        }
    }

    #[test]
    fn benign_templates_are_clean() {
        assert_eq!(template_constructs(BENIGN), vec![]);
        let llama3 = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
        assert_eq!(template_constructs(llama3), vec![]);
        assert_eq!(
            template_constructs("{# __class__ in a comment #}plain __globals__ text"),
            vec![]
        );
        assert_eq!(template_constructs("{{ raise_exception('Conversation roles must alternate') }}{{ message.content.split('</think>')[-1] }}"), vec![]);
    }

    #[test]
    fn invalid_utf8_keeps_byte_positions() {
        let bytes = b"\xff\xfe{{ lipsum.__globals__ }}";
        let text = byte_preserving_text(bytes);
        assert_eq!(text.len(), bytes.len());
        let c = &template_constructs(&text)[0];
        assert_eq!(&bytes[c.at..c.at + 6], b"lipsum");
    }

    #[test]
    fn template_findings_point_into_the_file() {
        let template = "{{ lipsum.__globals__ }}";
        let bytes = gguf(
            3,
            &[
                ("general.name", V::Str("m")),
                ("tokenizer.chat_template", V::Str(template)),
                ("tokenizer.chat_template.tool_use", V::Str("{{ cycler }}")),
                ("other.template", V::Str(template)),
            ],
        );
        let g = parse(&bytes);
        let findings = chat_template_findings(&g);
        assert_eq!(findings.len(), 3, "{findings:?}");
        let at = findings[0].offset as usize;
        assert_eq!(&bytes[at..at + 6], b"lipsum");
        assert_eq!(findings[2].key, "tokenizer.chat_template.tool_use");
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), version in 1u32..4) {
            let _ = read(&bytes[..], bytes.len() as u64);
            let mut with_magic = b"GGUF".to_vec();
            with_magic.extend_from_slice(&version.to_le_bytes());
            with_magic.extend_from_slice(&bytes);
            if let Ok(g) = read(&with_magic[..], with_magic.len() as u64) {
                let _ = chat_template_findings(&g);
            }
        }

        #[test]
        fn arbitrary_templates_never_panic(template in r"[{}%#'\x22\\x5fu0-9a-z_.~+()\[\]| é-]{0,120}") {
            let _ = template_constructs(&template);
        }
    }
}
