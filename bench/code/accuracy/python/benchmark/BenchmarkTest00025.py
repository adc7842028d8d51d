"""OWASP-Benchmark-style test case BenchmarkTest00025."""
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00025", __name__)


@bp.route("/benchmark/BenchmarkTest00025", methods=["GET", "POST"])
def benchmarktest00025():
    param = (request.get_json(silent=True) or {}).get("BenchmarkTest00025", "")
    values = ["safe", param, "moresafe"]
    values.pop(0)
    bar = values[1]
    value = eval(bar)
    return jsonify(result=str(value))
