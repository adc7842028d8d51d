//! The audit log's hash chain. Each entry commits to the one before it: `hash = SHA-256(prev_hash ‖ canonical
//! encoding of the entry)`. The encoding is computed here, in Rust, never by a database, so SQLite and PostgreSQL
//! store the same bytes and the same hashes, and a verifier needs nothing but the rows.
//!
//! The canonical encoding is written by hand rather than with a serialiser: serde_json's output for the same
//! value may change between versions (escaping, number formatting), and a chain must verify forever. Each field
//! is its name, a length as 8 bytes big-endian, and its UTF-8 bytes, in a fixed order; an absent value is the
//! empty string with a distinct tag.

use sha2::{Digest, Sha256};

/// The hash the first entry of a chain commits to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry: who did what to which finding, when and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    /// `scan`, `confirm`, `dismiss`, `accept`, `reopen`, `fix`, `expire`, …
    pub action: String,
    /// The finding's fingerprint, or empty for an entry about the store itself.
    pub finding: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
    /// For an accepted risk: when it expires (RFC 3339 date).
    pub expires: Option<String>,
    /// The previous entry's hash ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// `SHA-256(prev_hash ‖ canonical(entry))`, hex.
    pub hash: String,
}

fn field(out: &mut Vec<u8>, name: &str, value: Option<&str>) {
    out.extend_from_slice(name.as_bytes());
    match value {
        Some(v) => {
            out.push(b'=');
            out.extend_from_slice(&(v.len() as u64).to_be_bytes());
            out.extend_from_slice(v.as_bytes());
        }
        None => out.push(b'~'),
    }
    out.push(b'\n');
}

/// The bytes an entry's hash covers (everything but the hash itself; `prev_hash` included).
pub fn canonical(e: &Entry) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"warden-audit-v1\n");
    field(&mut out, "seq", Some(&e.seq.to_string()));
    field(&mut out, "at", Some(&e.at));
    field(&mut out, "actor", Some(&e.actor));
    field(&mut out, "action", Some(&e.action));
    field(&mut out, "finding", Some(&e.finding));
    field(&mut out, "from_state", e.from_state.as_deref());
    field(&mut out, "to_state", e.to_state.as_deref());
    field(&mut out, "reason", e.reason.as_deref());
    field(&mut out, "expires", e.expires.as_deref());
    field(&mut out, "prev_hash", Some(&e.prev_hash));
    out
}

/// The hash of an entry, from its fields and `prev_hash`.
pub fn hash_of(e: &Entry) -> String {
    let mut h = Sha256::new();
    h.update(e.prev_hash.as_bytes());
    h.update(canonical(e));
    hex::encode(h.finalize())
}

/// Fills `prev_hash` and `hash` of an entry that follows `prev` (or starts the chain).
pub fn seal(mut e: Entry, prev: Option<&Entry>) -> Entry {
    e.seq = prev.map_or(1, |p| p.seq + 1);
    e.prev_hash = prev.map_or_else(|| GENESIS.to_string(), |p| p.hash.clone());
    e.hash = hash_of(&e);
    e
}

/// Why a chain does not verify, naming the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    #[error("entry {seq}: its content does not match its hash (edited)")]
    Edited { seq: i64 },
    #[error("entry {seq}: it does not follow entry {prev} (an entry was inserted, deleted or reordered)")]
    Unlinked { seq: i64, prev: i64 },
    #[error("entry {seq}: expected sequence number {expected} (an entry was deleted or inserted)")]
    Gap { seq: i64, expected: i64 },
}

/// Checks a whole chain, in `seq` order as stored: each entry's hash, its link to the previous one, and that
/// the numbering has no gap. `Ok(n)`: n entries verified.
pub fn verify<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Result<u64, Broken> {
    let mut prev: Option<&Entry> = None;
    let mut n = 0;
    for e in entries {
        let expected = prev.map_or(1, |p| p.seq + 1);
        if e.seq != expected {
            return Err(Broken::Gap {
                seq: e.seq,
                expected,
            });
        }
        let want_prev = prev.map_or(GENESIS, |p| p.hash.as_str());
        if e.prev_hash != want_prev {
            return Err(Broken::Unlinked {
                seq: e.seq,
                prev: expected - 1,
            });
        }
        if hash_of(e) != e.hash {
            return Err(Broken::Edited { seq: e.seq });
        }
        prev = Some(e);
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str, finding: &str) -> Entry {
        Entry {
            seq: 0,
            at: "2026-11-30T10:00:00Z".into(),
            actor: "ana@example.com".into(),
            action: action.into(),
            finding: finding.into(),
            from_state: Some("open".into()),
            to_state: Some("confirmed".into()),
            reason: Some("real key, rotating".into()),
            expires: None,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn chain(n: usize) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for i in 0..n {
            let e = seal(entry("confirm", &format!("fp{i}")), out.last());
            out.push(e);
        }
        out
    }

    #[test]
    fn a_chain_verifies_and_names_the_first_bad_entry() {
        let c = chain(5);
        assert_eq!(verify(&c), Ok(5));
        let mut edited = c.clone();
        edited[2].reason = Some("not a real key".into());
        assert_eq!(verify(&edited), Err(Broken::Edited { seq: 3 }));
        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(
            verify(&deleted),
            Err(Broken::Gap {
                seq: 3,
                expected: 2
            })
        );
        let mut swapped = c.clone();
        swapped.swap(1, 2);
        assert!(verify(&swapped).is_err());
        // Renumbering after a deletion does not help: the link is broken.
        let mut renumbered = c.clone();
        renumbered.remove(1);
        for (i, e) in renumbered.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        assert_eq!(
            verify(&renumbered),
            Err(Broken::Unlinked { seq: 2, prev: 1 })
        );
    }

    #[test]
    fn absent_and_empty_values_hash_differently() {
        let mut a = entry("dismiss", "fp");
        a.reason = None;
        let mut b = a.clone();
        b.reason = Some(String::new());
        assert_ne!(canonical(&a), canonical(&b));
    }

    #[test]
    fn the_encoding_is_stable() {
        // A chain written today must verify forever: this hash is fixed.
        let e = seal(entry("confirm", "fp0"), None);
        assert_eq!(e.prev_hash, GENESIS);
        assert_eq!(e.hash.len(), 64);
        assert_eq!(e.hash, hash_of(&e));
        assert_eq!(
            e.hash,
            "4ffbe9f9d3d28ba34b7763e1d09f2e39e315324824e9c0c4152a4e3ae1d07943"
        );
        let again = seal(entry("confirm", "fp0"), None);
        assert_eq!(again.hash, e.hash);
    }

    proptest::proptest! {
        #[test]
        fn any_single_field_edit_is_caught(reason in ".{0,40}", at in 0usize..4) {
            let mut c = chain(4);
            let before = c[at].reason.clone();
            c[at].reason = Some(reason.clone());
            if before.as_deref() != Some(reason.as_str()) {
                proptest::prop_assert!(verify(&c).is_err());
            } else {
                proptest::prop_assert_eq!(verify(&c), Ok(4));
            }
        }
    }
}
