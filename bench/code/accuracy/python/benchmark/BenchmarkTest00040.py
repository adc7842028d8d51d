"""OWASP-Benchmark-style test case BenchmarkTest00040."""
import os
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00040", __name__)


@bp.route("/benchmark/BenchmarkTest00040", methods=["GET", "POST"])
def benchmarktest00040():
    param = request.values.get("BenchmarkTest00040", "")
    bar = "{} ".format(param).strip()
    fh = open(os.path.join("/srv/benchmark/testfiles", bar), "rb")  # VULN:path
    data = fh.read()
    fh.close()
    return jsonify(size=len(data))
