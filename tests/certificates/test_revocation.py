"""Revoking a certificate: a reason of 5–300 characters, kept for organisers; the public verification
page says only that the organiser revoked it, and on which day (issue #12, item 13)."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from app.certificates import issuing
from app.certificates.models import Certificate, CertificateStatus
from app.core.roles import Role
from app.errors import CertificateError
from app.extensions import db
from app.registration.models import Registration
from tests.conftest import csrf_token, login

REASON = "Peserta terbukti tidak hadir; daftar hadir dipalsukan oleh pihak lain"


def _issue(app, registration_id: int) -> tuple[int, str]:
    with app.app_context(), app.test_request_context():
        certificate = issuing.issue(db.session.get(Registration, registration_id), by=None)
        db.session.commit()
        return certificate.id, certificate.code


def _revoke(client, finished_class, certificate_id: int, reason: str):
    page = f"/kelola/kelas/{finished_class['class_id']}/sertifikat"
    return client.post(
        f"/kelola/sertifikat/{certificate_id}/cabut",
        data={"csrf_token": csrf_token(client, page), "reason": reason},
        follow_redirects=True,
    )


def _status(app, certificate_id: int) -> tuple[CertificateStatus, str | None]:
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        return certificate.status, certificate.revoke_reason


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Tulis alasan pencabutan."),
        ("     ", "Tulis alasan pencabutan."),
        ("abc", "Alasan pencabutan 5 sampai 300 karakter."),
        ("  ab  ", "Alasan pencabutan 5 sampai 300 karakter."),  # counted without the spaces around it
        ("x" * 301, "Alasan pencabutan 5 sampai 300 karakter."),
        ("x" * 100_000, "Alasan pencabutan 5 sampai 300 karakter."),
    ],
)
def test_a_missing_short_or_overlong_reason_is_refused(
    app, client, login_as, finished_class, reason: str, message: str
) -> None:
    certificate_id, _ = _issue(app, finished_class["ids"][0])
    login_as(Role.ORGANISER)
    response = _revoke(client, finished_class, certificate_id, reason)
    assert response.status_code == 200
    assert message in unescape(response.get_data(as_text=True))
    assert _status(app, certificate_id) == (CertificateStatus.VALID, None)


def test_a_reason_of_300_characters_is_kept_whole(app, client, login_as, finished_class) -> None:
    certificate_id, _ = _issue(app, finished_class["ids"][0])
    login_as(Role.ORGANISER)
    response = _revoke(client, finished_class, certificate_id, "  " + "y" * 300 + "  ")
    assert "Sertifikat dicabut." in response.get_data(as_text=True)
    assert _status(app, certificate_id) == (CertificateStatus.REVOKED, "y" * 300)


def test_the_service_refuses_an_overlong_reason(app, finished_class) -> None:
    """Whatever calls it (a CLI, another view), the column's 300 characters are never exceeded."""
    certificate_id, _ = _issue(app, finished_class["ids"][0])
    with app.app_context(), app.test_request_context():
        certificate = db.session.get(Certificate, certificate_id)
        with pytest.raises(CertificateError, match="paling banyak 300"):
            issuing.revoke(certificate, None, "z" * 301)
        with pytest.raises(CertificateError, match="paling banyak 300"):
            issuing.issue(db.session.get(Registration, finished_class["ids"][2]), None, override_reason="o" * 301)


def test_the_public_page_says_revoked_and_when_but_not_why(
    app, client, login_as, make_user, finished_class, clock
) -> None:
    certificate_id, code = _issue(app, finished_class["ids"][0])
    login_as(Role.ORGANISER)
    clock("2026-06-14T18:30:00+00:00")  # 15 June in Jakarta already
    assert "Sertifikat dicabut." in _revoke(client, finished_class, certificate_id, REASON).get_data(as_text=True)
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/beranda")})

    public = client.get(f"/verifikasi/{code}")
    page = public.get_data(as_text=True)
    assert public.status_code == 200
    assert "Sertifikat DICABUT" in page
    assert "Sertifikat ini telah dicabut oleh penyelenggara pada 15 Juni 2026." in page
    assert REASON not in page
    assert "dipalsukan" not in page

    participant = make_user(Role.PARTICIPANT)  # logged in, but not an organiser: still the public words
    login(client, participant.email)
    assert REASON not in client.get(f"/verifikasi/{code}").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ADMIN])
def test_organisers_and_admins_see_the_reason(app, client, login_as, finished_class, role: Role) -> None:
    certificate_id, code = _issue(app, finished_class["ids"][0])
    with app.app_context(), app.test_request_context():
        issuing.revoke(db.session.get(Certificate, certificate_id), None, REASON)
        db.session.commit()
    login_as(role)
    page = client.get(f"/verifikasi/{code}").get_data(as_text=True)
    assert "telah dicabut oleh penyelenggara pada" in page
    assert REASON in page


def test_the_reason_stays_in_the_audit_trail(app, client, login_as, finished_class) -> None:
    from app.audit.models import AuditEntry

    certificate_id, _ = _issue(app, finished_class["ids"][0])
    login_as(Role.ORGANISER)
    _revoke(client, finished_class, certificate_id, REASON)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "revoked"))
        assert entry.changes["reason"] == [None, REASON]
