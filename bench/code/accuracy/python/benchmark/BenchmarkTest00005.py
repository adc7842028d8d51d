"""OWASP-Benchmark-style test case BenchmarkTest00005."""
import shlex
import subprocess
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00005", __name__)


@bp.route("/benchmark/BenchmarkTest00005", methods=["GET", "POST"])
def benchmarktest00005():
    param = request.values.get("BenchmarkTest00005", "")
    values = ["safe", param, "moresafe"]
    values.pop(0)
    bar = values[0]
    subprocess.run("ls -l " + bar, shell=True, check=False)  # VULN:cmdi
    return jsonify(ok=True)
