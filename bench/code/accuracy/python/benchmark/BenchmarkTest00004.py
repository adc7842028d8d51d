"""OWASP-Benchmark-style test case BenchmarkTest00004."""
import os
import shlex
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00004", __name__)


@bp.route("/benchmark/BenchmarkTest00004", methods=["GET", "POST"])
def benchmarktest00004():
    param = request.cookies.get("BenchmarkTest00004", "")
    bar = param
    bar = "This_should_always_happen"
    os.system("echo " + bar)
    return jsonify(ok=True)
