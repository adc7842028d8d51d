//! The ten-question AI security self-assessment (`warden assess`): each question answered from the scan's
//! evidence where the repository can show it, else from `[ai.assess]` in `warden.toml`, with what to fix first
//! for every "no". 10 points per "no" (an unanswered question counts as "no": what nobody can show is not in
//! place); 0–10 advanced, 20 moderate, 30 and above high risk.

use crate::inventory::{is_ai_asset, DANGEROUS};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use warden_core::{AssetKind, EdgeKind, ScanResult};

/// `[ai.assess]`: answers for what the repository cannot show (`true` = yes, `false` = no).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    pub inventory: Option<bool>,
    pub least_privilege: Option<bool>,
    pub data_sources: Option<bool>,
    pub runtime_monitoring: Option<bool>,
    pub exposure: Option<bool>,
    pub cloud_monitoring: Option<bool>,
    pub model_validation: Option<bool>,
    pub access_restricted: Option<bool>,
    pub key_management: Option<bool>,
    pub incident_response: Option<bool>,
}

/// The questions, their `[ai.assess]` keys, and what to do first when the answer is no.
pub const QUESTIONS: [(&str, &str, &str); 10] = [
    (
        "inventory",
        "Can you identify all AI models in your environment?",
        "Run `warden inventory` in CI on every repository and keep its CycloneDX AI-BOM; give every model a pinned source.",
    ),
    (
        "least_privilege",
        "Are permissions to AI applications least-privilege?",
        "Take shell, code and file-write tools away from agents (or sandbox them), drop privileged mode and cluster-wide roles from AI workloads, and scope cloud AI roles to what the service reads and writes.",
    ),
    (
        "data_sources",
        "Do you know which data sources your models access and are they protected?",
        "Keep personal data out of prompts and vector stores (drop or pseudonymise the fields), and filter retrieval by the caller's rights.",
    ),
    (
        "runtime_monitoring",
        "Do you monitor AI workloads for runtime anomalies?",
        "Trace LLM calls (OpenTelemetry, Langfuse, LangSmith) or route them through `warden gateway`, and alert on unusual volume, cost and tool use.",
    ),
    (
        "exposure",
        "Do you know whether AI workloads are publicly exposed?",
        "Deploy AI code through manifests in the repository (or map it with `[ai] deployments`) so its exposure is known, and review every public AI endpoint.",
    ),
    (
        "cloud_monitoring",
        "Does your cloud provider's AI monitoring run by default?",
        "Turn on the provider's logging for AI services: Bedrock model invocation logging, SageMaker data capture and model monitors, Vertex AI request-response logging, Azure diagnostic settings.",
    ),
    (
        "model_validation",
        "Can you validate pre-trained and third-party models?",
        "Pin every third-party model to a commit or digest, prefer safetensors/GGUF over pickles, and sign models (`warden model sign`) with `[model] require_signatures` on.",
    ),
    (
        "access_restricted",
        "Is access to AI systems and training data restricted?",
        "Put authentication and a NetworkPolicy in front of every AI workload, keep model servers internal, and give MCP servers only the paths and databases they need.",
    ),
    (
        "key_management",
        "Are API keys securely managed and rotated?",
        "Move hard-coded keys to a secret manager, revoke the exposed ones, and rotate provider keys on a schedule (or use short-lived cloud identities).",
    ),
    (
        "incident_response",
        "Is there an AI incident response plan?",
        "Write an AI incident response runbook: how to revoke model keys, take an endpoint or agent offline, roll back a model, and investigate prompt-injection and data-leak reports.",
    ),
];

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Answer {
    pub id: u8,
    pub key: &'static str,
    pub question: &'static str,
    /// `yes`, `no` or `unknown`.
    pub answer: &'static str,
    /// `evidence` (the scan showed it), `warden.toml` (`[ai.assess]`), or `unanswered`.
    pub source: &'static str,
    pub evidence: Vec<String>,
    /// What to fix first, for a "no" or "unknown".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Assessment {
    pub assess_version: &'static str,
    pub questions: Vec<Answer>,
    /// 10 points per "no" or unanswered question.
    pub score: u32,
    /// `advanced` (0–10), `moderate` (20), `high` (30 and above).
    pub level: &'static str,
}

