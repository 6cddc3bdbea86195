"""The scheduler of the periodic tasks: a loop that wakes every half minute and runs what is due.

A task runs either every SCHEDULER_EVERY_MINUTES (the class lifecycle tick, the recovery sweeps)
or once a day from SCHEDULER_DAILY_AT in SCHEDULER_ZONE (reminders, name confirmations, the
privacy purge). Each run is claimed first under a key naming its period (`SET NX EX` in Redis):
two schedulers, or a scheduler and a `flask jobs run-due` from cron, never run a task twice in a
period, and a restarted scheduler does not run again what its predecessor ran (with Redis; without
it, `run-due` keeps its claims in a file of the instance folder). A daily run missed (the scheduler
was down at 02:00) happens at the next step. A failed run gives its claim back, so the next step
tries again. Time comes from app.clock: tests drive `step(moment)`.
"""

from __future__ import annotations

import fcntl
import json
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from flask import Flask

from app import clock
from app.core.urls import public_request_context
from app.extensions import db

log = logging.getLogger(__name__)

KEY_PREFIX = "sibimtek:scheduler:"
POLL_SECONDS = 30.0


@dataclass(frozen=True)
class Task:
    """A periodic task: `run()` in an app context, committed after; `daily` once a day, else every few minutes."""

    name: str
    run: Callable[[], object]
    daily: bool = False


class Claims(Protocol):
    def claim(self, key: str, seconds: int) -> bool: ...

    def release(self, key: str) -> None: ...


class RedisClaims:
    """Claims shared by every scheduler on one Redis: `SET key NX EX`."""

    def __init__(self, connection: Any, prefix: str = KEY_PREFIX) -> None:
        self.connection, self.prefix = connection, prefix

    def claim(self, key: str, seconds: int) -> bool:
        return bool(self.connection.set(self.prefix + key, clock.now().isoformat(), nx=True, ex=seconds))

    def release(self, key: str) -> None:
        self.connection.delete(self.prefix + key)


class FileClaims:
    """Claims kept in a JSON file under an exclusive lock: `run-due` from cron without Redis (one machine)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _locked(self) -> Iterator[dict[str, str]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            text = handle.read()
            keys: dict[str, str] = json.loads(text) if text.strip() else {}
            yield keys
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps(keys))

    def claim(self, key: str, seconds: int) -> bool:
        now = clock.now()
        with self._locked() as keys:
            for old in [k for k, until in keys.items() if datetime.fromisoformat(until) <= now]:
                del keys[old]
            if key in keys:
                return False
            keys[key] = (now + timedelta(seconds=seconds)).isoformat()
            return True

    def release(self, key: str) -> None:
        with self._locked() as keys:
            keys.pop(key, None)


class Scheduler:
    """Runs the due tasks of `tasks` in `app`, each once per period (see the module docstring)."""

    def __init__(self, app: Flask, tasks: list[Task], claims: Claims) -> None:
        self.app, self.tasks, self.claims = app, tasks, claims
        config = app.config
        self.every = timedelta(minutes=config["SCHEDULER_EVERY_MINUTES"])
        self.daily_at = time.fromisoformat(config["SCHEDULER_DAILY_AT"])
        self.zone = ZoneInfo(config["SCHEDULER_ZONE"])
        self.stop_requested = threading.Event()

    def period(self, task: Task, moment: datetime) -> tuple[str, int]:
        """The key of the period `moment` falls in for `task`, and how long to keep its claim."""
        if task.daily:
            local = moment.astimezone(self.zone)
            day = local.date() if local.time() >= self.daily_at else local.date() - timedelta(days=1)
            return f"{task.name}:{day.isoformat()}", 2 * 24 * 3600
        every = int(self.every.total_seconds())
        return f"{task.name}:{int(moment.timestamp()) // every}", 2 * every

    def step(self, moment: datetime | None = None) -> list[str]:
        """Run every task whose current period has not been claimed yet; the names of those that ran."""
        moment = moment or clock.now()
        ran = []
        for task in self.tasks:
            if self.stop_requested.is_set():
                break
            key, seconds = self.period(task, moment)
            if not self.claims.claim(key, seconds):
                continue
            if self._run(task):
                ran.append(task.name)
            else:
                self.claims.release(key)  # tried again at the next step
        return ran

    def _run(self, task: Task) -> bool:
        with self.app.app_context(), public_request_context():  # links in mails go to PUBLIC_BASE_URL
            try:
                outcome = task.run()
                db.session.commit()
            except Exception:  # noqa: BLE001 - one task's failure must not stop the others
                db.session.rollback()
                log.exception("scheduled task %s failed; tried again at the next step", task.name)
                return False
        log.info("scheduled task %s done: %s", task.name, outcome)
        return True

    def run_forever(self, poll: float = POLL_SECONDS) -> None:
        """Step every `poll` seconds until SIGTERM or SIGINT (the task running then finishes first)."""

        def request_stop(signum: int, _frame: object) -> None:
            log.info("scheduler: %s received, stopping", signal.Signals(signum).name)
            self.stop_requested.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        log.info("scheduler started: %s", ", ".join(t.name + (" (daily)" if t.daily else "") for t in self.tasks))
        while not self.stop_requested.is_set():
            self.step()
            self.stop_requested.wait(poll)
        log.info("scheduler stopped")
