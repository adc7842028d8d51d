"""OWASP-Benchmark-style test case BenchmarkTest00044."""
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00044", __name__)


@bp.route("/benchmark/BenchmarkTest00044", methods=["GET", "POST"])
def benchmarktest00044():
    param = request.cookies.get("BenchmarkTest00044", "")
    bar = str(int(param))
    value = eval(bar)
    return jsonify(result=str(value))
