"""Password hashing with Argon2id (argon2-cffi), rehashed on login when parameters change."""

from __future__ import annotations

import contextlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from app.auth.password_policy import MAX_LENGTH

# Verified against when the email is unknown, so a miss costs as long as a hit.
_DUMMY_HASH_SOURCE = "sibimtek-timing-equaliser"
_dummy_hashes: dict[int, str] = {}


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    if len(password) > MAX_LENGTH:  # the policy refuses these before; never hash megabytes
        raise ValueError("password too long to hash")
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash costs as long as a wrong password. Input longer
    than any password that can be set is wrong without being hashed (a 5 MB "password" costs nothing)."""
    if len(password) > MAX_LENGTH:
        return False
    hasher = _hasher()
    if not password_hash:
        key = hasher.time_cost * 1_000_000 + hasher.memory_cost
        if key not in _dummy_hashes:
            _dummy_hashes[key] = hasher.hash(_DUMMY_HASH_SOURCE)
        with contextlib.suppress(VerificationError, InvalidHashError):
            hasher.verify(_dummy_hashes[key], password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
