import datetime
import os

import jwt

JWT_ALGORITHM = "HS256"


def issue_token(user_id: int) -> str:
    payload = {"sub": user_id, "exp": datetime.datetime.utcnow() + datetime.timedelta(hours=1)}
    return jwt.encode(payload, "secret", algorithm=JWT_ALGORITHM)  # VULN:jwt-secret


def issue_token_env(user_id: int) -> str:
    payload = {"sub": user_id, "exp": datetime.datetime.utcnow() + datetime.timedelta(hours=1)}
    return jwt.encode(payload, os.environ["JWT_SECRET"], algorithm=JWT_ALGORITHM)


def verify_token(token: str) -> dict:
    return jwt.decode(token, "s3cr3t-signing-key", algorithms=[JWT_ALGORITHM])  # VULN:jwt-secret


def verify_token_env(token: str) -> dict:
    return jwt.decode(token, os.environ["JWT_SECRET"], algorithms=[JWT_ALGORITHM])
