"""OWASP-Benchmark-style test case BenchmarkTest00020."""
import os
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00020", __name__)


@bp.route("/benchmark/BenchmarkTest00020", methods=["GET", "POST"])
def benchmarktest00020():
    param = request.args.get("BenchmarkTest00020", "")
    bar = os.path.basename(param)
    fh = open(os.path.join("/srv/benchmark/testfiles", bar), "rb")
    data = fh.read()
    fh.close()
    return jsonify(size=len(data))
