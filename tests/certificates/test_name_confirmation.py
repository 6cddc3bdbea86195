"""Before a certificate is issued, its holder confirms the printed name (or asks for a correction);
unconfirmed names are printed once the programme's confirmation window has passed."""

from __future__ import annotations

import io
from datetime import date, timedelta

from pypdf import PdfReader
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.certificates import issuing, names, rendering
from app.certificates.models import Certificate
from app.certificates.settings import settings_for
from app.core.roles import Role
from app.extensions import db
from app.privacy import rights
from app.programmes.models import Programme, TrainingClass
from app.registration.models import NameCorrection, Registration
from tests.conftest import csrf_token, login, outbox, submit


def _unconfirm(app, ids: list[int]) -> None:
    with app.app_context():
        for rid in ids:
            db.session.get(Registration, rid).name_confirmed_at = None
        db.session.commit()


def test_unconfirmed_names_wait_for_the_window_then_are_issued(app, finished_class) -> None:
    _unconfirm(app, finished_class["ids"])
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, finished_class["class_id"])
        registration = db.session.get(Registration, finished_class["ids"][0])
        deadline = names.confirmation_deadline(registration)
        assert deadline == c.end_date + timedelta(days=3)  # the default window
        ready = issuing.readiness(registration)
        assert not ready.ok
        assert "Menunggu peserta mengonfirmasi nama" in ready.reason
        issued, skipped = issuing.issue_class(c, by=None)
        assert issued == 0
        assert len(skipped) == 3
        issued, _skipped = issuing.issue_class(c, by=None, today=deadline)
        assert issued == 2  # the two who attended; nobody confirmed, the window is over
        db.session.commit()


def test_no_window_when_the_programme_sets_zero_days(app, finished_class) -> None:
    _unconfirm(app, finished_class["ids"])
    with app.app_context(), app.test_request_context():
        registration = db.session.get(Registration, finished_class["ids"][0])
        settings_for(db.session.get(Programme, registration.programme_id)).confirm_days = 0
        assert issuing.readiness(registration).ok
        db.session.rollback()


def test_the_participant_confirms_on_their_page(app, client, finished_class) -> None:
    _unconfirm(app, finished_class["ids"])
    login(client, finished_class["owner"].email)
    page = client.get("/pendaftaran-saya").get_data(as_text=True)
    assert "Periksa nama dan gelar yang akan tercetak di sertifikat" in page
    assert "Peserta 0001" in page
    rid = finished_class["ids"][0]
    token = csrf_token(client, "/pendaftaran-saya")
    response = client.post(
        f"/pendaftaran-saya/{rid}/konfirmasi-nama", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Nama pada sertifikat Anda sudah dikonfirmasi" in response.get_data(as_text=True)
    assert "sudah Anda konfirmasi: Peserta 0001" in response.get_data(as_text=True)
    with app.app_context(), app.test_request_context():
        registration = db.session.get(Registration, rid)
        assert registration.name_confirmed_at is not None
        assert issuing.readiness(registration).ok
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "name_confirmed"))
        assert entry.object_id == rid
    # someone else's registration does not exist for this participant
    other = finished_class["ids"][1]
    assert client.post(f"/pendaftaran-saya/{other}/konfirmasi-nama", data={"csrf_token": token}).status_code == 404


