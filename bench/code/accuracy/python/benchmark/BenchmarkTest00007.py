"""OWASP-Benchmark-style test case BenchmarkTest00007."""
import shlex
import subprocess
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00007", __name__)


@bp.route("/benchmark/BenchmarkTest00007", methods=["GET", "POST"])
def benchmarktest00007():
    param = (request.get_json(silent=True) or {}).get("BenchmarkTest00007", "")
    bar = "{} ".format(param).strip()
    subprocess.run("ls -l " + bar, shell=True, check=False)  # VULN:cmdi
    return jsonify(ok=True)
