//! Credentials in files that are not UTF-8 text: UTF-16 text (a PowerShell script or a `.reg` export saved by
//! Windows tools) is decoded; any other binary (a SQLite database, a `.pyc`, a `.class`, a compiled binary, a core
//! dump) is reduced to its printable runs, as `strings` does, each run a line of its own, so the engine scans
//! them like text and every finding maps back to its byte offset in the file.
//!
//! Compressed and media formats (images, audio, video, fonts, archives, compressed streams) are left alone: their
//! bytes are entropy, and printable runs in them are noise. Archives are opened elsewhere.

use std::io::{self, Read};

/// Shortest printable run kept: shorter ones are noise in binaries, and no credential is that short.
pub const MIN_RUN: usize = 8;
/// Longest run kept whole; a longer one is cut into lines of this size (minified text embedded in a binary).
pub const MAX_RUN: usize = 64 << 10;

/// A UTF-16 byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Utf16 {
    Le,
    Be,
}

impl Utf16 {
    pub fn name(self) -> &'static str {
        match self {
            Utf16::Le => "UTF-16LE",
            Utf16::Be => "UTF-16BE",
        }
    }
}

/// UTF-16 text by its byte order mark, or, without one, by the pattern of NUL bytes ASCII text leaves in it
/// (every other byte zero, the others mostly printable).
pub fn utf16_encoding(head: &[u8]) -> Option<Utf16> {
    match head {
        [0xff, 0xfe, ..] => return Some(Utf16::Le),
        [0xfe, 0xff, ..] => return Some(Utf16::Be),
        _ => {}
    }
    let n = head.len().min(4096) & !1;
    if n < 16 {
        return None;
    }
    let pairs = n / 2;
    let (mut zero_even, mut zero_odd, mut text_even, mut text_odd) = (0, 0, 0, 0);
    for pair in head[..n].chunks_exact(2) {
        let (a, b) = (pair[0], pair[1]);
        zero_even += usize::from(a == 0);
        zero_odd += usize::from(b == 0);
        text_even += usize::from(is_text_byte(a));
        text_odd += usize::from(is_text_byte(b));
    }
    // ASCII-heavy text: ≥ 90% of one lane zero, ≥ 90% of the other printable.
    let most = |k: usize| k * 10 >= pairs * 9;
    if most(zero_odd) && most(text_even) {
        Some(Utf16::Le)
    } else if most(zero_even) && most(text_odd) {
        Some(Utf16::Be)
    } else {
        None
    }
}

fn is_text_byte(b: u8) -> bool {
    matches!(b, 0x20..=0x7e | b'\t' | b'\n' | b'\r')
}

/// Decodes UTF-16 (a BOM is dropped; unpaired surrogates become U+FFFD).
pub fn decode_utf16(bytes: &[u8], enc: Utf16) -> String {
    let bytes = match (enc, bytes) {
        (Utf16::Le, [0xff, 0xfe, rest @ ..]) | (Utf16::Be, [0xfe, 0xff, rest @ ..]) => rest,
        _ => bytes,
    };
    let units = bytes.chunks_exact(2).map(|p| match enc {
        Utf16::Le => u16::from_le_bytes([p[0], p[1]]),
        Utf16::Be => u16::from_be_bytes([p[0], p[1]]),
    });
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Formats whose bytes are compressed or encoded media: no printable run in them means anything.
pub fn is_opaque_binary(head: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"\x89PNG",
        b"\xff\xd8\xff",
        b"GIF87a",
        b"GIF89a",
        b"PK\x03\x04",
        b"PK\x05\x06",
        b"\x1f\x8b",
        b"\xfd7zXZ\x00",
        b"\x28\xb5\x2f\xfd",
        b"BZh",
        b"7z\xbc\xaf\x27\x1c",
        b"Rar!",
        b"wOFF",
        b"wOF2",
        b"OggS",
        b"fLaC",
        b"ID3",
        b"\x00\x00\x01\x00", // .ico
        b"II*\x00",
        b"MM\x00*",
        b"%PDF",
        b"\x1aE\xdf\xa3", // Matroska / WebM
    ];
    if MAGIC.iter().any(|m| head.starts_with(m)) {
        return true;
    }
    // RIFF containers (WebP, WAV, AVI) and ISO media (MP4, MOV, HEIC, AVIF).
    head.starts_with(b"RIFF") || head.get(4..8) == Some(&b"ftyp"[..])
}

