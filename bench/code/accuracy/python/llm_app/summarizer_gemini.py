"""Link summaries with Google Gen AI."""
import os

import requests
from flask import Flask, jsonify, request
from google import genai
from google.genai import types

app = Flask(__name__)
client = genai.Client(api_key=os.environ["GEMINI_API_KEY"])
MODEL = "gemini-2.0-flash"


@app.route("/summarize", methods=["POST"])
def summarize():
    instruction = request.form["instruction"]
    article = request.form["article"]
    resp = client.models.generate_content(  # VULN:prompt-injection
        model=MODEL,
        contents=article,
        config=types.GenerateContentConfig(system_instruction=instruction, max_output_tokens=400),
    )
    return jsonify(summary=resp.text)


@app.route("/summarize-default", methods=["POST"])
def summarize_default():
    instruction = "Summarize the article in three bullet points."
    article = request.form["article"]
    resp = client.models.generate_content(
        model=MODEL,
        contents=article,
        config=types.GenerateContentConfig(system_instruction=instruction, max_output_tokens=400),
    )
    return jsonify(summary=resp.text)


@app.route("/enrich", methods=["POST"])
def enrich():
    company = request.form["company"]
    resp = client.models.generate_content(
        model=MODEL,
        contents=f"Give only the URL of the official homepage of {company}.",
        config=types.GenerateContentConfig(max_output_tokens=60),
    )
    page = requests.get(resp.text.strip(), timeout=5)  # VULN:llm-output
    return jsonify(status=page.status_code)


@app.route("/enrich-known", methods=["POST"])
def enrich_known():
    company = request.form["company"]
    resp = client.models.generate_content(
        model=MODEL,
        contents=f"Give a one-line description of {company}.",
        config=types.GenerateContentConfig(max_output_tokens=60),
    )
    page = requests.get("https://directory.example.com/search", params={"q": company}, timeout=5)
    return jsonify(description=resp.text, status=page.status_code)
