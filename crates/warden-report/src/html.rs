//! The HTML report: one self-contained page (inline stylesheet, inline SVG charts, no script, nothing fetched)
//! rendered from minijinja templates that the server reuses for its own pages. Templates only show; every
//! number, grouping and order is decided here, so a page and the server's views agree.

use crate::{Report, Reporter};
use minijinja::value::ViaDeserialize;
use minijinja::{context, Environment, UndefinedBehavior, Value};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use warden_core::{Asset, Finding, RelatedKind, ScanResult, Severity};

/// The stylesheet: inlined by `base.html` when `inline_css` is true, else served by the server as
/// `/static/warden.css`.
pub const CSS: &str = include_str!("../templates/warden.css");

/// The templates [`environment`] registers, by name.
pub const TEMPLATES: [(&str, &str); 3] = [
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("report.html", include_str!("../templates/report.html")),
];

/// The templates (`base.html`, `macros.html`, `report.html`; HTML-escaped by their `.html` names), the global
/// `warden_css` (the stylesheet, as a safe string) and the functions `bar_chart(title, bars)` and
/// `line_chart(title, points)` (safe SVG; `bars`/`points` a list of `[label, count]` pairs). Printing an
/// undefined variable is an error (a typo shows at once); testing one with `if` is not.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("templates/{name} does not compile: {e:#}"));
    }
    env.add_global("warden_css", Value::from_safe_string(CSS.to_string()));
    env.add_function(
        "bar_chart",
        |title: String, bars: ViaDeserialize<Vec<(String, u64)>>| {
            Value::from_safe_string(bar_chart(&title, &bars))
        },
    );
    env.add_function(
        "line_chart",
        |title: String, points: ViaDeserialize<Vec<(String, u64)>>| {
            Value::from_safe_string(line_chart(&title, &points))
        },
    );
    env
}

/// One step of a finding's trace, or a place that explains it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TraceStep {
    /// `step` (a flow that ends at the finding, in order) or `context`.
    pub kind: String,
    /// The number of a step among the steps (1-based); none for context.
    pub step: Option<u32>,
    pub path: String,
    pub line: u32,
    pub message: String,
}

/// The commit that brought a history finding in.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Introduced {
    /// The first 12 hex digits.
    pub commit: String,
    pub author: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub summary: String,
    pub in_head: bool,
}

/// Triage's view of one finding: its priority, why, its owner and what surrounds it (the CLI computes it with
/// `warden-triage`, the server reads it from the store).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Triage {
    /// 1 (look now) to 4 (when time allows).
    pub priority: u8,
    pub reasons: Vec<String>,
    pub owner: Option<String>,
    pub context: Option<serde_json::Value>,
}

/// Everything `finding_card` and `findings_table` show about one finding, as plain values. Every text is
/// escaped by the templates; `snippet` is the finding's redacted snippet, as the text and JSON reports print it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FindingView {
    pub rule_id: String,
    pub title: String,
    pub severity: String,
    pub confidence: String,
    /// 1 (look now) to 4 (when time allows).
    pub priority: u8,
    pub priority_reasons: Vec<String>,
    pub path: String,
    pub line: u32,
    pub column: u32,
    /// For a match in binary content: its byte offset (the line is then meaningless).
    pub byte_offset: Option<u64>,
    pub message: String,
    pub snippet: String,
    pub trace: Vec<TraceStep>,
    pub owner: Option<String>,
    pub context: Option<serde_json::Value>,
    pub fingerprint: String,
    /// The triage state (`open`, `confirmed`, …), filled by the server.
    pub state: Option<String>,
    /// A link to the finding's own page, filled by the server.
    pub url: Option<String>,
    /// An HTML id unique in the page, for links within it (the report sets `f1`, `f2`, …).
    pub anchor: Option<String>,
    pub remediation: String,
    /// `live`, `dead` or `unknown` when the credential was validated.
    pub validation: Option<String>,
    /// Against the findings store: `new`, `unchanged` or `updated`.
    pub baseline_state: Option<String>,
    pub introduced: Option<Introduced>,
}

