"""Registration pages run a fixed number of SQL statements, whatever the number of rows they show
(issue #13): the same count for few and for many registrations, within tests/budgets.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask

from app import clock
from app.auth.models import User
from app.core.roles import Role
from app.extensions import db
from app.libraries.models import LibraryType
from app.programmes import services as planning
from app.programmes.models import ApprovalMode, ClassStatus
from app.registration import decisions, submission
from app.registration.models import Registration, RegistrationStatus
from tests.budgets import BUDGETS
from tests.conftest import login
from tests.fixtures_planning import class_data
from tests.fixtures_registration import person

FEW, MANY = 3, 12
KINDS = [LibraryType.DESA_KELURAHAN, LibraryType.SEKOLAH, LibraryType.KABUPATEN_KOTA]


@pytest.fixture
def crowded_class(app: Flask, open_class, register, make_user) -> Callable[[int], int]:
    """Factory: a class with `n` registrations from two provinces and three library types, some
    approved, some waiting (capacity n // 2), one cancelled by an organiser."""
    organiser = make_user(Role.ORGANISER)
    serials = iter(range(1, 10_000))

    def build(n: int) -> int:
        class_id = open_class(capacity=n // 2)
        ids = [
            register(class_id, next(serials), province="52" if i % 2 else "51", library_type=KINDS[i % 3])
            for i in range(n)
        ]
        with app.app_context(), app.test_request_context():
            decisions.cancel(db.session.get(Registration, ids[0]), db.session.get(User, organiser.id), "tes")
            db.session.commit()
        return class_id

    return build


def _statements(client, count_queries, url: str) -> int:
    client.get(url)  # warm: the first request of a session loads what every page needs
    with count_queries() as n:
        response = client.get(url)
    assert response.status_code == 200
    return n.count


def test_class_registrations_page_has_a_fixed_query_budget(app, client, login_as, crowded_class, count_queries):
    login_as(Role.ORGANISER)
    few, many = crowded_class(FEW), crowded_class(MANY)
    counts = [_statements(client, count_queries, f"/kelola/kelas/{c}/pendaftar") for c in (few, many)]
    assert counts[0] == counts[1], counts
    assert counts[1] <= BUDGETS["class registrations (largest)"]


def test_programme_registrations_page_has_a_fixed_query_budget(
    app, client, login_as, crowded_class, count_queries, programme
):
    login_as(Role.ORGANISER)
    url = f"/kelola/program/{programme.id}/pendaftar"
    crowded_class(FEW)
    few = _statements(client, count_queries, url)
    crowded_class(MANY)  # a second class of the same programme: 15 registrations in all
    many = _statements(client, count_queries, url)
    assert few == many, (few, many)
    assert many <= BUDGETS["programme registrations"]


@pytest.fixture
def returning_person(app: Flask, open_class, register, make_user) -> Callable[[int], User]:
    """Factory: an account with `n` registrations in one full class: it registered and cancelled
    n - 1 times, and now waits on the waiting list."""
    class_id = open_class(capacity=1)
    register(class_id, 9_000)  # someone else holds the only seat
    serials = iter(range(1, 10_000))

    def build(n: int) -> User:
        user, serial = make_user(Role.PARTICIPANT), next(serials)
        for _ in range(n - 1):
            registration_id = register(class_id, serial, user=user)
            with app.app_context(), app.test_request_context():
                decisions.cancel_own(db.session.get(Registration, registration_id), db.session.get(User, user.id))
                db.session.commit()
        register(class_id, serial, user=user)
        return user

    return build


def test_my_registrations_page_has_a_fixed_query_budget(app, returning_person, count_queries):
    counts = []
    for n in (FEW, MANY):
        user, client = returning_person(n), app.test_client()
        login(client, user.email)
        counts.append(_statements(client, count_queries, "/pendaftaran-saya"))
    assert counts[0] == counts[1], counts
    assert counts[1] <= BUDGETS["Pendaftaran saya"]


@pytest.fixture
def approved_everywhere(app: Flask, make_user, library) -> Callable[[int], User]:
    """Factory: an account approved in `n` classes, each of a programme of its own (an account registers
    once per programme): every registration shows its attendance and its name to confirm."""
    serials, codes = iter(range(1, 10_000)), iter(range(1, 10_000))
    now = clock.now()
    start = now.date() + timedelta(days=30)

    def build(n: int) -> User:
        user, serial, library_id = make_user(Role.PARTICIPANT), next(serials), library("52")
        with app.app_context(), app.test_request_context():
            for _ in range(n):
                programme = planning.create_programme(
                    planning.ProgrammeData(code=f"BUD{next(codes)}", name="Bimtek", year=2030, jp_total=40), by=None
                )
                batch = planning.create_batch(
                    programme,
                    planning.BatchData(number=1, name="Angkatan 1", start_date=start, end_date=start + timedelta(5)),
                    by=None,
                )
                window = {
                    "registration_opens_at": now - timedelta(days=1),
                    "registration_closes_at": now + timedelta(9),
                }
                c = planning.create_class(
                    batch, class_data(start_date=start, end_date=start + timedelta(3), **window), by=None
                )
                c.status, c.approval_mode = ClassStatus.REGISTRATION_OPEN, ApprovalMode.AUTO
                data = submission.RegistrationData(person=person(serial), consent_version="tes", library_id=library_id)
                registration = submission.submit(c, data, user=db.session.get(User, user.id))
                assert registration.status is RegistrationStatus.APPROVED
            db.session.commit()
        return user

    return build


def test_my_registrations_page_costs_the_same_whatever_the_approved_registrations(
    app, approved_everywhere, count_queries
):
    """Attendance and certificates add their figures through a signal, each with a fixed number of statements."""
    counts = []
    for n in (1, 4):
        user, client = approved_everywhere(n), app.test_client()
        login(client, user.email)
        counts.append(_statements(client, count_queries, "/pendaftaran-saya"))
    assert counts[0] == counts[1], counts
    assert counts[1] <= BUDGETS["Pendaftaran saya"]


def test_a_registration_post_has_a_fixed_query_budget(app, open_class, library, make_user, count_queries):
    """The registration POST (issue #15, the rush: each statement is CPU in the app and in the
    database): the same statements for the first seat and for a place on a long waiting list."""
    from tests.conftest import csrf_token
    from tests.fixtures_registration import make_nik
    from tests.registration.test_views import _form

    class_id, library_id = open_class(capacity=1), library("52")
    url = f"/katalog/{class_id}/daftar"
    counts = []
    for serial in (1, 2, 3):
        with app.test_client() as browser:
            login(browser, make_user(Role.PARTICIPANT).email)
            data = {"csrf_token": csrf_token(browser, url), **_form(library_id, nik=make_nik("52", serial))}
            with count_queries() as n:
                response = browser.post(url, data=data)
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
            counts.append(n.count)
    assert counts[1] == counts[2]  # a place on the waiting list costs the same whatever its number
    assert max(counts) <= BUDGETS["registration (POST)"]
