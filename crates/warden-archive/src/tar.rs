//! A streaming tar reader for model containers: PyTorch's pre-0.4 tar (`sys_info`, `pickle`, `storages`,
//! `tensors`), and any tar or `.tar.gz` that carries model files (SageMaker's `model.tar.gz`).
//!
//! Written by hand rather than with the `tar` crate: that crate reads a GNU long-name or PAX record whole into
//! memory whatever size its header claims, and it has no way to stop at a member count; here every record is
//! capped (names at [`MAX_NAME`], PAX at [`MAX_PAX`], the rest skipped), members are counted, and a member's
//! data is handed out as a bounded reader over a plain `Read`, so a compressed tar streams without seeking.

use std::io::{self, Read};

/// Longest member name kept (GNU long names and PAX paths past it are cut).
pub const MAX_NAME: usize = 4096;
/// Largest PAX extended header parsed; larger ones are skipped (their path is then the header's own).
pub const MAX_PAX: u64 = 64 << 10;
/// Members read before the rest of the archive is left alone.
pub const MAX_MEMBERS: usize = 100_000;

const BLOCK: usize = 512;

/// What a tar header says a member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    /// Links, devices, FIFOs: no data worth scanning.
    Other,
}

/// One member, as its header (and any GNU long-name or PAX record before it) describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub kind: Kind,
    pub size: u64,
    /// Offset of the member's data from the start of the tar stream.
    pub data_offset: u64,
}

/// A problem with the archive's structure; reading stops at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A header whose checksum or size field does not hold.
    BadHeader { offset: u64, reason: &'static str },
    /// The stream ends inside a header or a member's data.
    Truncated { offset: u64 },
    /// More than [`MAX_MEMBERS`] members.
    TooManyMembers { offset: u64 },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::BadHeader { offset, reason } => {
                write!(f, "the tar header at byte {offset} is invalid: {reason}")
            }
            Problem::Truncated { offset } => write!(f, "the tar ends early, at byte {offset}"),
            Problem::TooManyMembers { offset } => write!(
                f,
                "the tar holds more than {MAX_MEMBERS} members; reading stopped at byte {offset}"
            ),
        }
    }
}

impl Problem {
    pub fn offset(&self) -> u64 {
        match self {
            Problem::BadHeader { offset, .. }
            | Problem::Truncated { offset }
            | Problem::TooManyMembers { offset } => *offset,
        }
    }
}

/// Walks a tar stream: [`Reader::next_member`] returns each member's header, after which the member's data can
/// be read from [`Reader::data`] (unread data is skipped when the next member is asked for).
pub struct Reader<R> {
    inner: R,
    pos: u64,
    /// Data bytes of the current member not read yet, and its padding.
    left: u64,
    pad: u64,
    members: usize,
    done: bool,
}

impl<R: Read> Reader<R> {
    pub fn new(inner: R) -> Self {
        Reader {
            inner,
            pos: 0,
            left: 0,
            pad: 0,
            members: 0,
            done: false,
        }
    }