impl FindingView {
    /// A finding as the page shows it. Without [`FindingView::with_triage`] its priority is its severity's
    /// (critical 1, high 2, medium 3, low and info 4), the base triage starts from.
    pub fn of(f: &Finding) -> Self {
        let mut steps = 0;
        let trace = f
            .related
            .iter()
            .map(|r| TraceStep {
                kind: match r.kind {
                    RelatedKind::Step => "step",
                    RelatedKind::Context => "context",
                }
                .into(),
                step: (r.kind == RelatedKind::Step).then(|| {
                    steps += 1;
                    steps
                }),
                path: r.location.path.clone(),
                line: r.location.start_line,
                message: r.message.clone(),
            })
            .collect();
        FindingView {
            rule_id: f.rule_id.clone(),
            title: f.title.clone(),
            severity: f.severity.as_str().into(),
            confidence: f.confidence.as_str().into(),
            priority: severity_priority(f.severity),
            priority_reasons: vec![format!("{} severity", f.severity)],
            path: f.location.path.clone(),
            line: f.location.start_line,
            column: f.location.start_column,
            byte_offset: f.location.byte_offset,
            message: f.message.clone(),
            snippet: f.snippet.clone(),
            trace,
            owner: None,
            context: None,
            fingerprint: f.fingerprint.clone(),
            state: None,
            url: None,
            anchor: None,
            remediation: f.remediation.clone(),
            validation: f.validation().map(str::to_string),
            baseline_state: f.baseline_state.clone(),
            introduced: f.location.provenance.as_ref().map(|p| Introduced {
                commit: p.commit[..p.commit.len().min(12)].to_string(),
                author: p.author.clone(),
                date: warden_core::time::date(p.time),
                summary: p.summary.clone(),
                in_head: p.in_head,
            }),
        }
    }

    /// The priority, reasons, owner and context triage gave the finding.
    pub fn with_triage(mut self, t: Triage) -> Self {
        self.priority = t.priority.clamp(1, 4);
        self.priority_reasons = t.reasons;
        self.owner = t.owner;
        self.context = t.context;
        self
    }
}

fn severity_priority(s: Severity) -> u8 {
    match s {
        Severity::Critical => 1,
        Severity::High => 2,
        Severity::Medium => 3,
        Severity::Low | Severity::Info => 4,
    }
}

/// The whole scan as one page (`report.html` with `inline_css`). Each finding's priority comes from the
/// [`Triage`] given at the same index of the result's findings, else from its severity.
#[derive(Debug, Clone, Default)]
pub struct HtmlReporter {
    triage: Vec<Triage>,
}

impl HtmlReporter {
    pub fn new() -> Self {
        Self::default()
    }

    /// With each finding's triage, in the order of [`ScanResult::findings`].
    pub fn with_triage(triage: Vec<Triage>) -> Self {
        HtmlReporter { triage }
    }

    fn views(&self, res: &ScanResult) -> Vec<FindingView> {
        // A list made for another result is ignored whole rather than misattributed.
        let triage = (self.triage.len() == res.findings.len()).then_some(&self.triage);
        res.findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let v = FindingView::of(f);
                let mut v = match triage {
                    Some(t) => v.with_triage(t[i].clone()),
                    None => v,
                };
                v.anchor = Some(format!("f{}", i + 1));
                v
            })
            .collect()
    }
}

impl Reporter for HtmlReporter {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let res = r.result;
        let views = self.views(res);
        let summary = summary(res, &views);
        let mut top: Vec<&FindingView> = views.iter().collect();
        top.sort_by_key(|v| (v.priority, std::cmp::Reverse(severity_rank(&v.severity))));
        top.truncate(TOP);
        let ctx = context! {
            inline_css => true,
            scan => &res.scan,
            summary,
            top,
            groups => groups(&views),
            assets => assets(res),
            components => components(res),
            diagnostics => &res.diagnostics,
            stale_baseline => &res.stale_baseline,
        };
        let env = environment();
        let tmpl = env.get_template("report.html").map_err(io::Error::other)?;
        let mut w = io::BufWriter::new(out);
        tmpl.render_captured_to(ctx, &mut w)
            .map_err(|e| io::Error::other(format!("{e:#}")))?;
        w.flush()
    }
}

/// How many findings the summary's "look at these first" table lists.
const TOP: usize = 10;

fn severity_rank(s: &str) -> u8 {
    Severity::ALL
        .iter()
        .position(|v| v.as_str() == s)
        .map_or(0, |p| p as u8)
}

