"""Transactional e-mail rendering."""
from jinja2 import Environment, FileSystemLoader, select_autoescape

env = Environment(loader=FileSystemLoader("templates/email"), autoescape=select_autoescape(["html"]))


def render_welcome(user_name: str, activation_link: str) -> str:
    template = env.get_template("welcome.html")
    return template.render(name=user_name, link=activation_link)


def render_receipt(order: dict) -> str:
    return env.get_template("receipt.html").render(order=order)
