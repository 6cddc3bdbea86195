"""A class's state as the calendar makes it: the *effective* status.

The stored `TrainingClass.status` is the organiser's intent — draft, published (registration then
follows the window), closed by hand, cancelled. What a class *is* at a moment follows from that and
from its dates in the class's own zone (WIB/WITA/WIT): registration opens and closes with its
window, the class runs from 00.00 of its first day and is finished from 00.00 after its last day.
Every page, form and service asks this module; `flask classes tick` records each transition once
in the audit trail. The SQL form (`effective_status_sql`) gives the same answer inside a query, so
lists can filter on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, case, func, or_, select

from app import clock
from app.audit import services as audit
from app.auth.models import User
from app.core.formatting import format_datetime
from app.errors import InvalidTransition
from app.extensions import db
from app.programmes.models import ClassStatus, TrainingClass
from app.regions.models import WIT_PROVINCES, WITA_PROVINCES

# Stored states that keep registration shut before the class starts (closed by hand; RUNNING and
# FINISHED only appear on rows written before the calendar decided them).
_SHUT = (ClassStatus.REGISTRATION_CLOSED, ClassStatus.RUNNING, ClassStatus.FINISHED)


def starts_at(c: TrainingClass) -> datetime:
    """00.00 of the first day at the venue."""
    return datetime.combine(c.start_date, time(0, 0), tzinfo=c.zoneinfo)


def ends_at(c: TrainingClass) -> datetime:
    """00.00 after the last day at the venue: from then on the class is finished."""
    return datetime.combine(c.end_date + timedelta(days=1), time(0, 0), tzinfo=c.zoneinfo)


def effective_status(c: TrainingClass, now: datetime | None = None) -> ClassStatus:
    """What the class is at `now` (default: the app's clock)."""
    if c.status in (ClassStatus.DRAFT, ClassStatus.CANCELLED):
        return c.status
    now = now or clock.now()
    if now >= ends_at(c):
        return ClassStatus.FINISHED
    if now >= starts_at(c):
        return ClassStatus.RUNNING
    if c.status in _SHUT:
        return ClassStatus.REGISTRATION_CLOSED
    opens, closes = c.registration_opens_at, c.registration_closes_at
    if opens is None or closes is None or now < opens:
        return ClassStatus.PUBLISHED
    if now <= closes:
        return ClassStatus.REGISTRATION_OPEN
    return ClassStatus.REGISTRATION_CLOSED


def has_started(c: TrainingClass, now: datetime | None = None) -> bool:
    return (now or clock.now()) >= starts_at(c)


def is_over(c: TrainingClass, now: datetime | None = None) -> bool:
    return (now or clock.now()) >= ends_at(c)


def shows_seats(c: TrainingClass, now: datetime | None = None) -> bool:
    """Seat counts mean something to the public only before the class starts."""
    return effective_status(c, now) in (
        ClassStatus.PUBLISHED,
        ClassStatus.REGISTRATION_OPEN,
        ClassStatus.REGISTRATION_CLOSED,
    )


def local_today(c: TrainingClass, now: datetime | None = None) -> date:
    return (now or clock.now()).astimezone(c.zoneinfo).date()


# --- the same rules in SQL ----------------------------------------------------------------------

_ZONES = {"WIB": ZoneInfo("Asia/Jakarta"), "WITA": ZoneInfo("Asia/Makassar"), "WIT": ZoneInfo("Asia/Jayapura")}


def _local_today_sql(now: datetime) -> ColumnElement[date]:
    """Today at each class's venue: its zone follows the province part of its host regency code
    (Indonesian zones keep a fixed offset; Asia/Pontianak is WIB's)."""
    province = func.substr(TrainingClass.regency_code, 1, 2)
    today = {name: now.astimezone(zone).date() for name, zone in _ZONES.items()}
    return case(
        (province.in_(sorted(WITA_PROVINCES)), today["WITA"]),
        (province.in_(sorted(WIT_PROVINCES)), today["WIT"]),
        else_=today["WIB"],
    )


def effective_status_sql(now: datetime | None = None) -> ColumnElement[str]:
    """`effective_status` as an SQL expression over `TrainingClass` (its value, e.g. 'running')."""
    now = now or clock.now()
    today = _local_today_sql(now)
    status = TrainingClass.status
    opens, closes = TrainingClass.registration_opens_at, TrainingClass.registration_closes_at
    return case(
        (status.in_([ClassStatus.DRAFT, ClassStatus.CANCELLED]), status),
        (TrainingClass.end_date < today, ClassStatus.FINISHED.value),
        (TrainingClass.start_date <= today, ClassStatus.RUNNING.value),
        (status.in_(list(_SHUT)), ClassStatus.REGISTRATION_CLOSED.value),
        (or_(opens.is_(None), closes.is_(None), opens > now), ClassStatus.PUBLISHED.value),
        (closes >= now, ClassStatus.REGISTRATION_OPEN.value),
        else_=ClassStatus.REGISTRATION_CLOSED.value,
    )


def not_over_sql(now: datetime | None = None) -> ColumnElement[bool]:
    """Classes whose last day has not passed at their venue."""
    return TrainingClass.end_date >= _local_today_sql(now or clock.now())


# --- what an organiser may do --------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """A status an organiser may set now, or why not."""

    status: ClassStatus
    allowed: bool
    reason: str | None = None


def _fmt(moment: datetime, c: TrainingClass) -> str:
    return format_datetime(moment, c.timezone)


def _why_not_open(c: TrainingClass, now: datetime) -> str | None:
    """None when registration may be opened by hand now, else the reason in words."""
    if has_started(c, now):
        return _("Kelas sudah dimulai: pendaftaran tidak dapat dibuka lagi.")
    opens, closes = c.registration_opens_at, c.registration_closes_at
    if not (opens and closes):
        return _("Isi jadwal pendaftaran (dibuka dan ditutup) sebelum membuka pendaftaran.")
    if now < opens:
        return _(
            "Pendaftaran dijadwalkan dibuka %(opens)s dan terbuka otomatis saat itu. Untuk membukanya "
            "lebih awal, ubah jadwal pendaftaran.",
            opens=_fmt(opens, c),
        )
    if now > closes:
        return _(
            "Jadwal pendaftaran sudah berakhir %(closes)s. Untuk membuka lagi, perpanjang jadwal "
            "pendaftaran (paling lambat sebelum kelas dimulai).",
            closes=_fmt(closes, c),
        )
    return None


def actions(c: TrainingClass, now: datetime | None = None) -> list[Action]:
    """The status changes an organiser sees on the class page, in the order of the lifecycle."""
    now = now or clock.now()
    state = effective_status(c, now)
    found: list[Action] = []
    if state is ClassStatus.DRAFT:
        found.append(Action(ClassStatus.PUBLISHED, True))
    if state is ClassStatus.PUBLISHED and c.status is not ClassStatus.REGISTRATION_OPEN:
        found.append(Action(ClassStatus.DRAFT, True))
    if state in (ClassStatus.PUBLISHED, ClassStatus.REGISTRATION_CLOSED):
        reason = _why_not_open(c, now)
        found.append(Action(ClassStatus.REGISTRATION_OPEN, reason is None, reason))
    if state is ClassStatus.REGISTRATION_OPEN:
        found.append(Action(ClassStatus.REGISTRATION_CLOSED, True))
    if state in (
        ClassStatus.DRAFT,
        ClassStatus.PUBLISHED,
        ClassStatus.REGISTRATION_OPEN,
        ClassStatus.REGISTRATION_CLOSED,
    ):
        found.append(Action(ClassStatus.CANCELLED, True))
    return found


def set_status(c: TrainingClass, status: ClassStatus, by: User | None, now: datetime | None = None) -> None:
    """An organiser's change of intent; the calendar's own changes (running, finished) are not theirs."""
    now = now or clock.now()
    old = effective_status(c, now)
    action = next((a for a in actions(c, now) if a.status is status), None)
    if action is None:
        reason = _why_not_open(c, now) if status is ClassStatus.REGISTRATION_OPEN else None
        raise InvalidTransition(
            reason or _("Status %(old)s tidak dapat diubah menjadi %(new)s.", old=old.label, new=status.label)
        )
    if not action.allowed:
        raise InvalidTransition(action.reason)
    c.status = status
    new = effective_status(c, now)
    c.recorded_status = new
    audit.record(c, "status", by, {"status": [old.value, new.value]})


# --- the scheduled tick ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    training_class: TrainingClass
    old: ClassStatus | None
    new: ClassStatus


def tick(now: datetime | None = None) -> list[Transition]:
    """Record, once each, the transitions the calendar made since the last tick (audit entries by
    the system). Safe to run as often as one likes (cron every few minutes, or the RQ scheduler)."""
    now = now or clock.now()
    state = effective_status_sql(now)
    due = db.session.scalars(
        select(TrainingClass)
        .where(or_(TrainingClass.recorded_status.is_(None), TrainingClass.recorded_status != state))
        .order_by(TrainingClass.id)
    ).all()
    transitions = []
    for c in due:
        new = effective_status(c, now)
        old = c.recorded_status
        if new is old:  # the SQL and Python forms disagree only at the very edge of a second
            continue
        c.recorded_status = new
        audit.record(c, "calendar", None, {"status": [old.value if old else None, new.value]})
        transitions.append(Transition(c, old, new))
    db.session.flush()
    return transitions


# --- words for people ----------------------------------------------------------------------------


def registration_phrase(c: TrainingClass, state: ClassStatus | None = None, now: datetime | None = None) -> str:
    """One sentence on registration that is true today (catalogue cards, class pages)."""
    now = now or clock.now()
    state = state or effective_status(c, now)
    opens, closes = c.registration_opens_at, c.registration_closes_at
    if state is ClassStatus.REGISTRATION_OPEN and closes:
        return _("Pendaftaran dibuka sampai %(t)s.", t=format_datetime(closes, c.timezone))
    if state is ClassStatus.PUBLISHED:
        if opens and now < opens:
            return _("Pendaftaran dibuka mulai %(t)s.", t=format_datetime(opens, c.timezone))
        return _("Jadwal pendaftaran belum diumumkan.")
    if state is ClassStatus.REGISTRATION_CLOSED:
        return _("Pendaftaran sudah ditutup.")
    if state is ClassStatus.RUNNING:
        return _("Kelas sedang berlangsung; pendaftaran sudah ditutup.")
    if state is ClassStatus.FINISHED:
        return _("Kelas sudah selesai.")
    if state is ClassStatus.CANCELLED:
        return _("Kelas dibatalkan.")
    return _("Kelas belum diumumkan.")
