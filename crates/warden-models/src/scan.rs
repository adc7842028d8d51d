//! One model file in, one [`ModelReport`] out: the format is sniffed from the content and every part that can
//! run code when loaded is scanned — every pickle of a pickle stream, every member of a zip whose content is a
//! pickle (not only `data.pkl`), the pickle payload of object-dtype numpy arrays, Keras v3 configs, GGUF chat
//! templates — and the headers of the formats that hold no code (safetensors) are checked.
//!
//! Memory stays bounded whatever the file's size: pickles and zip members are streamed, a member's first
//! 8 KiB decide what it is, tensor data is never held, and report items are deduplicated and capped.

use crate::pickle::{self, Callee, Ending, Event, Reference};
use crate::policy::{self, Verdict};
use crate::sniff::{self, Format};
use crate::zip::{self, Problem as ZipProblem};
use crate::{gguf, numpy, onnx, safetensors, savedmodel, tar};
use serde::Serialize;
use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom};
use std::rc::Rc;
use warden_core::{ReadSeek, Severity};

/// Tags every item carries: OWASP Top 10 for LLM applications (LLM03 supply chain, LLM04 data and model
/// poisoning) and MITRE ATLAS (AML.T0010 AI supply chain compromise, AML.T0011.000 unsafe AI artifacts).
pub const TAGS: &[&str] = &[
    "OWASP-LLM03",
    "OWASP-LLM04",
    "ATLAS-AML.T0010",
    "ATLAS-AML.T0011.000",
];

/// Most items one file reports; the rest are counted in [`ModelReport::dropped_items`].
pub const MAX_ITEMS: usize = 1000;
/// Deepest zip-in-zip followed.
pub const MAX_ZIP_DEPTH: usize = 3;
/// Largest Keras `config.json` read (it is parsed whole).
pub const MAX_KERAS_CONFIG: u64 = 16 << 20;
/// Pickles read from a legacy PyTorch file: magic, protocol, sys_info, the object, the storage keys. What
/// follows is raw storage data, which `torch.load` never unpickles.
const LEGACY_TORCH_PICKLES: u32 = 5;

/// What a report item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// A callable (or construct) that runs code or reaches the system when the file is loaded.
    DangerousCallable,
    /// A callable on no list.
    UnknownCallable,
    /// The file or container is malformed or crafted (header problems, zip tricks, bombs).
    FormatProblem,
    /// The extension promises a format the content is not.
    ExtensionLies,
}

/// One thing found in a model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub kind: ItemKind,
    /// The rule name (without the `model/` prefix), e.g. `pickle-dangerous-callable`.
    pub rule: &'static str,
    /// The callable (`os.system`) or the problem in a few words.
    pub subject: String,
    /// A sentence about it.
    pub detail: String,
    /// Byte offset in the member (or in the file when `member` is `None`).
    pub offset: u64,
    /// Byte offset in the file, when the member is stored uncompressed (or there is no member).
    pub file_offset: Option<u64>,
    /// The zip member, `outer.zip!inner/data.pkl` style when nested.
    pub member: Option<String>,
    pub severity: Severity,
    /// How many times the same subject was seen in the same place (first offset kept).
    pub count: u64,
    pub tags: &'static [&'static str],
}

/// Everything found in one file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ModelReport {
    pub file_name: String,
    pub size: u64,
    /// The format recognised from the content; `None` for no model format.
    pub format: Option<Format>,
    pub items: Vec<Item>,
    /// Items over [`MAX_ITEMS`], counted only.
    pub dropped_items: u64,
    /// Pickles read (across members).
    pub pickles: u64,
    /// Zip members looked at.
    pub members: u64,
    /// Simulation caps reached (stack, memo, …), each once with where: the scan went on with less precision,
    /// so the file is reported as partially analysed.
    pub limits: Vec<String>,
}

impl ModelReport {
    pub fn is_clean(&self) -> bool {
        self.items.is_empty()
    }
}

/// Where the bytes being scanned sit: the member name (if any) and the member's data offset in the file
/// when the member is stored (so member offsets map to file offsets).
#[derive(Clone, Default)]
struct Place {
    member: Option<String>,
    base: Option<u64>,
}

impl Place {
    /// The file itself: offsets are file offsets.
    fn file() -> Self {
        Place {
            member: None,
            base: Some(0),
        }
    }

    fn file_offset(&self, offset: u64) -> Option<u64> {
        self.base.map(|b| b.saturating_add(offset))
    }
}

struct Out {
    report: ModelReport,
    index: HashMap<(&'static str, String, Option<String>), usize>,
}

impl Out {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: ItemKind,
        rule: &'static str,
        subject: String,
        detail: String,
        offset: u64,
        place: &Place,
        severity: Severity,
    ) -> Option<usize> {
        let key = (rule, subject, place.member.clone());
        if let Some(&i) = self.index.get(&key) {
            if let Some(item) = self.report.items.get_mut(i) {
                item.count += 1;
            }
            return Some(i);
        }
        if self.report.items.len() >= MAX_ITEMS {
            self.report.dropped_items += 1;
            return None;
        }
        let i = self.report.items.len();
        self.index.insert(key.clone(), i);
        self.report.items.push(Item {
            kind,
            rule,
            subject: key.1,
            detail,
            offset,
            // Inside a member whose claimed data runs past the end of the file (a truncated nested archive),
            // an offset can map beyond the file: then it names no byte of the file at all.
            file_offset: place
                .file_offset(offset)
                .filter(|at| *at <= self.report.size),
            member: key.2,
            severity,
            count: 1,
            tags: TAGS,
        });
        Some(i)
    }

    fn problem(
        &mut self,
        rule: &'static str,
        subject: &str,
        detail: String,
        offset: u64,
        place: &Place,
    ) {
        self.push(
            ItemKind::FormatProblem,
            rule,
            subject.to_string(),
            detail,
            offset,
            place,
            Severity::Medium,
        );
    }

    /// An issue a format reader already folded (`count` nodes or entries), at a file offset.
    #[allow(clippy::too_many_arguments)]
    fn push_folded(
        &mut self,
        kind: ItemKind,
        rule: &'static str,
        subject: String,
        detail: String,
        offset: u64,
        severity: Severity,
        count: u64,
    ) {
        if let Some(i) = self.push(
            kind,
            rule,
            subject,
            detail,
            offset,
            &Place::file(),
            severity,
        ) {
            if let Some(item) = self.report.items.get_mut(i) {
                item.count = item.count.max(count);
            }
        }
    }
}

