"""Webhook test console: replays events to subscriber endpoints."""
import subprocess

import requests
from flask import Blueprint, jsonify, render_template_string

from webhooks import utils

bp = Blueprint("webhook_console", __name__)
SAMPLE_EVENTS = [{"type": "order.created", "total": 10}, {"type": "order.paid", "total": 25}]


@bp.route("/console/replay", methods=["POST"])
def replay():
    target = utils.get_target()
    r = requests.post(target, json=SAMPLE_EVENTS[0], timeout=5)  # VULN:ssrf
    return jsonify(status=r.status_code)


@bp.route("/console/replay-default", methods=["POST"])
def replay_default():
    r = requests.post("https://hooks.internal.example/replay", json=SAMPLE_EVENTS[0], timeout=5)
    return jsonify(status=r.status_code)


@bp.route("/console/title")
def title():
    event = utils.get_event_name()
    return render_template_string("<h2>Replaying " + event + "</h2>")  # VULN:ssti


@bp.route("/console/title-known")
def title_known():
    event = utils.get_known_event()
    return render_template_string("<h2>Replaying " + event + "</h2>")


@bp.route("/console/filter")
def filter_events():
    expr = utils.get_filter_expr()
    matched = [e for e in SAMPLE_EVENTS if eval(expr, {}, dict(e))]  # VULN:codei
    return jsonify(matched)


@bp.route("/console/trace", methods=["POST"])
def trace():
    target = utils.get_target()
    out = subprocess.run("curl -sI " + target, shell=True, capture_output=True, text=True)  # VULN:cmdi
    return jsonify(headers=out.stdout)


@bp.route("/console/trace-argv", methods=["POST"])
def trace_argv():
    target = utils.get_target()
    out = subprocess.run(["curl", "-sI", "--", target], capture_output=True, text=True)
    return jsonify(headers=out.stdout)
