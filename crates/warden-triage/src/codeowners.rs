//! CODEOWNERS, as GitHub and GitLab read it: the file at `.github/CODEOWNERS`, `CODEOWNERS` or
//! `docs/CODEOWNERS` (the first that exists); each line a gitignore-style pattern and its owners; the last
//! matching line wins. GitLab's `[Section]` headers are skipped (their lines still count).

use globset::{Glob, GlobMatcher};

/// Where CODEOWNERS may live, in the order GitHub looks.
pub const LOCATIONS: &[&str] = &[
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

#[derive(Debug)]
struct Rule {
    matchers: Vec<GlobMatcher>,
    owners: Vec<String>,
    line: u32,
}

/// A parsed CODEOWNERS file.
#[derive(Debug, Default)]
pub struct CodeOwners {
    rules: Vec<Rule>,
    /// Lines that could not be read, with why (reported, never fatal).
    pub problems: Vec<(u32, String)>,
}

/// The globs a gitignore-style pattern stands for, relative to the repository root.
fn globs(pattern: &str) -> Vec<String> {
    let anchored = pattern.starts_with('/');
    let p = pattern.trim_start_matches('/');
    let dir = p.ends_with('/');
    let p = p.trim_end_matches('/');
    if p.is_empty() {
        return vec!["**".into()];
    }
    // A pattern with a slash inside is relative to the root; without one it matches at any depth.
    let base = if anchored || p.contains('/') {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    if dir {
        vec![format!("{base}/**")]
    } else {
        // `docs` matches the file `docs` and everything under a directory `docs`.
        vec![base.clone(), format!("{base}/**")]
    }
}

impl CodeOwners {
    pub fn parse(text: &str) -> CodeOwners {
        let mut out = CodeOwners::default();
        for (i, raw) in text.lines().enumerate() {
            let line = i as u32 + 1;
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') || (l.starts_with('[') || l.starts_with("^[")) {
                continue;
            }
            // `\ ` escapes a space in a path.
            let mut parts = Vec::new();
            let mut cur = String::new();
            let mut chars = l.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '\\' && chars.peek() == Some(&' ') {
                    cur.push(' ');
                    chars.next();
                } else if c.is_whitespace() {
                    if !cur.is_empty() {
                        parts.push(std::mem::take(&mut cur));
                    }
                } else if c == '#' && cur.is_empty() {
                    break;
                } else {
                    cur.push(c);
                }
            }
            if !cur.is_empty() {
                parts.push(cur);
            }
            let Some((pattern, owners)) = parts.split_first() else {
                continue;
            };
            let mut matchers = Vec::new();
            for g in globs(pattern) {
                match Glob::new(&g) {
                    Ok(g) => matchers.push(g.compile_matcher()),
                    Err(e) => out
                        .problems
                        .push((line, format!("pattern `{pattern}`: {e}"))),
                }
            }
            if !matchers.is_empty() {
                out.rules.push(Rule {
                    matchers,
                    owners: owners.to_vec(),
                    line,
                });
            }
        }
        out
    }

    /// The owners of a path and the CODEOWNERS line that names them (the last matching line; a matching line
    /// with no owners means nobody owns it).
    pub fn owners_of(&self, path: &str) -> Option<(&[String], u32)> {
        self.rules
            .iter()
            .rev()
            .find(|r| r.matchers.iter().any(|m| m.is_match(path)))
            .filter(|r| !r.owners.is_empty())
            .map(|r| (r.owners.as_slice(), r.line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_matching_line_wins() {
        let c = CodeOwners::parse(
            "# owners\n* @acme/everyone\n/services/payments/ @acme/payments\n*.tf @acme/platform\ndocs @acme/writers\n\
             /services/payments/legacy.py\n",
        );
        let owners = |p: &str| c.owners_of(p).map(|(o, _)| o.join(" "));
        assert_eq!(owners("README.md").as_deref(), Some("@acme/everyone"));
        assert_eq!(
            owners("services/payments/api.py").as_deref(),
            Some("@acme/payments")
        );
        assert_eq!(owners("infra/main.tf").as_deref(), Some("@acme/platform"));
        assert_eq!(
            owners("services/payments/docs/x.md").as_deref(),
            Some("@acme/writers")
        );
        // A line without owners takes ownership away.
        assert_eq!(owners("services/payments/legacy.py"), None);
        assert_eq!(c.owners_of("infra/main.tf").unwrap().1, 4);
    }

    #[test]
    fn sections_comments_and_escaped_spaces() {
        let c = CodeOwners::parse("[Backend]\n/api/my\\ dir/ @ana # trailing comment\n");
        assert_eq!(c.owners_of("api/my dir/x.go").unwrap().0, ["@ana"]);
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses(text in "(?s).{0,300}", path in "[a-z/._]{0,30}") {
            let c = CodeOwners::parse(&text);
            let _ = c.owners_of(&path);
        }
    }
}
