//! Credentials hidden behind an encoding are found, and point at the line of the encoded value.

use base64::Engine;
use warden_core::Config;
use warden_secrets::SecretsAnalyzer;

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn scan(path: &str, text: &str) -> Vec<(String, u32, Vec<String>)> {
    let a = SecretsAnalyzer::new(&Config::default()).unwrap();
    a.scan(path, text.as_bytes())
        .into_iter()
        .map(|f| (f.rule_id, f.location.start_line, f.tags))
        .collect()
}

const PAT: &str = concat!("ghp_", "R8b2Kc9dLm3Np4Qr5St6Uv7Wx8Yz9Ab0Cd1E");

#[test]
fn kubernetes_secret_data_is_decoded() {
    let text = format!(
        "apiVersion: v1\nkind: Secret\ntype: Opaque\ndata:\n  GITHUB_TOKEN: {}\n",
        b64(PAT)
    );
    let found = scan("deploy/secret.yaml", &text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "secrets/github-classic-pat");
    assert_eq!(found[0].1, 5);
    assert!(found[0].2.contains(&"decoded:base64".to_string()));
}

#[test]
fn dockerconfigjson_inside_a_secret_is_decoded_twice() {
    let inner = format!(
        r#"{{"auths":{{"registry.acme.io":{{"auth":"{}"}}}}}}"#,
        b64(&format!("deploy:{PAT}"))
    );
    let text = format!(
        "kind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n",
        b64(&inner)
    );
    let found = scan("pull-secret.yaml", &text);
    let rules: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert!(rules.contains(&"secrets/docker-registry-auth"), "{found:?}");
    assert!(rules.contains(&"secrets/github-classic-pat"), "{found:?}");
    assert!(found.iter().all(|f| f.1 == 4));
}

#[test]
fn notebook_json_escapes_are_decoded() {
    let key = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\\n-----END PRIVATE KEY-----\\n";
    let text = format!("{{\n \"cells\": [\n  {{\"source\": [\"KEY = \\\"{key}\\\"\"]}}\n ]\n}}\n");
    let found = scan("analysis.ipynb", &text);
    assert_eq!(
        found
            .iter()
            .filter(|f| f.0 == "secrets/private-key")
            .count(),
        1,
        "{found:?}"
    );
    assert_eq!(found[0].1, 3);
}

#[test]
fn url_encoded_values_are_decoded() {
    let text = format!("callback: https://hooks.acme.io/cb?next=%2Fhome%3Ftoken%3D{PAT}%26x%3D1\n");
    let found = scan("app.yaml", &text);
    assert!(
        found
            .iter()
            .any(|f| f.0 == "secrets/github-classic-pat" && f.1 == 1),
        "{found:?}"
    );
}

#[test]
fn decoys_stay_silent() {
    let text = r#"
OPENAI_API_KEY=<your-key>
OPENAI_API_KEY=sk-...
API_KEY=xxxxxxxxxxxxxxxxxxxxxxxx
DB_PASSWORD=${DB_PASSWORD}
api_key: "{{ .Values.apiKey }}"
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
commit_sha = "4f2a9c1b8e7d6f5a4b3c2d1e0f9a8b7c6d5e4f3a"
checksum_sha256 = "9f86d081884c7d659a2feb7ea8e1d9c86c5f0f2a3b4c5d6e7f8a9b0c1d2e3f4a"
request_id = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
"integrity": "sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+5bcBVN3X7y8mIqnTyXl1rlJ+RfsEEc01TfEdHg==",
public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOr7Gq2dVm4yB8x3Zk9oPzW1eRj4TnGh5LsA2uKdYw0c deploy@ci"
-----BEGIN CERTIFICATE-----
MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJRTESMBAGA1UE
-----END CERTIFICATE-----
password = get_password_from_vault()
token = request.headers.get("Authorization")
"#;
    let found = scan("settings.env", text);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_json_escaped_key_is_reported_once() {
    let body: String = (0..12)
        .map(|i| format!("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cK{i}\\n"))
        .collect();
    let text = format!(
        "{{\n  \"type\": \"service_account\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{body}-----END PRIVATE KEY-----\\n\",\n  \"client_email\": \"ci@acme.iam.gserviceaccount.com\"\n}}\n"
    );
    let found = scan("sa.json", &text);
    let on_key_line: Vec<_> = found.iter().filter(|f| f.1 == 3).collect();
    assert_eq!(on_key_line.len(), 1, "{found:?}");
}

#[test]
fn path_rules_apply_only_to_their_files() {
    let key = "232a5a798431007be0e5764187c0865d\n";
    let here = scan("services/shop/config/master.key", key);
    assert_eq!(
        here.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["secrets/rails-master-key"]
    );
    assert!(scan("notes/checksum.txt", key).is_empty());
    let pgpass = "db.acme.internal:5432:app:app:Zq81kLp0Xm2Vb7Rt\n";
    assert_eq!(scan(".pgpass", pgpass).len(), 1);
    assert!(scan("times.txt", pgpass).is_empty());
}
