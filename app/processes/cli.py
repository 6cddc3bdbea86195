"""`flask jobs worker | scheduler | run-due`: the processes beside the web servers."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app import jobs
from app.processes.scheduler import Claims, FileClaims, RedisClaims, Scheduler

jobs_cli = AppGroup("jobs", help="Pekerjaan latar belakang dan tugas terjadwal.")


def _app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined]


def _log_to_console(app: Flask) -> None:
    """A long-running process logs through the app's console handler (its format, request ids,
    personal data and link tokens masked), also where the app itself would not add one (testing);
    RQ's own loggers then use it instead of theirs."""
    from app.factory import ConsoleHandler, register_log_masking, register_logging

    root = logging.getLogger()
    if not any(isinstance(handler, ConsoleHandler) for handler in root.handlers):
        root.addHandler(ConsoleHandler())
    register_logging(app)
    register_log_masking(app)


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Berhenti setelah antrean kosong.")
@click.option(
    "--queue", "-q", "queues", multiple=True, default=[jobs.QUEUE], show_default=True, help="Antrean (boleh berulang)."
)
@click.option("--name", default=None, help="Nama pekerja di Redis (bawaan: acak).")
@click.option("--fork/--no-fork", default=True, show_default=True, help="Tiap pekerjaan di proses anak.")
def worker(burst: bool, queues: tuple[str, ...], name: str | None, fork: bool) -> None:
    """Run background jobs (certificate ZIPs, mail) from Redis; SIGTERM finishes the job in hand first."""
    from app.processes.worker import build_worker

    app = _app()
    _log_to_console(app)
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL belum diatur: tanpa Redis, pekerjaan berjalan di proses web.")
    build_worker(app, list(queues), fork=fork, name=name).work(burst=burst, logging_level=app.config["LOG_LEVEL"])


def _claims(app: Flask) -> Claims:
    """In Redis when there is one (every scheduler and cron run shares them), else in the instance folder."""
    if app.config.get("REDIS_URL"):
        from redis import Redis

        return RedisClaims(Redis.from_url(app.config["REDIS_URL"]))
    return FileClaims(Path(app.instance_path) / "scheduler-claims.json")


def _scheduler(app: Flask) -> Scheduler:
    from app.processes.tasks import TASKS

    return Scheduler(app, TASKS, _claims(app))


@jobs_cli.command("scheduler")
@click.option("--poll", default=30.0, show_default=True, help="Detik antara pemeriksaan.")
def scheduler(poll: float) -> None:
    """Run the periodic tasks (class tick every few minutes; reminders, name mails, purge daily) until SIGTERM."""
    app = _app()
    _log_to_console(app)
    _scheduler(app).run_forever(poll)


@jobs_cli.command("run-due")
@click.option(
    "--task",
    "names",
    multiple=True,
    help="Hanya tugas ini (boleh berulang); bawaan: semua. Tugas: classes-tick, registrations-decide, "
    "certificate-jobs-resume, mail-queued-sweep, registrations-remind, certificates-ask-names, privacy-purge, "
    "uploads-expire.",
)
def run_due(names: tuple[str, ...]) -> None:
    """Run the periodic tasks that are due now, once (for cron, every few minutes)."""
    scheduler = _scheduler(_app())
    unknown = set(names) - {task.name for task in scheduler.tasks}
    if unknown:
        known = ", ".join(task.name for task in scheduler.tasks)
        raise click.BadParameter(f"{', '.join(sorted(unknown))} (tugas yang ada: {known})", param_hint="--task")
    if names:
        scheduler.tasks = [task for task in scheduler.tasks if task.name in names]
    ran = scheduler.step()
    click.echo(f"Tugas dijalankan: {', '.join(ran) if ran else '-'}.")
