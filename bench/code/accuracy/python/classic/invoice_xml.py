import xml.etree.ElementTree as ET

import defusedxml.ElementTree as DET
from flask import Flask, jsonify, request
from lxml import etree

app = Flask(__name__)


@app.route("/invoices/import", methods=["POST"])
def import_invoice():
    parser = etree.XMLParser(resolve_entities=True, no_network=False)  # VULN:xxe
    doc = etree.fromstring(request.data, parser)
    return jsonify(total=doc.findtext("total"))


@app.route("/invoices/import-safe", methods=["POST"])
def import_invoice_safe():
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    doc = etree.fromstring(request.data, parser)
    return jsonify(total=doc.findtext("total"))


@app.route("/invoices/legacy", methods=["POST"])
def import_legacy():
    root = ET.fromstring(request.data)  # VULN:xxe
    return jsonify(total=root.findtext("total"))


@app.route("/invoices/legacy-safe", methods=["POST"])
def import_legacy_safe():
    root = DET.fromstring(request.data)
    return jsonify(total=root.findtext("total"))
