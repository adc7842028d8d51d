//! Lockfiles and manifests, one module per ecosystem family. [`parse`] picks the reader by file name; each
//! family's `parse` answers `None` for a name it does not read.

pub(crate) mod json;
pub mod npm;
pub mod other;
pub mod python;

use crate::Package;

/// A file that could not be read as what its name says: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LockError {
    /// 1-based; 1 when the format gives no better place.
    pub line: u32,
    pub message: String,
}

impl LockError {
    pub fn new(line: u32, message: impl Into<String>) -> Self {
        LockError {
            line,
            message: message.into(),
        }
    }
}

/// What one file says. `includes` are other files the reader needs (a requirements file's `-r other.txt`),
/// resolved relative to this one; `read` hands them over when it can.
pub struct Input<'a> {
    /// Relative, `/`-separated.
    pub path: &'a str,
    pub text: &'a str,
    pub read: &'a dyn Fn(&str) -> Option<String>,
}

/// The packages of a lockfile or manifest, or `None` when warden reads no such file.
pub fn parse(input: &Input) -> Option<Result<Vec<Package>, LockError>> {
    npm::parse(input)
        .or_else(|| python::parse(input))
        .or_else(|| other::parse(input))
}

/// The file name part of a path.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> u32 {
    let offset = offset.min(text.len());
    (memchr_count(&text.as_bytes()[..offset]) + 1) as u32
}

/// 1-based line of a 0-based line index.
pub fn line_of_index(index: usize) -> u32 {
    u32::try_from(index.saturating_add(1)).unwrap_or(u32::MAX)
}

fn memchr_count(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}
