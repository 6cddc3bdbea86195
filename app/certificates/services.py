"""Certificate rules: gap-free numbers under concurrency, issuing by the attendance rule (or an
audited override), frozen contents, stored PDFs, verification codes, revocation and re-issue."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.attendance import services as attendance
from app.audit import services as audit
from app.auth.models import User
from app.certificates.models import (
    DEFAULT_BODY,
    DEFAULT_PATTERN,
    Certificate,
    CertificateCounter,
    CertificateSettings,
    CertificateStatus,
)
from app.core.template_helpers import format_date, format_date_range
from app.errors import CertificateError
from app.extensions import db, utcnow
from app.programmes.models import Programme, TrainingClass
from app.registration.models import Registration, RegistrationStatus

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
SHORT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: easy to type from paper
DEFAULT_SIGNATORY = {"position": "Kepala Perpustakaan Nasional Republik Indonesia", "name": "", "nip": ""}


def _insert_if_missing(model: type, **values: Any) -> None:
    """INSERT … ON CONFLICT DO NOTHING: safe when two requests create the same row at once."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing())


def settings_for(programme: Programme) -> CertificateSettings:
    """The programme's certificate settings, created with the defaults on first use."""
    settings = db.session.get(CertificateSettings, programme.id)
    if settings is None:
        _insert_if_missing(
            CertificateSettings, programme_id=programme.id, number_pattern=DEFAULT_PATTERN, title="SERTIFIKAT",
            role_text="sebagai PESERTA",
            body_text=DEFAULT_BODY,
            sign_place="Jakarta", signatories=[dict(DEFAULT_SIGNATORY)], colour="#0b4f6c", show_agenda_page=True,
        )
        settings = db.session.get(CertificateSettings, programme.id)
    return settings


def format_number(pattern: str, seq: int, programme: Programme, on: date) -> str:
    """`{seq:04d}/{code}/PERPUSNAS/{month_roman}/{year}` → 0001/SPP-TIK/PERPUSNAS/V/2023."""
    try:
        return pattern.format(seq=seq, code=programme.code, year=on.year, month=on.month,
                              month_roman=ROMAN[on.month - 1])
    except (KeyError, IndexError, ValueError) as exc:
        raise CertificateError(_("Pola nomor tidak valid: %(error)s", error=exc)) from None


def next_seq(programme: Programme) -> int:
    """The next number for the programme, atomically: concurrent issuers get distinct,
    consecutive numbers (the row update locks the counter until the transaction ends)."""
    _insert_if_missing(CertificateCounter, programme_id=programme.id, last_seq=0)
    return db.session.execute(
        update(CertificateCounter)
        .where(CertificateCounter.programme_id == programme.id)
        .values(last_seq=CertificateCounter.last_seq + 1)
        .returning(CertificateCounter.last_seq)
    ).scalar_one()


def _short_code() -> str:
    raw = "".join(secrets.choice(SHORT_ALPHABET) for _ in range(10))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def current_certificate(registration: Registration) -> Certificate | None:
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.registration_id == registration.id, Certificate.status == CertificateStatus.VALID)
        .order_by(Certificate.version.desc())
    )


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
        "agenda": [
            {"day": format_date(s.day, "id"), "topic": s.topic, "jp": s.jp} for s in c.agenda
        ],
    }


@dataclass(frozen=True)
class Readiness:
    ok: bool
    reason: str | None = None


def readiness(registration: Registration, today: date | None = None) -> Readiness:
    """Can a certificate be issued without an override?"""
    if registration.status is not RegistrationStatus.APPROVED:
        return Readiness(False, _("Pendaftaran belum disetujui."))
    today = today or date.today()
    if today < registration.training_class.end_date:
        return Readiness(False, _("Sertifikat terbit setelah kelas selesai (%(d)s).",
                                  d=format_date(registration.training_class.end_date)))
    result = attendance.registration_eligibility(registration)
    if not result.eligible:
        return Readiness(False, _("Kehadiran %(p)s dari %(t)s hari; syarat %(r)s%% (kurang %(n)s hari).",
                                  p=result.present, t=result.total, r=result.required_percent, n=result.missing))
    return Readiness(True)


def issue(registration: Registration, by: User | None, override_reason: str | None = None,
          today: date | None = None) -> Certificate:
    """Issue (or return the already valid) certificate of a registration."""
    existing = current_certificate(registration)
    if existing is not None:
        return existing
    ready = readiness(registration, today)
    overridable = registration.status is RegistrationStatus.APPROVED and (override_reason or "").strip()
    if not ready.ok and not overridable:
        raise CertificateError(ready.reason)
    programme = registration.training_class.batch.programme
    settings = settings_for(programme)
    seq = next_seq(programme)
    issued_on = registration.training_class.end_date
    certificate = Certificate(
        registration_id=registration.id, programme_id=programme.id, seq=seq, version=1,
        number=format_number(settings.number_pattern, seq, programme, issued_on),
        code=secrets.token_urlsafe(32), short_code=_short_code(), status=CertificateStatus.VALID,
        holder_name=registration.full_name, details=_details(registration),
        issued_by_id=by.id if by else None,
        override_reason=(override_reason or "").strip() or None if not ready.ok else None,
    )
    db.session.add(certificate)
    db.session.flush()
    if certificate.override_reason:
        audit.record(certificate, "override", by, {"reason": [ready.reason, certificate.override_reason]})
    return certificate


