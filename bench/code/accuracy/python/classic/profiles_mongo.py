from flask import Flask, jsonify, request
from pymongo import MongoClient

app = Flask(__name__)
db = MongoClient("mongodb://localhost:27017")["social"]


@app.route("/profiles/lookup")
def lookup_profile():
    name = request.args.get("name", "")
    doc = db.profiles.find_one({"$where": f"this.username == '{name}'"})  # VULN:nosqli
    return jsonify(doc or {})


@app.route("/profiles/lookup-safe")
def lookup_profile_safe():
    name = request.args.get("name", "")
    doc = db.profiles.find_one({"username": str(name)})
    return jsonify(doc or {})


@app.route("/profiles/filter", methods=["POST"])
def filter_profiles():
    criteria = request.get_json()
    docs = list(db.profiles.find(criteria, {"_id": 0}))  # VULN:nosqli
    return jsonify(docs)


@app.route("/profiles/filter-safe", methods=["POST"])
def filter_profiles_safe():
    body = request.get_json()
    criteria = {"city": str(body.get("city", "")), "active": True}
    docs = list(db.profiles.find(criteria, {"_id": 0}))
    return jsonify(docs)
