"""Builders for planning tests: a programme with one batch, and classes in it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from app.extensions import db
from app.programmes import services, validation
from app.programmes.models import Batch, ClassStatus, Programme, TrainingClass

WITA = ZoneInfo("Asia/Makassar")


def class_data(**overrides: object) -> validation.ClassData:
    """The Mataram class of 2023, changed where a test says so."""
    data = validation.ClassData(
        name="Kelas Bali – NTB",
        venue_name="Aston Inn Mataram",
        venue_address="Kota Mataram",
        regency_code="52.71",
        start_date=date(2023, 5, 22),
        end_date=date(2023, 5, 25),
        capacity=22,
        registration_opens_at=datetime(2023, 5, 1, 8, 0, tzinfo=WITA),
        registration_closes_at=datetime(2023, 5, 15, 23, 59, tzinfo=WITA),
        provinces={"51": 8, "52": 14},
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


@pytest.fixture
def programme(app: Flask) -> Programme:
    """SPP-TIK 2023 with Angkatan 2 (22–26 May 2023), committed."""
    with app.app_context():
        p = services.create_programme(
            services.ProgrammeData(code="SPP-TIK", name="Bimtek SPP-TIK", year=2023, jp_total=40), by=None
        )
        services.create_batch(
            p,
            services.BatchData(number=2, name="Angkatan 2", start_date=date(2023, 5, 22), end_date=date(2023, 5, 26)),
            by=None,
        )
        db.session.commit()
        return db.session.get(Programme, p.id)


@pytest.fixture
def batch(app: Flask, programme: Programme) -> Batch:
    with app.app_context():
        return db.session.get(Programme, programme.id).batches[0]


@pytest.fixture
def make_class(app: Flask, batch: Batch) -> Callable[..., TrainingClass]:
    """Create (and commit) a class in the batch; keyword arguments change the Mataram data."""

    def build(status: ClassStatus | None = None, **overrides: object) -> TrainingClass:
        with app.app_context():
            training_class = services.create_class(db.session.get(Batch, batch.id), class_data(**overrides), by=None)
            if status is not None:
                training_class.status = status
            db.session.commit()
            return training_class.id

    return build


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WITA)


@pytest.fixture
def facilitator_of_three_classes(app: Flask, make_class, make_user):
    """A facilitator with three 4-day classes in Mataram (WITA): 1–4, 10–13 and 20–23 June 2027."""
    from datetime import timedelta

    from app.auth.models import User
    from app.core.roles import Role

    facilitator = make_user(Role.FACILITATOR)
    ids = [
        make_class(name=f"Kelas {label}", status=ClassStatus.PUBLISHED)
        for label in ("Juni awal", "Juni tengah", "Juni akhir")
    ]
    with app.app_context():
        for class_id, start in zip(ids, (date(2027, 6, 1), date(2027, 6, 10), date(2027, 6, 20)), strict=True):
            c = db.session.get(TrainingClass, class_id)
            c.start_date, c.end_date = start, start + timedelta(days=3)
            c.facilitators = [db.session.get(User, facilitator.id)]
        db.session.commit()
    return facilitator
