//! Personal data in text (`data/pii.toml`): a regular expression for each shape, and a validator for what the
//! shape cannot say — a card's Luhn digit and issuer prefix, an IBAN's mod-97 check and length, the ranges a
//! national id never uses. Values documentation publishes for testing (processors' test cards, reserved example
//! domains) are placeholders, not anyone's data.

use regex::Regex;
use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PiiRuleDef {
    pub id: String,
    pub title: String,
    pub pattern: String,
    pub validate: String,
    #[serde(default)]
    pub placeholders: Vec<String>,
    /// A pattern that must match in the 40 characters before a match (a label such as "phone:" or "SSN"), for
    /// shapes that are personal data only when the text says so.
    #[serde(default)]
    pub context: Option<String>,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub negatives: Vec<String>,
}

pub struct PiiRule {
    pub def: PiiRuleDef,
    re: Regex,
    context: Option<Regex>,
    placeholders: Vec<String>,
}

/// One piece of personal data: the rule and its byte span in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiiHit {
    pub rule: &'static str,
    pub start: usize,
    pub end: usize,
}

pub const PII_TOML: &str = include_str!("../data/pii.toml");

/// The compiled rules; the data file is checked by this module's tests, so a broken one yields no rules rather
/// than a panic in a running gateway.
pub fn rules() -> &'static [PiiRule] {
    static R: OnceLock<Vec<PiiRule>> = OnceLock::new();
    R.get_or_init(|| compile(PII_TOML).unwrap_or_default())
}

pub fn compile(text: &str) -> Result<Vec<PiiRule>, String> {
    crate::injection::rule_file::<PiiRuleDef>(text)?
        .into_iter()
        .map(|def| {
            let re = Regex::new(&crate::injection::ascii_boundaries(&def.pattern))
                .map_err(|e| format!("{}: {e}", def.id))?;
            if !VALIDATORS.contains(&def.validate.as_str()) {
                return Err(format!("{}: unknown validator `{}`", def.id, def.validate));
            }
            let placeholders = def
                .placeholders
                .iter()
                .map(|p| digits_and_letters(p))
                .collect();
            let context = match &def.context {
                Some(c) => Some(
                    Regex::new(&format!("(?i){}", crate::injection::ascii_boundaries(c)))
                        .map_err(|e| format!("{}: {e}", def.id))?,
                ),
                None => None,
            };
            Ok(PiiRule {
                def,
                re,
                context,
                placeholders,
            })
        })
        .collect()
}

const VALIDATORS: [&str; 6] = ["email", "phone", "card", "iban", "ssn", "nino"];

fn digits_and_letters(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Every piece of personal data in `text`, in order, spans not overlapping (the earlier rule wins a tie).
pub fn find(text: &str) -> Vec<PiiHit> {
    let mut hits: Vec<PiiHit> = Vec::new();
    for r in rules() {
        for m in r.re.find_iter(text) {
            let value = m.as_str();
            if r.placeholders.contains(&digits_and_letters(value))
                || !valid(&r.def.validate, value)
                || (r.def.validate == "email" && !email_in_context(text, m.start(), m.end()))
                || r.context.as_ref().is_some_and(|c| {
                    let mut k = m.start().saturating_sub(40);
                    while !text.is_char_boundary(k) {
                        k += 1;
                    }
                    !c.is_match(&text[k..m.start()])
                })
            {
                continue;
            }
            if hits.iter().any(|h| h.start < m.end() && m.start() < h.end) {
                continue;
            }
            hits.push(PiiHit {
                rule: r.def.id.as_str(),
                start: m.start(),
                end: m.end(),
            });
        }
    }
    hits.sort_by_key(|h| h.start);
    hits
}

fn valid(validator: &str, value: &str) -> bool {
    match validator {
        "email" => email(value),
        "phone" => phone(value),
        "card" => card(value),
        "iban" => iban(value),
        "ssn" => ssn(value),
        "nino" => nino(value),
        _ => false,
    }
}

/// Not a reserved documentation domain (RFC 2606, RFC 6761): `example.com/.net/.org`, `.example`, `.test`,
/// `.invalid`, `.localhost`.
fn email(v: &str) -> bool {
    let Some((_, domain)) = v.rsplit_once('@') else {
        return false;
    };
    let d = domain.to_ascii_lowercase();
    let reserved = ["example.com", "example.net", "example.org"];
    !(reserved
        .iter()
        .any(|r| d == *r || d.ends_with(&format!(".{r}")))
        || [".example", ".test", ".invalid", ".localhost"]
            .iter()
            .any(|t| d.ends_with(t)))
}

/// An address-shaped match that is part of something else: the `user:password@host` of a URL, or an SCP-style
/// remote (`git@github.com:org/repo.git`).
fn email_in_context(text: &str, start: usize, end: usize) -> bool {
    let token_start = text[..start]
        .rfind(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '(' | '<' | '='))
        .map_or(0, |i| i + 1);
    if text[token_start..start].contains("://") {
        return false;
    }
    let mut after = text[end..].chars();
    !(after.next() == Some(':') && after.next().is_some_and(|c| !c.is_whitespace()))
}

