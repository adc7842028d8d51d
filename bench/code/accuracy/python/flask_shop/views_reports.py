import os

from flask import abort, Response

from flask_shop import app
from flask_shop.utils import default_report_name, get_report_name

ALLOWED_REPORTS = {"daily-summary.csv", "weekly-summary.csv", "refunds.csv"}


@app.route("/reports/download")
def download_report():
    name = get_report_name()
    path = os.path.join(app.config["REPORT_DIR"], name)
    with open(path, "rb") as fh:  # VULN:path
        return Response(fh.read(), mimetype="text/csv")


@app.route("/reports/download-checked")
def download_report_checked():
    name = get_report_name()
    if name not in ALLOWED_REPORTS:
        abort(404)
    path = os.path.join(app.config["REPORT_DIR"], name)
    with open(path, "rb") as fh:
        return Response(fh.read(), mimetype="text/csv")


@app.route("/reports/default")
def default_report():
    path = os.path.join(app.config["REPORT_DIR"], default_report_name())
    with open(path, "rb") as fh:
        return Response(fh.read(), mimetype="text/csv")
