"""NIK claims: the owner of a NIK someone else registered asks for it; organisers decide (issue #12,
item 5). A claim tells the claimant nothing; accepting frees the NIK, refusing mails the reason."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.core import files
from app.core.roles import Role
from app.errors import InvalidRegistrationState, ScheduleError
from app.extensions import db
from app.programmes.models import Programme, TrainingClass
from app.registration import claims, uploads
from app.registration.models import NikClaim, NikClaimStatus, Registration
from tests.conftest import csrf_token, login, outbox, submit
from tests.fixtures_registration import make_nik, status_of
from tests.registration.pdfs import active_content, hostile_letter
from tests.registration.test_views import _form

OWN_NIK = make_nik("52", 1)  # the NIK the claimant owns, registered by someone else first


@pytest.fixture
def blocked(app, open_class, register, make_user):
    """Someone registered the claimant's NIK (through another account); the claimant is logged out."""
    squatter = make_user(Role.PARTICIPANT, email="penyerobot@contoh.id")
    class_id = open_class(capacity=10)
    rid = register(class_id, 1, user=squatter)
    claimant = make_user(Role.PARTICIPANT, email="pemilik@perpusdes.id", full_name="Baiq Nurul Hidayati")
    with app.app_context():
        programme_id = db.session.get(TrainingClass, class_id).batch.programme_id
    return {
        "class_id": class_id,
        "registration_id": rid,
        "claimant": claimant,
        "squatter": squatter,
        "programme_id": programme_id,
    }


def _claim(client, class_id: int, nik: str = OWN_NIK, **extra: object):
    data = {
        "nik": nik,
        "explanation": "NIK ini milik saya; saya staf Perpustakaan Desa Sukamaju.",
        "confirm": "y",
        **extra,
    }
    return submit(client, f"/katalog/{class_id}/klaim-nik", data, content_type="multipart/form-data")


def _switch(client, email: str) -> None:
    """Log out whoever is logged in, then log in as `email`."""
    if client.get("/akun").status_code == 200:
        client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    login(client, email)


def _submit_claim(app, blocked, nik: str = OWN_NIK) -> int:
    with app.app_context(), app.test_request_context():
        claim = claims.submit_claim(
            db.session.get(Programme, blocked["programme_id"]),
            db.session.get(User, blocked["claimant"].id),
            nik,
            "NIK ini milik saya sendiri.",
        )
        db.session.commit()
        return claim.id


def test_a_claim_answers_the_same_whether_or_not_the_nik_is_registered(app, client, blocked, make_user) -> None:
    login(client, blocked["claimant"].email)
    registered = _claim(client, blocked["class_id"])
    assert registered.status_code == 302
    assert registered.headers["Location"] == "/klaim-nik-saya"
    _switch(client, make_user(Role.PARTICIPANT).email)
    unregistered = _claim(client, blocked["class_id"], nik=make_nik("52", 99))
    assert unregistered.status_code == 302
    assert unregistered.headers["Location"] == registered.headers["Location"]
    with app.app_context():
        assert [c.status for c in db.session.scalars(select(NikClaim))] == [NikClaimStatus.OPEN] * 2
    page = client.get("/klaim-nik-saya").get_data(as_text=True)
    assert "Klaim NIK terkirim" in page
    assert "5271••••••••0099" in page
    assert make_nik("52", 99) not in page


def test_the_claim_form_reports_every_problem_at_once(client, blocked) -> None:
    login(client, blocked["claimant"].email)
    page = submit(client, f"/katalog/{blocked['class_id']}/klaim-nik", {"nik": "5271", "explanation": ""}).get_data(
        as_text=True
    )
    assert "NIK harus 16 digit angka" in page
    assert "Tulis penjelasan singkat untuk panitia." in page
    assert "Centang pernyataan bahwa NIK ini milik Anda." in page


def test_one_open_claim_per_person_per_programme(app, blocked) -> None:
    _submit_claim(app, blocked)
    with pytest.raises(InvalidRegistrationState, match="sudah mengajukan klaim"):
        _submit_claim(app, blocked, nik=make_nik("52", 5))


