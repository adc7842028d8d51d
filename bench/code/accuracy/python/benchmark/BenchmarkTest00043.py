"""OWASP-Benchmark-style test case BenchmarkTest00043."""
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00043", __name__)


def do_something(value):
    prefix = "x"
    return value if prefix else ""


def do_something_constant(value):
    del value
    return "safe_constant"


@bp.route("/benchmark/BenchmarkTest00043", methods=["GET", "POST"])
def benchmarktest00043():
    param = request.headers.get("X-BenchmarkTest00043", "")
    bar = do_something(param)
    value = eval(bar)  # VULN:codei
    return jsonify(result=str(value))
