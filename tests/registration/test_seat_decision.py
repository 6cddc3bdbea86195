"""The seat decision of a self-registration (issue #15, the registration rush): the row is committed as
received, the seats counted without a lock, and on PostgreSQL the database function
sibimtek_decide_seat writes the decision under the class lock only if the count still holds.
These drive the function and the recount against a real PostgreSQL (the PostgreSQL pass)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from app import clock
from app.extensions import db
from app.mail.models import OutboxMessage
from app.processes.tasks import decide_registrations
from app.programmes.models import ApprovalMode, TrainingClass
from app.registration import seats, submission
from app.registration.models import Registration, RegistrationStatus
from tests.fixtures_registration import person


def test_registrations_left_undecided_are_decided_by_the_scheduled_task(app, open_class, library) -> None:
    """A submit whose request failed after the row's commit (before its seat) leaves it waiting; the
    registrations-decide task gives it its seat in the order received, with the mail, on both databases."""
    auto, moderated, library_id = open_class(capacity=1), open_class(capacity=5), library("52")
    with app.app_context():
        db.session.get(TrainingClass, moderated).approval_mode = ApprovalMode.MODERATED
        db.session.commit()
    first = _received(app, auto, library_id, 1, ago=timedelta(minutes=5))
    second = _received(app, auto, library_id, 2, ago=timedelta(minutes=4))
    just_now = _received(app, auto, library_id, 3, ago=timedelta(seconds=20))  # its request is deciding it
    for_an_organiser = _received(app, moderated, library_id, 4, ago=timedelta(minutes=5))
    last_week = _received(app, auto, library_id, 5, ago=timedelta(days=7))  # received while moderated
    with app.app_context(), app.test_request_context():
        assert decide_registrations() == 2
    assert _status(app, first) is RegistrationStatus.APPROVED
    assert _status(app, second) is RegistrationStatus.WAITLISTED
    for untouched in (just_now, for_an_organiser, last_week):
        assert _status(app, untouched) is RegistrationStatus.SUBMITTED
    with app.app_context():
        first_mail, second_mail = (db.session.get(Registration, r).email for r in (first, second))
    assert len(_mails(app, first_mail)) == 1
    assert len(_mails(app, second_mail)) == 1
    assert _mails(app, first_mail) != _mails(app, second_mail)  # approved, waiting
    with app.app_context(), app.test_request_context():
        assert decide_registrations() == 0  # decided once


@pytest.fixture
def postgresql(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("sibimtek_decide_seat exists on PostgreSQL only: runs on the PostgreSQL pass (DATABASE_URL)")


def _received(app: Flask, class_id: int, library_id: int, serial: int, ago: timedelta = timedelta(0)) -> int:
    """A registration committed as received (not yet decided), as submit leaves it before the decision."""
    with app.app_context(), app.test_request_context():
        training_class = db.session.get(TrainingClass, class_id)
        registration = Registration(
            class_id=class_id,
            programme_id=training_class.batch.programme_id,
            library_id=library_id,
            province_code="52",
            quota_group=seats.QuotaGroup.DESA_KELURAHAN,
            data_warnings=[],
            consent_version="tes",
            consent_at=clock.now() - ago,
            created_at=clock.now() - ago,
            status=RegistrationStatus.SUBMITTED,
        )
        submission.apply_person(registration, person(serial))
        db.session.add(registration)
        db.session.commit()
        return registration.id


def _mails(app: Flask, to: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.recipient == to)))


def _status(app: Flask, registration_id: int) -> RegistrationStatus:
    with app.app_context():
        return db.session.get(Registration, registration_id).status


def _call(app: Flask, class_id: int, registration_id: int, counted: str, status: str) -> str:
    with app.app_context(), db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        return conn.execute(
            text("SELECT outcome FROM sibimtek_decide_seat(:c, :r, :s, :st, now()::timestamp)"),
            {"c": class_id, "r": registration_id, "s": counted, "st": status},
        ).scalar_one()


def test_the_migrated_function_is_the_one_the_app_describes(app, postgresql) -> None:
    with app.app_context():
        source = db.session.scalar(text("SELECT prosrc FROM pg_proc WHERE proname = 'sibimtek_decide_seat'"))
    assert source == seats.DECIDE_SEAT_SQL.split("$$")[1]


def test_a_decision_is_written_only_while_the_count_holds(app, postgresql, open_class, library) -> None:
    class_id, library_id = open_class(capacity=2), library("52")
    first, second = (_received(app, class_id, library_id, n) for n in (1, 2))
    # counted when someone else already held a seat: nothing written, counted again
    assert _call(app, class_id, first, "52/village=1", "approved") == "recount"
    assert _status(app, first) is RegistrationStatus.SUBMITTED
    assert _call(app, class_id, first, "", "approved") == "decided"
    assert _status(app, first) is RegistrationStatus.APPROVED
    with app.app_context():
        assert db.session.get(Registration, first).decided_at is not None
    # the count now includes the first seat; the second is written with it
    assert _call(app, class_id, second, "", "approved") == "recount"
    assert _call(app, class_id, second, "52/village=1", "waitlisted") == "decided"
    assert _status(app, second) is RegistrationStatus.WAITLISTED
    # decided already (by this or an organiser): left alone
    assert _call(app, class_id, second, "52/village=1", "approved") == "gone"
    assert _status(app, second) is RegistrationStatus.WAITLISTED


def test_a_seat_taken_between_the_count_and_the_call_is_counted_again(
    app, postgresql, open_class, library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two registrations for the last seat: while the first counts (a free seat), the second is
    approved by another connection. The first's call finds the count changed, counts again and waits."""
    class_id, library_id = open_class(capacity=1), library("52")
    first, second = (_received(app, class_id, library_id, n) for n in (1, 2))
    counted: Callable = seats._approved_rows
    calls: list[int] = []

    def count_then_lose_the_race(class_ids, connection=None):
        rows = counted(class_ids, connection)
        if not calls:  # the other request decides right after this count
            assert _call(app, class_id, second, "", "approved") == "decided"
        calls.append(len(rows))
        return rows

    monkeypatch.setattr(seats, "_approved_rows", count_then_lose_the_race)
    with app.app_context(), app.test_request_context():
        registration = db.session.get(Registration, first)
        training_class = db.session.get(TrainingClass, class_id)
        db.session.commit()  # as after submit's commit: no transaction open
        seats.decide_seat(training_class, registration, clock.now())
        db.session.commit()
        assert registration.status is RegistrationStatus.WAITLISTED  # what the mail will say
    assert calls == [0, 1]  # counted twice: free, then full
    assert _status(app, first) is RegistrationStatus.WAITLISTED
    with app.app_context():
        approved = db.session.scalar(
            select(func.count()).where(
                Registration.class_id == class_id, Registration.status == RegistrationStatus.APPROVED
            )
        )
    assert approved == 1
