"""What the libraries domain tells the domains above it, which it does not import (registration).
Blinker signals; receivers are connected once at app setup."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

library_merging = _signals.signal(
    "library-merging",
    doc="""A proposed library is being merged into the library it really is. Sender: the proposal;
    `target`: the verified library. Each receiver moves its records from the proposal to the target
    and returns how many it moved.""",
)

library_in_use = _signals.signal(
    "library-in-use",
    doc="""Sender: a library about to be removed. Each receiver returns how many of its records
    point at it (registration: its registrations).""",
)
