"""Signed, expiring links (itsdangerous) for password reset, account set-up and email checks.

Single use without a token table: a reset token carries a fingerprint of the current password
hash, so it dies the moment the password changes; a verification token dies once the
address is verified.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.errors import ExpiredToken, InvalidToken

PURPOSES = {
    "reset": "PASSWORD_RESET_MAX_AGE",
    "setup": "ACCOUNT_SETUP_MAX_AGE",
    "verify": "EMAIL_VERIFY_MAX_AGE",
}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"sibimtek-{purpose}")


def password_fingerprint(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str) -> dict[str, Any]:
    """The payload, or InvalidToken / ExpiredToken."""
    max_age = current_app.config[PURPOSES[purpose]]
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise ExpiredToken() from exc
    except BadSignature as exc:
        raise InvalidToken() from exc
    if not isinstance(payload, dict):
        raise InvalidToken()
    return payload
