"""OWASP-Benchmark-style test case BenchmarkTest00016."""
import os
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00016", __name__)


def do_something(value):
    prefix = "x"
    return value if prefix else ""


def do_something_constant(value):
    del value
    return "safe_constant"


@bp.route("/benchmark/BenchmarkTest00016", methods=["GET", "POST"])
def benchmarktest00016():
    param = request.args.get("BenchmarkTest00016", "")
    bar = do_something(param)
    fh = open(os.path.join("/srv/benchmark/testfiles", bar), "rb")  # VULN:path
    data = fh.read()
    fh.close()
    return jsonify(size=len(data))
