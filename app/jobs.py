"""Background jobs: RQ on Redis when REDIS_URL is set, otherwise a thread in this process; and small
work done once a request's answer has gone out."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, after_this_request, current_app, g

log = logging.getLogger(__name__)


def _run_in_app(app: Flask, func: Callable[..., Any], *args: Any) -> None:
    with app.app_context():
        func(*args)


def _resolve(target: str) -> Callable[..., Any]:
    """`"package.module:function"` → the function (a job names its work by path, so this base module
    imports no domain and an RQ worker can find it)."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def run_job_in_new_app(target: str, *args: Any) -> None:
    """The RQ entry point: the worker builds its own app, then runs `target(*args)` in its context."""
    from app import create_app

    app = create_app()
    with app.app_context():
        _resolve(target)(*args)


def enqueue(target: str, *args: Any) -> str:
    """Run `target(*args)` ("package.module:function") in the background: on RQ when REDIS_URL is
    set, otherwise in a thread of this process. Returns where it runs ("rq" or "thread")."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("REDIS_URL") and not app.config.get("JOBS_IN_PROCESS"):
        from redis import Redis
        from rq import Queue

        Queue("sibimtek", connection=Redis.from_url(app.config["REDIS_URL"])).enqueue(
            run_job_in_new_app, target, *args, job_timeout=3600
        )
        return "rq"
    threading.Thread(target=_run_in_app, args=(app, _resolve(target), *args), daemon=True).start()
    return "thread"


_AFTER_RESPONSE = "work_after_response"  # key in `g`: (function, args) to run once the answer is out


def after_response(func: Callable[..., Any], *args: Any) -> None:
    """Run `func(*args)` once this request's answer has been sent (when the server closes the
    response), in its own app context and transaction, committed at the end. For work whose
    duration must not show in the answer: whether a reset mail was written tells whether an account
    exists. With WORK_AFTER_RESPONSE off (the test suite), it runs at once, in the request's own
    transaction (the view commits)."""
    if not current_app.config.get("WORK_AFTER_RESPONSE", True):
        func(*args)
        return
    if _AFTER_RESPONSE not in g:
        g.setdefault(_AFTER_RESPONSE, [])
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        locale = _request_locale()

        @after_this_request
        def _on_close(response: Any) -> Any:
            works = list(g.get(_AFTER_RESPONSE) or [])
            response.call_on_close(lambda: _run_after_response(app, locale, works))
            return response

    g.get(_AFTER_RESPONSE).append((func, args))


def _request_locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _run_after_response(app: Flask, locale: str, works: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> None:
    from flask_babel import force_locale

    from app.core.urls import public_request_context
    from app.extensions import db

    with app.app_context(), public_request_context(), force_locale(locale):
        for func, args in works:
            try:
                func(*args)
                db.session.commit()  # mails written here leave now (see app.mail.services)
            except Exception:
                db.session.rollback()
                log.exception("work after the response failed: %s", getattr(func, "__name__", func))
