//! A bounded zip reader over `Read + Seek`, written by hand rather than with the `zip` crate: the `zip` crate
//! (like Python's `zipfile`) refuses members with the "encrypted" flag bit and archives whose local and central
//! names differ, and PyTorch (miniz) loads both. A scanner that refuses what the loader accepts is bypassed, so
//! this reader tolerates everything PyTorch tolerates and *reports* it instead.
//!
//! What it does: finds the end of central directory record (behind a comment or trailing garbage, within
//! [`Limits::max_tail_search`]), follows zip64 records, lists members (name, sizes, method, flags, local
//! header offset), checks each local header against its central entry, and streams one member's bytes
//! (stored or deflated) without holding the member, cut off at a decompression ratio and size cap.
//! Nothing is extracted to disk; names are only reported.

use flate2::read::DeflateDecoder;
use std::cell::Cell;
use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};
use std::rc::Rc;

const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const LOCAL_SIG: u32 = 0x0403_4b50;

/// Flag bit 0: the member claims to be encrypted. PyTorch ignores it and reads the bytes as they are.
pub const FLAG_ENCRYPTED: u16 = 1;
/// Compression methods this reader inflates.
pub const METHOD_STORED: u16 = 0;
pub const METHOD_DEFLATE: u16 = 8;

/// Caps that keep a hostile archive bounded.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Members listed; the rest are reported, not read.
    pub max_members: usize,
    /// How far back from the end of the file the end-of-central-directory record is searched for (a comment
    /// is at most 64 KiB; more covers trailing garbage).
    pub max_tail_search: u64,
    /// Output bytes per compressed byte before a member is cut off as a zip bomb.
    pub max_ratio: u64,
    /// Output bytes allowed whatever the ratio (small members compress very well legitimately).
    pub ratio_slack: u64,
    /// Longest member name kept, in bytes.
    pub max_name_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_members: 100_000,
            max_tail_search: 1 << 20,
            max_ratio: 200,
            ratio_slack: 1 << 20,
            max_name_len: 4096,
        }
    }
}

/// One member as the central directory lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Position in the central directory.
    pub index: usize,
    /// The central directory's name (what PyTorch and `zipfile` use), lossily decoded.
    pub name: String,
    /// The local header's name, when it differs from `name`.
    pub local_name: Option<String>,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub method: u16,
    pub flags: u16,
    pub crc32: u32,
    /// Offset of the local header in the file (after correcting for data prepended to the archive).
    pub local_header_offset: u64,
    /// Offset of the member's data in the file, once the local header was read.
    pub data_offset: Option<u64>,
}

impl Member {
    pub fn encrypted(&self) -> bool {
        self.flags & FLAG_ENCRYPTED != 0
    }

    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
}

/// Something wrong with, or worth knowing about, the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The member has the encrypted flag; PyTorch loads it anyway, so its bytes are scanned as they are.
    EncryptedFlag { member: String },
    /// The local header names the member differently from the central directory (`zipfile` refuses the
    /// archive, PyTorch loads it).
    NameMismatch { central: String, local: String },
    /// A name that would escape the extraction directory (`..`, an absolute path, a drive letter).
    PathTraversal { member: String },
    /// More members than [`Limits::max_members`]; the rest were not read.
    TooManyMembers { listed: usize, declared: u64 },
    /// The sizes promise a ratio over [`Limits::max_ratio`], or inflating went past it and was cut off.
    RatioExceeded {
        member: String,
        compressed: u64,
        uncompressed: u64,
    },
    /// A compression method this reader does not inflate; the member is not scanned.
    UnsupportedMethod { member: String, method: u16 },
    /// The local header is missing or unreadable; the member is not scanned.
    BadLocalHeader { member: String, offset: u64 },
    /// The member's data reaches past the end of the file.
    DataPastEnd { member: String },
    /// The end-of-central-directory record is not at the very end (a comment or trailing bytes follow).
    TrailingData { bytes: u64 },
    /// Bytes precede the archive (its offsets were off by this much).
    PrependedData { bytes: u64 },
    /// The central directory is cut short or corrupt after this many members.
    BadCentralDirectory { offset: u64, listed: usize },
    /// A zip inside a zip deeper than the scanner follows.
    NestingTooDeep { member: String, depth: usize },
    /// Two members with the same name: loaders disagree on which one they read (the first, the last), so
    /// a scanner that reads the other one is bypassed. Every copy is scanned.
    DuplicateName { member: String, copies: usize },
}

