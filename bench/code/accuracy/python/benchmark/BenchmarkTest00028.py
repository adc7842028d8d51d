"""OWASP-Benchmark-style test case BenchmarkTest00028."""
import requests
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00028", __name__)


@bp.route("/benchmark/BenchmarkTest00028", methods=["GET", "POST"])
def benchmarktest00028():
    param = request.headers.get("X-BenchmarkTest00028", "")
    num = 196
    bar = "This_should_never_happen" if (7 * 42) - num > 200 else param
    resp = requests.get("https://" + bar + "/health", timeout=3)  # VULN:ssrf
    return jsonify(status=resp.status_code)
