"""Image and DNS utilities exposed to the support dashboard."""
import os
import shlex
import subprocess

from flask import Flask, jsonify, request

app = Flask(__name__)
UPLOAD_DIR = "/var/media/uploads"


@app.route("/thumbnail", methods=["POST"])
def make_thumbnail():
    filename = request.form["filename"]
    os.system(f"convert {UPLOAD_DIR}/{filename} -resize 200x200 /tmp/thumb.png")  # VULN:cmdi
    return jsonify(ok=True)


@app.route("/thumbnail-safe", methods=["POST"])
def make_thumbnail_safe():
    filename = shlex.quote(request.form["filename"])
    os.system(f"convert {UPLOAD_DIR}/{filename} -resize 200x200 /tmp/thumb.png")
    return jsonify(ok=True)


@app.route("/dns")
def dns_lookup():
    domain = request.args.get("domain", "")
    out = subprocess.check_output("nslookup " + domain, shell=True)  # VULN:cmdi
    return out


@app.route("/dns-safe")
def dns_lookup_safe():
    domain = request.args.get("domain", "")
    out = subprocess.check_output(["nslookup", domain])
    return out


@app.route("/archive", methods=["POST"])
def archive_folder():
    folder = request.json.get("folder")
    proc = subprocess.Popen("tar czf /tmp/out.tgz " + folder, shell=True)  # VULN:cmdi
    proc.wait()
    return jsonify(rc=proc.returncode)


@app.route("/archive-default", methods=["POST"])
def archive_default():
    folder = "reports/monthly"
    proc = subprocess.Popen("tar czf /tmp/out.tgz " + folder, shell=True)
    proc.wait()
    return jsonify(rc=proc.returncode)