def test_accepting_cancels_the_blocking_registration_and_lets_the_claimant_register(
    app, client, blocked, login_as, library
) -> None:
    claim_id = _submit_claim(app, blocked)
    organiser = login_as(Role.ORGANISER)
    detail = client.get(f"/kelola/klaim-nik/{claim_id}").get_data(as_text=True)
    assert "Peserta 0001" in detail  # the registration that holds the NIK, for the organiser to compare
    assert OWN_NIK not in detail
    token = csrf_token(client, f"/kelola/klaim-nik/{claim_id}")
    response = client.post(
        f"/kelola/klaim-nik/{claim_id}/terima", data={"csrf_token": token, "note": "KTP cocok."}, follow_redirects=True
    )
    assert "Klaim diterima" in response.get_data(as_text=True)
    assert status_of(app, blocked["registration_id"]) == "cancelled"
    with app.app_context():
        claim = db.session.get(NikClaim, claim_id)
        assert (claim.status, claim.decided_by_id, claim.decision_note) == (
            NikClaimStatus.ACCEPTED,
            organiser.id,
            "KTP cocok.",
        )
        assert claim.cancelled_registration_id == blocked["registration_id"]
        audit = db.session.scalar(
            select(AuditEntry).where(
                AuditEntry.object_type == "registrations", AuditEntry.object_id == blocked["registration_id"]
            )
        )
        assert audit.action == "nik_claim"
        assert audit.user_id == organiser.id
        assert audit.changes["status"] == ["approved", "cancelled"]
    mails = {m.recipient: m for m in outbox(app)}
    assert "diklaim oleh pemiliknya" in mails["penyerobot@contoh.id"].body
    assert mails["pemilik@perpusdes.id"].subject == "Klaim NIK Anda diterima"
    assert OWN_NIK not in mails["pemilik@perpusdes.id"].body
    # the owner now registers with their NIK
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    login(client, blocked["claimant"].email)
    registered = submit(client, f"/katalog/{blocked['class_id']}/daftar", _form(library("52"), nik=OWN_NIK))
    assert registered.status_code == 302
    with app.app_context():
        mine = db.session.scalar(select(Registration).where(Registration.user_id == blocked["claimant"].id))
        assert mine.nik == OWN_NIK


def test_the_holders_account_is_told_too_when_the_registration_carried_another_address(app, blocked, make_user) -> None:
    organiser = make_user(Role.ORGANISER)
    with app.app_context():
        db.session.get(Registration, blocked["registration_id"]).email = "alamat.lain@contoh.id"
        db.session.commit()
    claim_id = _submit_claim(app, blocked)
    with app.app_context(), app.test_request_context():
        claims.accept_claim(db.session.get(NikClaim, claim_id), db.session.get(User, organiser.id))
        db.session.commit()
    cancelled = [m.recipient for m in outbox(app) if m.subject == "Pendaftaran Bimtek dibatalkan"]
    assert sorted(cancelled) == ["alamat.lain@contoh.id", "penyerobot@contoh.id"]


