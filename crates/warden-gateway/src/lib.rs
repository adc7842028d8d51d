//! warden's runtime guard for model traffic.
//! - `pii`, `injection` and `output`: the screening rules (data files with examples, checked by tests);
//! - `screen`: what the gateway does with them per category and direction (`Policy`), over the request bodies of
//!   the OpenAI and Anthropic APIs;
//! - `stream` and `sse`: screening responses that arrive as server-sent events, with a bounded hold-back;
//! - `keys`: client keys (hashed, scoped, expiring, rate-limited, budgeted);
//! - `server`: the gateway itself.

pub mod injection;
pub mod keys;
pub mod output;
pub mod pii;
pub mod probe;
pub mod screen;
pub mod server;
pub mod sse;
pub mod stream;
