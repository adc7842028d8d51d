//! A streaming reader of the protobuf wire format, for scanning ONNX models and TensorFlow SavedModels.
//!
//! Why hand-written rather than prost or the protobuf crate: those decode a whole message into memory, and
//! ONNX files reach 2 GB with weight tensors inline (`TensorProto.raw_data`). A scanner needs a handful of
//! small fields (operator names, domains, external-data paths) and must skip every length-delimited field it
//! does not need at I/O speed without holding it, while keeping the byte offset of everything it reports.
//!
//! [`Reader`] walks fields one at a time over any [`Read`]. A length-delimited field is left pending after
//! [`Reader::next_field`]: the caller reads it ([`Reader::read_bytes`], [`Reader::read_prefix`]), descends into
//! it as a sub-message ([`Reader::enter`]/[`Reader::leave`], or [`Reader::message`]), or leaves it, and the
//! next call to `next_field` skips it by streaming it into [`io::sink`].
//!
//! Everything the data controls is bounded: a varint is at most 10 bytes, a length may not run past the
//! message that encloses it, nothing is allocated by a length from the file beyond the caller's cap, and
//! messages nest at most [`MAX_DEPTH`] deep (protobuf's own default recursion limit, so whatever the real
//! parsers accept is walked). Groups (wire types 3 and 4) are refused: no ONNX or TensorFlow schema uses
//! them. A violation is an [`Error::Malformed`] with the byte offset; the reader never panics.

use std::io::{self, BufRead, BufReader, Read};

/// Messages nested deeper than this are refused; protobuf's C++ and Python parsers stop at the same depth.
pub const MAX_DEPTH: usize = 100;
/// The most bytes [`Reader::read_bytes`] or [`Reader::read_prefix`] ever allocate, whatever the caller asks.
pub const MAX_READ: usize = 64 << 10;

/// The value of a field as the wire carries it. For [`Value::Len`] the payload follows and is pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1 (little-endian bits).
    Fixed64(u64),
    /// Wire type 2: the payload length in bytes.
    Len(u64),
    /// Wire type 5 (little-endian bits).
    Fixed32(u32),
}

impl Value {
    pub fn wire_type(self) -> u8 {
        match self {
            Value::Varint(_) => 0,
            Value::Fixed64(_) => 1,
            Value::Len(_) => 2,
            Value::Fixed32(_) => 5,
        }
    }
}

/// One field: its number, its value and the offset of its tag from the start of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub number: u32,
    pub offset: u64,
    pub value: Value,
}

/// What is wrong with the bytes at an offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("the data ends inside a field")]
    Truncated,
    #[error("a field runs past the end of the message that holds it")]
    PastEnd,
    #[error("a varint is longer than 10 bytes")]
    VarintTooLong,
    #[error("field number {0} is outside 1..=536870911")]
    BadFieldNumber(u64),
    #[error("wire type {0} is a group, which no supported schema uses")]
    Group(u8),
    #[error("wire type {0} does not exist")]
    BadWireType(u8),
    #[error("a length of {len} bytes runs past the {available} bytes left in its message")]
    LengthPastEnd { len: u64, available: u64 },
    #[error("messages are nested deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("a field of {len} bytes is over the {max}-byte limit for reading it")]
    TooLarge { len: u64, max: usize },
}

/// A failure of [`Reader`]: the data is malformed at `offset`, or the underlying reader failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("malformed protobuf at byte {offset}: {kind}")]
    Malformed { offset: u64, kind: Malformed },
    #[error(transparent)]
    Io(io::Error),
}

/// The first bytes of a length-delimited field and its full length.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Prefix {
    pub bytes: Vec<u8>,
    /// The length of the whole field; more than `bytes.len()` when it was cut.
    pub len: u64,
}

impl Prefix {
    /// Whether `bytes` is the whole field.
    pub fn is_complete(&self) -> bool {
        self.bytes.len() as u64 == self.len
    }

