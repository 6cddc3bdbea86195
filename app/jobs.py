"""Background jobs: RQ on Redis when REDIS_URL is set, otherwise a thread in this process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app


def _run_in_app(app: Flask, func: Callable[..., Any], *args: Any) -> None:
    with app.app_context():
        func(*args)


def run_certificate_job(job_id: int) -> None:
    """The RQ entry point (the worker builds its own app)."""
    from app import create_app
    from app.certificates.bulk import run_job

    app = create_app()
    with app.app_context():
        run_job(job_id)


def enqueue_certificate_job(job_id: int) -> str:
    """Start a bulk certificate job; returns where it runs ("rq" or "thread")."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("REDIS_URL") and not app.config.get("JOBS_IN_PROCESS"):
        from redis import Redis
        from rq import Queue

        Queue("sibimtek", connection=Redis.from_url(app.config["REDIS_URL"])).enqueue(
            run_certificate_job, job_id, job_timeout=3600
        )
        return "rq"
    from app.certificates.bulk import run_job

    threading.Thread(target=_run_in_app, args=(app, run_job, job_id), daemon=True).start()
    return "thread"