    /// The current member's data (empty once read or before the first member).
    pub fn data(&mut self) -> Data<'_, R> {
        Data { tar: self }
    }

    /// The next member, `Ok(None)` at the end of the archive, or the structural problem that ends reading.
    pub fn next_member(&mut self) -> io::Result<Result<Option<Member>, Problem>> {
        if self.done {
            return Ok(Ok(None));
        }
        let skip = self.left + self.pad;
        if skip > 0 {
            let skipped = io::copy(&mut (&mut self.inner).take(skip), &mut io::sink())?;
            self.pos += skipped;
            self.left = 0;
            self.pad = 0;
            if skipped < skip {
                return Ok(self.stop(Problem::Truncated { offset: self.pos }));
            }
        }
        let mut long_name: Option<String> = None;
        let mut pax_path: Option<String> = None;
        loop {
            let at = self.pos;
            let mut header = [0u8; BLOCK];
            let got = read_full(&mut self.inner, &mut header)?;
            self.pos += got as u64;
            if got == 0 {
                // No end-of-archive blocks: many writers stop here, and nothing is lost.
                self.done = true;
                return Ok(Ok(None));
            }
            if got < BLOCK {
                return Ok(self.stop(Problem::Truncated { offset: self.pos }));
            }
            if header.iter().all(|&b| b == 0) {
                self.done = true;
                return Ok(Ok(None));
            }
            if let Err(reason) = checksum_ok(&header) {
                return Ok(self.stop(Problem::BadHeader { offset: at, reason }));
            }
            let Some(size) = parse_size(&header[124..136]) else {
                return Ok(self.stop(Problem::BadHeader {
                    offset: at,
                    reason: "the size field is not a number",
                }));
            };
            self.members += 1;
            if self.members > MAX_MEMBERS {
                return Ok(self.stop(Problem::TooManyMembers { offset: at }));
            }
            let pad = (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64;
            match header[156] {
                // GNU long name / long link name for the next header.
                b'L' | b'K' => {
                    let bytes = self.read_record(size, MAX_NAME as u64, pad)?;
                    let Some(bytes) = bytes else {
                        return Ok(self.stop(Problem::Truncated { offset: self.pos }));
                    };
                    if header[156] == b'L' {
                        long_name = Some(c_string(&bytes));
                    }
                }
                // PAX extended header for the next member; global headers set nothing we use.
                b'x' | b'g' => {
                    let bytes = self.read_record(size, MAX_PAX, pad)?;
                    let Some(bytes) = bytes else {
                        return Ok(self.stop(Problem::Truncated { offset: self.pos }));
                    };
                    if header[156] == b'x' {
                        if let Some(p) = pax_value(&bytes, "path") {
                            pax_path = Some(p);
                        }
                    }
                }
                flag => {
                    let name = pax_path
                        .take()
                        .or(long_name.take())
                        .unwrap_or_else(|| ustar_name(&header));
                    let kind = match flag {
                        b'0' | 0 | b'7' => {
                            if name.ends_with('/') {
                                Kind::Dir
                            } else {
                                Kind::File
                            }
                        }
                        b'5' => Kind::Dir,
                        _ => Kind::Other,
                    };
                    // Links and the like may still claim a size; their data is skipped with the rest.
                    self.left = size;
                    self.pad = pad;
                    let mut name = name;
                    truncate_at_char(&mut name, MAX_NAME);
                    return Ok(Ok(Some(Member {
                        name,
                        kind,
                        size,
                        data_offset: self.pos,
                    })));
                }
            }
        }
    }

    /// Reads a record of `size` bytes keeping at most `cap` of them, then its padding. `None` when the stream
    /// ends inside it.
    fn read_record(&mut self, size: u64, cap: u64, pad: u64) -> io::Result<Option<Vec<u8>>> {
        let mut kept = Vec::new();
        let n = (&mut self.inner)
            .take(size.min(cap))
            .read_to_end(&mut kept)?;
        self.pos += n as u64;
        let rest = size - n as u64 + pad;
        let skipped = io::copy(&mut (&mut self.inner).take(rest), &mut io::sink())?;
        self.pos += skipped;
        Ok((n as u64 == size.min(cap) && skipped == rest).then_some(kept))
    }

    fn stop(&mut self, p: Problem) -> Result<Option<Member>, Problem> {
        self.done = true;
        Err(p)
    }
}

/// The current member's data, as a reader that ends with the member.
pub struct Data<'a, R> {
    tar: &'a mut Reader<R>,
}

