"""Planning pages, access, import/export, and the public catalogue, through the test client."""

from __future__ import annotations

import io
from datetime import date

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core.roles import Role
from app.extensions import db
from app.programmes import services
from app.programmes.models import Batch, ClassStatus, Programme, TrainingClass
from tests.conftest import submit, xlsx_file

CLASS_FORM = {
    "name": "Kelas Bali – NTB",
    "venue_name": "Aston Inn Mataram",
    "venue_address": "Kota Mataram",
    "province_code": "52",
    "regency_code": "52.71",
    "start_date": "2023-05-22",
    "end_date": "2023-05-25",
    "capacity": "22",
    "registration_opens_at": "2023-05-01T08:00",
    "registration_closes_at": "2023-05-15T23:59",
    "served": ["51", "52"],
    "seats_51": "8",
    "seats_52": "14",
}


def test_organiser_creates_programme_batch_and_class_through_the_forms(client, login_as, app) -> None:
    login_as(Role.ORGANISER)
    response = submit(
        client,
        "/kelola/program/baru",
        {
            "code": "spp-tik",
            "name": "Bimtek SPP-TIK",
            "year": "2023",
            "jp_total": "40",
            "min_attendance_percent": "80",
            "status": "active",
            "present_statuses": ["hadir", "terlambat"],
        },
    )
    assert response.status_code == 302
    programme_url = response.headers["Location"]
    response = submit(
        client,
        programme_url + "/angkatan/baru",
        {
            "number": "2",
            "name": "Angkatan 2",
            "start_date": "2023-05-22",
            "end_date": "2023-05-26",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        batch = db.session.scalar(select(Batch))
        assert batch.programme.code == "SPP-TIK"
    response = submit(client, f"/kelola/angkatan/{batch.id}/kelas/baru", CLASS_FORM)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kelas Bali – NTB" in page
    assert "Senin, 1 Mei 2023 08.00 WITA" in page
    assert "Senin 22 – Kamis 25 Mei 2023" in page
    with app.app_context():
        c = db.session.scalar(select(TrainingClass))
        assert {p.province_code: p.seats for p in c.provinces} == {"51": 8, "52": 14}
        assert c.registration_opens_at.hour == 0  # 08.00 WITA is 00.00 UTC


def test_class_form_shows_rule_violations_on_the_form(client, login_as, batch) -> None:
    login_as(Role.ORGANISER)
    page = submit(
        client,
        f"/kelola/angkatan/{batch.id}/kelas/baru",
        {
            **CLASS_FORM,
            "seats_51": "20",
            "seats_52": "20",
            "start_date": "2023-05-22",
        },
    ).get_data(as_text=True)
    assert "Jumlah kuota provinsi (40) melebihi kapasitas kelas (22)." in page
    page = submit(
        client,
        f"/kelola/angkatan/{batch.id}/kelas/baru",
        {
            **CLASS_FORM,
            "start_date": "2023-05-30",
            "end_date": "2023-05-31",
        },
    ).get_data(as_text=True)
    assert "di dalam rentang angkatan" in page
    page = submit(
        client,
        f"/kelola/angkatan/{batch.id}/kelas/baru",
        {
            **CLASS_FORM,
            "capacity": "dua puluh",
            "start_date": "kemarin",
            "served": [],
        },
    ).get_data(as_text=True)
    assert "Harus berupa bilangan bulat." in page or "Kapasitas" in page
    assert "Tanggal tidak valid" in page


def test_one_submit_of_the_class_form_shows_every_broken_rule(client, login_as, batch, app) -> None:
    login_as(Role.ORGANISER)
    page = submit(
        client,
        f"/kelola/angkatan/{batch.id}/kelas/baru",
        {
            **CLASS_FORM,
            "capacity": "20",
            "seats_51": "10",
            "seats_52": "15",  # 25 reserved of 20
            "quota_village": "30",  # 30 village seats of 20
            "registration_closes_at": "2023-05-23T10:00",  # closes after the class started on the 22nd
        },
    ).get_data(as_text=True)
    assert "Jumlah kuota provinsi (25) melebihi kapasitas kelas (20)." in page
    assert "Jumlah kuota jenis perpustakaan (30) melebihi kapasitas kelas (20)." in page
    assert "Pendaftaran harus ditutup sebelum kelas dimulai." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrainingClass)) == 0