impl Problem {
    /// A short stable name, used for rule ids.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::EncryptedFlag { .. } => "zip-encrypted-flag",
            Problem::NameMismatch { .. } => "zip-name-mismatch",
            Problem::PathTraversal { .. } => "zip-path-traversal",
            Problem::TooManyMembers { .. } => "zip-too-many-members",
            Problem::RatioExceeded { .. } => "zip-bomb",
            Problem::NestingTooDeep { .. } => "zip-nesting",
            Problem::DuplicateName { .. } => "zip-duplicate-member",
            _ => "zip-malformed",
        }
    }

    /// The member the problem is about, if any.
    pub fn member(&self) -> Option<&str> {
        match self {
            Problem::EncryptedFlag { member }
            | Problem::PathTraversal { member }
            | Problem::RatioExceeded { member, .. }
            | Problem::UnsupportedMethod { member, .. }
            | Problem::BadLocalHeader { member, .. }
            | Problem::DataPastEnd { member }
            | Problem::NestingTooDeep { member, .. }
            | Problem::DuplicateName { member, .. } => Some(member),
            Problem::NameMismatch { central, .. } => Some(central),
            _ => None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::EncryptedFlag { member } => write!(
                f,
                "member `{member}` carries the encrypted flag bit (PyTorch ignores it and loads the member)"
            ),
            Problem::NameMismatch { central, local } => write!(
                f,
                "member `{central}` is named `{local}` in its local header (PyTorch loads it, zipfile refuses it)"
            ),
            Problem::PathTraversal { member } => {
                write!(f, "member name `{member}` escapes the extraction directory")
            }
            Problem::DuplicateName { member, copies } => write!(
                f,
                "{copies} members are named `{member}`; loaders differ on which one they read (all were scanned)"
            ),
            Problem::TooManyMembers { listed, declared } => write!(
                f,
                "the archive declares {declared} members; only the first {listed} were read"
            ),
            Problem::RatioExceeded {
                member,
                compressed,
                uncompressed,
            } => write!(
                f,
                "member `{member}` inflates {compressed} bytes to {uncompressed}+ bytes (zip bomb); reading was cut off"
            ),
            Problem::UnsupportedMethod { member, method } => write!(
                f,
                "member `{member}` uses compression method {method}, which is not read"
            ),
            Problem::BadLocalHeader { member, offset } => write!(
                f,
                "member `{member}`: no valid local header at byte {offset}"
            ),
            Problem::DataPastEnd { member } => {
                write!(f, "member `{member}`: its data reaches past the end of the file")
            }
            Problem::TrailingData { bytes } => write!(
                f,
                "{bytes} bytes follow the end-of-central-directory record"
            ),
            Problem::PrependedData { bytes } => write!(f, "{bytes} bytes precede the archive"),
            Problem::BadCentralDirectory { offset, listed } => write!(
                f,
                "the central directory is corrupt at byte {offset} after {listed} members"
            ),
            Problem::NestingTooDeep { member, depth } => write!(
                f,
                "member `{member}` is a zip nested {depth} levels deep; not followed further"
            ),
        }
    }
}

