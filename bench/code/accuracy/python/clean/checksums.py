"""File checksums for the artefact cache."""
import hashlib
import hmac
import os
import secrets


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cache_key(url: str) -> str:
    return hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()


def sign(payload: bytes) -> str:
    return hmac.new(os.environ["CACHE_SIGNING_KEY"].encode(), payload, hashlib.sha256).hexdigest()


def new_download_token() -> str:
    return secrets.token_urlsafe(32)
