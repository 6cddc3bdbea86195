"""Attendance rules: who may mark, when marking is open, idempotent marks from phones that were
offline, the facilitator's classes, and the certificate eligibility that attendance decides (the
rotating QR for self check-in is in checkin.py)."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.attendance import queries
from app.attendance.models import AttendanceMark, AttendanceStatus, MarkSource
from app.audit import services as audit
from app.auth.models import User
from app.core.formatting import format_date, format_day_date
from app.core.roles import PLANNERS, Role
from app.errors import AttendanceError
from app.extensions import db, utcnow
from app.libraries.models import LibraryType
from app.programmes.models import ClassStatus, Programme, TrainingClass
from app.programmes.queries import programme_classes
from app.programmes.services import visible_to
from app.registration.models import Registration, RegistrationStatus
from app.registration.scope import scoped

NOTE_MAX_LENGTH = 200  # the column's size; the roster's input has the same maxlength
MARK_MAX_AGE = timedelta(days=30)  # an offline tap older than this is counted as that old (ordering only)


def class_days(c: TrainingClass) -> list[date]:
    return [c.start_date + timedelta(days=i) for i in range(c.days)]


def local_now(c: TrainingClass, now: datetime | None = None) -> datetime:
    return (now or utcnow()).astimezone(c.zoneinfo)


def class_day(c: TrainingClass, value: str) -> date | None:
    """The class day a URL names (YYYY-MM-DD), or None for anything else (not a date, not a day of
    this class)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if day in class_days(c) else None


def default_day(c: TrainingClass, now: datetime | None = None) -> date:
    """The roster to open for a class: today at the venue, else its first day (before the class)
    or its last day (after it)."""
    days = class_days(c)
    today = local_now(c, now).date()
    if today in days:
        return today
    return days[0] if today < days[0] else days[-1]


# Roles that may open rosters and mark (a facilitator only in their own classes: `can_mark`).


def can_mark(user: User, c: TrainingClass) -> bool:
    """The class's facilitators, organisers and admins."""
    if user.has_role(*PLANNERS):
        return True
    return user.has_role(Role.FACILITATOR) and any(f.id == user.id for f in c.facilitators)


def marking_open_until(c: TrainingClass) -> date:
    """The last day marks are accepted: N days after the class ends, or a later reopening."""
    usual = c.end_date + timedelta(days=current_app.config["ATTENDANCE_CLOSE_AFTER_DAYS"])
    return max(usual, c.attendance_reopened_until or usual)


def check_marking_window(c: TrainingClass, day: date, today: date) -> None:
    if day not in class_days(c):
        raise AttendanceError(_("Tanggal %(d)s bukan hari kelas ini.", d=format_date(day)))
    if today < day:
        raise AttendanceError(_("Presensi %(d)s baru dibuka pada harinya.", d=format_day_date(day)))
    if today > marking_open_until(c):
        raise AttendanceError(_("Presensi kelas ini sudah ditutup. Panitia dapat membukanya kembali."))


def marking_closed_reason(c: TrainingClass, day: date, today: date) -> str | None:
    """Why the roster of `day` takes no marks (None: it is open), as check_marking_window says."""
    try:
        check_marking_window(c, day, today)
    except AttendanceError as exc:
        return str(exc.message)
    return None


def approved_registrations(c: TrainingClass, reader: User | None = None) -> list[Registration]:
    """The approved people of a class; with `reader`, only those that reader may see (scope)."""
    query = (
        select(Registration)
        .where(Registration.class_id == c.id, Registration.status == RegistrationStatus.APPROVED)
        .options(queries.PERSON_LIBRARY)
        .order_by(Registration.full_name, Registration.id)
    )
    if reader is not None:
        query = scoped(query, reader, c)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class DayMark:
    """What counts for one person on one day: the latest status and, on its own, the latest note.

    A tapped status and a note typed afterwards travel as separate marks (each may wait offline),
    so a note synced late never undoes a newer status and a tap never wipes a newer note."""

    status: AttendanceStatus | None = None
    note: str | None = None


def current_marks(class_ids: list[int]) -> dict[tuple[int, date], DayMark]:
    """Per (registration, day): the status and the note of the latest marks (by tap time, then
    arrival) that set each of them."""
    marks = db.session.execute(
        select(AttendanceMark.registration_id, AttendanceMark.day, AttendanceMark.status, AttendanceMark.note)
        .where(AttendanceMark.class_id.in_(class_ids))
        .order_by(AttendanceMark.marked_at, AttendanceMark.id)
    )
    current: dict[tuple[int, date], DayMark] = {}
    for registration_id, day, status, note in marks:
        before = current.get((registration_id, day), DayMark())
        current[(registration_id, day)] = DayMark(
            status=status if status is not None else before.status,
            note=(note or None) if note is not None else before.note,
        )
    return current


