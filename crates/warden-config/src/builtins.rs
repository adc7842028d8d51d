//! Checks a path test cannot express, by name (`call = "image-unpinned"`). Each returns where it found the
//! problem (the node it was given, or a better one inside it), or `None`.

use crate::tree::{Kind, NodeId, Tree};

#[derive(Clone, Copy)]
pub struct Builtin {
    pub name: &'static str,
    pub check: fn(&Tree, NodeId) -> Option<NodeId>,
}

impl std::fmt::Debug for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "image-unpinned",
        check: |t, n| {
            image_ref(t, n)
                .filter(|r| r.digest.is_none() && r.tag.is_none_or(|t| t == "latest"))
                .map(|_| n)
        },
    },
    Builtin {
        name: "image-undigested",
        check: |t, n| image_ref(t, n).filter(|r| r.digest.is_none()).map(|_| n),
    },
    Builtin {
        name: "action-unpinned",
        check: |t, n| action_unpinned(t.str(n)?).then_some(n),
    },
    Builtin {
        name: "literal-value",
        check: |t, n| literal_value(t, n).then_some(n),
    },
    Builtin {
        name: "dockerfile-root-user",
        check: dockerfile_root_user,
    },
];

pub fn by_name(name: &str) -> Option<Builtin> {
    BUILTINS.iter().find(|b| b.name == name).copied()
}

/// An image reference split into its parts.
#[derive(Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Parses `registry:5000/repo/name:tag@sha256:…`. `None` for what is not a literal image reference
/// (variables, templates, `scratch`).
pub fn parse_image(s: &str) -> Option<ImageRef<'_>> {
    let s = s.trim();
    if s.is_empty() || s == "scratch" || s.contains(['(', ' ', '<']) || s.starts_with('-') {
        return None;
    }
    // A variable may name the registry or repository (`$CI_REGISTRY/acme/app:latest`), but the last path
    // segment (name, tag, digest) must be written out to be judged.
    if s.contains(['$', '{']) {
        let last = s.rsplit('/').next().unwrap_or(s);
        if !s.contains('/') || last.contains(['$', '{', '}']) {
            return None;
        }
    }
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    // A colon after the last slash is a tag; one before it is a registry port.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if name.is_empty() {
        return None;
    }
    Some(ImageRef { name, tag, digest })
}

fn image_ref(t: &Tree, n: NodeId) -> Option<ImageRef<'_>> {
    if t.kind(n) != Kind::Str {
        return None;
    }
    parse_image(t.text(n))
}

/// `uses:` of a GitHub Actions step or job, pinned unless its ref is a full commit SHA (local actions and
/// digest-pinned docker images are pinned by nature).
pub fn action_unpinned(uses: &str) -> bool {
    let u = uses.trim();
    if u.starts_with("./") || u.starts_with(".\\") || u.contains("${{") {
        return false;
    }
    if let Some(img) = u.strip_prefix("docker://") {
        return !img.contains("@sha256:");
    }
    match u.rsplit_once('@') {
        Some((_, r)) => !(r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit())),
        None => true,
    }
}

/// A value written out in the file, not a reference to one (`${VAR}`, `$(cat …)`, `{{ … }}`, `${{ secrets.X }}`,
/// `<placeholder>`), nor empty.
pub fn literal_value(t: &Tree, n: NodeId) -> bool {
    let Some(s) = t.str(n) else { return false };
    let s = s.trim();
    !(s.is_empty()
        || s.starts_with('$')
        || s.contains("${")
        || s.contains("{{")
        || s.contains("((")
        || (s.starts_with('<') && s.ends_with('>')))
}

/// A Dockerfile's last stage runs as root: it has no `USER`, or its last `USER` is root. Points at the last
/// `USER root`, or at the final stage's `FROM`.
fn dockerfile_root_user(t: &Tree, root: NodeId) -> Option<NodeId> {
    // A stage that starts `FROM an-earlier-stage` inherits that stage's user.
    let mut stages: Vec<(String, Option<NodeId>)> = Vec::new();
    let mut last_from = None;
    let mut last_user = None;
    let mut alias = String::new();
    for &i in t.elems(root) {
        match t.get_str(i, "instruction") {
            Some("FROM") => {
                if last_from.is_some() {
                    stages.push((std::mem::take(&mut alias), last_user));
                }
                last_from = Some(i);
                alias = t.get_str(i, "alias").unwrap_or("").to_ascii_lowercase();
                let base = t
                    .get_str(i, "value")
                    .and_then(|v| v.split_whitespace().next())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                last_user = if t.get(i, "image").is_none() {
                    stages
                        .iter()
                        .rev()
                        .find(|(a, _)| !a.is_empty() && *a == base)
                        .and_then(|(_, u)| *u)
                } else {
                    None
                };
            }
            Some("USER") => last_user = Some(i),
            _ => {}
        }
    }
    let from = last_from?;
    match last_user {
        None => Some(from),
        Some(u) => {
            let who = t.get_str(u, "value").unwrap_or("").trim();
            let user = who.split(':').next().unwrap_or("");
            matches!(user, "root" | "0").then_some(u)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images() {
        assert_eq!(
            parse_image("localhost:5000/a/b:1.2@sha256:abc"),
            Some(ImageRef {
                name: "localhost:5000/a/b",
                tag: Some("1.2"),
                digest: Some("sha256:abc")
            })
        );
        assert_eq!(parse_image("localhost:5000/a").unwrap().tag, None);
        assert_eq!(parse_image("nginx").unwrap().tag, None);
        assert_eq!(parse_image("${IMAGE}"), None);
        assert_eq!(parse_image("$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"), None);
        assert_eq!(parse_image("${REGISTRY}/app:${TAG}"), None);
        assert_eq!(
            parse_image("$CI_REGISTRY/acme/app:latest").unwrap().tag,
            Some("latest")
        );
        assert_eq!(
            parse_image("${REGISTRY}/acme/app:1.2").unwrap().tag,
            Some("1.2")
        );
        assert_eq!(parse_image("scratch"), None);
    }

    #[test]
    fn actions() {
        assert!(action_unpinned("actions/checkout@v4"));
        assert!(action_unpinned("actions/checkout"));
        assert!(!action_unpinned(
            "actions/checkout@8e5e7e5ab8b370d6c329ec480221332ada57f0ab"
        ));
        assert!(!action_unpinned("./.github/actions/x"));
        assert!(action_unpinned("docker://alpine:3"));
        assert!(!action_unpinned("docker://alpine@sha256:0123"));
    }
}