/// CPython's bytecode cache (`__pycache__/*.pyc`): compiled from a source file beside it, which is scanned as
/// text; scanning the cache too would report each credential twice (and costs more than the sources). A
/// `.pyc` shipped without its source (outside `__pycache__`) is scanned.
pub fn is_source_cache(path: &str) -> bool {
    (path.starts_with("__pycache__/") || path.contains("/__pycache__/"))
        && (path.ends_with(".pyc") || path.ends_with(".pyo"))
}

/// The source a bytecode cache was compiled from: `pkg/__pycache__/mod.cpython-311.pyc` → `pkg/mod.py`.
pub fn cache_source(path: &str) -> Option<String> {
    let (dir, file) = path.rsplit_once("__pycache__/")?;
    let module = file.split('.').next().filter(|m| !m.is_empty())?;
    Some(format!("{dir}{module}.py"))
}

/// Whether a bytecode cache can be left to its source: only where the source is there to be scanned (a working
/// tree holding `pkg/mod.py` beside `pkg/__pycache__/`). A cache whose source was deleted or ignored, or one
/// met in history or inside an archive, is scanned.
pub fn cache_left_to_source(worktree: Option<&std::path::Path>, path: &str) -> bool {
    is_source_cache(path)
        && worktree
            .is_some_and(|root| cache_source(path).is_some_and(|src| root.join(src).is_file()))
}

/// Printable runs, one per line, with where each starts in the file.
#[derive(Debug, Default)]
pub struct Runs {
    /// The runs, each followed by `\n`.
    pub text: Vec<u8>,
    /// For line `i` (0-based) of `text`, the file offset of its first byte.
    pub starts: Vec<u64>,
}

impl Runs {
    pub fn clear(&mut self) {
        self.text.clear();
        self.starts.clear();
    }

    /// The file offset of byte `column` (1-based) of line `line` (1-based).
    pub fn offset(&self, line: u32, column: u32) -> Option<u64> {
        let start = *self.starts.get((line as usize).checked_sub(1)?)?;
        Some(start + u64::from(column.saturating_sub(1)))
    }
}

/// Collects printable runs from a stream chunk by chunk; a run that spans two chunks is kept whole.
#[derive(Debug, Default)]
pub struct RunCollector {
    /// The run in progress: where it started, and its bytes.
    open: Option<u64>,
    pending: Vec<u8>,
}

impl RunCollector {
    /// Adds `chunk`, which starts at file offset `base`, to `out`.
    pub fn feed(&mut self, chunk: &[u8], base: u64, out: &mut Runs) {
        let len = chunk.len();
        let mut i = 0;
        // A run left open by the previous chunk goes on here.
        if self.open.is_some() {
            while i < len && RUN_BYTE[usize::from(chunk[i])] {
                i += 1;
            }
            self.pending.extend_from_slice(&chunk[..i]);
            if i == len {
                return;
            }
            self.flush(out);
        }
        // Eight bytes at a time: a mask of which are printable decides everything. A run of MIN_RUN (8) or
        // more bytes either touches a word's edge or spans words, so only runs at the edges are tracked;
        // runs inside one word are too short. Binaries are mostly short printable fragments: branchy per-byte
        // code mispredicts on every one of them.
        let mut run_start: Option<usize> = None;
        while i + 8 <= len {
            let word = u64::from_le_bytes(chunk[i..i + 8].try_into().unwrap_or([0; 8]));
            let m = printable_mask(word);
            if m == 0xff {
                run_start.get_or_insert(i);
            } else {
                // Printable bytes at the low end continue the run in progress.
                let head = (!m).trailing_zeros() as usize;
                if let Some(start) = run_start.take() {
                    if i + head - start >= MIN_RUN {
                        push_run(out, base + start as u64, &chunk[start..i + head]);
                    }
                }
                // Printable bytes at the high end start a new one.
                let tail = (!m).leading_zeros() as usize;
                if tail > 0 {
                    run_start = Some(i + 8 - tail);
                }
            }
            i += 8;
        }
        // The last few bytes, one by one.
        let mut start = run_start;
        while i < len {
            if RUN_BYTE[usize::from(chunk[i])] {
                start.get_or_insert(i);
            } else if let Some(st) = start.take() {
                if i - st >= MIN_RUN {
                    push_run(out, base + st as u64, &chunk[st..i]);
                }
            }
            i += 1;
        }
        if let Some(st) = start {
            // It may go on in the next chunk.
            self.open = Some(base + st as u64);
            self.pending.extend_from_slice(&chunk[st..]);
        }
    }

