"""Certificates' answers to what the pages of the domains below it ask (their signals): "Pendaftaran
saya" shows each approved person's certificate, or the name they are asked to confirm (with its
deadline) and a name correction still waiting."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.auth.models import User
from app.certificates import names, queries
from app.certificates.settings import confirm_days_of
from app.registration import signals as registration_signals
from app.registration.models import Registration, RegistrationStatus


def _my_registrations(user: User, registrations: list[Registration], **_: Any) -> dict[str, dict[int, Any]]:
    """Certificates, waiting corrections and the programmes' confirmation days (the deadlines): one statement each."""
    approved = [r for r in registrations if r.status is RegistrationStatus.APPROVED]
    ids = [r.id for r in approved]
    days = confirm_days_of(r.programme_id for r in approved)  # read only: nothing created on this GET
    deadlines: dict[int, date] = {
        r.id: names.confirmation_deadline(r, confirm_days=days[r.programme_id]) for r in approved
    }
    return {
        "certificates": queries.current_certificates(ids),
        "corrections": queries.pending_corrections(ids),
        "deadlines": deadlines,
    }


def connect_signals() -> None:
    """Connect the certificates' receivers (once per process, as registration.signals.connect_signals)."""
    registration_signals.my_registrations_extras.connect(_my_registrations)
