//! Both halves of a credential in one file point at each other: an AWS access key id and its secret access key
//! are one story.

use warden_core::{Config, RelatedKind};
use warden_secrets::SecretsAnalyzer;

fn key_id() -> String {
    format!("AKIA{}", "Z3KQ7RMW5VXN2TPB")
}
fn secret() -> String {
    format!("{}{}", "h3Kd9PqZ2mVx7LtR4nWb8YcF1sGj", "6TeA0uXo5NiQ")
}

#[test]
fn the_halves_of_an_aws_key_link_to_each_other() {
    let a = SecretsAnalyzer::new(&Config::default()).unwrap();
    let text = format!(
        "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n[other]\nregion = eu-west-1\n",
        key_id(),
        secret()
    );
    let found = a.scan("credentials", text.as_bytes());
    let id = found
        .iter()
        .find(|f| f.rule_id == "secrets/aws-access-key-id")
        .expect("key id found");
    let sec = found
        .iter()
        .find(|f| f.rule_id != "secrets/aws-access-key-id")
        .expect("secret found");
    assert_eq!(id.related.len(), 1);
    assert_eq!(id.related[0].kind, RelatedKind::Context);
    assert_eq!(id.related[0].location.start_line, 3);
    assert!(id.related[0].message.contains("AWS"));
    assert_eq!(sec.related[0].location.start_line, 2);
    assert!(id.tags.contains(&"pair:complete".to_string()));
}

#[test]
fn a_lone_half_links_nowhere_and_each_id_finds_its_nearest_secret() {
    let a = SecretsAnalyzer::new(&Config::default()).unwrap();
    let lone = format!("AWS_ACCESS_KEY_ID={}\n", key_id());
    let found = a.scan(".env", lone.as_bytes());
    assert_eq!(found.len(), 1);
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
    for f in found
        .iter()
        .filter(|f| f.rule_id == "secrets/aws-access-key-id")
    {
        assert_eq!(f.related[0].location.start_line, f.location.start_line + 1);
    }
}
