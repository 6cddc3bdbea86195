"""Issuing certificates: gap-free numbers under concurrency, the attendance and name rules (or an
audited override), frozen contents, verification codes, revocation and re-issue; a whole class
at once with a fixed number of statements."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import insert, update

from app import clock
from app.attendance import services as attendance
from app.audit import services as audit
from app.auth.models import User
from app.certificates import numbering
from app.certificates.models import REASON_MAX, Certificate, CertificateCounter, CertificateSettings, CertificateStatus
from app.certificates.names import Readiness, confirmation_deadline, name_check, name_readiness
from app.certificates.queries import approved_of_class, current_certificate, current_certificates, pending_corrections
from app.certificates.settings import insert_if_missing, settings_for
from app.core.formatting import format_date, format_date_range, format_percent
from app.core.roles import PLANNERS
from app.core.urls import external_url, public_request_context
from app.errors import CertificateError
from app.extensions import db, utcnow
from app.programmes.models import Programme, TrainingClass
from app.registration.models import Registration, RegistrationStatus

SHORT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: easy to type from paper


def format_number(pattern: str, seq: int, programme: Programme, on: date) -> str:
    """`{seq:04d}/{code}/PERPUSNAS/{month_roman}/{year}` → 0001/SPP-TIK/PERPUSNAS/V/2023 (see
    app/certificates/numbering.py: a small whitelist of fields, never str.format)."""
    return numbering.render(pattern, seq, programme.code, on)


def next_seq(programme: Programme, count: int = 1) -> int:
    """The first of the programme's next `count` numbers, atomically: concurrent issuers get
    distinct, consecutive numbers (the row update locks the counter until the transaction ends)."""
    insert_if_missing(CertificateCounter, programme_id=programme.id, last_seq=0)
    last = db.session.execute(
        update(CertificateCounter)
        .where(CertificateCounter.programme_id == programme.id)
        .values(last_seq=CertificateCounter.last_seq + count)
        .returning(CertificateCounter.last_seq)
    ).scalar_one()
    return last - count + 1


def _short_code() -> str:
    raw = "".join(secrets.choice(SHORT_ALPHABET) for _ in range(10))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _details(registration: Registration) -> dict[str, Any]:
    """What is printed, frozen at issue."""
    c = registration.training_class
    programme = c.batch.programme
    return {
        "programme": programme.name,
        "programme_code": programme.code,
        "year": programme.year,
        "class": c.name,
        "batch": c.batch.name,
        "place": c.regency.name,
        "venue": c.venue_name,
        "dates": format_date_range(c.start_date, c.end_date, "id"),
        "start": c.start_date.isoformat(),
        "end": c.end_date.isoformat(),
        "jp": programme.jp_total,
        "library": registration.library.name,
        "agenda": [{"day": format_date(s.day, "id"), "topic": s.topic, "jp": s.jp} for s in c.agenda],
    }


# --- readiness -------------------------------------------------------------------------------------


def _readiness(
    registration: Registration,
    end_date: date,
    today: date,
    attendance_result: Callable[[], attendance.Eligibility],
    name: Callable[[], Readiness],
) -> Readiness:
    """The rules in order (approved, class over, attendance, name); the last two computed only
    when reached."""
    if registration.status is not RegistrationStatus.APPROVED:
        return Readiness(False, _("Pendaftaran belum disetujui."))
    if today < end_date:
        return Readiness(False, _("Sertifikat terbit setelah kelas selesai (%(d)s).", d=format_date(end_date)))
    result = attendance_result()
    if not result.eligible:
        return Readiness(
            False,
            _(
                "Kehadiran %(p)s dari %(t)s hari; syarat %(r)s (kurang %(n)s hari).",
                p=result.present,
                t=result.total,
                r=format_percent(result.required_percent),
                n=result.missing,
            ),
        )
    return name()


def readiness(registration: Registration, today: date | None = None) -> Readiness:
    """Can a certificate be issued without an override?"""
    today = today or clock.today()
    return _readiness(
        registration,
        registration.training_class.end_date,
        today,
        lambda: attendance.registration_eligibility(registration),
        lambda: name_check(registration, today),
    )


class CertificateRow(NamedTuple):
    """One approved person of a class: the valid certificate, if any, and whether one can be issued."""

    registration: Registration
    certificate: Certificate | None
    readiness: Readiness


def class_rows(c: TrainingClass, today: date | None = None, *, uncertified: bool = False) -> list[CertificateRow]:
    """Every approved person of a class with certificate and readiness (only those without a
    certificate when `uncertified`), in a fixed number of statements: the registrations, the
    certificates, the pending name corrections and the attendance marks are each loaded once
    (nothing after the certificates when everyone has one: a bulk job run again)."""
    today = today or clock.today()
    registrations = approved_of_class(c)
    certificates = current_certificates([r.id for r in registrations])
    if uncertified:
        registrations = [r for r in registrations if r.id not in certificates]
        if not registrations:
            return []
    ids = [r.id for r in registrations]
    pending = pending_corrections(ids)
    marks = attendance.current_marks([c.id])
    days = attendance.class_days(c)
    programme = c.batch.programme
    # The settings (confirmation window) only when an unconfirmed name needs the deadline.
    unconfirmed = any(r.name_confirmed_at is None and r.id not in pending for r in registrations)
    settings = settings_for(programme) if unconfirmed else None

    def attendance_of(registration: Registration) -> attendance.Eligibility:
        statuses = {d: marks[(registration.id, d)].status if (registration.id, d) in marks else None for d in days}
        return attendance.eligibility(programme, days, statuses)

    def name_of(registration: Registration) -> Readiness:
        deadline = None
        if settings is not None and registration.id not in pending and registration.name_confirmed_at is None:
            deadline = confirmation_deadline(registration, settings)
        return name_readiness(registration, registration.id in pending, deadline, today)

    return [
        CertificateRow(
            r,
            certificates.get(r.id),
            _readiness(r, c.end_date, today, partial(attendance_of, r), partial(name_of, r)),
        )
        for r in registrations
    ]


# --- issuing ---------------------------------------------------------------------------------------


def _certificate_values(
    registration: Registration,
    programme: Programme,
    settings: CertificateSettings,
    seq: int,
    by: User | None,
    override_reason: str | None,
) -> dict[str, Any]:
    """The columns of a first version, numbered `seq`."""
    return {
        "registration_id": registration.id,
        "programme_id": programme.id,
        "seq": seq,
        "version": 1,
        "number": format_number(settings.number_pattern, seq, programme, registration.training_class.end_date),
        "code": secrets.token_urlsafe(32),
        "short_code": _short_code(),
        "status": CertificateStatus.VALID,
        "holder_name": registration.full_name,
        "details": _details(registration),
        "issued_by_id": by.id if by else None,
        "override_reason": override_reason,
    }


def issue(
    registration: Registration, by: User | None, override_reason: str | None = None, today: date | None = None
) -> Certificate:
    """Issue (or return the already valid) certificate of a registration."""
    existing = current_certificate(registration)
    if existing is not None:
        return existing
    if len((override_reason or "").strip()) > REASON_MAX:
        raise CertificateError(_("Alasan pengecualian paling banyak %(n)s karakter.", n=REASON_MAX))
    ready = readiness(registration, today)
    overridable = registration.status is RegistrationStatus.APPROVED and (override_reason or "").strip()
    if not ready.ok and not overridable:
        raise CertificateError(ready.reason)
    programme = registration.training_class.batch.programme
    settings = settings_for(programme)
    reason = (override_reason or "").strip() or None if not ready.ok else None
    certificate = Certificate(**_certificate_values(registration, programme, settings, next_seq(programme), by, reason))
    db.session.add(certificate)
    db.session.flush()
    if certificate.override_reason:
        audit.record(certificate, "override", by, {"reason": [ready.reason, certificate.override_reason]})
    return certificate


def issue_class(c: TrainingClass, by: User | None, today: date | None = None) -> tuple[int, list[str]]:
    """Issue to everyone in a class who meets the rule; returns (issued, names not ready). The
    numbers are reserved in one update and the certificates inserted in one executemany (the ORM's
    flush would insert them one statement each: Certificate refers to itself)."""
    rows = class_rows(c, today, uncertified=True)
    ready = [row.registration for row in rows if row.readiness.ok]
    skipped = [f"{row.registration.full_name}: {row.readiness.reason}" for row in rows if not row.readiness.ok]
    if ready:
        programme = c.batch.programme
        settings = settings_for(programme)
        first = next_seq(programme, len(ready))
        values = [_certificate_values(r, programme, settings, first + n, by, None) for n, r in enumerate(ready)]
        db.session.execute(insert(Certificate), values)
    return len(ready), skipped


def revoke(certificate: Certificate, by: User | None, reason: str) -> None:
    if certificate.status is not CertificateStatus.VALID:
        raise CertificateError(_("Hanya sertifikat yang sah dapat dicabut."))
    if not reason.strip():
        raise CertificateError(_("Tulis alasan pencabutan."))
    if len(reason.strip()) > REASON_MAX:
        raise CertificateError(_("Alasan pencabutan paling banyak %(n)s karakter.", n=REASON_MAX))
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = utcnow()
    certificate.revoke_reason = reason.strip()
    audit.record(
        certificate, "revoked", by, {"status": ["valid", "revoked"], "reason": [None, certificate.revoke_reason]}
    )


def revoked_on(certificate: Certificate) -> date | None:
    """The day of revocation, in Western Indonesian Time (the programme's office)."""
    if certificate.revoked_at is None:
        return None
    return certificate.revoked_at.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def may_download(certificate: Certificate, user: User) -> bool:
    """The holder (their own registration) and the organisers and admins."""
    owner = certificate.registration is not None and certificate.registration.user_id == user.id
    return owner or user.has_role(*PLANNERS)


def shows_revocation_reason(user: Any) -> bool:
    """Why a certificate was revoked is the organisers' business: the public (anyone else, logged in
    or not) sees only that it was, and when."""
    return bool(user.is_authenticated and user.has_role(*PLANNERS))


def reissue(certificate: Certificate, by: User | None) -> Certificate:
    """A new version with the same number and a new code (e.g. after a name correction); the
    old one says "superseded" and points to the new one."""
    if certificate.status is not CertificateStatus.VALID or certificate.registration is None:
        raise CertificateError(_("Hanya sertifikat yang sah dapat diterbitkan ulang."))
    registration = certificate.registration
    new = Certificate(
        registration_id=registration.id,
        programme_id=certificate.programme_id,
        seq=certificate.seq,
        version=certificate.version + 1,
        number=certificate.number,
        code=secrets.token_urlsafe(32),
        short_code=_short_code(),
        status=CertificateStatus.VALID,
        holder_name=registration.full_name,
        details=_details(registration),
        issued_by_id=by.id if by else None,
        override_reason=certificate.override_reason,
    )
    db.session.add(new)
    db.session.flush()
    certificate.status = CertificateStatus.SUPERSEDED
    certificate.superseded_by_id = new.id
    audit.record(
        new,
        "reissued",
        by,
        {"holder_name": [certificate.holder_name, new.holder_name], "version": [certificate.version, new.version]},
    )
    return new


def verification_url(certificate: Certificate) -> str:
    """The public link in the QR; outside a request (background jobs) built on PUBLIC_BASE_URL."""
    with public_request_context():
        return external_url("certificates.verify", code=certificate.code)
