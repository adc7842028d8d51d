"""OWASP-Benchmark-style test case BenchmarkTest00048."""
from flask import Blueprint, jsonify, request
from flask import render_template_string

bp = Blueprint("benchmarktest00048", __name__)


@bp.route("/benchmark/BenchmarkTest00048", methods=["GET", "POST"])
def benchmarktest00048():
    param = request.cookies.get("BenchmarkTest00048", "")
    tmp = param
    bar = tmp
    html = render_template_string("<p>" + bar + "</p>")  # VULN:ssti
    return html