/// Scans one model file. `file_name` is its name or path (for the extension check and `saved_model.pb`);
/// `size` its length. I/O errors are returned; everything about the content is an item.
pub fn scan_file<R: Read + Seek>(r: &mut R, file_name: &str, size: u64) -> io::Result<ModelReport> {
    let r: &mut dyn ReadSeek = r;
    let mut out = Out {
        report: ModelReport {
            file_name: file_name.to_string(),
            size,
            ..ModelReport::default()
        },
        index: HashMap::new(),
    };
    r.seek(SeekFrom::Start(0))?;
    let mut head = Vec::with_capacity(sniff::HEAD_LEN);
    Read::take(&mut *r, sniff::HEAD_LEN as u64).read_to_end(&mut head)?;
    let top = Place::file();
    let mut format = sniff::sniff(&head, file_name);
    let compressed = format.is_none() && compressed_model_magic(&head).is_some();
    if let Some(f) = format {
        if sniff::extension_lies(f, file_name) {
            let pickle_bearing = matches!(
                f,
                Format::Pickle { .. } | Format::PyTorchLegacy | Format::PyTorchZip | Format::Npy
            );
            out.push(
                ItemKind::ExtensionLies,
                "extension-mismatch",
                format!("{} content in a file named `{}`", f.name(), base_name(file_name)),
                format!(
                    "the content is {}, but the extension promises another format; a loader chosen by \
                     extension would read it as something it is not",
                    f.name()
                ),
                0,
                &top,
                if pickle_bearing {
                    Severity::High
                } else {
                    Severity::Medium
                },
            );
        }
    }
    r.seek(SeekFrom::Start(0))?;
    match format {
        Some(Format::Pickle { .. }) => scan_pickles(&mut *r, &top, None, false, &mut out)?,
        Some(Format::PyTorchLegacy) => {
            scan_pickles(&mut *r, &top, Some(LEGACY_TORCH_PICKLES), false, &mut out)?
        }
        Some(f @ (Format::PyTorchZip | Format::KerasV3 | Format::Npz | Format::Zip)) => {
            let refined = scan_zip(&mut *r, &top, 0, &mut out)?;
            if f == Format::Zip {
                if let Some(better) = refined {
                    format = Some(better);
                }
            }
        }
        Some(Format::Npy) => scan_npy(&mut *r, &top, &mut out)?,
        Some(Format::Safetensors) => scan_safetensors(&mut *r, &mut out)?,
        Some(Format::Gguf) => scan_gguf(&mut *r, size, &mut out)?,
        Some(Format::PyTorchTar | Format::Tar) => scan_tar(&mut *r, &top, 0, &mut out)?,
        Some(Format::Hdf5) => scan_embedded_keras_json(&mut *r, size, &top, &mut out)?,
        Some(Format::Onnx) => scan_onnx(&mut *r, size, &mut out)?,
        Some(Format::SavedModel) => scan_saved_model(&mut *r, size, &mut out)?,
        _ if base_name(file_name) == "keras_metadata.pb" => {
            // A Keras model saved as a TensorFlow SavedModel keeps each layer's JSON config here.
            format = Some(Format::SavedModel);
            scan_embedded_keras_json(&mut *r, size, &top, &mut out)?
        }
        _ if compressed => {
            // joblib's `compress=` dumps (a zlib or gzip stream around a pickle), or a `.tar.gz` of models.
            if let Some(kind) = compressed_model_magic(&head) {
                format = Some(scan_compressed(&mut *r, kind, size, &top, &mut out)?);
            }
        }
        _ => {}
    }
    out.report.format = format;
    Ok(out.report)
}

fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

#[derive(Clone, Copy)]
pub(crate) enum Compressed {
    Zlib,
    Gzip,
}

/// zlib (joblib's default `compress=True`) or gzip magic, claimed only when the inflated head is a pickle or
/// a tar (so other compressed files are not inflated for nothing).
pub(crate) fn compressed_model_magic(head: &[u8]) -> Option<Compressed> {
    let kind = match head {
        [0x1f, 0x8b, 8, ..] => Compressed::Gzip,
        [0x78, b, ..] if (u16::from(0x78u8) << 8 | u16::from(*b)) % 31 == 0 => Compressed::Zlib,
        _ => return None,
    };
    let mut inflated = Vec::new();
    let _ = match kind {
        Compressed::Gzip => {
            Read::take(flate2::read::GzDecoder::new(head), 512).read_to_end(&mut inflated)
        }
        Compressed::Zlib => {
            Read::take(flate2::read::ZlibDecoder::new(head), 512).read_to_end(&mut inflated)
        }
    };
    let pickle = matches!(inflated.as_slice(), [0x80, 2..=5, ..]);
    let tar = inflated.len() >= 262 && &inflated[257..262] == b"ustar";
    (pickle || tar).then_some(kind)
}

/// A zlib or gzip stream: a pickle (joblib) or a tar (`model.tar.gz`), streamed through the inflater with the
/// zip bomb ratio cap. Returns the format of what was inside.
fn scan_compressed(
    r: &mut dyn ReadSeek,
    kind: Compressed,
    size: u64,
    place: &Place,
    out: &mut Out,
) -> io::Result<Format> {
    let limits = zip::Limits::default();
    let cap = size
        .saturating_mul(limits.max_ratio)
        .saturating_add(limits.ratio_slack);
    let inflated_head = {
        let mut head = Vec::new();
        read_up_to(inflater(&mut *r, kind, size), 1024, &mut head)?;
        r.seek(SeekFrom::Start(0))?;
        head
    };
    let is_tar = inflated_head.get(257..262) == Some(&b"ustar"[..]);
    let mut capped = Capped {
        inner: inflater(&mut *r, kind, size),
        left: cap,
        hit: false,
    };
    let place = Place {
        member: place.member.clone(),
        base: None,
    };
    let format = if is_tar {
        scan_tar(&mut capped, &place, 0, out)?;
        sniff::sniff(&inflated_head, "").unwrap_or(Format::Tar)
    } else {
        scan_pickles(&mut capped, &place, None, false, out)?;
        Format::Pickle { protocol: 2 }
    };
    if capped.hit {
        out.problem(
            "zip-bomb",
            "compressed stream inflates past the ratio cap",
            format!("inflating stopped after {cap} bytes"),
            0,
            &place,
        );
    }
    Ok(format)
}

fn inflater<'a>(r: &'a mut dyn ReadSeek, kind: Compressed, size: u64) -> Box<dyn Read + 'a> {
    let inner = Read::take(r, size);
    match kind {
        Compressed::Zlib => Box::new(flate2::read::ZlibDecoder::new(inner)),
        Compressed::Gzip => Box::new(flate2::read::MultiGzDecoder::new(inner)),
    }
}

struct Capped<R> {
    inner: R,
    left: u64,
    hit: bool,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            let mut one = [0u8; 1];
            // A decoding error past the cap is not worth reporting; only whether more would come.
            if self.inner.read(&mut one).unwrap_or(0) > 0 {
                self.hit = true;
            }
            return Ok(0);
        }
        let room = self.left.min(buf.len() as u64) as usize;
        let n = match self.inner.read(&mut buf[..room]) {
            Ok(n) => n,
            // A corrupt compressed stream ends the pickle; what came before was scanned.
            Err(e) if is_decode_error(&e) => 0,
            Err(e) => return Err(e),
        };
        self.left -= n as u64;
        Ok(n)
    }
}

/// Whether a read error is the compressed data's fault (flate2: `InvalidInput`/`InvalidData` for a corrupt
/// stream, `UnexpectedEof` for one cut short), not the file system's.
fn is_decode_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
    )
}

/// Ends the stream at a decoding error of the compressed data (flate2 reports one as `InvalidInput` or
/// `InvalidData`) and notes it; other I/O errors pass through.
struct EndOnCorrupt<'a, R> {
    inner: R,
    hit: &'a Cell<bool>,
}

impl<R: Read> Read for EndOnCorrupt<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.hit.get() {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Err(e) if is_decode_error(&e) => {
                self.hit.set(true);
                Ok(0)
            }
            other => other,
        }
    }
}

/// Ends the stream early (as end of input) once the sink has seen enough pickles.
struct Stoppable<R> {
    inner: R,
    stop: Rc<Cell<bool>>,
}

impl<R: Read> Read for Stoppable<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stop.get() {
            return Ok(0);
        }
        self.inner.read(buf)
    }
}

struct PickleSink<'a> {
    out: &'a mut Out,
    place: &'a Place,
    /// Added to event offsets (where the pickle stream starts inside the member or file).
    shift: u64,
    pickles: u32,
    stop_after: Option<u32>,
    stop: Rc<Cell<bool>>,
    first_ending: Option<Ending>,
    first_error: Option<(u64, String)>,
    /// Storage members of a PyTorch zip: report only if the data is a real pickle (ends in STOP).
    quiet_unless_stop: bool,
    held: Vec<Event>,
}

