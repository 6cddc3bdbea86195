"""Certificates of a class with a fixed number of statements, whatever the number of people: the
class certificates page within its budget, and issuing to a class (issue #13)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app import clock as app_clock
from app.attendance import services as attendance
from app.attendance.models import AttendanceStatus
from app.certificates import issuing, names, queries
from app.certificates.models import Certificate
from app.certificates.settings import settings_for
from app.core.roles import Role
from app.extensions import db
from app.programmes.models import ClassStatus, TrainingClass
from app.registration.models import NameCorrection, Registration
from tests.budgets import BUDGETS


@pytest.fixture
def ended_class(app: Flask, open_class, register) -> Callable[..., int]:
    """Factory: a class that ended yesterday with `people` approved participants; with `mixed`,
    every 4th was absent after the first day, every 3rd has not confirmed the name, every 5th
    asks for a name correction and every other one already has a certificate."""

    serials = itertools.count(1)  # one NIK per person: the classes share a programme

    def build(people: int, mixed: bool = True) -> int:
        class_id = open_class(capacity=40)
        ids = [register(class_id, next(serials)) for _ in range(people)]
        with app.app_context(), app.test_request_context():
            c = db.session.get(TrainingClass, class_id)
            today = app_clock.today(c.zoneinfo)
            c.start_date, c.end_date = today - timedelta(days=4), today - timedelta(days=1)
            c.status = ClassStatus.FINISHED
            db.session.flush()
            for index, day in enumerate(attendance.class_days(c)):
                moment = datetime.combine(day, datetime.min.time(), tzinfo=c.zoneinfo) + timedelta(hours=9)
                for number, rid in enumerate(ids):
                    absent = mixed and number % 4 == 3 and index > 0
                    status = AttendanceStatus.ALPA if absent else AttendanceStatus.HADIR
                    attendance.record(c, registration_id=rid, day=day, status=status, by=None, now=moment)
            for number, rid in enumerate(ids):
                registration = db.session.get(Registration, rid)
                if not (mixed and number % 3 == 2):
                    registration.name_confirmed_at = app_clock.now()
                if mixed and number % 5 == 4:
                    db.session.add(
                        NameCorrection(registration=registration, old_name=registration.full_name, new_name="Nama Baru")
                    )
            db.session.flush()
            if mixed:
                for rid in ids[::2]:
                    issuing.issue(db.session.get(Registration, rid), by=None, override_reason="uji anggaran")
            db.session.commit()
        return class_id

    return build


def _page_statements(client, count_queries, class_id: int) -> int:
    url = f"/kelola/kelas/{class_id}/sertifikat"
    assert client.get(url).status_code == 200  # settings created on first use, session warmed up
    with count_queries() as n:
        assert client.get(url).status_code == 200
    return n.count


def test_the_class_certificates_page_runs_the_same_statements_for_few_and_many(
    client, login_as, ended_class, count_queries
) -> None:
    few, many = ended_class(5), ended_class(20)
    login_as(Role.ORGANISER)
    counts = [_page_statements(client, count_queries, class_id) for class_id in (few, many)]
    assert counts[0] == counts[1]
    assert counts[1] <= BUDGETS["class certificates (largest)"]


def test_class_rows_say_what_one_person_at_a_time_says(app, ended_class) -> None:
    class_id = ended_class(12)
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, class_id)
        rows = issuing.class_rows(c)
        assert [row.registration.id for row in rows] == [r.id for r in attendance.approved_registrations(c)]
        for row in rows:
            assert row.certificate == queries.current_certificate(row.registration)
            assert row.readiness == issuing.readiness(row.registration)
        reasons = {row.readiness.reason for row in rows if row.certificate is None}
        assert len(reasons) >= 3  # attendance, pending correction and unconfirmed name all seen
        assert any(not row.readiness.ok and row.registration.name_confirmed_at is None for row in rows)
        assert names.confirmation_deadline(rows[0].registration) > c.end_date


def _issue_statements(app: Flask, count_queries, class_id: int) -> tuple[int, int]:
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, class_id)
        settings_for(c.batch.programme)  # created on first use: not counted
        with count_queries() as n:
            issued, skipped = issuing.issue_class(c, by=None)
        db.session.commit()
        assert skipped == []
        return issued, n.count


def test_issuing_to_a_class_does_not_grow_with_its_people(app, ended_class, count_queries) -> None:
    five, twenty = ended_class(5, mixed=False), ended_class(20, mixed=False)
    issued_few, few = _issue_statements(app, count_queries, five)
    issued_many, many = _issue_statements(app, count_queries, twenty)
    assert (issued_few, issued_many) == (5, 20)
    # The numbers are reserved in one update and the certificates inserted in one statement
    # (executemany): no statement per person.
    assert few == many, (few, many)
    with app.app_context():
        seqs = sorted(db.session.scalars(select(Certificate.seq)))
    assert seqs == list(range(1, 26))  # consecutive, gap-free across both classes (one programme)
