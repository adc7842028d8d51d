//! Dockerfiles and docker-compose files.
//!
//! The Dockerfile parser is written by hand: `dockerfile-parser` 0.9 (the one crate) rejects `RUN <<EOF`
//! heredocs, which BuildKit has supported since 2021 and which are where `curl … | sh` hides today. The format
//! is line-based and small: parser directives (`# escape=`` ` ``), comments, line continuations with the
//! escape character (comment lines inside a continuation are dropped, as Docker does), `<<[-]["]DELIM["]`
//! heredocs on RUN/COPY/ADD, leading `--flags`, exec (JSON) and shell forms, `ENV`/`ARG`/`LABEL` pairs.
//!
//! Each instruction becomes a map in the tree: `instruction` (upper case), `value` (its arguments after the
//! flags, continuation lines joined, heredoc bodies appended), `flags`, and per instruction `image`/`alias`
//! (FROM; `image` only when the stage starts from an image, not from an earlier stage), `vars` (a list of
//! `{name, value}` for ENV, ARG and LABEL), `user` (USER).

use crate::scope::Instance;
use crate::tree::{Kind, Node, NodeId, Tree};
use crate::yaml::Yaml;

/// A heredoc or continuation longer than this many lines ends the instruction (a bound on hostile input).
const MAX_LINES_PER_INSTRUCTION: usize = 100_000;

fn scalar(t: &mut Tree, kind: Kind, text: &str, line: u32, col: u32) -> NodeId {
    t.push(Node {
        kind,
        text: text.into(),
        line,
        col,
        end_line: line,
        end_col: col + text.chars().count() as u32,
        items: Vec::new(),
    })
}

fn map(t: &mut Tree, line: u32, col: u32) -> NodeId {
    t.push(Node {
        kind: Kind::Map,
        text: "".into(),
        line,
        col,
        end_line: line,
        end_col: col,
        items: Vec::new(),
    })
}

fn put(t: &mut Tree, m: NodeId, key: &str, value: NodeId) {
    let n = t.node(value).clone();
    let k = scalar(t, Kind::Str, key, n.line, n.col);
    t.nodes[m as usize].items.extend([k, value]);
}

/// One logical instruction.
struct Raw {
    line: u32,
    /// The last line of the instruction (continuations, heredoc bodies).
    end_line: u32,
    instruction: String,
    /// Arguments, continuation lines joined.
    args: String,
    args_col: u32,
    /// Where each continuation line starts in `args`: (offset in `args`, line, column), so a word on a
    /// continued line keeps its own position.
    segments: Vec<(usize, u32, u32)>,
    heredocs: Vec<String>,
}

fn split_instructions(src: &str) -> Vec<Raw> {
    let lines: Vec<&str> = src.lines().collect();
    let mut escape = '\\';
    let mut i = 0;
    // Parser directives: only at the very top, before any other line.
    while i < lines.len() {
        let l = lines[i].trim();
        let Some(d) = l.strip_prefix('#') else { break };
        let Some((k, v)) = d.split_once('=') else {
            break;
        };
        let k = k.trim().to_ascii_lowercase();
        if k == "escape" {
            if let Some(c) = v.trim().chars().next() {
                escape = c;
            }
        } else if k != "syntax" && k != "check" {
            break;
        }
        i += 1;
    }
    let mut out = Vec::new();
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i += 1;
            continue;
        }
        let start = i;
        let indent = line.len() - trimmed.len();
        let word_end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let instruction = trimmed[..word_end].to_ascii_uppercase();
        let rest = &trimmed[word_end..];
        let args_col = (indent + word_end + (rest.len() - rest.trim_start().len())) as u32 + 1;
        let mut args = rest.trim_start().to_string();
        let mut segments = vec![(0usize, start as u32 + 1, args_col)];
        i += 1;
        // Continuations.
        let mut taken = 0;
        while args.trim_end().ends_with(escape)
            && i < lines.len()
            && taken < MAX_LINES_PER_INSTRUCTION
        {
            let t = args.trim_end();
            let t = t[..t.len() - escape.len_utf8()].trim_end();
            args.truncate(t.len());
            // Comment and empty lines inside a continuation are skipped.
            while i < lines.len() && {
                let n = lines[i].trim_start();
                n.starts_with('#') || n.is_empty()
            } {
                i += 1;
            }
            if i < lines.len() {
                args.push(' ');
                let l = lines[i];
                let col = (l.len() - l.trim_start().len()) as u32 + 1;
                segments.push((args.len(), i as u32 + 1, col));
                args.push_str(l.trim_start());
                i += 1;
            }
            taken += 1;
        }
        // Heredocs: `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`, several per instruction.
        let mut heredocs = Vec::new();
        if matches!(instruction.as_str(), "RUN" | "COPY" | "ADD")
            && !args.trim_start().starts_with('[')
        {
            let mut rest = args.as_str();
            let mut delims = Vec::new();
            while let Some(p) = rest.find("<<") {
                let after = &rest[p + 2..];
                let (strip_tabs, after) = match after.strip_prefix('-') {
                    Some(a) => (true, a),
                    None => (false, after),
                };
                let after = after.trim_start_matches(['"', '\'']);
                let d: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                if !d.is_empty() && !d.starts_with('-') {
                    delims.push((d.clone(), strip_tabs));
                }
                rest = &after[d.len().min(after.len())..];
            }
            for (d, strip_tabs) in delims {
                let mut body = String::new();
                let mut n = 0;
                while i < lines.len() && n < MAX_LINES_PER_INSTRUCTION {
                    let l = lines[i];
                    i += 1;
                    n += 1;
                    let cmp = if strip_tabs {
                        l.trim_start_matches('\t')
                    } else {
                        l
                    };
                    if cmp.trim_end() == d {
                        break;
                    }
                    body.push_str(l);
                    body.push('\n');
                }
                heredocs.push(body);
            }
        }
        out.push(Raw {
            line: start as u32 + 1,
            end_line: i.max(start + 1) as u32,
            instruction,
            args,
            args_col,
            segments,
            heredocs,
        });
    }
    out
}

