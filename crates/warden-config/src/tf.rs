//! Terraform, in the second phase: a module is a directory, and its variables and locals may live in any of
//! its files, so each file's tree is published as a fact and the rules run here, per directory, after
//! `var.x` and `local.x` references (whole values, or a string template that is exactly one of them) are
//! replaced by their literal values: a variable's `default`, a local's value (literals only: scalars, and
//! lists and maps of them).

use crate::hcl::HclFile;
use crate::scope::{Instance, Lines, RuleSet};
use crate::tree::{Kind, Node, NodeId, Tree};
use std::collections::BTreeMap;
use warden_core::{Facts, FinishOutput, Problem};

/// A literal value, copied out of the tree it was defined in.
#[derive(Debug, Clone)]
struct Literal {
    nodes: Vec<Node>,
}

/// Copies a literal subtree (no unknowns inside), or `None`.
fn literal(t: &Tree, n: NodeId, out: &mut Vec<Node>, budget: &mut u32) -> Option<usize> {
    if *budget == 0 {
        return None;
    }
    *budget -= 1;
    let node = t.node(n);
    match node.kind {
        Kind::Unknown => None,
        Kind::Seq | Kind::Map => {
            let idx = out.len();
            out.push(Node {
                items: Vec::new(),
                ..node.clone()
            });
            let mut items = Vec::new();
            for &c in &node.items {
                items.push(literal(t, c, out, budget)? as NodeId);
            }
            out[idx].items = items;
            Some(idx)
        }
        _ => {
            out.push(node.clone());
            Some(out.len() - 1)
        }
    }
}

/// The name a reference expression stands for: `var.x`, `local.x`, `"${var.x}"`.
fn reference(text: &str) -> Option<&str> {
    let t = text.trim();
    let t = t
        .strip_prefix("\"${")
        .and_then(|r| r.strip_suffix("}\""))
        .unwrap_or(t)
        .trim();
    (t.starts_with("var.") || t.starts_with("local."))
        .then_some(t)
        .filter(|r| {
            r.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
                && r.matches('.').count() == 1
        })
}

/// Replaces resolvable references in `t` by copies of their literal values.
fn resolve(t: &mut Tree, values: &BTreeMap<String, Literal>) {
    let n = t.nodes.len();
    for i in 0..n {
        if t.nodes[i].kind != Kind::Unknown {
            continue;
        }
        let Some(name) = reference(&t.nodes[i].text) else {
            continue;
        };
        let Some(lit) = values.get(name) else {
            continue;
        };
        let (line, col, end_line, end_col) = {
            let o = &t.nodes[i];
            (o.line, o.col, o.end_line, o.end_col)
        };
        // The copy's root takes the reference's place; its descendants are appended, with ids shifted.
        let base = t.nodes.len() as NodeId;
        let shift = |id: NodeId| if id == 0 { i as NodeId } else { base + id - 1 };
        let mut root = lit.nodes[0].clone();
        root.items = root.items.iter().map(|&c| shift(c)).collect();
        root.line = line;
        root.col = col;
        root.end_line = end_line;
        root.end_col = end_col;
        for node in &lit.nodes[1..] {
            let mut c = node.clone();
            c.items = c.items.iter().map(|&x| shift(x)).collect();
            // Values defined elsewhere point at the reference.
            c.line = line;
            c.col = col;
            c.end_line = end_line;
            c.end_col = end_col;
            t.nodes.push(c);
        }
        t.nodes[i] = root;
    }
}

/// The resources of a module directory, for `unless_resource`: each with what its attributes refer to.
struct Companions {
    /// (type, the text of each attribute: references like `aws_s3_bucket.b.id`, or literal names)
    resources: Vec<(String, Vec<(String, String)>)>,
    /// `resource/type/name` → the resource's own `name`/`bucket` literal, which a companion may use instead.
    names: BTreeMap<String, Vec<String>>,
}

impl Companions {
    fn of(files: &[(String, HclFile)]) -> Self {
        let mut resources = Vec::new();
        let mut names = BTreeMap::new();
        for (_, f) in files {
            for b in &f.blocks {
                let (Some(ty), Some(name)) = (b.labels.first(), b.labels.get(1)) else {
                    continue;
                };
                if b.ident != "resource" {
                    continue;
                }
                let attrs: Vec<(String, String)> = f
                    .tree
                    .entries(b.body)
                    .map(|(k, v)| (f.tree.text(k).to_string(), f.tree.text(v).to_string()))
                    .collect();
                let literal: Vec<String> = ["bucket", "name"]
                    .iter()
                    .filter_map(|k| f.tree.get_str(b.body, k).map(str::to_string))
                    .collect();
                names.insert(format!("resource/{ty}/{name}"), literal);
                resources.push((ty.clone(), attrs));
            }
        }
        Companions { resources, names }
    }

    /// Whether a resource of the companion types refers to the resource whose key is `key`
    /// (`resource/aws_s3_bucket/data`).
    fn settles(&self, c: &crate::rules::Companion, key: &str) -> bool {
        let Some(rest) = key.strip_prefix("resource/") else {
            return false;
        };
        let Some((ty, name)) = rest.split_once('/') else {
            return false;
        };
        let address = format!("{ty}.{name}");
        let literals = self.names.get(key).cloned().unwrap_or_default();
        self.resources.iter().any(|(t, attrs)| {
            c.types.iter().any(|x| x == t)
                && match &c.reference {
                    None => true,
                    Some(r) => attrs.iter().any(|(k, v)| {
                        k == r
                            && (v == &address
                                || v.contains(&format!("{address}."))
                                || literals.iter().any(|l| !l.is_empty() && v == l))
                    }),
                }
        })
    }
}

