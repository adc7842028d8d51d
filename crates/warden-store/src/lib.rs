//! warden's findings store (in progress on this branch): the audit chain, scan matching, and the SQLite
//! backend; the PostgreSQL backend, the shared trait and the CLI follow.

pub mod audit;
pub mod diff;
pub mod model;
pub mod ops;
pub mod sqlite;

pub use model::*;