def test_form_errors_and_planning_rules_show_together(client, login_as, batch) -> None:
    login_as(Role.ORGANISER)
    page = submit(
        client,
        f"/kelola/angkatan/{batch.id}/kelas/baru",
        {
            **CLASS_FORM,
            "name": "",
            "quota_release_date": "kapan-kapan",  # WTForms refuses these two
            "seats_51": "30",  # and the rules still run on what could be read
            "registration_opens_at": "2023-05-16T08:00",  # opens after it closes (15 May)
        },
    ).get_data(as_text=True)
    assert "Nama kelas wajib diisi." in page
    assert "Tanggal tidak valid" in page
    assert "Jumlah kuota provinsi (44) melebihi kapasitas kelas (22)." in page
    assert "Pendaftaran harus ditutup setelah dibuka." in page


def test_batch_form_shows_every_problem_at_once(client, login_as, programme, make_class) -> None:
    make_class()
    login_as(Role.ORGANISER)
    page = submit(
        client,
        f"/kelola/program/{programme.id}/angkatan/baru",
        {
            "number": "2",
            "name": "Angkatan 2 lagi",
            "start_date": "2023-05-26",
            "end_date": "2023-05-22",
        },
    ).get_data(as_text=True)
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in page
    assert "Angkatan 2 sudah ada di program ini." in page


def test_programme_page_and_class_page_show_weekdays(client, login_as, make_class, programme, clock) -> None:
    clock("2023-05-02T10:00+08:00")  # before the quota release date, so the page still mentions it
    class_id = make_class(quota_release_date=date(2023, 5, 12))
    login_as(Role.ORGANISER)
    page = client.get(f"/kelola/program/{programme.id}").get_data(as_text=True)
    assert "Senin 22 – Jumat 26 Mei 2023" in page  # the batch
    assert "Senin 22 – Kamis 25 Mei 2023" in page  # the class
    detail = client.get(f"/kelola/kelas/{class_id}").get_data(as_text=True)
    assert "Jumat, 12 Mei 2023" in detail
    schedule = client.get(f"/kelola/jadwal?program={programme.id}").get_data(as_text=True)
    assert "Senin 22 – Kamis 25 Mei 2023" in schedule


def test_overlapping_facilitator_is_refused_on_the_form(client, login_as, make_user, make_class, batch) -> None:
    person = make_user(Role.FACILITATOR, full_name="Dr. Ahmad Fauzi")
    make_class(facilitator_ids=[person.id])
    login_as(Role.ORGANISER)
    page = submit(
        client,
        f"/kelola/angkatan/{batch.id}/kelas/baru",
        {
            **CLASS_FORM,
            "name": "Kelas Kedua",
            "facilitator_ids": [str(person.id)],
        },
    ).get_data(as_text=True)
    assert "Dr. Ahmad Fauzi sudah mengajar di Kelas Bali – NTB" in page


def test_status_buttons_move_a_class_and_history_shows_it(client, login_as, make_class, clock) -> None:
    clock("2023-04-20T10:00+08:00")  # before the registration window
    class_id = make_class()
    login_as(Role.ORGANISER)
    response = client.post(
        f"/kelola/kelas/{class_id}/status", data={"status": "published", "csrf_token": _token(client, class_id)}
    )
    assert response.status_code == 302
    response = client.post(
        f"/kelola/kelas/{class_id}/status",
        data={"status": "finished", "csrf_token": _token(client, class_id)},
        follow_redirects=True,
    )
    assert "tidak dapat diubah menjadi Selesai" in response.get_data(as_text=True)
    page = client.get(f"/kelola/kelas/{class_id}").get_data(as_text=True)
    assert "Diumumkan" in page
    assert "draft → published" in page