/// Splits shell-like words, honouring quotes (for flags and `KEY=value` pairs).
fn words(s: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = None;
    let mut quote: Option<char> = None;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), '\\') => {
                if let Some((_, n)) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(st) = start.take() {
                    out.push((st, std::mem::take(&mut cur)));
                }
            }
            (None, c) => {
                start.get_or_insert(i);
                cur.push(c);
            }
        }
    }
    if let Some(st) = start {
        out.push((st, cur));
    }
    out
}

/// The tree of a Dockerfile (a sequence of instruction maps) and its rule scopes.
pub fn parse(src: &str) -> (Tree, Vec<Instance>) {
    let mut t = Tree::default();
    let root = t.push(Node {
        kind: Kind::Seq,
        text: "".into(),
        line: 1,
        col: 1,
        end_line: src.lines().count().max(1) as u32,
        end_col: 1,
        items: Vec::new(),
    });
    let mut insts = Vec::new();
    let mut stages: Vec<String> = Vec::new();
    let mut stage_node = None;
    let mut stage = 0usize;
    for raw in split_instructions(src) {
        let line = raw.line;
        let m = map(&mut t, line, 1);
        let iv = scalar(&mut t, Kind::Str, &raw.instruction, line, 1);
        put(&mut t, m, "instruction", iv);
        // Leading flags.
        let ws = words(&raw.args);
        let mut rest_at = 0;
        let flags = map(&mut t, line, raw.args_col);
        let exec_form = raw.args.trim_start().starts_with('[');
        if !exec_form {
            for (off, w) in &ws {
                let Some(f) = w.strip_prefix("--") else { break };
                let (k, v) = f.split_once('=').unwrap_or((f, "true"));
                let vn = scalar(&mut t, Kind::Str, v, line, raw.args_col + *off as u32);
                put(&mut t, flags, k, vn);
                rest_at = off
                    + raw.args[*off..]
                        .find(char::is_whitespace)
                        .unwrap_or(raw.args.len() - off);
            }
        }
        put(&mut t, m, "flags", flags);
        let rest = raw.args[rest_at.min(raw.args.len())..].trim_start();
        let rest_col = raw.args_col + (raw.args.len() - rest.len()) as u32;
        let mut value = rest.to_string();
        for h in &raw.heredocs {
            value.push('\n');
            value.push_str(h);
        }
        let vn = scalar(&mut t, Kind::Str, &value, line, rest_col);
        // The value spans the instruction's lines, but findings stay on the instruction's first line, where
        // Docker's own errors and every linter point.
        let _ = raw.end_line;
        put(&mut t, m, "value", vn);
        let rest_words = words(rest);
        match raw.instruction.as_str() {
            "FROM" => {
                stage = stages.len();
                let image = rest_words
                    .first()
                    .map(|(_, w)| w.clone())
                    .unwrap_or_default();
                let alias = match rest_words.get(1) {
                    Some((_, w)) if w.eq_ignore_ascii_case("as") => {
                        rest_words.get(2).map(|(_, a)| a.clone())
                    }
                    _ => None,
                };
                if !stages.iter().any(|s| s.eq_ignore_ascii_case(&image)) {
                    let n = scalar(&mut t, Kind::Str, &image, line, rest_col);
                    put(&mut t, m, "image", n);
                }
                if let Some(a) = &alias {
                    let n = scalar(&mut t, Kind::Str, a, line, rest_col);
                    put(&mut t, m, "alias", n);
                }
                stages.push(alias.unwrap_or_else(|| format!("#{stage}")));
                stage_node = Some(m);
            }
            "ENV" | "ARG" | "LABEL" => {
                let vars = t.push(Node {
                    kind: Kind::Seq,
                    text: "".into(),
                    line,
                    col: rest_col,
                    end_line: line,
                    end_col: rest_col,
                    items: Vec::new(),
                });
                let pairs: Vec<(usize, String, Option<String>)> = if raw.instruction == "ENV"
                    && !rest_words.first().is_some_and(|(_, w)| w.contains('='))
                {
                    // Legacy `ENV KEY value with spaces`.
                    let key = rest_words
                        .first()
                        .map(|(_, w)| w.clone())
                        .unwrap_or_default();
                    // Everything after the first word, cut at whitespace rather than at the key's length:
                    // the key as read (quotes removed) may be shorter than its text, and the text may hold
                    // multi-byte characters.
                    let v = rest
                        .trim_start()
                        .split_once(char::is_whitespace)
                        .map_or("", |(_, v)| v)
                        .trim()
                        .to_string();
                    vec![(0, key, Some(v))]
                } else {
                    rest_words
                        .iter()
                        .map(|(off, w)| match w.split_once('=') {
                            Some((k, v)) => (*off, k.to_string(), Some(v.to_string())),
                            None => (*off, w.clone(), None),
                        })
                        .collect()
                };
                let rest_at = raw.args.len() - rest.len();
                for (off, k, v) in pairs {
                    // The pair's own line and column, on a continued line too.
                    let abs = rest_at + off;
                    let (seg_off, pline, pcol) = raw
                        .segments
                        .iter()
                        .rev()
                        .find(|(o, _, _)| *o <= abs)
                        .copied()
                        .unwrap_or((0, line, raw.args_col));
                    let col = pcol + raw.args[seg_off..abs].chars().count() as u32;
                    let pm = map(&mut t, pline, col);
                    let kn = scalar(&mut t, Kind::Str, &k, pline, col);
                    put(&mut t, pm, "name", kn);
                    if let Some(v) = v {
                        let vn = scalar(&mut t, Kind::Str, &v, pline, col + k.len() as u32 + 1);
                        put(&mut t, pm, "value", vn);
                    }
                    t.nodes[vars as usize].items.push(pm);
                }
                put(&mut t, m, "vars", vars);
            }
            "USER" => {
                let u = rest_words
                    .first()
                    .map(|(_, w)| w.clone())
                    .unwrap_or_default();
                let n = scalar(&mut t, Kind::Str, &u, line, rest_col);
                put(&mut t, m, "user", n);
            }
            _ => {}
        }
        let sn = scalar(&mut t, Kind::Num, &stage.to_string(), line, 1);
        put(&mut t, m, "stage", sn);
        t.nodes[root as usize].items.push(m);
        let snippet: String = value.chars().take(120).collect();
        let mut anchors = vec![("file", root)];
        if let Some(s) = stage_node {
            anchors.push(("stage", s));
        }
        insts.push(Instance {
            scope: "dockerfile/instruction",
            kind: raw.instruction.clone(),
            node: m,
            anchors,
            what: format!(
                "{} in stage {}",
                raw.instruction,
                stages.last().map_or("#0", |s| s.as_str())
            ),
            key: format!("{} {}", raw.instruction, snippet),
            workload: None,
            head: None,
        });
    }
    insts.push(Instance {
        scope: "dockerfile/file",
        kind: "Dockerfile".into(),
        node: root,
        anchors: vec![("file", root)],
        what: "the Dockerfile".into(),
        key: "file".into(),
        workload: None,
        head: None,
    });
    (t, insts)
}

