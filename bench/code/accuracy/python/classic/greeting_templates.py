from flask import Flask, render_template_string, request
from jinja2 import Environment, Template

app = Flask(__name__)
env = Environment(autoescape=True)


@app.route("/hello")
def hello():
    name = request.args.get("name", "guest")
    return render_template_string(f"<h1>Hello {name}!</h1>")  # VULN:ssti


@app.route("/hello-safe")
def hello_safe():
    name = request.args.get("name", "guest")
    return render_template_string("<h1>Hello {{ name }}!</h1>", name=name)


@app.route("/preview", methods=["POST"])
def preview_email():
    body = request.form["template"]
    return Template(body).render(customer="Ada")  # VULN:ssti


@app.route("/preview-fixed", methods=["POST"])
def preview_email_fixed():
    customer = request.form["customer"]
    return Template("Dear {{ customer }}, your order has shipped.").render(customer=customer)


@app.route("/banner")
def banner():
    text = request.args.get("text", "")
    tpl = env.from_string("<div class='banner'>" + text + "</div>")  # VULN:ssti
    return tpl.render()
