"""Attendance pages and API through the test client: access, marking, reports, the PDF."""

from __future__ import annotations

import io
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.core.roles import Role
from app.extensions import db
from tests.conftest import csrf_token, login


def _api(client, class_id: int, payload: dict, token: str):
    return client.post(f"/api/presensi/{class_id}", json=payload, headers={"X-CSRFToken": token})


def test_facilitator_marks_through_the_api_idempotently(client, today_class) -> None:
    login(client, today_class["facilitator"].email)
    c, day = today_class["class_id"], today_class["today"].isoformat()
    token = csrf_token(client, f"/presensi/kelas/{c}/{day}")
    payload = {
        "client_key": "a" * 32,
        "registration_id": today_class["ids"][0],
        "day": day,
        "status": "hadir",
        "marked_at": "2020-01-01T00:00:00Z",
    }
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
    response = _api(
        client,
        c,
        {"client_key": "c" * 32, "registration_id": today_class["ids"][0], "day": tomorrow, "status": "hadir"},
        token,
    )
    assert response.status_code == 422
    assert "baru dibuka pada harinya" in response.get_json()["error"]["message"]


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


def test_coordinators_read_only_their_provinces_reports(app, client, today_class, make_user, programme) -> None:
    from app.extensions import db
    from app.programmes.models import Programme, ProgrammeStatus

    with app.app_context():  # a programme whose classes are announced is under way (a draft one is hidden)
        db.session.get(Programme, programme.id).status = ProgrammeStatus.ACTIVE
        db.session.commit()
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
    response = client.post(f"/presensi/kelas/{c}/{day}/semua-hadir", data={"csrf_token": token}, follow_redirects=True)
    assert "5 peserta ditandai hadir." in response.get_data(as_text=True)
    report = client.get(f"/presensi/kelas/{c}/laporan").get_data(as_text=True)
    assert report.count("Hadir</span>") == 5
    assert "kurang 3 hari" in report  # 1 of 4 days so far, 80 % needs 4
    rows = list(
        load_workbook(io.BytesIO(client.get(f"/presensi/kelas/{c}/laporan.xlsx").data)).active.iter_rows(
            values_only=True
        )
    )
    assert len(rows) == 6
    assert rows[1][4] == "Hadir"
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    login(client, today_class["owner"].email)
    mine = client.get("/pendaftaran-saya").get_data(as_text=True)
    # day 1 of 4, present: no verdict while the class runs, only where the person stands
    assert "Sejauh ini hadir 1 dari 4 hari; sertifikat bila hadir paling sedikit 4 hari." in mine
    assert "Tidak memenuhi syarat" not in mine


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


# --- notes on their own, the QR of a closed day, the check-in page ------------------------------------


def test_a_note_is_saved_on_its_own_and_leaves_the_status(client, today_class) -> None:
    login(client, today_class["facilitator"].email)
    c, day, rid = today_class["class_id"], today_class["today"].isoformat(), today_class["ids"][0]
    token = csrf_token(client, f"/presensi/kelas/{c}/{day}")
    tap = _api(client, c, {"client_key": "k" * 32, "registration_id": rid, "day": day, "status": "sakit"}, token)
    assert tap.get_json()["current_status"] == "sakit"
    note = _api(client, c, {"client_key": "n" * 32, "registration_id": rid, "day": day, "note": "Surat dokter"}, token)
    assert note.status_code == 200
    assert note.get_json() | {} == {
        "client_key": "n" * 32,
        "created": True,
        "status": None,
        "current_status": "sakit",
        "current_note": "Surat dokter",
    }
    page = client.get(f"/presensi/kelas/{c}/{day}").get_data(as_text=True)
    assert 'value="Surat dokter"' in page
    assert 'data-status="sakit"' in page


@pytest.mark.parametrize(
    "payload",
    [
        {},  # neither a status nor a note
        {"note": "x" * 201},
        {"note": 42},
        {"status": "hadir", "client_key": "pendek"},
    ],
)
def test_marks_without_a_status_or_note_or_with_a_long_note_are_refused(client, today_class, payload) -> None:
    login(client, today_class["facilitator"].email)
    c, day = today_class["class_id"], today_class["today"].isoformat()
    token = csrf_token(client, f"/presensi/kelas/{c}/{day}")
    response = _api(
        client, c, {"client_key": "m" * 32, "registration_id": today_class["ids"][0], "day": day, **payload}, token
    )
    assert response.status_code == 400
    assert "Catatan paling banyak 200 karakter" in response.get_json()["error"]["message"]


