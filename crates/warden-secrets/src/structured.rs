//! Files read as structures rather than lines, where the structure says which values are secrets.
//!
//! Terraform state (`*.tfstate`) is JSON that Terraform writes with every attribute of every resource,
//! secrets included in plain text: `random_password` results, IAM access key secrets, database master
//! passwords, private keys, and outputs marked `sensitive`. Which values are secret is told by the state
//! itself (each instance's `sensitive_attributes`, each output's `sensitive`) and by the resource type;
//! a line-based rule cannot tell `random_password.result` from `random_pet.result`.

use serde_json::Value;
use std::ops::Range;

/// Whether `path` is a Terraform state file.
pub fn is_tfstate(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".tfstate") || name.ends_with(".tfstate.backup")
}

/// Attribute names that hold a secret in any resource.
const SECRET_ATTRIBUTES: &[&str] = &[
    "password",
    "master_password",
    "admin_password",
    "administrator_login_password",
    "root_password",
    "secret",
    "client_secret",
    "secret_key",
    "access_key",
    "primary_access_key",
    "secondary_access_key",
    "primary_connection_string",
    "secondary_connection_string",
    "primary_key",
    "secondary_key",
    "private_key",
    "private_key_pem",
    "private_key_openssh",
    "private_key_pkcs8",
    "token",
    "api_key",
    "auth_token",
    "ses_smtp_password_v4",
    "plaintext_value",
    "value_wo",
];

/// Resource types whose attribute of this name is the secret even though the name says nothing.
const TYPE_ATTRIBUTES: &[(&str, &str)] = &[
    ("random_password", "result"),
    ("random_password", "bcrypt_hash"),
    ("azuread_application_password", "value"),
    ("azuread_service_principal_password", "value"),
    ("google_service_account_key", "private_key"),
    ("aws_iam_user_login_profile", "encrypted_password"),
];

/// Byte ranges (inside the quotes) of the secret string values of a Terraform state, in the order found.
pub fn tfstate_secrets(text: &[u8]) -> Vec<Range<usize>> {
    let Ok(state) = serde_json::from_slice::<Value>(text) else {
        return Vec::new();
    };
    let mut values: Vec<&str> = Vec::new();
    if let Some(outputs) = state.get("outputs").and_then(Value::as_object) {
        for o in outputs.values() {
            if o.get("sensitive").and_then(Value::as_bool) == Some(true) {
                collect_strings(o.get("value"), &mut values);
            }
        }
    }
    for r in state
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let ty = r.get("type").and_then(Value::as_str).unwrap_or("");
        for inst in r
            .get("instances")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(attrs) = inst.get("attributes").and_then(Value::as_object) else {
                continue;
            };
            // Terraform ≥ 0.15 lists the paths of sensitive attributes: [[{"type":"get_attr","value":"password"}]].
            let mut sensitive: Vec<&str> = inst
                .get("sensitive_attributes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|path| path.as_array()?.first()?.get("value")?.as_str())
                .collect();
            sensitive.extend(
                TYPE_ATTRIBUTES
                    .iter()
                    .filter(|(t, _)| *t == ty)
                    .map(|(_, a)| *a),
            );
            for (name, v) in attrs {
                if sensitive.contains(&name.as_str()) || SECRET_ATTRIBUTES.contains(&name.as_str())
                {
                    collect_strings(Some(v), &mut values);
                }
            }
        }
    }
    locate(text, &values)
}

fn collect_strings<'a>(v: Option<&'a Value>, out: &mut Vec<&'a str>) {
    match v {
        Some(Value::String(s)) if s.len() >= 6 => out.push(s),
        Some(Value::Object(m)) => m.values().for_each(|v| collect_strings(Some(v), out)),
        Some(Value::Array(a)) => a.iter().for_each(|v| collect_strings(Some(v), out)),
        _ => {}
    }
}

/// Where each value's JSON string literal sits in the text (Terraform writes `<`, `>` and `&` as `\u003c`,
/// `\u003e`, `\u0026`, as Go's encoder does); the same value twice is found twice.
fn locate(text: &[u8], values: &[&str]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut used: Vec<usize> = Vec::new();
    for v in values {
        let Ok(plain) = serde_json::to_string(v) else {
            continue;
        };
        let go = plain
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026");
        for literal in [plain.as_bytes(), go.as_bytes()] {
            let found = memchr::memmem::find_iter(text, literal).find(|at| !used.contains(at));
            if let Some(at) = found {
                used.push(at);
                out.push(at + 1..at + literal.len() - 1);
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_by_structure_not_by_name_alone() {
        let state = br#"{
  "version": 4,
  "outputs": {
    "db_password": {"value": "Hn4kQ8vR2mT7xLp4", "type": "string", "sensitive": true},
    "bucket": {"value": "acme-logs-2024", "type": "string"}
  },
  "resources": [
    {"type": "random_password", "name": "db", "instances": [{"attributes": {"result": "Zq8<vR2mT7xLp4KwB9nYc", "length": 20}}]},
    {"type": "random_pet", "name": "x", "instances": [{"attributes": {"result": "happy-dog-named-rex", "note": "warden:ignore[generic-secret-assignment] on the next line"}}]},
    {"type": "aws_db_instance", "name": "main", "instances": [{"attributes": {"password": "Mp9vR2mT7xLp", "engine": "postgres"},
      "sensitive_attributes": [[{"type": "get_attr", "value": "password"}]]}]},
    {"type": "custom_thing", "name": "t", "instances": [{"attributes": {"opaque": "Wq2kR8vT5mZ9"},
      "sensitive_attributes": [[{"type": "get_attr", "value": "opaque"}]]}]}
  ]
}"#;
        // Terraform's encoder escapes `<`.
        let text = String::from_utf8_lossy(state).replace("Zq8<", "Zq8\\u003c");
        let found: Vec<&str> = tfstate_secrets(text.as_bytes())
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert!(found.contains(&"Hn4kQ8vR2mT7xLp4"), "{found:?}");
        assert!(found.contains(&"Zq8\\u003cvR2mT7xLp4KwB9nYc"), "{found:?}");
        assert!(found.contains(&"Mp9vR2mT7xLp"), "{found:?}");
        assert!(found.contains(&"Wq2kR8vT5mZ9"), "{found:?}");
        assert!(
            !found
                .iter()
                .any(|v| v.contains("happy") || v.contains("acme-logs")),
            "{found:?}"
        );
        assert!(tfstate_secrets(b"not json").is_empty());
        assert!(is_tfstate("infra/prod/terraform.tfstate"));
        assert!(is_tfstate("terraform.tfstate.backup"));
        assert!(!is_tfstate("main.tf"));
    }
}
