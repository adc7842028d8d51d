//! warden's findings store (work in progress on this branch): the audit chain first.

pub mod audit;
pub mod diff;
