//! warden's configuration analyzers, one per family, sharing one positioned tree and one rule language:
//!
//! - `k8s`: Kubernetes manifests (multi-document YAML, `List`s, rendered Helm output, kustomize bases; inference
//!   CRDs), with the exposure graph in the second phase;
//! - `docker`: Dockerfiles (a hand parser: heredocs, continuations, the escape directive) and docker-compose;
//! - `tf`: Terraform (hcl-edit), evaluated per module directory with literal variables and locals resolved;
//! - `ci`: GitHub Actions workflows and GitLab CI.
//!
//! Rules are data (`rules/*.toml`), each with positive and negative example files; `docs/config-rules.md`
//! is the reference.

pub mod builtins;
pub mod ci;
pub mod docker;
pub mod graph;
pub mod hcl;
pub mod k8s;
pub mod rules;
pub mod scope;
pub mod tf;
pub mod tree;
pub mod yaml;

use rules::{RuleDef, RuleFile};
use scope::{Instance, Lines, RuleSet};
use serde::Deserialize;
use warden_core::{
    Analyzer, AnalyzerSetup, Claim, Fact, Facts, FileMeta, FileOutput, Finding, FinishOutput,
    FinishScope, Problem, RuleMeta, SourceFile,
};

pub const K8S: &str = "k8s";
pub const DOCKER: &str = "docker";
pub const TF: &str = "tf";
pub const CI: &str = "ci";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    K8s,
    Docker,
    Tf,
    Ci,
}

impl Family {
    pub const ALL: [Family; 4] = [Family::K8s, Family::Docker, Family::Tf, Family::Ci];

    pub fn name(self) -> &'static str {
        match self {
            Family::K8s => K8S,
            Family::Docker => DOCKER,
            Family::Tf => TF,
            Family::Ci => CI,
        }
    }

    /// The family's rule files, embedded at build time.
    pub fn rule_files(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Family::K8s => &[
                ("k8s.toml", include_str!("../rules/k8s.toml")),
                ("k8s-rbac.toml", include_str!("../rules/k8s-rbac.toml")),
                ("k8s-graph.toml", include_str!("../rules/k8s-graph.toml")),
            ],
            Family::Docker => &[
                ("dockerfile.toml", include_str!("../rules/dockerfile.toml")),
                ("compose.toml", include_str!("../rules/compose.toml")),
            ],
            Family::Tf => &[
                ("tf-aws.toml", include_str!("../rules/tf-aws.toml")),
                ("tf-gcp.toml", include_str!("../rules/tf-gcp.toml")),
                ("tf-azure.toml", include_str!("../rules/tf-azure.toml")),
                ("tf-ai.toml", include_str!("../rules/tf-ai.toml")),
            ],
            Family::Ci => &[
                ("gha.toml", include_str!("../rules/gha.toml")),
                ("gitlab.toml", include_str!("../rules/gitlab.toml")),
            ],
        }
    }
}

/// The rule definitions of a family, with the file each came from.
pub fn embedded_rules(family: Family) -> Result<Vec<(&'static str, RuleDef)>, String> {
    let mut out = Vec::new();
    for (file, src) in family.rule_files() {
        let parsed: RuleFile = toml::from_str(src).map_err(|e| format!("rules/{file}: {e}"))?;
        out.extend(parsed.rules.into_iter().map(|r| (*file, r)));
    }
    Ok(out)
}

/// What kind of configuration file a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Manifest,
    Kustomization,
    Dockerfile,
    Compose,
    Terraform,
    Workflow,
    GitlabCi,
}

impl FileKind {
    pub fn family(self) -> Family {
        match self {
            FileKind::Manifest | FileKind::Kustomization => Family::K8s,
            FileKind::Dockerfile | FileKind::Compose => Family::Docker,
            FileKind::Terraform => Family::Tf,
            FileKind::Workflow | FileKind::GitlabCi => Family::Ci,
        }
    }
}

