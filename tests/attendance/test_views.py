"""Attendance pages and API through the test client: access, marking, reports, the PDF."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.auth.models import Role
from tests.conftest import csrf_token, login


def _api(client, class_id: int, payload: dict, token: str):
    return client.post(f"/api/presensi/{class_id}", json=payload, headers={"X-CSRFToken": token})


def test_facilitator_marks_through_the_api_idempotently(client, today_class) -> None:
    login(client, today_class["facilitator"].email)
    c, day = today_class["class_id"], today_class["today"].isoformat()
    token = csrf_token(client, f"/presensi/kelas/{c}/{day}")
    payload = {"client_key": "a" * 32, "registration_id": today_class["ids"][0], "day": day, "status": "hadir",
               "marked_at": "2020-01-01T00:00:00Z"}
    first = _api(client, c, payload, token)
    assert first.status_code == 200
    assert first.get_json()["created"] is True
    again = _api(client, c, payload, token)
    assert again.get_json()["created"] is False
    bad = _api(client, c, {**payload, "client_key": "b" * 32, "status": "liburan"}, token)
    assert bad.status_code == 400
    page = client.get(f"/presensi/kelas/{c}/{day}").get_data(as_text=True)
    assert 'data-status="hadir"' in page


def test_marks_need_the_csrf_token(client, today_class) -> None:
    login(client, today_class["facilitator"].email)
    response = client.post(f"/api/presensi/{today_class['class_id']}", json={"status": "hadir"})
    assert response.status_code == 400


def test_a_future_day_is_refused_with_a_message(client, today_class) -> None:
    login(client, today_class["facilitator"].email)
    c = today_class["class_id"]
    tomorrow = today_class["today"].fromordinal(today_class["today"].toordinal() + 1).isoformat()
    token = csrf_token(client, f"/presensi/kelas/{c}/{tomorrow}")
    response = _api(client, c, {"client_key": "c" * 32, "registration_id": today_class["ids"][0], "day": tomorrow,
                                "status": "hadir"}, token)
    assert response.status_code == 422
    assert "baru dibuka pada harinya" in response.get_json()["error"]


def test_facilitator_of_another_class_gets_403(client, today_class, make_user) -> None:
    stranger = make_user(Role.FACILITATOR)
    login(client, stranger.email)
    c, day = today_class["class_id"], today_class["today"].isoformat()
    assert client.get(f"/presensi/kelas/{c}/{day}").status_code == 403
    assert client.get(f"/presensi/kelas/{c}/laporan").status_code == 403
    token = csrf_token(client, "/akun")
    assert _api(client, c, {"client_key": "d" * 32}, token).status_code == 403
    assert client.get(f"/presensi/kelas/{c}/{day}/qr.json").status_code == 403


def test_participants_cannot_open_rosters_or_reports(client, today_class) -> None:
    login(client, today_class["owner"].email)
    c, day = today_class["class_id"], today_class["today"].isoformat()
    assert client.get(f"/presensi/kelas/{c}/{day}").status_code == 403
    assert client.get(f"/presensi/kelas/{c}/laporan").status_code == 403


def test_coordinators_read_only_their_provinces_reports(client, today_class, make_user, programme) -> None:
    c = today_class["class_id"]
    ntb = make_user(Role.COORDINATOR, province_code="52")
    login(client, ntb.email)
    assert client.get(f"/presensi/kelas/{c}/laporan").status_code == 200
    assert client.get(f"/presensi/kelas/{c}/{today_class['today'].isoformat()}").status_code == 403
    report = client.get(f"/presensi/program/{programme.id}/laporan").get_data(as_text=True)
    assert "Nusa Tenggara Barat" in report
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    jabar = make_user(Role.COORDINATOR, province_code="32")
    login(client, jabar.email)
    assert client.get(f"/presensi/kelas/{c}/laporan").status_code == 403


def test_all_present_then_the_report_and_the_participants_page(client, today_class) -> None:
    login(client, today_class["facilitator"].email)
    c, day = today_class["class_id"], today_class["today"].isoformat()
    token = csrf_token(client, f"/presensi/kelas/{c}/{day}")
    response = client.post(f"/presensi/kelas/{c}/{day}/semua-hadir", data={"csrf_token": token},
                           follow_redirects=True)
    assert "5 peserta ditandai hadir." in response.get_data(as_text=True)
    report = client.get(f"/presensi/kelas/{c}/laporan").get_data(as_text=True)
    assert report.count("Hadir</span>") == 5
    assert "kurang 3 hari" in report  # 1 of 4 days so far, 80 % needs 4
    rows = list(load_workbook(io.BytesIO(client.get(f"/presensi/kelas/{c}/laporan.xlsx").data)).active
                .iter_rows(values_only=True))
    assert len(rows) == 6
    assert rows[1][4] == "Hadir"
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    login(client, today_class["owner"].email)
    mine = client.get("/pendaftaran-saya").get_data(as_text=True)
    assert "Belum memenuhi syarat sertifikat" in mine
    assert "perlu 3 hari lagi" in mine


def test_the_facilitator_home_highlights_today(client, today_class) -> None:
    login(client, today_class["facilitator"].email)
    home = client.get("/beranda").get_data(as_text=True)
    assert "Hari ini: 0 ditandai, 5 belum" in home


def test_daftar_hadir_pdf_lists_every_approved_participant(client, today_class, app) -> None:
    from app.extensions import db
    from app.registration.models import Registration

    login(client, today_class["facilitator"].email)
    response = client.get(f"/presensi/kelas/{today_class['class_id']}/daftar-hadir.pdf")
    assert response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "DAFTAR HADIR" in text
    with app.app_context():
        names = [db.session.get(Registration, i).full_name for i in today_class["ids"]]
    for name in names:
        assert name in text
    assert "Dr. Ahmad Fauzi" in text


@pytest.mark.parametrize("who", ["participant", "facilitator"])
def test_check_in_page_needs_login(client, who) -> None:
    response = client.get("/presensi/qr/token-apa-saja")
    assert response.status_code == 302
    assert re.search("/masuk", response.headers["Location"])