    /// The bytes as text for a report: invalid UTF-8 replaced, control characters escaped (`\0`, `\n`,
    /// `\u{1b}`), and marked with the full length when cut.
    pub fn to_text(&self) -> String {
        let mut text = String::with_capacity(self.bytes.len());
        for c in String::from_utf8_lossy(&self.bytes).chars() {
            if c.is_control() {
                text.extend(c.escape_debug());
            } else {
                text.push(c);
            }
        }
        if !self.is_complete() {
            text.push_str(&format!("… ({} bytes)", self.len));
        }
        text
    }
}

/// A streaming protobuf wire-format reader that counts its byte offset. See the module documentation.
pub struct Reader<'a> {
    src: BufReader<&'a mut dyn Read>,
    offset: u64,
    /// The length of the whole stream when known: the end of the outermost message.
    root_end: Option<u64>,
    /// End offsets of the messages entered, innermost last.
    ends: Vec<u64>,
    /// Unread payload bytes of the last length-delimited field.
    pending: u64,
}

impl<'a> Reader<'a> {
    /// A reader of the message that fills `src`: `len` bytes when known (bytes after them are ignored), else up
    /// to the end of the stream.
    pub fn new(src: &'a mut dyn Read, len: Option<u64>) -> Self {
        Reader {
            src: BufReader::with_capacity(64 << 10, src),
            offset: 0,
            root_end: len,
            ends: Vec::new(),
            pending: 0,
        }
    }

    /// Bytes consumed from the start of the stream.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// How many messages are entered.
    pub fn depth(&self) -> usize {
        self.ends.len()
    }

    /// The next field of the current message, or `None` at its end. A pending length-delimited payload of the
    /// previous field is skipped first.
    pub fn next_field(&mut self) -> Result<Option<Field>, Error> {
        self.skip()?;
        if self.remaining() == 0 {
            return Ok(None);
        }
        if self.ends.is_empty() && self.root_end.is_none() && self.at_eof()? {
            return Ok(None);
        }
        let offset = self.offset;
        // Every malformation inside the field is reported at its tag.
        self.field(offset).map(Some).map_err(|e| e.at(offset))
    }

    fn field(&mut self, offset: u64) -> Result<Field, Error> {
        let tag = self.varint()?;
        let number = tag >> 3;
        if number == 0 || number > (1 << 29) - 1 {
            return Err(malformed(offset, Malformed::BadFieldNumber(number)));
        }
        let wire = (tag & 7) as u8;
        let value = match wire {
            0 => Value::Varint(self.varint()?),
            1 => Value::Fixed64(u64::from_le_bytes(self.array()?)),
            2 => {
                let len = self.varint()?;
                let available = self.remaining();
                if len > available {
                    return Err(malformed(
                        offset,
                        Malformed::LengthPastEnd { len, available },
                    ));
                }
                self.pending = len;
                Value::Len(len)
            }
            5 => Value::Fixed32(u32::from_le_bytes(self.array()?)),
            3 | 4 => return Err(malformed(offset, Malformed::Group(wire))),
            _ => return Err(malformed(offset, Malformed::BadWireType(wire))),
        };
        Ok(Field {
            // Checked above: at most 2^29 - 1.
            number: number as u32,
            offset,
            value,
        })
    }

    /// The whole pending payload, refused (as [`Malformed::TooLarge`]) when longer than `max` (itself capped at
    /// [`MAX_READ`]). Empty when nothing is pending.
    pub fn read_bytes(&mut self, max: usize) -> Result<Vec<u8>, Error> {
        let max = max.min(MAX_READ);
        if self.pending > max as u64 {
            return Err(malformed(
                self.offset,
                Malformed::TooLarge {
                    len: self.pending,
                    max,
                },
            ));
        }
        Ok(self.read_prefix(max)?.bytes)
    }

