from urllib.parse import urlparse

import requests
from flask import abort, jsonify

from flask_shop import app
from flask_shop.utils import get_callback_url

ALLOWED_CALLBACK_HOSTS = {"hooks.partner-a.example", "erp.partner-b.example"}


@app.route("/orders/<int:order_id>/notify", methods=["POST"])
def notify_partner(order_id):
    url = get_callback_url()
    resp = requests.post(url, json={"order": order_id}, timeout=5)  # VULN:ssrf
    return jsonify({"status": resp.status_code})


@app.route("/orders/<int:order_id>/notify-checked", methods=["POST"])
def notify_partner_checked(order_id):
    url = get_callback_url()
    parsed = urlparse(url)
    if parsed.scheme != "https" or parsed.hostname not in ALLOWED_CALLBACK_HOSTS:
        abort(400)
    resp = requests.post(url, json={"order": order_id}, timeout=5)
    return jsonify({"status": resp.status_code})
