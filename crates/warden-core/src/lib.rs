//! warden's vocabulary: what a finding, a rule and a location are, how a finding's identity is hashed, and the
//! `warden.toml` configuration. No I/O here except reading the config file.

pub mod config;
pub mod finding;
pub mod rule;
pub mod severity;

pub use config::{Config, ConfigError};
pub use finding::{Finding, Location, Provenance};
pub use rule::{Lifetime, RuleMeta};
pub use severity::{Confidence, Severity};
