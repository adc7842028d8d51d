"""OWASP-Benchmark-style test case BenchmarkTest00021."""
import os
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00021", __name__)


@bp.route("/benchmark/BenchmarkTest00021", methods=["GET", "POST"])
def benchmarktest00021():
    param = (request.get_json(silent=True) or {}).get("BenchmarkTest00021", "")
    tmp = param
    bar = tmp
    fh = open(os.path.join("/srv/benchmark/testfiles", bar), "rb")  # VULN:path
    data = fh.read()
    fh.close()
    return jsonify(size=len(data))
