//! The text edits behind `warden lsp`'s code actions, in terms of one line of the file and its language (from
//! the file name): an inline `warden:ignore[rule]` comment, and a hard-coded credential replaced by an
//! environment lookup. Pure functions over strings, so the tests check every language without an editor.

/// How a line comment is written in the file's language, as (opening, closing); `None` where the format has no
/// comments (JSON) or one we do not know, so that the edit never breaks the file.
pub fn line_comment(file: &str) -> Option<(&'static str, &'static str)> {
    let name = file.rsplit('/').next().unwrap_or(file);
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile" || lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") {
        return Some(("#", ""));
    }
    if lower == "makefile" || lower.starts_with(".env") || lower == "gemfile" || lower == "procfile"
    {
        return Some(("#", ""));
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e)?;
    Some(match ext {
        "py" | "pyi" | "rb" | "sh" | "bash" | "zsh" | "fish" | "yaml" | "yml" | "toml" | "tf"
        | "tfvars" | "hcl" | "r" | "pl" | "ps1" | "env" | "ini" | "cfg" | "conf" | "properties"
        | "nix" | "cmake" | "dockerignore" | "gitignore" | "ex" | "exs" | "jl" | "tcl" => ("#", ""),
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" | "go" | "rs" | "java"
        | "kt" | "kts" | "scala" | "swift" | "c" | "h" | "cc" | "cpp" | "hpp" | "cxx" | "cs"
        | "php" | "dart" | "groovy" | "gradle" | "proto" | "zig" | "jsonc" | "json5" => ("//", ""),
        "sql" | "lua" | "hs" | "elm" => ("--", ""),
        "html" | "htm" | "xml" | "md" | "markdown" | "vue" | "svelte" => ("<!--", " -->"),
        _ => return None,
    })
}

/// The text to append to `line` so that a finding of `rule` on it is ignored: ` # warden:ignore[rule]`
/// (in the file's comment syntax). `None` when the file has no comments we can write.
pub fn ignore_comment(file: &str, line: &str, rule: &str) -> Option<String> {
    let (open, close) = line_comment(file)?;
    let sep = if line.is_empty() || line.ends_with(' ') || line.ends_with('\t') {
        ""
    } else {
        " "
    };
    Some(format!("{sep}{open} warden:ignore[{rule}]{close}"))
}

/// A hard-coded credential replaced by an environment lookup: the byte range of the literal on the line
/// (quotes included) and the expression to put there, with an import to add at the top of the file when the
/// language needs one and the file lacks it.
#[derive(Debug, PartialEq, Eq)]
pub struct EnvLookup {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
    pub variable: String,
    /// A line to insert at the top of the file (`import os`), when it is needed.
    pub import: Option<String>,
}

/// The lookup for a credential spanning bytes `start..end` of `line` in `file` (whole text `text`), when the
/// span is exactly the content of a quoted string literal in a language whose environment lookup we know.
/// The variable is named after what the line assigns to (`API_KEY = "…"` → `API_KEY`), else after the rule.
pub fn env_lookup(
    file: &str,
    text: &str,
    line: &str,
    start: usize,
    end: usize,
    rule: &str,
) -> Option<EnvLookup> {
    if start == 0 || end >= line.len() || start >= end {
        return None;
    }
    let bytes = line.as_bytes();
    let quote = bytes[start - 1];
    if !matches!(quote, b'"' | b'\'' | b'`') || bytes[end] != quote {
        return None;
    }
    let variable = assigned_name(&line[..start - 1]).unwrap_or_else(|| rule_variable(rule));
    let ext = file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    let (replacement, import) = match ext.as_str() {
        "py" => {
            let imported = has_line(text, |l| {
                l == "import os" || l.starts_with("import os,") || l.starts_with("import os ")
            });
            (
                format!("os.environ[\"{variable}\"]"),
                (!imported).then(|| "import os".to_string()),
            )
        }
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" => {
            (format!("process.env.{variable}"), None)
        }
        "go" => (format!("os.Getenv(\"{variable}\")"), None),
        "rs" => (
            format!("std::env::var(\"{variable}\").unwrap_or_default()"),
            None,
        ),
        "java" | "kt" | "kts" | "scala" | "groovy" => {
            (format!("System.getenv(\"{variable}\")"), None)
        }
        "rb" => (format!("ENV.fetch(\"{variable}\")"), None),
        "php" => (format!("getenv('{variable}')"), None),
        "cs" => (
            format!("Environment.GetEnvironmentVariable(\"{variable}\")"),
            None,
        ),
        "sh" | "bash" | "zsh" => (format!("\"${{{variable}}}\""), None),
        _ => return None,
    };
    // Go's lookup needs the os package; the edit says so rather than guessing at an import block.
    Some(EnvLookup {
        start: start - 1,
        end: end + 1,
        replacement,
        variable,
        import,
    })
}

fn has_line(text: &str, pred: impl Fn(&str) -> bool) -> bool {
    text.lines().any(|l| pred(l.trim()))
}

/// The identifier a line assigns to just before `prefix` ends: `TOKEN = `, `token: `, `"token": `,
/// `const token = `, `token := `, `$token = `, in upper snake case.
fn assigned_name(prefix: &str) -> Option<String> {
    let p = prefix.trim_end();
    let p = p
        .strip_suffix(":=")
        .or_else(|| p.strip_suffix('='))
        .or_else(|| p.strip_suffix(':'))
        .or_else(|| p.strip_suffix("=>"))?;
    let p = p.trim_end().trim_end_matches(['"', '\'']);
    let name: String = p
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(upper_snake(&name))
}

