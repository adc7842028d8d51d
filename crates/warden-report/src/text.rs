use crate::{Report, Reporter};
use owo_colors::{OwoColorize, Style};
use std::io::{self, Write};
use warden_core::time::date;
use warden_core::Severity;

/// The human report: findings grouped by file, each with its exact span, redacted line and fix, then a
/// one-line summary. Colour only when asked (the CLI asks when stdout is a terminal).
pub struct TextReporter {
    pub color: bool,
}

/// The concise style of the text report (`--style concise`): one line per finding, as compilers and ruff print
/// them (`path:line:col: severity rule-id message`, secrets redacted as in the full style), then the summary.
struct Concise(TextReporter);

impl TextReporter {
    /// The concise style: one line per finding, then the same summary line as the full style.
    pub fn concise(color: bool) -> impl Reporter {
        Concise(TextReporter { color })
    }

    fn paint(&self, text: &str, style: Style) -> String {
        if self.color {
            text.style(style).to_string()
        } else {
            text.to_string()
        }
    }

    fn severity_style(s: Severity) -> Style {
        match s {
            Severity::Critical => Style::new().bold().bright_red(),
            Severity::High => Style::new().red(),
            Severity::Medium => Style::new().yellow(),
            Severity::Low => Style::new().cyan(),
            Severity::Info => Style::new().dimmed(),
        }
    }
}

pub(crate) fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Reporter for TextReporter {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let findings = &r.result.findings;
        let dim = Style::new().dimmed();
        let mut current: Option<&str> = None;
        for f in findings {
            if current != Some(f.location.path.as_str()) {
                if current.is_some() {
                    writeln!(out)?;
                }
                writeln!(
                    out,
                    "{}",
                    self.paint(&f.location.path, Style::new().bold().underline())
                )?;
                current = Some(&f.location.path);
            }
            let pos = match f.location.byte_offset {
                Some(b) => format!("@{b}"),
                None => format!("{}:{}", f.location.start_line, f.location.start_column),
            };
            let sev = format!("{:<8}", f.severity.as_str());
            writeln!(
                out,
                "  {pos:<7} {} {}  {}",
                self.paint(&sev, Self::severity_style(f.severity)),
                self.paint(&f.rule_id, Style::new().bold()),
                f.message
            )?;
            writeln!(out, "          {} {}", self.paint("│", dim), f.snippet)?;
            let mut step = 0;
            for rel in &f.related {
                let label = match rel.kind {
                    warden_core::RelatedKind::Step => {
                        step += 1;
                        format!("step {step}")
                    }
                    warden_core::RelatedKind::Context => "see".to_string(),
                };
                let l = &rel.location;
                writeln!(
                    out,
                    "          {} {label:<7} {}:{}:{}  {}",
                    self.paint("│", dim),
                    l.path,
                    l.start_line,
                    l.start_column,
                    rel.message
                )?;
            }
            if let Some(p) = &f.location.provenance {
                let short = &p.commit[..p.commit.len().min(12)];
                let state = if p.in_head {
                    "still in HEAD"
                } else {
                    "no longer in HEAD"
                };
                writeln!(
                    out,
                    "          {} introduced in {short} by {} on {} \"{}\" ({state})",
                    self.paint("│", dim),
                    p.author,
                    date(p.time),
                    p.summary
                )?;
            }
            let meta = format!(
                "confidence {} · fingerprint {}",
                f.confidence,
                &f.fingerprint[..f.fingerprint.len().min(16)]
            );
            writeln!(
                out,
                "          {} {}",
                self.paint("│", dim),
                self.paint(&meta, dim)
            )?;
            writeln!(
                out,
                "          {} fix: {}",
                self.paint("└", dim),
                first_sentence(&f.remediation)
            )?;
        }
        if !findings.is_empty() {
            writeln!(out)?;
        }
        self.summary(r, out)
    }
}

impl Reporter for Concise {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let text = &self.0;
        for f in &r.result.findings {
            let l = &f.location;
            let pos = match l.byte_offset {
                Some(b) => format!("{}@{b}", l.path),
                None => format!("{}:{}:{}", l.path, l.start_line, l.start_column),
            };
            // One finding, one line: a message never breaks it.
            let message = f.message.replace(['\n', '\r'], " ");
            writeln!(
                out,
                "{}: {} {} {message}",
                text.paint(&pos, Style::new().bold()),
                text.paint(
                    f.severity.as_str(),
                    TextReporter::severity_style(f.severity)
                ),
                text.paint(&f.rule_id, Style::new().bold()),
            )?;
        }
        text.summary(r, out)
    }
}

