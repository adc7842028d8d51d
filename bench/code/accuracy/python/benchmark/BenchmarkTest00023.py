"""OWASP-Benchmark-style test case BenchmarkTest00023."""
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00023", __name__)


@bp.route("/benchmark/BenchmarkTest00023", methods=["GET", "POST"])
def benchmarktest00023():
    param = request.args.get("BenchmarkTest00023", "")
    bar = param
    bar = "This_should_always_happen"
    value = eval(bar)
    return jsonify(result=str(value))
