//! The AI inventory of one repository as a graph: an inline SVG, laid out in columns from what is exposed to
//! what holds data and keys (workloads and accounts; agents, clients and MCP servers; models, tools, vector
//! stores and data sets; credentials), each node coloured by its risk level, each edge titled with its kind.
//! Written here rather than with a layout library: the graph is small (it is capped) and the columns carry
//! its meaning better than a force layout would.

use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;

/// Nodes drawn at most; the table lists every asset.
pub const MAX_NODES: usize = 120;

const W: i64 = 200;
const H: i64 = 38;
const GAP_X: i64 = 90;
const GAP_Y: i64 = 14;
const PAD: i64 = 16;

fn column(kind: &str) -> usize {
    match kind {
        "workload" | "service-account" => 0,
        "agent" | "llm-client" | "mcp-server" => 1,
        "model" | "tool" | "vector-store" | "dataset" => 2,
        "credential" => 3,
        _ => 2,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// The SVG for an inventory document (`warden inventory --format json`'s shape: `assets`, `edges`); empty when
/// there is nothing to draw.
pub fn svg(inventory: &Value) -> String {
    let assets: Vec<&Value> = inventory["assets"]
        .as_array()
        .map(|a| a.iter().take(MAX_NODES).collect())
        .unwrap_or_default();
    if assets.is_empty() {
        return String::new();
    }
    let mut cols: [Vec<&Value>; 4] = Default::default();
    for a in &assets {
        cols[column(a["kind"].as_str().unwrap_or(""))].push(a);
    }
    let mut at: HashMap<&str, (i64, i64)> = HashMap::new();
    for (c, nodes) in cols.iter().enumerate() {
        for (r, a) in nodes.iter().enumerate() {
            let x = PAD + c as i64 * (W + GAP_X);
            let y = PAD + r as i64 * (H + GAP_Y);
            at.insert(a["id"].as_str().unwrap_or(""), (x, y));
        }
    }
    let rows = cols.iter().map(Vec::len).max().unwrap_or(1) as i64;
    let (width, height) = (PAD * 2 + 4 * W + 3 * GAP_X, PAD * 2 + rows * (H + GAP_Y));
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"graph\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"AI inventory graph\">\
         <title>AI inventory graph</title>"
    );
    for e in inventory["edges"].as_array().into_iter().flatten() {
        let (Some(from), Some(to)) = (
            at.get(e["from"].as_str().unwrap_or("")),
            at.get(e["to"].as_str().unwrap_or("")),
        ) else {
            continue;
        };
        let kind = e["kind"].as_str().unwrap_or("");
        let (x1, y1) = (from.0 + W, from.1 + H / 2);
        let (x2, y2) = (to.0, to.1 + H / 2);
        // Right to left when the target sits in an earlier column.
        let (x1, x2) = if x2 > x1 {
            (x1, x2)
        } else {
            (from.0, to.0 + W)
        };
        let mid = (x1 + x2) / 2;
        let _ = write!(
            s,
            "<path class=\"edge edge-{k}\" d=\"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}\"><title>{k}</title></path>",
            k = escape(kind)
        );
    }
    for a in &assets {
        let Some((x, y)) = at.get(a["id"].as_str().unwrap_or("")) else {
            continue;
        };
        let level = a["risk"]["level"]
            .as_str()
            .or_else(|| a["properties"]["risk"]["level"].as_str())
            .unwrap_or("none");
        let kind = a["kind"].as_str().unwrap_or("");
        let name = a["name"].as_str().unwrap_or("");
        let _ = write!(
            s,
            "<g class=\"node risk-{lvl}\"><title>{kind}: {name} (risk {lvl})</title>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{W}\" height=\"{H}\" rx=\"5\"></rect>\
             <text x=\"{tx}\" y=\"{ty1}\" class=\"node-name\">{short}</text>\
             <text x=\"{tx}\" y=\"{ty2}\" class=\"node-kind\">{kind}</text></g>",
            lvl = escape(level),
            kind = escape(kind),
            name = escape(name),
            short = escape(&short(name, 26)),
            tx = x + 8,
            ty1 = y + 16,
            ty2 = y + 31,
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_and_edges_are_drawn_and_names_escaped() {
        let inv = serde_json::json!({
            "assets": [
                {"id": "w", "kind": "workload", "name": "api <prod>", "risk": {"level": "high"}},
                {"id": "a", "kind": "agent", "name": "support-bot"},
                {"id": "k", "kind": "credential", "name": "OPENAI_API_KEY"}
            ],
            "edges": [{"from": "w", "to": "a", "kind": "runs"}, {"from": "a", "to": "k", "kind": "authenticates-with"},
                      {"from": "a", "to": "missing", "kind": "uses"}]
        });
        let s = svg(&inv);
        assert_eq!(s.matches("<g class=\"node").count(), 3);
        assert_eq!(s.matches("<path class=\"edge").count(), 2);
        assert!(s.contains("api &lt;prod&gt;") && !s.contains("<prod>"));
        assert!(s.contains("risk-high"));
        assert_eq!(svg(&serde_json::json!({})), "");
    }
}