def test_refusing_needs_a_reason_that_is_mailed(app, client, blocked, login_as) -> None:
    claim_id = _submit_claim(app, blocked)
    login_as(Role.ORGANISER)
    token = csrf_token(client, f"/kelola/klaim-nik/{claim_id}")
    page = client.post(
        f"/kelola/klaim-nik/{claim_id}/tolak", data={"csrf_token": token, "note": " "}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Tulis alasan penolakan" in page
    client.post(
        f"/kelola/klaim-nik/{claim_id}/tolak",
        data={"csrf_token": token, "note": "Nama dan tanggal lahir tidak cocok dengan surat."},
    )
    with app.app_context():
        assert db.session.get(NikClaim, claim_id).status is NikClaimStatus.REFUSED
    assert status_of(app, blocked["registration_id"]) == "approved"
    mail = outbox(app)[-1]
    assert (mail.recipient, mail.subject) == ("pemilik@perpusdes.id", "Klaim NIK Anda tidak diterima")
    assert "Nama dan tanggal lahir tidak cocok dengan surat." in mail.body


def test_a_decided_claim_cannot_be_decided_again(app, blocked, make_user) -> None:
    organiser = make_user(Role.ORGANISER)
    claim_id = _submit_claim(app, blocked)
    with app.app_context(), app.test_request_context():
        claim, by = db.session.get(NikClaim, claim_id), db.session.get(User, organiser.id)
        with pytest.raises(ScheduleError, match="Tulis alasan penolakan"):
            claims.refuse_claim(claim, by, "  ")
        claims.refuse_claim(claim, by, "Tidak cocok.")
        db.session.commit()
        for decide in (lambda: claims.accept_claim(claim, by), lambda: claims.refuse_claim(claim, by, "Lagi.")):
            with pytest.raises(InvalidRegistrationState, match="sudah diputuskan"):
                decide()
        assert claim.decision_note == "Tidak cocok."


def test_claims_are_seen_by_their_claimant_and_the_organisers_only(app, client, blocked, make_user) -> None:
    login(client, blocked["claimant"].email)
    _claim(client, blocked["class_id"], letter=(io.BytesIO(hostile_letter()), "surat.pdf"))
    with app.app_context():
        claim_id = db.session.scalar(select(NikClaim.id))
    assert client.get(f"/klaim-nik/{claim_id}/surat").status_code == 200
    for role in (Role.PARTICIPANT, Role.COORDINATOR, Role.FACILITATOR):
        _switch(client, make_user(role).email)
        assert "5271••••••••0001" not in client.get("/klaim-nik-saya").get_data(as_text=True)
        assert client.get(f"/klaim-nik/{claim_id}/surat").status_code == 404
        for url in ("/kelola/klaim-nik", f"/kelola/klaim-nik/{claim_id}"):
            assert client.get(url).status_code == 403, (role, url)
        token = csrf_token(client, "/klaim-nik-saya")
        assert client.post(f"/kelola/klaim-nik/{claim_id}/terima", data={"csrf_token": token}).status_code == 403
    for role in (Role.ORGANISER, Role.ADMIN):
        _switch(client, make_user(role).email)
        assert "Baiq Nurul Hidayati" in client.get("/kelola/klaim-nik").get_data(as_text=True)
        assert client.get(f"/kelola/klaim-nik/{claim_id}").status_code == 200
        assert client.get(f"/klaim-nik/{claim_id}/surat").status_code == 200
    assert status_of(app, blocked["registration_id"]) == "approved"


def test_the_supporting_letter_is_a_cleaned_pdf(app, client, blocked) -> None:
    login(client, blocked["claimant"].email)
    page = _claim(client, blocked["class_id"], letter=(io.BytesIO(b"\xff\xd8\xff<html>"), "foto.jpg"))
    assert "Surat pendukung harus berkas PDF" in page.get_data(as_text=True)
    assert _claim(client, blocked["class_id"], letter=(io.BytesIO(hostile_letter()), "surat.pdf")).status_code == 302
    with app.app_context():
        claim_id = db.session.scalar(select(NikClaim.id))
    download = client.get(f"/klaim-nik/{claim_id}/surat")
    assert active_content(download.data) == []
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "no-store"


def test_organisers_find_open_claims_from_their_home_page(app, client, blocked, login_as) -> None:
    _submit_claim(app, blocked)
    login_as(Role.ORGANISER)
    home = client.get("/beranda").get_data(as_text=True)
    assert re.search(r'id="open-nik-claims">1<', home)
    assert "/kelola/klaim-nik" in home
    assert "1 klaim NIK menunggu keputusan" in client.get("/kelola/permintaan").get_data(as_text=True)
    listing = client.get("/kelola/klaim-nik?status=accepted").get_data(as_text=True)
    assert "Tidak ada klaim NIK di sini." in listing


def test_the_claim_list_is_paginated_with_a_fixed_number_of_queries(
    app, client, login_as, open_class, make_user, count_queries
) -> None:
    class_id = open_class()
    with app.app_context():
        programme = db.session.get(TrainingClass, class_id).batch.programme
    for n in range(30):
        user = make_user(Role.PARTICIPANT)
        with app.app_context(), app.test_request_context():
            claims.submit_claim(
                db.session.get(Programme, programme.id),
                db.session.get(User, user.id),
                make_nik("52", n + 1),
                "NIK ini milik saya sendiri.",
            )
            db.session.commit()
    login_as(Role.ORGANISER)
    first = client.get("/kelola/klaim-nik").get_data(as_text=True)
    assert "Menampilkan 1–25 dari 30" in first
    with count_queries() as few:
        client.get("/kelola/klaim-nik?page=2")
    assert few.count <= 12


def test_erasing_my_data_erases_my_claims_and_their_letters(app, client, blocked) -> None:
    login(client, blocked["claimant"].email)
    _claim(client, blocked["class_id"], letter=(io.BytesIO(hostile_letter()), "surat.pdf"))
    with app.app_context():
        letter = db.session.scalar(select(NikClaim.letter_path))
        assert files.store().exists(uploads.AREA, letter)
    page = client.post(
        "/data-saya/hapus", data={"csrf_token": csrf_token(client, "/data-saya")}, follow_redirects=True
    ).get_data(as_text=True)
    assert "1 klaim NIK dan suratnya telah dihapus." in page
    with app.app_context():
        assert not files.store().exists(uploads.AREA, letter)
        assert db.session.scalar(select(NikClaim)) is None


def test_an_accepted_claim_keeps_the_nik_for_the_claimant(app, client, blocked, library) -> None:
    """The squatter whose registration was cancelled cannot simply register the NIK again (nor
    correct another registration to it); the claimant still can."""
    claim_id = _submit_claim(app, blocked)
    with app.app_context(), app.test_request_context():
        claims.accept_claim(db.session.get(NikClaim, claim_id), db.session.get(User, blocked["claimant"].id))
        db.session.commit()
    _switch(client, blocked["squatter"].email)
    again = submit(client, f"/katalog/{blocked['class_id']}/daftar", _form(library("52"), nik=OWN_NIK))
    assert again.status_code == 200
    assert "NIK ini tidak dapat didaftarkan ke program ini" in again.get_data(as_text=True)
    _switch(client, blocked["claimant"].email)
    mine = submit(client, f"/katalog/{blocked['class_id']}/daftar", _form(library("52"), nik=OWN_NIK))
    assert mine.status_code == 302
