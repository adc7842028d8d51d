//! Credentials inside archives and packages: zip (and jar, war, ear, wheel, egg, apk, …), tar, and compressed
//! streams (gzip, bzip2, xz, zstd: a `.tar.gz`/`.tar.bz2`/`.tar.xz`/`.tar.zst`, or one compressed file), nested
//! up to [`MAX_DEPTH`] deep. Members are read through the bounded
//! readers of `warden-archive`: member counts, decompression ratios and total bytes are capped, and a cap
//! reached is a note on the file, never an outage. A member's findings name it: `dist/app.whl!/app/settings.py`.

use std::io::{self, Cursor, Read, Seek};
use warden_archive::compress::{self, Compression};
use warden_archive::{tar, zip};

/// Archives inside archives followed this deep (the file itself is depth 0).
pub const MAX_DEPTH: usize = 3;
/// Bytes read from the members of one file, all levels together.
pub const MAX_TOTAL: u64 = 1 << 30;

/// An archive format, by magic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Zip,
    Tar,
    Compressed(Compression),
}

/// The archive format of a file by its first bytes.
pub fn kind(head: &[u8]) -> Option<Kind> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(Kind::Zip)
    } else if head.get(257..262) == Some(&b"ustar"[..]) {
        Some(Kind::Tar)
    } else {
        compress::compression(head).map(Kind::Compressed)
    }
}

/// One member, read whole (up to the size cap).
pub struct Member {
    /// `outer!/inner` display path.
    pub path: String,
    pub bytes: Vec<u8>,
    /// The member was longer than the cap and was cut.
    pub cut: bool,
}

/// Walks an archive and its nested archives, handing every non-archive member to `visit`; notes (caps
/// reached, malformed archives) go to `note`.
pub struct Walker<'a> {
    /// Largest member read whole.
    pub member_max: u64,
    pub visit: &'a mut dyn FnMut(Member),
    pub note: &'a mut dyn FnMut(String),
    total: u64,
}

impl<'a> Walker<'a> {
    pub fn new(
        member_max: u64,
        visit: &'a mut dyn FnMut(Member),
        note: &'a mut dyn FnMut(String),
    ) -> Self {
        Walker {
            member_max,
            visit,
            note,
            total: 0,
        }
    }

    /// Walks the archive `r` of format `kind`, whose display path is `path`.
    pub fn walk<R: Read + Seek>(
        &mut self,
        r: &mut R,
        kind: Kind,
        path: &str,
        depth: usize,
    ) -> io::Result<()> {
        match kind {
            Kind::Zip => self.zip(r, path, depth),
            Kind::Tar => self.tar(r, path, depth),
            Kind::Compressed(c) => self.compressed(r, c, path, depth),
        }
    }

    fn budget_left(&mut self, path: &str) -> bool {
        if self.total >= MAX_TOTAL {
            (self.note)(format!(
                "{path}: stopped after {MAX_TOTAL} bytes of archive members"
            ));
            return false;
        }
        true
    }

    /// A member's bytes: an archive is walked, anything else visited.
    fn member(&mut self, path: String, bytes: Vec<u8>, cut: bool, depth: usize) -> io::Result<()> {
        self.total += bytes.len() as u64;
        if let Some(k) = kind(&bytes) {
            if depth + 1 > MAX_DEPTH {
                (self.note)(format!(
                    "{path}: an archive nested deeper than {MAX_DEPTH}; not opened"
                ));
                return Ok(());
            }
            if cut {
                (self.note)(format!(
                    "{path}: a nested archive over {} bytes; not opened",
                    self.member_max
                ));
                return Ok(());
            }
            return self.walk(&mut Cursor::new(bytes), k, &path, depth + 1);
        }
        (self.visit)(Member { path, bytes, cut });
        Ok(())
    }

    fn read_capped(&self, r: &mut dyn Read) -> io::Result<(Vec<u8>, bool)> {
        let mut bytes = Vec::new();
        match r.take(self.member_max + 1).read_to_end(&mut bytes) {
            Ok(_) => {}
            // A corrupt compressed member: what was inflated is what there is.
            Err(e) if compress::is_decode_error(&e) => {}
            Err(e) => return Err(e),
        }
        let cut = bytes.len() as u64 > self.member_max;
        bytes.truncate(self.member_max as usize);
        Ok((bytes, cut))
    }

