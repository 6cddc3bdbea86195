"""Builders for registration tests: verified libraries, valid people, registrations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from flask import Flask

from app import clock as app_clock
from app.auth.models import User
from app.core.roles import Role
from app.extensions import db
from app.libraries import services as libraries
from app.libraries.models import LibraryStatus, LibraryType
from app.programmes.models import ApprovalMode, ClassStatus, TrainingClass
from app.registration import submission
from app.registration.models import EmploymentStatus, Registration

# (regency, district) codes for NIKs and libraries of the people we register
PLACES = {"52": ("52.71", "527101"), "51": ("51.71", "517101"), "32": ("32.73", "327301")}


def make_nik(province: str, serial: int, born: date = date(1990, 8, 5), woman: bool = False) -> str:
    day = born.day + (40 if woman else 0)
    return f"{PLACES[province][1]}{day:02d}{born:%m%y}{serial:04d}"


def person(serial: int, province: str = "52", **overrides: object) -> submission.PersonData:
    born = overrides.pop("birth_date", date(1990, 8, 5))
    woman = overrides.pop("woman", False)
    data = submission.PersonData(
        full_name=f"Peserta {serial:04d}",
        nik=make_nik(province, serial, born, woman),
        gender="P" if woman else "L",
        birth_place="Mataram",
        birth_date=born,
        position="Pengelola perpustakaan",
        employment_status=EmploymentStatus.HONORER,
        email=f"peserta{serial}@perpusdes.id",
        whatsapp=f"+62812{serial:08d}",
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


@pytest.fixture
def library(app: Flask) -> Callable[..., int]:
    """Factory: a verified library id in a province (village library unless told otherwise)."""
    made: dict[tuple[str, LibraryType], int] = {}

    def build(province: str = "52", type: LibraryType = LibraryType.DESA_KELURAHAN) -> int:  # noqa: A002
        key = (province, type)
        if key not in made:
            with app.app_context():
                lib = libraries.create_library(
                    libraries.LibraryData(
                        name=f"Perpustakaan {type.value} {province}", type=type, regency_code=PLACES[province][0]
                    ),
                    status=LibraryStatus.VERIFIED,
                    by=None,
                )
                db.session.commit()
                made[key] = lib.id
        return made[key]

    return build


@pytest.fixture
def open_class(app: Flask, make_class, batch) -> Callable[..., int]:
    """Factory: a class a month from now with registration open (Bali + NTB, auto-approval)."""
    from app.programmes.models import Batch

    now = app_clock.now()
    start = now.date() + timedelta(days=30)
    with app.app_context():
        b = db.session.get(Batch, batch.id)
        b.start_date, b.end_date = start - timedelta(days=5), start + timedelta(days=10)
        db.session.commit()

    def build(**overrides: object) -> int:
        overrides.setdefault("provinces", {"51": None, "52": None})
        mode = overrides.pop("approval_mode", ApprovalMode.AUTO)
        class_id = make_class(
            start_date=start,
            end_date=start + timedelta(days=3),
            registration_opens_at=now - timedelta(days=1),
            registration_closes_at=now + timedelta(days=10),
            **overrides,
        )
        with app.app_context():
            c = db.session.get(TrainingClass, class_id)
            c.status = ClassStatus.REGISTRATION_OPEN
            c.approval_mode = mode
            db.session.commit()
        return class_id

    return build


@pytest.fixture
def register(app: Flask, library) -> Callable[..., Registration]:
    """Factory: submit a registration through the service and commit; returns its id."""

    def build(
        class_id: int,
        serial: int,
        province: str = "52",
        user: User | None = None,
        library_type: LibraryType = LibraryType.DESA_KELURAHAN,
        **overrides: object,
    ) -> int:
        library_id = library(province, library_type)
        with app.app_context(), app.test_request_context():
            c = db.session.get(TrainingClass, class_id)
            r = submission.submit(
                c,
                submission.RegistrationData(
                    person=person(serial, province, **overrides), consent_version="tes", library_id=library_id
                ),
                user=db.session.get(User, user.id) if user else None,
            )
            db.session.commit()
            return r.id

    return build


def status_of(app: Flask, registration_id: int) -> str:
    with app.app_context():
        return db.session.get(Registration, registration_id).status.value


@pytest.fixture
def today_class(app, open_class, register, make_user):
    facilitator = make_user(Role.FACILITATOR, full_name="Dr. Ahmad Fauzi")
    owner = make_user(Role.PARTICIPANT)
    class_id = open_class(capacity=22)
    ids = [register(class_id, 1, user=owner)] + [register(class_id, n) for n in range(2, 6)]
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        today = app_clock.today(c.zoneinfo)
        c.batch.start_date, c.batch.end_date = today - timedelta(days=10), today + timedelta(days=10)
        c.start_date, c.end_date = today, today + timedelta(days=3)
        c.status = ClassStatus.RUNNING
        c.facilitators = [db.session.get(User, facilitator.id)]
        db.session.commit()
    return {"class_id": class_id, "ids": ids, "facilitator": facilitator, "owner": owner, "today": today}


@pytest.fixture
def finished_class(app, open_class, register, make_user):
    """A class that ended yesterday: 3 approved participants, the first two present every day,
    the third only on the first day; all three have confirmed the name on their certificate (the
    confirmation window is tested on its own)."""
    from app.attendance import services as attendance
    from app.attendance.models import AttendanceStatus

    owner = make_user(Role.PARTICIPANT)
    class_id = open_class(capacity=10)
    ids = [register(class_id, 1, user=owner), register(class_id, 2), register(class_id, 3)]
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        today = app_clock.today(c.zoneinfo)
        c.batch.start_date, c.batch.end_date = today - timedelta(days=20), today + timedelta(days=10)
        c.start_date, c.end_date = today - timedelta(days=4), today - timedelta(days=1)
        c.status = ClassStatus.FINISHED
        db.session.flush()
        for index, day in enumerate(attendance.class_days(c)):
            moment = datetime.combine(day, datetime.min.time(), tzinfo=c.zoneinfo) + timedelta(hours=9)
            for rid in ids:
                status = AttendanceStatus.ALPA if rid == ids[2] and index > 0 else AttendanceStatus.HADIR
                attendance.record(c, registration_id=rid, day=day, status=status, by=None, now=moment)
        for rid in ids:
            db.session.get(Registration, rid).name_confirmed_at = app_clock.now()
        db.session.commit()
    return {"class_id": class_id, "ids": ids, "owner": owner}
