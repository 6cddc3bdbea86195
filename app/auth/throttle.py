"""Failed logins slow down the next attempt for that account; a device that logged in before is spared.

Counters live in the database (every gunicorn worker sees them), keyed by a keyed hash of the email
address, so unknown addresses are slowed exactly like real ones and the answer tells nothing. After
LOGIN_DELAY_AFTER_FAILURES failures the next attempt waits 2^(n - LOGIN_DELAY_AFTER_FAILURES)
seconds after the last one (1, 2, 4, … at most LOGIN_DELAY_MAX_SECONDS); an attempt inside the wait
is refused without looking at the password. A browser that logged in to the account carries a signed
"known device" cookie naming it and is not made to wait: strangers guessing a password cannot lock
the owner out.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import CursorResult, delete, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.auth.models import LoginThrottle
from app.extensions import db

KNOWN_DEVICE_COOKIE = "sibimtek_perangkat"
# Failures older than this are forgotten: a counter starts again from one.
FORGET_AFTER = timedelta(days=1)
_DEVICES_PER_COOKIE = 5  # accounts one shared computer remembers


def account_key(email: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _delay(failures: int) -> timedelta:
    after = current_app.config["LOGIN_DELAY_AFTER_FAILURES"]
    if failures < after:
        return timedelta(0)
    cap = current_app.config["LOGIN_DELAY_MAX_SECONDS"]
    return timedelta(seconds=min(2 ** min(failures - after, 30), cap))


def wait_seconds(email: str) -> int:
    """How long the next attempt for this address must still wait (0: it may go ahead)."""
    row = db.session.get(LoginThrottle, account_key(email), populate_existing=True)
    if row is None:
        return 0
    now = clock.now()
    if now - row.last_failed_at > FORGET_AFTER:
        return 0
    remaining = (row.last_failed_at + _delay(row.failures) - now).total_seconds()
    return max(0, math.ceil(remaining))


def record_failure(email: str) -> None:
    """One more wrong password for this address (counted in the database, atomically)."""
    key, now = account_key(email), clock.now()
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.last_failed_at < now - FORGET_AFTER))
    bumped: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]  # an UPDATE gives a cursor
        update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(failures=LoginThrottle.failures + 1, last_failed_at=now)
        .execution_options(synchronize_session=False)
    )
    if bumped.rowcount:
        return
    try:
        with db.session.begin_nested():  # two first failures at once: the second one counts as a bump
            db.session.add(LoginThrottle(key=key, failures=1, last_failed_at=now))
    except IntegrityError:
        db.session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(failures=LoginThrottle.failures + 1, last_failed_at=now)
            .execution_options(synchronize_session=False)
        )


def record_success(email: str) -> None:
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key(email)))


# --- the known-device cookie ---------------------------------------------------------------------


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sibimtek-known-device")


def _device_keys(cookie: str | None) -> list[str]:
    if not cookie:
        return []
    max_age = current_app.config["KNOWN_DEVICE_DAYS"] * 24 * 3600
    try:
        keys = _devices().loads(cookie, max_age=max_age)
    except BadSignature:
        return []
    return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []


def is_known_device(cookie: str | None, email: str) -> bool:
    """True when this browser's cookie says it logged in to this address before."""
    return account_key(email)[:32] in _device_keys(cookie)


def known_device_cookie(cookie: str | None, email: str) -> str:
    """The cookie's new value after a successful login: this account first, a few others kept."""
    key = account_key(email)[:32]
    keys = [key] + [k for k in _device_keys(cookie) if k != key]
    return _devices().dumps(keys[:_DEVICES_PER_COOKIE])


def known_device_max_age() -> int:
    return current_app.config["KNOWN_DEVICE_DAYS"] * 24 * 3600
