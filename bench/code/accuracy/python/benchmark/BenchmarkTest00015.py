"""OWASP-Benchmark-style test case BenchmarkTest00015."""
import sqlite3
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00015", __name__)


@bp.route("/benchmark/BenchmarkTest00015", methods=["GET", "POST"])
def benchmarktest00015():
    param = request.args.get("BenchmarkTest00015", "")
    bar = str(int(param))
    conn = sqlite3.connect("/srv/benchmark/bench.db")
    conn.execute("SELECT * FROM users WHERE name = '" + bar + "'")
    return jsonify(ok=True)