    /// Ends the run in progress (at the end of the input, or at a non-printable byte).
    pub fn flush(&mut self, out: &mut Runs) {
        if let Some(start) = self.open.take() {
            if self.pending.len() >= MIN_RUN {
                push_run(out, start, &self.pending);
            }
            self.pending.clear();
        }
    }
}

/// One run as lines of at most [`MAX_RUN`] bytes (minified text embedded in a binary stays scannable).
fn push_run(out: &mut Runs, start: u64, run: &[u8]) {
    for (k, piece) in run.chunks(MAX_RUN).enumerate() {
        out.starts.push(start + (k * MAX_RUN) as u64);
        out.text.extend_from_slice(piece);
        out.text.push(b'\n');
    }
}

/// Bit k set when byte k (little-endian lanes) of `w` is a run byte: 0x20..=0x7e or tab.
fn printable_mask(w: u64) -> u8 {
    const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HI: u64 = 0x8080_8080_8080_8080;
    const fn splat(b: u8) -> u64 {
        0x0101_0101_0101_0101 * b as u64
    }
    let ascii = !w & HI; // high bit clear
    let x = w & LO7;
    let ge_space = (x + splat(0x60)) & HI; // x >= 0x20
    let not_del = !(x + splat(0x01)) & HI; // x <= 0x7e
    let t = w ^ splat(b'\t');
    let is_tab = !(((t & LO7) + LO7) | t | LO7); // high bit set where the byte is a tab
    let hi = (ascii & ge_space & not_del) | (is_tab & HI);
    ((hi >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8
}

/// [`is_run_byte`] as a table, for the per-byte loop.
static RUN_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = is_run_byte(b as u8);
        b += 1;
    }
    t
};

/// Printable ASCII and tab: what a credential is made of. Line breaks end a run, so a run is one line.
const fn is_run_byte(b: u8) -> bool {
    matches!(b, 0x20..=0x7e | b'\t')
}

/// Binary formats whose strings are length-prefixed, read as such: a printable length byte or a printable
/// type byte next to a string would otherwise glue onto it (`z8ghp_…N)` in a `.pyc`), and a token glued to
/// its neighbours no longer matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strings {
    /// CPython bytecode (`.pyc`): marshal string objects.
    Pyc,
    /// A Java class file: the constant pool's UTF-8 entries.
    JavaClass,
    /// A SQLite database: the text and blob values of the records on its b-tree leaf pages. Columns are stored
    /// back to back, so printable runs would glue a token to its neighbours (`githubghp_…repo`).
    Sqlite,
}

/// The structured string layout of a file, by its magic number (and name, for `.pyc`).
pub fn structured(head: &[u8], path: &str) -> Option<Strings> {
    if head.starts_with(b"SQLite format 3\0") {
        return Some(Strings::Sqlite);
    }
    if head.starts_with(&[0xca, 0xfe, 0xba, 0xbe]) && head.len() >= 10 {
        // Mach-O fat binaries share the magic; a class file's major version is 45 or more.
        let major = u16::from_be_bytes([head[6], head[7]]);
        if (45..=80).contains(&major) {
            return Some(Strings::JavaClass);
        }
    }
    if head.get(2..4) == Some(&b"\r\n"[..]) && path.ends_with(".pyc") {
        return Some(Strings::Pyc);
    }
    None
}

