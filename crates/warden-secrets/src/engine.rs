//! Matching: one pass of the keyword prefilter ([`crate::prefilter`]) finds every rule keyword; each rule's regex then runs only on windows
//! around its keywords' hits (the enclosing line, or a wider span for multi-line rules). The regex never sees
//! the rest of the file, which is what keeps hundreds of rules as cheap as one pass over the bytes.

use crate::filters;
use crate::prefilter::KeywordSet;
use crate::rules::{RuleDef, RuleError, UNLESS_NEAR_BYTES};
use regex::bytes::{Regex, RegexBuilder};
use regex_syntax::hir::{Class, Hir, HirKind};
use std::ops::Range;
use std::sync::OnceLock;
use warden_core::RuleMeta;

const BEFORE: usize = 1024;
const AFTER: usize = 4096;
const AFTER_MULTILINE: usize = 16 * 1024;

pub struct CompiledRule {
    pub def: RuleDef,
    pub meta: RuleMeta,
    /// Compiled on first use: most rules never see their keyword in a given run, and compiling all of them
    /// up front (~250 ms on one core) would cost more than scanning a small repository. [`Engine::new`] has
    /// proven that compiling cannot fail.
    regex: OnceLock<(Regex, usize)>,
    /// `generic-*` rules yield to any specific rule that matched the same bytes.
    pub fallback: bool,
    /// The files the rule applies to, if restricted.
    paths: Option<globset::GlobSet>,
    /// The files where it stays silent.
    unless_paths: Option<globset::GlobSet>,
    /// Where a `stored` rule's format is proven by the file name (see `RuleDef::format_paths`).
    format_paths: Option<globset::GlobSet>,
}

impl CompiledRule {
    /// The rule's regex (ASCII semantics: `\w`, `\b`, `(?i)` are ASCII-only, which is what token formats
    /// need and is several times cheaper to build and run), and the group that holds the secret.
    /// Always `Some`: a pattern that could fail to compile is rejected by [`Engine::new`].
    pub fn regex(&self) -> Option<&(Regex, usize)> {
        Some(self.regex.get_or_init(|| {
            compile(&self.def.pattern).expect("Engine::new proved the pattern compiles")
        }))
    }
}

/// The regex crate's limit on a compiled pattern's NFA, in bytes of heap.
const SIZE_LIMIT: usize = 32 << 20;

fn compile(pattern: &str) -> Result<(Regex, usize), regex::Error> {
    let re = RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(SIZE_LIMIT)
        .build()?;
    let group = re
        .capture_names()
        .position(|n| n == Some("secret"))
        .unwrap_or(if re.captures_len() > 1 { 1 } else { 0 });
    Ok((re, group))
}

/// An upper bound on the heap of a Thompson NFA compiled from `hir` (forward with captures, or reverse),
/// about twice what regex-automata's builder counts: every state at 64 bytes (it takes 32), every byte-range
/// transition and union branch at 16 (8 and 4), repetitions compiled as one copy per allowed count. Once a
/// pattern parses, exceeding the size limit is the only way its compilation can fail.
fn nfa_bytes_bound(hir: &Hir) -> usize {
    const STATE: usize = 64;
    const EDGE: usize = 16;
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => STATE,
        HirKind::Literal(lit) => (lit.0.len() + 1) * STATE,
        HirKind::Class(Class::Bytes(c)) => 2 * STATE + c.ranges().len() * EDGE,
        // UTF-8 sequences: up to four bytes and several sequences per range.
        HirKind::Class(Class::Unicode(c)) => (c.ranges().len() * 64).saturating_mul(STATE + EDGE),
        HirKind::Repetition(r) => {
            let copies = r.max.unwrap_or(r.min).max(r.min).max(1) as usize;
            copies
                .saturating_mul(nfa_bytes_bound(&r.sub).saturating_add(2 * STATE + 2 * EDGE))
                .saturating_add(2 * STATE)
        }
        HirKind::Capture(c) => nfa_bytes_bound(&c.sub).saturating_add(2 * STATE),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().fold(3 * STATE, |acc, h| {
                acc.saturating_add(nfa_bytes_bound(h)).saturating_add(EDGE)
            })
        }
    }
}

