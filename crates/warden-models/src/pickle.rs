//! A streaming pickle opcode reader that reports every global a pickle references and every call it would
//! make, without executing, importing or unpickling anything.
//!
//! The reader walks opcodes of protocols 0–5 (all of CPython's `pickletools` opcodes) over any
//! [`std::io::Read`], and simulates the unpickler's stack, mark stack and memo just enough to know which
//! callable each `REDUCE`, `NEWOBJ`, `NEWOBJ_EX`, `OBJ`, `INST` and `BUILD` reaches. It never holds the input:
//! byte payloads (`BINBYTES`, `BYTEARRAY8`, long strings, …) are read and discarded in chunks.
//!
//! # What the simulation knows, and where it stops
//! - Strings up to [`Limits::max_text_len`] bytes are kept (module and attribute names for `STACK_GLOBAL`);
//!   longer ones, and everything past [`Limits::max_text_bytes`] in total, become "lost".
//! - Containers, numbers and bytes are opaque: their contents never matter for which callable runs, except
//!   through a call whose result we cannot know anyway.
//! - A value produced by a call is remembered as "what calling X returned", so `getattr(os, "system")("id")`
//!   reports a call to the result of `builtins.getattr`.
//! - The stack, the mark stack and the memo are capped ([`Limits`]). Past a cap the oldest stack items or
//!   marks are dropped, new memo entries are not stored, and anything read back from the lost part is
//!   "lost". A lost value never resolves to a safe callable: a `STACK_GLOBAL` on lost strings is reported
//!   as a [`Reference::Dynamic`] import and a call on a lost value as [`Callee::Unresolved`].
//! - `FRAME` is transparent: its payload is ordinary opcodes, read as a stream like the rest.
//! - `EXT1/2/4` codes go through `copyreg`'s extension registry, which is empty unless something earlier in
//!   the process filled it; they are reported as [`Reference::Extension`].
//!
//! # Several pickles, broken pickles
//! A stream may hold several pickles back to back (legacy PyTorch files do); after `STOP` the reader
//! starts again at the next byte until end of input. `pickle.load` executes everything before the point
//! where it fails, so an error never hides what came before it: semantic errors (stack underflow, a
//! missing memo key, `STACK_GLOBAL` on non-strings) are reported and the simulation goes on; an unknown
//! opcode or an undecodable argument ends the pickle, and the reader resynchronises on the next `PROTO`
//! opcode (`0x80` followed by a protocol 0–5) so that a pickle hidden after garbage is still scanned.
//! Protocol 0/1 pickles after garbage have no such marker and are not found.

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io::{self, Read};
use std::rc::Rc;
use std::sync::Arc;

/// Every opcode of pickle protocols 0–5, named as in CPython's `pickletools`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Opcode {
    Mark,
    Stop,
    Pop,
    PopMark,
    Dup,
    Float,
    Int,
    BinInt,
    BinInt1,
    Long,
    BinInt2,
    None,
    PersId,
    BinPersId,
    Reduce,
    String,
    BinString,
    ShortBinString,
    Unicode,
    BinUnicode,
    Append,
    Build,
    Global,
    Dict,
    EmptyDict,
    Appends,
    Get,
    BinGet,
    Inst,
    LongBinGet,
    List,
    EmptyList,
    Obj,
    Put,
    BinPut,
    LongBinPut,
    SetItem,
    Tuple,
    EmptyTuple,
    SetItems,
    BinFloat,
    Proto,
    NewObj,
    Ext1,
    Ext2,
    Ext4,
    Tuple1,
    Tuple2,
    Tuple3,
    NewTrue,
    NewFalse,
    Long1,
    Long4,
    BinBytes,
    ShortBinBytes,
    ShortBinUnicode,
    BinUnicode8,
    BinBytes8,
    EmptySet,
    AddItems,
    FrozenSet,
    NewObjEx,
    StackGlobal,
    Memoize,
    Frame,
    ByteArray8,
    NextBuffer,
    ReadonlyBuffer,
}

impl Opcode {
    /// The opcode a byte stands for, if any.
    pub fn from_byte(byte: u8) -> Option<Opcode> {
        use Opcode::*;
        Some(match byte {
            b'(' => Mark,
            b'.' => Stop,
            b'0' => Pop,
            b'1' => PopMark,
            b'2' => Dup,
            b'F' => Float,
            b'I' => Int,
            b'J' => BinInt,
            b'K' => BinInt1,
            b'L' => Long,
            b'M' => BinInt2,
            b'N' => None,
            b'P' => PersId,
            b'Q' => BinPersId,
            b'R' => Reduce,
            b'S' => String,
            b'T' => BinString,
            b'U' => ShortBinString,
            b'V' => Unicode,
            b'X' => BinUnicode,
            b'a' => Append,
            b'b' => Build,
            b'c' => Global,
            b'd' => Dict,
            b'}' => EmptyDict,
            b'e' => Appends,
            b'g' => Get,
            b'h' => BinGet,
            b'i' => Inst,
            b'j' => LongBinGet,
            b'l' => List,
            b']' => EmptyList,
            b'o' => Obj,
            b'p' => Put,
            b'q' => BinPut,
            b'r' => LongBinPut,
            b's' => SetItem,
            b't' => Tuple,
            b')' => EmptyTuple,
            b'u' => SetItems,
            b'G' => BinFloat,
            0x80 => Proto,
            0x81 => NewObj,
            0x82 => Ext1,
            0x83 => Ext2,
            0x84 => Ext4,
            0x85 => Tuple1,
            0x86 => Tuple2,
            0x87 => Tuple3,
            0x88 => NewTrue,
            0x89 => NewFalse,
            0x8a => Long1,
            0x8b => Long4,
            b'B' => BinBytes,
            b'C' => ShortBinBytes,
            0x8c => ShortBinUnicode,
            0x8d => BinUnicode8,
            0x8e => BinBytes8,
            0x8f => EmptySet,
            0x90 => AddItems,
            0x91 => FrozenSet,
            0x92 => NewObjEx,
            0x93 => StackGlobal,
            0x94 => Memoize,
            0x95 => Frame,
            0x96 => ByteArray8,
            0x97 => NextBuffer,
            0x98 => ReadonlyBuffer,
            _ => return Option::None,
        })
    }

    /// The name `pickletools` gives the opcode.
    pub fn name(self) -> &'static str {
        use Opcode::*;
        match self {
            Mark => "MARK",
            Stop => "STOP",
            Pop => "POP",
            PopMark => "POP_MARK",
            Dup => "DUP",
            Float => "FLOAT",
            Int => "INT",
            BinInt => "BININT",
            BinInt1 => "BININT1",
            Long => "LONG",
            BinInt2 => "BININT2",
            None => "NONE",
            PersId => "PERSID",
            BinPersId => "BINPERSID",
            Reduce => "REDUCE",
            String => "STRING",
            BinString => "BINSTRING",
            ShortBinString => "SHORT_BINSTRING",
            Unicode => "UNICODE",
            BinUnicode => "BINUNICODE",
            Append => "APPEND",
            Build => "BUILD",
            Global => "GLOBAL",
            Dict => "DICT",
            EmptyDict => "EMPTY_DICT",
            Appends => "APPENDS",
            Get => "GET",
            BinGet => "BINGET",
            Inst => "INST",
            LongBinGet => "LONG_BINGET",
            List => "LIST",
            EmptyList => "EMPTY_LIST",
            Obj => "OBJ",
            Put => "PUT",
            BinPut => "BINPUT",
            LongBinPut => "LONG_BINPUT",
            SetItem => "SETITEM",
            Tuple => "TUPLE",
            EmptyTuple => "EMPTY_TUPLE",
            SetItems => "SETITEMS",
            BinFloat => "BINFLOAT",
            Proto => "PROTO",
            NewObj => "NEWOBJ",
            Ext1 => "EXT1",
            Ext2 => "EXT2",
            Ext4 => "EXT4",
            Tuple1 => "TUPLE1",
            Tuple2 => "TUPLE2",
            Tuple3 => "TUPLE3",
            NewTrue => "NEWTRUE",
            NewFalse => "NEWFALSE",
            Long1 => "LONG1",
            Long4 => "LONG4",
            BinBytes => "BINBYTES",
            ShortBinBytes => "SHORT_BINBYTES",
            ShortBinUnicode => "SHORT_BINUNICODE",
            BinUnicode8 => "BINUNICODE8",
            BinBytes8 => "BINBYTES8",
            EmptySet => "EMPTY_SET",
            AddItems => "ADDITEMS",
            FrozenSet => "FROZENSET",
            NewObjEx => "NEWOBJ_EX",
            StackGlobal => "STACK_GLOBAL",
            Memoize => "MEMOIZE",
            Frame => "FRAME",
            ByteArray8 => "BYTEARRAY8",
            NextBuffer => "NEXT_BUFFER",
            ReadonlyBuffer => "READONLY_BUFFER",
        }
    }
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `module.name` pair as the unpickler's `find_class` would receive it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Global {
    /// Module path, e.g. `os` or `torch._utils`.
    pub module: Arc<str>,
    /// Attribute name inside the module; may be dotted (`Outer.Inner`) from protocol 4 on.
    pub name: Arc<str>,
}

impl fmt::Display for Global {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.module, self.name)
    }
}

/// Something a pickle names as a callable or class.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Reference {
    /// A global named by `GLOBAL`, `INST` or `STACK_GLOBAL` with known strings.
    Global(Global),
    /// An `EXT1/2/4` code; the registry behind it is unknown.
    Extension(u32),
    /// A `STACK_GLOBAL` whose module or name the simulation could not determine (computed at load time,
    /// not a string, or lost to a cap). `None` marks the unknown part.
    Dynamic {
        /// The module string if known.
        module: Option<Arc<str>>,
        /// The name string if known.
        name: Option<Arc<str>>,
    },
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::Global(g) => g.fmt(f),
            Reference::Extension(code) => write!(f, "<extension {code}>"),
            Reference::Dynamic { module, name } => write!(
                f,
                "{}.{}",
                module.as_deref().unwrap_or("<dynamic>"),
                name.as_deref().unwrap_or("<dynamic>")
            ),
        }
    }
}