/// The strings of a structured file, one per line, with their offsets (at least [`MIN_RUN`] bytes each).
pub fn structured_strings(bytes: &[u8], kind: Strings) -> Runs {
    let mut out = Runs::default();
    let mut push = |at: usize, s: &[u8]| {
        if s.len() >= MIN_RUN && s.iter().all(|&b| is_run_byte(b) || b >= 0x80) {
            out.starts.push(at as u64);
            out.text.extend_from_slice(s);
            out.text.push(b'\n');
        }
    };
    match kind {
        Strings::Sqlite => sqlite::values(bytes, &mut |at, value| {
            // A value is one string; its own line breaks and control bytes split it into runs.
            let mut start = 0;
            for (i, &b) in value.iter().enumerate() {
                if !(is_run_byte(b) || b >= 0x80) {
                    push(at + start, &value[start..i]);
                    start = i + 1;
                }
            }
            push(at + start, &value[start..]);
        }),
        Strings::Pyc => {
            // Every position that reads as a marshal string object: a type byte (maybe with the 0x80 ref
            // flag), its length, then that many printable bytes. Misaligned reads are rare and harmless.
            let mut i = 0;
            while i < bytes.len() {
                let t = bytes[i] & 0x7f;
                let (len, head) = match t {
                    b'z' | b'Z' => (bytes.get(i + 1).map(|&n| usize::from(n)), 2),
                    b'a' | b'A' | b'u' | b't' | b's' => (
                        bytes
                            .get(i + 1..i + 5)
                            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize),
                        5,
                    ),
                    _ => (None, 0),
                };
                if let Some(len) = len.filter(|n| (MIN_RUN..=MAX_RUN).contains(n)) {
                    if let Some(s) = bytes.get(i + head..i + head + len) {
                        push(i + head, s);
                    }
                }
                i += 1;
            }
        }
        Strings::JavaClass => {
            // The constant pool (JVMS 4.4): entry sizes by tag; long and double take two slots.
            let Some(count) = bytes.get(8..10).map(|b| u16::from_be_bytes([b[0], b[1]])) else {
                return out;
            };
            let mut at = 10usize;
            let mut slot = 1u16;
            while slot < count {
                let Some(&tag) = bytes.get(at) else { break };
                let size = match tag {
                    1 => {
                        let Some(len) = bytes
                            .get(at + 1..at + 3)
                            .map(|b| u16::from_be_bytes([b[0], b[1]]))
                        else {
                            break;
                        };
                        let start = at + 3;
                        if let Some(s) = bytes.get(start..start + usize::from(len)) {
                            push(start, s);
                        }
                        3 + usize::from(len)
                    }
                    3 | 4 | 9 | 10 | 11 | 12 | 17 | 18 => 5,
                    5 | 6 => 9,
                    7 | 8 | 16 | 19 | 20 => 3,
                    15 => 4,
                    _ => break, // not a class file after all
                };
                at += size;
                slot += if matches!(tag, 5 | 6) { 2 } else { 1 };
            }
        }
    }
    out
}

/// SQLite's file format (<https://www.sqlite.org/fileformat2.html>), read only as far as finding values: the
/// page size from the header, the cells of table and index leaf pages, each cell's record header (serial types)
/// and its text and blob values. Written by hand: the format's record layer is small, and a SQLite library would
/// want a file on disk (a blob from history or an archive member is in memory) and would run SQLite's own code
/// on untrusted input. Values spilled to overflow pages are read as far as their local part; freed pages are not
/// read.
mod sqlite {
    /// SQLite's variable-length integer: big-endian, 7 bits a byte, the ninth byte whole. Returns the value and
    /// its length.
    fn varint(b: &[u8]) -> Option<(u64, usize)> {
        let mut v = 0u64;
        for i in 0..9 {
            let &byte = b.get(i)?;
            if i == 8 {
                return Some(((v << 8) | u64::from(byte), 9));
            }
            v = (v << 7) | u64::from(byte & 0x7f);
            if byte & 0x80 == 0 {
                return Some((v, i + 1));
            }
        }
        None
    }

