"""OWASP-Benchmark-style test case BenchmarkTest00002."""
import os
import shlex
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00002", __name__)


@bp.route("/benchmark/BenchmarkTest00002", methods=["GET", "POST"])
def benchmarktest00002():
    param = request.form.get("BenchmarkTest00002", "")
    mapping = {"keyA": "a_Value", "keyB": param, "keyC": "another_Value"}
    bar = mapping["keyA"]
    os.system("echo " + bar)
    return jsonify(ok=True)