pub fn level(score: u32) -> &'static str {
    match score {
        0..=10 => "advanced",
        11..=29 => "moderate",
        _ => "high",
    }
}

/// What the evidence says: `Some(true)` yes, `Some(false)` no, `None` the repository cannot tell.
type Verdict = (Option<bool>, Vec<String>);

fn sightings<'a>(r: &'a ScanResult, kind: &'a str) -> impl Iterator<Item = (String, u32)> + 'a {
    crate::sighting::file_facts(r)
        .into_iter()
        .flat_map(move |(p, ff)| {
            ff.sightings
                .into_iter()
                .filter(move |s| s.kind == kind)
                .map(move |s| (p.clone(), s.line))
                .collect::<Vec<_>>()
        })
}

fn at(a: &warden_core::Asset) -> String {
    a.location
        .as_ref()
        .map(|l| format!("{}:{}", l.path, l.start_line))
        .unwrap_or_default()
}

fn risk_has(a: &warden_core::Asset, needle: &str) -> bool {
    a.properties["risk"]["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["text"].as_str().is_some_and(|t| t.contains(needle)))
}

/// The AI/ML packages with unsafe loading defaults that the `deps` analyzer published (`deps/ai-unsafe-default`
/// facts): those whose selected version still has the unsafe default (an upgrade fixes it), and the others
/// (every version loads unsafely, or the manifest gives a range), as notes. One line per package.
fn unsafe_loaders(r: &ScanResult) -> (Vec<String>, Vec<String>) {
    let mut by_name: std::collections::BTreeMap<String, (u8, String)> = Default::default();
    let mut safe: std::collections::BTreeSet<String> = Default::default();
    for f in r
        .facts
        .iter()
        .filter(|f| f.kind == "deps/ai-unsafe-default")
    {
        let d = &f.data;
        let name = d["name"].as_str().unwrap_or_default().to_lowercase();
        let version = d["version"]
            .as_str()
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        let fixable = d["safe_from"].is_string();
        // 2: a version that an upgrade fixes; 1: unsafe in every version; 0: the file does not say.
        let rank = match (d["affected"].as_bool(), fixable) {
            (Some(true), true) => 2,
            (Some(true), false) => 1,
            (Some(false), _) => {
                safe.insert(name);
                continue;
            }
            (None, _) => 0,
        };
        let line = format!(
            "{}{version} ({}:{}): {}; {}",
            d["name"].as_str().unwrap_or_default(),
            f.path,
            d["line"].as_u64().unwrap_or(1),
            d["risk"].as_str().unwrap_or_default(),
            d["advice"].as_str().unwrap_or_default()
        );
        match by_name.get(&name) {
            Some((r0, _)) if *r0 >= rank => {}
            _ => {
                by_name.insert(name, (rank, line));
            }
        }
    }
    let mut bad = Vec::new();
    let mut noted = Vec::new();
    for (name, (rank, line)) in by_name {
        if rank == 0 && safe.contains(&name) {
            // A manifest's range, and a lockfile beside it that selects a safe version.
            continue;
        }
        if rank == 2 {
            bad.push(line);
        } else {
            noted.push(line);
        }
    }
    (bad, noted)
}

pub fn assess(r: &ScanResult, answers: &Answers) -> Assessment {
    let ai: Vec<&warden_core::Asset> = r.assets.iter().filter(|a| is_ai_asset(a)).collect();
    let count = |k: AssetKind| ai.iter().filter(|a| a.kind == k).count();
    let mut verdicts: Vec<Verdict> = Vec::new();

    // 1. Inventory.
    verdicts.push(if ai.is_empty() {
        (
            None,
            vec!["the scan found no AI assets in this repository".into()],
        )
    } else {
        let unknown: Vec<String> = ai
            .iter()
            .filter(|a| a.kind == AssetKind::Model && a.properties["present"] == Value::Bool(false))
            .map(|a| {
                format!(
                    "model file {} is loaded by code but is not in the repository ({})",
                    a.name,
                    at(a)
                )
            })
            .collect();
        let kinds = [
            (AssetKind::Model, "model", "models"),
            (AssetKind::LlmClient, "LLM client", "LLM clients"),
            (AssetKind::Agent, "agent", "agents"),
            (AssetKind::Tool, "tool", "tools"),
            (AssetKind::VectorStore, "vector store", "vector stores"),
            (AssetKind::Dataset, "data set", "data sets"),
            (AssetKind::McpServer, "MCP server", "MCP servers"),
            (
                AssetKind::Workload,
                "AI service or model server",
                "AI services and model servers",
            ),
        ];
        let listed: Vec<String> = kinds
            .iter()
            .filter_map(|(k, one, many)| match count(*k) {
                0 => None,
                1 => Some(format!("1 {one}")),
                n => Some(format!("{n} {many}")),
            })
            .collect();
        let mut ev = vec![format!(
            "warden inventory lists {}, each with where it is defined or used",
            listed.join(", ")
        )];
        ev.extend(unknown);
        (Some(true), ev)
    });

    // 2. Least privilege.
    {
        let mut bad = Vec::new();
        for a in &ai {
            let caps = a.properties["capabilities"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let dangerous_tool = a.kind == AssetKind::Tool
                && caps
                    .iter()
                    .any(|c| c.as_str().is_some_and(|c| DANGEROUS.contains(&c)));
            if dangerous_tool {
                bad.push(format!(
                    "{} gives a model {} ({})",
                    a.name,
                    caps.iter()
                        .filter_map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    at(a)
                ));
            }

            if a.properties["broad_policies"]
                .as_array()
                .is_some_and(|b| !b.is_empty())
            {
                bad.push(format!(
                    "{} has {} ({})",
                    a.name,
                    a.properties["broad_policies"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    at(a)
                ));
            }
        }
        // One line per powerful workload, naming the AI assets it runs.
        for w in r.assets.iter().filter(|w| w.kind == AssetKind::Workload) {
            let p = &w.properties;
            let mut powers = Vec::new();
            if p["privileged"] == true {
                powers.push("privileged".to_string());
            }
            if p["host_network"] == true {
                powers.push("on the host network".to_string());
            }
            if p["permissions"]["cluster_admin"] == true {
                powers.push("as cluster-admin".to_string());
            } else if p["permissions"]["read_secrets"] == true && p["token_mounted"] == true {
                powers.push("with a service account that reads Secrets".to_string());
            }
            if powers.is_empty() {
                continue;
            }
            let runs: Vec<&str> = r
                .edges
                .iter()
                .filter(|e| e.from == w.id && e.kind == EdgeKind::Runs)
                .filter_map(|e| r.assets.iter().find(|a| a.id == e.to))
                .map(|a| a.name.as_str())
                .collect();
            if runs.is_empty() && p["inference"] != true {
                continue;
            }
            bad.push(format!(
                "{} runs {} and runs {} ({})",
                w.name,
                if runs.is_empty() {
                    "a model server".to_string()
                } else {
                    runs.join(", ")
                },
                powers.join(", "),
                at(w)
            ));
        }
        bad.dedup();
        let known = ai.iter().any(|a| {
            a.properties["deployed_as"].is_array()
                || a.id.starts_with("tf:")
                || a.kind == AssetKind::Workload
        });
        verdicts.push(if !bad.is_empty() {
            (Some(false), bad)
        } else if known {
            (Some(true), vec!["no AI workload runs privileged or with cluster-wide rights, no agent holds a shell, code or file-write tool, and no cloud AI role has a full-access policy".into()])
        } else {
            (None, vec!["no AI asset is linked to a workload or role, so its permissions cannot be seen".into()])
        });
    }

    // 3. Data sources.
    {
        let data: Vec<&&warden_core::Asset> = ai
            .iter()
            .filter(|a| matches!(a.kind, AssetKind::Dataset | AssetKind::VectorStore))
            .collect();
        let sensitive: Vec<String> = ai
            .iter()
            .filter(|a| risk_has(a, "personal data"))
            .map(|a| format!("{} holds or reads personal data ({})", a.name, at(a)))
            .collect();
        verdicts.push(if !sensitive.is_empty() {
            (Some(false), sensitive)
        } else if !data.is_empty() {
            (
                Some(true),
                vec![format!(
                    "{} data sources are listed, none with personal-looking fields",
                    data.len()
                )],
            )
        } else {
            (
                None,
                vec!["no data source of an AI asset was found in code".into()],
            )
        });
    }

    // 4. Runtime monitoring.
    {
        const TRACERS: &[&str] = &[
            "langsmith",
            "langfuse",
            "opentelemetry",
            "arize-phoenix",
            "openlit",
            "helicone",
            "traceloop-sdk",
            "opentelemetry-instrumentation-openai",
            "wandb",
        ];
        let tracers: Vec<String> = r
            .components
            .iter()
            .filter(|c| TRACERS.iter().any(|t| c.name.starts_with(t)))
            .map(|c| {
                format!(
                    "{} in {}",
                    c.name,
                    c.location.as_ref().map(|l| l.path.as_str()).unwrap_or("")
                )
            })
            .collect();
        let monitors: Vec<String> = r
            .facts
            .iter()
            .filter(|f| f.kind == "k8s/object")
            .filter(|f| {
                matches!(
                    f.data["kind"].as_str(),
                    Some("ServiceMonitor" | "PodMonitor" | "PrometheusRule")
                )
            })
            .map(|f| {
                format!(
                    "{} {} in {}",
                    f.data["kind"].as_str().unwrap_or(""),
                    f.data["name"].as_str().unwrap_or(""),
                    f.path
                )
            })
            .collect();
        let mut ev = tracers;
        ev.extend(monitors);
        verdicts.push(if ev.is_empty() {
            (
                None,
                vec![
                    "no LLM tracing package, ServiceMonitor or PodMonitor in the repository".into(),
                ],
            )
        } else {
            (Some(true), ev)
        });
    }

    // 5. Exposure known.
    {
        let code: Vec<&&warden_core::Asset> = ai
            .iter()
            .filter(|a| {
                a.properties["source"] == "code"
                    && matches!(
                        a.kind,
                        AssetKind::LlmClient
                            | AssetKind::Agent
                            | AssetKind::VectorStore
                            | AssetKind::Model
                    )
            })
            .collect();
        let unlinked: Vec<String> = code
            .iter()
            .filter(|a| !a.properties["deployed_as"].is_array())
            .map(|a| format!("{} is not linked to any workload ({})", a.name, at(a)))
            .collect();
        let public: Vec<String> = r
            .assets
            .iter()
            .filter(|a| a.kind == AssetKind::Workload && a.properties["public"] == true)
            .filter(|a| {
                r.edges
                    .iter()
                    .any(|e| e.from == a.id && e.kind == EdgeKind::Runs)
                    || a.properties["inference"] == true
            })
            .map(|a| {
                format!(
                    "{} is publicly exposed ({})",
                    a.name,
                    a.properties["exposed_by"]
                        .as_array()
                        .map(|x| x
                            .iter()
                            .filter_map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join(", "))
                        .unwrap_or_default()
                )
            })
            .collect();
        verdicts.push(if code.is_empty() && public.is_empty() && !ai.iter().any(|a| a.kind == AssetKind::Workload) {
            (None, vec!["no AI code or model server to place".into()])
        } else if unlinked.is_empty() {
            let mut ev = vec!["every AI asset in code is linked to the workload that runs it, and its exposure is known".to_string()];
            ev.extend(public);
            (Some(true), ev)
        } else {
            let mut ev = unlinked;
            ev.extend(public);
            (Some(false), ev)
        });
    }

    // 6. Cloud AI monitoring.
    {
        let services: Vec<&&warden_core::Asset> = ai
            .iter()
            .filter(|a| a.id.starts_with("tf:") && a.kind == AssetKind::Workload)
            .collect();
        let monitors: Vec<(String, u32)> = sightings(r, "monitor").collect();
        let captured: Vec<String> = crate::sighting::file_facts(r)
            .into_iter()
            .flat_map(|(p, d)| {
                d.sightings
                    .into_iter()
                    .filter(|s| s.extra.contains_key("monitoring"))
                    .map(move |s| {
                        format!(
                            "{} turns on {} ({p}:{})",
                            s.name, s.extra["monitoring"], s.line
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        verdicts.push(if services.is_empty() {
            (
                None,
                vec!["no cloud AI service in the Terraform of this repository".into()],
            )
        } else if monitors.is_empty() && captured.is_empty() {
            (
                Some(false),
                services
                    .iter()
                    .map(|s| {
                        format!(
                            "{} has no logging or data capture configured ({})",
                            s.name,
                            at(s)
                        )
                    })
                    .collect(),
            )
        } else {
            let mut ev: Vec<String> = monitors
                .iter()
                .map(|(p, l)| format!("monitoring resource at {p}:{l}"))
                .collect();
            ev.extend(captured);
            (Some(true), ev)
        });
    }

    // 7. Model validation.
    {
        let models: Vec<&&warden_core::Asset> =
            ai.iter().filter(|a| a.kind == AssetKind::Model).collect();
        let bad: Vec<String> = models
            .iter()
            .filter_map(|m| {
                let unpinned = m.properties["pin"]["pinned"] == false;
                let unsafe_format =
                    risk_has(m, "loading it runs code") || risk_has(m, "dangerous code");
                let unsigned = m.properties["signature"] == "missing";
                let mut why = vec![];
                if unpinned {
                    why.push("not pinned");
                }
                if unsafe_format {
                    why.push("a format that runs code on load");
                }
                if unsigned {
                    why.push("unsigned");
                }
                (!why.is_empty()).then(|| format!("{}: {} ({})", m.name, why.join(", "), at(m)))
            })
            .collect();
        let unchecked = models
            .iter()
            .any(|m| m.properties["signature"] == "not checked");
        let (deps_bad, deps_noted) = unsafe_loaders(r);
        let mut bad = bad;
        bad.extend(deps_bad);
        let mut verdict = if !bad.is_empty() {
            (Some(false), bad)
        } else if models.is_empty() {
            (None, vec!["no model in the repository".into()])
        } else if unchecked {
            (
                Some(false),
                vec![
                    "model files are not verified by signature ([model] require_signatures is off)"
                        .into(),
                ],
            )
        } else {
            (
                Some(true),
                vec![format!("{} models, all pinned and verified", models.len())],
            )
        };
        verdict.1.extend(deps_noted);
        verdicts.push(verdict);
    }

    // 8. Access restricted.
    {
        let mut bad = Vec::new();
        for a in r
            .assets
            .iter()
            .filter(|a| a.kind == AssetKind::Workload && a.id.starts_with("k8s:"))
        {
            let runs_ai = a.properties["inference"] == true
                || r.edges
                    .iter()
                    .any(|e| e.from == a.id && e.kind == EdgeKind::Runs);
            if !runs_ai {
                continue;
            }
            if a.properties["public"] == true {
                bad.push(format!("{} runs AI code and is publicly exposed", a.name));
            }
            if a.properties["network_policy"] != true {
                bad.push(format!(
                    "{} runs AI code and no NetworkPolicy restricts who calls it",
                    a.name
                ));
            }
        }
        for a in ai.iter().filter(|a| a.kind == AssetKind::McpServer) {
            let caps: Vec<&str> = a.properties["capabilities"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if caps
                .iter()
                .any(|c| matches!(*c, "file-write" | "sql" | "shell"))
            {
                bad.push(format!(
                    "{} gives the model {} ({})",
                    a.name,
                    caps.join(", "),
                    at(a)
                ));
            }
        }
        verdicts.push(if !bad.is_empty() {
            (Some(false), bad)
        } else if ai.is_empty() {
            (None, vec!["no AI system found".into()])
        } else {
            (None, vec!["no public or unrestricted AI workload seen; who may call them is decided outside the repository".into()])
        });
    }

    // 9. Keys.
    {
        let hard: Vec<String> = ai
            .iter()
            .filter(|a| a.properties["key"]["from"] == "hard-coded")
            .map(|a| format!("{} has a hard-coded key ({})", a.name, at(a)))
            .collect();
        let managed: Vec<String> = ai
            .iter()
            .filter(|a| {
                matches!(
                    a.properties["key"]["from"].as_str(),
                    Some("env" | "sdk-default" | "secret-manager" | "cloud-identity")
                )
            })
            .map(|a| {
                format!(
                    "{}: key from {}",
                    a.name,
                    a.properties["key"]["from"].as_str().unwrap_or("")
                )
            })
            .collect();
        verdicts.push(if !hard.is_empty() {
            (Some(false), hard)
        } else if managed.is_empty() {
            (None, vec!["no AI client key seen".into()])
        } else {
            let mut ev = managed;
            ev.push("rotation cannot be seen in a repository".into());
            (None, ev)
        });
    }

    // 10. Incident response.
    {
        let plans: Vec<String> = sightings(r, "ir-plan")
            .map(|(p, l)| format!("{p}:{l} plans incident response for AI systems"))
            .collect();
        verdicts.push(if plans.is_empty() {
            (
                None,
                vec!["no incident response document that mentions AI systems".into()],
            )
        } else {
            (Some(true), plans)
        });
    }

    let configured = |key: &str| -> Option<bool> {
        match key {
            "inventory" => answers.inventory,
            "least_privilege" => answers.least_privilege,
            "data_sources" => answers.data_sources,
            "runtime_monitoring" => answers.runtime_monitoring,
            "exposure" => answers.exposure,
            "cloud_monitoring" => answers.cloud_monitoring,
            "model_validation" => answers.model_validation,
            "access_restricted" => answers.access_restricted,
            "key_management" => answers.key_management,
            "incident_response" => answers.incident_response,
            _ => None,
        }
    };
    let mut questions = Vec::new();
    for (i, ((key, question, fix), (verdict, mut evidence))) in
        QUESTIONS.iter().zip(verdicts).enumerate()
    {
        let told = configured(key);
        let (answer, source) = match (verdict, told) {
            // What the repository shows to be missing stays "no" whatever the config says.
            (Some(false), Some(true)) => {
                evidence.push(format!(
                    "[ai.assess] {key} = true is overridden by the evidence above"
                ));
                (false, "evidence")
            }
            (Some(false), _) => (false, "evidence"),
            (_, Some(t)) => {
                evidence.push(format!("[ai.assess] {key} = {t}"));
                (t, "warden.toml")
            }
            (Some(true), None) => (true, "evidence"),
            (None, None) => {
                evidence.push(format!(
                    "answer it with `{key} = true|false` under [ai.assess] in warden.toml"
                ));
                questions.push(Answer {
                    id: i as u8 + 1,
                    key,
                    question,
                    answer: "unknown",
                    source: "unanswered",
                    evidence,
                    fix: Some(fix),
                });
                continue;
            }
        };
        questions.push(Answer {
            id: i as u8 + 1,
            key,
            question,
            answer: if answer { "yes" } else { "no" },
            source,
            evidence,
            fix: (!answer).then_some(*fix),
        });
    }
    let score = questions.iter().filter(|q| q.answer != "yes").count() as u32 * 10;
    Assessment {
        assess_version: "1",
        questions,
        score,
        level: level(score),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(level(0), "advanced");
        assert_eq!(level(10), "advanced");
        assert_eq!(level(20), "moderate");
        assert_eq!(level(30), "high");
    }
}
