"""OWASP-Benchmark-style test case BenchmarkTest00027."""
import requests
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00027", __name__)


def do_something(value):
    prefix = "x"
    return value if prefix else ""


def do_something_constant(value):
    del value
    return "safe_constant"


@bp.route("/benchmark/BenchmarkTest00027", methods=["GET", "POST"])
def benchmarktest00027():
    param = request.cookies.get("BenchmarkTest00027", "")
    bar = do_something_constant(param)
    resp = requests.get("https://" + bar + "/health", timeout=3)
    return jsonify(status=resp.status_code)
