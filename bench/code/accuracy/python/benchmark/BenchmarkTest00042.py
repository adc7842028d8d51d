"""OWASP-Benchmark-style test case BenchmarkTest00042."""
import os
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00042", __name__)


def do_something(value):
    prefix = "x"
    return value if prefix else ""


def do_something_constant(value):
    del value
    return "safe_constant"


@bp.route("/benchmark/BenchmarkTest00042", methods=["GET", "POST"])
def benchmarktest00042():
    param = request.form.get("BenchmarkTest00042", "")
    bar = do_something_constant(param)
    fh = open(os.path.join("/srv/benchmark/testfiles", bar), "rb")
    data = fh.read()
    fh.close()
    return jsonify(size=len(data))