def test_a_stale_csrf_token_is_answered_in_json_and_a_fresh_one_is_given(client, today_class) -> None:
    login(client, today_class["facilitator"].email)
    c, day = today_class["class_id"], today_class["today"].isoformat()
    payload = {"client_key": "s" * 32, "registration_id": today_class["ids"][0], "day": day, "status": "hadir"}
    refused = _api(client, c, payload, "token-dari-sesi-lama")
    assert refused.status_code == 400
    assert refused.get_json()["csrf"] is True
    fresh = client.get("/api/presensi/token")
    assert fresh.headers["Cache-Control"] == "no-store"
    assert _api(client, c, payload, fresh.get_json()["csrf_token"]).status_code == 200


def test_the_qr_of_a_day_that_is_not_today_says_closed_and_gives_no_code(client, today_class) -> None:
    login(client, today_class["facilitator"].email)
    c = today_class["class_id"]
    tomorrow = (today_class["today"] + timedelta(days=1)).isoformat()
    page = client.get(f"/presensi/kelas/{c}/{tomorrow}/qr").get_data(as_text=True)
    assert "belum dibuka: kode QR tampil pada harinya" in page
    assert 'id="qr"' not in page
    refused = client.get(f"/presensi/kelas/{c}/{tomorrow}/qr.json")
    assert refused.status_code == 409
    assert "belum dibuka" in refused.get_json()["error"]["message"]
    assert refused.get_json()["error"]["status"] == 409
    live = client.get(f"/presensi/kelas/{c}/{today_class['today'].isoformat()}/qr.json").get_json()
    assert live["svg"].startswith("<svg")
    assert "/presensi/qr/" in live["url"]


def test_after_the_day_the_qr_says_the_day_is_closed(client, today_class, clock) -> None:
    login(client, today_class["facilitator"].email)
    c, day = today_class["class_id"], today_class["today"]
    clock(datetime.combine(day + timedelta(days=1), time(9), tzinfo=ZoneInfo("Asia/Makassar")))
    page = client.get(f"/presensi/kelas/{c}/{day.isoformat()}/qr").get_data(as_text=True)
    assert "Presensi hari ini sudah ditutup" in page
    assert client.get(f"/presensi/kelas/{c}/{day.isoformat()}/qr.json").status_code == 409


def test_the_check_in_page_names_class_day_and_venue_before_confirming(app, client, today_class) -> None:
    from app.attendance import checkin
    from app.extensions import db
    from app.programmes.models import TrainingClass

    with app.app_context(), app.test_request_context():
        token = checkin.qr_token(db.session.get(TrainingClass, today_class["class_id"]), today_class["today"])
    login(client, today_class["owner"].email)
    page = client.get(f"/presensi/qr/{token}").get_data(as_text=True)
    day = today_class["today"]
    weekday = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"][day.weekday()]
    assert "Kelas Bali – NTB" in page
    assert f"Hari 1 · {weekday}, {day.day} " in page
    assert "(WITA)" in page
    assert "Aston Inn Mataram" in page
    assert "Kota Mataram" in page
    assert "Catat kehadiran saya" in page
    assert client.get("/presensi/qr/rusak").status_code == 422  # refused at once, no button


def test_the_roster_page_reads_the_same_number_of_statements_for_5_or_10_people(
    app, client, today_class, library, make_user, count_queries
) -> None:
    from app.auth.models import User
    from app.programmes.models import TrainingClass
    from app.registration import submission
    from tests.fixtures_registration import person

    login(client, today_class["facilitator"].email)
    url = f"/presensi/kelas/{today_class['class_id']}/{today_class['today'].isoformat()}"
    with count_queries() as five:
        assert client.get(url).status_code == 200
    organiser, library_id = make_user(Role.ORGANISER), library("52")
    with app.app_context(), app.test_request_context():  # five more people, nominated into the running class
        c, by = db.session.get(TrainingClass, today_class["class_id"]), db.session.get(User, organiser.id)
        for n in range(6, 11):
            submission.submit(
                c,
                submission.RegistrationData(person(n), "tes", library_id=library_id),
                user=None,
                nominated_by=by,
                override_reason="Peserta pengganti",
            )
        db.session.commit()
    with count_queries() as ten:
        page = client.get(url).get_data(as_text=True)
    assert page.count('class="roster-row') >= 10
    assert ten.count == five.count <= 14  # login, the class and its children, marks, people


# --- the offline app: service worker, manifest, start page --------------------------------------------


def test_the_service_worker_covers_the_rosters_and_keeps_the_assets(client) -> None:
    response = client.get("/presensi/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    for asset in (
        "/static/css/app.css",
        "/static/js/roster.js",
        "/static/vendor/bootstrap/bootstrap.min.css",
        "/presensi/luring",
    ):
        assert f'"{asset}"' in body
    assert 'var CLASS_PREFIX = "/presensi/kelas/"' in body
    offline = client.get("/presensi/luring").get_data(as_text=True)
    assert "Tidak ada sinyal" in offline


