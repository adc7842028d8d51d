//! Scopes: the things rules visit in a parsed file (a container, a resource, a step), each with its named
//! ancestors and a stable identity, and the engine that runs a family's rules over them.

use crate::rules::{Ctx, Rule};
use crate::tree::{Hit, NodeId, Pos, Tree};
use rustc_hash::FxHashMap;
use warden_core::{Finding, Location};

pub const SCOPES: &[&str] = &[
    "k8s/object",
    "k8s/pod",
    "k8s/container",
    "k8s/graph",
    "dockerfile/instruction",
    "dockerfile/file",
    "compose/service",
    "compose/file",
    "tf/resource",
    "tf/data",
    "tf/provider",
    "tf/module",
    "gha/workflow",
    "gha/job",
    "gha/step",
    "gitlab/file",
    "gitlab/job",
];

/// The file name a scope's examples are analysed under, unless the rule names one.
pub fn example_path(scope: &str) -> &'static str {
    match scope.split('/').next().unwrap_or("") {
        "k8s" => "deploy.yaml",
        "dockerfile" => "Dockerfile",
        "compose" => "docker-compose.yml",
        "tf" => "main.tf",
        "gha" => ".github/workflows/ci.yml",
        "gitlab" => ".gitlab-ci.yml",
        _ => "example",
    }
}

/// One thing a rule can visit.
#[derive(Debug, Clone)]
pub struct Instance {
    pub scope: &'static str,
    /// Kubernetes kind, Terraform resource type, Dockerfile instruction; rules filter on it with `kinds`.
    pub kind: String,
    pub node: NodeId,
    pub anchors: Vec<(&'static str, NodeId)>,
    /// For messages: `container "app" of Deployment "web"`.
    pub what: String,
    /// Stable identity within the file, for fingerprints (never a line number).
    pub key: String,
    /// The Kubernetes workload it belongs to (`Deployment/ns/name`), for the exposure graph.
    pub workload: Option<String>,
    /// The map key the scope is the value of (a job's or a service's name): where a finding about the scope as
    /// a whole points.
    pub head: Option<NodeId>,
}

/// A family's rules, indexed by scope.
pub struct RuleSet {
    pub rules: Vec<Rule>,
    by_scope: FxHashMap<String, Vec<usize>>,
}

impl RuleSet {
    pub fn new(rules: Vec<Rule>) -> Self {
        let mut by_scope: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, r) in rules.iter().enumerate() {
            by_scope.entry(r.scope.clone()).or_default().push(i);
        }
        RuleSet { rules, by_scope }
    }

    pub fn for_scope(&self, scope: &str) -> impl Iterator<Item = &Rule> {
        self.by_scope
            .get(scope)
            .into_iter()
            .flatten()
            .map(|&i| &self.rules[i])
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.by_scope.contains_key(scope)
    }

    /// Runs every rule on every instance: one finding per rule and instance.
    pub fn run(
        &self,
        tree: &Tree,
        insts: &[Instance],
        path: &str,
        lines: &Lines,
    ) -> Vec<(Finding, Option<String>)> {
        let mut out = Vec::new();
        for inst in insts {
            let ctx = Ctx::new(tree, &inst.anchors);
            for rule in self.for_scope(inst.scope) {
                if !rule.kinds.is_empty() && !rule.kinds.iter().any(|k| k == &inst.kind) {
                    continue;
                }
                let targets: Vec<(usize, Hit)> = match &rule.each {
                    None => vec![(
                        0,
                        Hit {
                            key: None,
                            node: inst.node,
                        },
                    )],
                    Some(ps) => ps
                        .iter()
                        .flat_map(|p| ctx.elements(inst.node, p))
                        .enumerate()
                        .collect(),
                };
                for (i, target) in targets {
                    ctx.key.set(target.key);
                    ctx.found.replace(None);
                    let Some(held) = ctx.eval(target.node, &rule.when) else {
                        continue;
                    };
                    let mut hit = if held.strong || rule.each.is_none() {
                        held.hit
                    } else {
                        target
                    };
                    if !held.strong && hit.node == inst.node && hit.key.is_none() {
                        hit.key = inst.head;
                    }
                    let mut pos = tree.hit_pos(hit);
                    if let Some((n, text)) = ctx.found.borrow().as_ref() {
                        if *n == hit.node {
                            if let Some(p) = match_line(tree, *n, text, lines) {
                                pos = p;
                            }
                        }
                    }
                    if let Some(at) = &rule.at {
                        let from = match &at.anchor {
                            None => Some(target.node),
                            Some(a) => inst.anchors.iter().find(|(n, _)| n == a).map(|x| x.1),
                        };
                        if let Some(h) = ctx.lookup(target.node, at).first() {
                            pos = tree.hit_pos(*h);
                        } else if let Some(start) = from {
                            pos = tree.hit_pos(tree.deepest(start, &at.steps));
                        }
                    }
                    let mut f = finding(rule, inst, path, pos, lines);
                    if rule.each.is_some() {
                        f.matched = format!("{}#{i}", f.matched);
                    }
                    out.push((f, inst.workload.clone()));
                }
                ctx.key.set(None);
            }
        }
        out
    }
}

