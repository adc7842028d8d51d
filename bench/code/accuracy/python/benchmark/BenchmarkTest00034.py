"""OWASP-Benchmark-style test case BenchmarkTest00034."""
import shlex
import subprocess
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00034", __name__)


def do_something(value):
    prefix = "x"
    return value if prefix else ""


def do_something_constant(value):
    del value
    return "safe_constant"


@bp.route("/benchmark/BenchmarkTest00034", methods=["GET", "POST"])
def benchmarktest00034():
    param = request.cookies.get("BenchmarkTest00034", "")
    bar = do_something_constant(param)
    subprocess.run("ls -l " + bar, shell=True, check=False)
    return jsonify(ok=True)
