import shlex
import subprocess

from flask import jsonify

from flask_shop import app
from flask_shop.utils import get_target_host


@app.route("/admin/ping", methods=["POST"])
def ping_host():
    host = get_target_host()
    result = subprocess.run(f"ping -c 1 {host}", shell=True, capture_output=True, text=True)  # VULN:cmdi
    return jsonify({"rc": result.returncode, "out": result.stdout})


@app.route("/admin/ping-quoted", methods=["POST"])
def ping_host_quoted():
    host = shlex.quote(get_target_host())
    result = subprocess.run(f"ping -c 1 {host}", shell=True, capture_output=True, text=True)
    return jsonify({"rc": result.returncode, "out": result.stdout})


@app.route("/admin/traceroute", methods=["POST"])
def traceroute_host():
    host = get_target_host()
    result = subprocess.run(["traceroute", "-m", "10", "--", host], capture_output=True, text=True)
    return jsonify({"rc": result.returncode, "out": result.stdout})