def test_a_pending_correction_holds_the_certificate_until_the_organiser_decides(
    app, client, finished_class, make_user
) -> None:
    rid = finished_class["ids"][0]
    with app.app_context(), app.test_request_context():
        registration = db.session.get(Registration, rid)
        db.session.add(
            NameCorrection(
                registration=registration, old_name=registration.full_name, new_name="Dr. Peserta Satu, M.Hum."
            )
        )
        registration.name_confirmed_at = None
        db.session.commit()
        far = registration.training_class.end_date + timedelta(days=30)
        ready = issuing.readiness(registration, today=far)  # even after the window
        assert not ready.ok
        assert ready.reason == "Koreksi nama menunggu keputusan panitia."
    login(client, finished_class["owner"].email)
    page = client.get("/pendaftaran-saya").get_data(as_text=True)
    assert "Koreksi nama menunggu keputusan panitia:" in page
    assert "Dr. Peserta Satu, M.Hum." in page
    token = csrf_token(client, "/pendaftaran-saya")
    response = client.post(
        f"/pendaftaran-saya/{rid}/konfirmasi-nama", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Koreksi nama Anda masih menunggu keputusan panitia." in response.get_data(as_text=True)

    organiser = make_user(Role.ORGANISER)
    with app.app_context(), app.test_request_context():
        correction = db.session.scalar(select(NameCorrection))
        rights.decide_name_correction(correction, True, db.session.get(type(organiser), organiser.id))
        registration = db.session.get(Registration, rid)
        assert registration.name_confirmed_at is not None  # the name they asked for
        certificate = issuing.issue(registration, by=None)
        db.session.commit()
        text = PdfReader(io.BytesIO(rendering.pdf_bytes(certificate))).pages[0].extract_text()
        assert "Dr. Peserta Satu, M.Hum." in text
        db.session.commit()


def test_after_issue_the_name_is_no_longer_confirmed_but_corrected(app, client, finished_class) -> None:
    rid = finished_class["ids"][0]
    _unconfirm(app, [rid])
    with app.app_context(), app.test_request_context():
        registration = db.session.get(Registration, rid)
        issuing.issue(registration, by=None, override_reason="sertifikat cepat untuk lomba")
        db.session.commit()
    login(client, finished_class["owner"].email)
    token = csrf_token(client, "/pendaftaran-saya")
    response = client.post(
        f"/pendaftaran-saya/{rid}/konfirmasi-nama", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Sertifikat sudah terbit" in response.get_data(as_text=True)


def test_participants_are_asked_by_mail_once(app, finished_class) -> None:
    _unconfirm(app, finished_class["ids"])
    with app.app_context():
        assert names.ask_names() == 3
        db.session.commit()
        assert names.ask_names() == 0  # once each
        c = db.session.get(TrainingClass, finished_class["class_id"])
        after = c.end_date + timedelta(days=3)
        db.session.rollback()
    mails = [m for m in outbox(app) if m.subject == "Periksa nama pada sertifikat Anda"]
    assert len(mails) == 3
    assert "Peserta 0001" in next(m.body for m in mails if "Peserta 0001" in m.body)
    assert "/pendaftaran-saya" in mails[0].body
    with app.app_context():
        assert names.participants_to_ask(after) == []  # the window is over: nothing to ask


def test_the_command_mails_and_reports(app, finished_class) -> None:
    _unconfirm(app, finished_class["ids"])
    result = app.test_cli_runner().invoke(args=["certificates", "ask-names"])
    assert result.exit_code == 0, result.output
    assert "terkirim: 3" in result.output
    result = app.test_cli_runner().invoke(
        args=["certificates", "ask-names", "--today", (date.today() + timedelta(days=60)).isoformat()]
    )
    assert "terkirim: 0" in result.output


def test_settings_validate_the_window_and_the_preview_follows_unsaved_values(
    app, client, login_as, finished_class
) -> None:
    login_as(Role.ORGANISER)
    with app.app_context():
        programme_id = db.session.get(TrainingClass, finished_class["class_id"]).batch.programme_id
    url = f"/kelola/program/{programme_id}/sertifikat"
    assert client.get(url).status_code == 200
    values = {
        "number_pattern": "{seq:04d}/SPP-TIK/PERPUSNAS/{month_roman}/{year}",
        "title": "SERTIFIKAT",
        "role_text": "sebagai PESERTA",
        "body_text": "telah mengikuti {programme}",
        "sign_place": "Jakarta",
        "signatory_position": "Kepala Perpustakaan Nasional",
        "colour": "#0b4f6c",
        "confirm_days": "31",
    }
    page = submit(client, url, values).get_data(as_text=True)
    assert "Masa konfirmasi 0 sampai 30 hari." in page
    page = submit(client, url, values | {"confirm_days": ""}).get_data(as_text=True)
    assert "Isi jumlah hari (0–30)." in page

    preview = client.get(f"{url}/pratinjau.pdf", query_string=values | {"confirm_days": "5", "title": "PIAGAM"})
    assert preview.mimetype == "application/pdf"
    assert "PIAGAM" in PdfReader(io.BytesIO(preview.data)).pages[0].extract_text()
    invalid = client.get(f"{url}/pratinjau.pdf", query_string=values | {"title": "PIAGAM", "colour": "merah"})
    assert "PIAGAM" not in PdfReader(io.BytesIO(invalid.data)).pages[0].extract_text()  # the saved settings
    with app.app_context():
        assert settings_for(db.session.get(Programme, programme_id)).title == "SERTIFIKAT"  # not saved
        assert db.session.scalar(select(Certificate)) is None


def test_an_accepted_name_correction_reissues_the_certificate_already_issued(app, finished_class, make_user) -> None:
    from app.certificates.models import Certificate, CertificateStatus
    from app.privacy import rights

    rid = finished_class["ids"][0]
    organiser = make_user(Role.ORGANISER)
    with app.app_context(), app.test_request_context():
        registration = db.session.get(Registration, rid)
        first = issuing.issue(registration, by=None)
        db.session.add(
            NameCorrection(registration=registration, old_name=first.holder_name, new_name="Dra. Peserta Satu")
        )
        db.session.commit()
        first_id, number = first.id, first.number
        correction = db.session.scalar(select(NameCorrection))
        # From a new user's trial: the certificate and its verification kept the old name.
        rights.decide_name_correction(correction, True, db.session.get(type(organiser), organiser.id))
        db.session.commit()
        old = db.session.get(Certificate, first_id)
        new = db.session.scalar(select(Certificate).where(Certificate.status == CertificateStatus.VALID))
        assert old.status is CertificateStatus.SUPERSEDED
        assert old.superseded_by_id == new.id
        assert (new.number, new.holder_name, new.version) == (number, "Dra. Peserta Satu", 2)
        text = PdfReader(io.BytesIO(rendering.pdf_bytes(new))).pages[0].extract_text()
        assert "Dra. Peserta Satu" in text
