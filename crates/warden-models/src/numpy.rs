//! numpy `.npy` headers (format versions 1–3): dtype, order and shape, read without the array data.
//!
//! An object dtype (`|O`, or a structured dtype with an `O` field anywhere) means the payload after the
//! header is a pickle that `np.load(allow_pickle=True)` runs; [`NpyHeader::pickle_offset`] says where it starts.

use std::io::{self, Read};

/// numpy itself refuses headers over 10 000 bytes unless told otherwise; this reader allows more, to see what
/// a crafted file holds, and reports anything over [`NUMPY_HEADER_LIMIT`].
pub const MAX_HEADER_LEN: u32 = 1 << 20;
pub const NUMPY_HEADER_LIMIT: u32 = 10_000;
const MAX_DEPTH: usize = 32;
/// Items per dict, list or tuple: far more than any real header has.
const MAX_ITEMS: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpyHeader {
    pub version: (u8, u8),
    pub descr: Descr,
    pub fortran_order: bool,
    pub shape: Vec<u64>,
    /// Where the array data (or the pickle) starts.
    pub data_offset: u64,
    /// The header is longer than numpy loads by default.
    pub oversized: bool,
}

impl NpyHeader {
    pub fn has_object_dtype(&self) -> bool {
        self.descr.has_object()
    }

