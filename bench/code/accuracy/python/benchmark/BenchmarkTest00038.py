"""OWASP-Benchmark-style test case BenchmarkTest00038."""
import sqlite3
from flask import Blueprint, jsonify, request

bp = Blueprint("benchmarktest00038", __name__)


def do_something(value):
    prefix = "x"
    return value if prefix else ""


def do_something_constant(value):
    del value
    return "safe_constant"


@bp.route("/benchmark/BenchmarkTest00038", methods=["GET", "POST"])
def benchmarktest00038():
    param = request.form.get("BenchmarkTest00038", "")
    bar = do_something(param)
    conn = sqlite3.connect("/srv/benchmark/bench.db")
    conn.execute("SELECT * FROM users WHERE name = '" + bar + "'")  # VULN:sqli
    return jsonify(ok=True)