impl TextReporter {
    fn summary(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let res = r.result;
        let n = res.findings.len();
        let mut files: Vec<&str> = res
            .findings
            .iter()
            .map(|f| f.location.path.as_str())
            .collect();
        files.dedup();
        let head = if n == 0 {
            self.paint("no findings", Style::new().green().bold())
        } else {
            let mut counts = Vec::new();
            for s in Severity::ALL.iter().rev() {
                let c = res.findings.iter().filter(|f| f.severity == *s).count();
                if c > 0 {
                    counts.push(format!("{c} {s}"));
                }
            }
            format!(
                "{} ({}) in {}",
                self.paint(&plural(n, "finding", "findings"), Style::new().bold()),
                counts.join(", "),
                plural(files.len(), "file", "files")
            )
        };
        let st = &res.stats;
        let mut parts = vec![head];
        let what = match (st.commits, st.blobs) {
            (Some(c), Some(b)) => format!(
                "{} in {} ({}{})",
                plural(b as usize, "blob", "blobs"),
                plural(c as usize, "commit", "commits"),
                human_bytes(st.bytes_scanned),
                match st.cached_blobs {
                    Some(n) if n > 0 => format!("; {n} clean from the cache"),
                    _ => String::new(),
                }
            ),
            _ => format!(
                "{} ({}{})",
                plural(st.files_scanned as usize, "file", "files"),
                human_bytes(st.bytes_scanned),
                match st.cached_blobs {
                    Some(n) if n > 0 => format!("; facts of {n} unchanged from the cache"),
                    _ => String::new(),
                }
            ),
        };
        parts.push(format!(
            "{what} scanned in {:.2}s",
            st.duration_ms as f64 / 1000.0
        ));
        if !res.assets.is_empty() {
            parts.push(format!(
                "{} in the inventory",
                plural(res.assets.len(), "asset", "assets")
            ));
        }
        if !st.skipped.is_empty() {
            let skipped: Vec<String> = st
                .skipped
                .iter()
                .map(|(k, v)| format!("{v} {}", k.as_str()))
                .collect();
            parts.push(format!("skipped {}", skipped.join(", ")));
        }
        if st.suppressed_inline > 0 || st.suppressed_baseline > 0 {
            parts.push(format!(
                "suppressed {} inline, {} by baseline",
                st.suppressed_inline, st.suppressed_baseline
            ));
        }
        let stale = &res.stale_baseline;
        if !stale.is_empty() {
            parts.push(format!(
                "{} stale baseline {}",
                stale.len(),
                if stale.len() == 1 { "entry" } else { "entries" }
            ));
        }
        writeln!(out, "warden: {}", parts.join(" · "))
    }
}

fn first_sentence(s: &str) -> &str {
    match s.find(". ") {
        Some(i) => &s[..=i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use warden_core::*;

    fn render(findings: Vec<Finding>, reporter: &dyn Reporter) -> String {
        let info = ScanInfo {
            tool: "warden".into(),
            tool_version: "0.0.0".into(),
            rules_version: "0".into(),
            target: ".".into(),
            mode: ScanMode::Worktree,
            head_commit: None,
            branch: None,
            started_at: "2026-11-29T12:00:00Z".into(),
            analyzers: vec!["model".into()],
            hash_key_id: "0".into(),
        };
        let mut result = ScanResult::new(info);
        result.findings = findings;
        let mut out = Vec::new();
        reporter
            .write(
                &Report {
                    result: &result,
                    rules: &[],
                },
                &mut out,
            )
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn concise_names_a_byte_offset_and_keeps_a_finding_on_one_line() {
        let rule = RuleMeta {
            id: "model/demo".into(),
            title: "demo".into(),
            severity: Severity::Medium,
            confidence: Confidence::High,
            description: String::new(),
            remediation: String::new(),
            tags: vec![],
            references: vec![],
        };
        let mut binary = Finding::new(&rule, "first\nsecond", Location::at("m.bin", 1, 1, 1));
        binary.location.byte_offset = Some(4096);
        let text = Finding::new(&rule, "plain", Location::at("a.py", 3, 7, 9));
        let out = render(vec![binary, text], &TextReporter::concise(false));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "m.bin@4096: medium model/demo first second");
        assert_eq!(lines[1], "a.py:3:7: medium model/demo plain");
        assert!(lines[2].starts_with("warden: 2 findings (2 medium) in 2 files"));
        assert_eq!(lines.len(), 3);
    }
}