impl PickleSink<'_> {
    fn handle(&mut self, event: Event) {
        let place = self.place;
        match event {
            Event::Import(i) => {
                let c = policy::classify_reference(&i.reference);
                self.callable(&i.reference.to_string(), c, i.offset, "imports");
            }
            Event::Call(call) => {
                if matches!(call.callee, Callee::Unresolved) {
                    return;
                }
                let c = policy::classify_call(&call);
                // Calls on safe classes and their objects are what every model does.
                if c.verdict == Verdict::Safe {
                    return;
                }
                let name = callee_name(&call.callee);
                self.callable(&name, c, call.offset, "calls");
            }
            Event::Mutation(m) => {
                let offset = m.offset + self.shift;
                self.out.push(
                    ItemKind::DangerousCallable,
                    "pickle-global-mutation",
                    m.target.to_string(),
                    format!(
                        "{} modifies the module-level object `{}` in place (a way to smuggle names past \
                         scanners); real models never do",
                        m.opcode, m.target
                    ),
                    offset,
                    place,
                    Severity::Critical,
                );
            }
            Event::Error(pickle::ScanError {
                offset,
                kind: pickle::ErrorKind::LimitReached(limit),
            }) => {
                let what = format!("{limit:?}").to_lowercase();
                let limits = &mut self.out.report.limits;
                if limits.len() < 16 && !limits.iter().any(|l| l.starts_with(&what)) {
                    let at = match &place.member {
                        Some(m) => format!(
                            "{what} limit of the pickle simulation reached in `{m}` at byte {}",
                            offset + self.shift
                        ),
                        None => format!(
                            "{what} limit of the pickle simulation reached at byte {}",
                            offset + self.shift
                        ),
                    };
                    limits.push(at);
                }
            }
            Event::Error(e) if self.pickles == 0 && self.first_error.is_none() => {
                self.first_error = Some((e.offset + self.shift, e.kind.to_string()));
            }
            _ => {}
        }
    }

    fn callable(&mut self, name: &str, c: policy::Classification, offset: u64, verb: &str) {
        let offset = offset + self.shift;
        let (kind, rule, severity) = match c.verdict {
            Verdict::Safe => return,
            Verdict::Dangerous => (
                ItemKind::DangerousCallable,
                "pickle-dangerous-callable",
                Severity::Critical,
            ),
            Verdict::Unknown { known_library } => (
                ItemKind::UnknownCallable,
                "pickle-unknown-callable",
                if known_library.is_some() {
                    Severity::Low
                } else {
                    Severity::Medium
                },
            ),
        };
        self.out.push(
            kind,
            rule,
            name.to_string(),
            format!("the pickle {verb} `{name}` ({})", c.reason),
            offset,
            self.place,
            severity,
        );
    }
}

fn callee_name(callee: &Callee) -> String {
    match callee {
        Callee::Reference(r) | Callee::InstanceOf(r) | Callee::ResultOf { reference: r, .. } => {
            match r {
                Reference::Global(_) | Reference::Extension(_) | Reference::Dynamic { .. } => {
                    r.to_string()
                }
            }
        }
        Callee::Unresolved => callee.to_string(),
    }
}

impl pickle::Sink for PickleSink<'_> {
    fn event(&mut self, event: Event) {
        if self.stop.get() {
            return;
        }
        match event {
            Event::PickleStart { .. } => {}
            Event::PickleEnd { ending, .. } => {
                if self.pickles == 0 {
                    self.first_ending = Some(ending);
                    if self.quiet_unless_stop {
                        let held = std::mem::take(&mut self.held);
                        if matches!(ending, Ending::Stop(_)) {
                            for e in held {
                                self.handle(e);
                            }
                        } else {
                            // Not a pickle after all: raw tensor bytes. Stop reading them.
                            self.stop.set(true);
                        }
                        self.quiet_unless_stop = false;
                    }
                }
                self.pickles += 1;
                self.out.report.pickles += 1;
                if self.stop_after.is_some_and(|n| self.pickles >= n) {
                    self.stop.set(true);
                }
            }
            e if self.quiet_unless_stop => {
                if self.held.len() < 4096 {
                    self.held.push(e);
                }
            }
            e => self.handle(e),
        }
    }
}

fn scan_pickles(
    r: &mut dyn Read,
    place: &Place,
    stop_after: Option<u32>,
    quiet_unless_stop: bool,
    out: &mut Out,
) -> io::Result<()> {
    scan_pickles_at(r, place, 0, stop_after, quiet_unless_stop, out)
}

fn scan_pickles_at(
    r: &mut dyn Read,
    place: &Place,
    shift: u64,
    stop_after: Option<u32>,
    quiet_unless_stop: bool,
    out: &mut Out,
) -> io::Result<()> {
    let stop = Rc::new(Cell::new(false));
    let mut sink = PickleSink {
        out,
        place,
        shift,
        pickles: 0,
        stop_after,
        stop: stop.clone(),
        first_ending: None,
        first_error: None,
        quiet_unless_stop,
        held: Vec::new(),
    };
    let input = Stoppable { inner: r, stop };
    pickle::scan(input, &pickle::Limits::default(), &mut sink)?;
    let broken = matches!(sink.first_ending, Some(Ending::Broken | Ending::Truncated));
    if broken && !(quiet_unless_stop) && sink.pickles > 0 {
        let (offset, why) = sink
            .first_error
            .take()
            .unwrap_or((shift, "the pickle does not end".into()));
        sink.out.problem(
            "pickle-malformed",
            "malformed pickle",
            format!(
                "the pickle breaks at byte {offset}: {why} (the unpickler runs everything before the break)"
            ),
            offset,
            place,
        );
    }
    Ok(())
}

fn scan_npy(r: &mut dyn Read, place: &Place, out: &mut Out) -> io::Result<()> {
    match numpy::read_header(&mut *r) {
        Ok(h) => {
            if h.oversized {
                out.problem(
                    "numpy-invalid-header",
                    "oversized .npy header",
                    format!(
                        "the header is longer than numpy's default limit of {} bytes",
                        numpy::NUMPY_HEADER_LIMIT
                    ),
                    0,
                    place,
                );
            }
            if let Some(at) = h.pickle_offset() {
                scan_pickles_at(r, place, at, None, false, out)?;
            }
        }
        Err(numpy::NpyError::Io(e)) => return Err(e),
        Err(e) => out.problem(
            "numpy-invalid-header",
            "invalid .npy header",
            e.to_string(),
            0,
            place,
        ),
    }
    Ok(())
}

fn scan_safetensors(r: &mut dyn ReadSeek, out: &mut Out) -> io::Result<()> {
    let report = safetensors::check(&mut &mut *r)?;
    let top = Place::file();
    for p in report.problems.iter().take(100) {
        out.problem(
            "safetensors-invalid-header",
            &p.kind.to_string(),
            p.to_string(),
            p.offset,
            &top,
        );
    }
    Ok(())
}

fn scan_gguf(r: &mut dyn ReadSeek, size: u64, out: &mut Out) -> io::Result<()> {
    let top = Place::file();
    match gguf::read(&mut *r, size) {
        Ok(g) => {
            // One item per template, naming every construct in it (first offset kept).
            let mut by_key: Vec<(String, u64, Vec<String>, String)> = Vec::new();
            for t in gguf::chat_template_findings(&g) {
                match by_key.iter_mut().find(|(k, ..)| *k == t.key) {
                    Some((_, _, constructs, _)) => {
                        if !constructs.contains(&t.construct) {
                            constructs.push(t.construct);
                        }
                    }
                    None => by_key.push((t.key, t.offset, vec![t.construct], t.excerpt)),
                }
            }
            for (key, offset, constructs, excerpt) in by_key {
                out.push(
                    ItemKind::DangerousCallable,
                    "gguf-chat-template-injection",
                    key.clone(),
                    format!(
                        "chat template `{key}` reaches Python internals when rendered (CVE-2024-34359): {}; \
                         near `{excerpt}`",
                        constructs.join(", ")
                    ),
                    offset,
                    &top,
                    Severity::Critical,
                );
            }
            if let Some(e) = g.error {
                if let gguf::GgufError::Io(e) = e {
                    return Err(e);
                }
                out.problem(
                    "gguf-invalid-header",
                    "invalid GGUF metadata",
                    e.to_string(),
                    0,
                    &top,
                );
            }
        }
        Err(gguf::GgufError::Io(e)) => return Err(e),
        Err(e) => out.problem(
            "gguf-invalid-header",
            "invalid GGUF file",
            e.to_string(),
            0,
            &top,
        ),
    }
    Ok(())
}

