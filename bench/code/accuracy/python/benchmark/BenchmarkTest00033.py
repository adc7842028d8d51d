"""OWASP-Benchmark-style test case BenchmarkTest00033."""
import os
import shlex
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00033", __name__)


@bp.route("/benchmark/BenchmarkTest00033", methods=["GET", "POST"])
def benchmarktest00033():
    param = (request.get_json(silent=True) or {}).get("BenchmarkTest00033", "")
    mapping = {"keyA": "a_Value", "keyB": param, "keyC": "another_Value"}
    bar = mapping["keyB"]
    os.system("echo " + bar)  # VULN:cmdi
    return jsonify(ok=True)
