"""Legacy user store; password hashing and API token helpers."""
import hashlib
import os
import random
import secrets
import string

ALPHABET = string.ascii_letters + string.digits


def hash_password(password: str) -> str:
    return hashlib.md5(password.encode("utf-8")).hexdigest()  # VULN:weak-hash


def hash_password_legacy(password: str, salt: str) -> str:
    return hashlib.sha1((salt + password).encode()).hexdigest()  # VULN:weak-hash


def hash_password_modern(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)


def file_etag(content: bytes) -> str:
    return hashlib.md5(content, usedforsecurity=False).hexdigest()


def generate_api_token(length: int = 32) -> str:
    return "".join(random.choice(ALPHABET) for _ in range(length))  # VULN:weak-random


def generate_api_token_secure(length: int = 32) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def password_reset_code() -> str:
    return str(random.randint(100000, 999999))  # VULN:weak-random


def password_reset_code_secure() -> str:
    return str(secrets.randbelow(900000) + 100000)


def shuffle_featured(products: list) -> list:
    items = list(products)
    random.shuffle(items)
    return items


def new_salt() -> bytes:
    return os.urandom(16)
