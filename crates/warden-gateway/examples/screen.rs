//! Screens each string of a JSON array read from stdin and prints one JSON line per string: the injection rules
//! that fired, and the credentials and personal data found, each with its rule and the text it matched (these
//! are the accuracy set's own synthetic values). Used by `bench/gateway/accuracy.py` and
//! `bench/gateway/traffic.py`.
use std::io::Read;

fn main() {
    let mut input = String::new();
    if std::io::stdin().read_to_string(&mut input).is_err() {
        eprintln!("screen: cannot read stdin");
        std::process::exit(2);
    }
    let texts: Vec<String> = match serde_json::from_str(&input) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("screen: stdin is not a JSON array of strings: {e}");
            std::process::exit(2);
        }
    };
    let secrets = match warden_secrets::SecretsAnalyzer::new(&warden_core::Config::default()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("screen: {e}");
            std::process::exit(2);
        }
    };
    for t in &texts {
        let hits = warden_gateway::injection::scan(t);
        let inj: Vec<&str> = hits.iter().map(|h| h.rule).collect();
        let inj_matched: Vec<&str> = hits.iter().map(|h| h.matched.as_str()).collect();
        let pii: Vec<&str> = warden_gateway::pii::find(t)
            .iter()
            .map(|h| h.rule)
            .collect();
        let pii_spans: Vec<serde_json::Value> = warden_gateway::pii::find(t)
            .iter()
            .map(|h| serde_json::json!({"rule": h.rule, "text": t.get(h.start..h.end).unwrap_or("")}))
            .collect();
        let secret_spans: Vec<serde_json::Value> = secrets
            .spans(t.as_bytes())
            .into_iter()
            .map(|(rule, r)| serde_json::json!({"rule": rule, "text": t.get(r).unwrap_or("")}))
            .collect();
        println!(
            "{}",
            serde_json::json!({"injection": inj, "injection_matched": inj_matched, "pii": pii, "pii_spans": pii_spans, "secrets": secret_spans})
        );
    }
}
