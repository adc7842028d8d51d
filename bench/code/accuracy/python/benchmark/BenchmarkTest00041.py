"""OWASP-Benchmark-style test case BenchmarkTest00041."""
import os
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00041", __name__)


@bp.route("/benchmark/BenchmarkTest00041", methods=["GET", "POST"])
def benchmarktest00041():
    param = request.args.get("BenchmarkTest00041", "")
    bar = param
    bar = "This_should_always_happen"
    fh = open(os.path.join("/srv/benchmark/testfiles", bar), "rb")
    data = fh.read()
    fh.close()
    return jsonify(size=len(data))
