//! AI services in Terraform (SageMaker, Bedrock, Vertex AI, Azure OpenAI and Azure ML) and the IAM around
//! them, parsed with hcl-edit. Each resource becomes a sighting with the resources it references; the
//! cross-domain phase follows those references across files (endpoint → configuration → model → role →
//! attached policies).

use crate::sighting::Sighting;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span;
use regex::Regex;
use serde_json::{json, Value};
use std::sync::OnceLock;

/// Resource types that are AI services, with their display name and whether they are the service itself
/// (listed in the inventory) rather than a part of one (followed for references only).
const AI_TYPES: &[(&str, &str, bool)] = &[
    ("aws_sagemaker_endpoint", "SageMaker endpoint", true),
    (
        "aws_sagemaker_endpoint_configuration",
        "SageMaker endpoint configuration",
        false,
    ),
    ("aws_sagemaker_model", "SageMaker model", false),
    (
        "aws_sagemaker_notebook_instance",
        "SageMaker notebook",
        true,
    ),
    ("aws_sagemaker_domain", "SageMaker domain", true),
    ("aws_bedrockagent_agent", "Bedrock agent", true),
    (
        "aws_bedrockagent_knowledge_base",
        "Bedrock knowledge base",
        true,
    ),
    ("aws_bedrock_custom_model", "Bedrock custom model", true),
    (
        "aws_bedrock_provisioned_model_throughput",
        "Bedrock provisioned throughput",
        true,
    ),
    ("google_vertex_ai_endpoint", "Vertex AI endpoint", true),
    (
        "google_vertex_ai_index_endpoint",
        "Vertex AI index endpoint",
        true,
    ),
    ("google_vertex_ai_index", "Vertex AI vector index", true),
    ("google_vertex_ai_dataset", "Vertex AI data set", true),
    (
        "google_vertex_ai_featurestore",
        "Vertex AI feature store",
        true,
    ),
    ("google_workbench_instance", "Vertex AI Workbench", true),
    ("google_notebooks_instance", "Vertex AI notebook", true),
    (
        "azurerm_cognitive_account",
        "Azure AI services account",
        true,
    ),
    (
        "azurerm_cognitive_deployment",
        "Azure OpenAI deployment",
        false,
    ),
    (
        "azurerm_machine_learning_workspace",
        "Azure ML workspace",
        true,
    ),
    (
        "azurerm_machine_learning_compute_instance",
        "Azure ML compute instance",
        true,
    ),
    (
        "azurerm_machine_learning_inference_cluster",
        "Azure ML inference cluster",
        true,
    ),
];

/// IAM resources followed to find a service's permissions.
const IAM_TYPES: &[&str] = &[
    "aws_iam_role",
    "aws_iam_role_policy_attachment",
    "aws_iam_role_policy",
    "aws_iam_policy",
];

/// Resources that switch on a cloud provider's monitoring of AI services (for the self-assessment).
pub const MONITOR_TYPES: &[&str] = &[
    "aws_bedrock_model_invocation_logging_configuration",
    "aws_sagemaker_model_quality_job_definition",
    "aws_sagemaker_data_quality_job_definition",
    "aws_sagemaker_monitoring_schedule",
    "azurerm_monitor_diagnostic_setting",
    "google_vertex_ai_model_deployment_monitoring_job",
];

/// Nested blocks that turn on request/response capture or logging on the service itself.
pub const MONITOR_BLOCKS: &[&str] = &[
    "data_capture_config",
    "predict_request_response_logging_config",
    "logging_config",
];

/// Attributes kept (raw, trimmed) for the risk assessment; never values that could hold secrets.
const KEPT: &[&str] = &[
    "name",
    "kind",
    "model_data_url",
    "image",
    "instance_type",
    "direct_internet_access",
    "root_access",
    "public_network_access_enabled",
    "public_network_access",
    "local_auth_enabled",
    "foundation_model",
    "policy_arn",
    "managed_policy_arns",
    "role",
    "execution_role_arn",
    "agent_resource_role_arn",
    "role_arn",
    "enable_private_service_connect",
    "network",
    "model_name",
];

fn ref_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"\b((?:aws|google|azurerm)_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)").expect("re")
    })
}

struct Lines<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl Lines<'_> {
    fn line(&self, off: usize) -> u32 {
        self.starts.partition_point(|&s| s <= off) as u32
    }
}

