"""Tests of the read-only API; `bearer` gives an account a token for the requests of a test."""

from __future__ import annotations

from itertools import count

from flask import Flask

from app.auth import api_tokens
from app.auth.models import User
from app.extensions import db

_numbers = count(1)


def bearer(app: Flask, user_id: int) -> dict[str, str]:
    """The Authorization header of a new token of the account `user_id` (each with its own name)."""
    with app.app_context(), app.test_request_context():
        made = api_tokens.create_token(db.session.get(User, user_id), f"test {next(_numbers)}")
        db.session.commit()
        return {"Authorization": f"Bearer {made.secret}"}