/// Classifies a file from its path and first bytes.
pub fn file_kind(path: &str, head: &[u8]) -> Option<FileKind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
    {
        return Some(FileKind::Dockerfile);
    }
    if lower.ends_with(".tf") {
        return Some(FileKind::Terraform);
    }
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    if !yaml && !lower.ends_with(".json") {
        return None;
    }
    if yaml {
        if lower == ".gitlab-ci.yml"
            || lower == ".gitlab-ci.yaml"
            || lower.ends_with(".gitlab-ci.yml")
        {
            return Some(FileKind::GitlabCi);
        }
        let in_workflows =
            path.starts_with(".github/workflows/") || path.contains("/.github/workflows/");
        if in_workflows {
            return Some(FileKind::Workflow);
        }
        if (lower.starts_with("docker-compose")
            || lower.starts_with("compose.")
            || lower.starts_with("compose-"))
            || lower.ends_with(".compose.yml")
            || lower.ends_with(".compose.yaml")
        {
            return Some(FileKind::Compose);
        }
        if lower == "kustomization.yaml" || lower == "kustomization.yml" {
            return Some(FileKind::Kustomization);
        }
    }
    let has = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
    if has(b"apiVersion") && has(b"kind") {
        return Some(FileKind::Manifest);
    }
    None
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConfigSettings {
    /// Files larger than this are not parsed (a `partial` diagnostic says so).
    pub max_file_bytes: u64,
}

impl Default for ConfigSettings {
    fn default() -> Self {
        ConfigSettings {
            max_file_bytes: 32 << 20,
        }
    }
}

/// One family's analyzer.
pub struct ConfigAnalyzer {
    family: Family,
    rules: RuleSet,
    metas: Vec<RuleMeta>,
    settings: ConfigSettings,
}

/// A parsed YAML file, shared between analyzers through `SourceFile::cached`.
struct ParsedYaml(yaml::Yaml);

impl ConfigAnalyzer {
    pub fn from_setup(family: Family, setup: &AnalyzerSetup) -> Result<Self, String> {
        let settings = match setup.config.section(family.name()) {
            Some(s) => s
                .parse::<ConfigSettings>(family.name())
                .map_err(|e| e.to_string())?,
            None => ConfigSettings::default(),
        };
        Self::new(family, embedded_rules(family)?, settings)
    }

    pub fn new(
        family: Family,
        defs: Vec<(&str, RuleDef)>,
        settings: ConfigSettings,
    ) -> Result<Self, String> {
        let mut rules = Vec::new();
        for (file, d) in defs {
            let r = d
                .compile(family.name())
                .map_err(|e| format!("rules/{file}: {e}"))?;
            if r.scope == "k8s/graph" && !graph::GRAPH_RULES.contains(&r.meta.id.as_str()) {
                return Err(format!(
                    "rules/{file}: {}: not a graph rule the k8s analyzer knows",
                    r.meta.id
                ));
            }
            rules.push(r);
        }
        let metas = rules.iter().map(|r| r.meta.clone()).collect();
        Ok(ConfigAnalyzer {
            family,
            rules: RuleSet::new(rules),
            metas,
            settings,
        })
    }

    pub fn family(&self) -> Family {
        self.family
    }

    /// Analyses files in memory, both phases (for tests, the rule examples and the fuzz targets): the
    /// findings, the second phase's output, and each file's problems and partial notes.
    pub fn analyze_files(
        &self,
        files: &[(&str, &str)],
    ) -> (Vec<Finding>, FinishOutput, Vec<String>) {
        let mut findings = Vec::new();
        let mut facts = Facts::default();
        let mut notes = Vec::new();
        for (path, text) in files {
            let meta = FileMeta {
                path,
                size: text.len() as u64,
                head: &text.as_bytes()[..text.len().min(warden_core::HEAD_LEN)],
                binary: false,
            };
            if self.claim(&meta) == Claim::Skip {
                continue;
            }
            let file = SourceFile::in_memory(meta, text.as_bytes());
            let mut out = FileOutput::default();
            self.analyze(&file, &mut out);
            findings.extend(out.findings);
            facts.all.extend(out.facts);
            notes.extend(out.problems.into_iter().map(|p| format!("{path}: {p}")));
            notes.extend(out.partial.into_iter().map(|p| format!("{path}: {p}")));
        }
        let fin = if self.finish_scope() == FinishScope::None {
            FinishOutput::default()
        } else {
            self.finish(&facts)
        };
        findings.extend(fin.findings.iter().cloned());
        for p in &fin.problems {
            notes.push(format!("{}: {}", p.path, p.message));
        }
        (findings, fin, notes)
    }

    fn rule_meta(&self, id: &str) -> Option<RuleMeta> {
        self.metas.iter().find(|m| m.id == id).cloned()
    }

