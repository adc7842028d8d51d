"""OWASP-Benchmark-style test case BenchmarkTest00039."""
import sqlite3
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00039", __name__)


@bp.route("/benchmark/BenchmarkTest00039", methods=["GET", "POST"])
def benchmarktest00039():
    param = request.cookies.get("BenchmarkTest00039", "")
    mapping = {"keyA": "a_Value", "keyB": param, "keyC": "another_Value"}
    bar = mapping["keyA"]
    conn = sqlite3.connect("/srv/benchmark/bench.db")
    conn.execute("SELECT * FROM users WHERE name = '" + bar + "'")
    return jsonify(ok=True)
