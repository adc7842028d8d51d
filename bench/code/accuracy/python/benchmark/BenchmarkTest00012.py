"""OWASP-Benchmark-style test case BenchmarkTest00012."""
import sqlite3
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00012", __name__)


def do_something(value):
    prefix = "x"
    return value if prefix else ""


def do_something_constant(value):
    del value
    return "safe_constant"


@bp.route("/benchmark/BenchmarkTest00012", methods=["GET", "POST"])
def benchmarktest00012():
    param = (request.get_json(silent=True) or {}).get("BenchmarkTest00012", "")
    bar = do_something_constant(param)
    conn = sqlite3.connect("/srv/benchmark/bench.db")
    conn.execute("SELECT * FROM users WHERE name = '" + bar + "'")
    return jsonify(ok=True)
