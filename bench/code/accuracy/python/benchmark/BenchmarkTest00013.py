"""OWASP-Benchmark-style test case BenchmarkTest00013."""
import sqlite3
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00013", __name__)


@bp.route("/benchmark/BenchmarkTest00013", methods=["GET", "POST"])
def benchmarktest00013():
    param = request.headers.get("X-BenchmarkTest00013", "")
    bar = "{} ".format(param).strip()
    conn = sqlite3.connect("/srv/benchmark/bench.db")
    conn.execute("SELECT * FROM users WHERE name = '" + bar + "'")  # VULN:sqli
    return jsonify(ok=True)
