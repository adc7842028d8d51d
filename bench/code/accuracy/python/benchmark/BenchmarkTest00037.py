"""OWASP-Benchmark-style test case BenchmarkTest00037."""
import sqlite3
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00037", __name__)


@bp.route("/benchmark/BenchmarkTest00037", methods=["GET", "POST"])
def benchmarktest00037():
    param = request.args.get("BenchmarkTest00037", "")
    tmp = param
    bar = tmp
    conn = sqlite3.connect("/srv/benchmark/bench.db")
    conn.execute("SELECT * FROM users WHERE name = '" + bar + "'")  # VULN:sqli
    return jsonify(ok=True)
