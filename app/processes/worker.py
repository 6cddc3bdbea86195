"""RQ's worker with one Flask app per worker process.

The app is built once when `flask jobs worker` starts; each job runs in its context, in the work
horse that RQ forks for it (the horse inherits the app, so no job imports or builds one; it only
opens its own database connections). Starting, and every maintenance round (RQ's, every 10
minutes), the worker queues again the certificate jobs whose worker died and sends the mails that
lost their job (app.processes.tasks.recover)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from rq import Queue, SimpleWorker, Worker
from rq.job import Job
from rq.worker import BaseWorker

from app.extensions import db

log = logging.getLogger(__name__)


class _AppMixin:
    """Runs each job in `self.app`'s context; recovers lost work at every maintenance round."""

    app: Flask

    def perform_job(self, job: Job, queue: Queue) -> bool:
        with self.app.app_context():
            if self.is_horse:  # type: ignore[attr-defined]
                # The forked horse must not use the parent's pooled connections (the same sockets).
                db.engine.dispose(close=False)
            return super().perform_job(job, queue)  # type: ignore[misc]

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()  # type: ignore[misc]
        from app.processes.tasks import recover

        with self.app.app_context():
            try:
                recover()
            except Exception:  # noqa: BLE001 - the worker goes on taking jobs
                db.session.rollback()
                log.exception("recovering lost jobs failed")


class AppWorker(_AppMixin, Worker):
    """Each job in a forked work horse (RQ's default): a crash or a leak ends with the job."""

    def __init__(self, *args: Any, app: Flask, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app = app


class AppSimpleWorker(_AppMixin, SimpleWorker):
    """Each job in the worker process itself (`--no-fork`; tests that watch what a job did)."""

    def __init__(self, *args: Any, app: Flask, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app = app


def build_worker(app: Flask, queues: list[str], *, fork: bool = True, name: str | None = None) -> BaseWorker:
    """The worker for `queues` on the app's REDIS_URL."""
    from redis import Redis

    connection = Redis.from_url(app.config["REDIS_URL"])
    worker_class: type[AppWorker | AppSimpleWorker] = AppWorker if fork else AppSimpleWorker
    return worker_class([Queue(q, connection=connection) for q in queues], connection=connection, name=name, app=app)
