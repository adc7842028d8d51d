"""OWASP-Benchmark-style test case BenchmarkTest00011."""
import sqlite3
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00011", __name__)


@bp.route("/benchmark/BenchmarkTest00011", methods=["GET", "POST"])
def benchmarktest00011():
    param = request.cookies.get("BenchmarkTest00011", "")
    num = 196
    bar = "This_should_never_happen" if (7 * 42) - num > 200 else param
    conn = sqlite3.connect("/srv/benchmark/bench.db")
    conn.execute("SELECT * FROM users WHERE name = '" + bar + "'")  # VULN:sqli
    return jsonify(ok=True)
