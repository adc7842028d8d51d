"""Spreadsheet helper that asks Claude for formulas."""
import ast
import json
import os

import anthropic
from flask import Flask, jsonify, request

app = Flask(__name__)
client = anthropic.Anthropic(api_key=os.environ["ANTHROPIC_API_KEY"])
MODEL = "claude-sonnet-4-20250514"


def ask_claude(prompt: str) -> str:
    message = client.messages.create(
        model=MODEL,
        max_tokens=256,
        system="Reply with a single Python arithmetic expression and nothing else.",
        messages=[{"role": "user", "content": prompt}],
    )
    return message.content[0].text


@app.route("/formula", methods=["POST"])
def formula():
    expression = ask_claude(request.json["description"])
    value = eval(expression)  # VULN:llm-output
    return jsonify(expression=expression, value=value)


@app.route("/formula-literal", methods=["POST"])
def formula_literal():
    expression = ask_claude(request.json["description"])
    value = ast.literal_eval(expression)
    return jsonify(expression=expression, value=value)


@app.route("/cleanup", methods=["POST"])
def cleanup():
    message = client.messages.create(
        model=MODEL,
        max_tokens=256,
        system="Suggest a shell command to free disk space on the build host.",
        messages=[{"role": "user", "content": request.json["situation"]}],
    )
    os.system(message.content[0].text)  # VULN:llm-output
    return jsonify(done=True)


@app.route("/cleanup-plan", methods=["POST"])
def cleanup_plan():
    message = client.messages.create(
        model=MODEL,
        max_tokens=256,
        system="Suggest a shell command to free disk space on the build host.",
        messages=[{"role": "user", "content": request.json["situation"]}],
    )
    plan = {"suggestion": message.content[0].text, "approved": False}
    with open("/srv/plans/pending.json", "w") as fh:
        json.dump(plan, fh)
    return jsonify(queued=True)


@app.route("/persona", methods=["POST"])
def persona_chat():
    persona = request.json["persona"]
    message = client.messages.create(  # VULN:prompt-injection
        model=MODEL,
        max_tokens=512,
        system=f"You are {persona}. Stay in character.",
        messages=[{"role": "user", "content": request.json["text"]}],
    )
    return jsonify(reply=message.content[0].text)


@app.route("/persona-fixed", methods=["POST"])
def persona_chat_fixed():
    persona = "a patient maths tutor"
    message = client.messages.create(
        model=MODEL,
        max_tokens=512,
        system=f"You are {persona}. Stay in character.",
        messages=[{"role": "user", "content": request.json["text"]}],
    )
    return jsonify(reply=message.content[0].text)
