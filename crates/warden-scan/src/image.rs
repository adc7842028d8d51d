//! The image source: a container image read without a daemon or a registry, from a `docker save` tarball or an
//! OCI image layout directory. Every layer's files are scanned (each distinct content once), whiteouts are
//! applied to know what the final image still holds, and the image config's `Env`, `Cmd`, `Entrypoint`,
//! labels and build history (`ARG`/`ENV` values baked in at build time) are scanned as one more file.
//!
//! Findings name the file as `LAYER!/path` with the layer's position and digest in tags, and say when a later
//! layer deleted or replaced the file: the secret is gone from the running image but not from the image,
//! whose layers anyone who pulls it can unpack.

use crate::pipeline::{FileReport, Partial, ScanError, Scanner};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Instant;
use warden_archive::compress;
use warden_archive::tar;
use warden_core::{ScanMode, ScanResult, SkipReason};

/// Where a layer's bytes are: a member of the saved tarball, or a blob file of an OCI layout.
enum Blob {
    Member { offset: u64, size: u64 },
    File(PathBuf),
}

struct Image {
    config: Option<Vec<u8>>,
    /// In order, base first: (digest or name, where).
    layers: Vec<(String, Blob)>,
}

fn err(path: &Path, reason: impl Into<String>) -> ScanError {
    ScanError::Git {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// Reads the image's manifest and config, and where each layer is.
fn open_image(path: &Path) -> Result<Image, ScanError> {
    if path.is_dir() {
        return open_oci_layout(path);
    }
    let mut file = File::open(path).map_err(|e| err(path, e.to_string()))?;
    let mut members: HashMap<String, (u64, u64)> = HashMap::new();
    let mut small: HashMap<String, Vec<u8>> = HashMap::new();
    {
        let mut reader = tar::Reader::new(&mut file);
        loop {
            let m = match reader.next_member().map_err(|e| err(path, e.to_string()))? {
                Ok(Some(m)) => m,
                Ok(None) => break,
                Err(p) => return Err(err(path, format!("not a readable image tarball: {p}"))),
            };
            if m.kind != tar::Kind::File {
                continue;
            }
            let name = m.name.trim_start_matches("./").to_string();
            // JSON documents (manifest, config, index) are small; layers are read later by offset.
            if name.ends_with(".json") || name == "index.json" || m.size <= 64 << 10 {
                let mut bytes = Vec::new();
                reader
                    .data()
                    .take(16 << 20)
                    .read_to_end(&mut bytes)
                    .map_err(|e| err(path, e.to_string()))?;
                small.insert(name.clone(), bytes);
            }
            members.insert(name, (m.data_offset, m.size));
        }
    }
    let manifest = small
        .get("manifest.json")
        .ok_or_else(|| err(path, "no manifest.json: not a `docker save` tarball"))?;
    let manifest: Value =
        serde_json::from_slice(manifest).map_err(|e| err(path, format!("manifest.json: {e}")))?;
    let first = manifest
        .as_array()
        .and_then(|a| a.first())
        .ok_or_else(|| err(path, "manifest.json lists no image"))?;
    let config = first
        .get("Config")
        .and_then(Value::as_str)
        .and_then(|c| small.get(c.trim_start_matches("./")).cloned());
    let mut layers = Vec::new();
    for l in first
        .get("Layers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = l.as_str() else { continue };
        let name = name.trim_start_matches("./");
        let Some(&(offset, size)) = members.get(name) else {
            return Err(err(
                path,
                format!("layer {name} is missing from the tarball"),
            ));
        };
        layers.push((name.to_string(), Blob::Member { offset, size }));
    }
    Ok(Image { config, layers })
}

fn open_oci_layout(dir: &Path) -> Result<Image, ScanError> {
    let read_json = |p: PathBuf| -> Result<Value, ScanError> {
        let bytes = std::fs::read(&p).map_err(|e| err(&p, e.to_string()))?;
        serde_json::from_slice(&bytes).map_err(|e| err(&p, e.to_string()))
    };
    let blob = |digest: &str| -> PathBuf {
        let (alg, hex) = digest.split_once(':').unwrap_or(("sha256", digest));
        dir.join("blobs").join(alg).join(hex)
    };
    let index = read_json(dir.join("index.json"))?;
    let mut manifest = index
        .get("manifests")
        .and_then(Value::as_array)
        .and_then(|m| m.first())
        .and_then(|m| m.get("digest"))
        .and_then(Value::as_str)
        .map(|d| read_json(blob(d)))
        .ok_or_else(|| err(dir, "index.json lists no manifest"))??;
    // An image index (multi-platform): take its first manifest.
    if manifest.get("layers").is_none() {
        if let Some(d) = manifest
            .get("manifests")
            .and_then(Value::as_array)
            .and_then(|m| m.first())
            .and_then(|m| m.get("digest"))
            .and_then(Value::as_str)
        {
            manifest = read_json(blob(d))?;
        }
    }
    let config = manifest
        .get("config")
        .and_then(|c| c.get("digest"))
        .and_then(Value::as_str)
        .and_then(|d| std::fs::read(blob(d)).ok());
    let layers = manifest
        .get("layers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| l.get("digest")?.as_str())
        .map(|d| (d.to_string(), Blob::File(blob(d))))
        .collect();
    Ok(Image { config, layers })
}

/// One file of one layer.
struct LayerFile {
    layer: usize,
    path: String,
    bytes: Vec<u8>,
}

impl Scanner {
    /// Scans a container image: a `docker save` tarball or an OCI image layout directory.
    pub fn scan_image(&self, path: &Path) -> Result<ScanResult, ScanError> {
        let start = Instant::now();
        let info = self.scan_info(path, ScanMode::Image);
        let image = open_image(path)?;
        let max = self.config.max_file_size();
        let mut part = Partial::default();
        let mut files: Vec<LayerFile> = Vec::new();
        // Path → the layer that last wrote or deleted it; deletions recorded separately.
        let mut last_writer: HashMap<String, usize> = HashMap::new();
        let mut deleted_in: HashMap<String, usize> = HashMap::new();
        let mut opaque: Vec<(String, usize)> = Vec::new();
        for (i, (name, blob)) in image.layers.iter().enumerate() {
            let mut raw: Box<dyn Read> = match blob {
                Blob::Member { offset, size } => {
                    let mut f = File::open(path).map_err(|e| err(path, e.to_string()))?;
                    f.seek(SeekFrom::Start(*offset))
                        .map_err(|e| err(path, e.to_string()))?;
                    Box::new(f.take(*size))
                }
                Blob::File(p) => Box::new(File::open(p).map_err(|e| err(p, e.to_string()))?),
            };
            let mut head = [0u8; 6];
            let n = read_head(&mut raw, &mut head).map_err(|e| err(path, e.to_string()))?;
            let chained = io::Cursor::new(head[..n].to_vec()).chain(raw);
            let mut stream: Box<dyn Read> = match compress::compression(&head[..n]) {
                Some(c) => compress::decoder(c, chained).map_err(|e| err(path, e.to_string()))?,
                None => Box::new(chained),
            };
            let mut reader = tar::Reader::new(&mut stream);
            loop {
                let m = match reader.next_member() {
                    Ok(Ok(Some(m))) => m,
                    Ok(Ok(None)) => break,
                    Ok(Err(p)) => {
                        part.skip(
                            name.clone(),
                            SkipReason::Unreadable,
                            format!("layer {}: {p}", i + 1),
                        );
                        break;
                    }
                    Err(e) => {
                        part.skip(
                            name.clone(),
                            SkipReason::Unreadable,
                            format!("layer {}: {e}", i + 1),
                        );
                        break;
                    }
                };
                let p = m
                    .name
                    .trim_start_matches("./")
                    .trim_end_matches('/')
                    .to_string();
                let (dir, base) = p.rsplit_once('/').unwrap_or(("", p.as_str()));
                if base == ".wh..wh..opq" {
                    opaque.push((dir.to_string(), i));
                    continue;
                }
                if let Some(target) = base.strip_prefix(".wh.") {
                    let t = if dir.is_empty() {
                        target.to_string()
                    } else {
                        format!("{dir}/{target}")
                    };
                    deleted_in.insert(t, i);
                    continue;
                }
                if m.kind != tar::Kind::File || !self.config.path_selected(&p) {
                    continue;
                }
                last_writer.insert(p.clone(), i);
                let mut bytes = Vec::new();
                let read = reader.data().take(max + 1).read_to_end(&mut bytes);
                if read.is_err() || bytes.len() as u64 > max {
                    part.skip(
                        format!("{name}!/{p}"),
                        if read.is_err() {
                            SkipReason::Unreadable
                        } else {
                            SkipReason::TooLarge
                        },
                        "layer file not read whole".into(),
                    );
                    continue;
                }
                files.push(LayerFile {
                    layer: i,
                    path: p,
                    bytes,
                });
            }
        }
        // Each distinct content is scanned once, under its first layer.
        let mut seen: HashSet<[u8; 32]> = HashSet::new();
        for f in &files {
            let digest: [u8; 32] = sha256(&f.bytes);
            if !seen.insert(digest) {
                continue;
            }
            let (layer_name, _) = &image.layers[f.layer];
            let display = format!("layer{}!/{}", f.layer + 1, f.path);
            let mut report: FileReport = self.scan_loaded(&display, &f.bytes);
            let gone = deleted_in
                .get(&f.path)
                .filter(|&&d| d > f.layer)
                .copied()
                .or_else(|| {
                    opaque
                        .iter()
                        .find(|(dir, l)| *l > f.layer && f.path.starts_with(&format!("{dir}/")))
                        .map(|(_, l)| *l)
                });
            let replaced = last_writer.get(&f.path).filter(|&&w| w > f.layer).copied();
            for finding in &mut report.findings {
                finding.tags.push(format!("image:layer={}", f.layer + 1));
                finding
                    .tags
                    .push(format!("image:layer-digest={}", short_digest(layer_name)));
                match (gone, replaced) {
                    (Some(d), _) => {
                        finding.tags.push("image:deleted".into());
                        finding.message.push_str(&format!(
                            " (deleted in layer {}, but still in the image's layer {}: anyone who pulls the image has it)",
                            d + 1,
                            f.layer + 1
                        ));
                    }
                    (None, Some(w)) => {
                        finding.tags.push("image:replaced".into());
                        finding.message.push_str(&format!(
                            " (replaced in layer {}, but still in the image's layer {})",
                            w + 1,
                            f.layer + 1
                        ));
                    }
                    _ => {}
                }
            }
            part.merge(report);
        }
        if let Some(config) = &image.config {
            let text = config_text(config);
            part.merge(self.scan_loaded("image-config", text.as_bytes()));
        }
        let result = ScanResult::new(info);
        let mut result = self.complete(result, part, &|_| None, &|_| true);
        result.stats.duration_ms = start.elapsed().as_millis() as u64;
        Ok(result)
    }
}

fn read_head(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn short_digest(name: &str) -> String {
    let hex = name
        .rsplit(['/', ':'])
        .find(|s| s.len() >= 12 && s.chars().all(|c| c.is_ascii_hexdigit()))
        .unwrap_or(name);
    hex.chars().take(12).collect()
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

/// The image config as lines a scan reads like a Dockerfile: `ENV K=V`, `LABEL k=v`, `CMD …`, and each
/// history step's `created_by` (where `ARG`/`ENV` values of the build are recorded).
pub fn config_text(config: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<Value>(config) else {
        return String::new();
    };
    let mut out = String::new();
    let c = v.get("config").or_else(|| v.get("container_config"));
    if let Some(c) = c {
        for e in c.get("Env").and_then(Value::as_array).into_iter().flatten() {
            if let Some(e) = e.as_str() {
                out.push_str(&format!("ENV {e}\n"));
            }
        }
        if let Some(labels) = c.get("Labels").and_then(Value::as_object) {
            for (k, val) in labels {
                out.push_str(&format!("LABEL {k}={}\n", val.as_str().unwrap_or_default()));
            }
        }
        for key in ["Entrypoint", "Cmd"] {
            if let Some(list) = c.get(key).and_then(Value::as_array) {
                let words: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
                out.push_str(&format!("{} {}\n", key.to_uppercase(), words.join(" ")));
            }
        }
    }
    for h in v
        .get("history")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(step) = h.get("created_by").and_then(Value::as_str) {
            out.push_str(step.trim());
            out.push('\n');
        }
    }
    out
}
