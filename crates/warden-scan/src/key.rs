//! Where the key behind fingerprints and secret hashes comes from: `WARDEN_HASH_KEY` (hex), then `hash.key_file`
//! in `warden.toml` (an organisation's shared key), then `.warden/hash-key` in the repository, created with 32
//! random bytes on first use. The key never appears in a report; commit `.warden/hash-key` so that every clone
//! and CI run computes the same fingerprints and baselines keep matching.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use warden_core::{Config, HashKey};

pub const KEY_ENV: &str = "WARDEN_HASH_KEY";
pub const KEY_DIR: &str = ".warden";
pub const KEY_FILE: &str = "hash-key";

/// Where the key of a run came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Env,
    File(PathBuf),
    /// Written just now, because the repository had none.
    Created(PathBuf),
    /// Nowhere to keep one (a read-only tree): fingerprints hold for this run only.
    Ephemeral {
        reason: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{name}: not a usable hash key: {reason}")]
    Invalid { name: String, reason: String },
    #[error("{path}: cannot read hash key: {reason}")]
    Read { path: PathBuf, reason: String },
}

/// The directory whose `.warden/` holds the key: the git work tree around `target`, or `target` itself.
pub fn key_root(target: &Path) -> PathBuf {
    let dir = if target.is_file() {
        target.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        target.to_path_buf()
    };
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    gix::discover(&dir)
        .ok()
        .and_then(|r| r.workdir().map(Path::to_path_buf))
        .unwrap_or(dir)
}

/// The key for a scan of `target` under `config`; see the module docs for the order.
pub fn resolve(config: &Config, target: &Path) -> Result<(HashKey, KeySource), KeyError> {
    if let Some(hex) = std::env::var_os(KEY_ENV) {
        let key = HashKey::from_hex(&hex.to_string_lossy()).map_err(|e| KeyError::Invalid {
            name: KEY_ENV.into(),
            reason: e.to_string(),
        })?;
        return Ok((key, KeySource::Env));
    }
    if let Some(path) = &config.hash_key_file {
        return Ok((read_key(path)?, KeySource::File(path.clone())));
    }
    let root = key_root(target);
    let path = root.join(KEY_DIR).join(KEY_FILE);
    if !root.is_dir() {
        // Never create directories for a target that is not there.
        return Ok((
            random_key()?,
            KeySource::Ephemeral {
                reason: format!("{}: not a directory", root.display()),
            },
        ));
    }
    if path.exists() {
        return Ok((read_key(&path)?, KeySource::File(path)));
    }
    let key = random_key()?;
    match write_new(&path, &key) {
        Ok(()) => Ok((key, KeySource::Created(path))),
        // Another run created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok((read_key(&path)?, KeySource::File(path)))
        }
        Err(e) => Ok((
            key,
            KeySource::Ephemeral {
                reason: format!("{}: {e}", path.display()),
            },
        )),
    }
}

fn read_key(path: &Path) -> Result<HashKey, KeyError> {
    let text = std::fs::read_to_string(path).map_err(|e| KeyError::Read {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    HashKey::from_hex(&text).map_err(|e| KeyError::Invalid {
        name: path.display().to_string(),
        reason: e.to_string(),
    })
}

fn random_key() -> Result<HashKey, KeyError> {
    HashKey::random().map_err(|e| KeyError::Invalid {
        name: "random key".into(),
        reason: e.to_string(),
    })
}

/// Writes the key whole or not at all, and never over an existing key.
fn write_new(path: &Path, key: &HashKey) -> std::io::Result<()> {
    let dir = path.parent().expect("key path has a directory");
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".hash-key.tmp-{}", std::process::id()));
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        writeln!(f, "{}", key.to_hex())?;
        f.sync_all()?;
        // A hard link fails if the key appeared meanwhile, where a rename would replace it.
        std::fs::hard_link(&tmp, path)
    })();
    let _ = std::fs::remove_file(&tmp);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_created_once_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::default();
        let (a, src) = resolve(&config, dir.path()).unwrap();
        assert!(matches!(src, KeySource::Created(_)));
        let (b, src) = resolve(&config, dir.path()).unwrap();
        assert!(matches!(src, KeySource::File(_)));
        assert_eq!(a.id(), b.id());
        let text = std::fs::read_to_string(dir.path().join(".warden/hash-key")).unwrap();
        assert_eq!(text.trim().len(), 64);
    }

    #[test]
    fn a_configured_key_file_wins_and_a_bad_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("org.key");
        std::fs::write(&file, "00112233445566778899aabbccddeeff\n").unwrap();
        let config = Config {
            hash_key_file: Some(file.clone()),
            ..Config::default()
        };
        let (_, src) = resolve(&config, dir.path()).unwrap();
        assert_eq!(src, KeySource::File(file.clone()));
        assert!(!dir.path().join(".warden").exists());
        std::fs::write(&file, "not hex").unwrap();
        let e = resolve(&config, dir.path()).unwrap_err().to_string();
        assert!(e.contains("org.key: not a usable hash key"), "{e}");
    }
}
