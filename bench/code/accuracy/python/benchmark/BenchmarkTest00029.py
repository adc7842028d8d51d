"""OWASP-Benchmark-style test case BenchmarkTest00029."""
from flask import Blueprint, jsonify, request
from flask import render_template_string

bp = Blueprint("benchmarktest00029", __name__)


@bp.route("/benchmark/BenchmarkTest00029", methods=["GET", "POST"])
def benchmarktest00029():
    param = request.args.get("BenchmarkTest00029", "")
    values = ["safe", param, "moresafe"]
    values.pop(0)
    bar = values[0]
    html = render_template_string("<p>" + bar + "</p>")  # VULN:ssti
    return html
