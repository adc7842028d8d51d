//! Compressed streams around archives or single files (`.tar.gz`, `.tar.bz2`, `.tar.xz`, `.tar.zst`, `.gz`,
//! …), recognised by magic and decoded as streams. Decoders: flate2 (gzip), bzip2 (its pure-Rust backend), liblzma
//! (xz), ruzstd (zstd, pure Rust).

use std::io::{self, Read};

/// A compression format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

impl Compression {
    /// The file extensions that name it.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Compression::Gzip => &[".gz", ".tgz"],
            Compression::Bzip2 => &[".bz2", ".tbz2", ".tbz"],
            Compression::Xz => &[".xz", ".txz"],
            Compression::Zstd => &[".zst", ".zstd", ".tzst"],
        }
    }
}

/// The compression of a stream by its first bytes.
pub fn compression(head: &[u8]) -> Option<Compression> {
    match head {
        [0x1f, 0x8b, 8, ..] => Some(Compression::Gzip),
        [b'B', b'Z', b'h', b'1'..=b'9', ..] => Some(Compression::Bzip2),
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Some(Compression::Xz),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Some(Compression::Zstd),
        _ => None,
    }
}

/// A decoding reader over `r` (concatenated streams decoded as one, as the command-line tools do).
pub fn decoder<'a, R: Read + 'a>(c: Compression, r: R) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match c {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(r)),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(r)),
        Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(r)),
        Compression::Zstd => Box::new(
            ruzstd::decoding::StreamingDecoder::new(r)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?,
        ),
    })
}

/// Whether a read error is the compressed data's fault (corrupt or cut short), not the file system's.
pub fn is_decode_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
    ) || e.kind() == io::ErrorKind::Other && e.get_ref().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn roundtrip(c: Compression, compressed: Vec<u8>) {
        assert_eq!(compression(&compressed), Some(c));
        let mut out = Vec::new();
        decoder(c, &compressed[..])
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"hello, archive\n");
    }

    #[test]
    fn every_format_decodes() {
        let text = b"hello, archive\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text).unwrap();
        roundtrip(Compression::Gzip, gz.finish().unwrap());
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(text).unwrap();
        roundtrip(Compression::Bzip2, bz.finish().unwrap());
        let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 1);
        xz.write_all(text).unwrap();
        roundtrip(Compression::Xz, xz.finish().unwrap());
        let zst = ruzstd::encoding::compress_to_vec(
            &text[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        roundtrip(Compression::Zstd, zst);
    }

    #[test]
    fn corrupt_streams_fail_as_decode_errors() {
        for head in [
            &b"BZh9garbage-garbage"[..],
            b"\xfd7zXZ\x00garbage",
            b"\x28\xb5\x2f\xfdgarbage",
        ] {
            let c = compression(head).unwrap();
            let r = decoder(c, head).and_then(|mut d| d.read_to_end(&mut Vec::new()));
            if let Err(e) = r {
                assert!(is_decode_error(&e), "{c:?}: {e:?}");
            }
        }
    }
}
