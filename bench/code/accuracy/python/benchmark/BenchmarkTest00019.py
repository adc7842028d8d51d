"""OWASP-Benchmark-style test case BenchmarkTest00019."""
import os
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00019", __name__)


@bp.route("/benchmark/BenchmarkTest00019", methods=["GET", "POST"])
def benchmarktest00019():
    param = request.headers.get("X-BenchmarkTest00019", "")
    mapping = {"keyA": "a_Value", "keyB": param, "keyC": "another_Value"}
    bar = mapping["keyA"]
    fh = open(os.path.join("/srv/benchmark/testfiles", bar), "rb")
    data = fh.read()
    fh.close()
    return jsonify(size=len(data))
