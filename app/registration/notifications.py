"""What registration tells people: mails about their registration (unless quiet), reminders before
a class, a WhatsApp link for the organiser, and whom to ask."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.formatting import format_date
from app.extensions import db, utcnow
from app.mail.services import send_mail
from app.programmes.models import ClassStatus, TrainingClass
from app.registration.models import Registration, RegistrationStatus
from app.registration.seats import waitlist_position, waitlist_reason

SUBJECTS = {
    "submitted": lambda: _("Pendaftaran Bimtek diterima"),
    "approved": lambda: _("Pendaftaran Bimtek disetujui"),
    "waitlisted": lambda: _("Anda masuk daftar tunggu Bimtek"),
    "promoted": lambda: _("Kursi tersedia: pendaftaran Bimtek Anda disetujui"),
    "rejected": lambda: _("Pendaftaran Bimtek tidak disetujui"),
    "cancelled": lambda: _("Pendaftaran Bimtek dibatalkan"),
    "class_cancelled": lambda: _("Kelas Bimtek dibatalkan"),
    "moved": lambda: _("Kelas Bimtek Anda dipindah"),
    "reminder": lambda: _("Pengingat: kelas Bimtek dimulai 3 hari lagi"),
    "nominated": lambda: _("Anda dinominasikan mengikuti Bimtek"),
}


_quiet: ContextVar[bool] = ContextVar("registration_notifications_quiet", default=False)


@contextmanager
def quiet() -> Iterator[None]:
    """No notification mails inside this block (demo data, bulk generation)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def notify(registration: Registration, event: str, *, to: str | None = None, **extra: Any) -> None:
    """Mail the registration's person (or `to`) about `event`."""
    if _quiet.get():
        return
    waiting = registration.status is RegistrationStatus.WAITLISTED
    send_mail(
        to or registration.email,
        SUBJECTS[event](),
        f"registration_{event}",
        r=registration,
        c=registration.training_class,
        position=waitlist_position(registration) if waiting else None,
        why=waitlist_reason(registration) if waiting else None,
        **extra,
    )


def whatsapp_link(registration: Registration) -> str:
    """A wa.me click-to-chat link with a prepared message for the organiser."""
    c = registration.training_class
    message = _(
        "Halo %(name)s, kami dari panitia Bimtek Perpustakaan Nasional. Status pendaftaran Anda di %(cls)s "
        "(%(start)s, %(venue)s): %(status)s.",
        name=registration.full_name,
        cls=c.name,
        start=format_date(c.start_date),
        venue=c.venue_name,
        status=registration.status.label,
    )
    return f"https://wa.me/{registration.whatsapp.lstrip('+')}?text={quote(message)}"


def send_reminders(today: date) -> int:
    """Remind approved participants of classes that start within 3 days; once each."""
    due = db.session.scalars(
        select(Registration)
        .join(Registration.training_class)
        .where(
            Registration.status == RegistrationStatus.APPROVED,
            Registration.reminded_at.is_(None),
            TrainingClass.start_date >= today,
            TrainingClass.start_date <= date.fromordinal(today.toordinal() + 3),
            TrainingClass.status.not_in([ClassStatus.CANCELLED, ClassStatus.DRAFT]),
        )
    ).all()
    for registration in due:
        notify(registration, "reminder")
        registration.reminded_at = utcnow()
    db.session.flush()
    return len(due)


def contact_of(training_class: TrainingClass) -> str:
    """Whom a participant asks about a class: the organisers' address and the facilitators."""
    contact = current_app.config["SUPPORT_EMAIL"]
    names = ", ".join(f.full_name for f in training_class.facilitators)
    return _("%(email)s, atau fasilitator kelas: %(names)s", email=contact, names=names) if names else contact