/// `secrets/slack-bot-token` → `SLACK_BOT_TOKEN`.
fn rule_variable(rule: &str) -> String {
    upper_snake(rule.rsplit('/').next().unwrap_or(rule))
}

fn upper_snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '-' || c == '_' || c == '.' {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        } else if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
            out.push(c);
            prev_lower = false;
        } else {
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_uppercase());
        }
    }
    out.trim_end_matches('_').to_string()
}

/// A byte offset in `line` as a column in `encoding` units: bytes for UTF-8, UTF-16 code units otherwise.
pub fn column(line: &str, byte: usize, utf8: bool) -> u32 {
    let byte = byte.min(line.len());
    if utf8 {
        return byte as u32;
    }
    let mut at = byte;
    while at > 0 && !line.is_char_boundary(at) {
        at -= 1;
    }
    line[..at].encode_utf16().count() as u32
}

/// A column in `encoding` units back to a byte offset in `line`.
pub fn byte_of(line: &str, column: u32, utf8: bool) -> usize {
    if utf8 {
        let mut at = (column as usize).min(line.len());
        while at > 0 && !line.is_char_boundary(at) {
            at -= 1;
        }
        return at;
    }
    let mut units = 0u32;
    for (i, c) in line.char_indices() {
        if units >= column {
            return i;
        }
        units += c.len_utf16() as u32;
    }
    line.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_comments_follow_the_language() {
        let c = |f: &str, l: &str| ignore_comment(f, l, "secrets/x");
        assert_eq!(
            c("a.py", "k = 1").as_deref(),
            Some(" # warden:ignore[secrets/x]")
        );
        assert_eq!(
            c("src/a.ts", "let k = 1;").as_deref(),
            Some(" // warden:ignore[secrets/x]")
        );
        assert_eq!(
            c("Dockerfile", "ENV K=1").as_deref(),
            Some(" # warden:ignore[secrets/x]")
        );
        assert_eq!(
            c("q.sql", "select 1 ").as_deref(),
            Some("-- warden:ignore[secrets/x]")
        );
        assert_eq!(
            c("README.md", "key").as_deref(),
            Some(" <!-- warden:ignore[secrets/x] -->")
        );
        assert_eq!(
            c(".env.local", "K=1").as_deref(),
            Some(" # warden:ignore[secrets/x]")
        );
        // JSON has no comments: no edit rather than a broken file.
        assert_eq!(c("a.json", "{}"), None);
        assert_eq!(c("noext", "x"), None);
    }

    #[test]
    fn the_comment_silences_the_rule_for_the_scanner() {
        let line = "token = 'abc'";
        let with = format!(
            "{line}{}",
            ignore_comment("a.py", line, "secrets/slack-bot-token").unwrap()
        );
        assert!(warden_scan::suppress::line_ignores(
            with.as_bytes(),
            "secrets/slack-bot-token"
        ));
    }

    #[test]
    fn credentials_become_environment_lookups() {
        let line = "SLACK_TOKEN = \"SECRETVALUE\"";
        let (s, e) = (15, 26);
        let py = env_lookup("app.py", line, line, s, e, "secrets/slack-bot-token").unwrap();
        assert_eq!((py.start, py.end), (14, 27));
        assert_eq!(py.replacement, "os.environ[\"SLACK_TOKEN\"]");
        assert_eq!(py.import.as_deref(), Some("import os"));
        let py = env_lookup("app.py", "import os\n", line, s, e, "r").unwrap();
        assert_eq!(py.import, None);
        let js = "const apiKey = 'SECRETVALUE';";
        let l = env_lookup("a.js", js, js, 16, 27, "r").unwrap();
        assert_eq!(l.replacement, "process.env.API_KEY");
        let go = "\ttoken := \"SECRETVALUE\"";
        assert_eq!(
            env_lookup("m.go", go, go, 11, 22, "r").unwrap().replacement,
            "os.Getenv(\"TOKEN\")"
        );
        // Not a whole literal, or a language without a known lookup: nothing.
        assert_eq!(env_lookup("a.py", line, line, 16, 26, "r"), None);
        assert_eq!(env_lookup("a.yaml", line, line, s, e, "r"), None);
        // No assignment on the line: named after the rule.
        let call = "client(\"SECRETVALUE\")";
        assert_eq!(
            env_lookup("a.py", call, call, 8, 19, "secrets/openai-api-key")
                .unwrap()
                .variable,
            "OPENAI_API_KEY"
        );
        let json_key = "    \"apiToken\": \"SECRETVALUE\",";
        assert_eq!(
            env_lookup("a.ts", json_key, json_key, 17, 28, "r")
                .unwrap()
                .variable,
            "API_TOKEN"
        );
    }

    #[test]
    fn columns_convert_between_bytes_and_utf16() {
        let line = "é = \"𝄞k\"";
        // é is 2 bytes, 1 unit; 𝄞 is 4 bytes, 2 units.
        assert_eq!(column(line, 2, false), 1);
        assert_eq!(column(line, 6, false), 5);
        assert_eq!(column(line, 10, false), 7);
        assert_eq!(column(line, 10, true), 10);
        assert_eq!(byte_of(line, 7, false), 10);
        assert_eq!(byte_of(line, 5, false), 6);
        // Past the end, or inside a character: clamped, never a panic.
        assert_eq!(column(line, 99, false), line.encode_utf16().count() as u32);
        assert_eq!(column(line, 1, false), 0);
        assert_eq!(byte_of(line, 99, true), line.len());
    }
}
