"""Function-calling agent for the ops chat (OpenAI tools)."""
import json
import subprocess
from pathlib import Path

import requests
from openai import OpenAI

client = OpenAI(timeout=30)
WORKSPACE = Path("/srv/workspace")
ALLOWED_COMMANDS = {"uptime": ["uptime"], "disk": ["df", "-h"], "load": ["cat", "/proc/loadavg"]}
TOOLS = [
    {"type": "function", "function": {"name": "run", "parameters": {"type": "object", "properties": {"command": {"type": "string"}}}}},
    {"type": "function", "function": {"name": "read", "parameters": {"type": "object", "properties": {"path": {"type": "string"}}}}},
    {"type": "function", "function": {"name": "fetch", "parameters": {"type": "object", "properties": {"url": {"type": "string"}}}}},
]


def next_tool_call(history: list):
    resp = client.chat.completions.create(model="gpt-4o", max_tokens=300, messages=history, tools=TOOLS)
    call = resp.choices[0].message.tool_calls[0]
    return call.function.name, json.loads(call.function.arguments)


def dispatch(history: list) -> str:
    name, args = next_tool_call(history)
    if name == "run":
        return subprocess.run(args["command"], shell=True, capture_output=True, text=True).stdout  # VULN:llm-output
    if name == "read":
        return open(args["path"]).read()  # VULN:llm-output
    if name == "fetch":
        return requests.get(args["url"], timeout=10).text  # VULN:llm-output
    return "unknown tool"


def dispatch_restricted(history: list) -> str:
    name, args = next_tool_call(history)
    if name == "run":
        argv = ALLOWED_COMMANDS.get(args.get("command", ""), ["true"])
        return subprocess.run(argv, capture_output=True, text=True).stdout
    if name == "read":
        path = (WORKSPACE / args["path"]).resolve()
        if not path.is_relative_to(WORKSPACE):
            return "refused"
        return open(path).read()
    if name == "fetch":
        return requests.get("https://status.example.com/api", params={"q": args["url"]}, timeout=10).text
    return "unknown tool"


def respond(user_text: str, style: str) -> str:
    resp = client.responses.create(  # VULN:prompt-injection
        model="gpt-4o-mini",
        instructions="You are the ops assistant. " + style,
        input=user_text,
        max_output_tokens=400,
    )
    return resp.output_text


def respond_default(user_text: str) -> str:
    resp = client.responses.create(
        model="gpt-4o-mini",
        instructions="You are the ops assistant. Be brief.",
        input=user_text,
        max_output_tokens=400,
    )
    return resp.output_text