def current_statuses(class_ids: list[int]) -> dict[tuple[int, date], AttendanceStatus]:
    """Per (registration, day): the status of the latest mark that set one (`current_marks` without the
    notes, read as plain rows: a programme's reports count thousands)."""
    rows = db.session.connection().execute(
        select(AttendanceMark.registration_id, AttendanceMark.day, AttendanceMark.status)
        .where(AttendanceMark.class_id.in_(class_ids), AttendanceMark.status.is_not(None))
        .order_by(AttendanceMark.marked_at, AttendanceMark.id)
    )
    return {(registration_id, day): status for registration_id, day, status in rows}


def server_time_of(
    marked_at: datetime | None, sent_at: datetime | None, now: datetime | None = None
) -> datetime | None:
    """When a tap happened, on the server's clock. A phone's clock may be minutes or days off (cheap
    phones, a dead battery): what counts is how long before sending it was made, measured on that same
    phone; so "latest wins" compares taps by when they really happened, not by the phones' clocks."""
    if marked_at is None:
        return None
    now = now or utcnow()
    if sent_at is not None:
        marked_at = now - max(sent_at - marked_at, timedelta(0))
    return max(min(marked_at, now), now - MARK_MAX_AGE)


def record(
    c: TrainingClass,
    *,
    registration_id: int,
    day: date,
    status: AttendanceStatus | None,
    by: User | None,
    client_key: str | None = None,
    note: str | None = None,
    marked_at: datetime | None = None,
    source: MarkSource = MarkSource.ROSTER,
    now: datetime | None = None,
) -> tuple[AttendanceMark, bool]:
    """Store one mark: a status, a note (None leaves the note alone, "" clears it), or both.
    The same client key twice returns the first mark and changes nothing."""
    now = now or utcnow()
    if status is None and note is None:
        raise AttendanceError(_("Pilih status kehadiran atau tulis catatan."))
    if client_key:
        existing = db.session.scalar(select(AttendanceMark).where(AttendanceMark.client_key == client_key))
        if existing is not None and existing.class_id != c.id:  # tells nothing about another class's marks
            raise AttendanceError(_("Kunci presensi ini sudah dipakai. Muat ulang halaman lalu coba lagi."))
        if existing is not None:
            return existing, False
    check_marking_window(c, day, local_now(c, now).date())
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.class_id != c.id or registration.status is not RegistrationStatus.APPROVED:
        raise AttendanceError(_("Peserta ini tidak terdaftar (disetujui) di kelas ini."))
    mark = AttendanceMark(
        client_key=client_key or uuid.uuid4().hex,
        class_id=c.id,
        registration_id=registration.id,
        day=day,
        status=status,
        note=None if note is None else note.strip()[:NOTE_MAX_LENGTH],
        source=source,
        marked_at=min(marked_at or now, now),  # a phone's clock may run ahead; never in the future
        received_at=now,
        marked_by_id=by.id if by else None,
    )
    db.session.add(mark)
    db.session.flush()
    return mark, True


def mark_all_present(c: TrainingClass, day: date, by: User | None, now: datetime | None = None) -> int:
    """Mark HADIR for everyone not yet marked that day; the facilitator then taps the exceptions."""
    check_marking_window(c, day, local_now(c, now).date())
    marks = current_marks([c.id])
    count = 0
    for registration in approved_registrations(c):
        if status_of(marks, registration.id, day) is None:  # a note alone does not mark anyone
            record(c, registration_id=registration.id, day=day, status=AttendanceStatus.HADIR, by=by, now=now)
            count += 1
    return count


def reopen(c: TrainingClass, until: date, by: User | None) -> None:
    """An organiser reopens marking after the usual window (audited)."""
    if until < c.end_date:
        raise AttendanceError(_("Tanggal pembukaan kembali harus setelah kelas berakhir."))
    old = c.attendance_reopened_until
    c.attendance_reopened_until = until
    audit.record(
        c,
        "attendance_reopened",
        by,
        {"attendance_reopened_until": [old.isoformat() if old else None, until.isoformat()]},
    )


# --- the facilitator's home --------------------------------------------------------------------------


@dataclass
class FacilitatorClasses:
    """A facilitator's classes in the order they need them: today's first."""

    today: list[TrainingClass] = field(default_factory=list)
    upcoming: list[TrainingClass] = field(default_factory=list)  # soonest first
    past: list[TrainingClass] = field(default_factory=list)  # most recent first


def facilitator_classes(classes: list[TrainingClass], now: datetime | None = None) -> FacilitatorClasses:
    """Split classes into today's, upcoming and past ones, "today" being the date at each venue
    (a class in Jayapura starts its day two hours before one in Medan)."""
    result = FacilitatorClasses()
    for c in classes:
        if c.status is ClassStatus.DRAFT:  # not announced yet: the organisers' business
            continue
        today = local_now(c, now).date()
        if c.start_date <= today <= c.end_date:
            result.today.append(c)
        elif c.start_date > today:
            result.upcoming.append(c)
        else:
            result.past.append(c)
    result.today.sort(key=lambda c: (c.start_date, c.id))
    result.upcoming.sort(key=lambda c: (c.start_date, c.id))
    result.past.sort(key=lambda c: (c.end_date, c.start_date, c.id), reverse=True)
    return result


# --- eligibility and reports ------------------------------------------------------------------------


