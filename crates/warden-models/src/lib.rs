//! warden's model-artifact analyzer (issue 8, in progress on this branch): formats recognised by content,
//! a streaming pickle opcode reader that resolves every callable a pickle would invoke, and header checks for
//! safetensors, GGUF and numpy files. Nothing here loads, imports or unpickles what it reads.

mod analyzer;
#[cfg(test)]
mod examples;
pub mod gguf;
pub mod numpy;
pub mod onnx;
pub mod pickle;
pub mod policy;
pub mod protobuf;
pub mod safetensors;
pub mod savedmodel;
pub mod scan;
pub mod signing;
pub mod sniff;

pub use analyzer::{ModelsAnalyzer, NAME};
/// The archive readers, from `warden-archive`.
pub use warden_archive::{tar, zip};
