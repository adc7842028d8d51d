"""OWASP-Benchmark-style test case BenchmarkTest00006."""
import shlex
import subprocess
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00006", __name__)


@bp.route("/benchmark/BenchmarkTest00006", methods=["GET", "POST"])
def benchmarktest00006():
    param = request.args.get("BenchmarkTest00006", "")
    num = 86
    bar = "This_should_always_happen" if (7 * 42) - num > 200 else param
    subprocess.run("ls -l " + bar, shell=True, check=False)
    return jsonify(ok=True)