    fn zip<R: Read + Seek>(&mut self, r: &mut R, path: &str, depth: usize) -> io::Result<()> {
        let limits = zip::Limits::default();
        let archive = match zip::read_archive(r, &limits) {
            Ok(a) => a,
            Err(zip::ZipError::Io(e)) => return Err(e),
            Err(e) => {
                (self.note)(format!("{path}: not a readable zip: {e}"));
                return Ok(());
            }
        };
        for p in &archive.problems {
            if matches!(
                p,
                zip::Problem::RatioExceeded { .. } | zip::Problem::TooManyMembers { .. }
            ) {
                (self.note)(format!("{path}: {p}"));
            }
        }
        for m in &archive.members {
            if m.is_dir() || !self.budget_left(path) {
                continue;
            }
            let Some((mut reader, cutoff)) = zip::open_member(r, m, &limits)? else {
                continue;
            };
            let (bytes, cut) = self.read_capped(&mut reader)?;
            drop(reader);
            if cutoff.hit() {
                (self.note)(format!(
                    "{path}!/{}: inflates past the ratio cap (zip bomb); read up to the cap",
                    m.name
                ));
            }
            if cut {
                (self.note)(format!(
                    "{path}!/{}: only the first {} bytes were scanned",
                    m.name, self.member_max
                ));
            }
            self.member(format!("{path}!/{}", m.name), bytes, cut, depth)?;
        }
        Ok(())
    }

    fn tar(&mut self, r: &mut dyn Read, path: &str, depth: usize) -> io::Result<()> {
        let mut reader = tar::Reader::new(r);
        loop {
            let m = match reader.next_member()? {
                Ok(Some(m)) => m,
                Ok(None) => break,
                Err(p) => {
                    (self.note)(format!("{path}: {p}"));
                    break;
                }
            };
            if m.kind != tar::Kind::File || !self.budget_left(path) {
                continue;
            }
            let (bytes, cut) = self.read_capped(&mut reader.data())?;
            if cut {
                (self.note)(format!(
                    "{path}!/{}: only the first {} bytes were scanned",
                    m.name, self.member_max
                ));
            }
            let name = m.name.trim_start_matches("./").to_string();
            self.member(format!("{path}!/{name}"), bytes, cut, depth)?;
        }
        Ok(())
    }

    /// A compressed stream: a tar inside (`.tar.gz`, …) is walked as a stream; anything else is one member,
    /// named after the file without its compression extension.
    fn compressed<R: Read + Seek>(
        &mut self,
        r: &mut R,
        c: Compression,
        path: &str,
        depth: usize,
    ) -> io::Result<()> {
        let cap = self.member_max;
        // The ratio cap of zip members applies to the whole stream.
        let limits = zip::Limits::default();
        let size = r.seek(io::SeekFrom::End(0))?;
        r.seek(io::SeekFrom::Start(0))?;
        let max_out = size
            .saturating_mul(limits.max_ratio)
            .saturating_add(limits.ratio_slack);
        let mut head = Vec::new();
        if let Ok(d) = compress::decoder(c, &mut *r) {
            let _ = d.take(512).read_to_end(&mut head);
        }
        r.seek(io::SeekFrom::Start(0))?;
        let inner = match compress::decoder(c, &mut *r) {
            Ok(d) => d,
            Err(e) => {
                (self.note)(format!("{path}: not a readable compressed stream: {e}"));
                return Ok(());
            }
        };
        let mut decoder = Tolerant {
            inner: inner.take(max_out),
            hit_cap: false,
            max_out,
        };
        let result = if head.get(257..262) == Some(&b"ustar"[..]) {
            if depth + 1 > MAX_DEPTH {
                (self.note)(format!(
                    "{path}: nested deeper than {MAX_DEPTH}; not opened"
                ));
                return Ok(());
            }
            self.tar(&mut decoder, path, depth + 1)
        } else {
            let (bytes, cut) = self.read_capped(&mut decoder)?;
            if cut {
                (self.note)(format!("{path}: only the first {cap} bytes were scanned"));
            }
            let base = path.rsplit('/').next().unwrap_or(path);
            let inner = c
                .extensions()
                .iter()
                .find_map(|e| base.strip_suffix(e))
                .unwrap_or(base);
            self.member(format!("{path}!/{inner}"), bytes, cut, depth)
        };
        if decoder.hit_cap {
            (self.note)(format!(
                "{path}: inflates past the ratio cap (a compression bomb); read up to {max_out} bytes"
            ));
        }
        result
    }
}

/// Ends a compressed stream at a decoding error (what came before stands), and notes when the output cap
/// (a `Take`) was reached.
struct Tolerant<R> {
    inner: io::Take<R>,
    hit_cap: bool,
    max_out: u64,
}