#[derive(Serialize)]
struct SummaryView {
    findings: usize,
    /// Files with at least one finding.
    files: usize,
    files_scanned: u64,
    bytes_scanned: String,
    duration: String,
    commits: Option<u64>,
    blobs: Option<u64>,
    p1: usize,
    critical_high: usize,
    assets: usize,
    diagnostics: usize,
    suppressed_inline: u64,
    suppressed_baseline: u64,
    skipped: Vec<(String, u64)>,
    by_severity: Vec<(String, u64)>,
    by_priority: Vec<(String, u64)>,
    by_domain: Vec<(String, u64)>,
}

fn summary(res: &ScanResult, views: &[FindingView]) -> SummaryView {
    let st = &res.stats;
    let by_severity = Severity::ALL
        .iter()
        .rev()
        .map(|s| {
            let n = res.findings.iter().filter(|f| f.severity == *s).count();
            (s.as_str().to_string(), n as u64)
        })
        .collect();
    let by_priority = (1..=4u8)
        .map(|p| {
            let n = views.iter().filter(|v| v.priority == p).count();
            (format!("P{p}"), n as u64)
        })
        .collect();
    let mut domains: BTreeMap<&str, u64> = BTreeMap::new();
    for f in &res.findings {
        *domains.entry(f.analyzer()).or_default() += 1;
    }
    let mut by_domain: Vec<(String, u64)> = domains
        .into_iter()
        .map(|(d, n)| (d.to_string(), n))
        .collect();
    by_domain.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut files: Vec<&str> = views.iter().map(|v| v.path.as_str()).collect();
    files.sort_unstable();
    files.dedup();
    SummaryView {
        findings: res.findings.len(),
        files: files.len(),
        files_scanned: st.files_scanned,
        bytes_scanned: crate::text::human_bytes(st.bytes_scanned),
        duration: format!("{:.2} s", st.duration_ms as f64 / 1000.0),
        commits: st.commits,
        blobs: st.blobs,
        p1: views.iter().filter(|v| v.priority == 1).count(),
        critical_high: res
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::High)
            .count(),
        assets: res.assets.len(),
        diagnostics: res.diagnostics.len(),
        suppressed_inline: st.suppressed_inline,
        suppressed_baseline: st.suppressed_baseline,
        skipped: st
            .skipped
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), *v))
            .collect(),
        by_severity,
        by_priority,
        by_domain,
    }
}

#[derive(Serialize)]
struct PriorityGroup<'a> {
    priority: u8,
    label: &'static str,
    count: usize,
    files: Vec<FileGroup<'a>>,
}

#[derive(Serialize)]
struct FileGroup<'a> {
    path: &'a str,
    findings: Vec<&'a FindingView>,
}

/// Priority 1 first; within a priority, files by path; within a file, by line, then severity.
fn groups(views: &[FindingView]) -> Vec<PriorityGroup<'_>> {
    let mut by: BTreeMap<u8, BTreeMap<&str, Vec<&FindingView>>> = BTreeMap::new();
    for v in views {
        by.entry(v.priority)
            .or_default()
            .entry(&v.path)
            .or_default()
            .push(v);
    }
    by.into_iter()
        .map(|(priority, files)| PriorityGroup {
            priority,
            label: match priority {
                1 => "look now",
                2 => "look soon",
                3 => "plan a fix",
                _ => "when time allows",
            },
            count: files.values().map(Vec::len).sum(),
            files: files
                .into_iter()
                .map(|(path, mut findings)| {
                    findings.sort_by_key(|v| {
                        (
                            v.byte_offset.unwrap_or(0),
                            v.line,
                            v.column,
                            std::cmp::Reverse(severity_rank(&v.severity)),
                        )
                    });
                    FileGroup { path, findings }
                })
                .collect(),
        })
        .collect()
}

#[derive(Serialize)]
struct AssetView<'a> {
    id: &'a str,
    kind: String,
    name: &'a str,
    path: Option<&'a str>,
    line: Option<u32>,
    risk: Option<&'a str>,
    score: Option<u64>,
    reasons: Vec<String>,
    /// Outgoing edges: `uses gpt-4o`.
    links: Vec<String>,
}