/// What the inventory needs of a compose service, published as a `compose/service` fact: where its image is
/// built from, what it publishes on the host, where its environment comes from (never values), its privileges.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ComposeService {
    pub name: String,
    pub line: u32,
    pub end_line: u32,
    /// `build:` context (or `build.context`), as written (relative to the compose file's directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Published ports bound to every interface (`"8000:8000"`, `{published: 8000}`); loopback bindings
    /// (`127.0.0.1:8000:8000`) are not listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub published: Vec<String>,
    /// Environment variable name → `literal`, `interpolated` (`${VAR}` from the host) or `env_file`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub env: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub privileged: bool,
    #[serde(default)]
    pub host_network: bool,
    /// GPU devices reserved (`deploy.resources.reservations.devices` with `capabilities: [gpu]`).
    #[serde(default)]
    pub gpu: bool,
    /// `deploy.resources.limits` sets both cpus and memory, or `mem_limit` and `cpus`.
    #[serde(default)]
    pub limits: bool,
    /// The service's `command`, split into words (model servers are told their model there).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
}

/// Every service of a compose file, for the `compose/service` fact.
pub fn compose_services(y: &Yaml) -> Vec<ComposeService> {
    let t = &y.tree;
    let mut out = Vec::new();
    let strs = |n: crate::tree::NodeId| -> Vec<String> {
        match t.str(n) {
            Some(s) => s.split_whitespace().map(str::to_string).collect(),
            None => t
                .elems(n)
                .iter()
                .filter_map(|&e| t.str(e).map(str::to_string))
                .collect(),
        }
    };
    for d in &y.docs {
        let Some(services) = t
            .is_map(d.root)
            .then(|| t.get(d.root, "services"))
            .flatten()
        else {
            continue;
        };
        for (k, v) in t.entries(services) {
            if !t.is_map(v) {
                continue;
            }
            let node = t.node(v);
            let mut s = ComposeService {
                name: t.text(k).to_string(),
                line: t.node(k).line,
                end_line: node.end_line.max(t.node(k).line),
                image: t.get_str(v, "image").map(str::to_string),
                ..Default::default()
            };
            s.build = match t.get(v, "build") {
                Some(b) if t.is_map(b) => t.get_str(b, "context").map(str::to_string),
                Some(b) => t.str(b).map(str::to_string),
                None => None,
            };
            if let Some(ports) = t.get(v, "ports") {
                for &p in t.elems(ports) {
                    let spec = if t.is_map(p) {
                        let host_ip = t.get_str(p, "host_ip").unwrap_or("");
                        if host_ip.starts_with("127.") || host_ip == "::1" || host_ip == "localhost"
                        {
                            continue;
                        }
                        match t.get_str(p, "published") {
                            Some(x) => x.to_string(),
                            None => continue,
                        }
                    } else {
                        let Some(x) = t.str(p) else { continue };
                        // `[IP:]HOST:CONTAINER`; a bare `CONTAINER` publishes on a random host port.
                        let parts: Vec<&str> = x.rsplitn(3, ':').collect();
                        if parts.len() == 3 {
                            let ip = parts[2];
                            if ip.starts_with("127.") || ip == "localhost" || ip == "[::1]" {
                                continue;
                            }
                        }
                        x.to_string()
                    };
                    s.published.push(spec);
                }
            }
            if let Some(env) = t.get(v, "environment") {
                let mut put = |name: &str, value: Option<&str>| {
                    let from = match value {
                        Some(v) if v.contains("${") || v.starts_with('$') => "interpolated",
                        Some(_) => "literal",
                        None => "interpolated",
                    };
                    s.env.insert(name.to_string(), from.to_string());
                };
                if t.is_map(env) {
                    for (ek, ev) in t.entries(env) {
                        put(t.text(ek), t.str(ev));
                    }
                } else {
                    for &e in t.elems(env) {
                        if let Some(x) = t.str(e) {
                            match x.split_once('=') {
                                Some((n, val)) => put(n, Some(val)),
                                None => put(x, None),
                            }
                        }
                    }
                }
            }
            if t.get(v, "env_file").is_some() {
                s.env.insert("*".into(), "env_file".into());
            }
            s.privileged = t.get_str(v, "privileged") == Some("true");
            s.host_network = t.get_str(v, "network_mode") == Some("host");
            let limits = t
                .get(v, "deploy")
                .and_then(|d| t.get(d, "resources"))
                .and_then(|r| t.get(r, "limits"));
            s.limits = limits
                .is_some_and(|l| t.get(l, "cpus").is_some() && t.get(l, "memory").is_some())
                || (t.get(v, "mem_limit").is_some() && t.get(v, "cpus").is_some());
            if let Some(devs) = t
                .get(v, "deploy")
                .and_then(|d| t.get(d, "resources"))
                .and_then(|r| t.get(r, "reservations"))
                .and_then(|r| t.get(r, "devices"))
            {
                s.gpu = t.elems(devs).iter().any(|&d| {
                    t.get(d, "capabilities")
                        .is_some_and(|c| t.elems(c).iter().any(|&x| t.str(x) == Some("gpu")))
                        || t.get_str(d, "driver") == Some("nvidia")
                });
            }
            s.gpu |= t.get_str(v, "runtime") == Some("nvidia");
            if let Some(c) = t.get(v, "command") {
                s.command = strs(c);
            }
            out.push(s);
        }
    }
    out
}

