"""`flask privacy purge`: people past the retention period are anonymised; figures, certificate
verification and everyone more recent stay as they were."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, make_url, select, text

from app import clock as app_clock
from app.attendance import services as attendance
from app.audit.models import AuditEntry
from app.certificates import issuing
from app.core import files
from app.extensions import db
from app.privacy.purge import PURGED_NAME
from app.programmes.models import TrainingClass
from app.registration import seats, uploads
from app.registration.models import NameCorrection, Registration, RegistrationStatus
from app.reports import services as figures
from tests.conftest import login
from tests.fixtures_registration import make_nik

PERSONAL = [
    "full_name",
    "nik",
    "nik_hash",
    "nip",
    "birth_place",
    "birth_date",
    "email",
    "whatsapp",
    "position",
    "letter_path",
    "data_warnings",
    "decision_reason",
    "purged_at",
]
FIGURES = ["status", "class_id", "province_code", "library_id", "quota_group", "gender", "employment_status"]


def _rows() -> dict[int, dict]:
    """Every registration as stored (raw columns, not through the models)."""
    columns = ", ".join(["id", *PERSONAL, *FIGURES])
    return {row.id: row._asdict() for row in db.session.execute(text(f"SELECT {columns} FROM registrations"))}  # noqa: S608


def _figures(class_ids: list[int]) -> tuple:
    classes = [db.session.get(TrainingClass, i) for i in class_ids]
    return (
        figures.registration_counts("52"),
        figures.registration_counts("51"),
        [seats.registration_count(c) for c in classes],
        attendance.programme_report(classes),
        db.session.scalar(select(func.count()).select_from(Registration)),
    )


@pytest.fixture
def history(app: Flask, clock, finished_class, open_class, register) -> dict:
    """An old class (finished_class: a certificate for the first person, a sick note for the
    second, a letter and a pending name correction for the third) and a recent one; then the
    clock moves on so that the old class ended more than PII_RETENTION_DAYS ago."""
    old, started = finished_class["ids"], app_clock.now()
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, finished_class["class_id"])
        certificate = issuing.issue(db.session.get(Registration, old[0]), by=None)
        attendance.record(
            c, registration_id=old[1], day=attendance.class_days(c)[0], status=None, note="Surat dokter", by=None
        )
        third = db.session.get(Registration, old[2])
        third.letter_path = uploads.store_letter(uploads.Letter(b"%PDF-1.4 surat tugas", "application/pdf", "pdf"))
        third.letter_mimetype = "application/pdf"
        third.data_warnings = ["Tanggal lahir pada NIK berbeda"]
        db.session.add(NameCorrection(registration_id=old[2], old_name="Peserta 0003", new_name="Peserta Tiga"))
        db.session.commit()
        code, letter, old_end = certificate.code, third.letter_path, c.end_date
        c.batch.end_date = c.end_date + timedelta(days=60)  # room for the next class in the same batch
        db.session.commit()
    assert _kept(app, letter)
    recent_class = open_class()
    recent = [register(recent_class, 10), register(recent_class, 11, province="51")]
    retention = app.config["PII_RETENTION_DAYS"]
    later = clock(app_clock.now() + timedelta(days=retention + 2))
    with app.app_context():  # the recent class ended a month before that day
        c = db.session.get(TrainingClass, recent_class)
        c.start_date, c.end_date = later.date() - timedelta(days=33), later.date() - timedelta(days=30)
        c.batch.start_date, c.batch.end_date = c.start_date, c.end_date
        db.session.commit()
        assert (later.date() - old_end).days > retention
    return {
        "old": old,
        "recent": recent,
        "started": started,
        "classes": [finished_class["class_id"], recent_class],
        "code": code,
        "letter": letter,
    }


def test_people_of_an_old_class_are_anonymised_and_everything_else_stays(app, client, runner, history) -> None:
    with app.app_context():
        before, figures_before = _rows(), _figures(history["classes"])
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 kelas, 3 pendaftaran dianonimkan (2 tanpa sertifikat" in result.output
    with app.app_context():
        after = _rows()
        for rid in history["old"]:
            row = after[rid]
            assert (
                row["nik"],
                row["nik_hash"],
                row["nip"],
                row["birth_date"],
                row["letter_path"],
                row["decision_reason"],
            ) == (None,) * 6
            assert (row["birth_place"], row["email"], row["whatsapp"], row["position"]) == ("", "", "", "")
            assert row["data_warnings"] in ("[]", [])  # JSON: text on SQLite, a list on PostgreSQL
            assert row["purged_at"] is not None
            # What the figures are made of is untouched.
            assert [row[c] for c in FIGURES] == [before[rid][c] for c in FIGURES]
        names = {rid: after[rid]["full_name"] for rid in history["old"]}
        assert names == {
            history["old"][0]: "Peserta 0001",
            history["old"][1]: PURGED_NAME,
            history["old"][2]: PURGED_NAME,
        }
        for rid in history["recent"]:  # the recent class: untouched
            assert after[rid] == before[rid]
        assert db.session.get(Registration, history["recent"][0]).nik == make_nik("52", 10)
        notes = db.session.scalars(text("SELECT note FROM attendance_marks WHERE note IS NOT NULL AND note != ''"))
        assert list(notes) == []
        assert db.session.scalar(select(func.count()).select_from(NameCorrection)) == 0
        assert _figures(history["classes"]) == figures_before  # dashboards and reports count the same
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "purged"))
        assert entry.changes["registrations"] == [None, 3]
        assert entry.changes["letters"] == [None, 1]
        assert entry.changes["attendance_notes"] == [None, 1]
    assert not _kept(app, history["letter"])
    page = client.get(f"/verifikasi/{history['code']}").get_data(as_text=True)
    assert "Sertifikat SAH" in page
    assert "Peserta 0001" in page


def test_the_database_keeps_no_phone_of_a_purged_person(app, runner, history) -> None:
    """Phones are encrypted at rest; a purged person's is gone, a recent one's still there."""
    old, recent = [f"+62812{n:08d}" for n in (1, 2, 3)], [f"+62812{n:08d}" for n in (10, 11)]
    with app.app_context():
        assert set(recent) | set(old) <= set(db.session.scalars(select(Registration.whatsapp)))
        raw = set(db.session.scalars(text("SELECT whatsapp FROM registrations")))
        assert not raw & (set(recent) | set(old))  # ciphertext in the table
    runner.invoke(args=["privacy", "purge"])
    with app.app_context():
        phones = set(db.session.scalars(select(Registration.whatsapp)))
        assert not phones & set(old)
        assert set(recent) <= phones
        if db.engine.dialect.name != "sqlite":
            return
    path = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
    content = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    for phone in old + recent:
        assert phone.encode() not in content


def test_a_dry_run_changes_nothing(app, runner, history) -> None:
    with app.app_context():
        before = _rows()
        marks = db.session.execute(text("SELECT id, note FROM attendance_marks ORDER BY id")).all()
    result = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Uji coba" in result.output
    assert "3 pendaftaran" in result.output
    with app.app_context():
        assert _rows() == before
        assert db.session.execute(text("SELECT id, note FROM attendance_marks ORDER BY id")).all() == marks
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "purged")) == 0
        assert db.session.scalar(select(func.count()).select_from(NameCorrection)) == 1
    assert _kept(app, history["letter"])


def test_running_it_twice_changes_nothing_more(app, runner, history) -> None:
    runner.invoke(args=["privacy", "purge"])
    with app.app_context():
        once = _rows()
    second = runner.invoke(args=["privacy", "purge"])
    assert "0 pendaftaran dianonimkan" in second.output
    with app.app_context():
        assert _rows() == once
        runs = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "purged").order_by(AuditEntry.id)).all()
        assert [run.changes["registrations"][1] for run in runs] == [3, 0]  # one entry per run


def test_a_new_registration_form_starts_from_the_account_not_from_purged_data(
    app, client, runner, clock, history, open_class, finished_class
) -> None:
    runner.invoke(args=["privacy", "purge"])
    back = clock(history["started"])  # back when the old class had just ended: a new class is open
    with app.app_context():
        batch = db.session.get(TrainingClass, history["classes"][0]).batch
        batch.start_date, batch.end_date = back.date() - timedelta(days=60), back.date() + timedelta(days=90)
        # one active registration per account and programme: the old one is withdrawn, still purged
        db.session.get(Registration, finished_class["ids"][0]).status = RegistrationStatus.CANCELLED
        db.session.commit()
    class_id = open_class()
    owner = finished_class["owner"]
    login(client, owner.email)
    page = client.get(f"/katalog/{class_id}/daftar").get_data(as_text=True)
    name = re.search(r'<input[^>]*name="full_name"[^>]*>', page).group(0)
    assert "(dihapus)" not in name  # the purged registration's emptied data is not offered
    assert owner.email in page  # the registration's address is the account's


def test_retention_is_configurable(app, runner, history, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "PII_RETENTION_DAYS", 20 * 365)
    assert "0 pendaftaran dianonimkan" in runner.invoke(args=["privacy", "purge"]).output
    monkeypatch.setitem(app.config, "PII_RETENTION_DAYS", 10)
    assert "5 pendaftaran dianonimkan" in runner.invoke(args=["privacy", "purge"]).output


def test_the_letters_folder_is_inside_the_private_instance_folder(app) -> None:
    local = files.LocalFileStore(Path(app.instance_path))
    assert Path(app.instance_path) in local.folder(uploads.AREA).parents


def _kept(app, letter: str) -> bool:
    with app.app_context():
        return files.store().exists(uploads.AREA, letter)
