//! Files whose format exists to store credentials: a weak password there is reported (the format is the
//! evidence), at medium confidence and tagged `password:weak`; the same weak value under a secret-named
//! variable in ordinary code stays filtered.

use warden_core::{Confidence, Config};
use warden_secrets::SecretsAnalyzer;

#[test]
fn weak_stored_passwords_are_reported_as_such() {
    let a = SecretsAnalyzer::new(&Config::default()).unwrap();
    let netrc = a.scan(
        ".netrc",
        b"machine ftp.acme.internal login backup password pass123\n",
    );
    assert_eq!(netrc.len(), 1, "{netrc:?}");
    assert_eq!(netrc[0].rule_id, "secrets/netrc-password");
    assert_eq!(netrc[0].confidence, Confidence::Medium);
    assert!(netrc[0].tags.iter().any(|t| t == "password:weak"));

    let strong = a.scan(
        ".netrc",
        b"machine ftp.acme.internal login backup password Qv8rT2mX9kLp4Zw\n",
    );
    assert_eq!(strong[0].confidence, Confidence::High);
    assert!(!strong[0].tags.iter().any(|t| t == "password:weak"));

    // A hash is its own finding, low severity.
    let ht = a.scan(
        "nginx/.htpasswd",
        b"admin:$apr1$Kq9vR2mT$0CZf7gh1RtK3pW9xQeL4b/\n",
    );
    assert_eq!(ht.len(), 1, "{ht:?}");
    assert_eq!(ht[0].rule_id, "secrets/password-hash-file");
    assert_eq!(ht[0].severity, warden_core::Severity::Low);

    // References and placeholders stay silent even in credential files.
    for (path, text) in [
        (
            ".git-credentials",
            "https://ci:${GIT_TOKEN}@git.acme.internal\n",
        ),
        (".my.cnf", "[client]\npassword=$MYSQL_PWD\n"),
        (".netrc", "machine host login u password <password>\n"),
        (".netrc", "machine host login u password password\n"),
        (".pgpass", "db.acme.internal:5432:*:app:secret\n"),
    ] {
        assert!(a.scan(path, text.as_bytes()).is_empty(), "{path}");
    }

    // The same weak value in ordinary code is not evidence of anything.
    assert!(a
        .scan("app/settings.py", b"password = \"pass123\"\n")
        .is_empty());
}

#[test]
fn terraform_state_is_read_as_a_structure() {
    let a = SecretsAnalyzer::new(&Config::default()).unwrap();
    let state = br#"{
  "version": 4,
  "resources": [
    {
      "type": "aws_iam_access_key",
      "name": "ci",
      "instances": [
        {
          "attributes": {
            "secret": "wJalrXUtnFEMIzK7MDENGbPxRfiCYzQ8vR2mT7xQ",
            "user": "ci"
          }
        }
      ]
    },
    {"type": "random_pet", "name": "p", "instances": [{"attributes": {"result": "happy-dog-named-rex"}}]}
  ]
}"#;
    let found = a.scan("infra/terraform.tfstate", state);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].rule_id, "secrets/terraform-state-secret");
    assert_eq!(found[0].location.start_line, 10);
    // The same JSON under another name is ordinary text.
    assert!(a
        .scan("notes.json", state)
        .iter()
        .all(|f| f.rule_id != "secrets/terraform-state-secret"));
}
