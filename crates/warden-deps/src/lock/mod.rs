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

// ---------------------------------------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------------------------------------

pub(crate) struct UrlParts<'a> {
    pub(crate) scheme: &'a str,
    pub(crate) userinfo: Option<&'a str>,
    /// Host and port, as written.
    pub(crate) hostport: &'a str,
    pub(crate) host: &'a str,
    /// Path, query and fragment, as written.
    pub(crate) rest: &'a str,
}

pub(crate) fn split_url(s: &str) -> Option<UrlParts<'_>> {
    let (scheme, after) = s.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return None;
    }
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let host = if hostport.starts_with('[') {
        hostport.split_inclusive(']').next().unwrap_or(hostport)
    } else {
        hostport.split(':').next().unwrap_or(hostport)
    };
    Some(UrlParts {
        scheme,
        userinfo,
        hostport,
        host,
        rest,
    })
}

/// A URL without its credentials, the one rule every reader and message uses: a `user:password@` is dropped, and
/// so is any bare `token@` except an SSH user (`ssh://git@`, `git+ssh://git@`: a login name, no secret); query
/// parameters named like tokens, keys, signatures or passwords go too. Text that is not a URL is returned as is.
pub(crate) fn strip_credentials(url: &str) -> String {
    let Some(u) = split_url(url) else {
        return url.to_string();
    };
    let ssh = u.scheme.to_ascii_lowercase().ends_with("ssh");
    let user = u.userinfo.filter(|i| !i.contains(':') && ssh);
    let mut out = String::with_capacity(url.len());
    out.push_str(u.scheme);
    out.push_str("://");
    if let Some(user) = user {
        out.push_str(user);
        out.push('@');
    }
    out.push_str(u.hostport);
    let (before_fragment, fragment) = match u.rest.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (u.rest, None),
    };
    match before_fragment.split_once('?') {
        Some((path, query)) => {
            out.push_str(path);
            let kept: Vec<&str> = query
                .split('&')
                .filter(|pair| {
                    let key = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
                    ![
                        "token",
                        "auth",
                        "key",
                        "sig",
                        "pass",
                        "secret",
                        "credential",
                    ]
                    .iter()
                    .any(|w| key.contains(w))
                })
                .collect();
            if !kept.is_empty() {
                out.push('?');
                out.push_str(&kept.join("&"));
            }
        }
        None => out.push_str(before_fragment),
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

fn memchr_count(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::strip_credentials as strip;

    #[test]
    fn one_rule_strips_credentials_from_every_kind_of_url() {
        for (url, want) in [
            ("https://u:p@host/simple", "https://host/simple"),
            ("https://token@host/x@y", "https://host/x@y"),
            (
                "git+https://token@github.com/a/b.git#v1",
                "git+https://github.com/a/b.git#v1",
            ),
            (
                "ssh://git@github.com/a/b.git",
                "ssh://git@github.com/a/b.git",
            ),
            (
                "git+ssh://git@github.com/a/b.git",
                "git+ssh://git@github.com/a/b.git",
            ),
            ("git+ssh://u:p@host/a", "git+ssh://host/a"),
            ("git://token@host/a", "git://host/a"),
            ("https://host/x.tgz?token=abc&v=1", "https://host/x.tgz?v=1"),
            (
                "https://host/x.tgz?X-Amz-Signature=abc",
                "https://host/x.tgz",
            ),
            ("no-scheme@host", "no-scheme@host"),
            ("https://[::1]:8080/p", "https://[::1]:8080/p"),
        ] {
            assert_eq!(strip(url), want, "{url}");
        }
    }
}