/// One accepted match: `secret` is the credential's byte range, `whole` the regex match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub rule: usize,
    pub secret: Range<usize>,
    pub whole: Range<usize>,
    /// For formats with a built-in checksum: whether it holds.
    pub checksum: Option<bool>,
    /// A stored password that the ordinary password check would call weak or a stand-in.
    pub weak: bool,
    /// Matched where the rule's `unless_paths`/`unless_near` say the value is public: never reported, but it
    /// still keeps `generic-*` rules off the value.
    pub silenced: bool,
}

pub struct Engine {
    pub rules: Vec<CompiledRule>,
    keywords: KeywordSet,
    /// Keyword index → the rules that use it.
    keyword_rules: Vec<Vec<u32>>,
    /// Keyword index → the rules it silences nearby (`unless_near`); found in the same prefilter pass.
    keyword_silences: Vec<Vec<u32>>,
    /// Rules without keywords: they run on the whole of each file their `paths` select.
    path_only: Vec<u32>,
}

/// Largest file a keyword-less, path-selected rule reads whole.
const PATH_RULE_MAX: usize = 64 * 1024;

impl Engine {
    pub fn new(defs: Vec<RuleDef>) -> Result<Self, RuleError> {
        let mut rules = Vec::with_capacity(defs.len());
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
        let mut keyword_silences: Vec<Vec<u32>> = Vec::new();
        let mut path_only = Vec::new();
        for def in defs {
            // Parse now (cheap) so a broken pattern fails loudly; compile later (costly), unless the size bound
            // cannot rule out that compiling fails: then compile now, and keep the result.
            let pattern_error = |message: String| RuleError::Pattern {
                id: def.id.clone(),
                message,
            };
            let hir = regex_syntax::ParserBuilder::new()
                .unicode(false)
                .utf8(false)
                .build()
                .parse(&def.pattern)
                .map_err(|e| pattern_error(e.to_string()))?;
            let regex = OnceLock::new();
            // The fixed part of every NFA: the unanchored prefix, group 0, the match state.
            if nfa_bytes_bound(&hir).saturating_add(4096) > SIZE_LIMIT {
                let compiled = compile(&def.pattern).map_err(|e| pattern_error(e.to_string()))?;
                let _ = regex.set(compiled);
            }
            if (def.keywords.is_empty() && def.paths.is_empty())
                || def.keywords.iter().any(|k| k.len() < 3)
            {
                return Err(RuleError::Invalid {
                    id: def.id.clone(),
                    message: "needs keywords of 3 or more bytes, or paths".into(),
                });
            }
            if let Some(v) = &def.verify {
                if !crate::verify::url_allowed(&v.url)
                    || !matches!(v.method.as_str(), "GET" | "POST")
                {
                    return Err(RuleError::Invalid {
                        id: def.id.clone(),
                        message: "verify needs an https:// URL (http:// only to a loopback host) and GET or POST"
                            .into(),
                    });
                }
            }
            if def.unless_near.iter().any(|k| k.len() < 3) {
                return Err(RuleError::Invalid {
                    id: def.id.clone(),
                    message: "unless_near literals need 3 or more bytes".into(),
                });
            }
            let paths = glob_set(&def.id, "paths", &def.paths)?;
            let unless_paths = glob_set(&def.id, "unless_paths", &def.unless_paths)?;
            let format_paths = glob_set(&def.id, "format_paths", &def.format_paths)?;
            let idx = rules.len() as u32;
            // A structured rule is found by its reader, never by the keyword pass.
            let searched = def.structured.is_none();
            if def.keywords.is_empty() && searched {
                path_only.push(idx);
            }
            let keywords_used: &[String] = if searched { &def.keywords } else { &[] };
            let uses = keywords_used.iter().map(|k| (k, false));
            for (k, silences) in uses.chain(def.unless_near.iter().map(|k| (k, true))) {
                let k = k.to_ascii_lowercase();
                let p = keywords.iter().position(|x| *x == k).unwrap_or_else(|| {
                    keywords.push(k);
                    keyword_rules.push(Vec::new());
                    keyword_silences.push(Vec::new());
                    keywords.len() - 1
                });
                if silences {
                    keyword_silences[p].push(idx);
                } else {
                    keyword_rules[p].push(idx);
                }
            }
            let fallback = def.id.starts_with("generic-");
            rules.push(CompiledRule {
                meta: def.meta(),
                def,
                regex,
                fallback,
                paths,
                unless_paths,
                format_paths,
            });
        }
        let keywords = KeywordSet::new(&keywords);
        Ok(Engine {
            rules,
            keywords,
            keyword_rules,
            keyword_silences,
            path_only,
        })
    }

