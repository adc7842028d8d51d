"""Loads service settings from YAML, JSON and the environment."""
import ast
import json
import os
from pathlib import Path

import yaml

DEFAULTS = {"workers": 4, "timeout": 30}


def load_yaml(path: Path) -> dict:
    with path.open() as fh:
        return yaml.safe_load(fh) or {}


def load_json(path: Path) -> dict:
    return json.loads(path.read_text())


def parse_literal(value: str):
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value


def from_env(prefix: str = "SVC_") -> dict:
    out = dict(DEFAULTS)
    for key, value in os.environ.items():
        if key.startswith(prefix):
            out[key[len(prefix):].lower()] = parse_literal(value)
    return out
