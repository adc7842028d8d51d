"""OWASP-Benchmark-style test case BenchmarkTest00001."""
import os
import shlex
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00001", __name__)


@bp.route("/benchmark/BenchmarkTest00001", methods=["GET", "POST"])
def benchmarktest00001():
    param = request.args.get("BenchmarkTest00001", "")
    tmp = param
    bar = tmp
    os.system("echo " + bar)  # VULN:cmdi
    return jsonify(ok=True)