fn kind_name<T: Serialize>(k: T) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Every asset, riskiest first.
fn assets(res: &ScanResult) -> Vec<AssetView<'_>> {
    let names: BTreeMap<&str, &str> = res
        .assets
        .iter()
        .map(|a| (a.id.as_str(), a.name.as_str()))
        .collect();
    let mut out: Vec<AssetView> = res
        .assets
        .iter()
        .map(|a: &Asset| {
            let risk = &a.properties["risk"];
            AssetView {
                id: &a.id,
                kind: kind_name(a.kind),
                name: &a.name,
                path: a.location.as_ref().map(|l| l.path.as_str()),
                line: a.location.as_ref().map(|l| l.start_line),
                risk: risk["level"].as_str(),
                score: risk["score"].as_u64(),
                reasons: risk["reasons"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| {
                        let text = r["text"].as_str()?;
                        Some(match r["points"].as_u64() {
                            Some(p) => format!("{text} (+{p})"),
                            None => text.to_string(),
                        })
                    })
                    .collect(),
                links: res
                    .edges
                    .iter()
                    .filter(|e| e.from == a.id)
                    .map(|e| {
                        format!(
                            "{} {}",
                            kind_name(e.kind),
                            names.get(e.to.as_str()).copied().unwrap_or(&e.to)
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.name.cmp(b.name))
    });
    out
}

#[derive(Serialize)]
struct ComponentView<'a> {
    kind: &'a str,
    name: &'a str,
    version: Option<&'a str>,
    path: Option<&'a str>,
    undeclared: bool,
}

fn components(res: &ScanResult) -> Vec<ComponentView<'_>> {
    res.components
        .iter()
        .map(|c| ComponentView {
            kind: &c.kind,
            name: &c.name,
            version: c.version.as_deref(),
            path: c.location.as_ref().map(|l| l.path.as_str()),
            undeclared: c.undeclared,
        })
        .collect()
}

/// Text for SVG and HTML: the five characters that could end a text node or an attribute.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A class name from a label (`P1` → `p1`, `Critical` → `critical`), for per-bar colours in the stylesheet.
fn slug(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(32)
        .collect();
    s.trim_matches('-').to_string()
}

/// At most `n` characters, with an ellipsis when cut.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

const ACCENT: &str = "#4b63d1";
const FONT: &str = r#"font-family="system-ui, sans-serif" font-size="13""#;

/// A horizontal bar chart as inline SVG: one row per bar, its label on the left and its count after the bar.
/// Scales to its container (`viewBox`, no fixed size); named by `<title>` and `aria-label`; each bar has the
/// class `bar bar-<label>` (lowercased) so the stylesheet can colour it.
pub fn bar_chart(title: &str, bars: &[(String, u64)]) -> String {
    const W: u64 = 360;
    const ROW: u64 = 26;
    const LABEL: u64 = 96;
    const PAD: u64 = 6;
    let t = escape(title);
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0);
    let h = PAD * 2 + ROW * (bars.len().max(1) as u64);
    let room = W - LABEL - 48;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart bar-chart" viewBox="0 0 {W} {h}" role="img" aria-label="{t}" {FONT}><title>{t}</title>"#
    );
    if bars.is_empty() {
        let _ = write!(
            s,
            r#"<text class="empty" x="{}" y="{}" text-anchor="middle" fill="currentColor">nothing to show</text>"#,
            W / 2,
            h / 2 + 4
        );
    }
    for (i, (label, n)) in bars.iter().enumerate() {
        let y = PAD + ROW * i as u64;
        let w = if max == 0 {
            0
        } else {
            (room * n).div_ceil(max).max(u64::from(*n > 0) * 2)
        };
        let l = escape(label);
        let mid = y + ROW / 2 + 4;
        let _ = write!(
            s,
            r#"<g class="row"><title>{l}: {n}</title><text class="label" x="{}" y="{mid}" text-anchor="end" fill="currentColor">{}</text><rect class="bar bar-{}" x="{LABEL}" y="{}" width="{w}" height="{}" rx="3" fill="{ACCENT}"/><text class="value" x="{}" y="{mid}" fill="currentColor">{n}</text></g>"#,
            LABEL - 8,
            escape(&clip(label, 13)),
            slug(label),
            y + 4,
            ROW - 8,
            LABEL + w + 6,
        );
    }
    s.push_str("</svg>");
    s
}