    /// The byte offset of the pickle that holds the data, for object dtypes.
    pub fn pickle_offset(&self) -> Option<u64> {
        self.has_object_dtype().then_some(self.data_offset)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Descr {
    /// A type string such as `<f4`, `|O`, `<U10`.
    Simple(String),
    /// A structured dtype: named fields, each with its own dtype and subarray shape.
    Structured(Vec<Field>),
}

impl Descr {
    pub fn has_object(&self) -> bool {
        match self {
            Descr::Simple(s) => s.trim_start_matches(['<', '>', '|', '=']).starts_with('O'),
            Descr::Structured(fields) => fields.iter().any(|f| f.descr.has_object()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub descr: Descr,
    pub shape: Vec<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum NpyError {
    #[error("not a .npy file (no \\x93NUMPY magic)")]
    BadMagic,
    #[error("unsupported .npy format version {0}.{1}")]
    UnsupportedVersion(u8, u8),
    #[error("the file ends inside the header (at byte {offset})")]
    Truncated { offset: u64 },
    #[error("the header claims {len} bytes, over the {MAX_HEADER_LEN}-byte limit")]
    HeaderTooLarge { len: u32 },
    #[error("the header is not valid {encoding} text")]
    Encoding { encoding: &'static str },
    #[error("header syntax at byte {offset}: expected {expected}")]
    Syntax { offset: u64, expected: &'static str },
    #[error("the header has no valid `{0}`")]
    BadKey(&'static str),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Read the header of a `.npy` stream positioned at its start.
pub fn read_header<R: Read>(mut r: R) -> Result<NpyHeader, NpyError> {
    let mut prefix = [0u8; 8];
    read_exact(&mut r, &mut prefix, 0)?;
    if &prefix[..6] != b"\x93NUMPY" {
        return Err(NpyError::BadMagic);
    }
    let version = (prefix[6], prefix[7]);
    let len = match version.0 {
        1 => {
            let mut len = [0u8; 2];
            read_exact(&mut r, &mut len, 8)?;
            u32::from(u16::from_le_bytes(len))
        }
        2 | 3 => {
            let mut len = [0u8; 4];
            read_exact(&mut r, &mut len, 8)?;
            u32::from_le_bytes(len)
        }
        _ => return Err(NpyError::UnsupportedVersion(version.0, version.1)),
    };
    let start: u64 = if version.0 == 1 { 10 } else { 12 };
    if len > MAX_HEADER_LEN {
        return Err(NpyError::HeaderTooLarge { len });
    }
    // Grows only as bytes arrive, so a short file cannot make it allocate the claimed length.
    let mut bytes = Vec::new();
    r.take(u64::from(len)).read_to_end(&mut bytes)?;
    if bytes.len() < len as usize {
        return Err(NpyError::Truncated {
            offset: start + bytes.len() as u64,
        });
    }
    let text: String = if version.0 == 3 {
        String::from_utf8(bytes).map_err(|_| NpyError::Encoding { encoding: "UTF-8" })?
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    };
    let mut parser = Parser {
        text: &text,
        pos: 0,
        base: start,
    };
    let dict = parser.value(0)?;
    parser.skip_ws();
    if parser.pos != text.len() {
        return Err(parser.error("the end of the header"));
    }
    let Literal::Dict(entries) = dict else {
        return Err(NpyError::Syntax {
            offset: start,
            expected: "a dict",
        });
    };
    let get = |key: &str| {
        entries
            .iter()
            .find(|(k, _)| matches!(k, Literal::Str(s) if s == key))
            .map(|(_, v)| v)
    };
    let descr = get("descr")
        .and_then(descr)
        .ok_or(NpyError::BadKey("descr"))?;
    let fortran_order = match get("fortran_order") {
        Some(Literal::Bool(b)) => *b,
        _ => return Err(NpyError::BadKey("fortran_order")),
    };
    let shape = get("shape")
        .and_then(shape)
        .ok_or(NpyError::BadKey("shape"))?;
    Ok(NpyHeader {
        version,
        descr,
        fortran_order,
        shape,
        data_offset: start + u64::from(len),
        oversized: len > NUMPY_HEADER_LIMIT,
    })
}

fn read_exact<R: Read>(r: &mut R, buf: &mut [u8], offset: u64) -> Result<(), NpyError> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => NpyError::Truncated { offset },
        _ => NpyError::Io(e),
    })
}

fn descr(value: &Literal) -> Option<Descr> {
    match value {
        Literal::Str(s) => Some(Descr::Simple(s.clone())),
        Literal::List(fields) => fields
            .iter()
            .map(field)
            .collect::<Option<Vec<_>>>()
            .map(Descr::Structured),
        _ => None,
    }
}

/// A structured field: `(name, descr)` or `(name, descr, shape)`; the name may be a `(title, name)` pair.
fn field(value: &Literal) -> Option<Field> {
    let Literal::Tuple(parts) = value else {
        return None;
    };
    let (name, descr_value, shape_value) = match parts.as_slice() {
        [name, d] => (name, d, None),
        [name, d, s] => (name, d, Some(s)),
        _ => return None,
    };
    let name = match name {
        Literal::Str(s) => s.clone(),
        Literal::Tuple(pair) => match pair.as_slice() {
            [_, Literal::Str(s)] => s.clone(),
            _ => return None,
        },
        _ => return None,
    };
    let shape = match shape_value {
        None => Vec::new(),
        Some(Literal::Int(n)) => vec![u64::try_from(*n).ok()?],
        Some(s) => shape(s)?,
    };
    Some(Field {
        name,
        descr: descr(descr_value)?,
        shape,
    })
}

fn shape(value: &Literal) -> Option<Vec<u64>> {
    let Literal::Tuple(dims) = value else {
        return None;
    };
    dims.iter()
        .map(|d| match d {
            Literal::Int(n) => u64::try_from(*n).ok(),
            _ => None,
        })
        .collect()
}

/// The Python literals a `.npy` header uses.
#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Str(String),
    Int(i128),
    Bool(bool),
    None,
    Tuple(Vec<Literal>),
    List(Vec<Literal>),
    Dict(Vec<(Literal, Literal)>),
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    /// The file offset of `text`'s first byte, for error positions.
    base: u64,
}

impl Parser<'_> {
    fn error(&self, expected: &'static str) -> NpyError {
        NpyError::Syntax {
            offset: self.base + self.pos as u64,
            expected,
        }
    }

    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..)?.chars().next()
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek().filter(|c| c.is_whitespace()) {
            self.pos += c.len_utf8();
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Literal, NpyError> {
        if depth > MAX_DEPTH {
            return Err(self.error("less nesting"));
        }
        self.skip_ws();
        match self.peek() {
            Some('{') => {
                self.pos += 1;
                let mut entries = Vec::new();
                while !self.eat('}') {
                    if entries.len() >= MAX_ITEMS {
                        return Err(self.error("fewer items"));
                    }
                    let key = self.value(depth + 1)?;
                    if !self.eat(':') {
                        return Err(self.error("`:`"));
                    }
                    entries.push((key, self.value(depth + 1)?));
                    if self.eat(',') {
                        continue;
                    }
                    if self.eat('}') {
                        break;
                    }
                    return Err(self.error("`,` or `}`"));
                }
                Ok(Literal::Dict(entries))
            }
            Some(open @ ('(' | '[')) => {
                self.pos += 1;
                let close = if open == '(' { ')' } else { ']' };
                let mut items = Vec::new();
                let mut trailing_comma = false;
                while !self.eat(close) {
                    if items.len() >= MAX_ITEMS {
                        return Err(self.error("fewer items"));
                    }
                    items.push(self.value(depth + 1)?);
                    trailing_comma = self.eat(',');
                    if !trailing_comma && !self.eat(close) {
                        return Err(self.error("`,` or a closing bracket"));
                    } else if !trailing_comma {
                        break;
                    }
                }
                // `(3)` is just 3 in Python; `(3,)` is a tuple.
                Ok(match (open, items.len(), trailing_comma) {
                    ('(', 1, false) => items.into_iter().next().unwrap_or(Literal::None),
                    ('(', ..) => Literal::Tuple(items),
                    _ => Literal::List(items),
                })
            }
            Some(quote @ ('\'' | '"')) => self.string(quote),
            Some(c) if c.is_ascii_digit() || c == '-' || c == '+' => {
                let start = self.pos;
                self.pos += 1;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
                // Python 2 headers wrote longs as `3L`.
                let digits = &self.text[start..self.pos];
                if self.peek() == Some('L') {
                    self.pos += 1;
                }
                digits
                    .parse()
                    .map(Literal::Int)
                    .map_err(|_| self.error("an integer"))
            }
            _ => {
                for (word, literal) in [
                    ("True", Literal::Bool(true)),
                    ("False", Literal::Bool(false)),
                    ("None", Literal::None),
                ] {
                    if self
                        .text
                        .get(self.pos..)
                        .is_some_and(|t| t.starts_with(word))
                    {
                        self.pos += word.len();
                        return Ok(literal);
                    }
                }
                Err(self.error("a Python literal"))
            }
        }
    }

    fn string(&mut self, quote: char) -> Result<Literal, NpyError> {
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.text.get(self.pos..).unwrap_or_default().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c == quote => {
                    self.pos += i + 1;
                    return Ok(Literal::Str(out));
                }
                '\\' => match chars.next().map(|(_, e)| e) {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('x') => {
                        let hex: String = chars.by_ref().take(2).map(|(_, h)| h).collect();
                        let code = u32::from_str_radix(&hex, 16)
                            .map_err(|_| self.error("a \\x escape"))?;
                        out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                    Some(other) => out.push(other),
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err(self.error("a closing quote"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn npy(major: u8, dict: &str) -> Vec<u8> {
        let mut out = b"\x93NUMPY".to_vec();
        out.extend_from_slice(&[major, 0]);
        let prefix = if major == 1 { 10 } else { 12 };
        let pad = (64 - (prefix + dict.len() + 1) % 64) % 64;
        let header = format!("{dict}{}\n", " ".repeat(pad));
        if major == 1 {
            out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(header.as_bytes());
        out
    }

    #[test]
    fn plain_arrays() {
        let bytes = npy(
            1,
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }",
        );
        let h = read_header(&bytes[..]).unwrap();
        assert_eq!(h.descr, Descr::Simple("<f4".into()));
        assert_eq!(h.shape, vec![3, 4]);
        assert!(!h.fortran_order && !h.has_object_dtype());
        assert_eq!(h.data_offset, bytes.len() as u64);
        assert_eq!(h.pickle_offset(), None);
        let scalar =
            read_header(&npy(2, "{'descr': '>i8', 'fortran_order': True, 'shape': ()}")[..])
                .unwrap();
        assert_eq!(
            (scalar.shape.len(), scalar.fortran_order, scalar.version),
            (0, true, (2, 0))
        );
        let one = read_header(
            &npy(
                3,
                "{\"descr\": \"<U5\", \"fortran_order\": False, \"shape\": (7,)}",
            )[..],
        )
        .unwrap();
        assert_eq!(one.shape, vec![7]);
        let py2 = read_header(
            &npy(
                1,
                "{'descr': '<i4', 'fortran_order': False, 'shape': (2L, 3L), }",
            )[..],
        )
        .unwrap();
        assert_eq!(py2.shape, vec![2, 3]);
    }

    #[test]
    fn object_dtypes_point_at_the_pickle() {
        let mut bytes = npy(
            1,
            "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }",
        );
        let payload_at = bytes.len() as u64;
        bytes.extend_from_slice(b"\x80\x03cposix\nsystem\n.");
        let h = read_header(&bytes[..]).unwrap();
        assert_eq!(h.pickle_offset(), Some(payload_at));
        let structured = "{'descr': [('a', '<i4'), (('title', 'b'), [('inner', '|O')], (2, 2))], 'fortran_order': False, 'shape': (1,)}";
        let h = read_header(&npy(1, structured)[..]).unwrap();
        assert!(h.has_object_dtype());
        let Descr::Structured(fields) = &h.descr else {
            panic!()
        };
        assert_eq!(
            (fields[1].name.as_str(), fields[1].shape.as_slice()),
            ("b", &[2u64, 2][..])
        );
        let plain =
            "{'descr': [('a', '<i4'), ('b', '<f8', 3)], 'fortran_order': False, 'shape': (1,)}";
        assert!(!read_header(&npy(1, plain)[..]).unwrap().has_object_dtype());
    }

    #[test]
    fn malformed_headers() {
        assert!(matches!(
            read_header(&b"\x93NUMPZ\x01\x00"[..]),
            Err(NpyError::BadMagic)
        ));
        assert!(matches!(
            read_header(&b"\x93NUM"[..]),
            Err(NpyError::Truncated { offset: 0 })
        ));
        assert!(matches!(
            read_header(&b"\x93NUMPY\x09\x00"[..]),
            Err(NpyError::UnsupportedVersion(9, 0))
        ));
        let mut huge = b"\x93NUMPY\x02\x00".to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            read_header(&huge[..]),
            Err(NpyError::HeaderTooLarge { .. })
        ));
        let mut short = b"\x93NUMPY\x01\x00\xff\x00{'descr'".to_vec();
        assert!(matches!(
            read_header(&short[..]),
            Err(NpyError::Truncated { offset: 18 })
        ));
        short.truncate(9);
        assert!(matches!(
            read_header(&short[..]),
            Err(NpyError::Truncated { offset: 8 })
        ));
        let missing = npy(1, "{'descr': '<f4', 'shape': (3,)}");
        assert!(matches!(
            read_header(&missing[..]),
            Err(NpyError::BadKey("fortran_order"))
        ));
        let negative = npy(
            1,
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}",
        );
        assert!(matches!(
            read_header(&negative[..]),
            Err(NpyError::BadKey("shape"))
        ));
        let unclosed = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,");
        assert!(matches!(
            read_header(&unclosed[..]),
            Err(NpyError::Syntax { .. })
        ));
        let deep = npy(
            1,
            &format!("{{'descr': {}'<f4'{}}}", "[".repeat(100), "]".repeat(100)),
        );
        assert!(matches!(
            read_header(&deep[..]),
            Err(NpyError::Syntax {
                expected: "less nesting",
                ..
            })
        ));
        let code = npy(
            1,
            "{'descr': __import__('os'), 'fortran_order': False, 'shape': ()}",
        );
        assert!(matches!(
            read_header(&code[..]),
            Err(NpyError::Syntax { .. })
        ));
        let mut bad_utf8 = npy(3, "{'descr': '<f4', 'fortran_order': False, 'shape': ()}");
        bad_utf8[13] = 0xff;
        assert!(matches!(
            read_header(&bad_utf8[..]),
            Err(NpyError::Encoding { .. })
        ));
    }

    #[test]
    fn oversized_headers_are_flagged() {
        let dict = format!(
            "{{'descr': '<f4', 'fortran_order': False, 'shape': (3,), {}}}",
            "'x': 1, ".repeat(2000)
        );
        let h = read_header(&npy(2, &dict)[..]).unwrap();
        assert!(h.oversized);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = read_header(&bytes[..]);
            let mut with_magic = b"\x93NUMPY\x01\x00".to_vec();
            with_magic.extend_from_slice(&bytes);
            let _ = read_header(&with_magic[..]);
        }

        #[test]
        fn arbitrary_literals_never_panic(dict in r"\{('[a-z_]{0,12}': ?([\(\[\]\)'|<>a-zA-Z0-9, -]{0,30}|True|False|None), ?){0,4}\}") {
            let _ = read_header(&npy(1, &dict)[..]);
        }
    }
}