impl<R: Read> Read for Tolerant<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(0) if !buf.is_empty() && self.inner.limit() == 0 && self.max_out > 0 => {
                self.hit_cap = true;
                Ok(0)
            }
            Err(e) if compress::is_decode_error(&e) => Ok(0),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use warden_archive::tar::testkit::build as tar_of;
    use warden_archive::zip::testkit::{build as zip_of, spec, Spec};

    fn walk(bytes: &[u8], path: &str) -> (Vec<(String, Vec<u8>)>, Vec<String>) {
        let mut members = Vec::new();
        let mut notes = Vec::new();
        {
            let mut visit = |m: Member| members.push((m.path, m.bytes));
            let mut note = |n: String| notes.push(n);
            let mut w = Walker::new(1 << 20, &mut visit, &mut note);
            let k = kind(bytes).expect("an archive");
            w.walk(&mut Cursor::new(bytes), k, path, 0).unwrap();
        }
        (members, notes)
    }

    #[test]
    fn nested_members_are_named_by_their_path() {
        let inner = zip_of(&[spec("app/settings.py", b"TOKEN = 'x'\n")], b"", b"");
        let whl = zip_of(
            &[
                spec("pkg/__init__.py", b""),
                Spec {
                    deflate: true,
                    ..spec("pkg/vendor/lib.whl", &inner)
                },
            ],
            b"",
            b"",
        );
        let tar = tar_of(&[("./dist/app.whl", &whl), ("README", b"hello")]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        let gz = gz.finish().unwrap();
        let (members, notes) = walk(&gz, "release.tar.gz");
        let names: Vec<&str> = members.iter().map(|(p, _)| p.as_str()).collect();
        assert!(
            names.contains(&"release.tar.gz!/dist/app.whl!/pkg/vendor/lib.whl!/app/settings.py"),
            "{names:?} {notes:?}"
        );
        assert!(names.contains(&"release.tar.gz!/README"));
    }

    #[test]
    fn bombs_and_depth_are_notes() {
        let big = vec![b'a'; 8 << 20];
        let bomb = zip_of(
            &[Spec {
                deflate: true,
                ..spec("a.txt", &big)
            }],
            b"",
            b"",
        );
        let (members, notes) = walk(&bomb, "bomb.zip");
        assert_eq!(members.len(), 1);
        assert!(members[0].1.len() <= 1 << 20);
        assert!(
            notes
                .iter()
                .any(|n| n.contains("ratio") || n.contains("first")),
            "{notes:?}"
        );
        let mut z = zip_of(&[spec("k.txt", b"key")], b"", b"");
        for _ in 0..MAX_DEPTH + 1 {
            z = zip_of(&[spec("n.zip", &z)], b"", b"");
        }
        let (members, notes) = walk(&z, "deep.zip");
        assert!(members.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("nested deeper")),
            "{notes:?}"
        );
    }

    #[test]
    fn tars_in_every_compression() {
        use std::io::Write;
        let tar = tar_of(&[("etc/app.conf", b"password = x\n")]);
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(&tar).unwrap();
        let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 1);
        xz.write_all(&tar).unwrap();
        let zst = ruzstd::encoding::compress_to_vec(
            &tar[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        for (data, name) in [
            (bz.finish().unwrap(), "a.tar.bz2"),
            (xz.finish().unwrap(), "a.tar.xz"),
            (zst, "a.tar.zst"),
        ] {
            let (members, notes) = walk(&data, name);
            assert_eq!(members.len(), 1, "{name}: {notes:?}");
            assert_eq!(members[0].0, format!("{name}!/etc/app.conf"));
        }
    }

    #[test]
    fn a_single_gzipped_file_is_one_member() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, b"password=1\n").unwrap();
        let (members, _) = walk(&gz.finish().unwrap(), "logs/app.log.gz");
        assert_eq!(members[0].0, "logs/app.log.gz!/app.log");
        assert_eq!(members[0].1, b"password=1\n");
    }

    proptest::proptest! {
        #[test]
        fn damaged_archives_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..3000), cut in 0usize..3000, flip in 0usize..3000) {
            let z = zip_of(&[spec("a/b.txt", &data[..data.len().min(200)]), spec("c.zip", &zip_of(&[spec("d", b"x")], b"", b""))], b"", b"");
            let t = tar_of(&[("x/y", &data[..data.len().min(700)])]);
            for base in [z, t, data.clone()] {
                for magic in [&b""[..], b"PK\x03\x04", b"\x1f\x8b\x08", b"BZh9", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd"] {
                    let mut b = [magic, &base[..]].concat();
                    if !b.is_empty() {
                        let i = flip % b.len();
                        b[i] ^= 0x55;
                        b.truncate(cut.max(1).min(b.len()));
                    }
                    if let Some(k) = kind(&b) {
                        let mut visit = |_m: Member| {};
                        let mut note = |_n: String| {};
                        let mut w = Walker::new(1 << 16, &mut visit, &mut note);
                        let _ = w.walk(&mut Cursor::new(&b), k, "f", 0);
                    }
                }
            }
        }
    }
}
