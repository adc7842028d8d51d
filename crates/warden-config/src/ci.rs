//! CI pipelines: GitHub Actions workflows (scopes: the workflow, each job, each step, with `$workflow` and
//! `$job` reachable from inner scopes) and GitLab CI (the file, each job, hidden `.template` jobs included).

use crate::scope::Instance;
use crate::yaml::Yaml;

pub fn workflow_instances(y: &Yaml) -> Vec<Instance> {
    let t = &y.tree;
    let mut out = Vec::new();
    for d in &y.docs {
        let wf = d.root;
        if !t.is_map(wf) {
            continue;
        }
        out.push(Instance {
            scope: "gha/workflow",
            kind: "workflow".into(),
            node: wf,
            anchors: vec![("workflow", wf)],
            what: "the workflow".into(),
            key: "workflow".into(),
            workload: None,
            head: None,
        });
        let Some(jobs) = t.get(wf, "jobs") else {
            continue;
        };
        for (k, job) in t.entries(jobs) {
            if !t.is_map(job) {
                continue;
            }
            let id = t.text(k).to_string();
            out.push(Instance {
                scope: "gha/job",
                kind: "job".into(),
                node: job,
                anchors: vec![("workflow", wf), ("job", job)],
                what: format!("job \"{id}\""),
                key: format!("job/{id}"),
                workload: None,
                head: Some(k),
            });
            let Some(steps) = t.get(job, "steps") else {
                continue;
            };
            for (i, &step) in t.elems(steps).iter().enumerate() {
                if !t.is_map(step) {
                    continue;
                }
                let label = t
                    .get_str(step, "name")
                    .or_else(|| t.get_str(step, "id"))
                    .or_else(|| t.get_str(step, "uses"))
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("#{}", i + 1));
                out.push(Instance {
                    scope: "gha/step",
                    kind: if t.get(step, "uses").is_some() {
                        "uses"
                    } else {
                        "run"
                    }
                    .into(),
                    node: step,
                    anchors: vec![("workflow", wf), ("job", job), ("step", step)],
                    what: format!("step \"{label}\" of job \"{id}\""),
                    key: format!("job/{id}/step/{label}"),
                    workload: None,
                    head: None,
                });
            }
        }
    }
    out
}

/// Top-level keys of `.gitlab-ci.yml` that are not jobs.
const GITLAB_RESERVED: &[&str] = &[
    "image",
    "services",
    "stages",
    "types",
    "before_script",
    "after_script",
    "variables",
    "cache",
    "include",
    "default",
    "workflow",
    "spec",
    "pages:deploy",
];

pub fn gitlab_instances(y: &Yaml) -> Vec<Instance> {
    let t = &y.tree;
    let mut out = Vec::new();
    for d in &y.docs {
        let root = d.root;
        if !t.is_map(root) {
            continue;
        }
        // A `spec:` header document (CI/CD components) has no jobs; the file scope still sees it.
        out.push(Instance {
            scope: "gitlab/file",
            kind: "file".into(),
            node: root,
            anchors: vec![("file", root)],
            what: "the pipeline".into(),
            key: "file".into(),
            workload: None,
            head: None,
        });
        for (k, job) in t.entries(root) {
            let name = t.text(k);
            if GITLAB_RESERVED.contains(&name) || !t.is_map(job) {
                continue;
            }
            out.push(Instance {
                scope: "gitlab/job",
                kind: if name.starts_with('.') {
                    "template"
                } else {
                    "job"
                }
                .into(),
                node: job,
                anchors: vec![("file", root), ("job", job)],
                what: format!("job \"{name}\""),
                key: format!("job/{name}"),
                workload: None,
                head: Some(k),
            });
        }
    }
    out
}