/// A listed archive: members in central-directory order and what was wrong.
#[derive(Debug, Clone, Default)]
pub struct Archive {
    pub members: Vec<Member>,
    pub problems: Vec<Problem>,
    pub file_size: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    #[error("no end-of-central-directory record in the last {0} bytes")]
    NoEndRecord(u64),
    #[error(transparent)]
    Io(#[from] io::Error),
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map_or(0, |s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

/// Reads up to `buf.len()` bytes at `offset`; returns how many were read.
fn read_at<R: Read + Seek + ?Sized>(r: &mut R, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
    r.seek(SeekFrom::Start(offset))?;
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

struct EndRecord {
    pos: u64,
    entries: u64,
    cd_size: u64,
    cd_offset: u64,
    comment_len: u64,
}

/// Finds the last plausible end-of-central-directory record, searching backwards in chunks.
fn find_end<R: Read + Seek + ?Sized>(
    r: &mut R,
    size: u64,
    limits: &Limits,
) -> Result<EndRecord, ZipError> {
    const CHUNK: u64 = 64 * 1024;
    let floor = size.saturating_sub(limits.max_tail_search);
    let mut end = size;
    let mut buf = vec![0u8; (CHUNK + 22) as usize];
    while end > floor {
        let start = end.saturating_sub(CHUNK).max(floor);
        // Read 21 extra bytes past the chunk so a record straddling chunks is seen whole.
        let want = ((end - start) + 21).min(size - start) as usize;
        let n = read_at(r, start, &mut buf[..want])?;
        let chunk = &buf[..n];
        let mut i = chunk.len().saturating_sub(22) + 1;
        while i > 0 {
            i -= 1;
            if (start + i as u64) >= end {
                continue;
            }
            if u32_at(chunk, i) != EOCD_SIG || i + 22 > chunk.len() {
                continue;
            }
            let pos = start + i as u64;
            let rec = EndRecord {
                pos,
                entries: u64::from(u16_at(chunk, i + 10)),
                cd_size: u64::from(u32_at(chunk, i + 12)),
                cd_offset: u64::from(u32_at(chunk, i + 16)),
                comment_len: u64::from(u16_at(chunk, i + 20)),
            };
            // Plausible: the directory fits before the record (allowing for prepended data).
            if rec.cd_size <= pos {
                return Ok(rec);
            }
        }
        end = start;
    }
    Err(ZipError::NoEndRecord(limits.max_tail_search.min(size)))
}

/// Lists the archive's members. `Err` only when there is no end record at all or on I/O errors; everything
/// else is a [`Problem`].
pub fn read_archive<R: Read + Seek + ?Sized>(
    r: &mut R,
    limits: &Limits,
) -> Result<Archive, ZipError> {
    let size = r.seek(SeekFrom::End(0))?;
    let mut archive = Archive {
        file_size: size,
        ..Archive::default()
    };
    let mut end = find_end(r, size, limits)?;
    let trailing = size - end.pos - 22;
    if trailing > end.comment_len {
        archive.problems.push(Problem::TrailingData {
            bytes: trailing - end.comment_len,
        });
    }
    let mut cd_end = end.pos;
    // zip64: the locator sits right before the end record.
    if end.pos >= 20 {
        let mut loc = [0u8; 20];
        if read_at(r, end.pos - 20, &mut loc)? == 20 && u32_at(&loc, 0) == ZIP64_LOCATOR_SIG {
            let z64 = u64_at(&loc, 8);
            let mut rec = [0u8; 56];
            if z64 < end.pos
                && read_at(r, z64, &mut rec)? == 56
                && u32_at(&rec, 0) == ZIP64_EOCD_SIG
            {
                end.entries = u64_at(&rec, 32);
                end.cd_size = u64_at(&rec, 40);
                end.cd_offset = u64_at(&rec, 48);
                cd_end = z64;
            }
        }
    }
    // Data prepended to the archive shifts every offset: the directory really ends where the record begins.
    let actual_cd = cd_end.saturating_sub(end.cd_size);
    let shift = actual_cd.saturating_sub(end.cd_offset);
    if shift > 0 {
        archive
            .problems
            .push(Problem::PrependedData { bytes: shift });
    }
    read_central(r, actual_cd, cd_end, shift, &end, limits, &mut archive)?;
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for m in &archive.members {
        *seen.entry(m.name.as_str()).or_default() += 1;
    }
    let mut duplicates: Vec<Problem> = seen
        .into_iter()
        .filter(|&(_, n)| n > 1)
        .map(|(name, copies)| Problem::DuplicateName {
            member: name.to_string(),
            copies,
        })
        .collect();
    duplicates.sort_by(|a, b| a.member().cmp(&b.member()));
    archive.problems.extend(duplicates);
    for m in &mut archive.members {
        check_local(r, m, size, &mut archive.problems)?;
        if is_traversal(&m.name) {
            archive.problems.push(Problem::PathTraversal {
                member: m.name.clone(),
            });
        }
        if m.encrypted() {
            archive.problems.push(Problem::EncryptedFlag {
                member: m.name.clone(),
            });
        }
        if !matches!(m.method, METHOD_STORED | METHOD_DEFLATE) {
            archive.problems.push(Problem::UnsupportedMethod {
                member: m.name.clone(),
                method: m.method,
            });
        }
        if m.uncompressed_size > ratio_cap(m.compressed_size, limits) {
            archive.problems.push(Problem::RatioExceeded {
                member: m.name.clone(),
                compressed: m.compressed_size,
                uncompressed: m.uncompressed_size,
            });
        }
    }
    Ok(archive)
}

fn ratio_cap(compressed: u64, limits: &Limits) -> u64 {
    compressed
        .saturating_mul(limits.max_ratio)
        .saturating_add(limits.ratio_slack)
}

fn read_central<R: Read + Seek + ?Sized>(
    r: &mut R,
    start: u64,
    cd_end: u64,
    shift: u64,
    end: &EndRecord,
    limits: &Limits,
    archive: &mut Archive,
) -> io::Result<()> {
    r.seek(SeekFrom::Start(start))?;
    let mut input = io::BufReader::new(Read::take(&mut *r, cd_end.saturating_sub(start)));
    let mut pos = start;
    let mut fixed = [0u8; 46];
    loop {
        if archive.members.len() >= limits.max_members {
            if (archive.members.len() as u64) < end.entries
                || read_exact_or_eof(&mut input, &mut fixed[..4])?
            {
                archive.problems.push(Problem::TooManyMembers {
                    listed: archive.members.len(),
                    declared: end.entries.max(archive.members.len() as u64 + 1),
                });
            }
            return Ok(());
        }
        if !read_exact_or_eof(&mut input, &mut fixed)? {
            break;
        }
        if u32_at(&fixed, 0) != CENTRAL_SIG {
            archive.problems.push(Problem::BadCentralDirectory {
                offset: pos,
                listed: archive.members.len(),
            });
            break;
        }
        let name_len = usize::from(u16_at(&fixed, 28));
        let extra_len = usize::from(u16_at(&fixed, 30));
        let comment_len = usize::from(u16_at(&fixed, 32));
        let mut var = vec![0u8; name_len + extra_len + comment_len];
        if !read_exact_or_eof(&mut input, &mut var)? {
            archive.problems.push(Problem::BadCentralDirectory {
                offset: pos,
                listed: archive.members.len(),
            });
            break;
        }
        let name_bytes = &var[..name_len.min(limits.max_name_len)];
        let extra = &var[name_len..name_len + extra_len];
        let mut m = Member {
            index: archive.members.len(),
            name: String::from_utf8_lossy(name_bytes).into_owned(),
            local_name: None,
            compressed_size: u64::from(u32_at(&fixed, 20)),
            uncompressed_size: u64::from(u32_at(&fixed, 24)),
            method: u16_at(&fixed, 10),
            flags: u16_at(&fixed, 8),
            crc32: u32_at(&fixed, 16),
            local_header_offset: u64::from(u32_at(&fixed, 42)),
            data_offset: None,
        };
        apply_zip64_extra(extra, &mut m);
        m.local_header_offset = m.local_header_offset.saturating_add(shift);
        archive.members.push(m);
        pos += 46 + var.len() as u64;
    }
    Ok(())
}

/// The zip64 extended information field (0x0001): the 64-bit values of whichever 32-bit fields are saturated.
fn apply_zip64_extra(extra: &[u8], m: &mut Member) {
    let mut at = 0;
    while at + 4 <= extra.len() {
        let id = u16_at(extra, at);
        let len = usize::from(u16_at(extra, at + 2));
        let body = extra.get(at + 4..at + 4 + len).unwrap_or(&[]);
        if id == 1 {
            let mut p = 0;
            for field in [
                &mut m.uncompressed_size,
                &mut m.compressed_size,
                &mut m.local_header_offset,
            ] {
                if *field == 0xFFFF_FFFF {
                    if p + 8 > body.len() {
                        break;
                    }
                    *field = u64_at(body, p);
                    p += 8;
                }
            }
        }
        at += 4 + len;
    }
}

fn read_exact_or_eof<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<bool> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => return Ok(false),
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

fn check_local<R: Read + Seek + ?Sized>(
    r: &mut R,
    m: &mut Member,
    size: u64,
    problems: &mut Vec<Problem>,
) -> io::Result<()> {
    let mut fixed = [0u8; 30];
    let ok = read_at(r, m.local_header_offset, &mut fixed)? == 30 && u32_at(&fixed, 0) == LOCAL_SIG;
    if !ok {
        problems.push(Problem::BadLocalHeader {
            member: m.name.clone(),
            offset: m.local_header_offset,
        });
        return Ok(());
    }
    let name_len = usize::from(u16_at(&fixed, 26));
    let extra_len = u64::from(u16_at(&fixed, 28));
    let mut name = vec![0u8; name_len];
    let n = read_at(r, m.local_header_offset + 30, &mut name)?;
    let local = String::from_utf8_lossy(&name[..n]).into_owned();
    if local != m.name {
        problems.push(Problem::NameMismatch {
            central: m.name.clone(),
            local: local.clone(),
        });
        m.local_name = Some(local);
    }
    let data = m.local_header_offset + 30 + name_len as u64 + extra_len;
    if data.saturating_add(m.compressed_size) > size {
        problems.push(Problem::DataPastEnd {
            member: m.name.clone(),
        });
    }
    // Data that starts past the end (a huge extra field) has nothing to read.
    m.data_offset = (data <= size).then_some(data);
    Ok(())
}

/// True when extracting `name` would write outside the target directory.
pub fn is_traversal(name: &str) -> bool {
    let bytes = name.as_bytes();
    name.starts_with('/')
        || name.starts_with('\\')
        || (bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic())
        || name.split(['/', '\\']).any(|part| part == "..")
}

/// Set when a member reader stopped early because it reached the ratio cap.
#[derive(Debug, Clone, Default)]
pub struct Cutoff(Rc<Cell<bool>>);

impl Cutoff {
    pub fn hit(&self) -> bool {
        self.0.get()
    }
}

/// Streams one member's uncompressed bytes; ends early (as if at end of input) at the ratio cap, which
/// [`Cutoff::hit`] then reports.
pub struct MemberReader<'a, R: Read + ?Sized> {
    inner: Inner<'a, R>,
    produced: u64,
    cap: u64,
    cutoff: Cutoff,
}

enum Inner<'a, R: Read + ?Sized> {
    Stored(io::Take<&'a mut R>),
    Deflate(Box<DeflateDecoder<io::Take<&'a mut R>>>),
}

impl<R: Read + ?Sized> Read for MemberReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.produced >= self.cap {
            if !buf.is_empty() {
                // Probe whether more would come: if so, the member is over the cap.
                let mut one = [0u8; 1];
                let more = match &mut self.inner {
                    Inner::Stored(t) => t.read(&mut one)?,
                    Inner::Deflate(d) => d.read(&mut one)?,
                };
                if more > 0 {
                    self.cutoff.0.set(true);
                }
            }
            return Ok(0);
        }
        let room = (self.cap - self.produced).min(buf.len() as u64) as usize;
        let n = match &mut self.inner {
            Inner::Stored(t) => t.read(&mut buf[..room])?,
            Inner::Deflate(d) => d.read(&mut buf[..room])?,
        };
        self.produced += n as u64;
        Ok(n)
    }
}

/// Opens a reader over `member`'s uncompressed bytes (the member must come from [`read_archive`] on the same
/// stream). `None` when the member cannot be read (no local header, an unsupported method). The returned
/// [`Cutoff`] says whether the ratio cap cut it short.
pub fn open_member<'a, R: Read + Seek + ?Sized>(
    r: &'a mut R,
    member: &Member,
    limits: &Limits,
) -> io::Result<Option<(MemberReader<'a, R>, Cutoff)>> {
    let Some(data) = member.data_offset else {
        return Ok(None);
    };
    r.seek(SeekFrom::Start(data))?;
    let take = Read::take(r, member.compressed_size);
    let inner = match member.method {
        METHOD_STORED => Inner::Stored(take),
        METHOD_DEFLATE => Inner::Deflate(Box::new(DeflateDecoder::new(take))),
        _ => return Ok(None),
    };
    let cap = match member.method {
        METHOD_STORED => member.compressed_size,
        _ => ratio_cap(member.compressed_size, limits),
    };
    let cutoff = Cutoff::default();
    Ok(Some((
        MemberReader {
            inner,
            produced: 0,
            cap,
            cutoff: cutoff.clone(),
        },
        cutoff,
    )))
}

/// A seekable window `[start, start + len)` of another stream: a stored member seen as a file of its own
/// (for zips nested in zips).
pub struct Window<'a, R: Read + Seek + ?Sized> {
    inner: &'a mut R,
    start: u64,
    len: u64,
    pos: u64,
}

