#!/usr/bin/env python3
"""Derive the SAST and secret-detection report schemas (v15.2.4) from the vendored dependency-scanning one.

The dist/*.json files of GitLab's security-report-schemas are one common schema merged with a small
type-specific part (title, description, scan.type, the vulnerability location). Only the dependency-scanning
file of v15.2.4 could be vendored verbatim here; this script swaps in the SAST and secret-detection parts as
GitLab documents them. Run it from this directory: python3 derive.py
"""
import copy
import json

VERSION = "15.2.4"
BASE = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/master/dist/"

LINES = {
    "file": {"type": "string", "description": "Path to the file where the vulnerability is located."},
    "start_line": {"type": "number", "description": "The first line of the code affected by the vulnerability."},
    "end_line": {"type": "number", "description": "The last line of the code affected by the vulnerability."},
    "class": {"type": "string", "description": "Provides the name of the class where the vulnerability is located."},
    "method": {"type": "string", "description": "Provides the name of the method where the vulnerability is located."},
}

SAST_LOCATION = {
    "type": "object",
    "description": "Identifies the vulnerability's location.",
    "properties": LINES,
}

COMMIT = {
    "type": "object",
    "description": "Represents the commit in which the vulnerability was detected",
    "required": ["sha"],
    "properties": {
        "author": {"type": "string"},
        "date": {"type": "string"},
        "message": {"type": "string"},
        "sha": {"type": "string", "minLength": 1},
    },
}

SECRET_LOCATION = {
    "type": "object",
    "description": "Identifies the vulnerability's location.",
    "required": ["commit"],
    "properties": {
        "file": LINES["file"],
        "commit": COMMIT,
        "start_line": LINES["start_line"],
        "end_line": LINES["end_line"],
        "class": LINES["class"],
        "method": LINES["method"],
    },
}

KINDS = {
    "sast": (
        "Report format for GitLab SAST",
        "This schema provides the report format for Static Application Security Testing analyzers "
        "(https://docs.gitlab.com/ee/user/application_security/sast).",
        SAST_LOCATION,
    ),
    "secret_detection": (
        "Report format for GitLab Secret Detection",
        "This schema provides the the report format for the Secret Detection analyzer "
        "(https://docs.gitlab.com/ee/user/application_security/secret_detection)",
        SECRET_LOCATION,
    ),
}


def main():
    with open("dependency-scanning-report-format.json") as f:
        base = json.load(f)
    assert base["self"]["version"] == VERSION
    for kind, (title, description, location) in KINDS.items():
        name = kind.replace("_", "-") + "-report-format.json"
        s = copy.deepcopy(base)
        s["$id"] = BASE + name
        s["title"] = title
        s["description"] = description
        s["properties"]["scan"]["properties"]["type"]["enum"] = [kind]
        s["properties"]["vulnerabilities"]["items"]["properties"]["location"] = location
        with open(name, "w") as f:
            json.dump(s, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
