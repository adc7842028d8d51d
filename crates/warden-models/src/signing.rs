//! Model signing interoperable with the OpenSSF model signing format (`model-signing` on PyPI, 1.1.x, key
//! method): a sigstore bundle v0.3 whose DSSE envelope carries an in-toto v1 statement with predicate type
//! `https://model_signing/signature/v1.0`, file serialization (one sha256 per file), signed with ECDSA P-256 or
//! P-384 (SHA-256 / SHA-384, DER signatures over the DSSE pre-authentication encoding).
//!
//! Layout of the statement, as that tool writes it:
//!
//! ```text
//! { "_type": "https://in-toto.io/Statement/v1",
//!   "subject": [ { "name": <model dir name>, "digest": { "sha256": sha256(digest_1 ‖ … ‖ digest_n) } } ],
//!   "predicateType": "https://model_signing/signature/v1.0",
//!   "predicate": {
//!     "serialization": { "method": "files", "hash_type": "sha256", "allow_symlinks": false,
//!                        "ignore_paths": [ ".git", ".gitattributes", ".github", ".gitignore", … ] },
//!     "resources": [ { "name": "a/b.txt", "algorithm": "sha256", "digest": <hex> }, … ] } }
//! ```
//!
//! Resources are ordered by path component (`a/b.txt` before `a-b.txt`), the subject digest hashes the raw
//! resource digests in that order, ignored paths are relative to the model directory (a directory ignores
//! everything under it), and the bundle's `publicKey.hint` is the sha256 of the public key's PEM. Git paths
//! are ignored at the model root only, as the tool does.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use p256::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const BUNDLE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://model_signing/signature/v1.0";
/// Paths the tool ignores by default (relative to the model root).
pub const GIT_PATHS: [&str; 4] = [".git", ".gitattributes", ".github", ".gitignore"];

const READ_BUF: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    P256,
    P384,
}

/// A successful verification.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The model name recorded in the statement's subject (the signed directory's name).
    pub model_name: String,
    pub curve: Curve,
    /// Signed files, relative to the model directory, in manifest order.
    pub files: Vec<String>,
    /// Ignored paths in effect (defaults, those the signature records, and the signature file if inside).
    pub ignore_paths: Vec<String>,
}

/// A produced signature.
#[derive(Debug, Clone)]
pub struct Signed {
    pub curve: Curve,
    pub files: Vec<String>,
    /// Ignored paths recorded in the signature.
    pub ignore_paths: Vec<String>,
}

/// Errors reading or hashing the model directory.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{0}: is a symbolic link (the signature format does not allow them)")]
    Symlink(String),
    #[error("{0}: neither a regular file nor a directory")]
    Special(String),
    #[error("{}: file name is not UTF-8", .0.display())]
    NonUtf8(PathBuf),
}

/// Files that differ between the directory and its signature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mismatch {
    /// Signed files whose content changed.
    pub changed: Vec<String>,
    /// Files present but not in the signature.
    pub added: Vec<String>,
    /// Signed files that are missing.
    pub removed: Vec<String>,
}

impl Mismatch {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty() && self.removed.is_empty()
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if !self.changed.is_empty() {
            parts.push(format!("changed: {}", self.changed.join(", ")));
        }
        if !self.added.is_empty() {
            parts.push(format!("not in the signature: {}", self.added.join(", ")));
        }
        if !self.removed.is_empty() {
            parts.push(format!("missing: {}", self.removed.join(", ")));
        }
        f.write_str(&parts.join("; "))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("invalid public key: {0} (expected an ECDSA P-256 or P-384 key in PEM)")]
    PublicKey(String),
    #[error("malformed signature file: {0}")]
    Malformed(String),
    #[error("unsupported signature: {0}")]
    Unsupported(String),
    #[error("the signature was made with a different key (public key hint does not match)")]
    KeyMismatch,
    #[error("the signature does not verify with this public key")]
    BadSignature,
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("the model does not match its signature: {0}")]
    Mismatch(Mismatch),
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("invalid private key: {0} (expected an unencrypted ECDSA P-256 or P-384 key in PEM)")]
    PrivateKey(String),
    #[error(transparent)]
    Model(#[from] ModelError),
}

