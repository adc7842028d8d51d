//! Resolved names and the patterns rules write for them.
//!
//! A resolved path is a list of segments: `subprocess.run` is `["subprocess", "run"]`, a call's result adds
//! `()` to its last segment (`openai.OpenAI().chat.completions.create`), and JavaScript and Go module specifiers
//! are one segment each (`["os/exec", "Command"]`, `["child_process", "exec"]`).
//!
//! Patterns: segments separated by `.`; `*` is any one segment, `**` any number (also none). A literal segment
//! matches the name with or without `()`; `name()` only a call's result. When the module contains dots or
//! slashes it is written before a `:` (`gopkg.in/yaml.v3:Unmarshal`), or, for slash paths without dots in the last
//! element, plainly (`os/exec.Command`, `github.com/gin-gonic/gin.Context.Query`: the module ends at the first
//! `.` after the last `/`).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Lit {
        name: String,
        call: bool,
    },
    /// `langchain_*`, `@langchain/*`: a segment starting with the text.
    Prefix(String),
    One,
    Many,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    segs: Vec<Seg>,
    text: String,
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn lit(s: &str) -> Seg {
    match s {
        "*" => Seg::One,
        "**" => Seg::Many,
        _ if s.len() > 1 && s.ends_with('*') => Seg::Prefix(s[..s.len() - 1].to_string()),
        _ => match s.strip_suffix("()") {
            Some(n) => Seg::Lit {
                name: n.to_string(),
                call: true,
            },
            None => Seg::Lit {
                name: s.to_string(),
                call: false,
            },
        },
    }
}

impl Pattern {
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("empty pattern".into());
        }
        let (module, rest) = if let Some((m, r)) = t.split_once(':') {
            (Some(m), r)
        } else if let Some(slash) = t
            .rfind('/')
            .filter(|_| !t.contains("**/") && !t.ends_with("/*"))
        {
            match t[slash..].find('.') {
                Some(dot) => (Some(&t[..slash + dot]), &t[slash + dot + 1..]),
                None => (Some(t), ""),
            }
        } else {
            (None, t)
        };
        let mut segs = Vec::new();
        if let Some(m) = module {
            segs.push(lit(m));
        }
        if !rest.is_empty() {
            for s in rest.split('.') {
                if s.is_empty() {
                    return Err(format!("empty segment in `{text}`"));
                }
                segs.push(lit(s));
            }
        }
        Ok(Pattern {
            segs,
            text: t.to_string(),
        })
    }

    /// The whole path matches.
    pub fn matches(&self, path: &[String]) -> bool {
        match_from(&self.segs, path, false)
    }

    /// The path starts with something the pattern matches (`flask.request.args` matches
    /// `flask.request.args.get()`).
    pub fn matches_prefix(&self, path: &[String]) -> bool {
        match_from(&self.segs, path, true)
    }

    /// The name the last segment must have (`create` in `openai.**.chat.completions.create`), when it is a
    /// literal: what indexes patterns by the call they can match.
    pub fn last_key(&self) -> Option<&str> {
        match self.segs.last()? {
            Seg::Lit { name, .. } => Some(name.as_str()),
            _ => None,
        }
    }

    /// The last literal segment: a keyword the source text must hold for the pattern to match.
    pub fn last_literal(&self) -> Option<&str> {
        self.segs.iter().rev().find_map(|s| match s {
            Seg::Lit { name, .. } => Some(name.as_str()),
            _ => None,
        })
    }
}

fn seg_matches(p: &Seg, s: &str) -> bool {
    match p {
        Seg::One | Seg::Many => true,
        Seg::Prefix(p) => s.starts_with(p.as_str()),
        Seg::Lit { name, call } => match s.strip_suffix("()") {
            Some(bare) => bare == name,
            None => !call && s == name,
        },
    }
}

fn match_from(pat: &[Seg], path: &[String], prefix: bool) -> bool {
    match pat.split_first() {
        None => prefix || path.is_empty(),
        Some((Seg::Many, rest)) => (0..=path.len()).any(|i| match_from(rest, &path[i..], prefix)),
        Some((p, rest)) => match path.split_first() {
            Some((s, tail)) => seg_matches(p, s) && match_from(rest, tail, prefix),
            None => false,
        },
    }
}

/// A set of patterns.
#[derive(Debug, Clone, Default)]
pub struct Patterns(pub Vec<Pattern>);

impl Patterns {
    pub fn parse(list: &[String]) -> Result<Patterns, String> {
        list.iter()
            .map(|s| Pattern::parse(s))
            .collect::<Result<_, _>>()
            .map(Patterns)
    }

    pub fn matches(&self, path: &[String]) -> bool {
        self.0.iter().any(|p| p.matches(path))
    }

    pub fn matches_prefix(&self, path: &[String]) -> bool {
        self.0.iter().any(|p| p.matches_prefix(path))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A path as dotted text for messages.
pub fn show(path: &[String]) -> String {
    path.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<String> {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn patterns() {
        let pat = Pattern::parse("openai.**.chat.completions.create").unwrap();
        assert!(pat.matches(&p("openai.OpenAI().chat.completions.create")));
        assert!(pat.matches(&p("openai.chat.completions.create")));
        assert!(!pat.matches(&p("openai.OpenAI().chat.completions")));
        let pat = Pattern::parse("flask.request.args").unwrap();
        assert!(pat.matches_prefix(&p("flask.request.args.get()")));
        assert!(!pat.matches(&p("flask.request.args.get()")));
        let pat = Pattern::parse("input()").unwrap();
        assert!(pat.matches(&p("input()")) && !pat.matches(&p("input")));
        let go = Pattern::parse("os/exec.Command").unwrap();
        assert!(go.matches(&["os/exec".to_string(), "Command()".to_string()]));
        let gin = Pattern::parse("github.com/gin-gonic/gin.Context.Query").unwrap();
        assert!(gin.matches(&[
            "github.com/gin-gonic/gin".into(),
            "Context".into(),
            "Query".into()
        ]));
        let yaml = Pattern::parse("gopkg.in/yaml.v3:Unmarshal").unwrap();
        assert!(yaml.matches(&["gopkg.in/yaml.v3".into(), "Unmarshal".into()]));
        let mod_only = Pattern::parse("net/http").unwrap();
        assert!(mod_only.matches_prefix(&["net/http".into(), "Get".into()]));
        assert!(Pattern::parse("a..b").is_err());
    }

    proptest::proptest! {
        /// Any text either parses or is refused, never a panic; a parsed pattern without wildcards matches the
        /// dotted name it spells, and `**.` before a name matches it under any prefix.
        #[test]
        fn patterns_parse_and_match_their_own_names(text in "\\PC{0,40}", name in "[a-z_][a-z0-9_]{0,8}(\\.[a-z_][a-z0-9_]{0,8}){0,4}") {
            let _ = Pattern::parse(&text);
            let p = Pattern::parse(&name).unwrap();
            proptest::prop_assert!(p.matches(&name.split('.').map(str::to_string).collect::<Vec<_>>()));
            let last = name.rsplit('.').next().unwrap();
            let any = Pattern::parse(&format!("**.{last}")).unwrap();
            proptest::prop_assert!(any.matches(&p_with_prefix(&name)));
        }
    }

    fn p_with_prefix(name: &str) -> Vec<String> {
        let mut v = vec!["root".to_string()];
        v.extend(name.split('.').map(str::to_string));
        v
    }
}