fn member_path(parent: &Place, name: &str) -> String {
    match &parent.member {
        Some(p) => format!("{p}!{name}"),
        None => name.to_string(),
    }
}

fn scan_onnx(r: &mut dyn ReadSeek, size: u64, out: &mut Out) -> io::Result<()> {
    let report = onnx::scan(&mut *r, size)?;
    for issue in report.issues {
        let (kind, rule) = match issue.kind {
            onnx::IssueKind::ExternalDataEscape => {
                (ItemKind::DangerousCallable, "onnx-external-data-escape")
            }
            onnx::IssueKind::CustomOpDomain => (ItemKind::UnknownCallable, "onnx-custom-operator"),
            onnx::IssueKind::Malformed => (ItemKind::FormatProblem, "onnx-malformed"),
        };
        out.push_folded(
            kind,
            rule,
            issue.subject,
            issue.detail,
            issue.offset,
            issue.severity,
            issue.count,
        );
    }
    Ok(())
}

fn scan_saved_model(r: &mut dyn ReadSeek, size: u64, out: &mut Out) -> io::Result<()> {
    let report = savedmodel::scan(&mut *r, size)?;
    for issue in report.issues {
        let (kind, rule) = match issue.kind {
            savedmodel::IssueKind::Malformed => {
                (ItemKind::FormatProblem, "tf-savedmodel-malformed")
            }
            _ => (ItemKind::DangerousCallable, "tf-risky-op"),
        };
        out.push_folded(
            kind,
            rule,
            issue.subject,
            issue.detail,
            issue.offset,
            issue.severity,
            issue.count,
        );
    }
    Ok(())
}

/// Scans every member of the zip at `r`; returns the zip flavour told by the central directory's names.
fn scan_zip(
    r: &mut dyn ReadSeek,
    place: &Place,
    depth: usize,
    out: &mut Out,
) -> io::Result<Option<Format>> {
    let limits = zip::Limits::default();
    let archive = match zip::read_archive(&mut *r, &limits) {
        Ok(a) => a,
        Err(zip::ZipError::Io(e)) => return Err(e),
        Err(e) => {
            out.problem("zip-malformed", "unreadable zip", e.to_string(), 0, place);
            return Ok(None);
        }
    };
    let flavour = sniff::classify_zip_names(archive.members.iter().map(|m| m.name.as_str()));
    for p in &archive.problems {
        let at = match p {
            ZipProblem::BadLocalHeader { offset, .. } => *offset,
            _ => p
                .member()
                .and_then(|n| archive.members.iter().find(|m| m.name == n))
                .map_or(0, |m| m.local_header_offset),
        };
        // A claimed offset may lie past the end of the file (the problem's message names it); the location
        // stays inside the file.
        let at = at.min(archive.file_size.saturating_sub(1));
        let inner = Place {
            member: p
                .member()
                .map(|m| member_path(place, m))
                .or(place.member.clone()),
            base: place.base,
        };
        let severity = match p {
            ZipProblem::EncryptedFlag { .. }
            | ZipProblem::NameMismatch { .. }
            | ZipProblem::DuplicateName { .. } => Severity::High,
            _ => Severity::Medium,
        };
        out.push(
            ItemKind::FormatProblem,
            p.code(),
            p.code().replace('-', " "),
            p.to_string(),
            at,
            &inner,
            severity,
        );
    }
    for m in &archive.members {
        if m.is_dir() {
            continue;
        }
        out.report.members += 1;
        let path = member_path(place, &m.name);
        let stored = m.method == zip::METHOD_STORED;
        let mplace = Place {
            member: Some(path.clone()),
            base: match (place.base, m.data_offset) {
                (Some(b), Some(d)) if stored => Some(b.saturating_add(d)),
                _ => None,
            },
        };
        // The first bytes tell what the member is.
        let head = {
            let Some((reader, _)) = zip::open_member(&mut *r, m, &limits)? else {
                continue;
            };
            let mut head = Vec::with_capacity(sniff::HEAD_LEN);
            read_up_to(reader, sniff::HEAD_LEN, &mut head)?;
            head
        };
        let kind = sniff::sniff(&head, &m.name);
        let lower = m.name.to_ascii_lowercase();
        let named_pickle = [".pkl", ".pickle", ".joblib"]
            .iter()
            .any(|e| lower.ends_with(e));
        let is_storage = flavour == Format::PyTorchZip && is_torch_storage(&m.name);
        if let Some(Format::PyTorchZip | Format::KerasV3 | Format::Npz | Format::Zip) = kind {
            if depth + 1 >= MAX_ZIP_DEPTH {
                out.push(
                    ItemKind::FormatProblem,
                    "zip-nesting",
                    "zip nested too deep".into(),
                    ZipProblem::NestingTooDeep {
                        member: path.clone(),
                        depth: depth + 1,
                    }
                    .to_string(),
                    0,
                    &mplace,
                    Severity::Medium,
                );
            } else if let (true, Some(d)) = (stored, m.data_offset) {
                let mut window = zip::Window::new(&mut *r, d, m.compressed_size);
                scan_zip(&mut window, &mplace, depth + 1, out)?;
            } else {
                out.push(
                    ItemKind::FormatProblem,
                    "zip-nesting",
                    "compressed zip inside a zip".into(),
                    format!(
                        "member `{path}` is a compressed zip inside the zip; it was not opened"
                    ),
                    0,
                    &mplace,
                    Severity::Medium,
                );
            }
            continue;
        }
        let Some((reader, cutoff)) = zip::open_member(&mut *r, m, &limits)? else {
            continue;
        };
        // A corrupt deflate stream ends the member where it breaks: what came before was scanned (and
        // is what a loader would have read).
        let corrupt = Cell::new(false);
        let mut reader = EndOnCorrupt {
            inner: reader,
            hit: &corrupt,
        };
        match kind {
            Some(Format::Pickle { .. } | Format::PyTorchLegacy) => {
                scan_pickles(&mut reader, &mplace, None, is_storage && !named_pickle, out)?
            }
            None if named_pickle => scan_pickles(&mut reader, &mplace, None, false, out)?,
            Some(Format::Npy) => scan_npy(&mut reader, &mplace, out)?,
            _ if flavour == Format::KerasV3 && m.name == "config.json" => {
                scan_keras_config(&mut reader, m.uncompressed_size, &mplace, out)?
            }
            _ => {}
        }
        drop(reader);
        if corrupt.get() {
            out.push(
                ItemKind::FormatProblem,
                "zip-malformed",
                "corrupt compressed member".into(),
                format!(
                    "member `{path}` has a corrupt deflate stream; it was read up to the break"
                ),
                0,
                &mplace,
                Severity::Medium,
            );
        }
        if cutoff.hit()
            && !archive
                .problems
                .iter()
                .any(|p| matches!(p, ZipProblem::RatioExceeded { member, .. } if *member == m.name))
        {
            out.push(
                ItemKind::FormatProblem,
                "zip-bomb",
                "zip bomb".into(),
                ZipProblem::RatioExceeded {
                    member: path.clone(),
                    compressed: m.compressed_size,
                    uncompressed: m.compressed_size.saturating_mul(limits.max_ratio),
                }
                .to_string(),
                0,
                &mplace,
                Severity::Medium,
            );
        }
    }
    Ok(Some(flavour))
}

