//! (being written)

use super::{Input, LockError};
use crate::Package;

pub fn parse(_input: &Input) -> Option<Result<Vec<Package>, LockError>> {
    None
}
