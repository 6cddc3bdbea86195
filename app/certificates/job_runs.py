"""Runs of bulk certificate jobs: each claims its job (so one job never runs twice at once),
beats while it runs, and a sweep queues again the jobs whose worker died (`flask jobs worker`
at its start, the scheduler every few minutes)."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from datetime import timedelta
from functools import partial
from typing import cast

from flask import current_app
from sqlalchemy import Engine, Table, select, update

from app import jobs
from app.certificates.models import BulkJob, JobStatus
from app.extensions import db, utcnow

RUN_JOB = "app.certificates.bulk:run_job"
QUEUED_PATIENCE = 10  # a queued job counts as lost after this many stall limits without starting
log = logging.getLogger(__name__)


def stall_limit() -> float:
    """Seconds without a sign of life after which a queued or running job counts as stopped (a
    running job beats every JOB_HEARTBEAT_SECONDS, whatever its progress)."""
    return float(current_app.config["JOB_STALL_SECONDS"])


def beating(job_id: int) -> AbstractContextManager[None]:
    """The job's heartbeat while the block runs (a thread with its own connection)."""
    return jobs.beating(partial(_beat, db.engine, job_id), current_app.config["JOB_HEARTBEAT_SECONDS"])


def resume_stalled() -> list[int]:
    """Queue again every running job whose worker died (no heartbeat for stall_limit()), and every
    queued one that never started (Redis lost it, or the web process running it without Redis died):
    run by a starting worker and by the scheduler. A job is claimed by a conditional update, so two
    sweeps never queue it twice; the run resumes where its stored files stop."""
    now, limit, claimed = utcnow(), stall_limit(), []
    table = cast(Table, BulkJob.__table__)
    for job in db.session.scalars(select(BulkJob).where(BulkJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))):
        # A queued job may just wait behind others in Redis: lost only after much longer.
        if job.stalled(now, limit * (QUEUED_PATIENCE if job.status is JobStatus.QUEUED else 1)):
            seen = (
                table.c.heartbeat_at.is_(None) if job.heartbeat_at is None else table.c.heartbeat_at == job.heartbeat_at
            )
            result = db.session.execute(
                update(table)
                .where(table.c.id == job.id, table.c.status == job.status.value, seen)
                .values(status=JobStatus.QUEUED.value, heartbeat_at=now)
            )
            if result.rowcount:  # type: ignore[attr-defined]
                claimed.append(job.id)
    db.session.commit()
    for job_id in claimed:
        log.warning("certificate job %s had stopped without a sign of life: queued again", job_id)
        jobs.enqueue(RUN_JOB, job_id)
    return claimed


def claim(job_id: int) -> bool:
    """Mark the job running for this run, unless it is done or another live run has it (one update:
    two workers given the same job never both run it)."""
    table = cast(Table, BulkJob.__table__)
    now, beat = utcnow(), table.c.heartbeat_at
    silent = beat.is_(None) | (beat < now - timedelta(seconds=stall_limit()))
    result = db.session.execute(
        update(table)
        .where(
            table.c.id == job_id,
            table.c.status.in_([JobStatus.QUEUED.value, JobStatus.FAILED.value])
            | ((table.c.status == JobStatus.RUNNING.value) & silent),
        )
        .values(status=JobStatus.RUNNING.value, error=None, heartbeat_at=now)
    )
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _beat(engine: Engine, job_id: int) -> None:
    """A running job's sign of life, from its heartbeat thread (its own connection)."""
    table = cast(Table, BulkJob.__table__)
    with engine.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.id == job_id, table.c.status == JobStatus.RUNNING.value)
            .values(heartbeat_at=utcnow())
        )