    /// Calls `value(offset, bytes)` for every text and blob value of every record on a leaf page.
    pub fn values(db: &[u8], value: &mut dyn FnMut(usize, &[u8])) {
        let Some(size) = db.get(16..18).map(|b| u16::from_be_bytes([b[0], b[1]])) else {
            return;
        };
        let page_size = if size == 1 { 65_536 } else { usize::from(size) };
        if page_size < 512 || !page_size.is_power_of_two() {
            return;
        }
        let reserved = usize::from(db.get(20).copied().unwrap_or(0));
        let usable = page_size.saturating_sub(reserved);
        if usable < 480 {
            return;
        }
        for (n, page) in db.chunks(page_size).enumerate() {
            let base = n * page_size;
            let hdr = if n == 0 { 100 } else { 0 };
            let Some(&kind) = page.get(hdr) else { continue };
            // 13: table leaf (cell = payload size, rowid, payload); 10: index leaf (payload size, payload).
            if kind != 13 && kind != 10 {
                continue;
            }
            let Some(cells) = page
                .get(hdr + 3..hdr + 5)
                .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
            else {
                continue;
            };
            for c in 0..cells.min(page_size / 2) {
                let at = hdr + 8 + 2 * c;
                let Some(ptr) = page
                    .get(at..at + 2)
                    .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
                else {
                    break;
                };
                let Some(cell) = page.get(ptr..) else {
                    continue;
                };
                let Some((payload, mut used)) = varint(cell) else {
                    continue;
                };
                if kind == 13 {
                    let Some((_, n)) = varint(&cell[used..]) else {
                        continue;
                    };
                    used += n;
                }
                // The payload kept on this page (the rest, if any, is on overflow pages).
                let payload = usize::try_from(payload).unwrap_or(usize::MAX);
                let max_local = if kind == 13 {
                    usable - 35
                } else {
                    (usable - 12) * 64 / 255 - 23
                };
                let local = if payload <= max_local {
                    payload
                } else {
                    let min_local = (usable - 12) * 32 / 255 - 23;
                    let k = min_local + (payload - min_local) % (usable - 4);
                    if k <= max_local {
                        k
                    } else {
                        min_local
                    }
                };
                let end = (used + local).min(cell.len());
                let record = &cell[used..end];
                record_values(record, base + ptr + used, value);
            }
        }
    }