pub fn instances(f: &HclFile) -> Vec<Instance> {
    let mut out = Vec::new();
    for b in &f.blocks {
        let (scope, kind, what, key) = match (b.ident.as_str(), b.labels.as_slice()) {
            ("resource", [ty, name, ..]) => (
                "tf/resource",
                ty.clone(),
                format!("{ty} \"{name}\""),
                format!("resource/{ty}/{name}"),
            ),
            ("data", [ty, name, ..]) => (
                "tf/data",
                ty.clone(),
                format!("data {ty} \"{name}\""),
                format!("data/{ty}/{name}"),
            ),
            ("provider", [name, ..]) => (
                "tf/provider",
                name.clone(),
                format!("provider \"{name}\""),
                format!("provider/{name}"),
            ),
            ("module", [name, ..]) => (
                "tf/module",
                "module".to_string(),
                format!("module \"{name}\""),
                format!("module/{name}"),
            ),
            _ => continue,
        };
        out.push(Instance {
            scope,
            kind,
            node: b.body,
            anchors: vec![("resource", b.body)],
            what,
            key,
            workload: None,
            head: None,
        });
    }
    out
}

pub fn finish(rules: &RuleSet, facts: &Facts) -> FinishOutput {
    let mut out = FinishOutput::default();
    let mut dirs: BTreeMap<String, Vec<(String, HclFile)>> = BTreeMap::new();
    for f in facts.of_kind("tf/file").filter(|f| f.analyzer == crate::TF) {
        match serde_json::from_value::<HclFile>(f.data.clone()) {
            Ok(file) => {
                let dir = f.path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
                dirs.entry(dir).or_default().push((f.path.clone(), file));
            }
            Err(e) => out.problems.push(Problem {
                path: f.path.clone(),
                message: format!("internal: unreadable tf fact: {e}"),
            }),
        }
    }
    for (_, mut files) in dirs {
        let mut values = BTreeMap::new();
        for (_, f) in &files {
            for b in &f.blocks {
                match (b.ident.as_str(), b.labels.first()) {
                    ("variable", Some(name)) => {
                        if let Some(d) = f.tree.get(b.body, "default") {
                            let mut nodes = Vec::new();
                            if literal(&f.tree, d, &mut nodes, &mut 10_000).is_some() {
                                values.insert(format!("var.{name}"), Literal { nodes });
                            }
                        }
                    }
                    ("locals", _) => {
                        for (k, v) in f.tree.entries(b.body) {
                            let mut nodes = Vec::new();
                            if literal(&f.tree, v, &mut nodes, &mut 10_000).is_some() {
                                values
                                    .insert(format!("local.{}", f.tree.text(k)), Literal { nodes });
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for (_, f) in &mut files {
            if !values.is_empty() {
                resolve(&mut f.tree, &values);
            }
        }
        let companions = Companions::of(&files);
        for (path, f) in &files {
            let insts = instances(f);
            let lines = Lines::new(&f.source);
            for (finding, _) in rules.run(&f.tree, &insts, path, &lines) {
                let settled = rules
                    .rules
                    .iter()
                    .find(|r| r.meta.id == finding.rule_id)
                    .is_some_and(|r| {
                        r.def
                            .unless_resource
                            .iter()
                            .any(|c| companions.settles(c, &finding.matched))
                    });
                if !settled {
                    out.findings.push(finding);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(reference("var.x"), Some("var.x"));
        assert_eq!(reference("\"${local.cidr}\""), Some("local.cidr"));
        assert_eq!(reference("var.x.y"), None);
        assert_eq!(reference("\"${var.x}-suffix\""), None);
        assert_eq!(reference("aws_s3_bucket.b.id"), None);
    }

    #[test]
    fn variables_from_another_file_resolve() {
        let vars = crate::hcl::parse(
            "variable \"cidrs\" {\n  default = [\"0.0.0.0/0\"]\n}\nlocals {\n  port = 22\n}\n",
        )
        .unwrap();
        let mut main = crate::hcl::parse(
            "resource \"x\" \"y\" {\n  cidr_blocks = var.cidrs\n  from_port = local.port\n}\n",
        )
        .unwrap();
        let mut values = BTreeMap::new();
        for b in &vars.blocks {
            if b.ident == "variable" {
                let d = vars.tree.get(b.body, "default").unwrap();
                let mut nodes = Vec::new();
                literal(&vars.tree, d, &mut nodes, &mut 100).unwrap();
                values.insert("var.cidrs".to_string(), Literal { nodes });
            } else {
                for (k, v) in vars.tree.entries(b.body) {
                    let mut nodes = Vec::new();
                    literal(&vars.tree, v, &mut nodes, &mut 100).unwrap();
                    values.insert(format!("local.{}", vars.tree.text(k)), Literal { nodes });
                }
            }
        }
        resolve(&mut main.tree, &values);
        let t = &main.tree;
        let body = main.blocks[0].body;
        let c = t.get(body, "cidr_blocks").unwrap();
        assert_eq!(t.kind(c), Kind::Seq);
        assert_eq!(t.text(t.elems(c)[0]), "0.0.0.0/0");
        assert_eq!(t.pos(t.elems(c)[0]).line, 2);
        assert_eq!(t.text(t.get(body, "from_port").unwrap()), "22");
    }
}
