"""Reports' answers to what lower pages ask: "Pendaftaran saya" shows the person's JP this year."""

from __future__ import annotations

from typing import Any

from app import clock
from app.auth.models import User
from app.registration import signals as registration_signals
from app.registration.models import Registration
from app.reports import training_hours


def _my_registrations(user: User, registrations: list[Registration], **_: Any) -> dict[str, Any]:
    """The JP of this calendar year against the 20 a civil servant needs, and the earlier years' (one
    statement)."""
    if not registrations:
        return {"jp_year": None, "jp_earlier": []}
    years = training_hours.hours_by_year(user)
    this_year = clock.today().year
    current = next((y for y in years if y.year == this_year), training_hours.YearHours(year=this_year, jp=0))
    return {"jp_year": current, "jp_earlier": [y for y in years if y.year < this_year][:3]}


def connect_signals() -> None:
    """Connect the reports' receivers (once per process, in create_app)."""
    registration_signals.my_registrations_extras.connect(_my_registrations)
