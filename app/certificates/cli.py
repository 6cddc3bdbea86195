"""`flask jobs worker`: the RQ worker for background jobs (needs REDIS_URL)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Pekerjaan latar belakang.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run jobs from the 'sibimtek' queue on Redis."""
    from redis import Redis
    from rq import Worker

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL belum diatur: tanpa Redis, pekerjaan berjalan di proses web.")
    Worker(["sibimtek"], connection=Redis.from_url(url)).work(burst=burst)