/// What a call-like opcode invokes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Callee {
    /// The referenced callable itself (for `BUILD`, `SETITEM(S)`, `APPEND(S)`, `ADDITEMS`: the class of
    /// the object whose `__setstate__`, `__setitem__`, `append`/`extend` or `add` runs).
    Reference(Reference),
    /// What calling `reference` returned, called again `depth` times deep (`getattr(os, "system")("id")`
    /// is depth 1 on `builtins.getattr`).
    ResultOf {
        /// The callable whose return value is called.
        reference: Reference,
        /// How many calls deep the value is from `reference`.
        depth: u32,
    },
    /// An instance created from class `reference` (its `__call__` runs).
    InstanceOf(Reference),
    /// The simulation cannot tell (a lost value, a persistent-load result, or a non-callable).
    Unresolved,
}

impl fmt::Display for Callee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Callee::Reference(r) => r.fmt(f),
            Callee::ResultOf { reference, depth } => {
                write!(f, "<result of {reference}, depth {depth}>")
            }
            Callee::InstanceOf(r) => write!(f, "<instance of {r}>"),
            Callee::Unresolved => f.write_str("<unresolved>"),
        }
    }
}

/// A global referenced by the pickle (the import happens when the opcode runs, before any call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// What is imported.
    pub reference: Reference,
    /// Byte offset of the opcode in the input.
    pub offset: u64,
    /// `GLOBAL`, `INST`, `STACK_GLOBAL` or `EXT1/2/4`.
    pub opcode: Opcode,
}

/// A call the unpickler would make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// What runs.
    pub callee: Callee,
    /// Byte offset of the opcode in the input.
    pub offset: u64,
    /// The opcode that calls.
    pub opcode: Opcode,
}

/// A module-level object (class, function, module attribute) modified in place: `BUILD` sets its
/// attributes, `SETITEM(S)`/`APPEND(S)`/`ADDITEMS` change its contents. Legitimate pickles do not do this;
/// it is how `numpy.prod.a = "os"` style bypasses smuggle names past a scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutation {
    /// The global modified.
    pub target: Reference,
    /// Byte offset of the opcode in the input.
    pub offset: u64,
    /// The opcode that modifies it.
    pub opcode: Opcode,
}

/// A cap of [`Limits`] that was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// [`Limits::max_stack`].
    Stack,
    /// [`Limits::max_marks`].
    Marks,
    /// [`Limits::max_memo`].
    Memo,
    /// [`Limits::max_text_bytes`].
    Text,
    /// [`Limits::max_errors_per_pickle`].
    Errors,
}

/// What went wrong at an offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    /// A byte that is no pickle opcode; the pickle ends here and the reader resynchronises.
    #[error("byte 0x{0:02x} is not a pickle opcode")]
    UnknownOpcode(u8),
    /// Input ended inside an opcode or before `STOP`.
    #[error("input ends before the pickle does{}", .0.map(|o| format!(" (inside {o})")).unwrap_or_default())]
    Truncated(Option<Opcode>),
    /// An argument the unpickler would reject.
    #[error("{opcode}: {what}")]
    BadArgument {
        /// The opcode.
        opcode: Opcode,
        /// What is wrong.
        what: &'static str,
    },
    /// The opcode pops more than the stack (above the innermost mark) holds.
    #[error("{0}: stack underflow")]
    StackUnderflow(Opcode),
    /// The opcode needs a mark and there is none.
    #[error("{0}: no mark on the stack")]
    NoMark(Opcode),
    /// A memo key that was never stored.
    #[error("{opcode}: memo key {key} was never stored")]
    MissingMemo {
        /// The opcode.
        opcode: Opcode,
        /// The key.
        key: i64,
    },
    /// A simulation cap was reached; the simulation goes on with less precision.
    #[error("simulation limit reached: {0:?}")]
    LimitReached(Limit),
}

/// An error with its byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    /// Byte offset of the opcode (or byte) at fault.
    pub offset: u64,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "offset {}: {}", self.offset, self.kind)
    }
}

/// How a pickle ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `STOP` at this offset.
    Stop(u64),
    /// The input ended first.
    Truncated,
    /// An unreadable opcode or argument, or too many errors; the reader resynchronised after it.
    Broken,
}

/// One step of the report, in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A pickle starts at `offset`; `skipped` bytes before it were passed over while resynchronising.
    PickleStart {
        /// Offset of the first opcode.
        offset: u64,
        /// Bytes skipped since the previous pickle ended.
        skipped: u64,
    },
    /// See [`Import`].
    Import(Import),
    /// See [`Call`].
    Call(Call),
    /// See [`Mutation`].
    Mutation(Mutation),
    /// See [`ScanError`].
    Error(ScanError),
    /// The current pickle ended.
    PickleEnd {
        /// How.
        ending: Ending,
        /// The last `PROTO` seen, if any.
        protocol: Option<u8>,
    },
}

/// Receives events as the reader produces them, so that memory does not grow with the pickle.
pub trait Sink {
    /// Handle one event.
    fn event(&mut self, event: Event);
}

impl<F: FnMut(Event)> Sink for F {
    fn event(&mut self, event: Event) {
        self(event)
    }
}

/// Caps that bound the reader's memory whatever the input. The defaults keep the simulation well under
/// 100 MB (a stack or memo value is 16 bytes).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Simulated stack items kept (the oldest are dropped past it).
    pub max_stack: usize,
    /// Marks kept (the oldest are dropped past it).
    pub max_marks: usize,
    /// Memo entries stored (further ones are not).
    pub max_memo: usize,
    /// Longest string kept, in bytes; module and attribute names are far shorter.
    pub max_text_len: usize,
    /// Bytes of kept strings alive at once.
    pub max_text_bytes: usize,
    /// Errors in one pickle before it is abandoned and the reader resynchronises.
    pub max_errors_per_pickle: usize,
    /// Events [`scan_collect`] keeps; the rest are counted in [`StreamReport::dropped_events`].
    pub max_collected_events: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_stack: 1 << 18,
            max_marks: 1 << 16,
            max_memo: 1 << 20,
            max_text_len: 1024,
            max_text_bytes: 16 << 20,
            max_errors_per_pickle: 64,
            max_collected_events: 1 << 20,
        }
    }
}

/// Totals of a scan, including the peaks the caps held down.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Bytes read.
    pub bytes: u64,
    /// Pickles started.
    pub pickles: u64,
    /// Largest number of stack items held.
    pub peak_stack: usize,
    /// Largest number of marks held.
    pub peak_marks: usize,
    /// Largest number of memo entries held.
    pub peak_memo: usize,
    /// Largest number of string bytes held.
    pub peak_text_bytes: usize,
}

/// Scans every pickle in `reader`, sending events to `sink`. Only I/O errors other than end of input are
/// returned as `Err`; everything about the pickle itself is an [`Event::Error`].
pub fn scan<R: Read, S: Sink + ?Sized>(
    reader: R,
    limits: &Limits,
    sink: &mut S,
) -> io::Result<Summary> {
    let mut input = Input::new(reader);
    let mut summary = Summary::default();
    let mut skipped = 0u64;
    while input.fill_at_least(1)? {
        summary.pickles += 1;
        sink.event(Event::PickleStart {
            offset: input.offset(),
            skipped,
        });
        let mut machine = Machine::new(limits);
        let ending = machine.run(&mut input, sink)?;
        summary.peak_stack = summary.peak_stack.max(machine.peaks.stack);
        summary.peak_marks = summary.peak_marks.max(machine.peaks.marks);
        summary.peak_memo = summary.peak_memo.max(machine.peaks.memo);
        summary.peak_text_bytes = summary.peak_text_bytes.max(machine.peaks.text);
        sink.event(Event::PickleEnd {
            ending,
            protocol: machine.protocol,
        });
        match ending {
            Ending::Stop(_) => skipped = 0,
            Ending::Truncated => break,
            Ending::Broken => match input.find_proto()? {
                Some(n) => skipped = n,
                None => break,
            },
        }
    }
    summary.bytes = input.offset();
    Ok(summary)
}

/// What one pickle of a stream references and calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PickleReport {
    /// Offset of its first opcode.
    pub start: u64,
    /// Bytes skipped before it while resynchronising after a broken pickle.
    pub skipped_before: u64,
    /// How it ended (`None` only while being filled).
    pub ending: Option<Ending>,
    /// The last `PROTO` seen.
    pub protocol: Option<u8>,
    /// Every global referenced, in order.
    pub imports: Vec<Import>,
    /// Every call, in order.
    pub calls: Vec<Call>,
    /// Every module-level object modified.
    pub mutations: Vec<Mutation>,
    /// Errors, in order.
    pub errors: Vec<ScanError>,
}

/// Everything [`scan_collect`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamReport {
    /// The pickles, in input order.
    pub pickles: Vec<PickleReport>,
    /// Events past [`Limits::max_collected_events`], counted but not kept.
    pub dropped_events: u64,
    /// Totals.
    pub summary: Summary,
}

struct Collector {
    report: StreamReport,
    kept: usize,
    max: usize,
}

impl Sink for Collector {
    fn event(&mut self, event: Event) {
        match event {
            Event::PickleStart { offset, skipped } => self.report.pickles.push(PickleReport {
                start: offset,
                skipped_before: skipped,
                ..PickleReport::default()
            }),
            Event::PickleEnd { ending, protocol } => {
                if let Some(p) = self.report.pickles.last_mut() {
                    p.ending = Some(ending);
                    p.protocol = protocol;
                }
            }
            other => {
                let Some(p) = self.report.pickles.last_mut() else {
                    return;
                };
                if self.kept >= self.max {
                    self.report.dropped_events += 1;
                    return;
                }
                self.kept += 1;
                match other {
                    Event::Import(i) => p.imports.push(i),
                    Event::Call(c) => p.calls.push(c),
                    Event::Mutation(m) => p.mutations.push(m),
                    Event::Error(e) => p.errors.push(e),
                    Event::PickleStart { .. } | Event::PickleEnd { .. } => {}
                }
            }
        }
    }
}

/// Scans `reader` and collects the events per pickle (at most [`Limits::max_collected_events`] of them).
/// For inputs with millions of objects prefer [`scan`] with a [`Sink`] that aggregates.
pub fn scan_collect<R: Read>(reader: R, limits: &Limits) -> io::Result<StreamReport> {
    let mut collector = Collector {
        report: StreamReport::default(),
        kept: 0,
        max: limits.max_collected_events,
    };
    let summary = scan(reader, limits, &mut collector)?;
    collector.report.summary = summary;
    Ok(collector.report)
}

// ---------------------------------------------------------------------------------------------------------
// Input: a buffered reader that tracks offsets and can discard long payloads without holding them.

