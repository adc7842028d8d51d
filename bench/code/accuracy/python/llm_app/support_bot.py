"""Customer-support assistant built on the OpenAI Python SDK."""
import os
import sqlite3
import subprocess

from flask import Flask, abort, jsonify, request
from openai import OpenAI

app = Flask(__name__)
client = OpenAI(api_key=os.environ["OPENAI_API_KEY"], timeout=30)
MODEL = "gpt-4o-mini"
ALLOWED_TONES = {"friendly", "formal", "concise"}
BASE_SYSTEM_PROMPT = "You are the support assistant for Acme Cloud. Answer only questions about Acme products."


@app.route("/assist", methods=["POST"])
def assist():
    tone = request.json.get("tone", "friendly")
    question = request.json["question"]
    system_prompt = f"{BASE_SYSTEM_PROMPT} Always answer in a {tone} tone."
    resp = client.chat.completions.create(  # VULN:prompt-injection
        model=MODEL,
        max_tokens=512,
        messages=[
            {"role": "system", "content": system_prompt},
            {"role": "user", "content": question},
        ],
    )
    return jsonify(answer=resp.choices[0].message.content)


@app.route("/assist-checked", methods=["POST"])
def assist_checked():
    tone = request.json.get("tone", "friendly")
    if tone not in ALLOWED_TONES:
        abort(400)
    question = request.json["question"]
    system_prompt = f"{BASE_SYSTEM_PROMPT} Always answer in a {tone} tone."
    resp = client.chat.completions.create(
        model=MODEL,
        max_tokens=512,
        messages=[
            {"role": "system", "content": system_prompt},
            {"role": "user", "content": question},
        ],
    )
    return jsonify(answer=resp.choices[0].message.content)


@app.route("/ops/suggest-fix", methods=["POST"])
def suggest_fix():
    error_log = request.json["log"]
    resp = client.chat.completions.create(
        model=MODEL,
        max_tokens=200,
        messages=[
            {"role": "system", "content": "Reply with one shell command that fixes the problem."},
            {"role": "user", "content": error_log},
        ],
    )
    command = resp.choices[0].message.content.strip()
    out = subprocess.run(command, shell=True, capture_output=True, text=True)  # VULN:llm-output
    return jsonify(command=command, output=out.stdout)


@app.route("/ops/suggest-fix-dry", methods=["POST"])
def suggest_fix_dry():
    error_log = request.json["log"]
    resp = client.chat.completions.create(
        model=MODEL,
        max_tokens=200,
        messages=[
            {"role": "system", "content": "Reply with one shell command that fixes the problem."},
            {"role": "user", "content": error_log},
        ],
    )
    command = resp.choices[0].message.content.strip()
    out = subprocess.run(["systemctl", "status", "acme-agent"], capture_output=True, text=True)
    return jsonify(suggested=command, status=out.stdout)


@app.route("/analytics/ask", methods=["POST"])
def text_to_sql():
    question = request.json["question"]
    resp = client.chat.completions.create(
        model=MODEL,
        max_tokens=300,
        messages=[
            {"role": "system", "content": "Translate the question into one SQLite SELECT statement."},
            {"role": "user", "content": question},
        ],
    )
    sql = resp.choices[0].message.content
    conn = sqlite3.connect("/srv/analytics.db")
    rows = conn.execute(sql).fetchall()  # VULN:llm-output
    return jsonify(rows=rows)


@app.route("/analytics/ask-safe", methods=["POST"])
def text_to_sql_safe():
    question = request.json["question"]
    resp = client.chat.completions.create(
        model=MODEL,
        max_tokens=20,
        messages=[
            {"role": "system", "content": "Reply with the name of the product the question is about."},
            {"role": "user", "content": question},
        ],
    )
    product = resp.choices[0].message.content.strip()
    conn = sqlite3.connect("/srv/analytics.db")
    rows = conn.execute("SELECT month, revenue FROM sales WHERE product = ?", (product,)).fetchall()
    return jsonify(rows=rows)