def test_the_manifest_makes_the_roster_installable(client) -> None:
    manifest = client.get("/presensi/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    data = manifest.get_json(force=True)
    assert (data["start_url"], data["scope"], data["display"]) == ("/presensi/", "/presensi/", "standalone")
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_start_page_lists_todays_classes_with_their_roster(client, today_class) -> None:
    login(client, today_class["facilitator"].email)
    page = client.get("/presensi/").get_data(as_text=True)
    assert "Presensi hari ini" in page
    assert f"/presensi/kelas/{today_class['class_id']}/{today_class['today'].isoformat()}" in page
    assert "Hari ini: 0 ditandai, 5 belum" in page
    assert 'rel="manifest"' in page


def test_the_login_page_forgets_the_pages_kept_offline(client) -> None:
    page = client.get("/masuk").get_data(as_text=True)
    assert 'data-forget data-cache="sibimtek-pages"' in page


# --- the facilitator's home: today first, then upcoming, then past --------------------------------------


def _home_order(client) -> dict[str, list[str]]:
    page = client.get("/beranda").get_data(as_text=True)
    sections = {}
    for key in ("today", "upcoming", "past"):
        match = re.search(rf'id="classes-{key}">(.*?)</div>\s*(?:<h3|<div class="d-flex)', page, re.S)
        sections[key] = re.findall(r'class="class-name">([^<]+)<', match.group(1)) if match else []
    return sections


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (
            "2027-05-20T09:00+08:00",
            {"today": [], "upcoming": ["Kelas Juni awal", "Kelas Juni tengah", "Kelas Juni akhir"], "past": []},
        ),
        (
            "2027-06-11T09:00+08:00",
            {"today": ["Kelas Juni tengah"], "upcoming": ["Kelas Juni akhir"], "past": ["Kelas Juni awal"]},
        ),
        (
            "2027-07-01T09:00+08:00",
            {"today": [], "upcoming": [], "past": ["Kelas Juni akhir", "Kelas Juni tengah", "Kelas Juni awal"]},
        ),
    ],
    ids=["before", "during", "after"],
)
def test_the_facilitator_home_shows_today_then_upcoming_then_past(
    client, facilitator_of_three_classes, clock, moment, expected
) -> None:
    clock(moment)
    login(client, facilitator_of_three_classes.email)
    assert _home_order(client) == expected


def test_a_cancelled_class_shows_no_qr_code(app, client, today_class) -> None:
    from app.programmes.models import ClassStatus, TrainingClass

    with app.app_context():
        db.session.get(TrainingClass, today_class["class_id"]).status = ClassStatus.CANCELLED
        db.session.commit()
    login(client, today_class["facilitator"].email)
    url = f"/presensi/kelas/{today_class['class_id']}/{today_class['today'].isoformat()}/qr"
    page = client.get(url).get_data(as_text=True)
    assert "Kelas ini dibatalkan" in page
    assert 'id="qr"' not in page
    assert client.get(url + ".json").status_code == 409


def test_a_correction_from_a_phone_whose_clock_is_behind_still_wins(client, today_class, clock) -> None:
    """The participant checked in by QR at 09.00 (server clock); the facilitator's phone is an hour
    behind and taps Terlambat at 09.10 server time: its own clock says 08.10, sent at once."""
    from datetime import UTC

    from app.attendance import services

    c, day = today_class["class_id"], today_class["today"]
    with client.application.app_context():
        from app.programmes.models import TrainingClass

        zone = db.session.get(TrainingClass, c).zoneinfo
        checked_in = datetime.combine(day, time(9, 0), tzinfo=zone)
        services.record(
            db.session.get(TrainingClass, c),
            registration_id=today_class["ids"][0],
            day=day,
            status=services.AttendanceStatus.HADIR,
            by=None,
            now=checked_in,
        )
        db.session.commit()
    clock(checked_in + timedelta(minutes=10))
    login(client, today_class["facilitator"].email)
    token = csrf_token(client, f"/presensi/kelas/{c}/{day.isoformat()}")
    phone_now = (checked_in + timedelta(minutes=10) - timedelta(hours=1)).astimezone(UTC).isoformat()
    response = _api(
        client,
        c,
        {
            "client_key": "k" * 32,
            "registration_id": today_class["ids"][0],
            "day": day.isoformat(),
            "status": "terlambat",
            "marked_at": phone_now,
            "sent_at": phone_now,
        },
        token,
    )
    assert response.get_json()["current_status"] == "terlambat"


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        "hadir",
        {"client_key": "x" * 32, "registration_id": 10**30, "day": "2023-05-22", "status": "hadir"},
        {
            "client_key": "x" * 32,
            "registration_id": 1,
            "day": "2023-05-22",
            "status": "hadir",
            "marked_at": "0001-01-01T00:00:00+14:00",
            "sent_at": "9999-12-31T23:59:59+00:00",
        },
    ],
)
def test_malformed_marks_are_refused_not_crashed(client, today_class, body) -> None:
    login(client, today_class["facilitator"].email)
    c, day = today_class["class_id"], today_class["today"].isoformat()
    token = csrf_token(client, f"/presensi/kelas/{c}/{day}")
    response = _api(client, c, body, token)
    assert response.status_code in (400, 422)
    assert "error" in response.get_json()


