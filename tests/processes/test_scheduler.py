"""The scheduler of the periodic tasks, driven by the app's clock: the class tick every five
minutes, the daily tasks once a day from 02:00 WIB however often it is asked, never twice across
two schedulers sharing Redis; `flask jobs run-due` for cron; SIGTERM stops the loop."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import uuid
from datetime import datetime, time, timedelta

from redis import Redis
from sqlalchemy import func, select

from app import clock as app_clock
from app.extensions import db
from app.mail.models import OutboxMessage
from app.processes.scheduler import FileClaims, RedisClaims, Scheduler
from app.processes.tasks import TASKS
from app.programmes.models import TrainingClass
from config import BASE_DIR
from tests.processes.conftest import worker_env

EVERY = ["classes-tick", "registrations-decide", "certificate-jobs-resume", "mail-queued-sweep"]
DAILY = ["registrations-remind", "certificates-ask-names", "privacy-purge", "uploads-expire"]


def test_the_tick_runs_every_five_minutes_and_the_daily_tasks_once_a_day(app, tmp_path, clock) -> None:
    scheduler = Scheduler(app, TASKS, FileClaims(tmp_path / "claims.json"))

    def step(at: str) -> list[str]:
        return scheduler.step(clock(at))

    assert step("2027-03-01T01:50+07:00") == EVERY + DAILY  # started late: yesterday's daily run is made up
    assert step("2027-03-01T01:52+07:00") == []
    assert step("2027-03-01T01:55+07:00") == EVERY
    assert step("2027-03-01T02:00+07:00") == EVERY + DAILY  # 02:00 WIB
    assert step("2027-03-01T02:01+07:00") == []
    assert step("2027-03-01T02:05+07:00") == EVERY
    assert step("2027-03-01T14:00+07:00") == EVERY
    assert step("2027-03-02T01:59+07:00") == EVERY
    assert step("2027-03-02T02:00+07:00") == EVERY + DAILY


def test_a_reminder_goes_once_however_often_run_due_is_called(
    app, runner, open_class, register, clock, monkeypatch, tmp_path
) -> None:
    monkeypatch.setattr(app, "instance_path", str(tmp_path))  # where run-due keeps its claims without Redis
    class_id = open_class()
    register(class_id, 1)
    register(class_id, 2)
    with app.app_context():
        start = db.session.get_one(TrainingClass, class_id).start_date

    def reminders() -> int:
        with app.app_context():
            query = select(func.count()).where(OutboxMessage.subject.startswith("Pengingat"))
            return db.session.scalar(query) or 0

    four_days_before = datetime.combine(start - timedelta(days=4), time(2, 0), tzinfo=app_clock.DEFAULT_ZONE)
    clock(four_days_before)
    result = runner.invoke(args=["jobs", "run-due"])
    assert "registrations-remind" in result.output  # 02:00 four days before: nobody to remind yet
    assert reminders() == 0
    three_days_before = four_days_before + timedelta(days=1) - timedelta(hours=1)
    for minutes, due in ((59, False), (60, True), (61, False), (70, False), (300, False)):  # 01:59 … 06:00
        clock(three_days_before + timedelta(minutes=minutes))
        result = runner.invoke(args=["jobs", "run-due"])
        assert result.exit_code == 0, result.output
        assert ("registrations-remind" in result.output) is due
        assert reminders() == (2 if minutes >= 60 else 0)


def test_run_due_can_run_one_task(app, runner, monkeypatch, tmp_path, clock) -> None:
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    clock("2027-03-01T02:00+07:00")
    assert (
        runner.invoke(args=["jobs", "run-due", "--task", "privacy-purge"]).output
        == "Tugas dijalankan: privacy-purge.\n"
    )
    assert "classes-tick" in runner.invoke(args=["jobs", "run-due"]).output
    assert runner.invoke(args=["jobs", "run-due", "--task", "nope"]).exit_code == 2


def test_two_schedulers_on_one_redis_never_run_a_task_twice(app, redis_url, clock) -> None:
    prefix = f"sibimtek:test-scheduler:{uuid.uuid4().hex}:"
    schedulers = [Scheduler(app, TASKS, RedisClaims(Redis.from_url(redis_url), prefix)) for _ in range(2)]
    moment = clock("2027-03-01T02:00+07:00")
    together = threading.Barrier(2)
    ran: list[list[str]] = [[], []]

    def run(index: int) -> None:
        together.wait()
        ran[index] = schedulers[index].step(moment)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(ran[0] + ran[1]) == sorted(EVERY + DAILY)  # each task once, by one or the other
    assert schedulers[0].step(moment) == schedulers[1].step(moment) == []


def test_a_failed_task_is_tried_again_at_the_next_step(app, tmp_path, clock) -> None:
    from app.processes.scheduler import Task

    attempts = []

    def flaky() -> None:
        attempts.append(app_clock.now())
        if len(attempts) == 1:
            raise RuntimeError("database away")

    scheduler = Scheduler(app, [Task("flaky", flaky, daily=True)], FileClaims(tmp_path / "claims.json"))
    assert scheduler.step(clock("2027-03-01T02:00+07:00")) == []
    assert scheduler.step(clock("2027-03-01T02:01+07:00")) == ["flaky"]
    assert scheduler.step(clock("2027-03-01T02:02+07:00")) == []
    assert len(attempts) == 2


def test_sigterm_stops_the_scheduler(app, tmp_path) -> None:
    log = tmp_path / "scheduler.log"
    env = worker_env(app, "", INSTANCE_PATH=str(tmp_path))  # its claims file: a fresh one
    env.pop("REDIS_URL")
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "jobs", "scheduler", "--poll", "0.2"],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(300):  # until its first step is done
                if "scheduled task" in log.read_text() or process.poll() is not None:
                    break
                threading.Event().wait(0.1)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
    text = log.read_text()
    assert "scheduled task classes-tick done" in text, text
    assert "SIGTERM received, stopping" in text
    assert "scheduler stopped" in text
