"""OWASP-Benchmark-style test case BenchmarkTest00017."""
import os
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00017", __name__)


@bp.route("/benchmark/BenchmarkTest00017", methods=["GET", "POST"])
def benchmarktest00017():
    param = request.form.get("BenchmarkTest00017", "")
    num = 86
    bar = "This_should_always_happen" if (7 * 42) - num > 200 else param
    fh = open(os.path.join("/srv/benchmark/testfiles", bar), "rb")
    data = fh.read()
    fh.close()
    return jsonify(size=len(data))
