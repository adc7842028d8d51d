"""OWASP-Benchmark-style test case BenchmarkTest00014."""
import sqlite3
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00014", __name__)


@bp.route("/benchmark/BenchmarkTest00014", methods=["GET", "POST"])
def benchmarktest00014():
    param = request.values.get("BenchmarkTest00014", "")
    bar = param
    bar = "This_should_always_happen"
    conn = sqlite3.connect("/srv/benchmark/bench.db")
    conn.execute("SELECT * FROM users WHERE name = '" + bar + "'")
    return jsonify(ok=True)