/// 8 to 15 digits (E.164's maximum), not all the same digit, and a leading `+` or the North American shape.
fn phone(v: &str) -> bool {
    // An extension (`x123`, `ext. 123`) is not part of the number.
    let v = v
        .to_ascii_lowercase()
        .split(['x', 'e'])
        .next()
        .unwrap_or_default()
        .to_string();
    let digits: Vec<u8> = v.bytes().filter(u8::is_ascii_digit).collect();
    if fictional(&digits, v.starts_with('+')) {
        return false;
    }
    // A national number (a trunk `0` first), found only next to a label: 10 or 11 digits as the numbering plans
    // of the UK, Germany, France, Italy, the Netherlands and Spain have them.
    if digits.first() == Some(&b'0') && !v.starts_with('+') {
        return (10..=11).contains(&digits.len()) && digits.get(1) != Some(&b'0');
    }
    if !(8..=15).contains(&digits.len()) || digits.iter().all(|&d| d == digits[0]) {
        return false;
    }
    if v.starts_with('+') {
        return true;
    }
    // NANP: a ten-digit number whose area code and exchange do not start with 0 or 1 (the fictional 555-01xx
    // are gone already).
    digits.len() == 10 && digits[0] >= b'2' && digits[3] >= b'2'
}

/// Numbers set aside for drama and examples: Ofcom's ranges in the UK (`0113 496 0xxx`, `020 7946 0xxx`,
/// `07700 900xxx`, …) and NANP's 555-0100 to 555-0199.
fn fictional(digits: &[u8], international: bool) -> bool {
    const OFCOM: [&[u8]; 20] = [
        b"1134960", b"1144960", b"1154960", b"1164960", b"1174960", b"1184960", b"1214960",
        b"1314960", b"1414960", b"1514960", b"1614960", b"2079460", b"1914980", b"1632960",
        b"7700900", b"8081570", b"9098790", b"3069990", b"2890180", b"2920180",
    ];
    let uk = if international {
        digits.strip_prefix(b"44")
    } else {
        digits.strip_prefix(b"0")
    };
    if uk.is_some_and(|nsn| OFCOM.iter().any(|p| nsn.starts_with(p))) {
        return true;
    }
    let nanp = if international {
        digits.strip_prefix(b"1")
    } else {
        Some(digits)
    };
    nanp.is_some_and(|d| d.len() == 10 && &d[3..8] == b"55501")
}

fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// 13 to 19 digits, a Luhn check digit, and the issuer prefix of a card network (Visa 4; Mastercard 51–55 and
/// 2221–2720; American Express 34, 37; Discover 6011, 644–649, 65; JCB 3528–3589; Diners 36, 38, 300–305; UnionPay
/// 62; Maestro 50, 56–58, 63, 67).
fn card(v: &str) -> bool {
    let digits: Vec<u8> = v.bytes().filter(u8::is_ascii_digit).collect();
    if !(13..=19).contains(&digits.len()) || !luhn(&digits) {
        return false;
    }
    let prefix = |n: usize| -> u32 {
        digits[..n]
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
    };
    let p2 = prefix(2);
    let p3 = prefix(3);
    let p4 = prefix(4);
    digits[0] == b'4'
        || (51..=55).contains(&p2)
        || (2221..=2720).contains(&p4)
        || p2 == 34
        || p2 == 37
        || p4 == 6011
        || (644..=649).contains(&p3)
        || p2 == 65
        || (3528..=3589).contains(&p4)
        || p2 == 36
        || p2 == 38
        || (300..=305).contains(&p3)
        || p2 == 62
        || p2 == 50
        || (56..=58).contains(&p2)
        || p2 == 63
        || p2 == 67
}