    fn analyze_k8s(&self, path: &str, text: &str, y: &yaml::Yaml, out: &mut FileOutput) {
        let lines = Lines::new(text);
        let mut objects = Vec::new();
        for d in &y.docs {
            k8s::objects(&y.tree, d.root, d.start_line, d.end_line, &mut objects);
        }
        let mut insts: Vec<Instance> = Vec::new();
        for o in &objects {
            k8s::instances(&y.tree, o, &mut insts);
            out.facts.push(Fact {
                analyzer: K8S.into(),
                kind: "k8s/object".into(),
                path: path.into(),
                data: serde_json::to_value(k8s::summarize(&y.tree, o, path)).unwrap_or_default(),
            });
        }
        for (f, workload) in self.rules.run(&y.tree, &insts, path, &lines) {
            out.facts.push(Fact {
                analyzer: K8S.into(),
                kind: "k8s/finding".into(),
                path: path.into(),
                // `matched` is never serialised with a finding; it tells apart the same rule on two objects of
                // one file, so it travels beside it.
                data: serde_json::json!({ "finding": f, "workload": workload, "matched": f.matched }),
            });
        }
    }

    fn finish_k8s(&self, facts: &Facts) -> FinishOutput {
        let mut out = FinishOutput::default();
        // Files a kustomization applies as patches hold partial objects: neither graph nodes nor findings.
        let patches: std::collections::HashSet<String> = facts
            .of_kind("k8s/kustomize-patches")
            .filter(|f| f.analyzer == K8S)
            .flat_map(|f| {
                f.data
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p.as_str().map(str::to_string))
            })
            .collect();
        let mut summaries: Vec<k8s::Summary> = facts
            .of_kind("k8s/object")
            .filter(|f| f.analyzer == K8S && !patches.contains(&f.path))
            .filter_map(|f| serde_json::from_value(f.data.clone()).ok())
            .collect();
        // Facts arrive in the walk's order, which parallel workers make vary: the graph is built in file order.
        summaries.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        let g = graph::Graph::build(&summaries);
        for fact in facts
            .of_kind("k8s/finding")
            .filter(|f| f.analyzer == K8S && !patches.contains(&f.path))
        {
            let Ok(mut f) = serde_json::from_value::<Finding>(fact.data["finding"].clone()) else {
                out.problems.push(Problem {
                    path: fact.path.clone(),
                    message: "internal: unreadable k8s finding fact".into(),
                });
                continue;
            };
            if let Some(m) = fact.data["matched"].as_str() {
                f.matched = m.to_string();
            }
            if let Some(w) = fact.data["workload"].as_str() {
                g.annotate(&mut f, w);
            }
            out.findings.push(f);
        }
        out.findings.extend(g.findings(&|id| self.rule_meta(id)));
        let (assets, edges) = g.assets();
        out.assets = assets;
        out.edges = edges;
        out
    }
}

/// The patch files a kustomization lists, as repository paths.
fn kustomize_patches(path: &str, y: &yaml::Yaml) -> Vec<String> {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let t = &y.tree;
    let mut out = Vec::new();
    for d in &y.docs {
        for key in ["patchesStrategicMerge", "patches", "patchesJson6902"] {
            let Some(list) = t.get(d.root, key) else {
                continue;
            };
            for &e in t.elems(list) {
                let p = t.str(e).or_else(|| t.get_str(e, "path"));
                if let Some(p) = p {
                    out.push(normalize(dir, p));
                }
            }
        }
    }
    out
}

/// `dir` joined with a relative path, `.` and `..` resolved.
fn normalize(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// YAML counts a lone carriage return as a line break; warden (snippets, inline markers, every other
/// analyzer) counts `\n`. A lone `\r` becomes a space, so both agree on every line number (and columns stay).
fn without_lone_cr(text: &str) -> std::borrow::Cow<'_, str> {
    let b = text.as_bytes();
    let lone = |i: usize| b[i] == b'\r' && b.get(i + 1) != Some(&b'\n');
    if !memchr::memchr_iter(b'\r', b).any(lone) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = text.as_bytes().to_vec();
    for i in memchr::memchr_iter(b'\r', b) {
        if lone(i) {
            out[i] = b' ';
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes.
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_string()))
}

/// A Helm chart template (Go templates inside YAML): not YAML until rendered.
fn is_helm_template(path: &str, text: &str) -> bool {
    (path.contains("/templates/") || path.starts_with("templates/")) && text.contains("{{")
}

