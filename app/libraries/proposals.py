"""Libraries proposed by registrants ("my library is not listed"): verified, merged into the
library they really are, or rejected while nobody uses them. The records that point at a proposal
(registrations) are moved or counted by their own domain through the signals in libraries.signals."""

from __future__ import annotations

from flask_babel import gettext as _

from app.errors import InvalidRegistrationState
from app.extensions import db
from app.libraries import services as libraries
from app.libraries import signals
from app.libraries.models import Library, LibraryStatus


def verify_proposed_library(library: Library) -> None:
    libraries.verify_library(library)


def merge_library(proposal: Library, target: Library) -> int:
    """A proposed library is really an existing one: move its registrations, drop the proposal."""
    if proposal.status is not LibraryStatus.PROPOSED or target.id == proposal.id:
        raise InvalidRegistrationState(_("Hanya usulan yang dapat digabungkan ke perpustakaan lain."))
    if target.status is not LibraryStatus.VERIFIED:
        raise InvalidRegistrationState(_("Perpustakaan tujuan harus sudah terverifikasi."))
    moved = sum(count for _receiver, count in signals.library_merging.send(proposal, target=target))
    db.session.flush()
    db.session.delete(proposal)
    db.session.flush()
    return moved


def reject_proposed_library(proposal: Library) -> None:
    if proposal.status is not LibraryStatus.PROPOSED:
        raise InvalidRegistrationState()
    used = sum(count for _receiver, count in signals.library_in_use.send(proposal))
    if used:
        raise InvalidRegistrationState(
            _("Usulan ini dipakai %(n)s pendaftar: gabungkan ke perpustakaan yang benar.", n=used)
        )
    db.session.delete(proposal)
    db.session.flush()