/// ISO 13616: the country's length and the mod-97 check over the rearranged digits.
fn iban(v: &str) -> bool {
    let s: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    let len_of = |cc: &str| -> Option<usize> {
        Some(match cc {
            "AD" => 24,
            "AE" => 23,
            "AT" => 20,
            "BE" => 16,
            "BG" => 22,
            "BH" => 22,
            "BR" => 29,
            "CH" => 21,
            "CY" => 28,
            "CZ" => 24,
            "DE" => 22,
            "DK" => 18,
            "EE" => 20,
            "ES" => 24,
            "FI" => 18,
            "FR" => 27,
            "GB" => 22,
            "GI" => 23,
            "GR" => 27,
            "HR" => 21,
            "HU" => 28,
            "IE" => 22,
            "IL" => 23,
            "IS" => 26,
            "IT" => 27,
            "LI" => 21,
            "LT" => 20,
            "LU" => 20,
            "LV" => 21,
            "MC" => 27,
            "MT" => 31,
            "NL" => 18,
            "NO" => 15,
            "PL" => 28,
            "PT" => 25,
            "RO" => 24,
            "SA" => 24,
            "SE" => 24,
            "SI" => 19,
            "SK" => 24,
            "SM" => 27,
            "TR" => 26,
            "UA" => 29,
            _ => return None,
        })
    };
    if s.len() < 15 || !s.is_ascii() || len_of(&s[..2]) != Some(s.len()) {
        return false;
    }
    let rearranged = format!("{}{}", &s[4..], &s[..4]);
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let n = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return false,
        };
        rem = if n >= 10 {
            (rem * 100 + n) % 97
        } else {
            (rem * 10 + n) % 97
        };
    }
    rem == 1
}

/// The SSA never issues area 000, 666 or 900–999, group 00 or serial 0000.
fn ssn(v: &str) -> bool {
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 9 {
        return false;
    }
    let (Ok(area), Ok(group), Ok(serial)) = (
        digits[..3].parse::<u32>(),
        digits[3..5].parse::<u32>(),
        digits[5..].parse::<u32>(),
    ) else {
        return false;
    };
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// HMRC: no D, F, I, Q, U or V first; no D, F, I, O, Q, U or V second; BG, GB, KN, NK, NT, TN and ZZ unused.
fn nino(v: &str) -> bool {
    let s = digits_and_letters(v);
    let b = s.as_bytes();
    if b.len() != 9 {
        return false;
    }
    !b"DFIQUV".contains(&b[0])
        && !b"DFIOQUV".contains(&b[1])
        && !["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&&s[..2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_rules_compile_and_hold_their_examples() {
        let rules = compile(PII_TOML).unwrap();
        assert!(rules.len() >= 6);
        for r in &rules {
            assert!(
                !r.def.examples.is_empty() && !r.def.negatives.is_empty(),
                "{}",
                r.def.id
            );
            for e in &r.def.examples {
                assert!(
                    find(e).iter().any(|h| h.rule == r.def.id),
                    "{} misses its example {e:?}: {:?}",
                    r.def.id,
                    find(e)
                );
            }
            for n in &r.def.negatives {
                assert!(
                    !find(n).iter().any(|h| h.rule == r.def.id),
                    "{} fires on its negative {n:?}",
                    r.def.id
                );
            }
        }
    }

    #[test]
    fn validators() {
        assert!(luhn(b"79927398713"));
        assert!(!luhn(b"79927398710"));
        assert!(iban("GB82 WEST 1234 5698 7654 32"));
        assert!(!iban("GB82 WEST 1234 5698 7654 33"));
        assert!(ssn("536-22-8741") && !ssn("900-22-8741"));
        assert!(nino("JG103754C") && !nino("GB103754C"));
        assert!(!phone("(415) 555-0143") && phone("(415) 555-2671"));
        assert!(!phone("+1 482 555 0172") && !phone("+44 20 7946 0253") && !phone("07700 900292"));
    }

    #[test]
    fn addresses_inside_urls_and_remotes_are_not_emails() {
        let rules = |t: &str| find(t).iter().map(|h| h.rule).collect::<Vec<_>>();
        assert!(rules("mongodb+srv://app:s3cr3tpw@cluster0.abcde.mongodb.net/db").is_empty()); // warden:ignore
        assert!(rules("git clone git@github.com:acme/widgets.git").is_empty());
        assert_eq!(
            rules("write to maria.gonzalez@contoso-mail.com: thanks"),
            ["email"]
        );
        // An IBAN is not read as a card number, whatever digits it holds.
        assert_eq!(rules("IBAN GB29 NWBK 6016 1331 9268 19"), ["iban"]);
    }

    proptest! {
        #[test]
        fn find_never_panics_and_spans_are_in_bounds(s in "\\PC{0,200}") {
            for h in find(&s) {
                prop_assert!(h.start < h.end && h.end <= s.len());
                prop_assert!(s.is_char_boundary(h.start) && s.is_char_boundary(h.end));
            }
        }
    }
}
