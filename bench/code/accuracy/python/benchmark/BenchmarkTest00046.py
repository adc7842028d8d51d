"""OWASP-Benchmark-style test case BenchmarkTest00046."""
import requests
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00046", __name__)


@bp.route("/benchmark/BenchmarkTest00046", methods=["GET", "POST"])
def benchmarktest00046():
    param = request.form.get("BenchmarkTest00046", "")
    mapping = {"keyA": "a_Value", "keyB": param, "keyC": "another_Value"}
    bar = mapping["keyB"]
    resp = requests.get("https://" + bar + "/health", timeout=3)  # VULN:ssrf
    return jsonify(status=resp.status_code)
