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

proptest! {
    /// The one-pass marker index answers exactly what counting lines from the top answers.
    #[test]
    fn marker_index_equals_the_line_by_line_reference(
        lines in prop::collection::vec("(# warden:ignore(\\[(x|secrets/y|z, y)\\])?|warden:ignored|text|)", 0..30),
        line in 0u32..32,
    ) {
        let text = lines.join("\n");
        let bytes = text.as_bytes();
        let reference = |id: &str| {
            line_ignores(nth_line(bytes, line), id) || line_ignores(nth_line(bytes, line.saturating_sub(1)), id)
        };
        let markers = warden_scan::suppress::Markers::new(bytes);
        for id in ["secrets/x", "secrets/y", "other/z"] {
            prop_assert_eq!(markers.suppresses(line, id), reference(id));
        }
    }
}