def _token(client, class_id: int) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, f"/kelola/kelas/{class_id}")


def test_deleting_a_draft_class(client, login_as, make_class, app) -> None:
    class_id = make_class()
    login_as(Role.ORGANISER)
    response = client.post(f"/kelola/kelas/{class_id}/hapus", data={"csrf_token": _token(client, class_id)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(TrainingClass, class_id) is None


def test_agenda_is_added_and_the_jp_difference_shown(client, login_as, make_class) -> None:
    class_id = make_class()
    login_as(Role.ORGANISER)
    response = client.post(
        f"/kelola/kelas/{class_id}/agenda",
        data={
            "csrf_token": _token(client, class_id),
            "day": "2023-05-22",
            "start_time": "08:00",
            "end_time": "11:45",
            "topic": "Kebijakan TPBIS",
            "jp": "5",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Kebijakan TPBIS" in page
    assert "08.00–11.45</span> WITA" in page
    assert "Jumlah JP agenda: 5 dari 40 JP program: kurang 35 JP" in page


def _add_session(client, class_id: int, **values: str):
    data = {
        "csrf_token": _token(client, class_id),
        "day": "2023-05-22",
        "start_time": "08:00",
        "end_time": "09:00",
        "topic": "Pembukaan",
        "jp": "1",
        **values,
    }
    return client.post(f"/kelola/kelas/{class_id}/agenda", data=data, follow_redirects=True).get_data(as_text=True)


def test_an_hour_holds_one_jp_not_four(client, login_as, make_class) -> None:
    class_id = make_class()
    login_as(Role.ORGANISER)
    page = _add_session(client, class_id, jp="4")
    assert "Sesi 08.00–09.00 hanya memuat paling banyak 1 JP (1 JP = 45 menit), bukan 4 JP." in page
    assert "Jumlah JP agenda: 0 dari 40" in page
    page = _add_session(client, class_id, jp="1")
    assert "Sesi ditambahkan." in page
    assert "Jumlah JP agenda: 1 dari 40" in page


def test_a_session_with_far_fewer_jp_than_it_could_hold_is_saved_with_a_warning(client, login_as, make_class) -> None:
    class_id = make_class()
    login_as(Role.ORGANISER)
    page = _add_session(client, class_id, end_time="12:00", jp="2")
    assert "Sesi ditambahkan." in page
    assert "Sesi 08.00–12.00 (240 menit) dapat memuat 5 JP, tetapi diisi 2 JP." in page
    page = _add_session(client, class_id, day="2023-05-23", end_time="12:00", jp="4")  # a break: no warning
    assert "dapat memuat" not in page


def test_every_agenda_problem_is_shown_after_one_submit(client, login_as, make_class) -> None:
    class_id = make_class()
    login_as(Role.ORGANISER)
    page = _add_session(client, class_id, day="2023-06-01", start_time="10:00", end_time="09:00", topic="")
    assert 'id="topic-error"' in page
    assert "Materi wajib diisi." in page
    assert 'value="10:00"' in page  # the form comes back as typed
    assert "Hari sesi harus di antara tanggal mulai dan selesai kelas." in page
    assert "Jam selesai harus setelah jam mulai." in page


def test_copy_programme_to_next_year_through_the_page(client, login_as, make_class, programme, app) -> None:
    make_class()
    login_as(Role.ORGANISER)
    from tests.conftest import csrf_token

    token = csrf_token(client, f"/kelola/program/{programme.id}")
    response = client.post(f"/kelola/program/{programme.id}/salin", data={"csrf_token": token, "year": "2024"})
    assert response.status_code == 302
    with app.app_context():
        copy = db.session.scalar(select(Programme).where(Programme.year == 2024))
        assert copy.batches[0].classes[0].start_date == date(2024, 5, 20)  # Monday stays Monday


def test_copy_2023_to_2027_through_the_page_keeps_mondays(client, login_as, make_class, programme, app) -> None:
    make_class()
    login_as(Role.ORGANISER)
    from tests.conftest import csrf_token

    token = csrf_token(client, f"/kelola/program/{programme.id}")
    response = client.post(
        f"/kelola/program/{programme.id}/salin", data={"csrf_token": token, "year": "2027"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Senin 24 – Kamis 27 Mei 2027" in page
    with app.app_context():
        copy = db.session.scalar(select(Programme).where(Programme.year == 2027))
        assert copy.batches[0].classes[0].start_date == date(2027, 5, 24)


# --- access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.PARTICIPANT, Role.COORDINATOR])
def test_only_organisers_and_admins_change_plans(client, login_as, role, programme, batch, make_class) -> None:
    class_id = make_class()
    login_as(role)
    for url in (
        "/kelola/program",
        "/kelola/program/baru",
        f"/kelola/program/{programme.id}",
        f"/kelola/angkatan/{batch.id}/kelas/baru",
        f"/kelola/kelas/{class_id}/ubah",
        f"/kelola/program/{programme.id}/impor",
    ):
        assert client.get(url).status_code == 403, url


def test_facilitators_see_their_own_classes_only(client, login_as, make_class, make_user) -> None:
    me = login_as(Role.FACILITATOR)
    other = make_user(Role.FACILITATOR)
    mine = make_class(facilitator_ids=[me.id], status=ClassStatus.PUBLISHED)
    theirs = make_class(
        name="Kelas Jawa Barat",
        regency_code="32.73",
        provinces={"32": None},
        facilitator_ids=[other.id],
        status=ClassStatus.PUBLISHED,
    )
    assert client.get(f"/kelola/kelas/{mine}").status_code == 200
    assert client.get(f"/kelola/kelas/{theirs}").status_code == 403
    page = client.get("/kelola/jadwal?fasilitator=").get_data(as_text=True)
    assert "Kelas Bali – NTB" in page
    assert "Kelas Jawa Barat" not in page
    home = client.get("/beranda").get_data(as_text=True)
    assert "Kelas Bali – NTB" in home


def test_coordinators_read_their_provinces_classes(client, login_as, make_class) -> None:
    ntb = make_class(status=ClassStatus.PUBLISHED)
    jabar = make_class(
        name="Kelas Jawa Barat", regency_code="32.73", provinces={"32": None}, status=ClassStatus.PUBLISHED
    )
    draft = make_class(name="Kelas Draf NTB")
    login_as(Role.COORDINATOR, province_code="52")
    assert client.get(f"/kelola/kelas/{draft}").status_code == 403  # drafts are the organisers' business
    assert "Kelas Draf NTB" not in client.get("/kelola/jadwal").get_data(as_text=True)
    assert client.get(f"/kelola/kelas/{ntb}").status_code == 200
    assert client.get(f"/kelola/kelas/{jabar}").status_code == 403
    page = client.get("/kelola/jadwal?provinsi=32").get_data(as_text=True)
    assert "Kelas Bali – NTB" in page
    assert "Kelas Jawa Barat" not in page
    detail = client.get(f"/kelola/kelas/{ntb}").get_data(as_text=True)
    assert "/ubah" not in detail  # read-only


# --- catalogue ------------------------------------------------------------------------------------------


def test_catalogue_shows_published_classes_for_a_province(client, make_class, clock) -> None:
    clock("2023-05-01T12:00+08:00")
    open_class = make_class(status=ClassStatus.REGISTRATION_OPEN)
    make_class(name="Kelas Draf", status=ClassStatus.DRAFT)
    make_class(name="Kelas Batal", status=ClassStatus.CANCELLED)
    make_class(name="Kelas Jawa Barat", regency_code="32.73", provinces={"32": None}, status=ClassStatus.PUBLISHED)
    page = client.get("/katalog?provinsi=51").get_data(as_text=True)
    assert "Kelas Bali – NTB" in page
    assert "22 kursi tersisa" in page
    assert "WITA" in page
    assert "Kelas Draf" not in page
    assert "Kelas Batal" not in page
    assert "Kelas Jawa Barat" not in page
    class_page = client.get(f"/katalog/{open_class}").get_data(as_text=True)
    assert "Pendaftaran dibuka sampai 15 Mei 2023 23.59 WITA" in class_page


def test_drafts_and_cancelled_classes_are_404_for_the_public(client, make_class) -> None:
    assert client.get(f"/katalog/{make_class()}").status_code == 404
    assert client.get(f"/katalog/{make_class(status=ClassStatus.CANCELLED)}").status_code == 404
    assert client.get(f"/katalog/{make_class(status=ClassStatus.FINISHED)}").status_code == 200


# --- exports and import ---------------------------------------------------------------------------------


def test_ics_export_parses_with_an_icalendar_parser(client, login_as, make_class) -> None:
    make_class()
    login_as(Role.ORGANISER)
    response = client.get("/kelola/jadwal.ics")
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["summary"]) == "SPP-TIK: Kelas Bali – NTB"
    assert event.decoded("dtstart") == date(2023, 5, 22)
    assert event.decoded("dtend") == date(2023, 5, 26)  # exclusive end of an all-day event
    assert "Aston Inn Mataram" in str(event["location"])


def test_xlsx_export_of_the_schedule(client, login_as, make_class) -> None:
    make_class()
    login_as(Role.ORGANISER)
    rows = list(load_workbook(io.BytesIO(client.get("/kelola/jadwal.xlsx").data)).active.iter_rows(values_only=True))
    assert rows[1][3] == "Kelas Bali – NTB"
    assert rows[1][7] == "WITA"
    assert "Bali (8)" in rows[1][11]


def _xlsx(rows: list[list[object]]) -> bytes:
    from app.programmes.importing import COLUMNS

    return xlsx_file(list(COLUMNS), rows)


GOOD = [
    2,
    "Kelas Bali – NTB",
    "Aston Inn Mataram",
    "Kota Mataram",
    "52.71",
    "2023-05-22",
    "2023-05-25",
    22,
    "51:8, 52:14",
    "2023-05-01 08:00",
    "2023-05-15 23:59",
    "",
]
GOOD_2 = [
    2,
    "Kelas Jawa Barat",
    "Hotel Bandung",
    "",
    "32.73",
    date(2023, 5, 22),
    date(2023, 5, 26),
    40,
    "32",
    "",
    "",
    "",
]
BAD_DATES = [2, "Kelas Salah", "Hotel", "", "52.71", "2023-05-25", "2023-05-22", 10, "52", "", "", ""]
BAD_BATCH = [7, "Kelas Angkatan 7", "Hotel", "", "52.71", "2023-05-22", "2023-05-23", 10, "52", "", "", ""]
BAD_PROVINCE = [2, "Kelas Provinsi", "Hotel", "", "52.71", "2023-05-22", "2023-05-23", 10, "NTB", "", "", ""]


def _upload(client, programme_id: int, data: bytes):
    return submit(
        client,
        f"/kelola/program/{programme_id}/impor",
        {"file": (io.BytesIO(data), "kelas.xlsx")},
        content_type="multipart/form-data",
    )


def test_import_reports_every_bad_row_and_writes_nothing(client, login_as, programme, app) -> None:
    login_as(Role.ORGANISER)
    page = _upload(client, programme.id, _xlsx([GOOD, BAD_DATES, BAD_BATCH, GOOD_2, BAD_PROVINCE])).get_data(
        as_text=True
    )
    assert "5 baris: 2 valid, 3 salah." in page
    assert '<td>3</td><td><ul class="mb-0 ps-3"><li>tanggal_selesai: Tanggal selesai tidak boleh sebelum' in page
    assert '<td>4</td><td><ul class="mb-0 ps-3"><li>angkatan: angkatan 7 belum ada di program ini.</li>' in page
    assert "<td>6</td>" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrainingClass)) == 0

    # the organiser confirms the valid rows
    from tests.conftest import CSRF_RE

    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    csrf = CSRF_RE.findall(page)[-1]
    response = client.post(
        f"/kelola/program/{programme.id}/impor/konfirmasi", data={"csrf_token": csrf, "token": token}
    )
    assert response.status_code == 302
    with app.app_context():
        names = sorted(db.session.scalars(select(TrainingClass.name)))
        assert names == ["Kelas Bali – NTB", "Kelas Jawa Barat"]


def test_a_workbook_left_unconfirmed_expires_after_a_day(client, login_as, programme, app, clock) -> None:
    from app.core import files
    from app.processes.tasks import expire_uploads
    from app.programmes import importing
    from tests.conftest import CSRF_RE

    clock("2027-03-01T09:00+07:00")
    login_as(Role.ORGANISER)
    page = _upload(client, programme.id, _xlsx([GOOD, BAD_DATES])).get_data(as_text=True)
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    with app.app_context():
        kept = f"p{programme.id}-{token}.xlsx"
        assert kept in files.store().names(importing.PENDING_AREA)
        clock("2027-03-01T09:30+07:00")
        other = importing.keep_pending(programme, b"a later upload")  # still waiting at 09:10 tomorrow
        clock("2027-03-02T09:10+07:00")
        assert expire_uploads() >= 1
        assert kept not in files.store().names(importing.PENDING_AREA)
        assert f"p{programme.id}-{other}.xlsx" in files.store().names(importing.PENDING_AREA)
    response = client.post(
        f"/kelola/program/{programme.id}/impor/konfirmasi",
        data={"csrf_token": CSRF_RE.findall(page)[-1], "token": token},
        follow_redirects=True,
    )
    assert "Berkas impor sudah kedaluwarsa. Unggah lagi." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrainingClass)) == 0


def test_a_workbook_is_confirmed_only_into_the_programme_it_was_checked_for(client, login_as, programme, app) -> None:
    """From an attacker's trial: another programme's confirm URL took the token, checked the rows
    against the wrong programme and threw the pending workbook away."""
    from tests.conftest import CSRF_RE

    with app.app_context():
        other = services.create_programme(
            services.ProgrammeData(code="LAIN", name="Program lain", year=2023, jp_total=40), by=None
        )
        db.session.commit()
        other_id = other.id
    login_as(Role.ORGANISER)
    page = _upload(client, programme.id, _xlsx([GOOD, BAD_DATES])).get_data(as_text=True)
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    csrf = CSRF_RE.findall(page)[-1]
    wrong = client.post(f"/kelola/program/{other_id}/impor/konfirmasi", data={"csrf_token": csrf, "token": token})
    assert wrong.status_code == 302
    assert wrong.headers["Location"].endswith(f"/kelola/program/{other_id}/impor")  # "expired" there
    right = client.post(f"/kelola/program/{programme.id}/impor/konfirmasi", data={"csrf_token": csrf, "token": token})
    assert right.status_code == 302  # still waiting for its own programme
    with app.app_context():
        assert sorted(db.session.scalars(select(TrainingClass.name))) == ["Kelas Bali – NTB"]


def test_import_of_all_good_rows_is_written_at_once(client, login_as, programme, app) -> None:
    login_as(Role.ORGANISER)
    response = _upload(client, programme.id, _xlsx([GOOD, GOOD_2]))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrainingClass)) == 2


