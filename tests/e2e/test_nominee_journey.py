"""A nominee's whole journey in the browser: nominated by XLSX, sets a password from the mail,
sees the registration, checks in by QR on the class day, confirms the name, downloads the certificate."""

from __future__ import annotations

import io
import re
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from app.attendance import checkin
from app.attendance import services as attendance
from app.attendance.models import AttendanceStatus
from app.certificates import issuing
from app.core.roles import Role
from app.extensions import db
from app.programmes.models import TrainingClass
from app.registration.models import Registration
from tests.conftest import link_in, outbox
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journeys import _log_in
from tests.fixtures_registration import make_nik
from tests.registration.test_views import _nominations

pytestmark = pytest.mark.e2e


def test_a_nominee_goes_from_the_import_to_the_certificate(
    app, new_page, make_user, open_class, library, clock
) -> None:
    class_id = open_class(capacity=10)
    organiser = make_user(Role.ORGANISER)
    existing = make_user(Role.PARTICIPANT, email="ni.komang@perpusdes.id", full_name="Ni Komang Sri Wahyuni")
    rows = [
        [
            "Lalu Muhammad Zaini, S.IP.",
            make_nik("52", 11),
            "",
            "L",
            "Praya",
            "1990-08-05",
            "Pengelola perpustakaan",
            "relawan",
            "lalu.zaini@perpusdes.id",
            "081233334444",
            library("52"),
        ],
        [
            "Ni Komang Sri Wahyuni",
            make_nik("52", 12, woman=True),
            "",
            "P",
            "Denpasar",
            "1990-08-05",
            "Pustakawan",
            "honorer",
            "ni.komang@perpusdes.id",
            "081255556666",
            library("52"),
        ],
    ]

    desk = new_page(DESKTOP)
    _log_in(desk, organiser.email)
    desk.goto(f"/kelola/kelas/{class_id}/impor-nominasi")
    desk.locator("input[type=file]").set_input_files(
        files=[{"name": "nominasi.xlsx", "mimeType": "application/octet-stream", "buffer": _nominations(rows)}]
    )
    desk.get_by_role("button", name="Impor nominasi").click()
    expect(desk.get_by_role("alert").first).to_contain_text("2 nominasi diimpor")

    # The nominee who already had an account sees the registration at once.
    known = new_page(PHONE)
    _log_in(known, existing.email)
    known.goto("/pendaftaran-saya")
    expect(known.locator(".registration-card")).to_contain_text("Disetujui")

    # The new nominee sets a password (and consents) from the mail, then logs in.
    mail = next(m for m in outbox(app) if m.recipient == "lalu.zaini@perpusdes.id")
    setup = link_in(mail.body[mail.body.index("/atur-sandi/") - 40 :])
    phone = new_page(PHONE)
    phone.goto(setup)
    phone.get_by_label("Kata sandi baru").fill("pojok-baca-2027")
    phone.get_by_label("Ulangi kata sandi").fill("pojok-baca-2027")
    phone.get_by_label(re.compile("menyetujui pemrosesan data pribadi")).check()
    screenshot(phone, "nominee-set-password-phone")
    phone.get_by_role("button", name="Simpan kata sandi").click()
    _log_in(phone, "lalu.zaini@perpusdes.id", "pojok-baca-2027")
    phone.goto("/pendaftaran-saya")
    card = phone.locator(".registration-card")
    expect(card).to_contain_text("Disetujui")
    expect(card).to_contain_text("Lalu Muhammad Zaini, S.IP.")
    screenshot(phone, "nominee-registration-phone")

    # On the first class day the nominee checks in with the code on the facilitator's screen.
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        first_day, last_day, zone = c.start_date, c.end_date, c.zoneinfo
        rid = db.session.scalar(db.select(Registration.id).where(Registration.email == "lalu.zaini@perpusdes.id"))
    clock(datetime.combine(first_day, time(7, 50), tzinfo=zone))
    with app.app_context(), app.test_request_context():
        token = checkin.qr_token(db.session.get(TrainingClass, class_id), first_day)
    phone.goto(f"/presensi/qr/{token}")
    phone.get_by_role("button", name=re.compile("Catat kehadiran")).click()
    expect(phone.locator("#check-in-result")).to_contain_text("Hadir")

    # The other days are marked by the facilitator; after the class the nominee confirms the name.
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        for day in attendance.class_days(c)[1:]:
            attendance.record(
                c,
                registration_id=rid,
                day=day,
                status=AttendanceStatus.HADIR,
                by=None,
                now=datetime.combine(day, time(9), tzinfo=zone),
            )
        db.session.commit()
    clock(datetime.combine(last_day + timedelta(days=1), time(10), tzinfo=zone))
    phone.goto("/pendaftaran-saya")
    expect(phone.locator(".certificate-name")).to_have_text("Lalu Muhammad Zaini, S.IP.")
    phone.get_by_role("button", name="Nama sudah benar").click()
    expect(phone.locator(".name-confirmation")).to_contain_text("sudah Anda konfirmasi")

    with app.app_context(), app.test_request_context():
        issued, _skipped = issuing.issue_class(db.session.get(TrainingClass, class_id), by=None)
        db.session.commit()
    assert issued >= 1
    phone.goto("/pendaftaran-saya")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Unduh sertifikat").click()
    pdf = download.value.path().read_bytes()
    assert pdf[:5] == b"%PDF-"
    assert "Lalu Muhammad Zaini, S.IP." in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    screenshot(phone, "nominee-certificate-phone")
