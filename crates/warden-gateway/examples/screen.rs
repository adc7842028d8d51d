//! Screens each string of a JSON array read from stdin and prints one JSON line per string: the injection rules
//! and personal-data rules that fired. Used by `bench/gateway/accuracy.py`.
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
    for t in &texts {
        let inj: Vec<&str> = warden_gateway::injection::scan(t)
            .iter()
            .map(|h| h.rule)
            .collect();
        let pii: Vec<&str> = warden_gateway::pii::find(t)
            .iter()
            .map(|h| h.rule)
            .collect();
        println!("{}", serde_json::json!({"injection": inj, "pii": pii}));
    }
}
