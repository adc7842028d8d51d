"""OWASP-Benchmark-style test case BenchmarkTest00024."""
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00024", __name__)


@bp.route("/benchmark/BenchmarkTest00024", methods=["GET", "POST"])
def benchmarktest00024():
    param = request.values.get("BenchmarkTest00024", "")
    mapping = {"keyA": "a_Value", "keyB": param, "keyC": "another_Value"}
    bar = mapping["keyB"]
    value = eval(bar)  # VULN:codei
    return jsonify(result=str(value))
