"""PDF rendering in worker processes, with a time limit.

Workers are forked from a *fork server*: a small process started once that has imported only
WeasyPrint, pikepdf, zxing-cpp and `app.pdf` (not Flask, the database or the request that asked), so a
worker holds no more memory than rendering needs and a runaway render can be killed without
touching the web or job process. `render_pdf_limited` serves single documents in the web
request (one shared worker; a user's downloads are rate-limited, a long queue is refused with a
503 and the request's database connection is given back while it waits); bulk jobs open their own
pool with `open_pool`.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from flask import current_app, has_request_context
from flask_login import current_user

from app.extensions import db, limiter

PRELOAD = ["app.pdf.layers", "app.pdf.render", "weasyprint", "pikepdf", "zxingcpp"]
DEFAULT_TIMEOUT = 60.0

_lock = threading.Lock()
_shared: ProcessPoolExecutor | None = None
_slots: threading.BoundedSemaphore | None = None  # web renders waiting for or in the shared worker


class RenderTimeout(RuntimeError):
    """A rendering took longer than its time limit; its worker was stopped."""


class RenderBusy(RuntimeError):
    """PDF_RENDER_QUEUE documents already wait for the web's rendering worker: ask again later."""

    retry_after = 10  # seconds, the Retry-After of the 503


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def warm_up() -> None:
    """Start the fork server (it imports WeasyPrint, ~1 s) without waiting for it."""
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


def open_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=_context())


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now, killing renders in progress (Python 3.11 has no public way)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _shared_pool(replace: ProcessPoolExecutor | None = None) -> ProcessPoolExecutor:
    """The process's one rendering worker; a new one when `replace` is the current one."""
    global _shared
    with _lock:
        if _shared is None or _shared is replace:
            _shared = open_pool(1)
        return _shared


def run_limited(func: Callable[..., Any], *args: Any, timeout: float = DEFAULT_TIMEOUT) -> Any:
    """`func(*args)` in the shared worker; RenderTimeout (and a fresh worker) after `timeout` s.
    A render that was queued behind one stopped for its time limit is tried once more."""
    executor = _shared_pool()
    try:
        return _run(executor, func, args, timeout)
    except (BrokenProcessPool, CancelledError):  # another request's render was stopped with this worker
        return _run(_shared_pool(replace=executor), func, args, timeout)


def _run(executor: ProcessPoolExecutor, func: Callable[..., Any], args: tuple, timeout: float) -> Any:
    try:
        return executor.submit(func, *args).result(timeout=timeout)
    except TimeoutError:
        _shared_pool(replace=executor)
        stop_pool(executor)
        raise RenderTimeout(f"rendering took longer than {timeout:g} s") from None


def render_pdf_limited(html: str, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """One HTML document to PDF bytes, in a worker process, within `timeout` seconds.

    In a web request it is first counted against the user's REPORT_PDF_LIMIT (429), refused with
    RenderBusy (503) when PDF_RENDER_QUEUE documents already wait for the worker, and the request's
    database connection is given back while it waits and renders (80 parallel downloads held the
    whole pool): whatever the view reads afterwards must be loaded already, and what it writes
    afterwards (the access log) takes a connection again for a moment."""
    from app.pdf.render import render_pdf

    if not has_request_context():
        return run_limited(render_pdf, html, timeout=timeout)
    with limiter.limit(lambda: current_app.config["REPORT_PDF_LIMIT"], key_func=_user_key, scope="pdf"):
        pass
    slots = _render_slots(current_app.config["PDF_RENDER_QUEUE"])
    if not slots.acquire(blocking=False):
        raise RenderBusy(f"{current_app.config['PDF_RENDER_QUEUE']} documents are waiting already")
    try:
        _release_connection()
        return run_limited(render_pdf, html, timeout=timeout)
    finally:
        slots.release()


def _user_key() -> str:
    return f"pdf:{current_user.get_id()}"


def _render_slots(size: int) -> threading.BoundedSemaphore:
    global _slots
    with _lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(max(1, size))
        return _slots


def _release_connection() -> None:
    """Give the request's connection back to the pool; not when something waits to be written (closing
    would drop it): a view adds its log after the render."""
    session = db.session()
    if not (session.new or session.dirty or session.deleted):
        session.close()


def completed(futures: Iterable[Future], stall_timeout: float) -> Iterator[Future]:
    """Futures as they finish; RenderTimeout when none finishes for `stall_timeout` seconds."""
    pending = set(futures)
    while pending:
        started = time.monotonic()
        done, pending = wait(pending, timeout=stall_timeout, return_when=FIRST_COMPLETED)
        if not done and time.monotonic() - started >= stall_timeout:
            raise RenderTimeout(f"no part finished within {stall_timeout:g} s")
        yield from done
