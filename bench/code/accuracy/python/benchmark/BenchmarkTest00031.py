"""OWASP-Benchmark-style test case BenchmarkTest00031."""
from flask import Blueprint, jsonify, request
from flask import render_template_string

bp = Blueprint("benchmarktest00031", __name__)


@bp.route("/benchmark/BenchmarkTest00031", methods=["GET", "POST"])
def benchmarktest00031():
    param = (request.get_json(silent=True) or {}).get("BenchmarkTest00031", "")
    mapping = {"keyA": "a_Value", "keyB": param, "keyC": "another_Value"}
    bar = mapping["keyA"]
    html = render_template_string("<p>" + bar + "</p>")
    return html
