//! Each ecosystem's version order, for matching OSV `ECOSYSTEM` and `SEMVER` ranges.