    /// The text and blob values of one record (header of serial types, then the body).
    fn record_values(record: &[u8], at: usize, value: &mut dyn FnMut(usize, &[u8])) {
        let Some((header_len, mut pos)) = varint(record) else {
            return;
        };
        let header_len = usize::try_from(header_len)
            .unwrap_or(usize::MAX)
            .min(record.len());
        let mut body = header_len;
        while pos < header_len && body < record.len() {
            let Some((serial, n)) = varint(&record[pos..]) else {
                return;
            };
            pos += n;
            let len = match serial {
                0 | 8 | 9 | 10 | 11 => 0,
                1..=4 => serial as usize,
                5 => 6,
                6 | 7 => 8,
                s => usize::try_from((s - 12) / 2).unwrap_or(usize::MAX),
            };
            let end = body.saturating_add(len).min(record.len());
            if serial >= 12 {
                value(at + body, &record[body..end]);
            }
            body = end;
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn varints_as_sqlite_writes_them() {
            assert_eq!(varint(&[0x05]), Some((5, 1)));
            assert_eq!(varint(&[0x81, 0x00]), Some((128, 2)));
            assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
            assert_eq!(varint(&[0x81]), None);
        }
    }
}

/// Reads `r` to the end (at most `max` bytes) into runs, calling `flush` whenever `batch` bytes of runs have
/// gathered and once at the end. Returns the bytes read and whether the file went on past `max`.
pub fn for_each_batch(
    r: &mut dyn Read,
    max: u64,
    batch: usize,
    mut flush: impl FnMut(&Runs),
) -> io::Result<(u64, bool)> {
    let mut buf = vec![0u8; 1 << 20];
    let mut runs = Runs::default();
    let mut collector = RunCollector::default();
    let mut read: u64 = 0;
    loop {
        let room = (max - read).min(buf.len() as u64) as usize;
        if room == 0 {
            break;
        }
        let n = match r.read(&mut buf[..room]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        collector.feed(&buf[..n], read, &mut runs);
        read += n as u64;
        if runs.text.len() >= batch {
            flush(&runs);
            runs.clear();
        }
    }
    collector.flush(&mut runs);
    if !runs.text.is_empty() {
        flush(&runs);
    }
    let more = read == max && r.read(&mut [0u8; 1])? > 0;
    Ok((read, more))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
    }

    #[test]
    fn utf16_by_bom_and_by_pattern() {
        let mut bom = vec![0xff, 0xfe];
        bom.extend(utf16le("$key = 'x'\r\n"));
        assert_eq!(utf16_encoding(&bom), Some(Utf16::Le));
        assert_eq!(decode_utf16(&bom, Utf16::Le), "$key = 'x'\r\n");
        let plain = utf16le("Windows Registry Editor Version 5.00\r\n");
        assert_eq!(utf16_encoding(&plain), Some(Utf16::Le));
        let be: Vec<u8> = "password=hunter2-long"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        assert_eq!(utf16_encoding(&be), Some(Utf16::Be));
        assert_eq!(decode_utf16(&be, Utf16::Be), "password=hunter2-long");
        // A binary with NULs that is not text.
        let bin: Vec<u8> = (0..200u32).map(|i| (i * 37 % 256) as u8).collect();
        assert_eq!(utf16_encoding(&bin), None);
        assert_eq!(
            utf16_encoding(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
            None
        );
    }

    #[test]
    fn runs_keep_their_offsets_across_chunks() {
        let mut data = vec![0u8; 10];
        data.extend_from_slice(b"short\x00");
        let at = data.len() as u64;
        data.extend_from_slice(b"AKIAIOSFODNN7EXAMPLE=value");
        data.extend_from_slice(&[0, 1, 2]);
        let mut runs = Runs::default();
        let mut c = RunCollector::default();
        // Split inside the run.
        c.feed(&data[..20], 0, &mut runs);
        c.feed(&data[20..], 20, &mut runs);
        c.flush(&mut runs);
        assert_eq!(runs.starts, vec![at]);
        assert_eq!(runs.text, b"AKIAIOSFODNN7EXAMPLE=value\n");
        assert_eq!(runs.offset(1, 5), Some(at + 4));
    }

    #[test]
    fn batches_cover_the_whole_stream() {
        let mut data = Vec::new();
        for i in 0..1000 {
            data.extend_from_slice(format!("run-number-{i:05}").as_bytes());
            data.push(0);
        }
        let mut lines = 0;
        let (read, more) = for_each_batch(&mut &data[..], u64::MAX, 1000, |r| {
            lines += r.starts.len();
            assert_eq!(
                r.text.iter().filter(|&&b| b == b'\n').count(),
                r.starts.len()
            );
        })
        .unwrap();
        assert_eq!((read, more, lines), (data.len() as u64, false, 1000));
        let (read, more) = for_each_batch(&mut &data[..], 100, 1000, |_| {}).unwrap();
        assert_eq!((read, more), (100, true));
    }

    #[test]
    fn pyc_and_class_strings_are_cut_at_their_lengths() {
        let token = b"xoxb-0000000000-0000000000000-abcdefghijklmnopqrstuvwx";
        // `.pyc`: header, then a short ASCII string ('z' + length) glued to printable type bytes.
        let mut pyc = b"\x6f\x0d\x0d\x0a\x00\x00\x00\x00".to_vec();
        pyc.extend_from_slice(&[0xe3, b')', b'z', token.len() as u8]);
        let at = pyc.len();
        pyc.extend_from_slice(token);
        pyc.extend_from_slice(b"N)\xdaZ");
        assert_eq!(
            structured(&pyc, "a/__pycache__/m.cpython-311.pyc"),
            Some(Strings::Pyc)
        );
        let runs = structured_strings(&pyc, Strings::Pyc);
        let i = runs
            .starts
            .iter()
            .position(|&s| s == at as u64)
            .expect("string at its offset");
        let line = runs.text.split(|&b| b == b'\n').nth(i).unwrap();
        assert_eq!(line, token);
        // A class file: magic, version 52, a constant pool with an int, a Utf8 of length 0x35 ('5').
        let mut class = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52, 0, 3];
        class.extend_from_slice(&[3, 0, 0, 0, 7]);
        class.extend_from_slice(&[1, 0, token.len() as u8]);
        let at = class.len();
        class.extend_from_slice(token);
        class.extend_from_slice(&[0x00, 0x21]);
        assert_eq!(structured(&class, "A.class"), Some(Strings::JavaClass));
        let runs = structured_strings(&class, Strings::JavaClass);
        assert_eq!(runs.starts, vec![at as u64]);
        assert_eq!(&runs.text[..token.len()], token);
    }

    #[test]
    fn the_word_mask_agrees_with_the_byte_test() {
        for b in 0..=255u8 {
            for lane in 0..8 {
                let mut bytes = [0u8; 8];
                bytes[lane] = b;
                let m = printable_mask(u64::from_le_bytes(bytes));
                assert_eq!(
                    m >> lane & 1 == 1,
                    is_run_byte(b),
                    "byte {b:#x} lane {lane}"
                );
            }
        }
    }

    #[test]
    fn bytecode_caches_are_left_to_their_sources() {
        assert!(is_source_cache("pkg/__pycache__/mod.cpython-311.pyc"));
        assert!(is_source_cache("__pycache__/mod.cpython-39.opt-1.pyc"));
        assert!(!is_source_cache("dist/mod.pyc"));
        assert!(!is_source_cache("pkg/__pycache__/notes.txt"));
        assert_eq!(
            cache_source("pkg/__pycache__/mod.cpython-311.pyc").as_deref(),
            Some("pkg/mod.py")
        );
        assert_eq!(
            cache_source("__pycache__/m.cpython-39.opt-1.pyc").as_deref(),
            Some("m.py")
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pkg/__pycache__")).unwrap();
        std::fs::write(dir.path().join("pkg/mod.py"), "X = 1\n").unwrap();
        assert!(cache_left_to_source(
            Some(dir.path()),
            "pkg/__pycache__/mod.cpython-311.pyc"
        ));
        // No source beside it, or no working tree to look in: scanned.
        assert!(!cache_left_to_source(
            Some(dir.path()),
            "pkg/__pycache__/gone.cpython-311.pyc"
        ));
        assert!(!cache_left_to_source(
            None,
            "pkg/__pycache__/mod.cpython-311.pyc"
        ));
    }

    #[test]
    fn media_and_archives_are_opaque() {
        assert!(is_opaque_binary(b"\x89PNG\r\n\x1a\n"));
        assert!(is_opaque_binary(b"\x00\x00\x00\x20ftypisom"));
        assert!(!is_opaque_binary(b"SQLite format 3\x00"));
        assert!(!is_opaque_binary(b"\x7fELF"));
    }

    proptest::proptest! {
        #[test]
        fn sqlite_values_lie_in_the_input(body in proptest::collection::vec(proptest::num::u8::ANY, 0..3000), leaf in proptest::bool::ANY) {
            // A valid header (page size 512) over arbitrary pages, the first one a leaf page or not.
            let mut db = b"SQLite format 3\0\x02\x00".to_vec();
            db.resize(100, 0);
            db.push(if leaf { 13 } else { 5 });
            db.extend_from_slice(&body);
            let r = structured_strings(&db, Strings::Sqlite);
            for (i, line) in r.text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).enumerate() {
                let at = r.starts[i] as usize;
                proptest::prop_assert_eq!(&db[at..at + line.len()], line);
            }
        }

        #[test]
        fn runs_are_printable_and_in_the_input(data in proptest::collection::vec(proptest::num::u8::ANY, 0..4000), split in 0usize..4000) {
            let split = split.min(data.len());
            let mut runs = Runs::default();
            let mut c = RunCollector::default();
            c.feed(&data[..split], 0, &mut runs);
            c.feed(&data[split..], split as u64, &mut runs);
            c.flush(&mut runs);
            for (i, line) in runs.text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).enumerate() {
                let at = runs.starts[i] as usize;
                proptest::prop_assert_eq!(&data[at..at + line.len()], line);
                proptest::prop_assert!(line.len() >= MIN_RUN);
            }
            // The same runs as a plain byte-by-byte split.
            let mut naive = Vec::new();
            let mut at = 0;
            for seg in data.split(|&b| !is_run_byte(b)) {
                if seg.len() >= MIN_RUN {
                    naive.push(at as u64);
                }
                at += seg.len() + 1;
            }
            proptest::prop_assert_eq!(&runs.starts, &naive);
            let _ = utf16_encoding(&data);
            let _ = decode_utf16(&data, Utf16::Le);
            for kind in [Strings::Pyc, Strings::JavaClass] {
                let r = structured_strings(&data, kind);
                for (i, line) in r.text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).enumerate() {
                    let at = r.starts[i] as usize;
                    proptest::prop_assert_eq!(&data[at..at + line.len()], line);
                }
            }
        }
    }
}
