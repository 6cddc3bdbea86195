"""Certificate rules: gap-free numbers under concurrency, issuing by the attendance rule (or an
audited override), frozen contents, stored PDFs, verification codes, revocation and re-issue."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import clock
from app.attendance import services as attendance
from app.audit import services as audit
from app.auth.models import User
from app.certificates import numbering
from app.certificates.models import (
    DEFAULT_BODY,
    DEFAULT_PATTERN,
    REASON_MAX,
    Certificate,
    CertificateCounter,
    CertificateSettings,
    CertificateStatus,
)
from app.core.formatting import format_date, format_date_range, format_percent
from app.core.urls import external_url, public_request_context
from app.errors import CertificateError
from app.extensions import db, utcnow
from app.pdf import layers, pool
from app.programmes.models import Programme, TrainingClass
from app.registration.models import NameCorrection, Registration, RegistrationStatus

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
            CertificateSettings,
            programme_id=programme.id,
            number_pattern=DEFAULT_PATTERN,
            title="SERTIFIKAT",
            role_text="sebagai PESERTA",
            body_text=DEFAULT_BODY,
            sign_place="Jakarta",
            signatories=[dict(DEFAULT_SIGNATORY)],
            colour="#0b4f6c",
            show_agenda_page=True,
        )
        settings = db.session.get(CertificateSettings, programme.id)
    return settings


SETTING_FIELDS = (
    "number_pattern",
    "title",
    "role_text",
    "body_text",
    "sign_place",
    "colour",
    "show_agenda_page",
    "confirm_days",
)


def apply_settings(settings: CertificateSettings, form: Any) -> None:
    """Copy a validated settings form onto `settings`."""
    for name in SETTING_FIELDS:
        setattr(settings, name, getattr(form, name).data)
    settings.signatories = [
        {
            "position": form.signatory_position.data,
            "name": form.signatory_name.data or "",
            "nip": form.signatory_nip.data or "",
        }
    ]
    if (form.signatory2_position.data or "").strip():
        settings.signatories.append(
            {
                "position": form.signatory2_position.data.strip(),
                "name": form.signatory2_name.data or "",
                "nip": form.signatory2_nip.data or "",
            }
        )


def draft_settings(programme: Programme, form: Any) -> CertificateSettings:
    """Settings from a form being edited, not attached to the session (the live preview); the
    images are the saved ones (files are uploaded with Save)."""
    saved = settings_for(programme)
    draft = CertificateSettings(
        programme_id=programme.id, logo_image=saved.logo_image, signature_image=saved.signature_image
    )
    apply_settings(draft, form)
    return draft


# --- images (logo, signature) ----------------------------------------------------------------------

MAX_IMAGE_BYTES = 1024 * 1024
MAX_IMAGE_PIXELS = 4000 * 4000
IMAGE_TYPES = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg")}


def images_dir() -> Path:
    folder = Path(current_app.instance_path) / "uploads" / "certificate-images"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_image(content: bytes) -> str:
    """Check an uploaded logo or signature (a PNG or JPEG that decodes, ≤ 1 MB, ≤ 16 megapixels)
    and keep it under a random name; returns the name. CertificateError otherwise."""
    import io

    from PIL import Image, UnidentifiedImageError

    if not content or len(content) > MAX_IMAGE_BYTES:
        raise CertificateError(_("Gambar harus berupa PNG atau JPEG, paling besar 1 MB."))
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind, size = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise CertificateError(_("Berkas ini bukan gambar PNG atau JPEG yang dapat dibaca.")) from None
    if kind not in IMAGE_TYPES or size[0] * size[1] > MAX_IMAGE_PIXELS:
        raise CertificateError(_("Gambar harus berupa PNG atau JPEG, paling besar 1 MB."))
    name = f"{secrets.token_hex(12)}.{IMAGE_TYPES[kind][0]}"
    (images_dir() / name).write_bytes(content)
    return name


def image_data_uri(name: str | None) -> str | None:
    """A stored image as a data: URI for the PDF (the renderer fetches nothing else)."""
    import base64

    if not name:
        return None
    path = images_dir() / Path(name).name
    if not path.is_file():
        return None
    mimetype = "image/png" if path.suffix == ".png" else "image/jpeg"
    return f"data:{mimetype};base64,{base64.b64encode(path.read_bytes()).decode()}"


def set_images(
    settings: CertificateSettings,
    logo: str | None,
    signature: str | None,
    remove_logo: bool = False,
    remove_signature: bool = False,
) -> None:
    """Use stored images (names from `store_image`) or go back to none; certificates whose
    images change are rendered again (the names are part of their content hash)."""
    if remove_logo:
        settings.logo_image = None
    if remove_signature:
        settings.signature_image = None
    settings.logo_image = logo or settings.logo_image
    settings.signature_image = signature or settings.signature_image


def format_number(pattern: str, seq: int, programme: Programme, on: date) -> str:
    """`{seq:04d}/{code}/PERPUSNAS/{month_roman}/{year}` → 0001/SPP-TIK/PERPUSNAS/V/2023 (see
    app/certificates/numbering.py: a small whitelist of fields, never str.format)."""
    return numbering.render(pattern, seq, programme.code, on)


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
        "agenda": [{"day": format_date(s.day, "id"), "topic": s.topic, "jp": s.jp} for s in c.agenda],
    }


@dataclass(frozen=True)
class Readiness:
    ok: bool
    reason: str | None = None


def readiness(registration: Registration, today: date | None = None) -> Readiness:
    """Can a certificate be issued without an override?"""
    if registration.status is not RegistrationStatus.APPROVED:
        return Readiness(False, _("Pendaftaran belum disetujui."))
    today = today or clock.today()
    if today < registration.training_class.end_date:
        return Readiness(
            False,
            _("Sertifikat terbit setelah kelas selesai (%(d)s).", d=format_date(registration.training_class.end_date)),
        )
    result = attendance.registration_eligibility(registration)
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
    name = name_check(registration, today)
    if not name.ok:
        return name
    return Readiness(True)


def pending_correction(registration: Registration) -> NameCorrection | None:
    return db.session.scalar(
        select(NameCorrection).where(
            NameCorrection.registration_id == registration.id, NameCorrection.status == "pending"
        )
    )


def confirmation_deadline(registration: Registration) -> date:
    """From this day on, a certificate is issued even if its holder has not confirmed the name."""
    settings = settings_for(registration.training_class.batch.programme)
    return registration.training_class.end_date + timedelta(days=settings.confirm_days)


def name_check(registration: Registration, today: date | None = None) -> Readiness:
    """The printed name: a correction waiting for the organiser holds the certificate back; so does
    an unconfirmed name until the confirmation window has passed."""
    if pending_correction(registration) is not None:
        return Readiness(False, _("Koreksi nama menunggu keputusan panitia."))
    if registration.name_confirmed_at is None:
        deadline = confirmation_deadline(registration)
        if (today or clock.today()) < deadline:
            return Readiness(
                False,
                _("Menunggu peserta mengonfirmasi nama; terbit tanpa konfirmasi mulai %(d)s.", d=format_date(deadline)),
            )
    return Readiness(True)


def confirm_name(registration: Registration, by: User) -> None:
    """The participant says the name and titles on their certificate-to-be are right."""
    if registration.user_id != by.id or registration.status is not RegistrationStatus.APPROVED:
        raise CertificateError(_("Hanya peserta yang disetujui dapat mengonfirmasi namanya."))
    if current_certificate(registration) is not None:
        raise CertificateError(_("Sertifikat sudah terbit. Untuk mengubah nama, ajukan koreksi data."))
    if pending_correction(registration) is not None:
        raise CertificateError(_("Koreksi nama Anda masih menunggu keputusan panitia."))
    if registration.name_confirmed_at is None:
        registration.name_confirmed_at = utcnow()
        audit.record(registration, "name_confirmed", by, {"full_name": [None, registration.full_name]})


def ask_names(today: date | None = None) -> int:
    """Mail each participant in a confirmation window, once, to check their printed name."""
    from app.mail.services import send_mail

    due = participants_to_ask(today)
    with public_request_context():
        for registration in due:
            send_mail(
                registration.email,
                _("Periksa nama pada sertifikat Anda"),
                "certificate_confirm_name",
                r=registration,
                c=registration.training_class,
                deadline=confirmation_deadline(registration),
            )
            registration.name_confirm_asked_at = utcnow()
    db.session.flush()
    return len(due)


def participants_to_ask(today: date | None = None) -> list[Registration]:
    """Approved participants of classes that have ended (or end today), still inside the window,
    who have neither confirmed their name nor been asked by mail."""
    today = today or clock.today()
    candidates = db.session.scalars(
        select(Registration)
        .join(TrainingClass, Registration.class_id == TrainingClass.id)
        .where(
            Registration.status == RegistrationStatus.APPROVED,
            Registration.name_confirmed_at.is_(None),
            Registration.name_confirm_asked_at.is_(None),
            TrainingClass.end_date <= today,
            TrainingClass.end_date >= today - timedelta(days=30),
        )
    ).all()
    return [r for r in candidates if today < confirmation_deadline(r) and current_certificate(r) is None]


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
    seq = next_seq(programme)
    issued_on = registration.training_class.end_date
    certificate = Certificate(
        registration_id=registration.id,
        programme_id=programme.id,
        seq=seq,
        version=1,
        number=format_number(settings.number_pattern, seq, programme, issued_on),
        code=secrets.token_urlsafe(32),
        short_code=_short_code(),
        status=CertificateStatus.VALID,
        holder_name=registration.full_name,
        details=_details(registration),
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
    registrations = attendance.approved_registrations(c)
    have = set(
        db.session.scalars(
            select(Certificate.registration_id).where(
                Certificate.registration_id.in_([r.id for r in registrations]),
                Certificate.status == CertificateStatus.VALID,
            )
        )
    )
    for registration in registrations:
        if registration.id in have:
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
    with public_request_context():
        return external_url("certificates.verify", code=certificate.code)


def background_key(certificate: Certificate) -> str:
    """Certificates with the same key share a background page (and agenda page): what is printed
    apart from the holder's name, number and codes."""
    details = {k: v for k, v in certificate.details.items() if k != "library"}
    return json.dumps(details, sort_keys=True, default=str)


