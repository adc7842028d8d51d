"""OWASP-Benchmark-style test case BenchmarkTest00045."""
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00045", __name__)


@bp.route("/benchmark/BenchmarkTest00045", methods=["GET", "POST"])
def benchmarktest00045():
    param = request.args.get("BenchmarkTest00045", "")
    bar = "{} ".format(param).strip()
    value = eval(bar)  # VULN:codei
    return jsonify(result=str(value))