@dataclass
class Eligibility:
    present: int
    total: int
    required_percent: int
    statuses: dict[date, AttendanceStatus | None] = field(default_factory=dict)

    @property
    def percent(self) -> float:
        return 100 * self.present / self.total if self.total else 0.0

    @property
    def needed(self) -> int:
        return math.ceil(self.required_percent * self.total / 100)

    @property
    def eligible(self) -> bool:
        return self.present >= self.needed

    @property
    def missing(self) -> int:
        return max(self.needed - self.present, 0)


def eligibility(programme: Programme, days: list[date], statuses: dict[date, AttendanceStatus | None]) -> Eligibility:
    """Present on enough days by the programme's rule (which statuses count is configurable)."""
    counted = set(programme.present_statuses or ["hadir", "terlambat"])
    present = sum(1 for d in days if (status := statuses.get(d)) is not None and status.value in counted)
    return Eligibility(
        present=present,
        total=len(days),
        required_percent=programme.min_attendance_percent,
        statuses={d: statuses.get(d) for d in days},
    )


@dataclass
class ReportRow:
    registration: Registration
    eligibility: Eligibility
    notes: dict[date, str | None]


def status_of(marks: dict[tuple[int, date], DayMark], registration_id: int, day: date) -> AttendanceStatus | None:
    mark = marks.get((registration_id, day))
    return mark.status if mark else None


def _statuses(
    marks: dict[tuple[int, date], DayMark], registration_id: int, days: list[date]
) -> dict[date, AttendanceStatus | None]:
    return {d: status_of(marks, registration_id, d) for d in days}


def class_report(c: TrainingClass, reader: User | None = None) -> list[ReportRow]:
    """One row per approved person (the ones `reader` may see), with their days and eligibility."""
    days = class_days(c)
    marks = current_marks([c.id])
    programme = c.batch.programme
    rows = []
    for registration in approved_registrations(c, reader):
        notes = {d: marks[(registration.id, d)].note if (registration.id, d) in marks else None for d in days}
        result = eligibility(programme, days, _statuses(marks, registration.id, days))
        rows.append(ReportRow(registration, result, notes))
    return rows


def registration_eligibility(registration: Registration, marks: dict | None = None) -> Eligibility:
    """`marks`: current_marks of (at least) its class, when the caller has them for many people at once."""
    c = registration.training_class
    days = class_days(c)
    statuses = _statuses(current_marks([c.id]) if marks is None else marks, registration.id, days)
    return eligibility(c.batch.programme, days, statuses)


@dataclass
class GroupFigures:
    label: str
    participants: int = 0
    eligible: int = 0
    present_days: int = 0
    total_days: int = 0

    @property
    def percent(self) -> float:
        return 100 * self.present_days / self.total_days if self.total_days else 0.0


def programme_report(
    classes: list[TrainingClass], province_code: str | None = None
) -> tuple[list[GroupFigures], list[GroupFigures]]:
    """Attendance of many classes (a batch or a programme) by province and by library type;
    with `province_code`, only participants from that province's libraries count."""
    marks = current_marks([c.id for c in classes])
    people = queries.approved_people_by_class([c.id for c in classes])
    by_province: dict[str, GroupFigures] = {}
    by_type: dict[str, GroupFigures] = {}
    type_labels = {t: t.label for t in LibraryType}  # translated once, not once per person
    for c in classes:
        days = class_days(c)
        for person in people[c.id]:
            if province_code and person.province_code != province_code:
                continue
            result = eligibility(c.batch.programme, days, _statuses(marks, person.registration_id, days))
            province = person.library_province
            kind = type_labels[person.library_type]
            for groups, key in ((by_province, province), (by_type, kind)):
                group = groups.setdefault(key, GroupFigures(key))
                group.participants += 1
                group.eligible += result.eligible
                group.present_days += result.present
                group.total_days += result.total
    return sorted(by_province.values(), key=lambda g: g.label), sorted(by_type.values(), key=lambda g: g.label)


def programme_report_for(
    programme: Programme, batch_id: int | None, reader: User
) -> tuple[list[GroupFigures], list[GroupFigures]]:
    """`programme_report` of the classes of a programme (or of one batch) that `reader` may see; a
    coordinator counts only the participants from their own province's libraries."""
    classes = [c for c in programme_classes(programme.id, batch_id) if visible_to(c, reader)]
    scope = None if reader.has_role(*PLANNERS) else reader.coordinator_province_code
    return programme_report(classes, province_code=scope)


def day_counts(c: TrainingClass, day: date) -> tuple[int, int]:
    """(marked, not yet marked) on a class day, for the facilitator's home."""
    people = db.session.scalars(
        select(Registration.id).where(Registration.class_id == c.id, Registration.status == RegistrationStatus.APPROVED)
    ).all()
    marks = current_marks([c.id])
    marked = sum(1 for registration_id in people if status_of(marks, registration_id, day) is not None)
    return marked, len(people) - marked


def today_counts(classes: list[TrainingClass], now: datetime | None = None) -> dict[int, tuple[int, int]]:
    """`day_counts` of each class for today at its venue, by class id (the facilitator's home)."""
    return {c.id: day_counts(c, local_now(c, now).date()) for c in classes}
