import yaml
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/config/import", methods=["POST"])
def import_config():
    cfg = yaml.load(request.data)  # VULN:yaml
    return jsonify(keys=list(cfg))


@app.route("/config/import-safe", methods=["POST"])
def import_config_safe():
    cfg = yaml.safe_load(request.data)
    return jsonify(keys=list(cfg))


@app.route("/config/import-full", methods=["POST"])
def import_config_full():
    cfg = yaml.load(request.get_data(), Loader=yaml.Loader)  # VULN:yaml
    return jsonify(keys=list(cfg))


@app.route("/config/import-safeloader", methods=["POST"])
def import_config_safeloader():
    cfg = yaml.load(request.get_data(), Loader=yaml.SafeLoader)
    return jsonify(keys=list(cfg))


def load_pipeline(path):
    with open(path) as fh:
        return yaml.unsafe_load(fh)  # VULN:yaml


def load_pipeline_safe(path):
    with open(path) as fh:
        return yaml.safe_load(fh)
