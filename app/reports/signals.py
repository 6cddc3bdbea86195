"""Reports' answers to what lower pages ask: "Pendaftaran saya" shows the person's JP this year."""

from __future__ import annotations

from typing import Any

from app.auth.models import User
from app.registration import signals as registration_signals
from app.registration.models import Registration
from app.reports import training_hours


def _my_registrations(user: User, registrations: list[Registration], **_: Any) -> dict[str, Any]:
    """The JP of this calendar year against the 20 a civil servant needs (one statement)."""
    return {"jp_year": training_hours.hours_of(user) if registrations else None}


def connect_signals() -> None:
    """Connect the reports' receivers (once per process, in create_app)."""
    registration_signals.my_registrations_extras.connect(_my_registrations)