impl<'a, R: Read + Seek + ?Sized> Window<'a, R> {
    pub fn new(inner: &'a mut R, start: u64, len: u64) -> Self {
        Window {
            inner,
            start,
            len,
            pos: 0,
        }
    }
}

impl<R: Read + Seek + ?Sized> Read for Window<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len {
            return Ok(0);
        }
        let room = (self.len - self.pos).min(buf.len() as u64) as usize;
        self.inner.seek(SeekFrom::Start(self.start + self.pos))?;
        let n = self.inner.read(&mut buf[..room])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read + Seek + ?Sized> Seek for Window<'_, R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        let Some(target) = target else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before start",
            ));
        };
        self.pos = target;
        Ok(target)
    }
}

/// Builders of small zips for tests (here and in the crates that read archives): not for production use.
#[doc(hidden)]
pub mod testkit {
    use super::*;
    use std::io::Write;

    /// One member to build: name in the central directory, name in the local header, data, flags, deflate.
    pub struct Spec<'a> {
        pub name: &'a str,
        pub local_name: Option<&'a str>,
        pub data: &'a [u8],
        pub flags: u16,
        pub deflate: bool,
    }

    pub fn spec<'a>(name: &'a str, data: &'a [u8]) -> Spec<'a> {
        Spec {
            name,
            local_name: None,
            data,
            flags: 0,
            deflate: false,
        }
    }

    /// Builds a zip from specs (with `prefix` bytes before it and `suffix` after it).
    pub fn build(specs: &[Spec], prefix: &[u8], suffix: &[u8]) -> Vec<u8> {
        let mut out = prefix.to_vec();
        let mut central = Vec::new();
        for s in specs {
            let offset = (out.len() - prefix.len()) as u32;
            let (method, body) = if s.deflate {
                let mut e =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
                e.write_all(s.data).unwrap();
                (8u16, e.finish().unwrap())
            } else {
                (0u16, s.data.to_vec())
            };
            let local = s.local_name.unwrap_or(s.name);
            let mut crc = flate2::Crc::new();
            crc.update(s.data);
            let crc = crc.sum();
            out.extend_from_slice(&LOCAL_SIG.to_le_bytes());
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&s.flags.to_le_bytes());
            out.extend_from_slice(&method.to_le_bytes());
            out.extend_from_slice(&[0; 4]);
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(&(s.data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(local.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(local.as_bytes());
            out.extend_from_slice(&body);
            central.extend_from_slice(&CENTRAL_SIG.to_le_bytes());
            central.extend_from_slice(&20u16.to_le_bytes());
            central.extend_from_slice(&20u16.to_le_bytes());
            central.extend_from_slice(&s.flags.to_le_bytes());
            central.extend_from_slice(&method.to_le_bytes());
            central.extend_from_slice(&[0; 4]);
            central.extend_from_slice(&crc.to_le_bytes());
            central.extend_from_slice(&(body.len() as u32).to_le_bytes());
            central.extend_from_slice(&(s.data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(s.name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(s.name.as_bytes());
        }
        let cd_offset = (out.len() - prefix.len()) as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(&EOCD_SIG.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(specs.len() as u16).to_le_bytes());
        out.extend_from_slice(&(specs.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(suffix);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::*;
    use super::*;
    use std::io::Cursor;

    fn member_bytes(zip: &[u8], name: &str) -> (Vec<u8>, bool) {
        let mut c = Cursor::new(zip);
        let a = read_archive(&mut c, &Limits::default()).unwrap();
        let m = a.members.iter().find(|m| m.name == name).unwrap().clone();
        let (mut r, cut) = open_member(&mut c, &m, &Limits::default())
            .unwrap()
            .unwrap();
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        (out, cut.hit())
    }

    #[test]
    fn lists_and_streams_stored_and_deflated() {
        let zip = build(
            &[
                spec("a/data.pkl", b"hello"),
                Spec {
                    deflate: true,
                    ..spec("a/data/0", &[7u8; 5000])
                },
            ],
            b"",
            b"",
        );
        let a = read_archive(&mut Cursor::new(&zip), &Limits::default()).unwrap();
        assert_eq!(a.members.len(), 2);
        assert!(a.problems.is_empty(), "{:?}", a.problems);
        assert_eq!(member_bytes(&zip, "a/data.pkl").0, b"hello");
        assert_eq!(member_bytes(&zip, "a/data/0").0, vec![7u8; 5000]);
    }

    #[test]
    fn tolerates_and_reports_flags_mismatch_garbage() {
        let zip = build(
            &[
                Spec {
                    flags: FLAG_ENCRYPTED,
                    ..spec("x/data.pkl", b"payload")
                },
                Spec {
                    local_name: Some("other"),
                    ..spec("x/y.pkl", b"zz")
                },
            ],
            b"PREPENDED",
            b"trailing garbage after the archive",
        );
        let a = read_archive(&mut Cursor::new(&zip), &Limits::default()).unwrap();
        let codes: Vec<_> = a.problems.iter().map(Problem::code).collect();
        assert!(codes.contains(&"zip-encrypted-flag"), "{codes:?}");
        assert!(codes.contains(&"zip-name-mismatch"), "{codes:?}");
        assert!(a.problems.contains(&Problem::PrependedData { bytes: 9 }));
        assert!(a
            .problems
            .iter()
            .any(|p| matches!(p, Problem::TrailingData { .. })));
        assert_eq!(member_bytes(&zip, "x/data.pkl").0, b"payload");
        assert_eq!(member_bytes(&zip, "x/y.pkl").0, b"zz");
    }

    #[test]
    fn path_traversal_names() {
        for bad in ["../evil", "/etc/passwd", "a/../../b", "C:\\x", "a\\..\\b"] {
            assert!(is_traversal(bad), "{bad}");
        }
        for ok in ["a/b", "archive/data.pkl", "..a/b", "a..b"] {
            assert!(!is_traversal(ok), "{ok}");
        }
        let zip = build(&[spec("../../etc/cron.d/x", b"1")], b"", b"");
        let a = read_archive(&mut Cursor::new(&zip), &Limits::default()).unwrap();
        assert!(a.problems.contains(&Problem::PathTraversal {
            member: "../../etc/cron.d/x".into()
        }));
    }

    #[test]
    fn zip_bomb_is_cut_off() {
        let big = vec![0u8; 8 << 20];
        let zip = build(
            &[Spec {
                deflate: true,
                ..spec("bomb", &big)
            }],
            b"",
            b"",
        );
        assert!(zip.len() < 64 << 10);
        let limits = Limits {
            ratio_slack: 4096,
            max_ratio: 10,
            ..Limits::default()
        };
        let mut c = Cursor::new(&zip);
        let a = read_archive(&mut c, &limits).unwrap();
        assert!(a.problems.iter().any(|p| p.code() == "zip-bomb"));
        let m = a.members[0].clone();
        let (mut r, cut) = open_member(&mut c, &m, &limits).unwrap().unwrap();
        let mut n = 0u64;
        let mut buf = [0u8; 8192];
        loop {
            let k = r.read(&mut buf).unwrap();
            if k == 0 {
                break;
            }
            n += k as u64;
        }
        assert!(n <= m.compressed_size * 10 + 4096);
        assert!(cut.hit());
    }

    #[test]
    fn too_many_members_is_bounded() {
        let specs: Vec<_> = (0..20).map(|_| spec("m", b"")).collect();
        let zip = build(&specs, b"", b"");
        let limits = Limits {
            max_members: 5,
            ..Limits::default()
        };
        let a = read_archive(&mut Cursor::new(&zip), &limits).unwrap();
        assert_eq!(a.members.len(), 5);
        assert!(a
            .problems
            .iter()
            .any(|p| p.code() == "zip-too-many-members"));
    }

    #[test]
    fn garbage_never_panics() {
        let mut data = build(&[spec("a", b"xyz"), spec("b", b"q")], b"", b"");
        for i in 0..data.len() {
            let saved = data[i];
            for v in [0u8, 0xff, 0x7f] {
                data[i] = v;
                let mut c = Cursor::new(&data);
                if let Ok(a) = read_archive(&mut c, &Limits::default()) {
                    for m in &a.members {
                        if let Ok(Some((mut r, _))) = open_member(&mut c, m, &Limits::default()) {
                            let _ = io::copy(&mut r, &mut io::sink());
                        }
                    }
                }
            }
            data[i] = saved;
        }
        assert!(read_archive(&mut Cursor::new(b"not a zip"), &Limits::default()).is_err());
    }
}
