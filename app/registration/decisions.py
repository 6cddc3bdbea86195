"""Decisions on registrations: approve, waitlist, reject, cancel, move, and the waiting list's
promotions when a seat frees up. Seat decisions happen under a lock on the class (seats.lock_class)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit import services as audit
from app.auth.models import User
from app.core.formatting import format_date
from app.errors import ClassFull, ClassStarted, DomainError, InvalidRegistrationState, NotServed, ScheduleError
from app.extensions import db, utcnow
from app.programmes import lifecycle
from app.programmes.models import ClassStatus, TrainingClass
from app.registration.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from app.registration.notifications import contact_of, notify
from app.registration.seats import has_seat, lock_class


def _decide(registration: Registration, status: RegistrationStatus, by: User | None, reason: str | None) -> None:
    registration.status = status
    registration.decided_at = utcnow()
    registration.decided_by_id = by.id if by else None
    registration.decision_reason = (reason or "").strip() or None


def require_override(
    training_class: TrainingClass, override_reason: str | None, what: str, now: datetime | None = None
) -> str | None:
    """Once a class has started, a change to its roster needs an organiser's stated reason."""
    if not lifecycle.has_started(training_class, now):
        return None
    reason = (override_reason or "").strip()
    if not reason:
        raise ClassStarted(
            _(
                "%(cls)s sudah dimulai %(d)s. %(what)s sekarang hanya dengan pengecualian: centang "
                '"Keputusan setelah kelas dimulai" dan tulis alasannya.',
                cls=training_class.name,
                d=format_date(training_class.start_date),
                what=what,
            )
        )
    return reason


def approve(
    registration: Registration, by: User | None, today: date | None = None, *, override_reason: str | None = None
) -> None:
    if registration.status not in (RegistrationStatus.SUBMITTED, RegistrationStatus.WAITLISTED):
        raise InvalidRegistrationState()
    training_class = registration.training_class
    override = require_override(training_class, override_reason, _("Menyetujui pendaftar"))
    lock_class(training_class)
    if not has_seat(training_class, registration.province_code, registration.quota_group, today):
        raise ClassFull()
    _decide(registration, RegistrationStatus.APPROVED, by, override)
    if override:
        audit.record(registration, "override", by, {"approved": [None, override]})
    db.session.flush()
    notify(registration, "approved")


def waitlist(registration: Registration, by: User | None, reason: str | None = None) -> None:
    """An organiser puts a submitted registration on the waiting list (seats may be free: the mail and
    the organiser's pages say it was their decision, with the reason given)."""
    if registration.status is not RegistrationStatus.SUBMITTED:
        raise InvalidRegistrationState()
    _decide(registration, RegistrationStatus.WAITLISTED, by, reason)
    db.session.flush()
    notify(registration, "waitlisted")


def _withdraw(
    registration: Registration, status: RegistrationStatus, by: User | None, reason: str | None, event: str
) -> list[Registration]:
    """End an active registration; a seat it held goes to the next eligible person waiting."""
    if not registration.is_active:
        raise InvalidRegistrationState()
    held_seat = registration.status is RegistrationStatus.APPROVED
    _decide(registration, status, by, reason)
    db.session.flush()
    notify(registration, event)
    return promote_waitlist(registration.training_class) if held_seat else []


def reject(registration: Registration, by: User | None, reason: str) -> list[Registration]:
    return _withdraw(registration, RegistrationStatus.REJECTED, by, reason, "rejected")


def cancel(registration: Registration, by: User | None, reason: str | None = None) -> list[Registration]:
    """Cancelled by an organiser (at any time; after the start nobody is promoted into the seat)."""
    return _withdraw(registration, RegistrationStatus.CANCELLED, by, reason, "cancelled")


def cancel_own(registration: Registration, user: User) -> list[Registration]:
    """The participant cancels their own registration: only before the class starts."""
    if registration.user_id != user.id:
        raise InvalidRegistrationState()
    training_class = registration.training_class
    if lifecycle.has_started(training_class):
        raise ClassStarted(
            _(
                "Kelas sudah dimulai, jadi pendaftaran tidak dapat dibatalkan lagi. Jika Anda berhalangan hadir, "
                "hubungi panitia (%(contact)s).",
                contact=contact_of(training_class),
            )
        )
    return _withdraw(registration, RegistrationStatus.CANCELLED, user, _("Dibatalkan oleh peserta."), "cancelled")