impl<R: Read> Read for Data<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.tar.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let room = self.tar.left.min(buf.len() as u64) as usize;
        let n = self.tar.inner.read(&mut buf[..room])?;
        self.tar.left -= n as u64;
        self.tar.pos += n as u64;
        Ok(n)
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// The header checksum: the sum of its bytes with the checksum field read as spaces (unsigned, as POSIX
/// says; some old writers summed signed bytes, accepted too).
fn checksum_ok(h: &[u8; BLOCK]) -> Result<(), &'static str> {
    let Some(stored) = parse_octal(&h[148..156]) else {
        return Err("the checksum field is not a number");
    };
    let (mut unsigned, mut signed) = (0u64, 0i64);
    for (i, &b) in h.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    if stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed) {
        Ok(())
    } else {
        Err("the checksum does not match")
    }
}

/// A size field: octal text, or GNU's base-256 (first byte's high bit set) for sizes past 8 GiB.
fn parse_size(field: &[u8]) -> Option<u64> {
    match field.first() {
        Some(&b) if b & 0x80 != 0 => {
            let mut v: u64 = u64::from(b & 0x7f);
            for &b in &field[1..] {
                v = v.checked_mul(256)?.checked_add(u64::from(b))?;
            }
            Some(v)
        }
        _ => parse_octal(field),
    }
}

fn parse_octal(field: &[u8]) -> Option<u64> {
    let text: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|&b| b == b' ')
        .take_while(|&b| b != 0 && b != b' ')
        .collect();
    if text.is_empty() {
        return Some(0);
    }
    let mut v: u64 = 0;
    for b in text {
        if !(b'0'..=b'7').contains(&b) {
            return None;
        }
        v = v.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(v)
}