    /// Up to `max` (capped at [`MAX_READ`]) bytes of the pending payload; the rest is skipped.
    pub fn read_prefix(&mut self, max: usize) -> Result<Prefix, Error> {
        let len = self.pending;
        let keep = len.min(max.min(MAX_READ) as u64);
        // `keep` is at most MAX_READ, so it fits in usize.
        let mut bytes = vec![0; keep as usize];
        let start = self.offset;
        self.src
            .read_exact(&mut bytes)
            .map_err(|e| io_error(e, start))?;
        self.offset += keep;
        self.pending -= keep;
        self.skip()?;
        Ok(Prefix { bytes, len })
    }

    /// Skip the pending payload without holding it.
    pub fn skip(&mut self) -> Result<(), Error> {
        let len = std::mem::take(&mut self.pending);
        self.discard(len)
    }

    /// Descend into the pending payload as a sub-message: [`Reader::next_field`] then reads its fields and ends
    /// at its end, until [`Reader::leave`]. With nothing pending the sub-message is empty.
    pub fn enter(&mut self) -> Result<(), Error> {
        if self.ends.len() >= MAX_DEPTH {
            return Err(malformed(self.offset, Malformed::TooDeep));
        }
        let end = self.offset + std::mem::take(&mut self.pending);
        self.ends.push(end);
        Ok(())
    }

    /// Skip what is left of the innermost entered message and return to the message holding it. Does nothing
    /// at the outermost level.
    pub fn leave(&mut self) -> Result<(), Error> {
        self.pending = 0;
        if let Some(end) = self.ends.pop() {
            let rest = end.saturating_sub(self.offset);
            self.discard(rest)?;
        }
        Ok(())
    }