/// A line chart as inline SVG (counts over time, in the order given): a line through the points, each point
/// with its label and count as a tooltip, the largest count and zero on the left axis, a few labels along the
/// bottom. Scales to its container; named by `<title>` and `aria-label`.
pub fn line_chart(title: &str, points: &[(String, u64)]) -> String {
    const W: f64 = 480.0;
    const H: f64 = 200.0;
    const LEFT: f64 = 44.0;
    const RIGHT: f64 = 16.0;
    const TOP: f64 = 12.0;
    const BOTTOM: f64 = 28.0;
    let t = escape(title);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart line-chart" viewBox="0 0 {W} {H}" role="img" aria-label="{t}" {FONT}><title>{t}</title>"#
    );
    let (x0, y0, x1) = (LEFT, H - BOTTOM, W - RIGHT);
    let _ = write!(
        s,
        r#"<line class="axis" x1="{x0}" y1="{TOP}" x2="{x0}" y2="{y0}" stroke="currentColor" stroke-opacity="0.4"/><line class="axis" x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="currentColor" stroke-opacity="0.4"/>"#
    );
    if points.is_empty() {
        let _ = write!(
            s,
            r#"<text class="empty" x="{}" y="{}" text-anchor="middle" fill="currentColor">nothing to show</text></svg>"#,
            (x0 + x1) / 2.0,
            (TOP + y0) / 2.0
        );
        return s;
    }
    let max = points.iter().map(|p| p.1).max().unwrap_or(0);
    let n = points.len();
    let x = |i: usize| {
        if n == 1 {
            (x0 + x1) / 2.0
        } else {
            x0 + (x1 - x0) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: u64| {
        if max == 0 {
            y0
        } else {
            y0 - (y0 - TOP) * v as f64 / max as f64
        }
    };
    let _ = write!(
        s,
        r#"<text class="tick" x="{}" y="{}" text-anchor="end" fill="currentColor">{max}</text><text class="tick" x="{}" y="{}" text-anchor="end" fill="currentColor">0</text>"#,
        x0 - 6.0,
        TOP + 4.0,
        x0 - 6.0,
        y0 + 4.0
    );
    let line: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.1)))
        .collect();
    let _ = write!(
        s,
        r#"<polyline class="line" points="{}" fill="none" stroke="{ACCENT}" stroke-width="2"/>"#,
        line.join(" ")
    );
    // At most about six labels along the bottom, always the first and the last.
    let every = n.div_ceil(6).max(1);
    for (i, (label, v)) in points.iter().enumerate() {
        let l = escape(label);
        let _ = write!(
            s,
            r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="3" fill="{ACCENT}"><title>{l}: {v}</title></circle>"#,
            x(i),
            y(*v)
        );
        if i % every == 0 || i == n - 1 {
            let anchor = match i {
                0 if n > 1 => "start",
                i if i == n - 1 && n > 1 => "end",
                _ => "middle",
            };
            let _ = write!(
                s,
                r#"<text class="tick" x="{:.1}" y="{}" text-anchor="{anchor}" fill="currentColor">{}</text>"#,
                x(i),
                H - 8.0,
                escape(&clip(label, 12))
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_scale() {
        let svg = bar_chart(
            "a <b>",
            &[("<script>".into(), 3), ("low".into(), 0), ("x".into(), 1)],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
        assert!(svg.contains("&lt;script&gt;: 3") && svg.contains("viewBox="));
        assert!(svg.contains(r#"width="0""#), "a zero count has no bar");
        let line = line_chart(
            "trend",
            &[("2026-11-01".into(), 4), ("2026-11-02".into(), 2)],
        );
        assert!(line.contains("<polyline") && line.contains("2026-11-02: 2"));
        assert!(line_chart("none", &[]).contains("nothing to show"));
        assert!(bar_chart("none", &[]).contains("nothing to show"));
        assert_eq!(slug("P1"), "p1");
        assert_eq!(clip("abcdef", 4), "abc…");
    }

    #[test]
    fn the_environment_compiles_every_template() {
        let env = environment();
        for (name, _) in TEMPLATES {
            env.get_template(name).unwrap();
        }
    }
}
