"""OWASP-Benchmark-style test case BenchmarkTest00035."""
import os
import shlex
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00035", __name__)


@bp.route("/benchmark/BenchmarkTest00035", methods=["GET", "POST"])
def benchmarktest00035():
    param = request.values.get("BenchmarkTest00035", "")
    num = 196
    bar = "This_should_never_happen" if (7 * 42) - num > 200 else param
    os.system("echo " + bar)  # VULN:cmdi
    return jsonify(ok=True)
