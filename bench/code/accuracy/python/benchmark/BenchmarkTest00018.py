"""OWASP-Benchmark-style test case BenchmarkTest00018."""
import os
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00018", __name__)


@bp.route("/benchmark/BenchmarkTest00018", methods=["GET", "POST"])
def benchmarktest00018():
    param = request.cookies.get("BenchmarkTest00018", "")
    values = ["safe", param, "moresafe"]
    values.pop(0)
    bar = values[0]
    fh = open(os.path.join("/srv/benchmark/testfiles", bar), "rb")  # VULN:path
    data = fh.read()
    fh.close()
    return jsonify(size=len(data))
