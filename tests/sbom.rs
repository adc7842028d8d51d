//! `warden sbom`: packages from lockfiles and manifests of several ecosystems, as CycloneDX 1.6 and SPDX 2.3
//! (both validated against their official schemas) and warden's JSON.

mod common;
use common::*;

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_repo(d);
    write(
        d,
        "web/package-lock.json",
        r#"{"name": "web", "lockfileVersion": 3, "requires": true, "packages": {
  "": {"name": "web", "dependencies": {"express": "^4.19.0"}, "devDependencies": {"jest": "^29.0.0"}},
  "node_modules/express": {"version": "4.19.2", "resolved": "https://registry.npmjs.org/express/-/express-4.19.2.tgz"},
  "node_modules/ms": {"version": "2.1.3", "resolved": "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz"},
  "node_modules/jest": {"version": "29.7.0", "dev": true, "resolved": "https://registry.npmjs.org/jest/-/jest-29.7.0.tgz"}
}}
"#,
    );
    write(
        d,
        "api/requirements.txt",
        "Django==4.2.11\nrequests==2.32.3\n",
    );
    write(
        d,
        "svc/go.mod",
        "module example.com/svc\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.1\n\tgolang.org/x/net v0.24.0 // indirect\n)\n",
    );
    dir
}

fn sbom(dir: &std::path::Path, format: &str) -> serde_json::Value {
    let out = warden()
        .args(["sbom", ".", "--format", format])
        .current_dir(dir)
        .assert()
        .code(0);
    json(&out.get_output().stdout)
}

#[test]
fn cyclonedx_sbom_is_valid_and_complete() {
    let dir = repo();
    let doc = sbom(dir.path(), "cyclonedx");
    let errors = cyclonedx_errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let comps = doc["components"].as_array().unwrap();
    let purls: Vec<&str> = comps.iter().map(|c| c["purl"].as_str().unwrap()).collect();
    for p in [
        "pkg:npm/express@4.19.2",
        "pkg:npm/ms@2.1.3",
        "pkg:npm/jest@29.7.0",
        "pkg:pypi/django@4.2.11",
        "pkg:pypi/requests@2.32.3",
        "pkg:golang/github.com/gin-gonic/gin@v1.9.1",
        "pkg:golang/golang.org/x/net@v0.24.0",
    ] {
        assert!(purls.contains(&p), "{p} in {purls:?}");
    }
    let by = |purl: &str| comps.iter().find(|c| c["purl"] == purl).unwrap();
    assert_eq!(by("pkg:npm/jest@29.7.0")["scope"], "excluded");
    assert_eq!(by("pkg:npm/express@4.19.2")["scope"], "required");
    let dep = |purl: &str| {
        by(purl)["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "warden:dependency")
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(dep("pkg:npm/express@4.19.2"), "direct");
    assert_eq!(dep("pkg:npm/ms@2.1.3"), "transitive");
    assert_eq!(dep("pkg:golang/golang.org/x/net@v0.24.0"), "transitive");
    assert_eq!(
        by("pkg:pypi/django@4.2.11")["evidence"]["occurrences"][0]["location"],
        "api/requirements.txt"
    );
}

#[test]
fn spdx_and_json_sboms() {
    let dir = repo();
    let doc = sbom(dir.path(), "spdx");
    let errors = spdx_errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    let pkgs = doc["packages"].as_array().unwrap();
    // The subject and seven packages.
    assert_eq!(pkgs.len(), 8);
    let rels = doc["relationships"].as_array().unwrap();
    assert!(rels
        .iter()
        .any(|r| r["relationshipType"] == "DEV_DEPENDENCY_OF"));
    let ids: std::collections::HashSet<&str> =
        pkgs.iter().map(|p| p["SPDXID"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), pkgs.len());

    let doc = sbom(dir.path(), "json");
    let p = doc["packages"].as_array().unwrap();
    let django = p
        .iter()
        .find(|x| x["purl"] == "pkg:pypi/django@4.2.11")
        .unwrap();
    assert_eq!(django["direct"], true);
    assert_eq!(django["locations"][0]["line"], 1);
}

#[test]
fn a_malformed_lockfile_is_named_and_the_rest_is_listed() {
    let dir = repo();
    write(
        dir.path(),
        "bad/package-lock.json",
        "{\"packages\": {\n  \"node_modules/x\": [\n",
    );
    let out = warden()
        .args(["sbom", ".", "--format", "json"])
        .current_dir(dir.path())
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("bad/package-lock.json"), "{err}");
    let doc = json(&out.get_output().stdout);
    assert_eq!(doc["packages"].as_array().unwrap().len(), 7);
}

#[test]
fn a_yarn_workspace_member_declares_what_the_root_lockfile_locks() {
    // yarn classic's lockfile says nothing about workspaces: the members' package.json files do.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "package.json",
        r#"{"name": "mono", "private": true, "workspaces": ["packages/*"]}"#,
    );
    write(
        d,
        "packages/web/package.json",
        r#"{"name": "web", "dependencies": {"react": "^18.2.0"}, "devDependencies": {"jest": "^29.7.0"}}"#,
    );
    write(
        d,
        "packages/api/package.json",
        r#"{"name": "api", "devDependencies": {"react": "^18.2.0"}}"#,
    );
    write(
        d,
        "yarn.lock",
        "# yarn lockfile v1\n\n\
         jest@^29.7.0:\n  version \"29.7.0\"\n  resolved \"https://registry.yarnpkg.com/jest/-/jest-29.7.0.tgz\"\n\n\
         loose-envify@^1.1.0:\n  version \"1.4.0\"\n  resolved \"https://registry.yarnpkg.com/loose-envify/-/loose-envify-1.4.0.tgz\"\n\n\
         react@^18.2.0:\n  version \"18.3.1\"\n  resolved \"https://registry.yarnpkg.com/react/-/react-18.3.1.tgz\"\n  dependencies:\n    loose-envify \"^1.1.0\"\n",
    );
    let doc = sbom(d, "json");
    let p = doc["packages"].as_array().unwrap();
    let get = |name: &str| {
        p.iter()
            .find(|x| x["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {doc:#}"))
            .clone()
    };
    // react is a runtime dependency of web (a dev one of api: runtime wins), jest a dev one, loose-envify neither.
    assert_eq!(
        (get("react")["direct"].clone(), get("react")["dev"].clone()),
        (true.into(), false.into())
    );
    assert_eq!(
        (get("jest")["direct"].clone(), get("jest")["dev"].clone()),
        (true.into(), true.into())
    );
    assert_eq!(get("loose-envify")["direct"], false);
}
