"""Name confirmation before certificates: the participant checks the printed name (asked once by
mail); a pending correction or an unconfirmed name holds the certificate back until a deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.audit import services as audit
from app.auth.models import User
from app.certificates.models import CertificateSettings
from app.certificates.queries import current_certificate, current_certificates, pending_correction
from app.certificates.settings import settings_for
from app.core.formatting import format_date
from app.core.urls import public_request_context
from app.errors import CertificateError
from app.extensions import db, utcnow
from app.programmes.models import TrainingClass
from app.registration.models import Registration, RegistrationStatus


@dataclass(frozen=True)
class Readiness:
    """Can a certificate be issued (without an override), and if not, why."""

    ok: bool
    reason: str | None = None


def confirmation_deadline(
    registration: Registration, settings: CertificateSettings | None = None, *, confirm_days: int | None = None
) -> date:
    """From this day on, a certificate is issued even if its holder has not confirmed the name
    (`confirm_days`: the programme's figure, already read, see settings.confirm_days_of)."""
    if confirm_days is None:
        confirm_days = (settings or settings_for(registration.training_class.batch.programme)).confirm_days
    return registration.training_class.end_date + timedelta(days=confirm_days)


def name_readiness(registration: Registration, pending: bool, deadline: date | None, today: date) -> Readiness:
    """The name rule on loaded data: `pending`, a correction awaits the organiser; `deadline`, the
    confirmation deadline (needed only while the name is unconfirmed)."""
    if pending:
        return Readiness(False, _("Koreksi nama menunggu keputusan panitia."))
    if registration.name_confirmed_at is None and deadline is not None and today < deadline:
        return Readiness(
            False,
            _("Menunggu peserta mengonfirmasi nama; terbit tanpa konfirmasi mulai %(d)s.", d=format_date(deadline)),
        )
    return Readiness(True)


def name_check(registration: Registration, today: date | None = None) -> Readiness:
    """The printed name: a correction waiting for the organiser holds the certificate back; so does
    an unconfirmed name until the confirmation window has passed."""
    if pending_correction(registration) is not None:
        return name_readiness(registration, True, None, today or clock.today())
    unconfirmed = registration.name_confirmed_at is None
    deadline = confirmation_deadline(registration) if unconfirmed else None
    return name_readiness(registration, False, deadline, today or clock.today())


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
    issued = current_certificates(r.id for r in candidates)
    return [r for r in candidates if today < confirmation_deadline(r) and r.id not in issued]
