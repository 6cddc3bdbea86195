"""Leak checks after a full journey: register, approve, attend, certificate, verify, a password reset.

Afterwards the logs, the error pages, the verification page, the stored mails, the default exports
and the database hold no full NIK, NIP, WhatsApp number or reset token in clear.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import make_url, select, text

from app import clock as app_clock
from app.attendance import services as attendance
from app.attendance.models import AttendanceStatus
from app.certificates.models import Certificate
from app.core.roles import Role
from app.extensions import db
from app.mail import services as mail_services
from app.mail.models import OutboxMessage
from app.programmes.models import ClassStatus, TrainingClass
from app.registration.models import Registration
from tests.conftest import csrf_token, login, submit
from tests.registration.test_views import _form

NIK, NIP = "5271014508900001", "198908052015032001"
PHONE_FORMS = ["+6281234567890", "6281234567890", "081234567890", "0812-3456-7890"]


@pytest.fixture
def journey(app: Flask, client, make_user, open_class, library, caplog, monkeypatch, smtp) -> dict:
    monkeypatch.setattr(mail_services.log, "disabled", False)
    caplog.set_level(logging.DEBUG)

    participant = make_user(Role.PARTICIPANT, full_name="Baiq Nurul Hidayati")
    organiser = make_user(Role.ORGANISER)
    class_id = open_class(capacity=5)
    pages: list[str] = []

    # register (the participant's own form), then an organiser approves
    login(client, participant.email)
    form = _form(library("52"), nik=NIK, nip=NIP, employment_status="pns", whatsapp="0812-3456-7890")
    response = submit(client, f"/katalog/{class_id}/daftar", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        registration = db.session.scalars(select(Registration)).one()
        assert (registration.nik, registration.nip) == (NIK, NIP)
        rid = registration.id
    staff = app.test_client()
    login(staff, organiser.email)
    token = csrf_token(staff, f"/kelola/kelas/{class_id}/pendaftar")
    staff.post(
        "/kelola/pendaftar/keputusan",
        data={
            "csrf_token": token,
            "action": "approve",
            "ids": [str(rid)],
            "next": f"/kelola/kelas/{class_id}/pendaftar",
        },
    )

    # the class runs (attended every day) and ends; a certificate is issued and verified
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        today = app_clock.today(c.zoneinfo)
        c.batch.start_date = today - timedelta(days=20)
        c.start_date, c.end_date, c.status = today - timedelta(days=4), today - timedelta(days=1), ClassStatus.FINISHED
        db.session.flush()
        for day in attendance.class_days(c):
            at = datetime.combine(day, datetime.min.time(), tzinfo=c.zoneinfo) + timedelta(hours=9)
            attendance.record(c, registration_id=rid, day=day, status=AttendanceStatus.HADIR, by=None, now=at)
        db.session.get(Registration, rid).name_confirmed_at = app_clock.now()
        db.session.commit()
    response = staff.post(f"/kelola/pendaftar/{rid}/sertifikat", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        code = db.session.scalars(select(Certificate.code).where(Certificate.registration_id == rid)).one()
    pages.append(client.get(f"/verifikasi/{code}").get_data(as_text=True))
    pages.append(client.get("/tidak-ada").get_data(as_text=True))  # an error page
    pages.append(client.get("/katalog/99999999999999999999").get_data(as_text=True))

    # default exports: the registrations, the attendance report
    exports = [
        staff.get(f"/kelola/kelas/{class_id}/pendaftar.xlsx").data,
        staff.get(f"/presensi/kelas/{class_id}/laporan.xlsx").data,
    ]
    full = staff.get(f"/kelola/kelas/{class_id}/pendaftar.xlsx?nik=lengkap").data

    # a password reset: its token goes to the mail server and nowhere else
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    submit(client, "/lupa-sandi", {"email": participant.email})
    links = [m for body in smtp.sent for m in re.findall(r"/atur-sandi/(\S+)", body)]
    assert links, "the reset mail was sent"
    return {
        "email": participant.email,
        "pages": pages,
        "exports": exports,
        "full": full,
        "tokens": links,
        "logs": caplog.text,
    }


def _cells(blob: bytes) -> str:
    book = load_workbook(io.BytesIO(blob), read_only=True)
    return "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v)


def _secrets(journey: dict, with_email: bool = False) -> list[str]:
    return [NIK, NIP, *PHONE_FORMS, *journey["tokens"], *([journey["email"]] if with_email else [])]


def _assert_clear_of(haystack: str, secrets: list[str], where: str) -> None:
    found = [s for s in secrets if s in haystack]
    assert found == [], f"{where} holds {found}"


def test_logs_pages_and_exports_hold_no_personal_number_or_token(journey: dict) -> None:
    secrets = _secrets(journey)
    _assert_clear_of(journey["logs"], _secrets(journey, with_email=True), "the log")
    for page in journey["pages"]:
        _assert_clear_of(page, secrets, "an error or verification page")
    assert "Baiq Nurul Hidayati" in journey["pages"][0]  # the verification page names its holder
    for blob in journey["exports"]:
        # the birth date too: with it and the gender, the hidden middle of a masked NIK is a short guess
        _assert_clear_of(_cells(blob), [*secrets, "1990-08-05"], "a default export")
    # the export an organiser ticks for holds them, and says so in the access log (tested there)
    assert NIK in _cells(journey["full"])
    assert NIP in _cells(journey["full"])


def test_stored_mails_hold_no_personal_number_or_token(app: Flask, journey: dict) -> None:
    with app.app_context():
        bodies = "\n".join(m.body or "" for m in db.session.scalars(select(OutboxMessage)))
    assert bodies, "mails were stored"
    _assert_clear_of(bodies, _secrets(journey), "the stored mails")


def test_the_database_holds_no_personal_number_or_token_in_clear(app: Flask, journey: dict) -> None:
    secrets = _secrets(journey)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            db.session.commit()
            path = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
            content = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())

            dump = content.decode("latin-1")
        else:  # every value of every table as stored (raw SQL: no column type decrypts it), as text
            parts = []
            for table in db.metadata.sorted_tables:
                rows = db.session.execute(text(f'SELECT * FROM "{table.name}"')).all()  # noqa: S608 - our table names
                parts.extend(str(value) for row in rows for value in row)
            dump = "\n".join(parts)
    _assert_clear_of(dump, secrets, "the database")
