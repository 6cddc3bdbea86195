"""What planning tells the domains above it, which it does not import (registration, attendance…),
and what its pages ask them to add. Blinker signals, as Indico's operations and template hooks send
them; receivers are connected once at app setup."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

class_cancelled = _signals.signal(
    "class-cancelled",
    doc="""A class was cancelled. Sender: the class; `by`: the organiser (or None).
    Registration cancels the class's active registrations and tells the people.""",
)

checking_class = _signals.signal(
    "checking-class",
    doc="""A class is being validated. Sender: the `validation.ClassCheck`. Each receiver returns the
    problems it finds (an iterable of `Problem`), e.g. registration: the capacity holds the seats
    already approved. Sent on every check, so every rule still reports in the same submit.""",
)

class_in_use = _signals.signal(
    "class-in-use",
    doc="""A class is about to be deleted. Sender: the class. Each receiver returns how many of its
    records hold the class (registration: its registrations, whatever their status); a class held
    by any record is not deleted (it is cancelled instead).""",
)

class_page = _signals.signal(
    "class-page",
    doc="""The class page (programmes.class_detail) is being drawn. Sender: the class; `viewer`: the
    user looking. Each receiver returns a dict of template values (see core.hooks.template_values):
    registration `seats` (the seat figures), attendance `can_mark` (may the viewer mark attendance).""",
)
