"""Attendance on a 360-px phone: all present plus exceptions, offline marks that sync later,
and QR self check-in with a current and an expired code."""

from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.attendance import checkin
from app.attendance.models import AttendanceMark
from app.extensions import db
from app.programmes.models import TrainingClass
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.test_journeys import _log_in

pytestmark = pytest.mark.e2e


def _row(page, name: str):
    return page.locator(".roster-row", has=page.locator(".person-name", has_text=name))


def test_facilitator_marks_all_present_with_two_exceptions(app, new_page, today_class) -> None:
    page = new_page(PHONE)
    _log_in(page, today_class["facilitator"].email)
    expect(page.locator(".today-counts")).to_contain_text("0 ditandai, 5 belum")
    page.locator(".today-counts").click()
    expect(page.locator("#people .roster-row")).to_have_count(5)
    page.get_by_role("button", name="Tandai semua hadir").click()
    expect(page.locator(".roster-row .state", has_text="tersimpan")).to_have_count(5)
    expect(page.locator("#all-present-result")).to_have_text("5 peserta ditandai hadir.")
    page.get_by_role("button", name="Tandai semua hadir").click()  # again: nobody left, and it says so
    expect(page.locator("#all-present-result")).to_contain_text("Semua peserta sudah ditandai")
    _row(page, "Peserta 0002").get_by_role("button", name="Terlambat").click()
    row = _row(page, "Peserta 0003")
    row.get_by_label(re.compile("Catatan Peserta 0003")).fill("Surat dokter")
    row.get_by_role("button", name="Sakit").click()
    expect(_row(page, "Peserta 0003").locator(".state")).to_contain_text("Sakit · tersimpan")
    expect(_row(page, "Peserta 0002").locator(".state")).to_contain_text("Terlambat · tersimpan")
    screenshot(page, "roster-phone")

    page.goto(f"/presensi/kelas/{today_class['class_id']}/laporan")
    expect(page.locator(".attendance-matrix .status-badge", has_text="Hadir")).to_have_count(3)
    expect(page.locator(".attendance-matrix .status-badge", has_text="Terlambat")).to_have_count(1)
    expect(page.locator(".attendance-matrix .status-badge", has_text="Sakit")).to_have_count(1)
    screenshot(page, "attendance-report-phone")


def test_marks_made_offline_are_synced_once_when_back_online(app, new_page, today_class) -> None:
    page = new_page(PHONE)
    _log_in(page, today_class["facilitator"].email)
    page.goto(f"/presensi/kelas/{today_class['class_id']}")
    expect(page.locator("#people .roster-row")).to_have_count(5)
    page.context.set_offline(True)
    _row(page, "Peserta 0001").get_by_role("button", name="Hadir").click()
    _row(page, "Peserta 0002").get_by_role("button", name="Izin").click()
    _row(page, "Peserta 0004").get_by_role("button", name="Alpa").click()
    expect(page.locator("#pending")).to_have_text("3 menunggu sinkron")
    screenshot(page, "roster-offline-phone")
    with app.app_context():
        assert db.session.scalars(select(AttendanceMark)).all() == []
    page.context.set_offline(False)
    expect(page.locator("#pending")).to_be_hidden(timeout=15_000)
    expect(_row(page, "Peserta 0004").locator(".state")).to_contain_text("tersimpan")
    with app.app_context():
        marks = db.session.scalars(select(AttendanceMark).order_by(AttendanceMark.id)).all()
        assert sorted((m.registration_id, m.status.value) for m in marks) == sorted(
            [(today_class["ids"][0], "hadir"), (today_class["ids"][1], "izin"), (today_class["ids"][3], "alpa")]
        )
    page.reload()  # nothing left in the queue, nothing sent twice
    expect(page.locator("#pending")).to_be_hidden()
    with app.app_context():
        assert len(db.session.scalars(select(AttendanceMark)).all()) == 3


def test_participant_checks_in_with_the_current_code_not_an_expired_one(app, new_page, today_class) -> None:
    facilitator = new_page(PHONE)
    _log_in(facilitator, today_class["facilitator"].email)
    facilitator.goto(f"/presensi/kelas/{today_class['class_id']}/{today_class['today'].isoformat()}/qr")
    expect(facilitator.locator("#qr svg")).to_be_visible()
    screenshot(facilitator, "qr-screen-phone")
    link = facilitator.locator("#qr").get_attribute("data-link")
    path = re.sub(r"^https?://[^/]+", "", link)

    participant = new_page(PHONE)
    _log_in(participant, today_class["owner"].email)
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, today_class["class_id"])
        with mock.patch("itsdangerous.timed.time.time", return_value=time.time() - 300):
            expired = checkin.qr_token(c, today_class["today"])
    participant.goto(f"/presensi/qr/{expired}")  # refused at once: no button to press in vain
    expect(participant.locator("#check-in-result")).to_contain_text("kedaluwarsa")
    expect(participant.get_by_role("button", name="Catat kehadiran saya")).to_have_count(0)

    participant.goto(path)
    participant.get_by_role("button", name="Catat kehadiran saya").click()
    expect(participant.locator("#check-in-result")).to_contain_text(re.compile("Presensi tercatat: (Hadir|Terlambat)"))
    screenshot(participant, "check-in-phone")
    participant.goto(path)  # scanned again: said at once
    expect(participant.locator("#check-in-result")).to_contain_text("sudah tercatat")
    with app.app_context():
        assert len(db.session.scalars(select(AttendanceMark)).all()) == 1