def _overlay(certificate: Certificate) -> dict[str, Any]:
    return {
        "kind": "overlay",
        "c": certificate,
        "d": certificate.details,
        "name_size": name_font_size(certificate.holder_name),
        "qr": layers.QR_PREFIX + verification_url(certificate),
    }


def _images(settings: CertificateSettings) -> dict[str, str | None]:
    return {"logo": image_data_uri(settings.logo_image), "signature": image_data_uri(settings.signature_image)}


def layered_chunk(
    entries: list[tuple[Certificate, str]], settings: CertificateSettings, folder: Path, print_part: str | None = None
) -> layers.Chunk:
    """A chunk for `layers.render_chunk`: (certificate, file name) pairs of one programme; a
    background (+ agenda) page opens each run of certificates that share it."""
    pages: list[dict[str, Any]] = []
    groups: list[layers.Group] = []
    last = None
    for certificate, name in entries:
        key = background_key(certificate)
        if key != last:
            agenda = bool(settings.show_agenda_page and certificate.details.get("agenda"))
            pages.append({"kind": "background", "d": certificate.details})
            if agenda:
                pages.append({"kind": "agenda", "d": certificate.details})
            groups.append(layers.Group(agenda))
            last = key
        pages.append(_overlay(certificate))
        groups[-1].files.append(name)
    html = render_template("certificates/certificate.html", pages=pages, s=settings, images=_images(settings))
    return layers.Chunk(html=html, groups=groups, folder=str(folder), print_part=print_part)


