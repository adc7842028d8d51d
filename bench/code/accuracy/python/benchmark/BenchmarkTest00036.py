"""OWASP-Benchmark-style test case BenchmarkTest00036."""
import shlex
import subprocess
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00036", __name__)


@bp.route("/benchmark/BenchmarkTest00036", methods=["GET", "POST"])
def benchmarktest00036():
    param = request.headers.get("X-BenchmarkTest00036", "")
    values = ["safe", param, "moresafe"]
    values.pop(0)
    bar = values[1]
    subprocess.run("ls -l " + bar, shell=True, check=False)
    return jsonify(ok=True)
