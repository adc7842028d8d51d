"""Polls upstream status pages."""
import requests

STATUS_PAGES = {
    "github": "https://www.githubstatus.com/api/v2/status.json",
    "pypi": "https://status.python.org/api/v2/status.json",
}


def fetch_status(name: str) -> str:
    url = STATUS_PAGES[name]
    resp = requests.get(url, timeout=5, verify=True)
    resp.raise_for_status()
    return resp.json()["status"]["description"]


def fetch_all() -> dict:
    return {name: fetch_status(name) for name in STATUS_PAGES}
