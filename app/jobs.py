"""Background jobs: RQ on Redis when REDIS_URL is set, otherwise a thread in this process; and small
work done once a request's answer has gone out.

A job names its work by path (`"package.module:function"`), so this base module imports no domain
and a worker finds it. The worker (`flask jobs worker`, app.processes.worker) builds one app and
runs every job in its context; a job enqueued while Redis is down runs in this process instead
(a warning in the log), so nothing is lost."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from flask import Flask, after_this_request, current_app, g, has_app_context

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)

QUEUE = "sibimtek"  # the queue the web enqueues on and `flask jobs worker` listens to by default
JOB_TIMEOUT = 3600  # seconds: a programme-wide certificate job is far below this
REDIS_CONNECT_TIMEOUT = 1.0  # seconds: a request must not hang on a dead Redis
REDIS_SOCKET_TIMEOUT = 5.0


@lru_cache(maxsize=8)
def redis_connection(url: str) -> Redis:
    """One client (and connection pool) per URL and process, with short timeouts."""
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT, socket_timeout=REDIS_SOCKET_TIMEOUT)


def uses_worker(app: Flask | None = None) -> bool:
    """Whether background work goes to the RQ worker (REDIS_URL set and JOBS_IN_PROCESS off)."""
    config = (app or current_app).config
    return bool(config.get("REDIS_URL")) and not config.get("JOBS_IN_PROCESS")


def _run_in_app(app: Flask, func: Callable[..., Any], *args: Any) -> None:
    with app.app_context():
        func(*args)


def _resolve(target: str) -> Callable[..., Any]:
    """`"package.module:function"` → the function."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def run(target: str, *args: Any) -> Any:
    """The RQ entry point: `target(*args)` in the worker's app (app.processes.worker pushes its
    context); outside a worker of ours (a plain `rq worker`), in an app built for this job."""
    if has_app_context():
        return _resolve(target)(*args)
    from app import create_app

    with create_app().app_context():
        return _resolve(target)(*args)


run_job_in_new_app = run  # jobs enqueued before the worker built one app per process


def enqueue(target: str, *args: Any, fallback: Literal["thread", "inline"] = "thread") -> str:
    """Run `target(*args)` ("package.module:function") in the background: on RQ when REDIS_URL is
    set (and JOBS_IN_PROCESS is off), otherwise in a thread of this process. When Redis does not
    answer, the work is done here, with a warning: in a thread, or at once (`fallback="inline"`,
    for short work such as sending a few mails). Returns where it runs: "rq", "thread" or "inline"."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if uses_worker(app):
        from redis.exceptions import RedisError
        from rq import Queue

        try:
            Queue(QUEUE, connection=redis_connection(app.config["REDIS_URL"])).enqueue(
                run, target, *args, job_timeout=JOB_TIMEOUT, description=_description(target, args)
            )
            return "rq"
        except RedisError as error:
            log.warning("Redis unreachable (%s): %s runs in this process instead", type(error).__name__, target)
    if fallback == "inline":
        _resolve(target)(*args)
        return "inline"
    threading.Thread(target=_run_in_app, args=(app, _resolve(target), *args), daemon=True).start()
    return "thread"


def _description(target: str, args: tuple[Any, ...]) -> str:
    """How the worker's log names a job: its target and short arguments (ids), not long ones (a
    sealed mail)."""
    shown = [repr(a) if len(repr(a)) <= 40 else "…" for a in args]
    return f"{target}({', '.join(shown)})"


@contextmanager
def beating(beat: Callable[[], None], every: float) -> Iterator[None]:
    """Call `beat()` every `every` seconds in a thread while the block runs: a sign of life that
    does not depend on the work's progress, so a job whose process died is told apart quickly
    from one that is slow. A failing beat is logged and tried again at the next one."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                beat()
            except Exception:  # noqa: BLE001 - a missed beat must not stop the job
                log.warning("heartbeat failed", exc_info=True)

    thread = threading.Thread(target=loop, name="job-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)


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