/// Scans every file member of a tar stream (PyTorch's legacy tar, or any tar of models): pickles (every
/// pickle of `storages` and `tensors`, whose pickles sit between raw tensor bytes), numpy arrays, nested
/// archives. A zip inside a tar is copied to a temporary file first (a zip is read from its end).
fn scan_tar(r: &mut dyn Read, place: &Place, depth: usize, out: &mut Out) -> io::Result<()> {
    let mut reader = tar::Reader::new(r);
    loop {
        let m = match reader.next_member()? {
            Ok(Some(m)) => m,
            Ok(None) => break,
            Err(p) => {
                let rule = match p {
                    tar::Problem::TooManyMembers { .. } => "zip-too-many-members",
                    _ => "tar-malformed",
                };
                let at = p.offset();
                out.problem(rule, "tar", p.to_string(), at, place);
                break;
            }
        };
        if m.kind != tar::Kind::File {
            continue;
        }
        out.report.members += 1;
        let path = member_path(place, &m.name);
        let mplace = Place {
            member: Some(path.clone()),
            base: place.base.map(|b| b.saturating_add(m.data_offset)),
        };
        if zip::is_traversal(&m.name) {
            out.push(
                ItemKind::FormatProblem,
                "zip-path-traversal",
                "path traversal".into(),
                format!("tar member `{}` escapes the extraction directory", m.name),
                0,
                &mplace,
                Severity::Medium,
            );
        }
        let mut head = Vec::with_capacity(sniff::HEAD_LEN);
        read_up_to(reader.data(), sniff::HEAD_LEN, &mut head)?;
        let kind = sniff::sniff(&head, &m.name);
        let lower = m.name.to_ascii_lowercase();
        let named_pickle = [".pkl", ".pickle", ".joblib"]
            .iter()
            .any(|e| lower.ends_with(e));
        let base = base_name(&m.name);
        // Legacy torch: `storages` and `tensors` interleave pickles with raw bytes.
        let interleaved = base == "storages" || base == "tensors";
        let mut data = io::Cursor::new(&head[..]).chain(reader.data());
        match kind {
            Some(Format::Pickle { .. } | Format::PyTorchLegacy) => {
                scan_pickles(&mut data, &mplace, None, interleaved, out)?
            }
            None if named_pickle => scan_pickles(&mut data, &mplace, None, false, out)?,
            Some(Format::Npy) => scan_npy(&mut data, &mplace, out)?,
            Some(Format::PyTorchTar | Format::Tar) if depth + 1 < MAX_ZIP_DEPTH => {
                scan_tar(&mut data, &mplace, depth + 1, out)?
            }
            Some(Format::PyTorchZip | Format::KerasV3 | Format::Npz | Format::Zip)
                if depth + 1 < MAX_ZIP_DEPTH =>
            {
                let mut spill = tempfile::tempfile()?;
                io::copy(&mut data, &mut spill)?;
                let place = Place {
                    member: mplace.member.clone(),
                    base: None,
                };
                scan_zip(&mut spill, &place, depth + 1, out)?;
            }
            Some(
                Format::PyTorchTar
                | Format::Tar
                | Format::PyTorchZip
                | Format::KerasV3
                | Format::Npz
                | Format::Zip,
            ) => {
                out.push(
                    ItemKind::FormatProblem,
                    "zip-nesting",
                    "archive nested too deep".into(),
                    format!(
                        "member `{path}` is an archive nested {} deep; not opened",
                        depth + 1
                    ),
                    0,
                    &mplace,
                    Severity::Medium,
                );
            }
            _ => {}
        }
    }
    Ok(())
}

/// Needles that start a Keras model config serialized as JSON (`json.dumps` puts `class_name` first in Keras
/// 2 and `module` first in Keras 3).
const KERAS_JSON_STARTS: &[&[u8]] = &[b"{\"class_name\"", b"{\"module\""];

/// Legacy Keras HDF5 (`model.save("m.h5")`) and a Keras SavedModel's `keras_metadata.pb`: the `model_config`
/// attribute (or the metadata's per-layer strings) holds JSON configs, with Lambda layers' marshalled bytecode. The attribute's bytes sit contiguous in an object header or the global
/// heap, so the file is searched for JSON objects that start like a Keras config (at memchr speed, tensor data
/// included, in bounded memory) and each is checked like a `.keras` config.
///
/// Not an HDF5 parser: no pure-Rust crate reads HDF5 attributes, and binding libhdf5 (C) for one attribute
/// would cost a system dependency. A config stored in a compressed (filtered) dense-attribute heap is not
/// seen; h5py and Keras never write one.
fn scan_embedded_keras_json(
    r: &mut dyn ReadSeek,
    size: u64,
    place: &Place,
    out: &mut Out,
) -> io::Result<()> {
    const CHUNK: usize = 1 << 20;
    let finders: Vec<_> = KERAS_JSON_STARTS
        .iter()
        .map(memchr::memmem::Finder::new)
        .collect();
    let overlap = KERAS_JSON_STARTS.iter().map(|n| n.len()).max().unwrap_or(1) - 1;
    let mut buf = vec![0u8; CHUNK + overlap];
    let mut at: u64 = 0;
    let mut configs = 0usize;
    while at < size {
        r.seek(SeekFrom::Start(at))?;
        let mut filled = 0;
        while filled < buf.len() {
            let n = r.read(&mut buf[filled..])?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        if filled == 0 {
            break;
        }
        let window = &buf[..filled];
        let hit = finders.iter().filter_map(|f| f.find(window)).min();
        match hit {
            Some(i) => {
                let start = at + i as u64;
                let len = keras_json_at(r, start, place, out)?;
                configs += usize::from(len.is_some());
                if configs >= 64 {
                    break;
                }
                at = start + len.unwrap_or(1).max(1);
            }
            None if filled < buf.len() => break,
            None => at += (filled - overlap) as u64,
        }
    }
    Ok(())
}

/// Reads the balanced JSON object starting at `start` (at most [`MAX_KERAS_CONFIG`] bytes) and checks it as a
/// Keras config. Returns its length when it parsed.
fn keras_json_at(
    r: &mut dyn ReadSeek,
    start: u64,
    place: &Place,
    out: &mut Out,
) -> io::Result<Option<u64>> {
    r.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut chunk = [0u8; 64 << 10];
    let mut end = None;
    'read: while (bytes.len() as u64) < MAX_KERAS_CONFIG {
        let n = r.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        for (i, &b) in chunk[..n].iter().enumerate() {
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        bytes.extend_from_slice(&chunk[..=i]);
                        end = Some(bytes.len());
                        break 'read;
                    }
                }
                _ => {}
            }
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
    let Some(end) = end else {
        return Ok(None);
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes[..end]) else {
        return Ok(None);
    };
    if value.get("class_name").is_none() {
        return Ok(None);
    }
    check_keras_config(&value, &bytes[..end], start, place, out);
    Ok(Some(end as u64))
}

/// `archive/data/0`: raw tensor bytes that `torch.load` reads as data, never unpickles.
fn is_torch_storage(name: &str) -> bool {
    let mut parts = name.rsplit('/');
    let last = parts.next().unwrap_or("");
    parts.next() == Some("data") && !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit())
}

