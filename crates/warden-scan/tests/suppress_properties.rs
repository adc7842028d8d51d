//! Inline-suppression parsing takes any line without panicking, and a bare marker always suppresses.

use proptest::prelude::*;
use warden_scan::suppress::{is_suppressed, line_ignores, nth_line};

proptest! {
    #[test]
    fn any_bytes_are_fine(line in prop::collection::vec(any::<u8>(), 0..200), n in 0u32..10) {
        let _ = line_ignores(&line, "secrets/x");
        let _ = is_suppressed(&line, n, "secrets/x");
        prop_assert!(nth_line(&line, n).len() <= line.len());
    }

    #[test]
    fn bare_marker_suppresses(prefix in "[^\n]{0,40}", id in "[a-z]{1,10}/[a-z-]{1,20}") {
        let line = format!("{prefix} warden:ignore");
        prop_assert!(line_ignores(line.as_bytes(), &id));
    }
}
