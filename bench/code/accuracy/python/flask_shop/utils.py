"""Request helpers shared by the views."""
from flask import request

DEFAULT_PAGE_SIZE = 25


def get_search_term():
    return request.args.get("q", "")


def get_report_name():
    return request.args["report"]


def get_target_host():
    return request.form.get("host", "")


def get_callback_url():
    payload = request.get_json(silent=True) or {}
    return payload.get("callback_url", "")


def get_page_size():
    try:
        return int(request.args.get("page_size", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE


def default_report_name():
    return "daily-summary.csv"
