"""Password hashing with Argon2id (argon2-cffi), rehashed on login when parameters change."""

from __future__ import annotations

import contextlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# Verified against when the email is unknown, so a miss costs as long as a hit.
_DUMMY_HASH_SOURCE = "sibimtek-timing-equaliser"
_dummy_hashes: dict[int, str] = {}


def _hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=current_app.config["ARGON2_TIME_COST"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash costs as long as a wrong password."""
    hasher = _hasher()
    if not password_hash:
        if hasher.time_cost not in _dummy_hashes:
            _dummy_hashes[hasher.time_cost] = hasher.hash(_DUMMY_HASH_SOURCE)
        with contextlib.suppress(VerificationError, InvalidHashError):
            hasher.verify(_dummy_hashes[hasher.time_cost], password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
