//! Which stored finding each finding of a new scan is: the same one (by fingerprint, or by a fallback that
//! survives a renamed file or a reworded line), a new one, and which stored findings the scan no longer shows.
//!
//! Fingerprints are keyed hashes of rule, path and matched content, never of line numbers, so a finding that
//! only moves keeps its fingerprint. Two things still change it: the file is renamed (the path is in the
//! fingerprint), or the matched text is edited around the same problem. The fallbacks handle those, each only
//! when it pairs exactly one stored finding with exactly one new one: a guess between several is no match.

use std::collections::{HashMap, HashSet};

/// A finding the store already knows for this repository and branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub id: i64,
    pub fingerprint: String,
    pub rule_id: String,
    pub path: String,
    /// Keyed hash of rule and matched content without the path (survives a rename).
    pub content_key: String,
    /// Keyed hash of rule, path and the finding's normalised source line (survives an edit of the matched text
    /// on a line that otherwise stays).
    pub line_key: String,
}

/// A finding of the scan being recorded, with the same keys (borrowed from it: a scan can be large).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen<'a> {
    pub fingerprint: &'a str,
    pub rule_id: &'a str,
    pub path: &'a str,
    pub content_key: &'a str,
    pub line_key: &'a str,
}

/// How a finding of the new scan was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    Fingerprint,
    /// The file was renamed: same rule and content, another path.
    Renamed,
    /// Same rule, path and line text, the matched content changed.
    Reworded,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Matching {
    /// For each finding of the new scan (by index): the stored finding it is, and how; `None`: new.
    pub seen: Vec<Option<(i64, How)>>,
    /// Stored findings the new scan does not show (ids).
    pub gone: Vec<i64>,
}

/// Pairs a new scan's findings with the stored ones.
pub fn match_scan(known: &[Known], seen: &[Seen]) -> Matching {
    let mut out = Matching {
        seen: vec![None; seen.len()],
        gone: Vec::new(),
    };
    let mut taken: HashSet<i64> = HashSet::new();
    let by_fp: HashMap<&str, i64> = known
        .iter()
        .map(|k| (k.fingerprint.as_str(), k.id))
        .collect();
    for (i, s) in seen.iter().enumerate() {
        if let Some(&id) = by_fp.get(s.fingerprint) {
            if taken.insert(id) {
                out.seen[i] = Some((id, How::Fingerprint));
            }
        }
    }
    // A fallback pairs only one-to-one: both sides unique under the key among what is still unmatched.
    fallback(
        known,
        seen,
        &mut out,
        &mut taken,
        How::Renamed,
        |k| (k.rule_id.clone(), k.content_key.clone()),
        |s| (s.rule_id.to_string(), s.content_key.to_string()),
    );
    fallback(
        known,
        seen,
        &mut out,
        &mut taken,
        How::Reworded,
        |k| (k.rule_id.clone(), k.line_key.clone()),
        |s| (s.rule_id.to_string(), s.line_key.to_string()),
    );
    out.gone = known
        .iter()
        .filter(|k| !taken.contains(&k.id))
        .map(|k| k.id)
        .collect();
    out
}

fn fallback(
    known: &[Known],
    seen: &[Seen],
    out: &mut Matching,
    taken: &mut HashSet<i64>,
    how: How,
    kkey: impl Fn(&Known) -> (String, String),
    skey: impl Fn(&Seen) -> (String, String),
) {
    let mut left: HashMap<(String, String), Vec<i64>> = HashMap::new();
    for k in known.iter().filter(|k| !taken.contains(&k.id)) {
        let key = kkey(k);
        if !key.1.is_empty() {
            left.entry(key).or_default().push(k.id);
        }
    }
    let mut right: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, s) in seen.iter().enumerate() {
        if out.seen[i].is_none() {
            let key = skey(s);
            if !key.1.is_empty() {
                right.entry(key).or_default().push(i);
            }
        }
    }
    for (key, ids) in left {
        if let (&[id], Some(&[i])) = (ids.as_slice(), right.get(&key).map(Vec::as_slice)) {
            out.seen[i] = Some((id, how));
            taken.insert(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(id: i64, fp: &str, path: &str, content: &str, line: &str) -> Known {
        Known {
            id,
            fingerprint: fp.into(),
            rule_id: "secrets/x".into(),
            path: path.into(),
            content_key: content.into(),
            line_key: line.into(),
        }
    }

    fn s<'a>(fp: &'a str, path: &'a str, content: &'a str, line: &'a str) -> Seen<'a> {
        Seen {
            fingerprint: fp,
            rule_id: "secrets/x",
            path,
            content_key: content,
            line_key: line,
        }
    }

    #[test]
    fn same_renamed_reworded_new_and_gone() {
        let known = vec![
            k(1, "fpA", "a.py", "cA", "lA"),
            k(2, "fpB", "old/b.py", "cB", "lB"),
            k(3, "fpC", "c.py", "cC", "lC"),
            k(4, "fpD", "d.py", "cD", "lD"),
        ];
        let seen = vec![
            s("fpA", "a.py", "cA", "lA"),
            s("fpB2", "new/b.py", "cB", "lB2"),
            s("fpC2", "c.py", "cC2", "lC"),
            s("fpE", "e.py", "cE", "lE"),
        ];
        let m = match_scan(&known, &seen);
        assert_eq!(
            m.seen,
            vec![
                Some((1, How::Fingerprint)),
                Some((2, How::Renamed)),
                Some((3, How::Reworded)),
                None
            ]
        );
        assert_eq!(m.gone, vec![4]);
    }

    #[test]
    fn an_ambiguous_fallback_is_no_match() {
        // Two stored findings with the same content in files that were both renamed: no guessing.
        let known = vec![
            k(1, "f1", "x/a.py", "same", "l1"),
            k(2, "f2", "x/b.py", "same", "l2"),
        ];
        let seen = vec![
            s("g1", "y/a.py", "same", "m1"),
            s("g2", "y/b.py", "same", "m2"),
        ];
        let m = match_scan(&known, &seen);
        assert_eq!(m.seen, vec![None, None]);
        assert_eq!(m.gone, vec![1, 2]);
    }

    proptest::proptest! {
        #[test]
        fn each_stored_finding_is_matched_at_most_once(
            known in proptest::collection::vec((0u8..4, 0u8..3, 0u8..3), 0..12),
            seen in proptest::collection::vec((0u8..4, 0u8..3, 0u8..3), 0..12),
        ) {
            let known: Vec<Known> = known.iter().enumerate().map(|(i, (f, c, l))| {
                k(i as i64, &format!("f{f}"), "p", &format!("c{c}"), &format!("l{l}"))
            }).collect();
            let keys: Vec<[String; 3]> = seen.iter().map(|(f, c, l)| [format!("f{f}"), format!("c{c}"), format!("l{l}")]).collect();
            let seen: Vec<Seen> = keys.iter().map(|[f, c, l]| s(f, "p", c, l)).collect();
            let m = match_scan(&known, &seen);
            let ids: Vec<i64> = m.seen.iter().flatten().map(|(id, _)| *id).collect();
            let unique: HashSet<i64> = ids.iter().copied().collect();
            proptest::prop_assert_eq!(ids.len(), unique.len());
            for g in &m.gone {
                proptest::prop_assert!(!unique.contains(g));
            }
            proptest::prop_assert_eq!(unique.len() + m.gone.len(), known.len());
        }
    }
}
