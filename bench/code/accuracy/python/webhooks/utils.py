"""Request accessors for the webhook console."""
from flask import request

KNOWN_EVENTS = ("order.created", "order.paid", "order.refunded")


def get_target():
    return request.args["target"]


def get_event_name():
    return request.args.get("event", "order.created")


def get_known_event():
    event = request.args.get("event", "order.created")
    return event if event in KNOWN_EVENTS else "order.created"


def get_filter_expr():
    return request.values.get("filter", "True")
