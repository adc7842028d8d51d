import urllib.request
from urllib.parse import urlparse

import httpx
import requests
from flask import Flask, abort, jsonify, request

app = Flask(__name__)
PREVIEW_HOSTS = {"www.youtube.com", "vimeo.com", "github.com"}


@app.route("/preview")
def preview():
    url = request.args["url"]
    html = requests.get(url, timeout=5).text  # VULN:ssrf
    return jsonify(length=len(html))


@app.route("/preview-allowlisted")
def preview_allowlisted():
    url = request.args["url"]
    if urlparse(url).hostname not in PREVIEW_HOSTS:
        abort(400)
    html = requests.get(url, timeout=5).text
    return jsonify(length=len(html))


@app.route("/avatar")
def fetch_avatar():
    url = request.args.get("src")
    r = httpx.get(url, timeout=3.0)  # VULN:ssrf
    return r.content


@app.route("/avatar-default")
def fetch_default_avatar():
    user = request.args.get("user", "anon")
    r = httpx.get("https://avatars.example.com/default.png", params={"u": user}, timeout=3.0)
    return r.content


@app.route("/feed", methods=["POST"])
def import_feed():
    feed_url = request.form["feed"]
    with urllib.request.urlopen(feed_url) as resp:  # VULN:ssrf
        data = resp.read()
    return jsonify(size=len(data))