def test_import_refuses_a_file_that_is_not_xlsx(client, login_as, programme) -> None:
    login_as(Role.ORGANISER)
    page = _upload(client, programme.id, b"not a spreadsheet").get_data(as_text=True)
    assert "Berkas bukan XLSX yang dapat dibaca." in page


def test_import_reports_every_problem_of_a_row_at_once(client, login_as, programme) -> None:
    login_as(Role.ORGANISER)
    # bad capacity, unknown regency, a date that is no date, a province that is no code, window closing
    # before it opens, an unknown facilitator: six problems in one row, all reported with their columns
    row = [
        2,
        "Kelas Serba Salah",
        "Hotel",
        "",
        "99.99",
        "2023-05-22",
        "25 Mei",
        "dua puluh",
        "NTB",
        "2023-05-10 08:00",
        "2023-05-01 08:00",
        "siapa@contoh.id",
    ]
    page = _upload(client, programme.id, _xlsx([row])).get_data(as_text=True)
    assert "1 baris: 0 valid, 1 salah." in page
    for message in (
        "kode_kabupaten_kota: kode &#34;99.99&#34; tidak dikenal",
        "kapasitas: isi jumlah peserta.",
        "tanggal_selesai: tanggal tidak valid (TTTT-BB-HH).",
        "provinsi_dilayani: &#34;NTB&#34; bukan kode provinsi",
        "email_fasilitator: akun tidak ditemukan: siapa@contoh.id.",
        "pendaftaran_ditutup: Pendaftaran harus ditutup setelah dibuka.",
    ):
        assert message in page, message