impl Analyzer for ConfigAnalyzer {
    fn name(&self) -> &'static str {
        self.family.name()
    }

    fn rules(&self) -> &[RuleMeta] {
        &self.metas
    }

    fn rules_digest_input(&self) -> Vec<u8> {
        self.family
            .rule_files()
            .iter()
            .flat_map(|(_, src)| src.bytes())
            .collect()
    }

    fn claim(&self, file: &FileMeta) -> Claim {
        match file_kind(file.path, file.head) {
            Some(k) if k.family() == self.family && !file.binary => Claim::Text,
            _ => Claim::Skip,
        }
    }

    fn analyze(&self, file: &SourceFile, out: &mut FileOutput) {
        let path = file.meta.path;
        let bytes = file.bytes();
        if bytes.len() as u64 > self.settings.max_file_bytes {
            out.partial.push(format!(
                "{} bytes is over [{}] max_file_bytes ({}); not analysed",
                bytes.len(),
                self.family.name(),
                self.settings.max_file_bytes
            ));
            return;
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            out.partial
                .push("not UTF-8; configuration rules skipped".into());
            return;
        };
        let Some(kind) = file_kind(path, file.meta.head) else {
            return;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        match kind {
            FileKind::Manifest
            | FileKind::Kustomization
            | FileKind::Compose
            | FileKind::Workflow
            | FileKind::GitlabCi => {
                if kind == FileKind::Manifest && is_helm_template(path, text) {
                    out.partial.push(
                        "Helm template (Go template syntax): not analysed; scan the rendered output (`helm template`)".into(),
                    );
                    return;
                }
                let parsed = file.cached(|_| ParsedYaml(yaml::parse(&without_lone_cr(text))));
                let y = &parsed.0;
                if let Some(e) = &y.error {
                    out.partial.push(format!(
                        "invalid YAML at line {}:{}: {}; {} document(s) before it analysed",
                        e.line,
                        e.col,
                        e.message,
                        y.docs.len()
                    ));
                }
                match kind {
                    FileKind::Manifest => self.analyze_k8s(path, text, y, out),
                    FileKind::Kustomization => {
                        let patches = kustomize_patches(path, y);
                        if !patches.is_empty() {
                            out.facts.push(Fact {
                                analyzer: K8S.into(),
                                kind: "k8s/kustomize-patches".into(),
                                path: path.into(),
                                data: serde_json::json!(patches),
                            });
                        }
                    }
                    FileKind::Compose => {
                        let insts = docker::compose_instances(y);
                        out.findings.extend(self.run(&y.tree, &insts, path, text));
                        for svc in docker::compose_services(y) {
                            out.facts.push(Fact {
                                analyzer: DOCKER.into(),
                                kind: "compose/service".into(),
                                path: path.into(),
                                data: serde_json::to_value(&svc).unwrap_or_default(),
                            });
                        }
                    }
                    FileKind::Workflow => {
                        let insts = ci::workflow_instances(y);
                        out.findings.extend(self.run(&y.tree, &insts, path, text));
                    }
                    _ => {
                        let insts = ci::gitlab_instances(y);
                        out.findings.extend(self.run(&y.tree, &insts, path, text));
                    }
                }
            }
            FileKind::Dockerfile => {
                let (tree, insts) = docker::parse(text);
                out.findings.extend(self.run(&tree, &insts, path, text));
            }
            FileKind::Terraform => match hcl::parse(text) {
                Ok(parsed) => out.facts.push(Fact {
                    analyzer: TF.into(),
                    kind: "tf/file".into(),
                    path: path.into(),
                    data: serde_json::to_value(&parsed).unwrap_or_default(),
                }),
                Err(e) => out.partial.push(format!("invalid HCL: {e}")),
            },
        }
    }

    fn finish_scope(&self) -> FinishScope {
        match self.family {
            Family::K8s | Family::Tf => FinishScope::Head,
            _ => FinishScope::None,
        }
    }

    fn finish(&self, facts: &Facts) -> FinishOutput {
        match self.family {
            Family::K8s => self.finish_k8s(facts),
            Family::Tf => tf::finish(&self.rules, facts),
            _ => FinishOutput::default(),
        }
    }
}

impl ConfigAnalyzer {
    fn run(&self, tree: &tree::Tree, insts: &[Instance], path: &str, text: &str) -> Vec<Finding> {
        let lines = Lines::new(text);
        self.rules
            .run(tree, insts, path, &lines)
            .into_iter()
            .map(|(f, _)| f)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lone_carriage_returns_do_not_shift_lines() {
        assert_eq!(
            super::without_lone_cr("a: 1\rb: 2\r\nc: 3"),
            "a: 1 b: 2\r\nc: 3"
        );
        let a = crate::ConfigAnalyzer::new(
            crate::Family::Docker,
            crate::embedded_rules(crate::Family::Docker).unwrap(),
            crate::ConfigSettings::default(),
        )
        .unwrap();
        let text = "services:\n  app:\r    image: app:1\n    privileged: true\n";
        let (findings, _, _) = a.analyze_files(&[("docker-compose.yml", text)]);
        assert!(
            findings.iter().all(|f| f.location.start_line <= 4),
            "{findings:?}"
        );
    }
}
