"""OWASP-Benchmark-style test case BenchmarkTest00026."""
import requests
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00026", __name__)


@bp.route("/benchmark/BenchmarkTest00026", methods=["GET", "POST"])
def benchmarktest00026():
    param = request.args.get("BenchmarkTest00026", "")
    bar = "{} ".format(param).strip()
    resp = requests.get("https://" + bar + "/health", timeout=3)  # VULN:ssrf
    return jsonify(status=resp.status_code)
