"""Registration's signals. What its pages ask the domains above it to add ("Pendaftaran saya": the
attendance and the certificate of each registration). And its answers to what planning and the
libraries announce: a cancelled class cancels its registrations, a class's capacity holds its
approved seats, a class or library that registrations point at is not deleted, a merged library
takes its proposal's registrations, the class page shows the seat figures."""

from __future__ import annotations

from typing import Any

from blinker import Namespace
from sqlalchemy import func, select

from app.auth.models import User
from app.errors import Problem
from app.extensions import db
from app.libraries import signals as library_signals
from app.libraries.models import Library
from app.programmes import signals as planning_signals
from app.programmes.models import QuotaGroup, TrainingClass
from app.programmes.validation import ClassCheck
from app.registration.decisions import cancel_class_registrations
from app.registration.models import Registration
from app.registration.seats import SeatSummary, capacity_problems, registration_count, seat_summary

_signals = Namespace()

my_registrations_extras = _signals.signal(
    "my-registrations-extras",
    doc=""""Pendaftaran saya" is being drawn. Sender: the user; `registrations`: theirs, as the page
    lists them (class, batch and programme loaded). Each receiver returns a dict of template values
    (see core.hooks.template_values), each a figure per registration id computed for all of them at
    once (a fixed number of statements, whatever the number of registrations): attendance
    `attendance`, certificates `certificates`, `corrections` and `deadlines`.""",
)


def _class_cancelled(training_class: TrainingClass, by: User | None = None, **_: Any) -> int:
    return cancel_class_registrations(training_class, by)


def _checking_class(check: ClassCheck, **_: Any) -> list[Problem]:
    return capacity_problems(check)


def _class_in_use(training_class: TrainingClass, **_: Any) -> int:
    return registration_count(training_class)


def _library_merging(proposal: Library, target: Library, **_: Any) -> int:
    """The proposal's registrations now belong to the library it really is (its province and type)."""
    moved = db.session.scalars(select(Registration).where(Registration.library_id == proposal.id)).all()
    for registration in moved:
        registration.library_id = target.id
        registration.province_code = target.province_code
        registration.quota_group = QuotaGroup.of(target.type)
    return len(moved)


def _library_in_use(library: Library, **_: Any) -> int:
    return (
        db.session.scalar(select(func.count()).select_from(Registration).where(Registration.library_id == library.id))
        or 0
    )


def _class_page(training_class: TrainingClass, **_: Any) -> dict[str, SeatSummary]:
    return {"seats": seat_summary(training_class)}


def connect_signals() -> None:
    """Connect registration's receivers (once per process: blinker keeps one connection per receiver,
    so a second create_app, as in the tests, connects nothing new). Module functions live as long as
    the process, so the weak references blinker keeps never lapse."""
    planning_signals.class_cancelled.connect(_class_cancelled)
    planning_signals.checking_class.connect(_checking_class)
    planning_signals.class_in_use.connect(_class_in_use)
    planning_signals.class_page.connect(_class_page)
    library_signals.library_merging.connect(_library_merging)
    library_signals.library_in_use.connect(_library_in_use)