def issue_class(c: TrainingClass, by: User | None, today: date | None = None) -> tuple[int, list[str]]:
    """Issue to everyone in a class who meets the rule; returns (issued, names not ready)."""
    issued, skipped = 0, []
    for registration in attendance.approved_registrations(c):
        if current_certificate(registration) is not None:
            continue
        ready = readiness(registration, today)
        if ready.ok:
            issue(registration, by, today=today)
            issued += 1
        else:
            skipped.append(f"{registration.full_name}: {ready.reason}")
    return issued, skipped


def revoke(certificate: Certificate, by: User | None, reason: str) -> None:
    if certificate.status is not CertificateStatus.VALID:
        raise CertificateError(_("Hanya sertifikat yang sah dapat dicabut."))
    if not reason.strip():
        raise CertificateError(_("Tulis alasan pencabutan."))
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = utcnow()
    certificate.revoke_reason = reason.strip()
    audit.record(certificate, "revoked", by,
                 {"status": ["valid", "revoked"], "reason": [None, certificate.revoke_reason]})


def reissue(certificate: Certificate, by: User | None) -> Certificate:
    """A new version with the same number and a new code (e.g. after a name correction); the
    old one says "superseded" and points to the new one."""
    if certificate.status is not CertificateStatus.VALID or certificate.registration is None:
        raise CertificateError(_("Hanya sertifikat yang sah dapat diterbitkan ulang."))
    registration = certificate.registration
    new = Certificate(
        registration_id=registration.id, programme_id=certificate.programme_id, seq=certificate.seq,
        version=certificate.version + 1, number=certificate.number, code=secrets.token_urlsafe(32),
        short_code=_short_code(), status=CertificateStatus.VALID, holder_name=registration.full_name,
        details=_details(registration), issued_by_id=by.id if by else None,
        override_reason=certificate.override_reason,
    )
    db.session.add(new)
    db.session.flush()
    certificate.status = CertificateStatus.SUPERSEDED
    certificate.superseded_by_id = new.id
    audit.record(new, "reissued", by, {"holder_name": [certificate.holder_name, new.holder_name],
                                       "version": [certificate.version, new.version]})
    return new


def find_by_code(code: str) -> Certificate | None:
    code = code.strip()
    if len(code) == 43:
        return db.session.scalar(select(Certificate).where(Certificate.code == code))
    short = code.upper().replace(" ", "")
    if len(short) == 10:
        short = f"{short[:4]}-{short[4:8]}-{short[8:]}"
    return db.session.scalar(select(Certificate).where(Certificate.short_code == short))


# --- rendering -------------------------------------------------------------------------------------


def name_font_size(name: str) -> float:
    """Points for the holder's name so that up to 100 characters stay on one line of A4 landscape."""
    return round(min(30.0, 660 / (0.56 * max(len(name), 1))), 1)


def verification_url(certificate: Certificate) -> str:
    """The public link in the QR; outside a request (background jobs) built on PUBLIC_BASE_URL."""
    if has_request_context():
        return url_for("certificates.verify", code=certificate.code, _external=True)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        return url_for("certificates.verify", code=certificate.code, _external=True)


def qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m").png_data_uri(scale=4, border=1)


QR_PLACEHOLDER = "sibimtek-qr:"


def certificate_html(
    certificates: list[Certificate], settings: CertificateSettings, pages: str = "both", defer_qr: bool = False
) -> str:
    """One HTML document with a page (or two, with the agenda) per certificate; `pages` may be
    "certificate" or "agenda" alone (the agenda page is the same for a whole class). With
    `defer_qr` the QR images are left as placeholders for `fill_qr_codes` (run in the worker
    processes, where the PNG encoding runs in parallel)."""
    items = []
    for cert in certificates:
        url = verification_url(cert)
        qr = QR_PLACEHOLDER + url if defer_qr else qr_data_uri(url)
        items.append({"c": cert, "qr": qr, "name_size": name_font_size(cert.holder_name), "verify_url": url})
    return render_template("certificates/certificate.html", items=items, s=settings, pages=pages)


def fill_qr_codes(html: str) -> str:
    """Replace deferred QR placeholders with PNG data URIs."""
    import re

    return re.sub(
        re.escape(QR_PLACEHOLDER) + r'([^"]+)', lambda m: qr_data_uri(m.group(1).replace("&amp;", "&")), html
    )


def content_hash(certificate: Certificate, settings: CertificateSettings) -> str:
    data = {
        "number": certificate.number, "name": certificate.holder_name, "details": certificate.details,
        "code": certificate.code, "status": certificate.status.value,
        "settings": {k: getattr(settings, k) for k in ("title", "role_text", "body_text", "sign_place",
                                                       "signatories", "colour", "show_agenda_page")},
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def storage_dir() -> Path:
    folder = Path(current_app.instance_path) / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pdf_bytes(certificate: Certificate) -> bytes:
    """The stored PDF if its data has not changed since; otherwise render, store and return it."""
    from app.pdf.render import render_pdf

    settings = settings_for(db.session.get(Programme, certificate.programme_id))
    digest = content_hash(certificate, settings)
    if certificate.pdf_path and certificate.content_hash == digest:
        path = storage_dir() / certificate.pdf_path
        if path.is_file():
            return path.read_bytes()
    pdf = render_pdf(certificate_html([certificate], settings))
    name = f"{certificate.id}-{digest[:12]}.pdf"
    (storage_dir() / name).write_bytes(pdf)
    certificate.pdf_path, certificate.content_hash = name, digest
    db.session.flush()
    return pdf
