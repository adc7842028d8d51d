"""Meeting notes writer on Amazon Bedrock."""
import json
import os
import uuid

import boto3
from flask import Flask, jsonify, request

app = Flask(__name__)
bedrock = boto3.client("bedrock-runtime", region_name="us-east-1")
MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0"
NOTES_DIR = "/srv/notes"


@app.route("/notes", methods=["POST"])
def write_notes():
    body = request.get_json()
    resp = bedrock.converse(  # VULN:prompt-injection
        modelId=MODEL_ID,
        system=[{"text": "You write meeting notes. " + body.get("house_style", "")}],
        messages=[{"role": "user", "content": [{"text": body["transcript"]}]}],
        inferenceConfig={"maxTokens": 800},
    )
    return jsonify(notes=resp["output"]["message"]["content"][0]["text"])


@app.route("/notes-default", methods=["POST"])
def write_notes_default():
    body = request.get_json()
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": "You write meeting notes. Use headings and bullet points."}],
        messages=[{"role": "user", "content": [{"text": body["transcript"]}]}],
        inferenceConfig={"maxTokens": 800},
    )
    return jsonify(notes=resp["output"]["message"]["content"][0]["text"])


@app.route("/notes/save", methods=["POST"])
def save_notes():
    body = request.get_json()
    resp = bedrock.invoke_model(
        modelId=MODEL_ID,
        body=json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
                         "messages": [{"role": "user", "content": "Suggest a file name for: " + body["title"]}]}),
    )
    suggested = json.loads(resp["body"].read())["content"][0]["text"].strip()
    with open(os.path.join(NOTES_DIR, suggested), "w") as fh:  # VULN:llm-output
        fh.write(body["notes"])
    return jsonify(saved=suggested)


@app.route("/notes/save-id", methods=["POST"])
def save_notes_id():
    body = request.get_json()
    resp = bedrock.invoke_model(
        modelId=MODEL_ID,
        body=json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
                         "messages": [{"role": "user", "content": "Suggest a title for: " + body["title"]}]}),
    )
    suggested = json.loads(resp["body"].read())["content"][0]["text"].strip()
    name = f"{uuid.uuid4().hex}.md"
    with open(os.path.join(NOTES_DIR, name), "w") as fh:
        fh.write(f"# {suggested}\n\n{body['notes']}")
    return jsonify(saved=name)