pub fn finding(rule: &Rule, inst: &Instance, path: &str, pos: Pos, lines: &Lines) -> Finding {
    let message = match &rule.message {
        Some(m) => m.replace("{what}", &inst.what),
        None => format!("{} ({})", rule.meta.title, inst.what),
    };
    let end_col = if pos.end_line == pos.line && pos.end_col > pos.col {
        pos.end_col
    } else {
        pos.col
            + lines
                .get(pos.line)
                .len()
                .saturating_sub(pos.col as usize - 1) as u32
    };
    let mut f = Finding::new(
        &rule.meta,
        message,
        Location {
            path: path.to_string(),
            start_line: pos.line.max(1),
            start_column: pos.col.max(1),
            end_line: pos.line.max(1),
            end_column: end_col.max(pos.col.max(1)),
            provenance: None,
            byte_offset: None,
        },
    );
    let line: String = lines.get(pos.line).trim().chars().take(200).collect();
    f.snippet = if rule
        .meta
        .tags
        .iter()
        .any(|t| SECRET_TAGS.contains(&t.as_str()))
    {
        redact_values(&line)
    } else {
        line
    };
    f.matched = inst.key.clone();
    f
}

/// The line of a multi-line value that holds `text` (what a regex matched), searched in the source: a
/// `run: |` script, a RUN continued over lines or with a heredoc. `None` when the value is on one line or the
/// text is not found as written (escapes, folding).
fn match_line(tree: &Tree, n: NodeId, text: &str, lines: &Lines) -> Option<Pos> {
    let node = tree.node(n);
    if node.end_line <= node.line || text.trim().is_empty() {
        return None;
    }
    let needle = text.trim().lines().next()?.trim();
    let short: String = needle.chars().take(24).collect();
    for probe in [needle, short.as_str()] {
        for l in node.line..=node.end_line {
            if let Some(c) = lines.get(l).find(probe) {
                let col = lines.get(l)[..c].chars().count() as u32 + 1;
                return Some(Pos {
                    line: l,
                    col,
                    end_line: l,
                    end_col: col + probe.chars().count() as u32,
                });
            }
        }
    }
    None
}

/// Rules about credentials written into a file: their snippets never show the value.
const SECRET_TAGS: &[&str] = &[
    "CWE-798", "CWE-259", "CWE-312", "CWE-522", "CWE-256", "CWE-321", "CWE-532", "CWE-538",
    "CWE-214",
];

/// Masks the values of a line (`key: value`, `key = "value"`, `A=b C=d`, `--password x`): the first three
/// characters stay, so a reader can tell which value it is, and the rest becomes `…`.
pub fn redact_values(line: &str) -> String {
    fn mask(v: &str) -> String {
        let v = v.trim();
        let (q, inner) = match v.chars().next() {
            Some(c @ ('"' | '\'')) => (Some(c), v.trim_matches(c)),
            _ => (None, v),
        };
        if inner.chars().count() <= 3 {
            return v.to_string();
        }
        let keep: String = inner.chars().take(3).collect();
        match q {
            Some(c) => format!("{c}{keep}…{c}"),
            None => format!("{keep}…"),
        }
    }
    let words: Vec<&str> = line.split(' ').collect();
    if words
        .iter()
        .skip(1)
        .any(|w| w.contains('=') && !w.starts_with('='))
        || words
            .first()
            .is_some_and(|w| w.contains('=') && !w.starts_with('='))
    {
        // `ENV A=b C=d`, `--token=x`, `export X=y`
        return words
            .iter()
            .map(|w| match w.split_once('=') {
                Some((k, v)) if !k.is_empty() && !v.is_empty() => format!("{k}={}", mask(v)),
                _ => (*w).to_string(),
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    for sep in [": ", " = ", " "] {
        if let Some((k, v)) = line.split_once(sep) {
            if !v.trim().is_empty() {
                return format!("{k}{sep}{}", mask(v));
            }
        }
    }
    mask(line)
}

/// Line lookup for snippets.
pub struct Lines<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(src: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1));
        Lines { src, starts }
    }

    /// Line `n` (1-based) without its newline; empty past the end.
    pub fn get(&self, n: u32) -> &'a str {
        let i = n.saturating_sub(1) as usize;
        let Some(&s) = self.starts.get(i) else {
            return "";
        };
        let e = self.starts.get(i + 1).map_or(self.src.len(), |e| e - 1);
        self.src[s..e.max(s)].trim_end_matches('\r')
    }
}

#[cfg(test)]
mod tests {
    use super::redact_values;

    #[test]
    fn values_are_masked() {
        assert_eq!(
            redact_values("GITHUB_TOKEN: ghp_abcdefghijkl"),
            "GITHUB_TOKEN: ghp…"
        );
        assert_eq!(
            redact_values("access_key = \"AKIAXXXXXXXX\""),
            "access_key = \"AKI…\""
        );
        assert_eq!(
            redact_values("ENV A=secret1 B=\"two\""),
            "ENV A=sec… B=\"two\""
        );
        assert_eq!(
            redact_values("- DB_PASSWORD=hunter22"),
            "- DB_PASSWORD=hun…"
        );
        assert_eq!(redact_values("value: ab"), "value: ab");
    }
}