def test_a_code_scanned_in_time_survives_a_slow_login(app, client, today_class, monkeypatch) -> None:
    """A participant scans while logged out and needs five minutes to log in on a cheap phone: the
    code (60 s) has expired by then, but the scan was in time, so the check-in still works; a code
    opened after its minute, or a proof for another code, does not."""
    from urllib.parse import parse_qs, urlsplit

    from itsdangerous.timed import TimestampSigner

    from app.attendance import checkin
    from app.programmes.models import TrainingClass

    with app.app_context(), app.test_request_context():
        token = checkin.qr_token(db.session.get(TrainingClass, today_class["class_id"]), today_class["today"])
    scan = client.get(f"/presensi/qr/{token}")
    assert scan.status_code == 302
    back = parse_qs(urlsplit(scan.headers["Location"]).query)["next"][0]
    assert "bukti=" in back
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + 300)  # five minutes later
    login(client, today_class["owner"].email)
    assert "Kode QR sudah kedaluwarsa" in client.get(f"/presensi/qr/{token}").get_data(as_text=True)
    page = client.get(back).get_data(as_text=True)
    assert "Catat kehadiran saya" in page
    done = client.post(back, data={"csrf_token": csrf_token(client, back)}).get_data(as_text=True)
    assert "Presensi tercatat" in done
    other = checkin.scan_proof  # a proof is bound to its own code
    with app.app_context(), app.test_request_context():
        assert other("rusak") is None


def test_a_coordinator_reads_only_their_provinces_people_in_a_shared_class(
    app, client, make_user, open_class, register
) -> None:
    """The Bali + NTB class: the NTB coordinator's report, XLSX and sign-in PDF hold the NTB people
    only (names and sick notes of Bali's people are not theirs to read); Bali's coordinator the Bali ones."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    class_id = open_class(capacity=10)
    register(class_id, 1, province="52", full_name="Baiq Nurul Aini")
    register(class_id, 2, province="51", full_name="Ni Luh Putu Ayu")
    for province, mine, theirs in (
        ("52", "Baiq Nurul Aini", "Ni Luh Putu Ayu"),
        ("51", "Ni Luh Putu Ayu", "Baiq Nurul Aini"),
    ):
        coordinator = make_user(Role.COORDINATOR, province_code=province)
        login(client, coordinator.email)
        page = client.get(f"/presensi/kelas/{class_id}/laporan").get_data(as_text=True)
        assert mine in page
        assert theirs not in page
        rows = list(
            load_workbook(io.BytesIO(client.get(f"/presensi/kelas/{class_id}/laporan.xlsx").data)).active.iter_rows(
                values_only=True
            )
        )
        names = {row[1] for row in rows[1:]}
        assert names == {mine}
        pdf = client.get(f"/presensi/kelas/{class_id}/daftar-hadir.pdf").data
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        assert mine in text
        assert theirs not in text
        client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    organiser = make_user(Role.ORGANISER)
    login(client, organiser.email)
    page = client.get(f"/presensi/kelas/{class_id}/laporan").get_data(as_text=True)
    assert "Baiq Nurul Aini" in page
    assert "Ni Luh Putu Ayu" in page


def test_the_programme_report_filters_only_by_its_own_batches(app, client, login_as, programme) -> None:
    from datetime import date

    from sqlalchemy import select

    from app.programmes import services as planning
    from app.programmes.models import Batch

    with app.app_context():
        own = db.session.scalar(select(Batch.id).where(Batch.programme_id == programme.id))
        other = planning.create_programme(
            planning.ProgrammeData(code="LAIN", name="Program lain", year=2024, jp_total=40), by=None
        )
        stranger = planning.create_batch(
            other,
            planning.BatchData(number=1, name="Angkatan Lain", start_date=date(2024, 5, 6), end_date=date(2024, 5, 10)),
            by=None,
        )
        db.session.commit()
        stranger_id = stranger.id
    login_as(Role.ORGANISER)
    assert client.get(f"/presensi/program/{programme.id}/laporan?angkatan={own}").status_code == 200
    # From an attacker's trial: another programme's batch showed its name over empty figures.
    answer = client.get(f"/presensi/program/{programme.id}/laporan?angkatan={stranger_id}")
    assert answer.status_code == 404
    assert "Angkatan Lain" not in answer.get_data(as_text=True)
    assert client.get(f"/presensi/program/{programme.id}/laporan?angkatan=99999999").status_code == 404
