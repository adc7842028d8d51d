import ast

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/calc")
def calc():
    expr = request.args.get("expr", "0")
    result = eval(expr)  # VULN:codei
    return jsonify(result=result)


@app.route("/calc-literal")
def calc_literal():
    expr = request.args.get("expr", "0")
    result = ast.literal_eval(expr)
    return jsonify(result=result)


@app.route("/plugins/run", methods=["POST"])
def run_plugin():
    source = request.get_json()["source"]
    namespace = {}
    exec(source, namespace)  # VULN:codei
    return jsonify(keys=sorted(namespace))


@app.route("/plugins/builtin", methods=["POST"])
def run_builtin_plugin():
    source = "def handler(x):\n    return x * 2\n"
    namespace = {}
    exec(source, namespace)
    return jsonify(keys=sorted(namespace))


@app.route("/format")
def format_value():
    fmt = request.args.get("fmt", "")
    compiled = compile(fmt, "<fmt>", "eval")  # VULN:codei
    return jsonify(result=eval(compiled, {"__builtins__": {}}))