def full_html(certificates: list[Certificate], settings: CertificateSettings) -> str:
    """The naive document: each certificate laid out whole, QR codes included (the benchmark's
    baseline, and the reference the layered output is compared with in tests)."""
    pages = []
    for certificate in certificates:
        page = _overlay(certificate) | {"kind": "full"}
        page["qr"] = layers.qr_data_uri(page["qr"][len(layers.QR_PREFIX) :])
        pages.append(page)
        if settings.show_agenda_page and certificate.details.get("agenda"):
            pages.append({"kind": "agenda", "d": certificate.details})
    return render_template("certificates/certificate.html", pages=pages, s=settings, images=_images(settings))


def render_one(certificate: Certificate, settings: CertificateSettings, folder: Path, name: str) -> None:
    """Render one certificate into folder/name, in a worker process within PDF_RENDER_TIMEOUT."""
    chunk = layered_chunk([(certificate, name)], settings, folder)
    if not pool.run_limited(layers.render_chunk, chunk, timeout=current_app.config["PDF_RENDER_TIMEOUT"]):
        raise CertificateError(_("Sertifikat tidak dapat dibuat: jumlah halaman tidak sesuai."))


def content_hash(certificate: Certificate, settings: CertificateSettings) -> str:
    data = {
        "number": certificate.number,
        "name": certificate.holder_name,
        "details": certificate.details,
        "code": certificate.code,
        "status": certificate.status.value,
        "settings": {
            k: getattr(settings, k)
            for k in (
                "title",
                "role_text",
                "body_text",
                "sign_place",
                "signatories",
                "colour",
                "show_agenda_page",
                "logo_image",
                "signature_image",
            )
        },
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def storage_dir() -> Path:
    folder = Path(current_app.instance_path) / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def preview_pdf(sample: Certificate, settings: CertificateSettings) -> bytes:
    """A certificate that is not stored (the settings page's preview)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        render_one(sample, settings, Path(folder), "preview.pdf")
        return (Path(folder) / "preview.pdf").read_bytes()


def stored_name(certificate: Certificate, digest: str) -> str:
    return f"{certificate.id}-{digest[:12]}.pdf"


def is_stored(certificate: Certificate, digest: str) -> bool:
    return (
        certificate.content_hash == digest
        and certificate.pdf_path is not None
        and (storage_dir() / certificate.pdf_path).is_file()
    )


def keep_stored(certificate: Certificate, name: str, digest: str) -> None:
    """Record the certificate's new stored PDF; the one it replaces (made from older data) goes."""
    if certificate.pdf_path and certificate.pdf_path != name:
        (storage_dir() / Path(certificate.pdf_path).name).unlink(missing_ok=True)
    certificate.pdf_path, certificate.content_hash = name, digest


def pdf_bytes(certificate: Certificate) -> bytes:
    """The stored PDF if its data has not changed since; otherwise render, store and return it."""
    settings = settings_for(db.session.get(Programme, certificate.programme_id))
    digest = content_hash(certificate, settings)
    if not is_stored(certificate, digest):
        name = stored_name(certificate, digest)
        render_one(certificate, settings, storage_dir(), name)
        keep_stored(certificate, name, digest)
        db.session.flush()
    return (storage_dir() / certificate.pdf_path).read_bytes()