const BUF_LEN: usize = 64 * 1024;

struct Input<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    eof: bool,
}

enum Line {
    /// The line (without its newline) is in the scratch buffer.
    Ok,
    /// The line was longer than allowed; it was consumed and discarded.
    TooLong,
    /// Input ended before a newline.
    Eof,
}

impl<R: Read> Input<R> {
    fn new(inner: R) -> Self {
        Input {
            inner,
            buf: vec![0; BUF_LEN].into_boxed_slice(),
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
        }
    }

    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Makes at least `n` (≤ `BUF_LEN`) bytes available unless input ends first; returns whether it did.
    fn fill_at_least(&mut self, n: usize) -> io::Result<bool> {
        if self.end - self.pos >= n {
            return Ok(true);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.base += self.pos as u64;
            self.end -= self.pos;
            self.pos = 0;
        }
        while self.end < n && !self.eof {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.end - self.pos >= n)
    }

    fn byte(&mut self) -> io::Result<Option<u8>> {
        if !self.fill_at_least(1)? {
            return Ok(None);
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        Ok(Some(b))
    }

    /// Reads exactly `N` (≤ 8) bytes.
    fn array<const N: usize>(&mut self) -> io::Result<Option<[u8; N]>> {
        if !self.fill_at_least(N)? {
            self.pos = self.end;
            return Ok(None);
        }
        let mut out = [0u8; N];
        out.copy_from_slice(&self.buf[self.pos..self.pos + N]);
        self.pos += N;
        Ok(Some(out))
    }

    /// Reads `n` bytes into `out` (replacing its contents); false if input ended first.
    fn bytes_into(&mut self, n: usize, out: &mut Vec<u8>) -> io::Result<bool> {
        out.clear();
        while out.len() < n {
            if !self.fill_at_least(1)? {
                return Ok(false);
            }
            let take = (n - out.len()).min(self.end - self.pos);
            out.extend_from_slice(&self.buf[self.pos..self.pos + take]);
            self.pos += take;
        }
        Ok(true)
    }

    /// Discards `n` bytes in buffer-sized chunks; false if input ended first.
    fn skip(&mut self, mut n: u64) -> io::Result<bool> {
        while n > 0 {
            if self.pos == self.end {
                self.base += self.end as u64;
                self.pos = 0;
                self.end = 0;
                if !self.fill_at_least(1)? {
                    return Ok(false);
                }
            }
            let avail = (self.end - self.pos) as u64;
            let take = avail.min(n);
            // `take` ≤ the buffer length, so it fits in usize.
            self.pos += take as usize;
            n -= take;
        }
        Ok(true)
    }

    /// Reads a newline-terminated line of at most `max` bytes into `out`, without the newline.
    fn line(&mut self, max: usize, out: &mut Vec<u8>) -> io::Result<Line> {
        out.clear();
        let mut too_long = false;
        loop {
            if !self.fill_at_least(1)? {
                return Ok(Line::Eof);
            }
            let avail = &self.buf[self.pos..self.end];
            let found = avail.iter().position(|&b| b == b'\n');
            let chunk = found.map_or(avail, |i| &avail[..i]);
            if !too_long {
                if out.len() + chunk.len() > max {
                    too_long = true;
                    out.clear();
                } else {
                    out.extend_from_slice(chunk);
                }
            }
            match found {
                Some(i) => {
                    self.pos += i + 1;
                    return Ok(if too_long { Line::TooLong } else { Line::Ok });
                }
                None => self.pos = self.end,
            }
        }
    }

    /// Skips to the next `PROTO` opcode (`0x80` then 0–5), leaving it unread; returns the bytes skipped,
    /// or `None` if input ends first.
    fn find_proto(&mut self) -> io::Result<Option<u64>> {
        let start = self.offset();
        loop {
            if !self.fill_at_least(2)? {
                self.pos = self.end;
                return Ok(None);
            }
            let window = &self.buf[self.pos..self.end];
            if let Some(i) = window.windows(2).position(|w| w[0] == 0x80 && w[1] <= 5) {
                self.pos += i;
                return Ok(Some(self.offset() - start));
            }
            // Keep the last byte: it may be a 0x80 whose protocol byte is not read yet.
            self.pos = self.end - 1;
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// The simulated machine.

/// A kept string; its bytes count against the text budget until the last copy is dropped.
struct TextBuf {
    text: Box<str>,
    budget: Rc<Cell<usize>>,
}

impl Drop for TextBuf {
    fn drop(&mut self) {
        self.budget
            .set(self.budget.get().saturating_sub(text_cost(&self.text)));
    }
}

fn text_cost(text: &str) -> usize {
    // Count the allocation overhead too, so that a flood of empty strings is bounded as well.
    text.len() + 48
}

/// One simulated value: 16 bytes, so that the capped stack and memo stay small.
#[derive(Clone)]
enum Value {
    /// A `str` short enough to keep.
    Text(Rc<TextBuf>),
    /// A value whose content does not matter: numbers, bytes, containers, `None`, booleans.
    Opaque,
    /// A reference to a global or extension.
    Reference(Arc<Reference>),
    /// An object made by calling a class (`NEWOBJ`, `OBJ`, `INST`).
    Instance(Arc<Reference>),
    /// The value a call of the reference returned, `depth` calls deep.
    Returned(Arc<Reference>, u32),
    /// Unknown: lost to a cap, too long to keep, or returned by a persistent-load hook.
    Lost,
    /// A small integer (joblib array shapes, alignment).
    Int(i64),
    /// A tuple: the product of its items when all are non-negative integers (an array shape: the element
    /// count; [`UNKNOWN`] otherwise), and its first item when that is a kept string (`numpy.dtype`'s
    /// arguments). Sizes are packed with a sentinel rather than `Option` to keep `Value` at 24 bytes: the
    /// memo holds up to a million of them.
    Tuple {
        product: u64,
        first: Option<Rc<TextBuf>>,
    },
    /// What `numpy.dtype(descr, …)` returned: the item size when `descr` tells it ([`UNKNOWN`] otherwise),
    /// and whether it holds Python objects.
    Dtype { itemsize: u64, object: bool },
    /// A dict with joblib's array wrapper state: the array's byte length ([`UNKNOWN`] when not known),
    /// whether it holds objects (then a nested pickle follows instead of raw bytes), and the alignment of
    /// the raw bytes.
    ArrayState {
        bytes: u64,
        object: bool,
        alignment: Option<u8>,
    },
}

/// A size the simulation does not know.
const UNKNOWN: u64 = u64::MAX;

/// The item size of a numpy dtype string (`<f4`, `i8`, `U10`, `S5`, `V16`, `M8[ns]`, `O`), and whether it is
/// an object dtype. `None` for what is not a plain one (structured dtypes come as `V<n>` with their size).
fn dtype_itemsize(descr: &str) -> (Option<u64>, bool) {
    let d = descr.trim_start_matches(['<', '>', '|', '=']);
    let Some(kind) = d.chars().next() else {
        return (None, false);
    };
    let rest = &d[kind.len_utf8()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let n: Option<u64> = digits.parse().ok();
    match kind {
        'O' => (Some(8), true),
        'U' => (n.and_then(|n| n.checked_mul(4)), false),
        'b' | 'i' | 'u' | 'f' | 'c' | 'S' | 'V' | 'M' | 'm' | 'a' => (n, false),
        '?' => (Some(1), false),
        _ => (None, false),
    }
}

impl Value {
    /// A value built from literals the simulation does not need to know (numbers, containers).
    fn is_plain_data(&self) -> bool {
        matches!(
            self,
            Value::Opaque
                | Value::Int(_)
                | Value::Tuple { .. }
                | Value::Dtype { .. }
                | Value::ArrayState { .. }
        )
    }

    fn callee(&self) -> Callee {
        match self {
            Value::Reference(r) => Callee::Reference(Reference::clone(r)),
            Value::Returned(r, depth) => Callee::ResultOf {
                reference: Reference::clone(r),
                depth: *depth,
            },
            Value::Instance(r) => Callee::InstanceOf(Reference::clone(r)),
            _ => Callee::Unresolved,
        }
    }

    /// The value a call of this value returns.
    fn call_result(&self) -> Value {
        match self {
            Value::Reference(r) | Value::Instance(r) => Value::Returned(r.clone(), 1),
            Value::Returned(r, depth) => Value::Returned(r.clone(), depth.saturating_add(1)),
            _ => Value::Lost,
        }
    }

    /// The class-like callee a `BUILD`/`SETITEM`-style opcode on this object runs code of, or the global
    /// it mutates.
    fn receiver(&self) -> Receiver {
        match self {
            Value::Reference(r) => Receiver::Global(Reference::clone(r)),
            Value::Instance(r) => Receiver::Object(Callee::Reference(Reference::clone(r))),
            Value::Returned(r, depth) => Receiver::Object(Callee::ResultOf {
                reference: Reference::clone(r),
                depth: *depth,
            }),
            _ => Receiver::Plain,
        }
    }
}

enum Receiver {
    Global(Reference),
    Object(Callee),
    Plain,
}

fn is_numpy_dtype(r: &Reference) -> bool {
    matches!(r, Reference::Global(g) if &*g.name == "dtype"
        && matches!(&*g.module, "numpy" | "numpy.core.multiarray" | "numpy._core.multiarray"))
}

fn is_joblib_wrapper(r: &Reference) -> bool {
    matches!(r, Reference::Global(g) if &*g.name == "NumpyArrayWrapper"
        && g.module.ends_with("joblib.numpy_pickle"))
}

/// The stack, capped by dropping its oldest items; `dropped` counts them so positions stay absolute.
struct Stack {
    items: VecDeque<Value>,
    dropped: u64,
    cap: usize,
}

impl Stack {
    fn len(&self) -> u64 {
        self.dropped + self.items.len() as u64
    }

    /// Pushes; returns false if an old item had to be dropped to make room.
    fn push(&mut self, value: Value) -> bool {
        let mut room = true;
        if self.items.len() >= self.cap {
            self.items.pop_front();
            self.dropped += 1;
            room = false;
        }
        self.items.push_back(value);
        room
    }

    fn pop(&mut self) -> Option<Value> {
        if let Some(v) = self.items.pop_back() {
            return Some(v);
        }
        if self.dropped > 0 {
            self.dropped -= 1;
            return Some(Value::Lost);
        }
        Option::None
    }

    fn top(&self) -> Option<Value> {
        match self.items.back() {
            Some(v) => Some(v.clone()),
            Option::None if self.dropped > 0 => Some(Value::Lost),
            Option::None => Option::None,
        }
    }

    fn at(&self, position: u64) -> Value {
        position
            .checked_sub(self.dropped)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.items.get(i).cloned())
            .unwrap_or(Value::Lost)
    }

    fn truncate(&mut self, len: u64) {
        match len.checked_sub(self.dropped) {
            Some(keep) => self
                .items
                .truncate(usize::try_from(keep).unwrap_or(usize::MAX)),
            Option::None => {
                self.items.clear();
                self.dropped = len;
            }
        }
    }
}

#[derive(Default)]
struct Peaks {
    stack: usize,
    marks: usize,
    memo: usize,
    text: usize,
}

struct Machine<'l> {
    limits: &'l Limits,
    stack: Stack,
    /// Stack lengths at each `MARK`, innermost last; the oldest are dropped past the cap.
    marks: VecDeque<u64>,
    dropped_marks: u64,
    memo: HashMap<i64, Value>,
    /// Memo entries that could not be stored; reading a missing key is then not an error.
    memo_overflowed: bool,
    /// A string was dropped for the text budget since the last report.
    text_overflowed: bool,
    text_used: Rc<Cell<usize>>,
    protocol: Option<u8>,
    errors: usize,
    limits_reported: [bool; 5],
    peaks: Peaks,
    scratch: Vec<u8>,
    scratch2: Vec<u8>,
}

/// What running one opcode meant for the pickle.
enum Step {
    Continue,
    End(Ending),
}

impl<'l> Machine<'l> {
    fn new(limits: &'l Limits) -> Self {
        Machine {
            limits,
            stack: Stack {
                items: VecDeque::new(),
                dropped: 0,
                cap: limits.max_stack.max(1),
            },
            marks: VecDeque::new(),
            dropped_marks: 0,
            memo: HashMap::new(),
            memo_overflowed: false,
            text_overflowed: false,
            text_used: Rc::new(Cell::new(0)),
            protocol: Option::None,
            errors: 0,
            limits_reported: [false; 5],
            peaks: Peaks::default(),
            scratch: Vec::new(),
            scratch2: Vec::new(),
        }
    }

    fn run<R: Read, S: Sink + ?Sized>(
        &mut self,
        input: &mut Input<R>,
        sink: &mut S,
    ) -> io::Result<Ending> {
        loop {
            let offset = input.offset();
            let Some(byte) = input.byte()? else {
                self.error(sink, offset, ErrorKind::Truncated(Option::None));
                return Ok(Ending::Truncated);
            };
            let Some(op) = Opcode::from_byte(byte) else {
                self.error(sink, offset, ErrorKind::UnknownOpcode(byte));
                return Ok(Ending::Broken);
            };
            let step = self.step(op, offset, input, sink)?;
            if std::mem::take(&mut self.text_overflowed) {
                self.limit(sink, offset, Limit::Text);
            }
            self.peaks.stack = self.peaks.stack.max(self.stack.items.len());
            self.peaks.marks = self.peaks.marks.max(self.marks.len());
            self.peaks.memo = self.peaks.memo.max(self.memo.len());
            self.peaks.text = self.peaks.text.max(self.text_used.get());
            if let Step::End(ending) = step {
                return Ok(ending);
            }
            if self.errors >= self.limits.max_errors_per_pickle {
                self.limit(sink, offset, Limit::Errors);
                return Ok(Ending::Broken);
            }
        }
    }

    fn error<S: Sink + ?Sized>(&mut self, sink: &mut S, offset: u64, kind: ErrorKind) {
        self.errors += 1;
        sink.event(Event::Error(ScanError { offset, kind }));
    }

    /// Reports a cap once per pickle.
    fn limit<S: Sink + ?Sized>(&mut self, sink: &mut S, offset: u64, limit: Limit) {
        let slot = &mut self.limits_reported[limit as usize];
        if !*slot {
            *slot = true;
            sink.event(Event::Error(ScanError {
                offset,
                kind: ErrorKind::LimitReached(limit),
            }));
        }
    }

    fn push<S: Sink + ?Sized>(&mut self, sink: &mut S, offset: u64, value: Value) {
        if !self.stack.push(value) {
            self.limit(sink, offset, Limit::Stack);
        }
    }

    /// The innermost mark's position: pops may not go below it.
    fn fence(&self) -> u64 {
        self.marks.back().copied().unwrap_or(0)
    }

    fn pop<S: Sink + ?Sized>(&mut self, sink: &mut S, offset: u64, op: Opcode) -> Value {
        if self.stack.len() > self.fence() {
            if let Some(v) = self.stack.pop() {
                return v;
            }
        }
        self.error(sink, offset, ErrorKind::StackUnderflow(op));
        Value::Lost
    }

    fn top<S: Sink + ?Sized>(&mut self, sink: &mut S, offset: u64, op: Opcode) -> Value {
        if self.stack.len() > self.fence() {
            if let Some(v) = self.stack.top() {
                return v;
            }
        }
        self.error(sink, offset, ErrorKind::StackUnderflow(op));
        Value::Lost
    }

    fn push_mark<S: Sink + ?Sized>(&mut self, sink: &mut S, offset: u64) {
        if self.marks.len() >= self.limits.max_marks.max(1) {
            self.marks.pop_front();
            self.dropped_marks += 1;
            self.limit(sink, offset, Limit::Marks);
        }
        self.marks.push_back(self.stack.len());
    }

    /// Pops the innermost mark and returns its position, or `None` (with an error) if there is none.
    fn pop_mark<S: Sink + ?Sized>(&mut self, sink: &mut S, offset: u64, op: Opcode) -> Option<u64> {
        if let Some(m) = self.marks.pop_back() {
            return Some(m);
        }
        if self.dropped_marks > 0 {
            // Its position is lost with it: assume the whole stack belonged to it.
            self.dropped_marks -= 1;
            return Some(0);
        }
        self.error(sink, offset, ErrorKind::NoMark(op));
        Option::None
    }

    /// Pops everything above the innermost mark and the mark; returns the first item above it, if any.
    fn pop_to_mark<S: Sink + ?Sized>(
        &mut self,
        sink: &mut S,
        offset: u64,
        op: Opcode,
    ) -> Option<Value> {
        let mark = self.pop_mark(sink, offset, op)?;
        let mark = mark.min(self.stack.len());
        let first = (self.stack.len() > mark).then(|| self.stack.at(mark));
        self.stack.truncate(mark);
        first
    }

    /// The tuple the stack items at `from..to` make (see [`Value::Tuple`]).
    fn tuple_of(&self, from: u64, to: u64) -> Value {
        let mut product = Some(1u64);
        let mut first = Option::None;
        for i in from..to {
            match self.stack.at(i) {
                Value::Int(n) => {
                    product =
                        product.and_then(|p| u64::try_from(n).ok().and_then(|n| p.checked_mul(n)))
                }
                Value::Text(t) if i == from => {
                    first = Some(t);
                    product = Option::None;
                }
                _ => product = Option::None,
            }
        }
        Value::Tuple {
            product: product.unwrap_or(UNKNOWN),
            first,
        }
    }

    /// joblib's array wrapper state from `SETITEMS` key/value pairs at `from..to`: `shape`, `dtype` and
    /// `numpy_array_alignment_bytes`.
    fn array_state(&self, from: u64, to: u64) -> Option<Value> {
        let (mut count, mut dtype, mut alignment) = (Option::None, Option::None, Option::None);
        let mut i = from;
        while i + 1 < to {
            if let Value::Text(key) = self.stack.at(i) {
                match (&*key.text, self.stack.at(i + 1)) {
                    ("shape", Value::Tuple { product, .. }) => count = Some(product),
                    ("dtype", Value::Dtype { itemsize, object }) => {
                        dtype = Some((itemsize, object))
                    }
                    ("numpy_array_alignment_bytes", Value::Int(a)) => {
                        alignment = u8::try_from(a).ok()
                    }
                    _ => {}
                }
            }
            i += 2;
        }
        let (count, (itemsize, object)) = (count?, dtype?);
        let bytes = match (count, itemsize) {
            (UNKNOWN, _) | (_, UNKNOWN) => UNKNOWN,
            (c, s) => c
                .checked_mul(s)
                .filter(|&b| b != UNKNOWN)
                .unwrap_or(UNKNOWN),
        };
        Some(Value::ArrayState {
            bytes,
            object,
            alignment,
        })
    }

    fn text(&mut self, bytes: &[u8]) -> Value {
        if bytes.len() > self.limits.max_text_len {
            return Value::Lost;
        }
        let text: Box<str> = String::from_utf8_lossy(bytes).into();
        self.text_value(text)
    }

    fn text_value(&mut self, text: Box<str>) -> Value {
        let cost = text_cost(&text);
        let used = self.text_used.get();
        if used.saturating_add(cost) > self.limits.max_text_bytes {
            // A lost string resolves nothing; the run loop reports the cap.
            self.text_overflowed = true;
            return Value::Lost;
        }
        self.text_used.set(used + cost);
        Value::Text(Rc::new(TextBuf {
            text,
            budget: self.text_used.clone(),
        }))
    }

    fn memo_put<S: Sink + ?Sized>(&mut self, sink: &mut S, offset: u64, key: i64, value: Value) {
        if self.memo.len() >= self.limits.max_memo && !self.memo.contains_key(&key) {
            self.memo_overflowed = true;
            self.limit(sink, offset, Limit::Memo);
            return;
        }
        self.memo.insert(key, value);
    }

    fn memo_get<S: Sink + ?Sized>(&mut self, sink: &mut S, offset: u64, op: Opcode, key: i64) {
        let value = match self.memo.get(&key) {
            Some(v) => v.clone(),
            Option::None => {
                if !self.memo_overflowed {
                    self.error(sink, offset, ErrorKind::MissingMemo { opcode: op, key });
                }
                Value::Lost
            }
        };
        self.push(sink, offset, value);
    }

    fn import<S: Sink + ?Sized>(
        &mut self,
        sink: &mut S,
        offset: u64,
        op: Opcode,
        reference: Reference,
    ) -> Arc<Reference> {
        sink.event(Event::Import(Import {
            reference: reference.clone(),
            offset,
            opcode: op,
        }));
        Arc::new(reference)
    }

    fn call<S: Sink + ?Sized>(&mut self, sink: &mut S, offset: u64, op: Opcode, callee: Callee) {
        sink.event(Event::Call(Call {
            callee,
            offset,
            opcode: op,
        }));
    }

    /// `BUILD`, `SETITEM(S)`, `APPEND(S)`, `ADDITEMS` on `target`: code of its class runs, or a global
    /// is mutated.
    fn touch<S: Sink + ?Sized>(&mut self, sink: &mut S, offset: u64, op: Opcode, target: &Value) {
        match target.receiver() {
            Receiver::Global(reference) => sink.event(Event::Mutation(Mutation {
                target: reference,
                offset,
                opcode: op,
            })),
            Receiver::Object(callee) => self.call(sink, offset, op, callee),
            Receiver::Plain => {}
        }
    }

    /// Reads two newline-terminated names (GLOBAL, INST) into a reference.
    fn read_global<R: Read, S: Sink + ?Sized>(
        &mut self,
        input: &mut Input<R>,
        sink: &mut S,
        offset: u64,
        op: Opcode,
    ) -> io::Result<Option<Reference>> {
        let max = self.limits.max_text_len;
        let mut module = std::mem::take(&mut self.scratch);
        let mut name = std::mem::take(&mut self.scratch2);
        let first = input.line(max, &mut module)?;
        let second = if matches!(first, Line::Eof) {
            Line::Eof
        } else {
            input.line(max, &mut name)?
        };
        let result = match (first, second) {
            (Line::Eof, _) | (_, Line::Eof) => Option::None,
            (m, n) => {
                let module = matches!(m, Line::Ok)
                    .then(|| Arc::<str>::from(String::from_utf8_lossy(&module)));
                let name =
                    matches!(n, Line::Ok).then(|| Arc::<str>::from(String::from_utf8_lossy(&name)));
                Some(match (module, name) {
                    (Some(module), Some(name)) => Reference::Global(Global { module, name }),
                    (module, name) => {
                        self.error(
                            sink,
                            offset,
                            ErrorKind::BadArgument {
                                opcode: op,
                                what: "name longer than the kept limit",
                            },
                        );
                        Reference::Dynamic { module, name }
                    }
                })
            }
        };
        self.scratch = module;
        self.scratch2 = name;
        Ok(result)
    }

    /// Reads a newline-terminated decimal argument (GET, PUT).
    fn read_decimal<R: Read>(&mut self, input: &mut Input<R>) -> io::Result<Option<Option<i64>>> {
        let mut line = std::mem::take(&mut self.scratch);
        let read = input.line(64, &mut line)?;
        let result = match read {
            Line::Eof => Option::None,
            Line::TooLong => Some(Option::None),
            Line::Ok => Some(
                std::str::from_utf8(&line)
                    .ok()
                    .and_then(|s| s.trim().parse::<i64>().ok()),
            ),
        };
        self.scratch = line;
        Ok(result)
    }

    /// Reads a length-prefixed string payload: kept as text if short and `keep`, else discarded.
    fn read_payload<R: Read>(
        &mut self,
        input: &mut Input<R>,
        len: u64,
        keep: bool,
    ) -> io::Result<Option<Value>> {
        let max = self.limits.max_text_len as u64;
        if keep && len <= max {
            let mut buf = std::mem::take(&mut self.scratch);
            // `len` ≤ max_text_len, a usize.
            let ok = input.bytes_into(len as usize, &mut buf)?;
            let value = ok.then(|| self.text(&buf));
            self.scratch = buf;
            return Ok(value);
        }
        Ok(input
            .skip(len)?
            .then_some(if keep { Value::Lost } else { Value::Opaque }))
    }

    fn step<R: Read, S: Sink + ?Sized>(
        &mut self,
        op: Opcode,
        offset: u64,
        input: &mut Input<R>,
        sink: &mut S,
    ) -> io::Result<Step> {
        use Opcode as O;
        let truncated = || Ok(Step::End(Ending::Truncated));
        macro_rules! need {
            ($e:expr) => {
                match $e {
                    Some(v) => v,
                    Option::None => {
                        self.error(sink, offset, ErrorKind::Truncated(Some(op)));
                        return truncated();
                    }
                }
            };
        }
        macro_rules! broken {
            ($what:expr) => {{
                self.error(
                    sink,
                    offset,
                    ErrorKind::BadArgument {
                        opcode: op,
                        what: $what,
                    },
                );
                return Ok(Step::End(Ending::Broken));
            }};
        }
        match op {
            O::Proto => {
                let [p] = need!(input.array::<1>()?);
                if p > 5 {
                    self.error(
                        sink,
                        offset,
                        ErrorKind::BadArgument {
                            opcode: op,
                            what: "unsupported protocol",
                        },
                    );
                }
                self.protocol = Some(p);
            }
            O::Frame => {
                // Frames only announce how many opcode bytes follow; the opcodes are read as usual.
                need!(input.array::<8>()?);
            }
            O::Stop => {
                // The unpickler pops the result; an empty stack is an error, but the pickle ends either way.
                if self.stack.len() == 0 {
                    self.error(sink, offset, ErrorKind::StackUnderflow(op));
                }
                return Ok(Step::End(Ending::Stop(offset)));
            }
            O::Mark => self.push_mark(sink, offset),
            O::Pop => {
                // Like CPython: with nothing above the innermost mark, POP discards the mark.
                if self.stack.len() > self.fence() {
                    self.stack.pop();
                } else {
                    self.pop_mark(sink, offset, op);
                }
            }
            O::PopMark => {
                self.pop_to_mark(sink, offset, op);
            }
            O::Dup => {
                let v = self.top(sink, offset, op);
                self.push(sink, offset, v);
            }
            O::Float | O::Int | O::Long => {
                let mut line = std::mem::take(&mut self.scratch);
                let read = input.line(256, &mut line)?;
                self.scratch = line;
                match read {
                    Line::Eof => need!(Option::<()>::None),
                    // Python accepts integers of any length; the value never matters here.
                    Line::TooLong => {}
                    Line::Ok => {}
                }
                self.push(sink, offset, Value::Opaque);
            }
            O::BinInt => {
                let b = need!(input.array::<4>()?);
                self.push(sink, offset, Value::Int(i64::from(i32::from_le_bytes(b))));
            }
            O::BinInt1 => {
                let [b] = need!(input.array::<1>()?);
                self.push(sink, offset, Value::Int(i64::from(b)));
            }
            O::BinInt2 => {
                let b = need!(input.array::<2>()?);
                self.push(sink, offset, Value::Int(i64::from(u16::from_le_bytes(b))));
            }
            O::BinFloat => {
                need!(input.array::<8>()?);
                self.push(sink, offset, Value::Opaque);
            }
            O::Long1 => {
                let [n] = need!(input.array::<1>()?);
                let value = if n <= 8 {
                    let mut buf = std::mem::take(&mut self.scratch);
                    let ok = input.bytes_into(usize::from(n), &mut buf)?;
                    let v = ok.then(|| {
                        // Little-endian two's complement of n bytes.
                        let mut raw = [0u8; 8];
                        raw[..buf.len()].copy_from_slice(&buf);
                        if buf.last().is_some_and(|b| b & 0x80 != 0) {
                            raw[buf.len()..].fill(0xff);
                        }
                        Value::Int(i64::from_le_bytes(raw))
                    });
                    self.scratch = buf;
                    need!(v)
                } else {
                    need!(input.skip(u64::from(n))?.then_some(()));
                    Value::Opaque
                };
                self.push(sink, offset, value);
            }
            O::Long4 => {
                let n = i32::from_le_bytes(need!(input.array::<4>()?));
                let Ok(n) = u64::try_from(n) else {
                    broken!("negative byte count")
                };
                need!(input.skip(n)?.then_some(()));
                self.push(sink, offset, Value::Opaque);
            }
            O::EmptyTuple => self.push(
                sink,
                offset,
                Value::Tuple {
                    product: 1,
                    first: Option::None,
                },
            ),
            O::None | O::NewTrue | O::NewFalse | O::EmptyDict | O::EmptyList | O::EmptySet => {
                self.push(sink, offset, Value::Opaque)
            }
            O::PersId => {
                let mut line = std::mem::take(&mut self.scratch);
                let read = input.line(self.limits.max_text_len, &mut line)?;
                self.scratch = line;
                if matches!(read, Line::Eof) {
                    need!(Option::<()>::None);
                }
                // persistent_load(pid) returns whatever the loader's hook makes of it.
                self.push(sink, offset, Value::Lost);
            }
            O::BinPersId => {
                self.pop(sink, offset, op);
                self.push(sink, offset, Value::Lost);
            }
            O::String => {
                let mut line = std::mem::take(&mut self.scratch);
                let read = input.line(self.limits.max_text_len.saturating_add(2), &mut line)?;
                let value = match read {
                    Line::Eof => Option::None,
                    Line::TooLong => Some(Value::Lost),
                    Line::Ok => {
                        let quoted = line.len() >= 2
                            && line[0] == line[line.len() - 1]
                            && (line[0] == b'\'' || line[0] == b'"');
                        Some(if quoted {
                            let decoded = escape_decode(&line[1..line.len() - 1]);
                            self.text(&decoded)
                        } else {
                            self.error(
                                sink,
                                offset,
                                ErrorKind::BadArgument {
                                    opcode: op,
                                    what: "argument must be quoted",
                                },
                            );
                            Value::Lost
                        })
                    }
                };
                self.scratch = line;
                let value = need!(value);
                self.push(sink, offset, value);
            }
            O::Unicode => {
                let mut line = std::mem::take(&mut self.scratch);
                let read = input.line(self.limits.max_text_len, &mut line)?;
                let value = match read {
                    Line::Eof => Option::None,
                    Line::TooLong => Some(Value::Lost),
                    Line::Ok => {
                        let decoded = raw_unicode_escape_decode(&line);
                        Some(if decoded.len() > self.limits.max_text_len {
                            Value::Lost
                        } else {
                            self.text_value(decoded.into_boxed_str())
                        })
                    }
                };
                self.scratch = line;
                let value = need!(value);
                self.push(sink, offset, value);
            }
            O::BinString => {
                let n = i32::from_le_bytes(need!(input.array::<4>()?));
                let Ok(n) = u64::try_from(n) else {
                    broken!("negative byte count")
                };
                let v = need!(self.read_payload(input, n, true)?);
                self.push(sink, offset, v);
            }
            O::ShortBinString | O::ShortBinUnicode => {
                let [n] = need!(input.array::<1>()?);
                let v = need!(self.read_payload(input, u64::from(n), true)?);
                self.push(sink, offset, v);
            }
            O::BinUnicode => {
                let n = u32::from_le_bytes(need!(input.array::<4>()?));
                let v = need!(self.read_payload(input, u64::from(n), true)?);
                self.push(sink, offset, v);
            }
            O::BinUnicode8 => {
                let n = u64::from_le_bytes(need!(input.array::<8>()?));
                if n > i64::MAX as u64 {
                    broken!("byte count exceeds the maximum size");
                }
                let v = need!(self.read_payload(input, n, true)?);
                self.push(sink, offset, v);
            }
            O::ShortBinBytes => {
                let [n] = need!(input.array::<1>()?);
                let v = need!(self.read_payload(input, u64::from(n), false)?);
                self.push(sink, offset, v);
            }
            O::BinBytes => {
                let n = u32::from_le_bytes(need!(input.array::<4>()?));
                let v = need!(self.read_payload(input, u64::from(n), false)?);
                self.push(sink, offset, v);
            }
            O::BinBytes8 | O::ByteArray8 => {
                let n = u64::from_le_bytes(need!(input.array::<8>()?));
                if n > i64::MAX as u64 {
                    broken!("byte count exceeds the maximum size");
                }
                let v = need!(self.read_payload(input, n, false)?);
                self.push(sink, offset, v);
            }
            O::NextBuffer => self.push(sink, offset, Value::Opaque),
            O::ReadonlyBuffer => {
                self.top(sink, offset, op);
            }
            O::Tuple => {
                let tuple = match self.marks.back() {
                    Some(&mark) => self.tuple_of(mark, self.stack.len()),
                    Option::None => Value::Opaque,
                };
                self.pop_to_mark(sink, offset, op);
                self.push(sink, offset, tuple);
            }
            O::List | O::Dict | O::FrozenSet => {
                self.pop_to_mark(sink, offset, op);
                self.push(sink, offset, Value::Opaque);
            }
            O::Tuple1 | O::Tuple2 | O::Tuple3 => {
                let n = match op {
                    O::Tuple1 => 1,
                    O::Tuple2 => 2,
                    _ => 3,
                };
                let len = self.stack.len();
                let tuple = if len >= self.fence() + n {
                    self.tuple_of(len - n, len)
                } else {
                    Value::Opaque
                };
                for _ in 0..n {
                    self.pop(sink, offset, op);
                }
                self.push(sink, offset, tuple);
            }
            O::Append => {
                self.pop(sink, offset, op);
                let target = self.top(sink, offset, op);
                self.touch(sink, offset, op, &target);
            }
            O::SetItem => {
                self.pop(sink, offset, op);
                self.pop(sink, offset, op);
                let target = self.top(sink, offset, op);
                self.touch(sink, offset, op, &target);
            }
            O::Appends | O::SetItems | O::AddItems => {
                let state = match (op, self.marks.back()) {
                    (O::SetItems, Some(&mark)) => self.array_state(mark, self.stack.len()),
                    _ => Option::None,
                };
                self.pop_to_mark(sink, offset, op);
                let target = self.top(sink, offset, op);
                self.touch(sink, offset, op, &target);
                if let (Some(state), Value::Opaque) = (state, &target) {
                    self.stack.pop();
                    self.stack.push(state);
                }
            }
            O::Build => {
                let state = self.pop(sink, offset, op);
                let target = self.top(sink, offset, op);
                self.touch(sink, offset, op, &target);
                if let (
                    Value::ArrayState {
                        bytes,
                        object: false,
                        alignment,
                    },
                    Value::Instance(class),
                ) = (&state, &target)
                {
                    if is_joblib_wrapper(class) {
                        // joblib writes the array's raw bytes right after this opcode: a padding-length
                        // byte and that many 0xff bytes when aligned, then the data. Its unpickler reads
                        // them and goes on with the opcodes after.
                        if alignment.is_some() {
                            let [pad] = need!(input.array::<1>()?);
                            if alignment.is_some_and(|a| pad > a) {
                                broken!("joblib array padding longer than its alignment");
                            }
                            need!(input.skip(u64::from(pad))?.then_some(()));
                        }
                        if *bytes == UNKNOWN {
                            broken!("joblib array of unknown size");
                        }
                        need!(input.skip(*bytes)?.then_some(()));
                    }
                }
            }
            O::Global => {
                let reference = need!(self.read_global(input, sink, offset, op)?);
                let r = self.import(sink, offset, op, reference);
                self.push(sink, offset, Value::Reference(r));
            }
            O::StackGlobal => {
                let name = self.pop(sink, offset, op);
                let module = self.pop(sink, offset, op);
                let reference = match (&module, &name) {
                    (Value::Text(m), Value::Text(n)) => Reference::Global(Global {
                        module: Arc::from(&*m.text),
                        name: Arc::from(&*n.text),
                    }),
                    _ => {
                        let part = |v: &Value| match v {
                            Value::Text(t) => Some(Arc::<str>::from(&*t.text)),
                            _ => Option::None,
                        };
                        // Only values we built ourselves are known not to be str; a global, an instance or
                        // a call result may well be one (`numpy.prod.a` after a BUILD set it to "os").
                        if module.is_plain_data() || name.is_plain_data() {
                            self.error(
                                sink,
                                offset,
                                ErrorKind::BadArgument {
                                    opcode: op,
                                    what: "module and name must be strings",
                                },
                            );
                        }
                        Reference::Dynamic {
                            module: part(&module),
                            name: part(&name),
                        }
                    }
                };
                let r = self.import(sink, offset, op, reference);
                self.push(sink, offset, Value::Reference(r));
            }
            O::Ext1 | O::Ext2 | O::Ext4 => {
                let code = match op {
                    O::Ext1 => u32::from(need!(input.array::<1>()?)[0]),
                    O::Ext2 => u32::from(u16::from_le_bytes(need!(input.array::<2>()?))),
                    _ => {
                        let code = i32::from_le_bytes(need!(input.array::<4>()?));
                        match u32::try_from(code) {
                            Ok(c) => c,
                            Err(_) => {
                                self.error(
                                    sink,
                                    offset,
                                    ErrorKind::BadArgument {
                                        opcode: op,
                                        what: "negative extension code",
                                    },
                                );
                                0
                            }
                        }
                    }
                };
                let r = self.import(sink, offset, op, Reference::Extension(code));
                self.push(sink, offset, Value::Reference(r));
            }
            O::Inst => {
                let reference = need!(self.read_global(input, sink, offset, op)?);
                let r = self.import(sink, offset, op, reference);
                self.pop_to_mark(sink, offset, op);
                self.call(sink, offset, op, Callee::Reference(Reference::clone(&r)));
                self.push(sink, offset, Value::Instance(r));
            }
            O::Obj => {
                let class = self
                    .pop_to_mark(sink, offset, op)
                    .unwrap_or_else(|| Value::Lost);
                self.call(sink, offset, op, class.callee());
                let made = match class {
                    Value::Reference(r) => Value::Instance(r),
                    other => other.call_result(),
                };
                self.push(sink, offset, made);
            }
            O::Reduce => {
                let args = self.pop(sink, offset, op);
                let callable = self.pop(sink, offset, op);
                self.call(sink, offset, op, callable.callee());
                let result = match (&callable, &args) {
                    (
                        Value::Reference(r),
                        Value::Tuple {
                            first: Some(descr), ..
                        },
                    ) if is_numpy_dtype(r) => {
                        let (itemsize, object) = dtype_itemsize(&descr.text);
                        Value::Dtype {
                            itemsize: itemsize.unwrap_or(UNKNOWN),
                            object,
                        }
                    }
                    _ => callable.call_result(),
                };
                self.push(sink, offset, result);
            }
            O::NewObj | O::NewObjEx => {
                if op == O::NewObjEx {
                    self.pop(sink, offset, op);
                }
                self.pop(sink, offset, op);
                let class = self.pop(sink, offset, op);
                self.call(sink, offset, op, class.callee());
                let made = match class {
                    Value::Reference(r) => Value::Instance(r),
                    other => other.call_result(),
                };
                self.push(sink, offset, made);
            }
            O::Get => match need!(self.read_decimal(input)?) {
                Some(key) => self.memo_get(sink, offset, op, key),
                Option::None => {
                    self.error(
                        sink,
                        offset,
                        ErrorKind::BadArgument {
                            opcode: op,
                            what: "memo key is not an integer",
                        },
                    );
                    self.push(sink, offset, Value::Lost);
                }
            },
            O::BinGet => {
                let [k] = need!(input.array::<1>()?);
                self.memo_get(sink, offset, op, i64::from(k));
            }
            O::LongBinGet => {
                let k = u32::from_le_bytes(need!(input.array::<4>()?));
                self.memo_get(sink, offset, op, i64::from(k));
            }
            O::Put | O::BinPut | O::LongBinPut | O::Memoize => {
                let key = match op {
                    O::Put => match need!(self.read_decimal(input)?) {
                        Some(k) => Some(k),
                        Option::None => {
                            self.error(
                                sink,
                                offset,
                                ErrorKind::BadArgument {
                                    opcode: op,
                                    what: "memo key is not an integer",
                                },
                            );
                            Option::None
                        }
                    },
                    O::BinPut => Some(i64::from(need!(input.array::<1>()?)[0])),
                    O::LongBinPut => {
                        Some(i64::from(u32::from_le_bytes(need!(input.array::<4>()?))))
                    }
                    // MEMOIZE stores at len(memo); past the memo cap that length is an estimate.
                    _ => Some(i64::try_from(self.memo.len()).unwrap_or(i64::MAX)),
                };
                let value = self.top(sink, offset, op);
                if let Some(key) = key {
                    self.memo_put(sink, offset, key, value);
                }
            }
        }
        Ok(Step::Continue)
    }
}

/// Python's `codecs.escape_decode`, which protocol 0 `STRING` arguments go through.
fn escape_decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        i += 1;
        if b != b'\\' || i >= raw.len() {
            out.push(b);
            continue;
        }
        let e = raw[i];
        i += 1;
        match e {
            b'\n' => {}
            b'\\' => out.push(b'\\'),
            b'\'' => out.push(b'\''),
            b'"' => out.push(b'"'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match raw.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            b'x' => {
                let hex = raw
                    .get(i..i + 2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Option::None => out.extend_from_slice(b"\\x"),
                }
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    out
}

/// Python's `raw-unicode-escape` decoding, which protocol 0 `UNICODE` arguments go through: bytes are
/// Latin-1 except `\uXXXX` and `\UXXXXXXXX`.
fn raw_unicode_escape_decode(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b == b'\\' {
            let width = match raw.get(i + 1) {
                Some(b'u') => 4,
                Some(b'U') => 8,
                _ => 0,
            };
            if width > 0 {
                let digits = raw
                    .get(i + 2..i + 2 + width)
                    .and_then(|h| std::str::from_utf8(h).ok());
                if let Some(c) = digits
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                {
                    out.push(c);
                    i += 2 + width;
                    continue;
                }
            }
        }
        out.push(char::from(b));
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    //! Pickles are built here by emitting opcode bytes; nothing is ever unpickled.
    use super::*;

    #[test]
    fn a_simulated_value_stays_small() {
        // The memo holds up to `max_memo` values: their size is most of the reader's memory.
        assert!(std::mem::size_of::<super::Value>() <= 24);
    }
    use crate::policy::{classify_call, classify_reference, Verdict};
    use proptest::prelude::*;

    /// Opcode emitter for test pickles.
    #[derive(Default, Clone)]
    struct P(Vec<u8>);

    impl P {
        fn new() -> Self {
            P(Vec::new())
        }
        fn raw(mut self, bytes: &[u8]) -> Self {
            self.0.extend_from_slice(bytes);
            self
        }
        fn proto(self, p: u8) -> Self {
            self.raw(&[0x80, p])
        }
        fn global(self, module: &str, name: &str) -> Self {
            self.raw(format!("c{module}\n{name}\n").as_bytes())
        }
        fn short_unicode(self, s: &str) -> Self {
            let len = u8::try_from(s.len()).expect("short string");
            self.raw(&[0x8c, len]).raw(s.as_bytes())
        }
        fn binunicode(self, s: &str) -> Self {
            let len = u32::try_from(s.len()).expect("string");
            self.raw(b"X").raw(&len.to_le_bytes()).raw(s.as_bytes())
        }
        fn binput(self, i: u8) -> Self {
            self.raw(&[b'q', i])
        }
        fn binget(self, i: u8) -> Self {
            self.raw(&[b'h', i])
        }
        fn bytes(self) -> Vec<u8> {
            self.0
        }
    }

    fn collect(bytes: &[u8]) -> StreamReport {
        scan_collect(bytes, &Limits::default()).expect("in-memory read cannot fail")
    }

    fn global(module: &str, name: &str) -> Reference {
        Reference::Global(Global {
            module: module.into(),
            name: name.into(),
        })
    }

    fn dangerous_refs(report: &StreamReport) -> Vec<String> {
        let mut out = Vec::new();
        for p in &report.pickles {
            for i in &p.imports {
                if classify_reference(&i.reference).verdict == Verdict::Dangerous {
                    out.push(format!("import {} @{}", i.reference, i.offset));
                }
            }
            for c in &p.calls {
                if classify_call(c).verdict == Verdict::Dangerous {
                    out.push(format!("{} {} @{}", c.opcode, c.callee, c.offset));
                }
            }
        }
        out
    }

    #[test]
    fn protocol0_os_system() {
        let bytes = b"cos\nsystem\n(S'id'\ntR.";
        let report = collect(bytes);
        assert_eq!(report.pickles.len(), 1);
        let p = &report.pickles[0];
        assert_eq!(p.ending, Some(Ending::Stop(20)));
        assert_eq!(
            p.imports,
            vec![Import {
                reference: global("os", "system"),
                offset: 0,
                opcode: Opcode::Global
            }]
        );
        assert_eq!(
            p.calls,
            vec![Call {
                callee: Callee::Reference(global("os", "system")),
                offset: 19,
                opcode: Opcode::Reduce
            }]
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(dangerous_refs(&report).len(), 2);
    }

    #[test]
    fn protocol4_stack_global_through_memo_and_frame() {
        let body = P::new()
            .short_unicode("posix")
            .raw(&[0x94])
            .short_unicode("system")
            .raw(&[0x94, 0x93, 0x94])
            .short_unicode("id")
            .raw(&[0x94, 0x85, 0x94, b'R', 0x94, b'.'])
            .bytes();
        let mut bytes = P::new()
            .proto(4)
            .raw(&[0x95])
            .raw(&(body.len() as u64).to_le_bytes())
            .bytes();
        bytes.extend_from_slice(&body);
        let report = collect(&bytes);
        let p = &report.pickles[0];
        assert_eq!(p.protocol, Some(4));
        assert_eq!(p.imports.len(), 1);
        assert_eq!(p.imports[0].reference, global("posix", "system"));
        assert_eq!(p.imports[0].opcode, Opcode::StackGlobal);
        assert_eq!(
            p.calls[0].callee,
            Callee::Reference(global("posix", "system"))
        );
        assert!(matches!(p.ending, Some(Ending::Stop(_))));
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }

    /// picklescan issue 14: PUT/BINPUT and MEMOIZE mixed so that a scanner tracking only MEMOIZE sees
    /// `torch._utils._rebuild_tensor_v2` where the unpickler sees `os.system`.
    #[test]
    fn memo_confusion_between_binput_and_memoize() {
        let bytes = P::new()
            .proto(4)
            .short_unicode("os")
            .binput(0)
            .short_unicode("system")
            .binput(1)
            .short_unicode("torch._utils")
            .raw(&[0x94]) // memo[2]
            .short_unicode("_rebuild_tensor_v2")
            .raw(&[0x94]) // memo[3]
            .raw(b"0000")
            .binget(0)
            .binget(1)
            .raw(&[0x93])
            .short_unicode("id")
            .raw(&[0x85, b'R', b'.'])
            .bytes();
        let report = collect(&bytes);
        let p = &report.pickles[0];
        assert_eq!(p.imports[0].reference, global("os", "system"));
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }

    /// modelscan issue 85: text GET/PUT of dotted names after BUILD rewrote attributes of a global.
    #[test]
    fn build_on_a_global_is_a_mutation() {
        let bytes = P::new()
            .proto(4)
            .global("numpy", "prod")
            .raw(b"N(Va\nVos\nd\x86b0")
            .global("numpy", "prod.a")
            .raw(b"p0\n0g0\n")
            .raw(b"Vsystem\n\x93Vid\n\x85R.")
            .bytes();
        let report = collect(&bytes);
        let p = &report.pickles[0];
        assert_eq!(p.mutations.len(), 1);
        assert_eq!(p.mutations[0].target, global("numpy", "prod"));
        // STACK_GLOBAL's module is a global object, not a string: the import is dynamic, hence dangerous.
        let last = p.imports.last().expect("stack global import");
        assert!(
            matches!(
                last.reference,
                Reference::Dynamic {
                    module: Option::None,
                    ..
                }
            ),
            "{:?}",
            last
        );
        assert_eq!(
            classify_reference(&last.reference).verdict,
            Verdict::Dangerous
        );
    }

    #[test]
    fn nested_reduce_through_getattr_and_import() {
        let bytes = P::new()
            .global("builtins", "getattr")
            .raw(b"(")
            .global("builtins", "__import__")
            .raw(b"(S'os'\ntRS'system'\ntR(S'id'\ntR.")
            .bytes();
        let report = collect(&bytes);
        let p = &report.pickles[0];
        let callees: Vec<_> = p.calls.iter().map(|c| c.callee.clone()).collect();
        assert_eq!(
            callees,
            vec![
                Callee::Reference(global("builtins", "__import__")),
                Callee::Reference(global("builtins", "getattr")),
                Callee::ResultOf {
                    reference: global("builtins", "getattr"),
                    depth: 1
                },
            ]
        );
        assert!(p
            .calls
            .iter()
            .all(|c| classify_call(c).verdict == Verdict::Dangerous));
    }

    #[test]
    fn dangerous_second_pickle_after_a_harmless_one() {
        let mut bytes = P::new().proto(2).raw(b"]q\x00.").bytes();
        let second_at = bytes.len() as u64;
        bytes.extend_from_slice(b"csubprocess\ncheck_output\n((S'id'\nltR.");
        let report = collect(&bytes);
        assert_eq!(report.pickles.len(), 2);
        assert!(report.pickles[0].imports.is_empty());
        assert_eq!(report.pickles[1].start, second_at);
        assert_eq!(report.pickles[1].imports[0].offset, second_at);
        assert_eq!(dangerous_refs(&report).len(), 2);
    }

    #[test]
    fn payload_followed_by_garbage() {
        let mut bytes = b"cos\nsystem\n(S'id'\ntR.".to_vec();
        bytes.extend_from_slice(b"\xff\xfe\x00garbage");
        let report = collect(&bytes);
        assert_eq!(report.pickles[0].calls.len(), 1);
        let second = &report.pickles[1];
        assert_eq!(
            second.errors[0],
            ScanError {
                offset: 21,
                kind: ErrorKind::UnknownOpcode(0xff)
            }
        );
        assert_eq!(second.ending, Some(Ending::Broken));
    }

    #[test]
    fn truncated_after_reduce_still_reports_the_call() {
        let report = collect(b"\x80\x02cos\nsystem\n(S'id'\ntR");
        let p = &report.pickles[0];
        assert_eq!(p.calls.len(), 1);
        assert_eq!(p.ending, Some(Ending::Truncated));
        assert_eq!(
            p.errors.last().map(|e| &e.kind),
            Some(&ErrorKind::Truncated(Option::None))
        );
    }

    #[test]
    fn truncated_inside_an_argument() {
        let report = collect(b"cos\nsys");
        let p = &report.pickles[0];
        assert_eq!(
            p.errors,
            vec![ScanError {
                offset: 0,
                kind: ErrorKind::Truncated(Some(Opcode::Global))
            }]
        );
        let report = collect(b"\x80\x04B\xff\xff\x00\x00abc");
        assert_eq!(
            report.pickles[0].errors[0].kind,
            ErrorKind::Truncated(Some(Opcode::BinBytes))
        );
    }

    #[test]
    fn a_pickle_hidden_after_garbage_is_found_by_resync() {
        let mut bytes = b"\x80\x02K\x01.".to_vec();
        bytes.extend_from_slice(b"\xfe\x01\x02\x03not a pickle\x80\x09");
        let hidden_at = bytes.len() as u64;
        bytes.extend_from_slice(
            &P::new()
                .proto(2)
                .global("pty", "spawn")
                .raw(b"S'sh'\n\x85R.")
                .bytes(),
        );
        let report = collect(&bytes);
        let last = report.pickles.last().expect("pickles");
        assert_eq!(last.start, hidden_at);
        assert!(last.skipped_before > 0);
        assert_eq!(last.imports[0].reference, global("pty", "spawn"));
    }

    #[test]
    fn ext_opcodes_are_unknown_extension_callables() {
        let report = collect(b"\x80\x02\x82\x07)R\x83\x01\x02)R\x84\x03\x00\x01\x00)R.");
        let p = &report.pickles[0];
        let codes: Vec<_> = p.imports.iter().map(|i| i.reference.clone()).collect();
        assert_eq!(
            codes,
            vec![
                Reference::Extension(7),
                Reference::Extension(0x201),
                Reference::Extension(0x10003)
            ]
        );
        assert_eq!(p.calls.len(), 3);
        assert!(matches!(
            classify_reference(&codes[0]).verdict,
            Verdict::Unknown { .. }
        ));
    }

    #[test]
    fn inst_and_obj() {
        let report = collect(b"(S'id'\nios\nsystem\n(cposix\nsystem\nS'id'\no.");
        let p = &report.pickles[0];
        assert_eq!(p.imports[0].opcode, Opcode::Inst);
        let calls: Vec<_> = p
            .calls
            .iter()
            .map(|c| (c.opcode, c.callee.clone()))
            .collect();
        assert_eq!(
            calls,
            vec![
                (Opcode::Inst, Callee::Reference(global("os", "system"))),
                (Opcode::Obj, Callee::Reference(global("posix", "system"))),
            ]
        );
    }

    #[test]
    fn newobj_ex_and_build_with_a_dangerous_class() {
        let bytes = P::new()
            .proto(4)
            .short_unicode("subprocess")
            .short_unicode("Popen")
            .raw(&[0x93])
            .raw(b"(S'id'\nt}\x92")
            .raw(b"0")
            .global("threading", "Thread")
            .raw(b")\x81}b.")
            .bytes();
        let report = collect(&bytes);
        let p = &report.pickles[0];
        let calls: Vec<_> = p
            .calls
            .iter()
            .map(|c| (c.opcode, c.callee.to_string()))
            .collect();
        assert_eq!(
            calls,
            vec![
                (Opcode::NewObjEx, "subprocess.Popen".to_string()),
                (Opcode::NewObj, "threading.Thread".to_string()),
                (Opcode::Build, "threading.Thread".to_string()),
            ]
        );
        assert!(p
            .calls
            .iter()
            .all(|c| classify_call(c).verdict == Verdict::Dangerous));
    }

    #[test]
    fn stack_global_on_a_computed_string_is_dynamic() {
        // module name produced by a call (str.join at load time)
        let bytes = P::new()
            .proto(4)
            .global("builtins", "str")
            .raw(b"(S'o'\ntR")
            .short_unicode("system")
            .raw(&[0x93, b'.'])
            .bytes();
        let report = collect(&bytes);
        let p = &report.pickles[0];
        let last = p.imports.last().expect("import");
        assert_eq!(
            last.reference,
            Reference::Dynamic {
                module: Option::None,
                name: Some("system".into())
            }
        );
        assert!(
            p.errors.is_empty(),
            "a call result may be a str: {:?}",
            p.errors
        );
    }

    #[test]
    fn benign_pytorch_state_dict() {
        let bytes = P::new()
            .proto(2)
            .global("collections", "OrderedDict")
            .binput(0)
            .raw(b")R")
            .binput(1)
            .binunicode("weight")
            .binput(2)
            .global("torch._utils", "_rebuild_tensor_v2")
            .binput(3)
            .raw(b"((")
            .binunicode("storage")
            .global("torch", "FloatStorage")
            .binunicode("0")
            .binunicode("cpu")
            .raw(b"K\x06tQ") // persistent id tuple
            .raw(b"K\x00K\x02K\x03\x86K\x03K\x01\x86\x89")
            .binget(0)
            .raw(b")Rtq\x04R")
            .raw(b"s") // state_dict["weight"] = tensor
            .raw(b"}b.") // BUILD on the OrderedDict
            .bytes();
        let report = collect(&bytes);
        let p = &report.pickles[0];
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(dangerous_refs(&report), Vec::<String>::new());
        assert!(p
            .imports
            .iter()
            .all(|i| classify_reference(&i.reference).verdict == Verdict::Safe));
        assert!(
            p.calls
                .iter()
                .all(|c| classify_call(c).verdict == Verdict::Safe),
            "{:?}",
            p.calls
        );
        assert_eq!(p.calls.len(), 5, "{:?}", p.calls);
    }

    #[test]
    fn large_payloads_are_skipped_not_held() {
        let size: u64 = 64 << 20;
        let head = P::new()
            .proto(5)
            .raw(&[0x96])
            .raw(&size.to_le_bytes())
            .bytes();
        let tail = b"0cos\nsystem\n(S'id'\ntR.".to_vec();
        let reader = io::Cursor::new(head.clone())
            .chain(io::repeat(0).take(size))
            .chain(io::Cursor::new(tail));
        let report = scan_collect(reader, &Limits::default()).expect("read");
        let p = &report.pickles[0];
        assert_eq!(p.imports[0].offset, head.len() as u64 + size + 1);
        assert_eq!(report.summary.bytes, head.len() as u64 + size + 22);
        assert_eq!(report.summary.peak_text_bytes, text_cost("id"));
    }

    #[test]
    fn long_strings_are_lost_not_kept() {
        let long = "m".repeat(5000);
        let bytes = P::new()
            .proto(4)
            .binunicode(&long)
            .short_unicode("x")
            .raw(&[0x93, b'.'])
            .bytes();
        let report = collect(&bytes);
        assert_eq!(
            report.pickles[0].imports[0].reference,
            Reference::Dynamic {
                module: Option::None,
                name: Some("x".into())
            }
        );
        assert!(report.summary.peak_text_bytes < 1000);
    }

    #[test]
    fn protocol0_string_escapes_and_unicode() {
        let report = collect(b"\x80\x04S'o\\x73'\nV\\u0073ystem\n\x93.");
        assert_eq!(
            report.pickles[0].imports[0].reference,
            global("os", "system")
        );
    }

    #[test]
    fn caps_bound_the_stack_memo_and_marks() {
        let limits = Limits {
            max_stack: 8,
            max_marks: 4,
            max_memo: 8,
            ..Limits::default()
        };
        let mut bytes = vec![0x80, 4];
        for i in 0..100u8 {
            bytes.extend_from_slice(b"(N");
            bytes.extend_from_slice(&[b'q', i]);
        }
        bytes.push(b'.');
        let report = scan_collect(&bytes[..], &limits).expect("read");
        assert!(
            report.summary.peak_stack <= 8
                && report.summary.peak_marks <= 4
                && report.summary.peak_memo <= 8
        );
        let limits_hit: Vec<_> = report.pickles[0]
            .errors
            .iter()
            .filter_map(|e| match e.kind {
                ErrorKind::LimitReached(l) => Some(l),
                _ => Option::None,
            })
            .collect();
        assert_eq!(limits_hit, vec![Limit::Marks, Limit::Stack, Limit::Memo]);
    }

    #[test]
    fn memo_past_its_cap_resolves_nothing_rather_than_something_safe() {
        let limits = Limits {
            max_memo: 2,
            ..Limits::default()
        };
        let bytes = P::new()
            .proto(4)
            .short_unicode("torch")
            .binput(0)
            .short_unicode("Size")
            .binput(1)
            .short_unicode("os")
            .binput(2) // not stored
            .raw(b"000")
            .binget(2)
            .binget(1)
            .raw(&[0x93, b'.'])
            .bytes();
        let report = scan_collect(&bytes[..], &limits).expect("read");
        let import = &report.pickles[0].imports[0].reference;
        assert_eq!(
            classify_reference(import).verdict,
            Verdict::Dangerous,
            "{import:?}"
        );
    }

    #[test]
    fn errors_keep_offsets_and_scanning_continues() {
        // underflow and a missing memo key, then a dangerous call
        let report = collect(b"\x80\x02Rh\x05cos\nsystem\n)R.");
        let p = &report.pickles[0];
        let kinds: Vec<_> = p
            .errors
            .iter()
            .map(|e| (e.offset, e.kind.clone()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (2, ErrorKind::StackUnderflow(Opcode::Reduce)),
                (2, ErrorKind::StackUnderflow(Opcode::Reduce)),
                (
                    3,
                    ErrorKind::MissingMemo {
                        opcode: Opcode::BinGet,
                        key: 5
                    }
                ),
            ]
        );
        assert_eq!(
            p.calls.last().map(|c| c.callee.clone()),
            Some(Callee::Reference(global("os", "system")))
        );
    }

    #[test]
    fn every_opcode_byte_round_trips_its_name() {
        let mut n = 0;
        for b in 0..=255u8 {
            if let Some(op) = Opcode::from_byte(b) {
                n += 1;
                assert!(!op.name().is_empty());
            }
        }
        assert_eq!(n, 68);
    }

    const OPCODE_BYTES: &[u8] = b"(.012FIJKLMNPQRSTUVXabcd}eghijl]opqrst)uGBC\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98\n";

    fn small_limits() -> Limits {
        Limits {
            max_stack: 16,
            max_marks: 4,
            max_memo: 8,
            max_text_len: 8,
            max_text_bytes: 256,
            max_errors_per_pickle: 8,
            max_collected_events: 64,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn never_panics_and_respects_caps(
            bytes in prop::collection::vec(
                prop_oneof![any::<u8>(), prop::sample::select(OPCODE_BYTES)],
                0..1500,
            )
        ) {
            let limits = small_limits();
            let report = scan_collect(&bytes[..], &limits).expect("in-memory read");
            let s = &report.summary;
            prop_assert!(s.peak_stack <= limits.max_stack);
            prop_assert!(s.peak_marks <= limits.max_marks);
            prop_assert!(s.peak_memo <= limits.max_memo);
            prop_assert!(s.peak_text_bytes <= limits.max_text_bytes);
            prop_assert_eq!(s.bytes, bytes.len() as u64);
            let kept: usize = report.pickles.iter().map(|p| p.imports.len() + p.calls.len() + p.mutations.len() + p.errors.len()).sum();
            prop_assert!(kept <= limits.max_collected_events);
            for p in &report.pickles {
                prop_assert!(p.ending.is_some());
                for i in &p.imports {
                    prop_assert!(i.offset < bytes.len() as u64);
                }
            }
        }
    }
}
