//! The supply-chain readers on arbitrary bytes: every lockfile and manifest format (the first byte picks the
//! file name), the OSV record readers (JSON and YAML), and every ecosystem's version order on the pieces of the
//! input: no panic, no stack overflow, lines inside the file, and orders that agree with themselves.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_deps::lock::{self, Input};
use warden_deps::{osv, version, Ecosystem};

const PATHS: &[&str] = &[
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "package.json",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "Pipfile",
    "pyproject.toml",
    "requirements.txt",
    "Cargo.lock",
    "Cargo.toml",
    "go.mod",
    "Gemfile.lock",
    "composer.lock",
    "composer.json",
    "pom.xml",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let path = PATHS[sel as usize % PATHS.len()];
    // Includes read the input again: cycles must be caught.
    let read = |_: &str| Some(text.to_string());
    if let Some(Ok(pkgs)) = lock::parse(&Input {
        path,
        text: &text,
        read: &read,
    }) {
        let lines = text.lines().count().max(1) as u32;
        for p in &pkgs {
            assert!(p.line >= 1 && p.line <= lines + 1, "{path}: line {} of {lines}", p.line);
            let _ = p.purl();
        }
    }
    let _ = osv::from_json(rest);
    let _ = osv::from_yaml(&text);
    let words: Vec<&str> = text.split_whitespace().take(3).collect();
    if let [a, b, ..] = words[..] {
        for eco in Ecosystem::ALL {
            if let (Some(x), Some(y)) = (version::compare(eco, a, b), version::compare(eco, b, a)) {
                assert_eq!(x, y.reverse(), "{eco:?}: {a} vs {b}");
            }
        }
    }
});
