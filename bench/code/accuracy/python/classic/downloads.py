import os

from flask import Flask, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

app = Flask(__name__)
UPLOADS = "/srv/uploads"


@app.route("/files/raw")
def raw_file():
    filename = request.args["name"]
    return send_file(os.path.join(UPLOADS, filename))  # VULN:path


@app.route("/files/safe")
def safe_file():
    filename = request.args["name"]
    return send_from_directory(UPLOADS, filename)


@app.route("/files/secure")
def secure_file():
    filename = secure_filename(request.args["name"])
    return send_file(os.path.join(UPLOADS, filename))


@app.route("/logs")
def read_log():
    name = request.args.get("log", "app")
    with open(f"/var/log/myapp/{name}.log") as fh:  # VULN:path
        return fh.read()


@app.route("/upload", methods=["POST"])
def upload():
    f = request.files["file"]
    f.save(os.path.join(UPLOADS, f.filename))  # VULN:path
    return "ok"


@app.route("/upload-safe", methods=["POST"])
def upload_safe():
    f = request.files["file"]
    f.save(os.path.join(UPLOADS, secure_filename(f.filename)))
    return "ok"