pub fn scan(src: &str) -> Result<Vec<Sighting>, String> {
    if !(src.contains("aws_") || src.contains("google_") || src.contains("azurerm_")) {
        return Ok(vec![]);
    }
    let body = hcl_edit::parser::parse_body(src).map_err(|e| {
        let loc = e.location();
        format!(
            "invalid HCL at line {}:{}: {}",
            loc.line(),
            loc.column(),
            e.message()
        )
    })?;
    let lines = Lines {
        src,
        starts: std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1))
            .collect(),
    };
    let mut out = Vec::new();
    for st in body.iter() {
        let Structure::Block(b) = st else { continue };
        if b.ident.as_str() != "resource" || b.labels.len() < 2 {
            continue;
        }
        let ty = b.labels[0].as_str().to_string();
        let name = b.labels[1].as_str().to_string();
        let ai = AI_TYPES.iter().find(|(t, _, _)| *t == ty);
        let monitor = MONITOR_TYPES.contains(&ty.as_str());
        if ai.is_none() && !monitor && !IAM_TYPES.contains(&ty.as_str()) {
            continue;
        }
        let span = b.span().unwrap_or(0..0);
        let mut attrs = serde_json::Map::new();
        let mut refs = Vec::new();
        let mut wildcard = false;
        collect(&b.body, &lines, &mut attrs, &mut refs, &mut wildcard, 0);
        let blocks: Vec<&str> = b
            .body
            .iter()
            .filter_map(|st| match st {
                Structure::Block(x) if MONITOR_BLOCKS.contains(&x.ident.as_str()) => {
                    Some(x.ident.as_str())
                }
                _ => None,
            })
            .collect();
        refs.sort();
        refs.dedup();
        refs.retain(|r| r != &format!("{ty}.{name}"));
        let mut s = Sighting {
            kind: if ai.is_some() {
                "ai-service"
            } else if monitor {
                "monitor"
            } else {
                "iam"
            }
            .into(),
            name: match ai {
                Some((_, label, _)) => format!("{label} {name}"),
                None => format!("{ty}.{name}"),
            },
            line: lines.line(span.start),
            end_line: lines.line(span.end.saturating_sub(1)),
            provider: Some(
                match ty.split('_').next().unwrap_or("") {
                    "aws" => "AWS",
                    "google" => "Google Cloud",
                    _ => "Azure",
                }
                .into(),
            ),
            ..Default::default()
        };
        s.extra
            .insert("resource".into(), format!("{ty}.{name}").into());
        s.extra.insert("type".into(), ty.clone().into());
        s.extra
            .insert("primary".into(), ai.is_some_and(|a| a.2).into());
        s.extra.insert("attributes".into(), Value::Object(attrs));
        s.extra.insert("refs".into(), json!(refs));
        if wildcard {
            s.extra.insert("wildcard_policy".into(), true.into());
        }
        if !blocks.is_empty() {
            s.extra.insert("monitoring".into(), json!(blocks));
        }
        out.push(s);
    }
    let _ = lines.src;
    Ok(out)
}

fn collect(
    body: &Body,
    lines: &Lines,
    attrs: &mut serde_json::Map<String, Value>,
    refs: &mut Vec<String>,
    wildcard: &mut bool,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    for st in body.iter() {
        match st {
            Structure::Attribute(a) => {
                let key = a.key.as_str();
                let raw = a
                    .value
                    .span()
                    .and_then(|r| lines.src.get(r))
                    .unwrap_or("")
                    .trim();
                for c in ref_re().captures_iter(raw) {
                    refs.push(format!("{}.{}", &c[1], &c[2]));
                }
                if key == "policy" && (raw.contains("\"*\"") || raw.contains(":*\"")) {
                    *wildcard = true;
                }
                if KEPT.contains(&key) && !attrs.contains_key(key) {
                    let v = match &a.value {
                        Expression::String(s) => Value::String(s.value().to_string()),
                        Expression::Bool(b) => Value::Bool(*b.value()),
                        _ => Value::String(raw.chars().take(200).collect()),
                    };
                    attrs.insert(key.to_string(), v);
                }
            }
            Structure::Block(b) => collect(&b.body, lines, attrs, refs, wildcard, depth + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sagemaker_endpoint_and_its_role_attachment() {
        let s = scan(
            r#"resource "aws_sagemaker_model" "m" {
  execution_role_arn = aws_iam_role.r.arn
  primary_container { model_data_url = "s3://b/model.tar.gz" }
}
resource "aws_iam_role_policy_attachment" "a" {
  role       = aws_iam_role.r.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
}
resource "aws_s3_bucket" "other" {}
"#,
        )
        .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].kind, "ai-service");
        assert_eq!(s[0].extra["refs"], json!(["aws_iam_role.r"]));
        assert_eq!(
            s[0].extra["attributes"]["model_data_url"],
            "s3://b/model.tar.gz"
        );
        assert_eq!((s[0].line, s[0].end_line), (1, 4));
        assert_eq!(s[1].kind, "iam");
    }

    #[test]
    fn broken_hcl_is_an_error_not_a_panic() {
        assert!(scan("resource \"aws_sagemaker_model\" {").is_err());
    }
}
