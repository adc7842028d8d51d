"""OWASP-Benchmark-style test case BenchmarkTest00030."""
import html
from flask import Blueprint, jsonify, request
from flask import render_template_string

bp = Blueprint("benchmarktest00030", __name__)


@bp.route("/benchmark/BenchmarkTest00030", methods=["GET", "POST"])
def benchmarktest00030():
    param = request.form.get("BenchmarkTest00030", "")
    bar = html.escape(param)
    html = render_template_string("<p>" + bar + "</p>")
    return html
