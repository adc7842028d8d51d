//! Insecure output in answers (`data/output.toml`, OWASP LLM05): markup that runs code when an application
//! renders the answer as HTML (script elements, `javascript:` URLs, inline event handlers), and shell commands that
//! destroy a system or run a remote script. Matches are short, so a streamed answer is judged like a whole one.

use regex::Regex;
use serde::Deserialize;
use std::ops::Range;
use std::sync::OnceLock;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputRuleDef {
    pub id: String,
    pub title: String,
    pub pattern: String,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub negatives: Vec<String>,
}

pub struct OutputRule {
    pub def: OutputRuleDef,
    re: Regex,
}

pub const OUTPUT_TOML: &str = include_str!("../data/output.toml");

/// The compiled rules; the data file is checked by this module's tests, so a broken one yields no rules rather
/// than a panic in a running gateway.
pub fn rules() -> &'static [OutputRule] {
    static R: OnceLock<Vec<OutputRule>> = OnceLock::new();
    R.get_or_init(|| compile(OUTPUT_TOML).unwrap_or_default())
}

pub fn compile(text: &str) -> Result<Vec<OutputRule>, String> {
    crate::injection::rule_file::<OutputRuleDef>(text)?
        .into_iter()
        .map(|def| {
            let re = Regex::new(&crate::injection::ascii_boundaries(&def.pattern))
                .map_err(|e| format!("{}: {e}", def.id))?;
            Ok(OutputRule { def, re })
        })
        .collect()
}

/// Every piece of insecure output in `text`: the rule id and the byte span, in order, not overlapping.
pub fn find(text: &str) -> Vec<(&'static str, Range<usize>)> {
    let mut hits: Vec<(&'static str, Range<usize>)> = Vec::new();
    for r in rules() {
        for m in r.re.find_iter(text) {
            if hits
                .iter()
                .any(|(_, h)| h.start < m.end() && m.start() < h.end)
            {
                continue;
            }
            hits.push((r.def.id.as_str(), m.range()));
        }
    }
    hits.sort_by_key(|(_, r)| r.start);
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_rules_compile_and_hold_their_examples() {
        let rules = compile(OUTPUT_TOML).unwrap();
        assert!(rules.len() >= 5);
        for r in &rules {
            assert!(
                !r.def.examples.is_empty() && !r.def.negatives.is_empty(),
                "{}",
                r.def.id
            );
            for e in &r.def.examples {
                assert!(
                    find(e).iter().any(|(id, _)| *id == r.def.id),
                    "{} misses its example {e:?}: {:?}",
                    r.def.id,
                    find(e)
                );
            }
            for n in &r.def.negatives {
                assert!(
                    !find(n).iter().any(|(id, _)| *id == r.def.id),
                    "{} fires on its negative {n:?}",
                    r.def.id
                );
            }
        }
    }

    proptest! {
        #[test]
        fn find_never_panics_and_spans_are_in_bounds(s in "\\PC{0,200}") {
            for (_, r) in find(&s) {
                prop_assert!(r.start < r.end && r.end <= s.len());
                prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
                prop_assert!(r.len() < 512);
            }
        }
    }
}
