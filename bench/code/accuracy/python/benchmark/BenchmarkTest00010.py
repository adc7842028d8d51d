"""OWASP-Benchmark-style test case BenchmarkTest00010."""
import sqlite3
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00010", __name__)


@bp.route("/benchmark/BenchmarkTest00010", methods=["GET", "POST"])
def benchmarktest00010():
    param = request.form.get("BenchmarkTest00010", "")
    values = ["safe", param, "moresafe"]
    values.pop(0)
    bar = values[1]
    conn = sqlite3.connect("/srv/benchmark/bench.db")
    conn.execute("SELECT * FROM users WHERE name = '" + bar + "'")
    return jsonify(ok=True)
