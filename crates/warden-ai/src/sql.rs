//! The tables and columns an SQL string in code reads or writes, for data sets beside AI assets. Written by
//! hand over a few statement shapes, not a full SQL parser: a string counts only when it has the shape of a
//! statement (`SELECT … FROM t`, `INSERT INTO t`, `UPDATE t SET`, `DELETE FROM t`, `WITH x AS (`), so prose that
//! starts with "Select" or "Update" (docstrings, messages) is not read as SQL.

use regex::Regex;
use std::sync::OnceLock;

/// What one SQL string touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlUse {
    pub tables: Vec<String>,
    /// The columns a `SELECT` lists (`*` and expressions left out).
    pub columns: Vec<String>,
}

struct Res {
    shape: Regex,
    tables: Regex,
    columns: Regex,
}

fn res() -> &'static Res {
    static R: OnceLock<Res> = OnceLock::new();
    R.get_or_init(|| Res {
        shape: Regex::new(
            r"(?is)^\s*(?:select\s.+?\sfrom\s+[A-Za-z_`\x22\[]|insert\s+into\s+[A-Za-z_`\x22\[]|update\s+[A-Za-z_`\x22\[][\w.`\x22\]]*\s+set\s|delete\s+from\s+[A-Za-z_`\x22\[]|with\s+(?:recursive\s+)?\w+\s+as\s*\()",
        )
        .expect("re"),
        tables: Regex::new(r"(?i)\b(?:from|join|into|update)\s+[`\x22\[]?([A-Za-z_][\w.]*)").expect("re"),
        columns: Regex::new(r"(?is)^\s*select\s+(?:distinct\s+)?(.+?)\s+from\s").expect("re"),
    })
}

/// Words that follow FROM/JOIN/INTO in prose, never table names worth listing.
const NOT_TABLES: &[&str] = &[
    "the", "a", "an", "any", "this", "that", "these", "those", "which", "each", "all", "our",
    "your", "their", "its", "his", "her", "my", "select", "values", "set", "where", "lateral",
    "unnest", "dual",
];

/// The tables and columns of `s`, when it has the shape of an SQL statement.
pub fn parse(s: &str) -> Option<SqlUse> {
    if s.len() > 20_000 {
        return None;
    }
    let r = res();
    if !r.shape.is_match(s) {
        return None;
    }
    let mut tables: Vec<String> = Vec::new();
    for c in r.tables.captures_iter(s) {
        let t = c[1].trim_end_matches('.').to_string();
        if NOT_TABLES.contains(&t.to_ascii_lowercase().as_str()) || tables.contains(&t) {
            continue;
        }
        tables.push(t);
    }
    if tables.is_empty() {
        return None;
    }
    let columns = r
        .columns
        .captures(s)
        .map(|c| {
            c[1].split(',')
                .map(|x| {
                    let x = x.trim();
                    let x = x.rsplit([' ', '.']).next().unwrap_or(x);
                    x.trim_matches(|c: char| c == '"' || c == '`' || c == '[' || c == ']')
                        .to_string()
                })
                .filter(|x| {
                    !x.is_empty()
                        && x != "*"
                        && x.len() < 64
                        && x.chars().all(|c| c.is_alphanumeric() || c == '_')
                })
                .collect()
        })
        .unwrap_or_default();
    Some(SqlUse { tables, columns })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_and_prose() {
        let q =
            parse("SELECT id, full_name, c.email FROM customers c JOIN orders o ON o.cid = c.id")
                .unwrap();
        assert_eq!(q.tables, ["customers", "orders"]);
        assert_eq!(q.columns, ["id", "full_name", "email"]);
        assert_eq!(
            parse("INSERT INTO audit_log (a) VALUES (1)")
                .unwrap()
                .tables,
            ["audit_log"]
        );
        assert_eq!(
            parse("update users set name = 'x'").unwrap().tables,
            ["users"]
        );
        assert_eq!(
            parse("DELETE FROM sessions WHERE id = 1").unwrap().tables,
            ["sessions"]
        );
        assert!(parse("Select an example from the dataset to continue.").is_none());
        assert!(parse("Update the index from any source").is_none());
        assert!(parse("With this option the model reads from a file").is_none());
        assert!(parse("select").is_none());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "(?s).{0,200}") {
            let _ = parse(&s);
        }
    }
}