def decide(registration: Registration, action: str, by: User | None, reason: str | None, override: bool) -> None:
    """One of the decisions on the organisers' list (`action`: approve, waitlist, reject, cancel). Rejecting
    or cancelling needs a reason (the person is told it); approving after the start, `override` and one."""
    if action == "approve":
        approve(registration, by, override_reason=reason if override else None)
    elif action == "waitlist":
        waitlist(registration, by, reason)
    elif action in ("reject", "cancel"):
        if not reason:
            raise DomainError(_("Tulis alasan untuk menolak atau membatalkan."))
        (reject if action == "reject" else cancel)(registration, by, reason)
    else:
        raise ValueError(f"no such decision: {action!r}")


@dataclass
class BulkOutcome:
    done: int = 0
    refused: list[str] = field(default_factory=list)  # "name: why", in queue order


def decide_many(ids: Iterable[int], action: str, by: User | None, reason: str | None, override: bool) -> BulkOutcome:
    """Apply one decision to the chosen registrations in queue order (who registered first); each is
    decided on its own (a savepoint), so a refusal leaves the others' decisions standing."""
    chosen = db.session.scalars(
        select(Registration).where(Registration.id.in_(list(ids))).order_by(Registration.created_at, Registration.id)
    ).all()
    outcome = BulkOutcome()
    for registration in chosen:
        try:
            with db.session.begin_nested():
                decide(registration, action, by, reason, override)
        except DomainError as exc:
            outcome.refused.append(f"{registration.full_name}: {exc.message}")
        else:
            outcome.done += 1
    return outcome


def promote_waitlist(training_class: TrainingClass, today: date | None = None) -> list[Registration]:
    """Give free seats to waiting people in order, skipping those whose quota is full. Once the class
    has started nobody is promoted: a seat freed then stays free (nobody joins a running class by mail)."""
    if lifecycle.has_started(training_class):
        return []
    lock_class(training_class)
    promoted = []
    waiting = db.session.scalars(
        select(Registration)
        .where(Registration.class_id == training_class.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    for registration in waiting:
        if has_seat(training_class, registration.province_code, registration.quota_group, today):
            _decide(registration, RegistrationStatus.APPROVED, None, None)
            db.session.flush()
            notify(registration, "promoted")
            promoted.append(registration)
    return promoted


def move(
    registration: Registration,
    target: TrainingClass,
    by: User | None,
    today: date | None = None,
    *,
    override_reason: str | None = None,
) -> None:
    """Move someone to another class of the same programme, keeping its seats and quotas."""
    source = registration.training_class
    if not registration.is_active or target.id == source.id:
        raise InvalidRegistrationState()
    if target.batch.programme_id != source.batch.programme_id:
        raise ScheduleError(_("Hanya dapat dipindah ke kelas dalam program yang sama."))
    if lifecycle.effective_status(target) in (ClassStatus.CANCELLED, ClassStatus.FINISHED, ClassStatus.DRAFT):
        raise ScheduleError(_("Kelas tujuan masih draf, sudah dibatalkan atau sudah selesai."))
    started = source if lifecycle.has_started(source) else target
    override = require_override(started, override_reason, _("Memindahkan pendaftar"))
    if registration.province_code not in target.served_codes:
        raise NotServed(_("Kelas tujuan tidak melayani provinsi pendaftar."))
    for c in sorted((source, target), key=lambda c: c.id):  # one lock order: no deadlocks
        lock_class(c)
    held_seat = registration.status is RegistrationStatus.APPROVED
    if held_seat and not has_seat(target, registration.province_code, registration.quota_group, today):
        raise ClassFull(_("Kelas tujuan tidak punya kursi untuk pendaftar ini."))
    registration.class_id = target.id
    registration.training_class = target
    registration.decision_reason = _("Dipindah dari %(name)s.", name=source.name)
    if override:
        registration.decision_reason += " " + override
        audit.record(registration, "override", by, {"moved": [source.name, f"{target.name}: {override}"]})
    db.session.flush()
    notify(registration, "moved")
    if held_seat:
        promote_waitlist(source, today)


def cancel_class_registrations(training_class: TrainingClass, by: User | None) -> int:
    """When a class is cancelled, every active registration is cancelled and told so."""
    active = db.session.scalars(
        select(Registration).where(Registration.class_id == training_class.id, Registration.status.in_(ACTIVE_STATUSES))
    ).all()
    for registration in active:
        _decide(registration, RegistrationStatus.CANCELLED, by, _("Kelas dibatalkan."))
        notify(registration, "class_cancelled")
    db.session.flush()
    return len(active)
