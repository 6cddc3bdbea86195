"""Attendance's answers to what the pages of the domains below it ask (their signals): the class page
says whether the viewer may mark attendance; "Pendaftaran saya" shows each approved person's days and
whether they meet the certificate's rule."""

from __future__ import annotations

from typing import Any

from app.attendance import services
from app.attendance.services import Eligibility
from app.auth.models import User
from app.programmes import signals as planning_signals
from app.programmes.models import TrainingClass
from app.registration import signals as registration_signals
from app.registration.models import Registration, RegistrationStatus


def _class_page(training_class: TrainingClass, viewer: User, **_: Any) -> dict[str, bool]:
    return {"can_mark": services.can_mark(viewer, training_class)}


def _my_registrations(user: User, registrations: list[Registration], **_: Any) -> dict[str, dict[int, Eligibility]]:
    """The eligibility of each approved registration, with one statement for the marks of all their classes."""
    approved = [r for r in registrations if r.status is RegistrationStatus.APPROVED]
    if not approved:
        return {"attendance": {}}
    marks = services.current_marks(sorted({r.class_id for r in approved}))
    return {"attendance": {r.id: services.registration_eligibility(r, marks) for r in approved}}


def connect_signals() -> None:
    """Connect attendance's receivers (once per process, as registration.signals.connect_signals)."""
    planning_signals.class_page.connect(_class_page)
    registration_signals.my_registrations_extras.connect(_my_registrations)