    /// Every accepted match in `text` (the contents of `path`), at most one per rule and secret span, with
    /// overlaps resolved.
    pub fn find(&self, path: &str, text: &[u8]) -> Vec<Found> {
        let applies = |r: u32| {
            self.rules[r as usize]
                .paths
                .as_ref()
                .is_none_or(|g| g.is_match(path))
        };
        let mut hits: Vec<(u32, usize, usize)> = Vec::new();
        let mut near: Vec<(u32, usize)> = Vec::new();
        self.keywords.for_each_match(text, |k, start, end| {
            for &r in &self.keyword_rules[k] {
                hits.push((r, start, end));
            }
            for &r in &self.keyword_silences[k] {
                near.push((r, start));
            }
        });
        near.sort_unstable();
        let scope = Scope {
            path,
            text,
            near: &near,
        };
        let mut found = Vec::new();
        if text.len() <= PATH_RULE_MAX {
            for &r in &self.path_only {
                if applies(r) {
                    self.match_window(r as usize, &scope, 0..text.len(), &mut found);
                }
            }
        }
        hits.retain(|h| applies(h.0));
        if hits.is_empty() {
            return self.resolve_overlaps(found);
        }
        hits.sort_unstable();

        let mut i = 0;
        while i < hits.len() {
            let rule_idx = hits[i].0;
            let rule = &self.rules[rule_idx as usize];
            let mut window: Option<Range<usize>> = None;
            while i < hits.len() && hits[i].0 == rule_idx {
                let w = window_for(text, hits[i].1, hits[i].2, rule.def.multiline);
                window = match window {
                    Some(cur) if w.start <= cur.end => Some(cur.start..cur.end.max(w.end)),
                    Some(cur) => {
                        self.match_window(rule_idx as usize, &scope, cur, &mut found);
                        Some(w)
                    }
                    None => Some(w),
                };
                i += 1;
            }
            if let Some(w) = window {
                self.match_window(rule_idx as usize, &scope, w, &mut found);
            }
        }
        self.resolve_overlaps(found)
    }

