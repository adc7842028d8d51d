//! Bounded archive readers shared by the analyzers that look inside archives (model containers, credentials
//! in packages): a zip reader that tolerates what real loaders tolerate (the "encrypted" flag bit PyTorch
//! ignores, local/central name mismatches, prepended or trailing data) and reports it, with member counts,
//! decompression ratios and names bounded; and a streaming tar reader with capped records. Neither holds a
//! member in memory: members are read as streams.
//!
//! Written by hand rather than with the `zip` and `tar` crates; each module says why.

pub mod compress;
pub mod tar;
pub mod zip;
