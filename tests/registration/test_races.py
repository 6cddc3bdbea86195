"""Concurrency: many people register at the same moment, each in its own thread, session and
connection, really committing. On PostgreSQL (CI's second pass) at full scale; on SQLite at a
lower concurrency, since SQLite serialises writers anyway."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.errors import DuplicateRegistration
from app.extensions import db
from app.programmes.models import TrainingClass
from app.registration import submission
from app.registration.models import Registration, RegistrationStatus
from tests.fixtures_registration import person


def _on_postgresql(app: Flask) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def _race(app: Flask, class_id: int, library_id: int, serials: list[int]) -> Counter:
    """Submit one registration per serial, all threads released together; returns outcomes."""
    barrier = threading.Barrier(min(len(serials), 50))

    def attempt(serial: int) -> str:
        with app.app_context(), app.test_request_context():
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=30)
            try:
                r = submission.submit(
                    db.session.get(TrainingClass, class_id),
                    submission.RegistrationData(person=person(serial), consent_version="tes", library_id=library_id),
                    user=None,
                )
                db.session.commit()
                return r.status.value
            except DuplicateRegistration:
                db.session.rollback()
                return "duplicate"

    with ThreadPoolExecutor(max_workers=min(len(serials), 50)) as pool:
        return Counter(pool.map(attempt, serials))


@pytest.fixture
def scale(app: Flask) -> dict[str, int]:
    if _on_postgresql(app):
        return {"people": 200, "capacity": 22, "same_nik": 20}
    return {"people": 40, "capacity": 5, "same_nik": 10}


def test_concurrent_self_registrations_never_overfill_a_class(app, open_class, library, scale) -> None:
    class_id = open_class(capacity=scale["capacity"])
    outcomes = _race(app, class_id, library("52"), list(range(1, scale["people"] + 1)))
    assert outcomes == {"approved": scale["capacity"], "waitlisted": scale["people"] - scale["capacity"]}
    with app.app_context():
        approved = db.session.scalar(
            select(func.count()).select_from(Registration).where(Registration.status == RegistrationStatus.APPROVED)
        )
        assert approved == scale["capacity"]


def test_concurrent_submissions_with_one_nik_make_one_registration(app, open_class, library, scale) -> None:
    class_id = open_class(capacity=scale["capacity"])
    outcomes = _race(app, class_id, library("52"), [7] * scale["same_nik"])
    assert outcomes["approved"] == 1
    assert outcomes["duplicate"] == scale["same_nik"] - 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
