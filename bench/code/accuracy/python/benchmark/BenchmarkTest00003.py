"""OWASP-Benchmark-style test case BenchmarkTest00003."""
import os
import shlex
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00003", __name__)


def do_something(value):
    prefix = "x"
    return value if prefix else ""


def do_something_constant(value):
    del value
    return "safe_constant"


@bp.route("/benchmark/BenchmarkTest00003", methods=["GET", "POST"])
def benchmarktest00003():
    param = request.headers.get("X-BenchmarkTest00003", "")
    bar = do_something(param)
    os.system("echo " + bar)  # VULN:cmdi
    return jsonify(ok=True)