fn read_up_to<R: Read>(mut r: R, n: usize, buf: &mut Vec<u8>) -> io::Result<()> {
    match Read::take(&mut r, n as u64).read_to_end(buf) {
        Ok(_) => Ok(()),
        // A corrupt deflate stream: what was inflated is what there is.
        Err(e) if is_decode_error(&e) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Keras v3 `config.json`: `Lambda` layers carry marshalled Python bytecode (run when loaded with
/// `safe_mode=False`), and objects from outside Keras are custom code the loader imports.
fn scan_keras_config(
    r: &mut dyn Read,
    declared: u64,
    place: &Place,
    out: &mut Out,
) -> io::Result<()> {
    let mut bytes = Vec::new();
    read_up_to(&mut *r, MAX_KERAS_CONFIG as usize + 1, &mut bytes)?;
    if bytes.len() as u64 > MAX_KERAS_CONFIG || declared > MAX_KERAS_CONFIG {
        out.problem(
            "keras-config-invalid",
            "oversized Keras config",
            format!("config.json is over {MAX_KERAS_CONFIG} bytes; not parsed"),
            0,
            place,
        );
        return Ok(());
    }
    let value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            out.problem(
                "keras-config-invalid",
                "invalid Keras config",
                format!("config.json is not valid JSON: {e}"),
                0,
                place,
            );
            return Ok(());
        }
    };
    check_keras_config(&value, &bytes, 0, place, out);
    Ok(())
}

/// Lambda layers and custom objects in a parsed Keras config whose text is `bytes`, found at `base` in the
/// member or file.
fn check_keras_config(
    value: &serde_json::Value,
    bytes: &[u8],
    base: u64,
    place: &Place,
    out: &mut Out,
) {
    let find = |needle: &str| -> u64 {
        base + memchr::memmem::find(bytes, needle.as_bytes()).unwrap_or(0) as u64
    };
    let has_lambda_layer = memchr::memmem::find(bytes, b"\"Lambda\"").is_some();
    let mut stack = vec![value];
    let mut visited = 0usize;
    while let Some(v) = stack.pop() {
        visited += 1;
        if visited > 1_000_000 {
            break;
        }
        match v {
            serde_json::Value::Object(map) => {
                let class = map.get("class_name").and_then(|c| c.as_str());
                let module = map.get("module").and_then(|c| c.as_str());
                let registered = map.get("registered_name").and_then(|c| c.as_str());
                match class {
                    // The function inside a Lambda layer is `__lambda__`: one finding for the layer.
                    Some("__lambda__") if has_lambda_layer => {}
                    Some(c @ ("Lambda" | "__lambda__")) => {
                        out.push(
                            ItemKind::DangerousCallable,
                            "keras-lambda-layer",
                            format!("{}.{c}", module.unwrap_or("keras.layers")),
                            "a Lambda layer holds serialized Python code that runs when the model is \
                             loaded with safe_mode=False"
                                .into(),
                            find(&format!("\"{c}\"")),
                            place,
                            Severity::Critical,
                        );
                    }
                    Some(c) => {
                        let custom = registered.is_some_and(|r| r.contains('>'))
                            || module.is_some_and(|m| {
                                !(m == "keras" || m.starts_with("keras.") || m == "builtins")
                            });
                        if custom {
                            let name = format!("{}.{c}", module.unwrap_or("?"));
                            out.push(
                                ItemKind::UnknownCallable,
                                "keras-custom-object",
                                name.clone(),
                                format!(
                                    "the config names the custom object `{name}` (registered as `{}`); \
                                     loading imports and runs its code",
                                    registered.unwrap_or("-")
                                ),
                                find(&format!("\"{c}\"")),
                                place,
                                Severity::Medium,
                            );
                        }
                    }
                    None => {}
                }
                stack.extend(map.values());
            }
            serde_json::Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zip::testkit::{build, spec, Spec};
    use std::io::Cursor;

    /// A protocol-2 pickle calling `module.name(arg)` via GLOBAL + REDUCE, emitted as opcodes.
    fn reduce_pickle(module: &str, name: &str, arg: &str) -> Vec<u8> {
        let mut p = vec![0x80, 2];
        p.extend_from_slice(format!("c{module}\n{name}\n").as_bytes());
        p.push(b'X');
        p.extend_from_slice(&(arg.len() as u32).to_le_bytes());
        p.extend_from_slice(arg.as_bytes());
        p.extend_from_slice(&[0x85, b'R', b'.']);
        p
    }

    /// A benign torch-like pickle: an OrderedDict.
    fn benign_pickle() -> Vec<u8> {
        let mut p = vec![0x80, 2];
        p.extend_from_slice(b"ccollections\nOrderedDict\n");
        p.extend_from_slice(b")R.");
        p
    }

    fn scan(bytes: &[u8], name: &str) -> ModelReport {
        scan_file(&mut Cursor::new(bytes), name, bytes.len() as u64).unwrap()
    }

    fn has(report: &ModelReport, rule: &str, subject: &str) -> bool {
        report
            .items
            .iter()
            .any(|i| i.rule == rule && i.subject.contains(subject))
    }

    #[test]
    fn bare_pickle_dangerous_and_benign() {
        let r = scan(&reduce_pickle("os", "system", "id"), "model.pkl");
        assert!(has(&r, "pickle-dangerous-callable", "os.system"), "{r:#?}");
        let item = r.items.iter().find(|i| i.subject == "os.system").unwrap();
        assert_eq!(item.offset, 2);
        assert_eq!(item.severity, Severity::Critical);
        assert!(item.tags.contains(&"ATLAS-AML.T0011.000"));
        let r = scan(&benign_pickle(), "model.pkl");
        assert!(r.is_clean(), "{r:#?}");
    }

    #[test]
    fn every_pickle_in_the_stream_and_after_garbage() {
        let mut data = benign_pickle();
        data.extend_from_slice(b"\xff\xfe garbage");
        data.extend_from_slice(&reduce_pickle("runpy", "_run_code", "x"));
        let r = scan(&data, "model.pkl");
        assert!(
            has(&r, "pickle-dangerous-callable", "runpy._run_code"),
            "{r:#?}"
        );
    }

    #[test]
    fn pickle_named_safetensors() {
        let r = scan(&reduce_pickle("os", "system", "id"), "model.safetensors");
        assert!(has(&r, "extension-mismatch", "pickle"), "{r:#?}");
        assert!(has(&r, "pickle-dangerous-callable", "os.system"));
        assert_eq!(r.format, Some(Format::Pickle { protocol: 2 }));
    }

    #[test]
    fn torch_zip_every_pickle_member_and_encrypted_flag() {
        let evil = reduce_pickle("subprocess", "Popen", "sh");
        let benign = benign_pickle();
        let zip = build(
            &[
                spec("archive/data.pkl", &benign),
                Spec {
                    flags: zip::FLAG_ENCRYPTED,
                    ..spec("archive/extra/hidden.bin", &evil)
                },
                spec("archive/data/0", &[0u8; 64]),
                spec("archive/version", b"3\n"),
            ],
            b"",
            b"",
        );
        let r = scan(&zip, "model.pt");
        assert_eq!(r.format, Some(Format::PyTorchZip));
        let item = r
            .items
            .iter()
            .find(|i| i.rule == "pickle-dangerous-callable")
            .expect("hidden member scanned");
        assert_eq!(item.member.as_deref(), Some("archive/extra/hidden.bin"));
        assert!(item.subject.starts_with("subprocess.Popen"));
        assert_eq!(item.offset, 2);
        assert!(item.file_offset.is_some());
        assert!(has(&r, "zip-encrypted-flag", ""), "{r:#?}");
        assert!(!has(&r, "pickle-malformed", ""), "{r:#?}");
    }

    #[test]
    fn deflated_member_and_name_mismatch() {
        let evil = reduce_pickle("builtins", "eval", "1");
        let zip = build(
            &[
                spec("m/data.pkl", &benign_pickle()),
                Spec {
                    deflate: true,
                    local_name: Some("m/innocent.txt"),
                    ..spec("m/evil.pkl", &evil)
                },
            ],
            b"",
            b"junk after",
        );
        let r = scan(&zip, "model.pth");
        assert!(
            has(&r, "pickle-dangerous-callable", "builtins.eval"),
            "{r:#?}"
        );
        assert!(has(&r, "zip-name-mismatch", ""), "{r:#?}");
        let item = r.items.iter().find(|i| i.subject.contains("eval")).unwrap();
        assert_eq!(item.file_offset, None);
    }

    #[test]
    fn zip_bomb_and_traversal_reported() {
        let big = vec![b'a'; 4 << 20];
        let zip = build(
            &[
                Spec {
                    deflate: true,
                    ..spec("bomb.pkl", &big)
                },
                spec("../../evil.pkl", &benign_pickle()),
            ],
            b"",
            b"",
        );
        let r = scan(&zip, "x.zip");
        assert!(has(&r, "zip-bomb", ""), "{r:#?}");
        assert!(has(&r, "zip-path-traversal", ""), "{r:#?}");
    }

    #[test]
    fn nested_zip_is_followed_and_bounded() {
        let inner = build(
            &[spec("p.pkl", &reduce_pickle("os", "system", "x"))],
            b"",
            b"",
        );
        let outer = build(&[spec("inner.zip", &inner)], b"", b"");
        let r = scan(&outer, "x.zip");
        let item = r
            .items
            .iter()
            .find(|i| i.rule == "pickle-dangerous-callable")
            .expect("nested scanned");
        assert_eq!(item.member.as_deref(), Some("inner.zip!p.pkl"));
        let mut z = outer;
        for _ in 0..4 {
            z = build(&[spec("n.zip", &z)], b"", b"");
        }
        let r = scan(&z, "x.zip");
        assert!(has(&r, "zip-nesting", ""), "{r:#?}");
    }

    #[test]
    fn npy_object_and_npz() {
        let mut npy = b"\x93NUMPY\x01\x00".to_vec();
        let mut header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }".to_string();
        while !(10 + header.len() + 1).is_multiple_of(64) {
            header.push(' ');
        }
        header.push('\n');
        npy.extend_from_slice(&(header.len() as u16).to_le_bytes());
        npy.extend_from_slice(header.as_bytes());
        let at = npy.len() as u64;
        npy.extend_from_slice(&reduce_pickle("os", "system", "x"));
        let r = scan(&npy, "a.npy");
        let item = r
            .items
            .iter()
            .find(|i| i.subject == "os.system")
            .expect("npy pickle");
        assert_eq!(item.offset, at + 2);
        let npz = build(&[spec("arr.npy", &npy), spec("b.npy", &npy)], b"", b"");
        let r = scan(&npz, "a.npz");
        assert_eq!(r.format, Some(Format::Npz));
        assert!(r
            .items
            .iter()
            .any(|i| i.member.as_deref() == Some("arr.npy")));
    }

    #[test]
    fn keras_lambda_and_custom_objects() {
        let config = br#"{"module":"keras","class_name":"Sequential","config":{"layers":[
            {"module":"keras.layers","class_name":"Lambda","config":{"function":{"class_name":"__lambda__","config":{"code":"AAAA"}}}},
            {"module":"my_pkg.layers","class_name":"Evil","registered_name":"my_pkg>Evil","config":{}}]}}"#;
        let zip = build(
            &[
                spec("metadata.json", b"{}"),
                spec("config.json", config),
                spec("model.weights.h5", b"\x89HDF\r\n\x1a\n"),
            ],
            b"",
            b"",
        );
        let r = scan(&zip, "m.keras");
        assert_eq!(r.format, Some(Format::KerasV3));
        assert!(has(&r, "keras-lambda-layer", "Lambda"), "{r:#?}");
        assert!(
            has(&r, "keras-custom-object", "my_pkg.layers.Evil"),
            "{r:#?}"
        );
    }

    #[test]
    fn safetensors_problems() {
        let header = br#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,64]}}"#;
        let mut st = (header.len() as u64).to_le_bytes().to_vec();
        st.extend_from_slice(header);
        st.extend_from_slice(&[0u8; 16]);
        let r = scan(&st, "m.safetensors");
        assert_eq!(r.format, Some(Format::Safetensors));
        assert!(has(&r, "safetensors-invalid-header", ""), "{r:#?}");
    }

    #[test]
    fn compressed_joblib() {
        use std::io::Write;
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(&reduce_pickle("os", "system", "x")).unwrap();
        let z = e.finish().unwrap();
        let r = scan(&z, "model.joblib");
        assert!(has(&r, "pickle-dangerous-callable", "os.system"), "{r:#?}");
    }

    #[test]
    fn legacy_torch_tar_and_tar_gz_with_a_zip_inside() {
        // PyTorch's pre-0.4 tar: `storages` holds a pickle, then raw bytes, then more pickles.
        let mut storages = benign_pickle();
        storages.extend_from_slice(&[0x80, 0x02, 0x11, 0x22, 0x33, 0x99, 0x00]);
        storages.extend_from_slice(&reduce_pickle("os", "system", "x"));
        let t = tar::testkit::build(&[
            ("sys_info", &benign_pickle()),
            ("pickle", &reduce_pickle("builtins", "exec", "x")),
            ("storages", &storages),
            ("tensors", &benign_pickle()),
        ]);
        let r = scan(&t, "model.pt");
        assert_eq!(r.format, Some(Format::PyTorchTar));
        let exec = r
            .items
            .iter()
            .find(|i| i.subject.starts_with("builtins.exec"))
            .expect("pickle member");
        assert_eq!(exec.member.as_deref(), Some("pickle"));
        let at = exec.file_offset.unwrap() as usize;
        assert_eq!(&t[at..at + 8], b"cbuiltin");
        assert!(has(&r, "pickle-dangerous-callable", "os.system"), "{r:#?}");
        assert!(!has(&r, "pickle-malformed", ""), "{r:#?}");

        // SageMaker's model.tar.gz around a PyTorch zip.
        let zip = build(
            &[
                spec("archive/data.pkl", &benign_pickle()),
                spec(
                    "archive/extra.pkl",
                    &reduce_pickle("subprocess", "run", "x"),
                ),
            ],
            b"",
            b"",
        );
        let t = tar::testkit::build(&[("code/inference.py", b"print(1)\n"), ("model.pth", &zip)]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &t).unwrap();
        let gz = gz.finish().unwrap();
        let meta_claims =
            crate::analyzer::claims(&gz[..gz.len().min(sniff::HEAD_LEN)], "model.tar.gz");
        assert!(meta_claims);
        let r = scan(&gz, "model.tar.gz");
        assert_eq!(r.format, Some(Format::Tar));
        let item = r
            .items
            .iter()
            .find(|i| i.rule == "pickle-dangerous-callable")
            .expect("zip inside tar.gz scanned");
        assert_eq!(item.member.as_deref(), Some("model.pth!archive/extra.pkl"));
        // A gzip of text is not a model.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, b"just some text, not a model").unwrap();
        assert!(!crate::analyzer::claims(
            &gz.finish().unwrap(),
            "notes.txt.gz"
        ));
    }

    #[test]
    fn tar_traversal_and_corruption() {
        let mut t =
            tar::testkit::build(&[("../../etc/cron.d/x.pkl", &benign_pickle()), ("b", b"1")]);
        let r = scan(&t, "x.tar");
        assert!(has(&r, "zip-path-traversal", ""), "{r:#?}");
        t[1024] ^= 0xff;
        let r = scan(&t, "x.tar");
        assert!(has(&r, "tar-malformed", ""), "{r:#?}");
    }

    /// A minimal HDF5-looking file: the signature, filler, then the `model_config` attribute's JSON bytes as
    /// h5py stores a fixed-length string, then "tensor" bytes.
    fn h5_with_config(config: &str) -> Vec<u8> {
        let mut h = b"\x89HDF\r\n\x1a\n".to_vec();
        h.resize(4096, 0);
        h.extend_from_slice(b"model_config\0\0\0\0");
        h.extend_from_slice(config.as_bytes());
        h.extend_from_slice(&[0u8; 3]);
        h.extend((0..3_000_000u32).map(|i| (i % 251) as u8));
        h.extend_from_slice(b"training_config\0{\"loss\": \"mse\"}");
        h
    }

    #[test]
    fn legacy_keras_h5_lambda() {
        let lambda = r#"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {}}, {"class_name": "Lambda", "config": {"name": "l", "function": ["4wEAAAAAAAAA{}\"", null, null], "function_type": "lambda"}}]}}"#;
        let h = h5_with_config(lambda);
        let r = scan(&h, "model.h5");
        assert_eq!(r.format, Some(Format::Hdf5));
        let item = r
            .items
            .iter()
            .find(|i| i.rule == "keras-lambda-layer")
            .expect("lambda");
        assert_eq!(
            &h[item.offset as usize..item.offset as usize + 8],
            b"\"Lambda\""
        );
        let benign = r#"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Dense", "config": {"units": 3}}]}}"#;
        let r = scan(&h5_with_config(benign), "model.h5");
        assert!(r.is_clean(), "{r:#?}");
        // Keras 3 writes `module` first.
        let k3 = r#"{"module": "keras", "class_name": "Sequential", "config": {"layers": [{"module": "keras.layers", "class_name": "Lambda", "config": {}}]}}"#;
        let r = scan(&h5_with_config(k3), "weights.hdf5");
        assert!(has(&r, "keras-lambda-layer", "Lambda"), "{r:#?}");
    }

    #[test]
    fn memo_flood_is_partial_and_the_import_still_reported() {
        // Fill the memo past its cap, then build `os.system` from memoized strings.
        let mut p = vec![0x80, 4];
        for _ in 0..(pickle::Limits::default().max_memo + 10) {
            p.extend_from_slice(&[b'K', 1, 0x94, b'0']);
        }
        p.extend_from_slice(b"\x8c\x02os\x94\x8c\x06system\x94");
        let n = pickle::Limits::default().max_memo as u32;
        for key in [n + 10, n + 11] {
            p.push(b'j');
            p.extend_from_slice(&key.to_le_bytes());
        }
        p.extend_from_slice(b"\x93\x8c\x02id\x85R.");
        let r = scan(&p, "m.pkl");
        assert!(
            r.limits.iter().any(|l| l.contains("memo")),
            "{:?}",
            r.limits
        );
        assert!(
            r.items
                .iter()
                .any(|i| i.rule.starts_with("pickle-") && i.rule.ends_with("callable")),
            "{r:#?}"
        );
    }

    /// A joblib dump of one float32 array of `shape` (raw bytes after the wrapper's BUILD, 16-byte aligned),
    /// followed by `tail` opcodes before STOP.
    fn joblib_array(rows: u8, cols: u8, tail: &[u8]) -> Vec<u8> {
        let mut p = b"\x80\x04cjoblib.numpy_pickle\nNumpyArrayWrapper\n)\x81}(".to_vec();
        p.extend_from_slice(b"\x8c\x05shapeK");
        p.extend_from_slice(&[rows, b'K', cols, 0x86]);
        p.extend_from_slice(b"\x8c\x05dtypecnumpy\ndtype\n\x8c\x02f4\x89\x88\x87R");
        p.extend_from_slice(b"(K\x03\x8c\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb");
        p.extend_from_slice(b"\x8c\x1bnumpy_array_alignment_bytesK\x10ub");
        let pad = 16 - ((p.len() + 1) % 16);
        p.push(pad as u8);
        p.extend(std::iter::repeat_n(0xffu8, pad));
        // Array bytes that look like opcodes: a scanner that reads them as a pickle breaks here.
        p.extend(
            (0..usize::from(rows) * usize::from(cols) * 4).map(|i| [0x0b, 0x63, 0x52, 0x80][i % 4]),
        );
        p.extend_from_slice(tail);
        p.push(b'.');
        p
    }

    #[test]
    fn joblib_arrays_are_skipped_and_what_follows_is_scanned() {
        let r = scan(&joblib_array(2, 3, b""), "model.joblib");
        assert!(r.is_clean(), "{r:#?}");
        let r = scan(
            &joblib_array(5, 7, b"0cos\nsystem\n\x8c\x02id\x85R"),
            "model.joblib",
        );
        assert!(has(&r, "pickle-dangerous-callable", "os.system"), "{r:#?}");
        assert!(!has(&r, "pickle-malformed", ""), "{r:#?}");
    }

    #[test]
    fn keras_savedmodel_metadata_lambda() {
        let mut pb = vec![0x0a, 0x40];
        pb.extend_from_slice(br#"{"class_name": "Lambda", "config": {"name": "l", "function": ["4wE", null, null]}}"#);
        let r = scan(&pb, "model/keras_metadata.pb");
        assert!(has(&r, "keras-lambda-layer", "Lambda"), "{r:#?}");
        assert!(crate::analyzer::claims(&pb, "model/keras_metadata.pb"));
    }

    #[test]
    fn a_corrupt_deflate_member_is_read_up_to_the_break() {
        // Found by fuzzing (modelzip): a deflated member whose stream breaks; scanning it used to end the
        // whole file's scan with an I/O error.
        let z = include_bytes!("../tests/data/corrupt-deflate.bin");
        let r = scan_file(&mut Cursor::new(&z[..]), "model.bin", z.len() as u64).unwrap();
        assert!(has(&r, "zip-malformed", "corrupt"), "{r:#?}");
        // A deflate stream cut short (flate2's `UnexpectedEof`), also found by fuzzing.
        let z = include_bytes!("../tests/data/truncated-deflate.bin");
        for name in ["model.pt", "model.bin", "model.keras", "model.pkl"] {
            scan_file(&mut Cursor::new(&z[..]), name, z.len() as u64).unwrap();
        }
    }

    #[test]
    fn offsets_inside_a_truncated_nested_zip_stay_inside_the_file() {
        // Found by fuzzing (modelzip): a stored member, itself a zip, whose data runs past the end of the file;
        // its problems' offsets mapped beyond the file. They are reported without a file offset now.
        let z = include_bytes!("../tests/data/truncated-nested-zip.bin");
        let r = scan_file(&mut Cursor::new(&z[..]), "model.pt", z.len() as u64).unwrap();
        assert!(r.items.iter().any(|i| i.rule == "zip-malformed"), "{r:#?}");
        for i in &r.items {
            assert!(i.file_offset.is_none_or(|at| at <= z.len() as u64), "{i:#?}");
        }
    }

    #[test]
    fn unknown_callables_by_library() {
        let r = scan(
            &reduce_pickle("sklearn.tree", "DecisionTreeClassifier", "x"),
            "m.pkl",
        );
        let item = r.items.iter().find(|i| i.rule == "pickle-unknown-callable");
        if let Some(item) = item {
            assert!(item.severity <= Severity::Medium);
        }
        let r = scan(&reduce_pickle("mypkg", "thing", "x"), "m.pkl");
        let item = r
            .items
            .iter()
            .find(|i| i.rule == "pickle-unknown-callable")
            .expect("unknown reported");
        assert_eq!(item.severity, Severity::Medium);
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut seed = 0x1234_5678u32;
        for len in [0usize, 1, 7, 30, 100, 1000] {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed as u8
                })
                .collect();
            for name in ["x.pkl", "x.zip", "x.npy"] {
                let _ = scan(&data, name);
                let mut z = b"PK\x03\x04".to_vec();
                z.extend_from_slice(&data);
                let _ = scan(&z, name);
            }
        }
    }
}
