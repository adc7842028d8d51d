//! Redacted snippets, built so that a file's cost stays linear in its size plus its findings: each line with
//! hits is redacted once and shared by all its findings, and the other occurrences of matched secrets are
//! found with one automaton per file, not by a search per secret per finding.

use crate::redact::redact;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::HashMap;
use std::ops::Range;

const SNIPPET_MAX: usize = 160;

/// Byte ranges with an overlap query in O(log n).
pub(crate) struct Intervals {
    /// Sorted by start.
    ranges: Vec<Range<usize>>,
    /// `max_end[i]`: the largest end among `ranges[..=i]`.
    max_end: Vec<usize>,
}

impl Intervals {
    pub(crate) fn new(ranges: impl IntoIterator<Item = Range<usize>>) -> Self {
        let mut ranges: Vec<Range<usize>> = ranges.into_iter().collect();
        ranges.sort_by_key(|r| (r.start, r.end));
        let mut max_end = Vec::with_capacity(ranges.len());
        let mut m = 0;
        for r in &ranges {
            m = m.max(r.end);
            max_end.push(m);
        }
        Intervals { ranges, max_end }
    }

    /// Whether some range overlaps `r`.
    pub(crate) fn overlaps(&self, r: &Range<usize>) -> bool {
        let hi = self.ranges.partition_point(|x| x.start < r.end);
        hi > 0 && self.max_end[hi - 1] > r.start
    }

    /// The ranges that overlap `lo..hi` (or touch `lo` when the span is empty), in start order.
    fn within(&self, lo: usize, hi: usize) -> Vec<&Range<usize>> {
        let hi = hi.max(lo + 1);
        let end = self.ranges.partition_point(|x| x.start < hi);
        let begin = self.ranges.partition_point(|x| x.start < lo);
        let mut out: Vec<&Range<usize>> = Vec::new();
        // Ranges that start before the span and reach into it (multi-line secrets): walk back only while the
        // running maximum says one may still reach.
        let mut j = begin;
        while j > 0 && self.max_end[j - 1] > lo {
            j -= 1;
            if self.ranges[j].end > lo {
                out.push(&self.ranges[j]);
            }
        }
        out.reverse();
        out.extend(self.ranges[begin..end].iter());
        out
    }
}

struct Line {
    chars: Vec<char>,
    /// Char index (after the leading whitespace is trimmed) where the redaction of a cut starting at a byte
    /// offset begins.
    focus: HashMap<usize, usize>,
}

/// The snippets of one file.
pub(crate) struct Snippets<'a> {
    bytes: &'a [u8],
    cuts: Intervals,
    secrets: Option<AhoCorasick>,
    lines: HashMap<usize, Line>,
}

impl<'a> Snippets<'a> {
    pub(crate) fn new(
        bytes: &'a [u8],
        cuts: impl IntoIterator<Item = Range<usize>>,
        secrets: &[&[u8]],
    ) -> Self {
        let secrets = (!secrets.is_empty())
            .then(|| {
                // Built per file with findings and searched only on their lines: for the few secrets of a
                // typical file, a DFA's build cost would dominate, so a contiguous NFA; for thousands, the
                // crate's own choice.
                AhoCorasick::builder()
                    .kind((secrets.len() <= 256).then_some(AhoCorasickKind::ContiguousNFA))
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(secrets)
                    .ok()
            })
            .flatten();
        Snippets {
            bytes,
            cuts: Intervals::new(cuts),
            secrets,
            lines: HashMap::new(),
        }
    }

    /// The snippet for a hit at `at` on line number `line` (byte range `range`): the line, every credential
    /// on it redacted, trimmed to at most 160 characters around the hit.
    pub(crate) fn get(&mut self, line: usize, range: Range<usize>, at: usize) -> String {
        let (bytes, cuts, secrets) = (self.bytes, &self.cuts, &self.secrets);
        let l = self
            .lines
            .entry(line)
            .or_insert_with(|| build(bytes, cuts, secrets.as_ref(), range));
        let chars = &l.chars;
        if chars.len() <= SNIPPET_MAX {
            return chars.iter().collect();
        }
        let focus = l.focus.get(&at).copied().unwrap_or(0);
        let start = focus
            .saturating_sub(SNIPPET_MAX / 3)
            .min(chars.len() - SNIPPET_MAX);
        let mut s: String = chars[start..start + SNIPPET_MAX].iter().collect();
        if start > 0 {
            s.insert(0, '…');
        }
        if start + SNIPPET_MAX < chars.len() {
            s.push('…');
        }
        s
    }
}

