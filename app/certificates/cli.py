"""`flask jobs worker`: the RQ worker for background jobs (needs REDIS_URL);
`flask certificates ask-names`: mail participants to confirm their printed name (daily)."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Pekerjaan latar belakang.")
certificates_cli = AppGroup("certificates", help="Sertifikat.")


@certificates_cli.command("ask-names")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Tanggal acuan (TTTT-BB-HH).")
def ask_names(today: datetime | None) -> None:
    """Ask participants whose class has ended to confirm the name on their certificate (once each)."""
    from app.certificates import names
    from app.extensions import db

    sent = names.ask_names(today.date() if today else None)
    db.session.commit()
    click.echo(f"Permintaan konfirmasi nama terkirim: {sent}.")


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