fn c_string(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// `prefix/name` from a ustar header (the prefix field only when the magic says ustar).
fn ustar_name(h: &[u8; BLOCK]) -> String {
    let name = c_string(&h[0..100]);
    if &h[257..262] == b"ustar" {
        let prefix = c_string(&h[345..500]);
        if !prefix.is_empty() {
            return format!("{prefix}/{name}");
        }
    }
    name
}

/// The value of `key` in PAX records (`<len> <key>=<value>\n`).
fn pax_value(mut bytes: &[u8], key: &str) -> Option<String> {
    let mut found = None;
    while !bytes.is_empty() {
        let space = bytes.iter().position(|&b| b == b' ')?;
        let len: usize = std::str::from_utf8(&bytes[..space]).ok()?.parse().ok()?;
        let record = bytes.get(space + 1..len)?;
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(eq) = record.iter().position(|&b| b == b'=') {
            if &record[..eq] == key.as_bytes() {
                found = Some(String::from_utf8_lossy(&record[eq + 1..]).into_owned());
            }
        }
        bytes = &bytes[len..];
    }
    found
}

fn truncate_at_char(s: &mut String, max: usize) {
    if s.len() > max {
        let mut at = max;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
    }
}

/// Builders of small tars for tests (here and in the crates that read archives): not for production use.
#[doc(hidden)]
pub mod testkit {
    use super::*;

    /// A ustar header for `name` of `size` bytes with type `flag`, checksum filled in.
    pub fn header(name: &str, size: u64, flag: u8) -> [u8; BLOCK] {
        let mut h = [0u8; BLOCK];
        let n = name.as_bytes();
        h[..n.len().min(100)].copy_from_slice(&n[..n.len().min(100)]);
        h[100..108].copy_from_slice(b"0000644\0");
        h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
        h[156] = flag;
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        h
    }

    /// A tar of `(name, data)` files, with a GNU long-name record for names over 100 bytes.
    pub fn build(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let pad = |out: &mut Vec<u8>| {
            while !out.len().is_multiple_of(BLOCK) {
                out.push(0);
            }
        };
        for (name, data) in files {
            if name.len() > 100 {
                let mut long = name.as_bytes().to_vec();
                long.push(0);
                out.extend_from_slice(&header("././@LongLink", long.len() as u64, b'L'));
                out.extend_from_slice(&long);
                pad(&mut out);
            }
            out.extend_from_slice(&header(name, data.len() as u64, b'0'));
            out.extend_from_slice(data);
            pad(&mut out);
        }
        out.extend_from_slice(&[0u8; BLOCK * 2]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::*;
    use super::*;
    use std::io::Cursor;

    fn members(bytes: &[u8]) -> (Vec<(Member, Vec<u8>)>, Option<Problem>) {
        let mut r = Reader::new(Cursor::new(bytes));
        let mut out = Vec::new();
        loop {
            match r.next_member().unwrap() {
                Ok(Some(m)) => {
                    let mut data = Vec::new();
                    r.data().read_to_end(&mut data).unwrap();
                    out.push((m, data));
                }
                Ok(None) => return (out, None),
                Err(p) => return (out, Some(p)),
            }
        }
    }

    #[test]
    fn reads_members_long_names_and_offsets() {
        let long = format!("{}/model.pkl", "d".repeat(120));
        let tar = build(&[
            ("sys_info", b"abc"),
            (long.as_str(), b"xyz!"),
            ("pickle", b""),
        ]);
        let (ms, problem) = members(&tar);
        assert_eq!(problem, None);
        assert_eq!(ms.len(), 3);
        assert_eq!(ms[0].0.name, "sys_info");
        assert_eq!(ms[0].1, b"abc");
        assert_eq!(ms[0].0.data_offset, 512);
        assert_eq!(ms[1].0.name, long);
        assert_eq!(ms[1].1, b"xyz!");
        let at = ms[1].0.data_offset as usize;
        assert_eq!(&tar[at..at + 4], b"xyz!");
        assert_eq!(ms[2].0.kind, Kind::File);
    }

    #[test]
    fn unread_data_is_skipped() {
        let tar = build(&[("a", &[1u8; 1000]), ("b", b"2")]);
        let mut r = Reader::new(Cursor::new(&tar));
        let a = r.next_member().unwrap().unwrap().unwrap();
        assert_eq!(a.size, 1000);
        let b = r.next_member().unwrap().unwrap().unwrap();
        assert_eq!(b.name, "b");
        let mut d = Vec::new();
        r.data().read_to_end(&mut d).unwrap();
        assert_eq!(d, b"2");
    }

    #[test]
    fn pax_path_wins() {
        // "<len> path=x/real.pkl\n" where len counts the whole record: 2 + 1 + 15 + 1.
        let rec = b"19 path=x/real.pkl\n".to_vec();
        assert_eq!(rec.len(), 19);
        assert_eq!(pax_value(&rec, "path").as_deref(), Some("x/real.pkl"));
        assert_eq!(pax_value(b"18 path=x/real.pkl\n", "path"), None);
        let mut tar = Vec::new();
        tar.extend_from_slice(&header("PaxHeaders/a", rec.len() as u64, b'x'));
        tar.extend_from_slice(&rec);
        tar.resize(1024, 0);
        tar.extend_from_slice(&build(&[("short", b"1")]));
        let (ms, _) = members(&tar);
        assert_eq!(ms[0].0.name, "x/real.pkl");
    }

    #[test]
    fn bad_checksum_and_truncation_are_problems() {
        let mut tar = build(&[("a", b"hello")]);
        tar[0] = b'z';
        let (ms, p) = members(&tar);
        assert!(ms.is_empty());
        assert!(
            matches!(p, Some(Problem::BadHeader { offset: 0, .. })),
            "{p:?}"
        );
        let tar = build(&[("a", &[7u8; 3000])]);
        let (_, p) = members(&tar[..1500]);
        assert!(matches!(p, Some(Problem::Truncated { .. })), "{p:?}");
    }

    #[test]
    fn base256_size() {
        assert_eq!(
            parse_size(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]),
            Some(256)
        );
        assert_eq!(parse_size(b"00000000017\0"), Some(15));
        assert_eq!(parse_size(b"0000000009\0\0"), None);
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..3000)) {
            let _ = members(&data);
            let mut t = build(&[("a.pkl", &data[..data.len().min(600)])]);
            let cut = data.len() % t.len().max(1);
            t.truncate(cut);
            let _ = members(&t);
        }
    }
}