/// A line with every cut redacted, and where each cut's redaction starts.
fn build(
    bytes: &[u8],
    cuts: &Intervals,
    secrets: Option<&AhoCorasick>,
    line: Range<usize>,
) -> Line {
    let mut out = String::new();
    let mut focus_raw = Vec::new();
    let mut pos = line.start;
    for r in cuts.within(line.start, line.end) {
        let s = r.start.max(line.start);
        if s < pos {
            continue;
        }
        push_plain(bytes, secrets, &mut out, pos..s);
        focus_raw.push((r.start, out.chars().count()));
        out.push_str(&redact(&String::from_utf8_lossy(&bytes[r.clone()])));
        pos = r.end.min(line.end).max(s);
    }
    if pos < line.end {
        push_plain(bytes, secrets, &mut out, pos..line.end);
    }
    let trimmed = out.trim_end_matches('\r');
    let lead = trimmed.chars().take_while(|c| c.is_whitespace()).count();
    Line {
        chars: trimmed.chars().skip(lead).collect(),
        focus: focus_raw
            .into_iter()
            .map(|(at, c)| (at, c.saturating_sub(lead)))
            .collect(),
    }
}

/// Text between cuts, with any other occurrence of a matched secret redacted too.
fn push_plain(bytes: &[u8], secrets: Option<&AhoCorasick>, out: &mut String, range: Range<usize>) {
    let seg = &bytes[range];
    let Some(ac) = secrets else {
        out.push_str(&String::from_utf8_lossy(seg));
        return;
    };
    let mut last = 0;
    for m in ac.find_iter(seg) {
        out.push_str(&String::from_utf8_lossy(&seg[last..m.start()]));
        out.push_str(&redact(&String::from_utf8_lossy(&seg[m.range()])));
        last = m.end();
    }
    out.push_str(&String::from_utf8_lossy(&seg[last..]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_answer_overlaps() {
        let i = Intervals::new([10..20, 0..3, 30..31]);
        assert!(i.overlaps(&(2..5)));
        assert!(i.overlaps(&(19..40)));
        assert!(!i.overlaps(&(3..10)));
        assert!(!i.overlaps(&(20..30)));
        let long = Intervals::new([0..100, 5..6]);
        assert_eq!(long.within(50, 60), vec![&(0..100)]);
        assert_eq!(long.within(5, 6).len(), 2);
    }

    #[test]
    fn overlap_queries_agree_with_checking_every_range() {
        // A small deterministic generator: the fast query against the obvious one, on many random sets.
        let mut x: u64 = 0x9e3779b97f4a7c15;
        let mut next = |m: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m as u64) as usize
        };
        for _ in 0..2000 {
            let ranges: Vec<Range<usize>> = (0..next(8))
                .map(|_| {
                    let s = next(60);
                    s..s + 1 + next(20)
                })
                .collect();
            let i = Intervals::new(ranges.clone());
            let q = {
                let s = next(80);
                s..s + 1 + next(10)
            };
            let naive = ranges.iter().any(|r| r.start < q.end && q.start < r.end);
            assert_eq!(i.overlaps(&q), naive, "{ranges:?} {q:?}");
            let mut within: Vec<Range<usize>> =
                i.within(q.start, q.end).into_iter().cloned().collect();
            let mut expect: Vec<Range<usize>> = ranges
                .iter()
                .filter(|r| r.start < q.end && r.end > q.start)
                .cloned()
                .collect();
            within.sort_by_key(|r| (r.start, r.end));
            expect.sort_by_key(|r| (r.start, r.end));
            assert_eq!(within, expect, "{ranges:?} {q:?}");
        }
    }

    #[test]
    fn a_line_is_redacted_once_for_all_its_findings() {
        let text = b"a=SECRETVALUE1 b=SECRETVALUE2 again SECRETVALUE1\n";
        let mut s = Snippets::new(text, [2..14, 17..29], &[b"SECRETVALUE1", b"SECRETVALUE2"]);
        let one = s.get(1, 0..text.len() - 1, 2);
        assert!(!one.contains("SECRETVALUE"), "{one}");
        assert_eq!(one, s.get(1, 0..text.len() - 1, 17));
        assert_eq!(s.lines.len(), 1);
    }
}
