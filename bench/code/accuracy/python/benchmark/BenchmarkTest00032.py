"""OWASP-Benchmark-style test case BenchmarkTest00032."""
from flask import Blueprint, jsonify, request
from flask import render_template_string

bp = Blueprint("benchmarktest00032", __name__)


def do_something(value):
    prefix = "x"
    return value if prefix else ""


def do_something_constant(value):
    del value
    return "safe_constant"


@bp.route("/benchmark/BenchmarkTest00032", methods=["GET", "POST"])
def benchmarktest00032():
    param = request.values.get("BenchmarkTest00032", "")
    bar = do_something(param)
    html = render_template_string("<p>" + bar + "</p>")  # VULN:ssti
    return html
