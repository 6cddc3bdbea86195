"""The programme dashboard (issue #14): the full 2023 demo reproduces the press release (1.238
peserta · 30 provinsi · 450 / 136 / 33 perpustakaan), the page, its XLSX and CSV say the same as the
database, filters narrow them, and a coordinator sees only their province."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.attendance.models import AttendanceMark
from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.libraries.models import Library, LibraryType
from app.programmes.models import Programme, TrainingClass
from app.registration.models import Registration, RegistrationStatus
from tests.conftest import login

ORGANISER, COORDINATOR = "panitia@sibimtek.id", "koordinator.ntb@sibimtek.id"


def _from_database(programme_id: int) -> dict[str, int]:
    approved = select(Registration).where(
        Registration.programme_id == programme_id, Registration.status == RegistrationStatus.APPROVED
    )
    people = approved.subquery()
    reached = dict(
        db.session.execute(
            select(Library.type, func.count(func.distinct(Library.id)))
            .join(people, people.c.library_id == Library.id)
            .group_by(Library.type)
        )
        .tuples()
        .all()
    )
    return {
        "participants": db.session.scalar(select(func.count()).select_from(people)) or 0,
        "provinces": db.session.scalar(select(func.count(func.distinct(people.c.province_code)))) or 0,
        **{t.value: n for t, n in reached.items()},
    }


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email, DEMO_PASSWORD)
    return client


def _summary(xlsx: bytes) -> dict[str, object]:
    sheet = load_workbook(io.BytesIO(xlsx))["Ringkasan"]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_the_full_demo_dashboard_says_what_the_press_release_says(app: Flask) -> None:
    """One test on one full demo load (≈ 6 s): headline, XLSX, CSV, filters and the coordinator."""
    with app.app_context():
        load_demo(full_scale=True)
        db.session.commit()
        programme_id = db.session.scalar(select(Programme.id).where(Programme.year == 2023))
        expected = _from_database(programme_id)
        ntb_people = db.session.scalar(
            select(func.count()).where(
                Registration.programme_id == programme_id,
                Registration.status == RegistrationStatus.APPROVED,
                Registration.province_code == "52",
            )
        )
        # Attendance for every day of every class: one mark per approved person and class day.
        spans = db.session.execute(
            select(TrainingClass.start_date, TrainingClass.end_date)
            .join(Registration, Registration.class_id == TrainingClass.id)
            .where(Registration.programme_id == programme_id, Registration.status == RegistrationStatus.APPROVED)
        ).all()
        days = sum((end - start).days + 1 for start, end in spans)
        marks = db.session.scalar(
            select(func.count())
            .select_from(AttendanceMark)
            .join(Registration, Registration.id == AttendanceMark.registration_id)
            .where(Registration.programme_id == programme_id)
        )
    assert marks == days
    assert expected == {
        "participants": 1238,
        "provinces": 30,
        "desa_kelurahan": 450,
        "kabupaten_kota": 136,
        "provinsi": 33,
    }

    organiser = _client(app, ORGANISER)
    url = f"/kelola/program/{programme_id}/dasbor"
    page = organiser.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert (
        "1.238 peserta · 30 provinsi · 4 angkatan · 450 perpustakaan desa/kelurahan" in " ".join(text.split()).lower()
    )
    assert "136 perpustakaan kabupaten/kota" in text.lower()
    assert "33 perpustakaan provinsi" in text.lower()
    assert text.count('class="tile tile-') >= 38  # the tile map of the 38 provinces (and its legend)

    summary = _summary(organiser.get(url + ".xlsx").data)
    assert summary["Peserta"] == 1238
    assert summary["Provinsi"] == 30
    assert [summary[f"{t.label} asal peserta"] for t in LibraryType] == [expected.get(t.value, 0) for t in LibraryType]
    assert "Peserta,1238" in organiser.get(url + ".csv").get_data(as_text=True)

    ntb = organiser.get(url + "?provinsi=52").get_data(as_text=True)
    assert f"{ntb_people} peserta · 1 provinsi" in " ".join(ntb.split())
    assert _summary(organiser.get(url + ".xlsx?provinsi=52").data)["Peserta"] == ntb_people

    coordinator = _client(app, COORDINATOR)
    own = coordinator.get(url).get_data(as_text=True)
    assert f"{ntb_people} peserta · 1 provinsi" in " ".join(own.split())
    assert "Peserta per kabupaten/kota" in own
    assert "chart-tilemap" not in own
    assert _summary(coordinator.get(url + ".xlsx").data)["Peserta"] == ntb_people
    for other in (url + "?provinsi=51", url + ".xlsx?provinsi=51", url + ".csv?provinsi=51"):
        assert coordinator.get(other).status_code == 403
