"""The periodic tasks of Sibimtek, as the scheduler runs them (each also has its own command, for cron)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from app import clock
from app.certificates import job_runs, names
from app.extensions import db
from app.mail import services as mail
from app.privacy import purge
from app.processes.scheduler import Task
from app.programmes import importing, lifecycle
from app.registration import notifications, submission, uploads


def tick() -> int:
    """The class lifecycle: transitions the calendar made since the last tick."""
    return len(lifecycle.tick(clock.now()))


def decide_registrations() -> int:
    """Self-registrations kept but never decided (their request failed between its two commits)."""
    return submission.decide_left_undecided(clock.now())


def resume_stalled_jobs() -> list[int]:
    """Certificate jobs whose worker died, queued again."""
    return job_runs.resume_stalled()


def sweep_mail() -> tuple[int, int]:
    """Queued mails that lost their job: sent again, or marked failed when their link was masked."""
    return mail.sweep_queued(timedelta(minutes=current_app.config["MAIL_QUEUED_TIMEOUT_MINUTES"]))


def recover() -> None:
    """What a starting worker does first: the two recovery sweeps."""
    resume_stalled_jobs()
    sweep_mail()


def remind() -> int:
    """The 3-day reminders of approved participants."""
    return notifications.send_reminders(clock.today())


def ask_names() -> int:
    """Name-confirmation mails of classes that have ended."""
    return names.ask_names(clock.today())


def expire_uploads() -> int:
    """Class workbooks never confirmed, and letters of registration forms never sent again, within a day."""
    now = clock.now()
    return importing.expire_pending(now) + uploads.expire_pending(now)


def purge_expired() -> dict[str, int]:
    """The retention purge (UU PDP), then its letter files and the SQLite checkpoint."""
    result = purge.purge()
    db.session.commit()
    purge.remove_letters(result)
    purge.checkpoint()
    return result.counts()


TASKS = [
    Task("classes-tick", tick),
    Task("registrations-decide", decide_registrations),
    Task("certificate-jobs-resume", resume_stalled_jobs),
    Task("mail-queued-sweep", sweep_mail),
    Task("registrations-remind", remind, daily=True),
    Task("certificates-ask-names", ask_names, daily=True),
    Task("privacy-purge", purge_expired, daily=True),
    Task("uploads-expire", expire_uploads, daily=True),
]
