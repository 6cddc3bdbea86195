"""Registration pages run a fixed number of SQL statements, whatever the number of rows they show
(issue #13): the same count for few and for many registrations, within tests/budgets.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from app.auth.models import User
from app.core.roles import Role
from app.extensions import db
from app.libraries.models import LibraryType
from app.registration import decisions
from app.registration.models import Registration
from tests.budgets import BUDGETS
from tests.conftest import login

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
