//! warden's runtime guard for model traffic. `pii` and `injection` are the screening rules (data files with
//! examples, checked by tests); the gateway and the probes are built on them.

pub mod injection;
pub mod pii;