    fn match_window(
        &self,
        rule_idx: usize,
        scope: &Scope,
        window: Range<usize>,
        out: &mut Vec<Found>,
    ) {
        let text = scope.text;
        let rule = &self.rules[rule_idx];
        let Some((regex, secret_group)) = rule.regex() else {
            return;
        };
        let base = window.start;
        let slice = &text[window];
        for caps in regex.captures_iter(slice) {
            let whole = caps.get(0).expect("group 0 always matches");
            let Some(secret) = caps
                .get(*secret_group)
                .or(Some(whole))
                .filter(|s| !s.is_empty())
            else {
                continue;
            };
            let value = secret.as_bytes();
            // The format is proven by the rule's own `paths`, or by a `format_paths` file name; elsewhere a
            // stored-password rule is an ordinary password rule.
            let stored = rule.def.validate == Some(crate::rules::Validator::Stored)
                && (rule.paths.is_some()
                    || rule
                        .format_paths
                        .as_ref()
                        .is_some_and(|g| g.is_match(scope.path)));
            let dropped = if stored {
                filters::stored_placeholder(value)
            } else {
                filters::looks_like_placeholder(value)
                    || filters::is_public_doc_value(value)
                    || filters::contains_well_known_hash(value)
                    || !filters::passes_entropy(value, rule.def.min_entropy)
            };
            if dropped {
                continue;
            }
            let weak = stored
                && (!filters::password(value, None)
                    || !filters::passes_entropy(value, None)
                    || filters::looks_like_placeholder(value));
            let validator = match rule.def.validate {
                Some(crate::rules::Validator::Stored) if !stored => {
                    Some(crate::rules::Validator::Password)
                }
                v => v,
            };
            if let Some(v) = validator {
                let after = slice
                    .get(whole.end())
                    .copied()
                    .or_else(|| text.get(base + whole.end()).copied());
                let after = if secret.end() < whole.end() {
                    after
                } else {
                    slice.get(secret.end()).copied()
                };
                let line_start = base + whole.start();
                let from =
                    memchr::memrchr(b'\n', &text[line_start.saturating_sub(256)..line_start])
                        .map_or(line_start.saturating_sub(256), |i| {
                            line_start.saturating_sub(256) + i + 1
                        });
                let m = filters::MatchContext {
                    line_before: &text[from..line_start],
                    before: &slice[whole.start()..secret.start()],
                    secret: value,
                    rest: &slice[secret.end()..whole.end()],
                    after,
                };
                if !filters::validate(v, &m) {
                    continue;
                }
            }
            out.push(Found {
                rule: rule_idx,
                secret: base + secret.start()..base + secret.end(),
                whole: base + whole.start()..base + whole.end(),
                checksum: rule.def.checksum.map(|c| filters::checksum_holds(c, value)),
                weak,
                silenced: scope.silenced(rule_idx, rule, base + whole.start()..base + whole.end()),
            });
        }
    }

    /// One credential, one finding. A specific rule beats a `generic-*` one anywhere they overlap, even when
    /// it is silenced (the value is known to be public). Among
    /// specific rules, when one secret span contains another (`"private_key": "-----BEGIN…\\n"` and the PEM
    /// inside it), the longer match (more context: `gemini_api_key = AIza…` over a bare `AIza…`) wins, then the
    /// higher confidence. Disjoint or merely overlapping spans all stay.
    fn resolve_overlaps(&self, mut found: Vec<Found>) -> Vec<Found> {
        found.sort_by_key(|f| (f.secret.start, f.secret.end, f.rule));
        found.dedup_by(|a, b| a.rule == b.rule && a.secret == b.secret);
        let fallback = |f: &Found| self.rules[f.rule].fallback;
        // Matches are sorted by start, so the partners of `i` that overlap it are the `j > i` that start
        // before `i` ends: a sweep, not every pair (a minified file can hold thousands of matches).
        let overlapping = |found: &[Found], visit: &mut dyn FnMut(usize, usize)| {
            for i in 0..found.len() {
                for j in i + 1..found.len() {
                    if found[j].secret.start >= found[i].secret.end {
                        break;
                    }
                    visit(i, j);
                }
            }
        };
        let mut dropped = vec![false; found.len()];
        overlapping(
            &found,
            &mut |i, j| match (fallback(&found[i]), fallback(&found[j])) {
                (true, false) => dropped[i] = true,
                (false, true) => dropped[j] = true,
                _ => {}
            },
        );
        let mut keep = dropped.iter().map(|d| !d);
        found.retain(|f| keep.next().unwrap_or(true) && !f.silenced);

        let rank = |f: &Found| {
            (
                f.whole.len(),
                self.rules[f.rule].def.confidence,
                std::cmp::Reverse(f.rule),
            )
        };
        let contains = |outer: &Range<usize>, inner: &Range<usize>| {
            outer.start <= inner.start && inner.end <= outer.end
        };
        let mut dropped = vec![false; found.len()];
        overlapping(&found, &mut |i, j| {
            let (f, g) = (&found[i], &found[j]);
            if contains(&f.secret, &g.secret) || contains(&g.secret, &f.secret) {
                match rank(f).cmp(&rank(g)) {
                    std::cmp::Ordering::Less => dropped[i] = true,
                    std::cmp::Ordering::Greater => dropped[j] = true,
                    std::cmp::Ordering::Equal => {}
                }
            }
        });
        let mut keep = dropped.iter().map(|d| !d);
        found.retain(|_| keep.next().unwrap_or(true));
        found
    }
}

