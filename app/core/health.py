"""`/healthz` (the process answers) and `/readyz` (what it needs is reachable) for load balancers and
orchestrators: public, not rate-limited, never cached, no session cookie.

Readiness checks are registered per app (`add_readiness_check`): core checks the database and Redis,
the composition root adds the file store's (app.core.files), so this module stays about probes."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from app.core import bp
from app.core.access import public
from app.extensions import db, limiter

log = logging.getLogger(__name__)

# A check returns when the dependency is usable (None, or a word such as "not configured"), raises otherwise.
Check = Callable[[], str | None]
NOT_CONFIGURED = "not configured"
_CHECKS = "sibimtek.readiness_checks"  # key in app.extensions: {name: check}, in order
REDIS_TIMEOUT = 1.0  # seconds: a load balancer's probe must not hang on a dead Redis


def add_readiness_check(app: Flask, name: str, check: Check) -> None:
    app.extensions.setdefault(_CHECKS, {})[name] = check


def check_database() -> None:
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.rollback()  # nothing to keep, and a failed connection goes back to the pool clean


def check_redis() -> str | None:
    """Only when REDIS_URL is set: jobs and shared rate limits depend on it ("not configured" otherwise,
    so that an operator does not read "ok" for a Redis the site does not use)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return NOT_CONFIGURED
    from redis import Redis

    client = Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
    try:
        client.ping()
    finally:
        client.close()
    return None


def readiness() -> dict[str, str]:
    """Each check's outcome: "ok", "not configured", or "fail: <kind of error>" (never the message,
    which may name a host, a user or a path; that goes to the log)."""
    results = {}
    for name, check in current_app.extensions.get(_CHECKS, {}).items():
        try:
            outcome = check()
        except Exception as error:  # noqa: BLE001 - any failure means "not ready", said by name
            log.warning("readiness check %s failed: %s", name, error)
            results[name] = f"fail: {type(error).__name__}"
        else:
            results[name] = outcome or "ok"
    return results


@bp.get("/healthz")
@public
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """The process is up: nothing else is touched."""
    return jsonify(status="ok")


@bp.get("/readyz")
@public
@limiter.exempt
def readyz() -> ResponseReturnValue:
    checks = readiness()
    ready = not any(result.startswith("fail") for result in checks.values())
    return jsonify(status="ok" if ready else "fail", checks=checks), 200 if ready else 503


def register(app: Flask) -> None:
    add_readiness_check(app, "database", check_database)
    add_readiness_check(app, "redis", check_redis)
