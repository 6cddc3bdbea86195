"""The access log (UU PDP): who viewed, exported or downloaded whose personal data; full NIK only when the
exporter ticks it; the admins' list, its filters and its own export."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from app.audit import services as audit
from app.audit.access import AccessFilters, access_query, mask_address, record_access
from app.audit.models import AccessAction, AuditEntry
from app.auth.models import User
from app.core.roles import Role
from app.extensions import db
from app.programmes.models import TrainingClass
from app.registration.models import Registration
from app.registration.scope import may_export_full_nik
from tests.conftest import login
from tests.fixtures_registration import make_nik

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _entries(app) -> list[AuditEntry]:
    with app.app_context():
        entries = list(db.session.scalars(access_query(AccessFilters())))
        for entry in entries:
            _ = entry.user
        db.session.expunge_all()
        return entries


@contextmanager
def inserts(app) -> Iterator[list[str]]:
    """The INSERT statements run in the block (the budget of a page that reads personal data: one)."""
    seen: list[str] = []

    def on_execute(_conn, _cursor, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def _cells(response) -> list[tuple]:
    assert response.status_code == 200, response.status_code
    return list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))


# --- what is recorded --------------------------------------------------------------------------------------


def test_viewing_a_registration_is_one_access_row_in_one_insert(app, client, login_as, open_class, register) -> None:
    organiser = login_as(Role.ORGANISER, full_name="Rina Panitia")
    class_id = open_class(name="Kelas Mataram 1")
    rid = register(class_id, 1)
    with inserts(app) as seen:
        page = client.get(f"/kelola/pendaftar/{rid}")
    assert page.status_code == 200
    assert len(seen) == 1
    [entry] = _entries(app)
    assert (entry.action, entry.what, entry.object_type, entry.object_id) == (
        "viewed",
        "registration_detail",
        "registrations",
        rid,
    )
    assert (entry.user_id, entry.people_count, entry.full_nik) == (organiser.id, 1, False)
    assert entry.subject_label == "Kelas Mataram 1"
    assert entry.ip_address == "127.0.0.0/24"  # the network, never the host


def test_a_default_export_stays_masked_and_says_so_in_the_log(app, client, login_as, open_class, register) -> None:
    login_as(Role.ORGANISER)
    class_id = open_class()
    register(class_id, 1)
    register(class_id, 2, province="51")
    with inserts(app) as seen:
        rows = _cells(client.get(f"/kelola/kelas/{class_id}/pendaftar.xlsx"))
    assert len(seen) == 1
    assert [row[2] for row in rows[1:]] == ["5271••••••••0001", "5171••••••••0002"]
    [entry] = _entries(app)
    assert (entry.action, entry.what, entry.object_type, entry.object_id) == (
        "exported",
        "registrations_xlsx",
        "classes",
        class_id,
    )
    assert (entry.people_count, entry.full_nik) == (2, False)


def test_full_nik_only_when_the_exporter_ticks_it_and_the_log_says_so(
    app, client, login_as, open_class, register, programme
) -> None:
    login_as(Role.ADMIN)
    class_id = open_class()
    register(class_id, 1)
    register(class_id, 2, province="51")
    rows = _cells(client.get(f"/kelola/kelas/{class_id}/pendaftar.xlsx?nik=lengkap&provinsi=52"))
    assert [row[2] for row in rows[1:]] == [make_nik("52", 1)]  # the filters still apply
    rows = _cells(client.get(f"/kelola/program/{programme.id}/pendaftar.xlsx?nik=lengkap"))
    assert sorted(row[2] for row in rows[1:]) == sorted([make_nik("52", 1), make_nik("51", 2)])
    newest, first = _entries(app)
    assert (first.object_type, first.people_count, first.full_nik) == ("classes", 1, True)
    assert (newest.object_type, newest.object_id, newest.people_count, newest.full_nik) == (
        "programmes",
        programme.id,
        2,
        True,
    )
    # Anything but the ticked box is the masked export.
    rows = _cells(client.get(f"/kelola/kelas/{class_id}/pendaftar.xlsx?nik=ya"))
    assert rows[1][2] == "5271••••••••0001"


def test_the_list_offers_the_full_nik_option_with_a_reminder(client, login_as, open_class, register) -> None:
    login_as(Role.ORGANISER)
    class_id = open_class()
    register(class_id, 1)
    page = client.get(f"/kelola/kelas/{class_id}/pendaftar?provinsi=52").get_data(as_text=True)
    assert "Sertakan NIK, NIP dan WhatsApp lengkap" in page
    assert "UU No. 27 Tahun 2022" in page
    assert 'name="provinsi" value="52"' in page  # the export keeps the list's filters


@pytest.mark.parametrize("roles", [(Role.COORDINATOR,), (Role.FACILITATOR,), (Role.PARTICIPANT,)])
def test_only_organisers_and_admins_may_export_full_nik(app, make_user, roles) -> None:
    other, organiser, admin = make_user(*roles), make_user(Role.ORGANISER), make_user(Role.ADMIN)
    with app.app_context():
        assert not may_export_full_nik(db.session.get(User, other.id))
        assert may_export_full_nik(db.session.get(User, organiser.id))
        assert may_export_full_nik(db.session.get(User, admin.id))


def test_a_coordinator_never_gets_a_full_nik(app, client, make_user, open_class, register) -> None:
    class_id = open_class()
    register(class_id, 1)
    coordinator = make_user(Role.COORDINATOR, province_code="52")
    login(client, coordinator.email)
    assert client.get(f"/kelola/kelas/{class_id}/pendaftar.xlsx?nik=lengkap").status_code == 403
    # What a coordinator may export of the class holds no NIK at all, masked or not.
    rows = _cells(client.get(f"/presensi/kelas/{class_id}/laporan.xlsx"))
    assert rows[1][1] == "Peserta 0001"
    text = " ".join(str(cell) for row in rows for cell in row)
    assert make_nik("52", 1) not in text
    assert "5271••••••••0001" not in text
    [entry] = _entries(app)  # the refused one left nothing
    assert (entry.what, entry.full_nik, entry.user_id) == ("attendance_xlsx", False, coordinator.id)


def test_attendance_exports_count_only_the_people_the_reader_may_see(
    app, client, make_user, open_class, register
) -> None:
    class_id = open_class()
    register(class_id, 1, province="52")
    register(class_id, 2, province="51")
    register(class_id, 3, province="51")
    login(client, make_user(Role.COORDINATOR, province_code="51").email)
    assert client.get(f"/presensi/kelas/{class_id}/laporan.xlsx").status_code == 200
    assert client.get(f"/presensi/kelas/{class_id}/daftar-hadir.pdf").status_code == 200
    pdf, xlsx = _entries(app)
    assert (xlsx.what, xlsx.people_count) == ("attendance_xlsx", 2)
    assert (pdf.what, pdf.action, pdf.object_type, pdf.object_id, pdf.people_count) == (
        "sign_in_sheet_pdf",
        "exported",
        "classes",
        class_id,
        2,
    )


def test_downloading_a_letter_is_logged(app, client, login_as, make_user, open_class, register) -> None:
    from app.core import files
    from app.registration import uploads

    owner = make_user(Role.PARTICIPANT)
    rid = register(open_class(), 1, user=owner)
    with app.app_context():
        name = "a" * 32 + ".pdf"
        files.store().put(uploads.AREA, name, PDF)
        registration = db.session.get(Registration, rid)
        registration.letter_path, registration.letter_mimetype = name, "application/pdf"
        db.session.commit()
    organiser = login_as(Role.ORGANISER)
    assert client.get(f"/pendaftaran/{rid}/surat-tugas").data == PDF
    [entry] = _entries(app)
    assert (entry.action, entry.what, entry.object_type, entry.object_id, entry.user_id) == (
        "downloaded",
        "letter",
        "registrations",
        rid,
        organiser.id,
    )


def test_downloading_a_bulk_certificate_file_is_logged(app, client, login_as, finished_class) -> None:
    from app.certificates import bulk
    from app.certificates.models import BulkJob

    with app.app_context():
        job = BulkJob(scope="class", scope_id=finished_class["class_id"])
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    with app.app_context(), app.test_request_context():
        bulk.run_job(job_id)
    organiser = login_as(Role.ORGANISER)
    assert client.get(f"/kelola/sertifikat/pekerjaan/{job_id}/sertifikat.zip").status_code == 200
    [entry] = _entries(app)
    assert (entry.action, entry.what, entry.object_type, entry.object_id, entry.people_count, entry.user_id) == (
        "downloaded",
        "certificates_bulk",
        "classes",
        finished_class["class_id"],
        2,
        organiser.id,
    )


def test_downloading_someones_certificate_is_logged(app, client, login_as, finished_class) -> None:
    from app.certificates import issuing

    rid = finished_class["ids"][0]
    with app.app_context(), app.test_request_context():
        certificate = issuing.issue(db.session.get(Registration, rid), by=None)
        db.session.commit()
        certificate_id, number = certificate.id, certificate.number
    organiser = login_as(Role.ORGANISER)
    assert client.get(f"/sertifikat/{certificate_id}.pdf").status_code == 200
    [entry] = _entries(app)
    assert (entry.action, entry.what, entry.object_type, entry.object_id, entry.subject_label, entry.user_id) == (
        "downloaded",
        "certificate",
        "registrations",
        rid,
        number,
        organiser.id,
    )


def test_accesses_stay_out_of_an_objects_change_history(app, client, login_as, open_class, register) -> None:
    login_as(Role.ORGANISER)
    class_id = open_class()
    register(class_id, 1)
    client.get(f"/kelola/kelas/{class_id}/pendaftar.xlsx")
    assert len(_entries(app)) == 1
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        assert all(e.action != "exported" for e in audit.history(c))


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.7", "203.0.113.0/24"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1::/48"),
        ("::ffff:10.1.2.3", "10.1.2.0/24"),
        ("bukan-alamat", None),
        (None, None),
    ],
)
def test_addresses_are_kept_without_their_host_part(address, network) -> None:
    assert mask_address(address) == network


# --- the admins' page --------------------------------------------------------------------------------------


@pytest.fixture
def some_accesses(app, make_user, clock):
    """Three readers on three days (WIB): an organiser's view, an admin's full-NIK export, a letter."""
    rina = make_user(Role.ORGANISER, full_name="Rina Panitia", email="rina@perpusnas.go.id")
    budi = make_user(Role.ADMIN, full_name="Budi Admin", email="budi@perpusnas.go.id")
    with app.app_context():
        rina_db, budi_db = db.session.get(User, rina.id), db.session.get(User, budi.id)
        clock("2027-05-01T09:00+07:00")
        record_access(
            rina_db,
            AccessAction.VIEWED,
            "registration_detail",
            "registrations",
            11,
            subject_label="Kelas A",
            people=1,
            address="10.0.0.5",
        )
        clock("2027-05-02T09:00+07:00")
        record_access(
            budi_db,
            AccessAction.EXPORTED,
            "registrations_xlsx",
            "classes",
            7,
            subject_label="Kelas A",
            people=22,
            full_nik=True,
            address="10.0.0.6",
        )
        clock("2027-05-03T23:30+07:00")
        record_access(
            rina_db,
            AccessAction.DOWNLOADED,
            "letter",
            "registrations",
            12,
            subject_label="Kelas B",
            people=1,
            address="10.0.0.7",
        )
        db.session.commit()
    clock("2027-05-04T09:00+07:00")
    return {"rina": rina, "budi": budi}


def _listed(client, query: str = "") -> list[str]:
    page = client.get(f"/admin/akses-data{query}")
    assert page.status_code == 200
    return page.get_data(as_text=True).split('class="access-entry')[1:]


def test_admins_list_every_access_newest_first(client, some_accesses) -> None:
    login(client, some_accesses["budi"].email)
    rows = _listed(client)
    assert len(rows) == 3
    assert "Surat tugas" in rows[0]
    assert "Rina Panitia" in rows[0]
    assert "Daftar pendaftar (XLSX)" in rows[1]
    assert "NIK lengkap" in rows[1]
    assert "22" in rows[1]
    assert "Detail pendaftaran" in rows[2]
    assert "10.0.0.0/24" in rows[2]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?pelaku=rina", ["letter", "registration_detail"]),
        ("?pelaku=budi%40perpusnas", ["registrations_xlsx"]),
        ("?subjek=registrations", ["letter", "registration_detail"]),
        ("?subjek=registrations&subjek_id=11", ["registration_detail"]),
        ("?subjek=classes&subjek_id=7", ["registrations_xlsx"]),
        ("?aksi=downloaded", ["letter"]),
        ("?dari=2027-05-02", ["letter", "registrations_xlsx"]),
        ("?sampai=2027-05-02", ["registrations_xlsx", "registration_detail"]),
        ("?dari=2027-05-03&sampai=2027-05-03", ["letter"]),  # 23.30 WIB is still the 3rd
        ("?nik=y", ["registrations_xlsx"]),
    ],
)
def test_admins_filter_by_reader_subject_action_date_and_full_nik(client, some_accesses, query, expected) -> None:
    labels = {
        "letter": "Surat tugas",
        "registration_detail": "Detail pendaftaran",
        "registrations_xlsx": "Daftar pendaftar (XLSX)",
    }
    login(client, some_accesses["budi"].email)
    rows = _listed(client, query)
    assert len(rows) == len(expected), query
    for row, what in zip(rows, expected, strict=True):
        assert labels[what] in row


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("?subjek_id=99999999999999999999", 3),
        ("?subjek_id=-3", 3),
        ("?subjek_id=abc", 3),
        ("?dari=kemarin", 3),
        ("?dari=9999-12-31", 3),
        ("?sampai=2027-13-45", 3),
        ("?subjek=tabel_lain", 3),
        ("?aksi=deleted", 3),
        ("?pelaku=" + "x" * 500, 3),
        ("?dari=2027-05-03&sampai=2027-05-01", 1),  # the end before the start is dropped, the start kept
    ],
)
def test_bad_filters_are_reported_and_ignored_never_a_500(client, some_accesses, query, listed) -> None:
    login(client, some_accesses["budi"].email)
    page = client.get(f"/admin/akses-data{query}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Sebagian saringan diabaikan" in text
    assert text.count('class="access-entry') == listed


def test_a_page_beyond_the_end_shows_the_last_page_not_an_error(client, some_accesses) -> None:
    login(client, some_accesses["budi"].email)
    last = client.get("/admin/akses-data").get_data(as_text=True)
    for beyond in ("99", "99999999999999999999"):
        page = client.get(f"/admin/akses-data?page={beyond}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Tidak ada akses yang cocok" not in text  # an old link is not "nothing found"
        assert text.count('class="access-entry') == last.count('class="access-entry') > 0


def test_the_log_exports_to_xlsx_and_that_export_is_logged_too(app, client, some_accesses) -> None:
    login(client, some_accesses["budi"].email)
    rows = _cells(client.get("/admin/akses-data.xlsx?pelaku=rina"))
    assert rows[0][:3] == ("No.", "Waktu", "Pelaku")
    assert [row[5] for row in rows[1:]] == ["Surat tugas", "Detail pendaftaran"]
    assert rows[1][2] == "Rina Panitia"
    assert rows[1][11] == "10.0.0.0/24"
    newest = _entries(app)[0]
    assert (newest.what, newest.object_type, newest.object_id, newest.people_count, newest.user_id) == (
        "access_log_xlsx",
        "audit_entries",
        None,
        2,
        some_accesses["budi"].id,
    )


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.COORDINATOR, Role.FACILITATOR, Role.PARTICIPANT])
@pytest.mark.parametrize("url", ["/admin/akses-data", "/admin/akses-data.xlsx"])
def test_only_admins_read_the_log(client, login_as, role, url) -> None:
    login_as(role)
    assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client) -> None:
    response = client.get("/admin/akses-data")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


def test_the_log_page_costs_the_same_for_3_or_40_entries(app, client, login_as, count_queries, make_user) -> None:
    login_as(Role.ADMIN)
    readers = [make_user(Role.ORGANISER) for _ in range(4)]

    def add(n: int) -> None:
        with app.app_context():
            users = [db.session.get(User, r.id) for r in readers]
            for i in range(n):
                record_access(
                    users[i % 4], AccessAction.VIEWED, "registration_detail", "registrations", i + 1, people=1
                )
            db.session.commit()

    add(3)
    client.get("/admin/akses-data")
    with count_queries() as few:
        client.get("/admin/akses-data")
    add(37)
    with count_queries() as many:
        page = client.get("/admin/akses-data")
    assert page.get_data(as_text=True).count('class="access-entry') == 25  # a page
    assert many.count == few.count <= 8  # the session's user and roles, the entries with their readers, a count


def test_a_dashboard_link_leads_admins_to_the_log(client, login_as) -> None:
    login_as(Role.ADMIN)
    assert 'href="/admin/akses-data"' in client.get("/beranda").get_data(as_text=True)


def test_the_page_renders_on_a_phone_with_the_details_in_the_row(client, some_accesses) -> None:
    login(client, some_accesses["budi"].email)
    row = _listed(client, "?aksi=exported")[0]
    assert "d-md-none" in row
    assert "Kelas #7" in row
    assert "22 orang" in row


def test_an_access_is_filed_at_the_clocks_now(app, client, login_as, open_class, register, clock) -> None:
    rid = register(open_class(), 1)
    moment = clock("2027-06-01T08:00+08:00")
    login_as(Role.ORGANISER)
    client.get(f"/kelola/pendaftar/{rid}")
    [entry] = _entries(app)
    assert entry.at == moment


def test_opening_a_nik_claim_its_letter_and_a_data_request_is_logged(app, client, login_as, world) -> None:
    from app.audit.models import AuditEntry

    login_as(Role.ORGANISER)
    values = world["values"]
    assert client.get(f"/kelola/klaim-nik/{values['claim_id']}").status_code == 200
    assert client.get(f"/klaim-nik/{values['claim_id']}/surat").status_code == 200
    assert client.get(f"/kelola/permintaan-data/{values['data_request_id']}").status_code == 200
    with app.app_context():
        logged = db.session.execute(
            select(AuditEntry.what, AuditEntry.object_type, AuditEntry.object_id).where(AuditEntry.what.is_not(None))
        ).all()
    assert set(logged) >= {
        ("nik_claim_detail", "nik_claims", values["claim_id"]),
        ("nik_claim_letter", "nik_claims", values["claim_id"]),
        ("data_request_detail", "data_requests", values["data_request_id"]),
    }
