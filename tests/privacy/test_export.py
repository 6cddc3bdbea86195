"""A person's own copy of their data (UU PDP: access and portability): everything about them, nothing about
anyone else, JSON or XLSX, at once and logged."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.certificates import issuing
from app.core.roles import Role
from app.extensions import db
from app.privacy import export, services
from app.privacy.models import DataRequestKind
from app.registration.models import Registration
from tests.conftest import login
from tests.fixtures_registration import make_nik


def _certify_owner(app, finished_class) -> str:
    with app.app_context(), app.test_request_context():
        for rid in finished_class["ids"][:2]:  # the owner's and someone else's
            issuing.issue(db.session.get(Registration, rid), by=None)
        owner = db.session.get(User, finished_class["owner"].id)
        services.file_request(owner, DataRequestKind.CORRECTION, "Gelar saya S.Pd., bukan S.Pd.I.")
        db.session.commit()
        return db.session.get(Registration, finished_class["ids"][0]).full_name


def test_the_json_copy_holds_everything_about_me_and_nothing_about_others(app, client, finished_class) -> None:
    _certify_owner(app, finished_class)
    login(client, finished_class["owner"].email)
    response = client.get("/data-saya.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.data)
    assert data["akun"]["email"] == finished_class["owner"].email
    assert [r["nik"] for r in data["pendaftaran"]] == [make_nik("52", 1)]  # mine, in full
    assert len(data["presensi"]) == 4
    assert {m["status"] for m in data["presensi"]} == {"hadir"}
    assert [c["nama"] for c in data["sertifikat"]] == ["Peserta 0001"]
    assert [r["jenis"] for r in data["permintaan_data"]] == ["correction"]
    assert len(data["sesi_masuk"]) == 1
    text = response.get_data(as_text=True)
    for other in (make_nik("52", 2), make_nik("52", 3), "Peserta 0002", "Peserta 0003", "peserta2@perpusdes.id"):
        assert other not in text


def test_the_xlsx_copy_has_a_sheet_per_kind_of_data(app, client, finished_class) -> None:
    _certify_owner(app, finished_class)
    login(client, finished_class["owner"].email)
    response = client.get("/data-saya.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [
        "Akun",
        "Pendaftaran",
        "Presensi",
        "Sertifikat",
        "Koreksi nama",
        "Permintaan data",
        "Sesi masuk",
    ]
    account = dict(workbook["Akun"].iter_rows(min_row=2, values_only=True))
    assert account["email"] == finished_class["owner"].email
    registrations = list(workbook["Pendaftaran"].iter_rows(values_only=True))
    header = registrations[0]
    assert len(registrations) == 2
    assert registrations[1][header.index("nik")] == make_nik("52", 1)
    assert registrations[1][header.index("persetujuan_privasi.versi")] == "tes"
    assert len(list(workbook["Presensi"].iter_rows())) == 1 + 4
    cells = " ".join(str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row)
    assert make_nik("52", 2) not in cells
    assert "Peserta 0002" not in cells


def test_a_copy_is_logged_as_an_export_with_full_nik(app, client, finished_class) -> None:
    login(client, finished_class["owner"].email)
    client.get("/data-saya.json")
    client.get("/data-saya.xlsx")
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "exported").order_by(AuditEntry.id)
        ).all()
        assert [
            (e.action, e.what, e.object_type, e.object_id, e.user_id, e.people_count, e.full_nik) for e in entries
        ] == [
            ("exported", f"own_data_{fmt}", "users", finished_class["owner"].id, finished_class["owner"].id, 1, True)
            for fmt in ("json", "xlsx")
        ]


def test_an_account_without_registrations_gets_its_account_data(app, client, login_as) -> None:
    me = login_as(Role.PARTICIPANT, full_name="Made Wirawan")
    data = json.loads(client.get("/data-saya.json").data)
    assert data["akun"]["nama"] == "Made Wirawan"
    assert data["pendaftaran"] == data["presensi"] == data["sertifikat"] == []
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "exported"))
        assert (entry.user_id, entry.full_nik) == (me.id, False)  # no registration: no NIK in it
    assert client.get("/data-saya.xlsx").status_code == 200


def test_the_copy_needs_an_account(client) -> None:
    for url in ("/data-saya.json", "/data-saya.xlsx"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/masuk")


def test_a_formula_typed_as_data_stays_text_in_the_workbook(app, make_user) -> None:
    person = make_user(full_name='=HYPERLINK("http://evil.example")')
    with app.app_context(), app.test_request_context():
        data = export.personal_data(db.session.get(User, person.id))
        sheet = load_workbook(io.BytesIO(export.as_xlsx(data)))["Akun"]
        cell = next(row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == "nama")
        assert cell.data_type == "s"
