"""OWASP-Benchmark-style test case BenchmarkTest00009."""
import sqlite3
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00009", __name__)


@bp.route("/benchmark/BenchmarkTest00009", methods=["GET", "POST"])
def benchmarktest00009():
    param = request.args.get("BenchmarkTest00009", "")
    mapping = {"keyA": "a_Value", "keyB": param, "keyC": "another_Value"}
    bar = mapping["keyB"]
    conn = sqlite3.connect("/srv/benchmark/bench.db")
    conn.execute("SELECT * FROM users WHERE name = '" + bar + "'")  # VULN:sqli
    return jsonify(ok=True)
