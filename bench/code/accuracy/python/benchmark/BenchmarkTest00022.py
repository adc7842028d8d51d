"""OWASP-Benchmark-style test case BenchmarkTest00022."""
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00022", __name__)


@bp.route("/benchmark/BenchmarkTest00022", methods=["GET", "POST"])
def benchmarktest00022():
    param = request.form.get("BenchmarkTest00022", "")
    tmp = param
    bar = tmp
    value = eval(bar)  # VULN:codei
    return jsonify(result=str(value))
