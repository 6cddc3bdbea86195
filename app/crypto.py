"""Personal numbers at rest: Fernet encryption with rotating keys, and a keyed hash for look-ups.

PII_KEYS is a comma-separated list of Fernet keys: the first encrypts, every one decrypts (so a
new key goes first and the old ones stay until `flask privacy rotate-keys` has re-encrypted
everything). PII_HASH_KEY keys the HMAC-SHA256 that stands in for the number wherever it is
compared (uniqueness, look-up). Without them (development, tests) both are derived from
SECRET_KEY; production refuses to start without them (config.ProductionConfig.check).
Keys are read from the app's config when used, never at import.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import String
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

__all__ = [
    "EncryptedString",
    "UndecryptableValue",
    "check_keys",
    "decrypt",
    "encrypt",
    "generate_hash_key",
    "generate_key",
    "keyed_hash",
    "rotate",
]

_ENCRYPTION_INFO = b"sibimtek/pii/fernet"
_HASH_INFO = b"sibimtek/pii/hmac"
MIN_HASH_KEY_LENGTH = 32


class UndecryptableValue(RuntimeError):
    """A stored value none of the PII_KEYS opens (a key was dropped too early, or another app's data)."""


def _derive(secret: str, info: bytes) -> bytes:
    """32 bytes from SECRET_KEY for one purpose (HKDF-SHA256: distinct `info`, independent keys)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())


def _key_list(keys: str | None) -> list[str]:
    return [k.strip() for k in (keys or "").split(",") if k.strip()]


@lru_cache(maxsize=8)
def _fernet(keys: str | None, secret: str) -> MultiFernet:
    listed = _key_list(keys) or [base64.urlsafe_b64encode(_derive(secret, _ENCRYPTION_INFO)).decode()]
    return MultiFernet([Fernet(k) for k in listed])


def _config(config: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return current_app.config if config is None else config


def fernet(config: Mapping[str, Any] | None = None) -> MultiFernet:
    """The app's MultiFernet: encrypts with the first key, decrypts with any."""
    cfg = _config(config)
    return _fernet(cfg.get("PII_KEYS") or None, cfg["SECRET_KEY"])


def _hash_key(config: Mapping[str, Any] | None = None) -> bytes:
    cfg = _config(config)
    key = cfg.get("PII_HASH_KEY")
    return key.encode() if key else _derive(cfg["SECRET_KEY"], _HASH_INFO)


def encrypt(value: str, config: Mapping[str, Any] | None = None) -> str:
    return fernet(config).encrypt(value.encode()).decode("ascii")


def decrypt(token: str, config: Mapping[str, Any] | None = None) -> str:
    try:
        return fernet(config).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        raise UndecryptableValue(
            "an encrypted value cannot be opened with PII_KEYS: keep every old key in PII_KEYS "
            "until `flask privacy rotate-keys` has run"
        ) from None


def rotate(token: str, config: Mapping[str, Any] | None = None) -> str:
    """The same value encrypted with the current (first) key."""
    try:
        return fernet(config).rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise UndecryptableValue("an encrypted value cannot be opened with PII_KEYS") from None


def keyed_hash(value: str, config: Mapping[str, Any] | None = None) -> str:
    """HMAC-SHA256 of `value` under PII_HASH_KEY, 64 hex digits: equal numbers, equal hashes."""
    return hmac.new(_hash_key(config), value.encode(), hashlib.sha256).hexdigest()


def generate_key() -> str:
    """A new Fernet key for PII_KEYS."""
    return Fernet.generate_key().decode("ascii")


def generate_hash_key() -> str:
    """A new random PII_HASH_KEY."""
    return secrets.token_urlsafe(32)


def check_keys(config: Mapping[str, Any]) -> str | None:
    """What is wrong with explicit PII_KEYS / PII_HASH_KEY (production needs both), or None."""
    how = (
        "generate them with `flask privacy keygen` (or python -c 'from cryptography.fernet import "
        "Fernet; print(Fernet.generate_key().decode())' for PII_KEYS and python -c 'import secrets; "
        "print(secrets.token_urlsafe(32))' for PII_HASH_KEY)"
    )
    keys = _key_list(config.get("PII_KEYS"))
    if not keys:
        return f"PII_KEYS belum diatur: production encrypts NIK/NIP with explicit keys; {how}."
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            return f"PII_KEYS holds a value that is not a Fernet key (32 url-safe base64 bytes); {how}."
    if len(config.get("PII_HASH_KEY") or "") < MIN_HASH_KEY_LENGTH:
        return (
            f"PII_HASH_KEY belum diatur: production requires a random key of at least "
            f"{MIN_HASH_KEY_LENGTH} characters for the NIK look-up hash; {how}."
        )
    return None


_COMPARISONS = {
    operators.eq,
    operators.ne,
    operators.lt,
    operators.le,
    operators.gt,
    operators.ge,
    operators.in_op,
    operators.not_in_op,
    operators.like_op,
    operators.ilike_op,
    operators.not_like_op,
    operators.not_ilike_op,
    operators.contains_op,
    operators.startswith_op,
    operators.endswith_op,
    operators.between_op,
    operators.is_distinct_from,
    operators.is_not_distinct_from,
}


def _refuse(op: Any, other: tuple[Any, ...]) -> None:
    if op in _COMPARISONS and not (op in (operators.eq, operators.ne) and other and other[0] is None):
        raise TypeError(
            "an encrypted column cannot be compared in SQL (each value encrypts differently): "
            "compare its keyed hash, e.g. registration.models.nik_matches(nik)"
        )


class EncryptedString(TypeDecorator[str]):
    """A string that is plain in Python and Fernet ciphertext in the database.

    The ciphertext differs each time, so comparing the column in SQL would silently match
    nothing: such comparisons raise TypeError (IS NULL still works); compare a keyed hash.
    """

    impl = String
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator[str]):  # noqa: N801 - SQLAlchemy's hook name
        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            _refuse(op, other)
            return super().operate(op, *other, **kwargs)

        def reverse_operate(self, op: Any, other: Any, **kwargs: Any) -> Any:
            _refuse(op, (other,))
            return super().reverse_operate(op, other, **kwargs)

    def process_bind_param(self, value: str | None, dialect: object) -> str | None:
        return value if not value else encrypt(value)  # None and "" hold nothing to hide

    def process_result_value(self, value: str | None, dialect: object) -> str | None:
        return value if not value else decrypt(value)
