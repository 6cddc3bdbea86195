"""The registration rush (issue #15): 100 people logged in over HTTP register at the same moment for
a class of 22 at a real gunicorn (its own processes and connections, really committing): exactly 22
approved, the rest waiting in places 1…78, no errors; and the class lock is held only for the seat
decision, its hold time in the log."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from app.extensions import db
from app.mail.models import OutboxMessage
from app.programmes.models import TrainingClass
from app.registration import submission
from app.registration.models import RegistrationStatus
from tests import rush
from tests.fixtures_registration import person


def _on_postgresql(app: Flask) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def test_a_hundred_people_registering_at_once_over_http_fill_22_seats_exactly(app: Flask, tmp_path: Path) -> None:
    # On PostgreSQL as in production (4 workers × 4 threads); on SQLite, which serialises writers
    # anyway, with fewer processes.
    workers, threads = (4, 4) if _on_postgresql(app) else (2, 4)
    world = rush.build_world(app, participants=100, capacity=22)
    log = tmp_path / "gunicorn.log"
    server, port = rush.start_gunicorn(
        app.config["SQLALCHEMY_DATABASE_URI"],
        log,
        workers=workers,
        threads=threads,
        redis_url=os.environ.get("REDIS_URL"),
        # the accounts' hash was made with the test suite's cheap parameters: no rehash at login
        env={"SECRET_KEY": app.config["SECRET_KEY"], "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024"},
    )
    try:
        browsers = rush.log_in_all(port, world.emails)
        burst = rush.register_all(world, browsers, list(range(1, 101)))
        for browser in browsers:
            browser.close()
    finally:
        rush.stop(server)
    assert burst.errors == []
    assert len(burst.latencies) == 100
    result = rush.outcome(app, world.class_id)
    assert (result.approved, result.waitlisted, result.other) == (22, 78, 0)
    assert result.positions == list(range(1, 79))
    holds = rush.lock_holds(log.read_text(), world.class_id)
    assert len(holds) == 100  # one seat decision per registration, each logged with its hold time
    with app.app_context():
        # everyone was told: one mail per registration, written after the seat's commit
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 100


@pytest.fixture
def seat_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="app.registration.seats")
    return caplog


def test_the_seat_decision_logs_how_long_the_class_was_locked(app, open_class, library, seat_log) -> None:
    class_id, library_id = open_class(capacity=1), library("52")
    with app.app_context(), app.test_request_context():
        r = submission.submit(
            db.session.get(TrainingClass, class_id),
            submission.RegistrationData(person=person(1), consent_version="tes", library_id=library_id),
            user=None,
        )
        db.session.commit()
        assert r.status is RegistrationStatus.APPROVED
    held = [rec for rec in seat_log.records if rec.name == "app.registration.seats"]
    assert len(held) == 1
    assert held[0].levelno == logging.INFO
    assert rush.lock_holds(held[0].getMessage(), class_id)  # "seat lock on class N held X ms"
    assert "5271" not in held[0].getMessage()  # the class and the time, no personal data


def test_the_row_is_committed_first_and_the_seat_decided_after_in_one_call(app, open_class, library) -> None:
    """The statements of a self-registration as the database sees them: the row committed as
    received, the seats counted without a lock, then the decision (on PostgreSQL one call of
    sibimtek_decide_seat in autocommit: lock, check, write, commit inside the database; on SQLite,
    one writer at a time, counted and written in one transaction); the mail after it."""
    class_id = open_class(capacity=1)
    with app.app_context():
        library_id, engine = library("52"), db.engine
    runs: list[list[str]] = [[]]  # the statements (and commits) of each submit, in order

    def on_statement(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        runs[-1].append(" ".join(statement.split()))

    def on_commit(_conn: object) -> None:
        runs[-1].append("COMMIT")

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "commit", on_commit)
    try:
        with app.app_context(), app.test_request_context():
            for serial in (1, 2):  # approved, then waitlisted
                r = submission.submit(
                    db.session.get(TrainingClass, class_id),
                    submission.RegistrationData(person=person(serial), consent_version="tes", library_id=library_id),
                    user=None,
                )
                db.session.commit()
                runs[-1].append(r.status.value)
                runs.append([])
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "commit", on_commit)
    for statements, status in zip(runs[:2], ("approved", "waitlisted"), strict=True):
        assert statements[-1] == status
        insert = next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO registrations"))
        assert statements[insert + 1] == "COMMIT"  # kept as received before any lock
        count = next(i for i, s in enumerate(statements) if "count(*)" in s and "GROUP BY" in s)
        assert count > insert + 1
        assert not any("FOR UPDATE" in s for s in statements)  # no row lock held across round trips
        if _on_postgresql(app):
            assert "sibimtek_decide_seat" in statements[count + 1]
            decided = count + 1
        else:
            assert statements[count + 1].startswith("UPDATE registrations SET status")
            assert statements[count + 2] == "COMMIT"
            decided = count + 2
        assert any(s.startswith("INSERT INTO mail_messages") for s in statements[decided + 1 :])  # mail after