/// The file being matched, and where `unless_near` literals occur in it: `(rule, start)`, sorted.
struct Scope<'a> {
    path: &'a str,
    text: &'a [u8],
    near: &'a [(u32, usize)],
}

impl Scope<'_> {
    /// Whether the rule is silent in this file, or one of its `unless_near` literals starts close to `whole`
    /// (a binary search, not a rescan).
    fn silenced(&self, idx: usize, rule: &CompiledRule, whole: Range<usize>) -> bool {
        if rule
            .unless_paths
            .as_ref()
            .is_some_and(|g| g.is_match(self.path))
        {
            return true;
        }
        if rule.def.unless_near.is_empty() {
            return false;
        }
        let rule = idx as u32;
        let lo = whole.start.saturating_sub(UNLESS_NEAR_BYTES);
        let i = self.near.partition_point(|&(r, s)| (r, s) < (rule, lo));
        self.near
            .get(i)
            .is_some_and(|&(r, s)| r == rule && s <= whole.end + UNLESS_NEAR_BYTES)
    }
}

fn glob_set(
    id: &str,
    field: &str,
    globs: &[String],
) -> Result<Option<globset::GlobSet>, RuleError> {
    if globs.is_empty() {
        return Ok(None);
    }
    let invalid = |e: globset::Error| RuleError::Invalid {
        id: id.to_string(),
        message: format!("{field}: {e}"),
    };
    let mut b = globset::GlobSetBuilder::new();
    for p in globs {
        // `config/master.key` matches at any depth; `/config/master.key` only at the root.
        let glob = match p.strip_prefix('/') {
            Some(anchored) => anchored.to_string(),
            None => format!("**/{p}"),
        };
        b.add(globset::Glob::new(&glob).map_err(invalid)?);
    }
    b.build().map(Some).map_err(invalid)
}

/// The part of `text` a rule's regex sees for a keyword hit at `start..end`.
fn window_for(text: &[u8], start: usize, end: usize, multiline: bool) -> Range<usize> {
    let lo = start.saturating_sub(BEFORE);
    let w_start = memchr::memrchr(b'\n', &text[lo..start]).map_or(lo, |i| lo + i + 1);
    let w_end = if multiline {
        (end + AFTER_MULTILINE).min(text.len())
    } else {
        let hi = (end + AFTER).min(text.len());
        memchr::memchr(b'\n', &text[end..hi]).map_or(hi, |i| end + i)
    };
    w_start..w_end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_bound_keeps_every_embedded_rule_lazy_and_holds() {
        let parse = |p: &str| {
            regex_syntax::ParserBuilder::new()
                .unicode(false)
                .utf8(false)
                .build()
                .parse(p)
                .unwrap()
        };
        for (_, d) in crate::rules::embedded_rules().unwrap() {
            let bound = nfa_bytes_bound(&parse(&d.pattern));
            assert!(bound < SIZE_LIMIT, "{}: bound {bound}", d.id);
        }
        // Patterns under and over the limit: where compiling fails, the bound must say so.
        let mut failed = 0;
        for n in [10_000, 100_000, 300_000] {
            let p = format!(r"\w{{{n}}}x{{1,3}}(?:ab|[0-9]){{2,{n}}}");
            if compile(&p).is_err() {
                failed += 1;
                assert!(nfa_bytes_bound(&parse(&p)) > SIZE_LIMIT, "{p}");
            }
        }
        assert!(failed > 0, "some pattern should exceed the limit");
    }

    #[test]
    fn windows_stop_at_lines() {
        let text = b"first line\nkey = sk-abc\nlast";
        let w = window_for(text, 11, 14, false);
        assert_eq!(&text[w], b"key = sk-abc");
        let w = window_for(text, 11, 14, true);
        assert_eq!(&text[w], b"key = sk-abc\nlast");
    }
}
