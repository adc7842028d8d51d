"""OWASP-Benchmark-style test case BenchmarkTest00008."""
import os
import shlex
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00008", __name__)


@bp.route("/benchmark/BenchmarkTest00008", methods=["GET", "POST"])
def benchmarktest00008():
    param = request.args.get("BenchmarkTest00008", "")
    bar = shlex.quote(param)
    os.system("echo " + bar)
    return jsonify(ok=True)
