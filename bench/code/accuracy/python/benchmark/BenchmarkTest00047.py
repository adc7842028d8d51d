"""OWASP-Benchmark-style test case BenchmarkTest00047."""
import requests
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00047", __name__)


@bp.route("/benchmark/BenchmarkTest00047", methods=["GET", "POST"])
def benchmarktest00047():
    param = request.values.get("BenchmarkTest00047", "")
    values = ["safe", param, "moresafe"]
    values.pop(0)
    bar = values[1]
    resp = requests.get("https://" + bar + "/health", timeout=3)
    return jsonify(status=resp.status_code)
