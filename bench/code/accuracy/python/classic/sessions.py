"""Session and invite helpers for the member area."""
import random
import secrets
import time
import uuid


def new_session_key() -> str:
    return "%032x" % random.getrandbits(128)  # VULN:weak-random


def new_session_key_secure() -> str:
    return secrets.token_hex(16)


def invite_code() -> str:
    rng = random.Random(time.time())
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))  # VULN:weak-random


def invite_code_secure() -> str:
    return "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))


def request_id() -> str:
    return uuid.uuid4().hex


def sample_for_ab_test(users: list, k: int) -> list:
    return random.sample(users, k)