/// The rule scopes of a compose file: the file, and each service.
pub fn compose_instances(y: &Yaml) -> Vec<Instance> {
    let t = &y.tree;
    let mut out = Vec::new();
    for d in &y.docs {
        if !t.is_map(d.root) {
            continue;
        }
        out.push(Instance {
            scope: "compose/file",
            kind: "compose".into(),
            node: d.root,
            anchors: vec![("file", d.root)],
            what: "the compose file".into(),
            key: "file".into(),
            workload: None,
            head: None,
        });
        let Some(services) = t.get(d.root, "services") else {
            continue;
        };
        for (k, v) in t.entries(services) {
            if !t.is_map(v) {
                continue;
            }
            let name = t.text(k).to_string();
            out.push(Instance {
                scope: "compose/service",
                kind: "service".into(),
                node: v,
                anchors: vec![("file", d.root), ("service", v)],
                what: format!("service \"{name}\""),
                key: format!("service/{name}"),
                workload: None,
                head: Some(k),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instr(t: &Tree, insts: &[Instance], i: usize, key: &str) -> String {
        t.get_str(insts[i].node, key).unwrap_or("").to_string()
    }

    #[test]
    fn continuations_heredocs_flags_and_stages() {
        let src = "# syntax=docker/dockerfile:1\nFROM golang:1.22 AS build\nRUN --mount=type=cache,target=/root/.cache \\\n    # a comment\n    go build \\\n    ./...\nRUN <<EOF\ncurl -fsSL https://x.sh | sh\nEOF\nFROM build\nENV A=1 B=\"two words\"\nUSER app\n";
        let (t, insts) = parse(src);
        assert_eq!(instr(&t, &insts, 0, "image"), "golang:1.22");
        assert_eq!(instr(&t, &insts, 0, "alias"), "build");
        assert_eq!(t.node(insts[1].node).line, 3);
        assert_eq!(instr(&t, &insts, 1, "value"), "go build ./...");
        let flags = t.get(insts[1].node, "flags").unwrap();
        assert_eq!(
            t.get_str(flags, "mount"),
            Some("type=cache,target=/root/.cache")
        );
        assert!(instr(&t, &insts, 2, "value").contains("curl -fsSL https://x.sh | sh"));
        assert_eq!(t.node(insts[3].node).line, 10);
        assert_eq!(instr(&t, &insts, 3, "image"), "", "a stage is not an image");
        let vars = t.get(insts[4].node, "vars").unwrap();
        assert_eq!(t.elems(vars).len(), 2);
        assert_eq!(t.get_str(t.elems(vars)[1], "value"), Some("two words"));
        assert_eq!(instr(&t, &insts, 5, "user"), "app");
    }

    #[test]
    fn legacy_env_values_are_cut_at_whitespace_not_at_the_key_length() {
        // Found by fuzzing: the key as read is shorter than its text, and the value holds a multi-byte character.
        let _ = parse("env\u{b}\u{3}limmtsl;#www#w!'2*\u{759}");
        let (t, insts) = parse("FROM a\nENV \"KEY\" välue with spaces\nENV PLAIN x y\n");
        let vars = t.get(insts[1].node, "vars").unwrap();
        assert_eq!(
            t.get_str(t.elems(vars)[0], "value"),
            Some("välue with spaces")
        );
        let vars = t.get(insts[2].node, "vars").unwrap();
        assert_eq!(t.get_str(t.elems(vars)[0], "value"), Some("x y"));
    }

    #[test]
    fn pairs_on_continued_lines_keep_their_line() {
        let (t, insts) = parse("FROM a\nENV A=1 \\\n    SECRET_TOKEN=abc \\\n    C=3\n");
        let vars = t.get(insts[1].node, "vars").unwrap();
        let lines: Vec<(u32, u32)> = t
            .elems(vars)
            .iter()
            .map(|&p| (t.node(p).line, t.node(p).col))
            .collect();
        assert_eq!(lines, vec![(2, 5), (3, 5), (4, 5)]);
    }

    #[test]
    fn escape_directive() {
        let (t, insts) = parse("# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\n");
        assert_eq!(instr(&t, &insts, 1, "value"), "dir c:\\");
    }
}
