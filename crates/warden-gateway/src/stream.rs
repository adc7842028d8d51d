//! Screening a response that arrives in pieces (server-sent events): the text is screened as it accumulates,
//! and the last [`HOLD_BACK`] bytes are held until more arrives, so a credential or a link split across two
//! chunks is still seen whole. A pending `-----BEGIN` (a PEM block) is held up to [`HOLD_MAX`]. Nothing waits
//! for the whole response.

use crate::screen::{Hit, Screener};

/// Bytes held back from the client until more text (or the end) arrives: longer than any credential or link
/// the rules look for.
pub const HOLD_BACK: usize = 512;
/// The most a PEM block is held for before what is pending goes out anyway.
pub const HOLD_MAX: usize = 16 * 1024;

pub struct StreamScreen {
    /// What the application's instructions hold (`screen::protected_tokens`): it does not leave.
    protected: Vec<String>,
    pending: String,
    /// Hits already reported (a span screened again as the window moves is reported once).
    reported: Vec<Hit>,
}

impl Default for StreamScreen {
    fn default() -> Self {
        StreamScreen::new()
    }
}

impl StreamScreen {
    pub fn new() -> Self {
        Self::with_protected(Vec::new())
    }

    pub fn with_protected(protected: Vec<String>) -> Self {
        StreamScreen {
            protected,
            pending: String::new(),
            reported: Vec::new(),
        }
    }

    /// Takes the next piece of text; returns what may go to the client now and the new hits.
    pub fn push(&mut self, screener: &Screener, piece: &str) -> (String, Vec<Hit>) {
        self.pending.push_str(piece);
        let (screened, hits) = screener.answer(&self.pending, &self.protected);
        let new = self.fresh(hits);
        // Keep the screened text as the pending one (redactions are stable: `[REDACTED:…]` is not screened
        // again into something else), and release all but the tail.
        self.pending = screened;
        let mut keep = HOLD_BACK;
        if let Some(i) = self.pending.rfind("-----BEGIN") {
            if !self.pending[i..].contains("-----END") && self.pending.len() - i < HOLD_MAX {
                keep = keep.max(self.pending.len() - i);
            }
        }
        if self.pending.len() <= keep {
            return (String::new(), new);
        }
        let mut cut = self.pending.len() - keep;
        while !self.pending.is_char_boundary(cut) {
            cut -= 1;
        }
        // Never cut inside a redaction marker.
        if let Some(open) = self.pending[..cut].rfind("[REDACTED:") {
            if !self.pending[open..cut].contains(']') {
                cut = open;
            }
        }
        let out = self.pending[..cut].to_string();
        self.pending.drain(..cut);
        (out, new)
    }

    /// The end of the stream: what is still held, screened.
    pub fn finish(&mut self, screener: &Screener) -> (String, Vec<Hit>) {
        let (screened, hits) = screener.answer(&self.pending, &self.protected);
        self.pending.clear();
        (screened, self.fresh(hits))
    }

    fn fresh(&mut self, hits: Vec<Hit>) -> Vec<Hit> {
        let mut new = Vec::new();
        for h in hits {
            if !self.reported.contains(&h) {
                self.reported.push(h.clone());
                new.push(h);
            }
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::Policy;
    use proptest::prelude::*;

    fn screener() -> &'static Screener {
        static S: std::sync::OnceLock<Screener> = std::sync::OnceLock::new();
        S.get_or_init(|| Screener::new(Policy::default()).unwrap())
    }

    fn run(s: &Screener, text: &str, cuts: &[usize]) -> String {
        let mut st = StreamScreen::new();
        let mut out = String::new();
        let mut at = 0;
        for &c in cuts {
            let mut c = c.min(text.len());
            while !text.is_char_boundary(c) {
                c -= 1;
            }
            if c < at {
                continue;
            }
            out.push_str(&st.push(s, &text[at..c]).0);
            at = c;
        }
        out.push_str(&st.push(s, &text[at..]).0);
        out.push_str(&st.finish(s).0);
        out
    }

    #[test]
    fn a_link_split_across_chunks_is_still_redacted() {
        let s = screener();
        let text = format!("{}![a](https://evil.test/c?d=1) done", "x ".repeat(400));
        let whole = s.text(&text, false, false).0;
        for cut in [800, 803, 810, 815, 820] {
            assert_eq!(run(s, &text, &[cut]), whole, "cut at {cut}");
        }
        assert!(!whole.contains("evil.test"));
    }

    proptest! {
        #[test]
        fn streaming_gives_what_screening_the_whole_gives(
            words in proptest::collection::vec("[a-z]{1,8}|![a-z]\\(https://ev[a-z]\\.test/q\\)", 0..200),
            cuts in proptest::collection::vec(0usize..2000, 0..20),
        ) {
            let s = screener();
            let text = words.join(" ");
            let mut cuts = cuts;
            cuts.sort_unstable();
            prop_assert_eq!(run(s, &text, &cuts), s.text(&text, false, false).0);
        }
    }
}
