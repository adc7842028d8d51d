//! One credential, one finding: an AWS access key id beside its secret access key (or a service-account key id
//! beside its private key) is folded into the secret's finding as a related location, and the pair's lifetime
//! comes from the id (`ASIA`: short-lived).

use warden_core::{Config, RelatedKind};
use warden_secrets::SecretsAnalyzer;

fn key_id() -> String {
    format!("AKIA{}", "Z3KQ7RMW5VXN2TPB")
}
fn sts_id() -> String {
    format!("ASIA{}", "Z3KQ7RMW5VXN2TPB")
}
fn secret() -> String {
    format!("{}{}", "h3Kd9PqZ2mVx7LtR4nWb8YcF1sGj", "6TeA0uXo5NiQ")
}

#[test]
fn an_aws_key_pair_is_one_finding() {
    let a = SecretsAnalyzer::new(&Config::default()).unwrap();
    let text = format!(
        "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n[other]\nregion = eu-west-1\n",
        key_id(),
        secret()
    );
    let found = a.scan("credentials", text.as_bytes());
    assert_eq!(found.len(), 1, "{found:#?}");
    let sec = &found[0];
    assert_eq!(sec.location.start_line, 3);
    assert_eq!(sec.related.len(), 1);
    assert_eq!(sec.related[0].kind, RelatedKind::Context);
    assert_eq!(sec.related[0].location.start_line, 2);
    assert!(
        sec.related[0].message.contains("AKIA"),
        "{}",
        sec.related[0].message
    );
    assert!(
        !sec.related[0].message.contains(&key_id()),
        "the id is redacted"
    );
    assert!(sec.tags.contains(&"pair:complete".to_string()));
    assert_eq!(sec.ext["secrets"]["lifetime"], "long-lived");
}

#[test]
fn the_lifetime_comes_from_the_key_id() {
    let a = SecretsAnalyzer::new(&Config::default()).unwrap();
    let text = format!(
        "AWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={}\n",
        sts_id(),
        secret()
    );
    let found = a.scan(".env", text.as_bytes());
    assert_eq!(found.len(), 1, "{found:#?}");
    let sec = &found[0];
    assert_eq!(sec.ext["secrets"]["lifetime"], "short-lived", "{sec:#?}");
    assert!(
        sec.message.contains("short-lived credential"),
        "{}",
        sec.message
    );
    assert_ne!(sec.rule_id, "secrets/aws-sts-access-key-id");
}

#[test]
fn a_lone_half_is_itself_and_each_secret_finds_its_nearest_id() {
    let a = SecretsAnalyzer::new(&Config::default()).unwrap();
    let lone = format!("AWS_ACCESS_KEY_ID={}\n", key_id());
    let found = a.scan(".env", lone.as_bytes());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule_id, "secrets/aws-access-key-id");
    assert!(found[0].related.is_empty());

    let other_id = format!("AKIA{}", "M4WQ2TPB7XRZ5NKV");
    let other_secret = format!("{}{}", "Q8mZr2Lx7Tn4Vb9Kc1Pd6Wf3Hs5J", "g0Ya2Ue8Io4R");
    let two = format!(
        "AWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={}\n\n\n\nAWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={}\n",
        key_id(),
        secret(),
        other_id,
        other_secret
    );
    let found = a.scan(".env", two.as_bytes());
    assert_eq!(found.len(), 2, "{found:#?}");
    for f in &found {
        assert!(!f.rule_id.ends_with("access-key-id"), "{}", f.rule_id);
        assert_eq!(f.related[0].location.start_line, f.location.start_line - 1);
    }
}

#[test]
fn a_service_account_file_is_one_finding() {
    let a = SecretsAnalyzer::new(&Config::default()).unwrap();
    let body: String = (0..16)
        .map(|i| format!("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC{i:02}Kq9vR2mT7xLp4ZwB3nYc\\n"))
        .collect();
    let text = format!(
        "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"acme-prod\",\n  \"private_key_id\": \"3f2a9c1b7e4d5a6b8c9d0e1f2a3b4c5d6e7f8a9b\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{body}-----END PRIVATE KEY-----\\n\",\n  \"client_email\": \"ci@acme-prod.iam.gserviceaccount.com\"\n}}\n"
    );
    let found = a.scan("sa.json", text.as_bytes());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].rule_id, "secrets/gcp-service-account-private-key");
    assert_eq!(found[0].related[0].location.start_line, 4);
}

#[test]
fn a_sas_past_its_expiry_is_reported_as_expired_and_a_live_one_is_not() {
    let a = warden_secrets::SecretsAnalyzer::new(&warden_core::Config::default()).unwrap();
    let url = |se: &str| {
        format!(
            "BACKUP_URL=\"https://acmebackups.blob.core.windows.net/db?sv=2022-11-02&sp=r&se={se}&spr=https&sig=WbsoKzw0f0nTVBMKjeEeYZ%2FDQMVUS6AgsM4Y8x2LpIE%3D\"\n"
        )
    };
    let old = a.scan("deploy.env", url("2023-12-20T22:54:52Z").as_bytes());
    assert_eq!(old.len(), 1);
    assert!(
        old[0].tags.iter().any(|t| t == "expired"),
        "{:?}",
        old[0].tags
    );
    assert_eq!(old[0].confidence, warden_core::Confidence::Low);
    assert!(
        old[0].message.contains("expired on 2023-12-20"),
        "{}",
        old[0].message
    );
    assert_eq!(old[0].ext["secrets"]["expired_on"], "2023-12-20");
    let live = a.scan("deploy.env", url("2099-01-01T00:00:00Z").as_bytes());
    assert_eq!(live.len(), 1);
    assert!(!live[0].tags.iter().any(|t| t == "expired"));
    assert_eq!(live[0].confidence, warden_core::Confidence::High);
}