    /// Run `f` inside the pending payload as a sub-message ([`Reader::enter`], `f`, [`Reader::leave`]).
    pub fn message<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.enter()?;
        let value = f(self)?;
        self.leave()?;
        Ok(value)
    }

    /// Bytes left in the current message (with an unknown stream length, until `u64::MAX`).
    fn remaining(&self) -> u64 {
        let end = self
            .ends
            .last()
            .copied()
            .or(self.root_end)
            .unwrap_or(u64::MAX);
        end.saturating_sub(self.offset)
    }

    /// The kind of error for running out of the current message.
    fn out_of_room(&self) -> Malformed {
        if self.ends.is_empty() {
            Malformed::Truncated
        } else {
            Malformed::PastEnd
        }
    }

    fn at_eof(&mut self) -> Result<bool, Error> {
        loop {
            match self.src.fill_buf() {
                Ok(buf) => return Ok(buf.is_empty()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::Io(e)),
            }
        }
    }

    fn byte(&mut self) -> Result<u8, Error> {
        if self.remaining() == 0 {
            return Err(malformed(self.offset, self.out_of_room()));
        }
        let mut b = [0];
        self.src
            .read_exact(&mut b)
            .map_err(|e| io_error(e, self.offset))?;
        self.offset += 1;
        Ok(b[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        if self.remaining() < N as u64 {
            return Err(malformed(self.offset, self.out_of_room()));
        }
        let mut b = [0; N];
        self.src
            .read_exact(&mut b)
            .map_err(|e| io_error(e, self.offset))?;
        self.offset += N as u64;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, Error> {
        let mut value = 0u64;
        for i in 0..10 {
            let b = self.byte()?;
            // Bits past the 64th (in the 10th byte) are dropped, as protobuf's parsers do.
            value |= u64::from(b & 0x7f).checked_shl(7 * i).unwrap_or(0);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(malformed(self.offset, Malformed::VarintTooLong))
    }

    /// Read and drop `len` bytes (callers ensure they lie inside the current message).
    fn discard(&mut self, len: u64) -> Result<(), Error> {
        if len == 0 {
            return Ok(());
        }
        let copied =
            io::copy(&mut (&mut self.src).take(len), &mut io::sink()).map_err(Error::Io)?;
        self.offset += copied;
        if copied < len {
            return Err(malformed(self.offset, Malformed::Truncated));
        }
        Ok(())
    }
}

impl Error {
    /// Re-anchor a malformation at `offset` (the start of the field it broke).
    fn at(self, offset: u64) -> Self {
        match self {
            Error::Malformed { kind, .. } => Error::Malformed { offset, kind },
            other => other,
        }
    }
}

fn malformed(offset: u64, kind: Malformed) -> Error {
    Error::Malformed { offset, kind }
}

/// An I/O error, with an early end of the stream turned into [`Malformed::Truncated`].
fn io_error(e: io::Error, offset: u64) -> Error {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        malformed(offset, Malformed::Truncated)
    } else {
        Error::Io(e)
    }
}

/// A tiny protobuf encoder for building test inputs.
#[cfg(test)]
pub(crate) mod testenc {
    /// A message under construction; methods append one field each.
    #[derive(Debug, Clone, Default)]
    pub struct Msg(pub Vec<u8>);

    /// A reader of `n` bytes of unspecified content that costs nothing to produce (it leaves the caller's
    /// buffer as it is), for streams of gigabytes.
    pub struct Filler(pub u64);

    impl std::io::Read for Filler {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = (buf.len() as u64).min(self.0);
            self.0 -= n;
            Ok(n as usize)
        }
    }

    pub fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    impl Msg {
        pub fn new() -> Self {
            Msg(Vec::new())
        }

        fn tag(mut self, number: u32, wire: u8) -> Self {
            varint(&mut self.0, (u64::from(number) << 3) | u64::from(wire));
            self
        }

        pub fn varint(self, number: u32, v: u64) -> Self {
            let mut m = self.tag(number, 0);
            varint(&mut m.0, v);
            m
        }

        pub fn fixed64(self, number: u32, v: u64) -> Self {
            let mut m = self.tag(number, 1);
            m.0.extend_from_slice(&v.to_le_bytes());
            m
        }

        pub fn fixed32(self, number: u32, v: u32) -> Self {
            let mut m = self.tag(number, 5);
            m.0.extend_from_slice(&v.to_le_bytes());
            m
        }

        pub fn bytes(self, number: u32, b: &[u8]) -> Self {
            let mut m = self.tag(number, 2);
            varint(&mut m.0, b.len() as u64);
            m.0.extend_from_slice(b);
            m
        }

        pub fn str(self, number: u32, s: &str) -> Self {
            self.bytes(number, s.as_bytes())
        }

        pub fn msg(self, number: u32, inner: Msg) -> Self {
            self.bytes(number, &inner.0)
        }

        /// Append raw bytes (for hand-made breakage).
        pub fn raw(mut self, b: &[u8]) -> Self {
            self.0.extend_from_slice(b);
            self
        }

        pub fn finish(self) -> Vec<u8> {
            self.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testenc::Msg;
    use super::*;
    use proptest::prelude::*;
    use std::io::Cursor;

    fn reader(bytes: &mut Cursor<Vec<u8>>) -> Reader<'_> {
        let len = bytes.get_ref().len() as u64;
        Reader::new(bytes, Some(len))
    }

    fn kind(e: Error) -> (u64, Malformed) {
        match e {
            Error::Malformed { offset, kind } => (offset, kind),
            Error::Io(e) => panic!("unexpected I/O error {e}"),
        }
    }

    #[test]
    fn reads_scalars_strings_and_nested_messages() {
        let bytes = Msg::new()
            .varint(1, 300)
            .str(2, "hello")
            .msg(3, Msg::new().varint(1, 7).str(2, "inner"))
            .fixed32(4, 0xdead_beef)
            .fixed64(5, u64::MAX)
            .varint(6, u64::MAX)
            .finish();
        let mut c = Cursor::new(bytes);
        let mut r = reader(&mut c);
        let f = r.next_field().unwrap().unwrap();
        assert_eq!((f.number, f.offset, f.value), (1, 0, Value::Varint(300)));
        let f = r.next_field().unwrap().unwrap();
        assert_eq!((f.number, f.offset, f.value), (2, 3, Value::Len(5)));
        assert_eq!(r.read_bytes(16).unwrap(), b"hello");
        let f = r.next_field().unwrap().unwrap();
        assert_eq!(f.number, 3);
        r.enter().unwrap();
        assert_eq!(r.depth(), 1);
        assert_eq!(r.next_field().unwrap().unwrap().value, Value::Varint(7));
        // The string is left pending and skipped by `leave`.
        assert_eq!(r.next_field().unwrap().unwrap().value, Value::Len(5));
        r.leave().unwrap();
        assert_eq!(r.depth(), 0);
        assert_eq!(
            r.next_field().unwrap().unwrap().value,
            Value::Fixed32(0xdead_beef)
        );
        assert_eq!(
            r.next_field().unwrap().unwrap().value,
            Value::Fixed64(u64::MAX)
        );
        assert_eq!(
            r.next_field().unwrap().unwrap().value,
            Value::Varint(u64::MAX)
        );
        assert!(r.next_field().unwrap().is_none());
    }

    #[test]
    fn inner_message_ends_at_its_length() {
        let bytes = Msg::new()
            .msg(1, Msg::new().varint(1, 1).varint(2, 2))
            .varint(9, 9)
            .finish();
        let mut c = Cursor::new(bytes);
        let mut r = reader(&mut c);
        r.next_field().unwrap();
        let inner = r
            .message(|r| {
                let mut n = Vec::new();
                while let Some(f) = r.next_field()? {
                    n.push(f.number);
                }
                Ok(n)
            })
            .unwrap();
        assert_eq!(inner, [1, 2]);
        assert_eq!(r.next_field().unwrap().unwrap().number, 9);
    }

    #[test]
    fn unknown_length_reads_to_eof() {
        let mut c = Cursor::new(Msg::new().varint(1, 1).str(2, "x").finish());
        let mut r = Reader::new(&mut c, None);
        assert!(r.next_field().unwrap().is_some());
        assert!(r.next_field().unwrap().is_some());
        assert!(r.next_field().unwrap().is_none());
    }

    #[test]
    fn stated_length_ignores_trailing_bytes() {
        let mut c = Cursor::new(Msg::new().varint(1, 1).varint(2, 2).finish());
        let mut r = Reader::new(&mut c, Some(2));
        assert_eq!(r.next_field().unwrap().unwrap().number, 1);
        assert!(r.next_field().unwrap().is_none());
    }

    #[test]
    fn malformations_are_errors_with_offsets() {
        let cases: Vec<(Vec<u8>, u64, Malformed)> = vec![
            (vec![0x08], 0, Malformed::Truncated),
            (
                [vec![0x08], vec![0xff; 10], vec![0x01]].concat(),
                0,
                Malformed::VarintTooLong,
            ),
            (vec![0x00], 0, Malformed::BadFieldNumber(0)),
            (vec![0x0b], 0, Malformed::Group(3)),
            (vec![0x0c], 0, Malformed::Group(4)),
            (vec![0x0e], 0, Malformed::BadWireType(6)),
            (vec![0x0f], 0, Malformed::BadWireType(7)),
            (
                vec![0x08, 0x01, 0x12, 0x05, b'a'],
                2,
                Malformed::LengthPastEnd {
                    len: 5,
                    available: 1,
                },
            ),
            (vec![0x09, 1, 2, 3], 0, Malformed::Truncated),
            (
                [vec![0x80, 0x80, 0x80, 0x80, 0x80, 0x01]].concat(),
                0,
                Malformed::BadFieldNumber(1 << 32),
            ),
        ];
        for (bytes, offset, want) in cases {
            let mut c = Cursor::new(bytes.clone());
            let mut r = reader(&mut c);
            let err = loop {
                match r.next_field() {
                    Ok(Some(_)) => {}
                    Ok(None) => panic!("{bytes:?} read cleanly"),
                    Err(e) => break e,
                }
            };
            assert_eq!(kind(err), (offset, want), "{bytes:?}");
        }
    }

    #[test]
    fn field_past_the_end_of_its_message() {
        // The inner message claims 2 bytes, but its string field claims 3.
        let bytes = Msg::new().raw(&[0x0a, 0x02, 0x12, 0x03]).finish();
        let mut c = Cursor::new([bytes, b"abc".to_vec()].concat());
        let mut r = reader(&mut c);
        r.next_field().unwrap();
        r.enter().unwrap();
        let (offset, k) = kind(r.next_field().unwrap_err());
        assert_eq!(offset, 2);
        assert_eq!(
            k,
            Malformed::LengthPastEnd {
                len: 3,
                available: 0
            }
        );
    }

    #[test]
    fn stream_shorter_than_stated() {
        let mut c = Cursor::new(Msg::new().str(1, "abcdef").finish());
        let mut r = Reader::new(&mut c, Some(100));
        r.next_field().unwrap();
        let (_, k) = kind(r.next_field().unwrap_err());
        assert_eq!(k, Malformed::Truncated);
    }

    #[test]
    fn read_caps() {
        let big = vec![b'x'; 1000];
        let mut c = Cursor::new(Msg::new().bytes(1, &big).varint(2, 5).finish());
        let mut r = reader(&mut c);
        r.next_field().unwrap();
        let p = r.read_prefix(10).unwrap();
        assert_eq!((p.bytes.len(), p.len, p.is_complete()), (10, 1000, false));
        assert!(p.to_text().ends_with("… (1000 bytes)"));
        let p = Prefix {
            bytes: b"a\0b\n\x1b\xff".to_vec(),
            len: 6,
        };
        assert_eq!(p.to_text(), "a\\0b\\n\\u{1b}\u{fffd}");
        assert_eq!(r.next_field().unwrap().unwrap().value, Value::Varint(5));

        let mut c = Cursor::new(Msg::new().bytes(1, &big).finish());
        let mut r = reader(&mut c);
        r.next_field().unwrap();
        let (_, k) = kind(r.read_bytes(999).unwrap_err());
        assert_eq!(
            k,
            Malformed::TooLarge {
                len: 1000,
                max: 999
            }
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let mut m = Msg::new().varint(1, 1);
        for _ in 0..MAX_DEPTH + 5 {
            m = Msg::new().msg(1, m);
        }
        let mut c = Cursor::new(m.finish());
        let mut r = reader(&mut c);
        fn descend(r: &mut Reader<'_>) -> Result<(), Error> {
            while let Some(f) = r.next_field()? {
                if let Value::Len(_) = f.value {
                    r.message(descend)?;
                }
            }
            Ok(())
        }
        let (_, k) = kind(descend(&mut r).unwrap_err());
        assert_eq!(k, Malformed::TooDeep);
    }

    #[test]
    fn skips_huge_payload_without_holding_it() {
        // A 3 GiB field streamed from a generator: nothing this size is ever allocated.
        let len: u64 = 3 << 30;
        let mut head = Vec::new();
        head.push(0x0a);
        testenc::varint(&mut head, len);
        let tail = Msg::new().varint(2, 42).finish();
        let total = head.len() as u64 + len + tail.len() as u64;
        let mut src = Cursor::new(head)
            .chain(testenc::Filler(len))
            .chain(Cursor::new(tail));
        let mut r = Reader::new(&mut src, Some(total));
        assert_eq!(r.next_field().unwrap().unwrap().value, Value::Len(len));
        let f = r.next_field().unwrap().unwrap();
        assert_eq!((f.number, f.value), (2, Value::Varint(42)));
        assert!(r.next_field().unwrap().is_none());
        assert_eq!(r.offset(), total);
    }

    /// A random message tree for the round trip.
    #[derive(Debug, Clone)]
    enum Node {
        Varint(u32, u64),
        Fixed64(u32, u64),
        Fixed32(u32, u32),
        Bytes(u32, Vec<u8>),
        Msg(u32, Vec<Node>),
    }

    fn encode(nodes: &[Node]) -> Msg {
        nodes.iter().fold(Msg::new(), |m, n| match n {
            Node::Varint(k, v) => m.varint(*k, *v),
            Node::Fixed64(k, v) => m.fixed64(*k, *v),
            Node::Fixed32(k, v) => m.fixed32(*k, *v),
            Node::Bytes(k, b) => m.bytes(*k, b),
            Node::Msg(k, inner) => m.msg(*k, encode(inner)),
        })
    }

    /// Decode `want` from `r`, checking every field and that each tag sits at the offset reported.
    fn check(r: &mut Reader<'_>, want: &[Node], bytes: &[u8]) -> Result<(), TestCaseError> {
        for n in want {
            let f = r
                .next_field()
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let f = f.ok_or_else(|| TestCaseError::fail("message ended early"))?;
            let (number, value) = match n {
                Node::Varint(k, v) => (*k, Value::Varint(*v)),
                Node::Fixed64(k, v) => (*k, Value::Fixed64(*v)),
                Node::Fixed32(k, v) => (*k, Value::Fixed32(*v)),
                Node::Bytes(k, b) => (*k, Value::Len(b.len() as u64)),
                Node::Msg(k, inner) => (*k, Value::Len(encode(inner).0.len() as u64)),
            };
            prop_assert_eq!((f.number, f.value), (number, value));
            let mut tag = Vec::new();
            testenc::varint(
                &mut tag,
                (u64::from(number) << 3) | u64::from(value.wire_type()),
            );
            let at = f.offset as usize;
            prop_assert_eq!(bytes.get(at..at + tag.len()), Some(&tag[..]));
            match n {
                Node::Bytes(_, b) => {
                    let got = r
                        .read_bytes(MAX_READ)
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(&got, b);
                }
                Node::Msg(_, inner) => {
                    r.enter().map_err(|e| TestCaseError::fail(e.to_string()))?;
                    check(r, inner, bytes)?;
                    r.leave().map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
                _ => {}
            }
        }
        let end = r
            .next_field()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(end.is_none());
        Ok(())
    }

    fn tree() -> impl Strategy<Value = Vec<Node>> {
        let number = prop_oneof![1u32..20, 1u32..(1 << 29)];
        let leaf = prop_oneof![
            (number.clone(), any::<u64>()).prop_map(|(k, v)| Node::Varint(k, v)),
            (number.clone(), any::<u64>()).prop_map(|(k, v)| Node::Fixed64(k, v)),
            (number.clone(), any::<u32>()).prop_map(|(k, v)| Node::Fixed32(k, v)),
            (number, proptest::collection::vec(any::<u8>(), 0..40))
                .prop_map(|(k, b)| Node::Bytes(k, b)),
        ];
        let node = leaf.prop_recursive(6, 64, 6, |inner| {
            (1u32..20, proptest::collection::vec(inner, 0..6)).prop_map(|(k, v)| Node::Msg(k, v))
        });
        proptest::collection::vec(node, 0..8)
    }

    /// Walk every field, descending into every length-delimited one that parses, until the end or an error.
    fn walk(r: &mut Reader<'_>) -> Result<(), Error> {
        while let Some(f) = r.next_field()? {
            if let Value::Len(len) = f.value {
                match f.number % 3 {
                    0 => r.message(walk)?,
                    1 => {
                        r.read_bytes(len as usize)?;
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1024), known_len in any::<bool>()) {
            let len = known_len.then_some(bytes.len() as u64);
            let mut c = Cursor::new(bytes);
            let mut r = Reader::new(&mut c, len);
            let _ = walk(&mut r);
        }

        #[test]
        fn encoded_messages_round_trip(t in tree()) {
            let bytes = encode(&t).finish();
            let mut c = Cursor::new(bytes.clone());
            let mut r = Reader::new(&mut c, Some(bytes.len() as u64));
            check(&mut r, &t, &bytes)?;
        }
    }
}