def test_import_names_the_column_of_each_planning_rule(client, login_as, programme) -> None:
    login_as(Role.ORGANISER)
    row = [
        2,
        "Kelas Penuh Kuota",
        "Hotel",
        "",
        "52.71",
        "2023-05-22",
        "2023-05-25",
        10,
        "51:8, 52:14",
        "2023-05-01 08:00",
        "2023-05-23 08:00",
        "",
    ]
    page = _upload(client, programme.id, _xlsx([row])).get_data(as_text=True)
    assert "provinsi_dilayani: Jumlah kuota provinsi (22) melebihi kapasitas kelas (10)." in page
    assert "pendaftaran_ditutup: Pendaftaran harus ditutup sebelum kelas dimulai." in page


def test_import_template_has_codes_and_an_example_dated_from_the_clock(client, login_as, programme, clock) -> None:
    clock("2026-12-02T10:00+07:00")
    login_as(Role.ORGANISER)
    response = client.get(f"/kelola/program/{programme.id}/impor/templat.xlsx")
    assert response.headers["Content-Disposition"] == 'attachment; filename="templat-impor-kelas.xlsx"'
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Kelas", "Kode", "Petunjuk"]
    sheet = workbook["Kelas"]
    header = [cell.value for cell in sheet[1]]
    example = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert header[:3] == ["angkatan", "nama_kelas", "tempat"]
    assert "provinsi_dilayani" in header
    # the 2023 programme's batches are past: the example is dated ahead of the clock, on a Monday
    start = date.fromisoformat(example["tanggal_mulai"])
    assert date(2026, 12, 2) < start < date(2027, 12, 2)
    assert start.weekday() == 0
    assert example["nama_kelas"].startswith("CONTOH")
    codes = [[cell.value for cell in row] for row in workbook["Kode"].iter_rows()]
    assert "Provinsi (provinsi_dilayani)" in codes[0]
    flat = {value for row in codes for value in row if value is not None}
    assert {"52", "Nusa Tenggara Barat", "52.71", "Kota Mataram", "Angkatan 2"} <= flat


def test_the_template_example_row_is_never_imported(client, login_as, programme, app) -> None:
    login_as(Role.ORGANISER)
    template = load_workbook(io.BytesIO(client.get(f"/kelola/program/{programme.id}/impor/templat.xlsx").data))
    buffer = io.BytesIO()
    template.save(buffer)
    page = _upload(client, programme.id, buffer.getvalue()).get_data(as_text=True)
    assert "nama_kelas: ini baris contoh dari templat" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrainingClass)) == 0