// ---------------------------------------------------------------------------------------------------------
// JSON layout

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bundle {
    media_type: String,
    verification_material: VerificationMaterial,
    dsse_envelope: Envelope,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerificationMaterial {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    public_key: Option<PublicKeyId>,
    #[serde(default)]
    tlog_entries: Vec<serde_json::Value>,
}

#[derive(Serialize, Deserialize)]
struct PublicKeyId {
    #[serde(default)]
    hint: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    payload: String,
    payload_type: String,
    signatures: Vec<EnvelopeSignature>,
}

#[derive(Serialize, Deserialize)]
struct EnvelopeSignature {
    sig: String,
    #[serde(default)]
    keyid: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Statement {
    #[serde(rename = "_type")]
    type_: String,
    subject: Vec<Subject>,
    predicate_type: String,
    predicate: Predicate,
}

#[derive(Serialize, Deserialize)]
struct Subject {
    name: String,
    digest: SubjectDigest,
}

#[derive(Serialize, Deserialize)]
struct SubjectDigest {
    sha256: String,
}

#[derive(Serialize, Deserialize)]
struct Predicate {
    serialization: Serialization,
    resources: Vec<Resource>,
}

#[derive(Serialize, Deserialize)]
struct Serialization {
    #[serde(default)]
    allow_symlinks: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ignore_paths: Vec<String>,
    method: String,
    hash_type: String,
}

#[derive(Serialize, Deserialize)]
struct Resource {
    digest: String,
    algorithm: String,
    name: String,
}

// ---------------------------------------------------------------------------------------------------------
// Keys

enum VerifyingKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
}

impl VerifyingKey {
    fn from_pem(pem: &str) -> Result<Self, VerifyError> {
        let pem = pem.trim_start_matches('\u{feff}');
        match p256::ecdsa::VerifyingKey::from_public_key_pem(pem) {
            Ok(k) => Ok(Self::P256(k)),
            Err(e256) => match p384::ecdsa::VerifyingKey::from_public_key_pem(pem) {
                Ok(k) => Ok(Self::P384(k)),
                Err(_) => Err(VerifyError::PublicKey(e256.to_string())),
            },
        }
    }

    fn curve(&self) -> Curve {
        match self {
            Self::P256(_) => Curve::P256,
            Self::P384(_) => Curve::P384,
        }
    }

    /// sha256 of the SubjectPublicKeyInfo PEM, as `cryptography` writes it: the bundle's key hint.
    fn hint(&self) -> String {
        let pem = match self {
            Self::P256(k) => k.to_public_key_pem(LineEnding::LF),
            Self::P384(k) => k.to_public_key_pem(LineEnding::LF),
        };
        pem.map(|p| hex(&Sha256::digest(p.as_bytes())))
            .unwrap_or_default()
    }

    fn verify(&self, msg: &[u8], der: &[u8]) -> bool {
        use p256::ecdsa::signature::Verifier;
        match self {
            Self::P256(k) => p256::ecdsa::DerSignature::from_bytes(der)
                .is_ok_and(|sig| k.verify(msg, &sig).is_ok()),
            Self::P384(k) => p384::ecdsa::DerSignature::from_bytes(der)
                .is_ok_and(|sig| k.verify(msg, &sig).is_ok()),
        }
    }
}

enum SigningKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

impl SigningKey {
    fn from_pem(pem: &str) -> Result<Self, SignError> {
        let block = private_key_block(pem).ok_or_else(|| {
            SignError::PrivateKey("no PRIVATE KEY or EC PRIVATE KEY block".into())
        })?;
        match p256::SecretKey::from_pem(block) {
            Ok(k) => Ok(Self::P256(k.into())),
            Err(e256) => match p384::SecretKey::from_pem(block) {
                Ok(k) => Ok(Self::P384(k.into())),
                Err(_) => Err(SignError::PrivateKey(e256.to_string())),
            },
        }
    }

    fn verifying_key(&self) -> VerifyingKey {
        match self {
            Self::P256(k) => VerifyingKey::P256(*k.verifying_key()),
            Self::P384(k) => VerifyingKey::P384(*k.verifying_key()),
        }
    }

    fn sign(&self, msg: &[u8]) -> Vec<u8> {
        use p256::ecdsa::signature::Signer;
        match self {
            Self::P256(k) => {
                let sig: p256::ecdsa::DerSignature = k.sign(msg);
                sig.as_bytes().to_vec()
            }
            Self::P384(k) => {
                let sig: p384::ecdsa::DerSignature = k.sign(msg);
                sig.as_bytes().to_vec()
            }
        }
    }
}

/// The private key block of a PEM file (`openssl ecparam -genkey` puts an `EC PARAMETERS` block first).
fn private_key_block(pem: &str) -> Option<&str> {
    for label in ["PRIVATE KEY", "EC PRIVATE KEY"] {
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        if let Some(start) = pem.find(&begin) {
            let stop = pem[start..].find(&end)? + start + end.len();
            return Some(&pem[start..stop]);
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------------------
// DSSE

/// DSSE v1 pre-authentication encoding: `DSSEv1 SP len(type) SP type SP len(body) SP body`.
fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

// ---------------------------------------------------------------------------------------------------------
// Directory walk and hashing

/// `a/b.txt` sorts before `a-b.txt`: paths compare component by component, as Python's `PurePosixPath`.
fn path_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.split('/').cmp(b.split('/'))
}

fn is_ignored(rel: &str, ignore: &BTreeSet<String>) -> bool {
    ignore.iter().any(|ig| {
        rel == ig
            || (rel.len() > ig.len()
                && rel.starts_with(ig.as_str())
                && rel.as_bytes()[ig.len()] == b'/')
    })
}

/// Normalises a recorded or user-given ignore path to `a/b` form relative to the model root; `None` if it
/// escapes the root or is the root.
fn normalise_rel(p: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str()?.to_string()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// `path` relative to `dir` if it lies inside it (resolving both; `path` need not exist yet).
fn rel_inside(dir: &Path, path: &Path) -> Option<String> {
    let root = fs::canonicalize(dir).ok()?;
    let abs = match fs::canonicalize(path) {
        Ok(p) => p,
        Err(_) => {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            fs::canonicalize(parent).ok()?.join(path.file_name()?)
        }
    };
    normalise_rel(abs.strip_prefix(&root).ok()?)
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ModelError + '_ {
    move |source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Regular files under `dir` (relative `a/b` names), skipping ignored paths, refusing symlinks unless allowed.
fn list_files(
    dir: &Path,
    ignore: &BTreeSet<String>,
    allow_symlinks: bool,
) -> Result<Vec<String>, ModelError> {
    let meta = fs::symlink_metadata(dir).map_err(io_err(dir))?;
    if meta.file_type().is_symlink() && !allow_symlinks {
        return Err(ModelError::Symlink(dir.display().to_string()));
    }
    let mut files = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((abs, rel)) = stack.pop() {
        for entry in fs::read_dir(&abs).map_err(io_err(&abs))? {
            let entry = entry.map_err(io_err(&abs))?;
            let path = entry.path();
            let name = entry.file_name();
            let name = name
                .to_str()
                .ok_or_else(|| ModelError::NonUtf8(path.clone()))?;
            let child = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            if is_ignored(&child, ignore) {
                continue;
            }
            let mut ft = entry.file_type().map_err(io_err(&path))?;
            if ft.is_symlink() {
                if !allow_symlinks {
                    return Err(ModelError::Symlink(child));
                }
                ft = fs::metadata(&path).map_err(io_err(&path))?.file_type();
            }
            if ft.is_dir() {
                stack.push((path, child));
            } else if ft.is_file() {
                files.push(child);
            } else {
                return Err(ModelError::Special(child));
            }
        }
    }
    files.sort_by(|a, b| path_order(a, b));
    Ok(files)
}

fn hash_file(path: &Path) -> Result<[u8; 32], ModelError> {
    let mut f = File::open(path).map_err(io_err(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; READ_BUF];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_err(path)(e)),
        }
    }
    Ok(h.finalize().into())
}

/// Hashes the listed files in parallel; the result keeps the input order.
fn hash_files(dir: &Path, files: &[String]) -> Result<Vec<[u8; 32]>, ModelError> {
    files
        .par_iter()
        .map(|rel| hash_file(&dir.join(rel)))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    s.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => {
                Some(((*hi as char).to_digit(16)? * 16 + (*lo as char).to_digit(16)?) as u8)
            }
            _ => None,
        })
        .collect()
}

fn default_ignores() -> BTreeSet<String> {
    GIT_PATHS.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------------------------------------
// Verify

/// Checks that `pem` is an ECDSA P-256 or P-384 public key this module can verify with.
pub fn check_public_key(pem: &str) -> Result<(), VerifyError> {
    VerifyingKey::from_pem(pem).map(|_| ())
}

/// Verifies `dir` against the signature at `signature_path` with a PEM public key (P-256 or P-384).
pub fn verify(
    dir: &Path,
    signature_path: &Path,
    public_key_pem: &str,
) -> Result<Verified, VerifyError> {
    let key = VerifyingKey::from_pem(public_key_pem)?;
    let raw = fs::read(signature_path).map_err(|source| VerifyError::Io {
        path: signature_path.to_path_buf(),
        source,
    })?;
    let bundle: Bundle =
        serde_json::from_slice(&raw).map_err(|e| VerifyError::Malformed(format!("bundle: {e}")))?;
    if !bundle
        .media_type
        .starts_with("application/vnd.dev.sigstore.bundle")
    {
        return Err(VerifyError::Malformed(format!(
            "not a sigstore bundle (mediaType {})",
            bundle.media_type
        )));
    }
    if let Some(hint) = bundle
        .verification_material
        .public_key
        .as_ref()
        .and_then(|k| k.hint.as_deref())
    {
        if !hint.is_empty() && !hint.eq_ignore_ascii_case(&key.hint()) {
            return Err(VerifyError::KeyMismatch);
        }
    }
    let env = &bundle.dsse_envelope;
    if env.payload_type != PAYLOAD_TYPE {
        return Err(VerifyError::Unsupported(format!(
            "DSSE payload type {}",
            env.payload_type
        )));
    }
    let payload = B64
        .decode(env.payload.as_bytes())
        .map_err(|e| VerifyError::Malformed(format!("payload base64: {e}")))?;
    if env.signatures.is_empty() {
        return Err(VerifyError::Malformed(
            "the DSSE envelope has no signature".into(),
        ));
    }
    let message = pae(&env.payload_type, &payload);
    let mut ok = false;
    for s in &env.signatures {
        let der = B64
            .decode(s.sig.as_bytes())
            .map_err(|e| VerifyError::Malformed(format!("signature base64: {e}")))?;
        if key.verify(&message, &der) {
            ok = true;
            break;
        }
    }
    if !ok {
        return Err(VerifyError::BadSignature);
    }

    // The payload is authentic from here on.
    let st: Statement = serde_json::from_slice(&payload)
        .map_err(|e| VerifyError::Malformed(format!("statement: {e}")))?;
    if st.predicate_type != PREDICATE_TYPE {
        return Err(VerifyError::Unsupported(format!(
            "predicate type {}",
            st.predicate_type
        )));
    }
    let [subject] = st.subject.as_slice() else {
        return Err(VerifyError::Malformed(format!(
            "expected one subject, found {}",
            st.subject.len()
        )));
    };
    let ser = &st.predicate.serialization;
    if ser.method != "files" {
        return Err(VerifyError::Unsupported(format!(
            "serialization method {:?} (only \"files\")",
            ser.method
        )));
    }
    if ser.hash_type != "sha256" {
        return Err(VerifyError::Unsupported(format!(
            "hash type {:?} (only sha256)",
            ser.hash_type
        )));
    }
    let mut root = Sha256::new();
    let mut expected: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for r in &st.predicate.resources {
        if r.algorithm != "sha256" {
            return Err(VerifyError::Unsupported(format!(
                "{}: digest algorithm {:?}",
                r.name, r.algorithm
            )));
        }
        let digest = unhex(&r.digest).filter(|d| d.len() == 32).ok_or_else(|| {
            VerifyError::Malformed(format!("{}: digest is not a sha256 in hex", r.name))
        })?;
        root.update(&digest);
        let name = normalise_rel(Path::new(&r.name)).ok_or_else(|| {
            VerifyError::Malformed(format!("resource name {:?} escapes the model", r.name))
        })?;
        if expected.insert(name, digest).is_some() {
            return Err(VerifyError::Malformed(format!(
                "resource {} listed twice",
                r.name
            )));
        }
    }
    if !hex(&root.finalize()).eq_ignore_ascii_case(&subject.digest.sha256) {
        return Err(VerifyError::Malformed(
            "the subject digest does not match the resources".into(),
        ));
    }

    let mut ignore = default_ignores();
    ignore.extend(
        ser.ignore_paths
            .iter()
            .filter_map(|p| normalise_rel(Path::new(p))),
    );
    ignore.extend(rel_inside(dir, signature_path));
    let files = list_files(dir, &ignore, ser.allow_symlinks)?;
    let digests = hash_files(dir, &files)?;

    let mut mismatch = Mismatch::default();
    let mut seen = BTreeSet::new();
    for (name, digest) in files.iter().zip(&digests) {
        match expected.get(name) {
            Some(want) if want.as_slice() == digest.as_slice() => {}
            Some(_) => mismatch.changed.push(name.clone()),
            None => mismatch.added.push(name.clone()),
        }
        seen.insert(name.as_str());
    }
    mismatch.removed = expected
        .keys()
        .filter(|k| !seen.contains(k.as_str()))
        .cloned()
        .collect();
    mismatch.removed.sort_by(|a, b| path_order(a, b));
    if !mismatch.is_empty() {
        return Err(VerifyError::Mismatch(mismatch));
    }
    Ok(Verified {
        model_name: subject.name.clone(),
        curve: key.curve(),
        files,
        ignore_paths: ignore.into_iter().collect(),
    })
}

// ---------------------------------------------------------------------------------------------------------
// Sign

/// Signs `dir` with a PEM private key (PKCS#8 or SEC1, P-256 or P-384) and writes the bundle to
/// `signature_path`. `ignore_paths` are relative to `dir` (absolute paths inside `dir` are accepted; paths
/// outside it are dropped, as the tool drops them). Git paths and the signature file (when inside `dir`) are
/// always ignored and recorded, so that `model_signing verify` hashes the same files.
pub fn sign<P: AsRef<Path>>(
    dir: &Path,
    private_key_pem: &str,
    signature_path: &Path,
    ignore_paths: &[P],
) -> Result<Signed, SignError> {
    let key = SigningKey::from_pem(private_key_pem)?;
    let mut ignore = default_ignores();
    for p in ignore_paths {
        let p = p.as_ref();
        let rel = if p.is_absolute() {
            rel_inside(dir, p)
        } else {
            normalise_rel(p)
        };
        ignore.extend(rel);
    }
    ignore.extend(rel_inside(dir, signature_path));

    let files = list_files(dir, &ignore, false)?;
    let digests = hash_files(dir, &files)?;
    let mut root = Sha256::new();
    for d in &digests {
        root.update(d);
    }
    let model_name = fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_string))
        .unwrap_or_default();
    let statement = Statement {
        type_: STATEMENT_TYPE.into(),
        subject: vec![Subject {
            name: model_name,
            digest: SubjectDigest {
                sha256: hex(&root.finalize()),
            },
        }],
        predicate_type: PREDICATE_TYPE.into(),
        predicate: Predicate {
            serialization: Serialization {
                allow_symlinks: false,
                ignore_paths: ignore.iter().cloned().collect(),
                method: "files".into(),
                hash_type: "sha256".into(),
            },
            resources: files
                .iter()
                .zip(&digests)
                .map(|(name, d)| Resource {
                    digest: hex(d),
                    algorithm: "sha256".into(),
                    name: name.clone(),
                })
                .collect(),
        },
    };
    let payload = serde_json::to_vec_pretty(&statement).expect("statement serialises");
    let sig = key.sign(&pae(PAYLOAD_TYPE, &payload));
    let vk = key.verifying_key();
    let bundle = Bundle {
        media_type: BUNDLE_MEDIA_TYPE.into(),
        verification_material: VerificationMaterial {
            public_key: Some(PublicKeyId {
                hint: Some(vk.hint()),
            }),
            tlog_entries: Vec::new(),
        },
        dsse_envelope: Envelope {
            payload: B64.encode(&payload),
            payload_type: PAYLOAD_TYPE.into(),
            signatures: vec![EnvelopeSignature {
                sig: B64.encode(sig),
                keyid: String::new(),
            }],
        },
    };
    let json = serde_json::to_vec(&bundle).expect("bundle serialises");
    fs::write(signature_path, json).map_err(|source| SignError::Io {
        path: signature_path.to_path_buf(),
        source,
    })?;
    Ok(Signed {
        curve: vk.curve(),
        files,
        ignore_paths: ignore.into_iter().collect(),
    })
}

/// The PEM (SubjectPublicKeyInfo) public key of a PEM private key, for `warden model sign` to print or save.
pub fn public_key_pem(private_key_pem: &str) -> Result<String, SignError> {
    let key = SigningKey::from_pem(private_key_pem)?;
    let pem = match key.verifying_key() {
        VerifyingKey::P256(k) => k.to_public_key_pem(LineEnding::LF),
        VerifyingKey::P384(k) => k.to_public_key_pem(LineEnding::LF),
    };
    pem.map_err(|e| SignError::PrivateKey(e.to_string()))
}
