"""Figures of the programme dashboard (issue #14): SQL aggregates (GROUP BY, a fixed number of
statements whatever the rows), filtered by batch, province, library type and class dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app import clock
from app.attendance import queries as attendance_queries
from app.attendance import services as attendance
from app.certificates.models import Certificate, CertificateStatus
from app.extensions import db
from app.libraries.models import Library, LibraryType
from app.programmes.models import PUBLIC_STATUSES, Batch, ClassProvince, Programme, TrainingClass
from app.regions.models import Province, Regency
from app.registration.models import Registration, RegistrationStatus


@dataclass(frozen=True)
class Filters:
    """What the dashboard's URL asks for; `province_code` is forced for a coordinator."""

    batch_id: int | None = None
    province_code: str | None = None
    library_type: LibraryType | None = None
    start: date | None = None  # classes starting on or after
    end: date | None = None  # classes starting on or before

    def apply(self, query: Select[Any], with_library: bool = True) -> Select[Any]:
        if self.batch_id is not None:
            query = query.where(TrainingClass.batch_id == self.batch_id)
        if self.start is not None:
            query = query.where(TrainingClass.start_date >= self.start)
        if self.end is not None:
            query = query.where(TrainingClass.start_date <= self.end)
        if self.province_code:
            query = query.where(Registration.province_code == self.province_code)
        if self.library_type is not None and with_library:
            query = query.where(Library.type == self.library_type)
        return query


@dataclass
class Group:
    """One row of a chart: participants (approved) and libraries reached (≥ 1 approved)."""

    key: str
    label: str
    participants: int = 0
    libraries: int = 0


@dataclass
class ClassFill:
    class_id: int
    name: str
    batch_name: str
    capacity: int
    approved: int

    @property
    def percent(self) -> float:
        return 100 * self.approved / self.capacity if self.capacity else 0.0


@dataclass
class ClassLine:
    """One class with the approved people of the filters, their attendance and certificates. The rate
    counts the days held so far (today included, at the venue): a class under way is not "absent" on
    the days still to come, and a class not yet started has no rate."""

    class_id: int
    name: str
    batch_name: str
    city: str
    start: date
    end: date
    approved: int = 0
    present_days: int = 0
    held_days: int = 0  # person-days up to today
    marked: int = 0  # person-days with a status: none yet, the rate means nothing
    eligible: int = 0
    issued: int = 0

    @property
    def attendance_percent(self) -> float:
        return 100 * self.present_days / self.held_days if self.held_days else 0.0


@dataclass
class Dashboard:
    by_status: dict[RegistrationStatus, int]
    by_area: list[Group]  # provinces (planners) or regencies (a coordinator's province)
    by_type: list[Group]
    classes: list[ClassFill]
    batches: list[ClassFill]
    participants: int = 0
    provinces: int = 0
    batch_count: int = 0
    attendance_percent: float = 0.0
    attendance_marked: int = 0  # person-days with a mark: none, and the rate is "–" (not 0 %)
    eligible: int = 0
    issued: int = 0
    lines: list[ClassLine] = field(default_factory=list)  # the classes shown, with attendance and certificates
    libraries_by_type: dict[LibraryType, int] = field(default_factory=dict)

    @property
    def reached(self) -> list[tuple[LibraryType, int]]:
        """Library types reached, most libraries first (the press release's "450 … · 136 … · 33 …")."""
        return sorted(((t, n) for t, n in self.libraries_by_type.items() if n), key=lambda item: -item[1])

    @property
    def waiting(self) -> int:
        return self.by_status[RegistrationStatus.WAITLISTED]


def programme_with_classes(programme_id: int) -> Programme | None:
    """The programme with its batches and their classes (three statements, whatever their number)."""
    return db.session.scalar(
        select(Programme)
        .where(Programme.id == programme_id)
        .options(selectinload(Programme.batches).selectinload(Batch.classes))
    )


def _registrations(programme: Programme, filters: Filters, *columns: Any) -> Select[Any]:
    query = (
        select(*columns)
        .select_from(Registration)
        .join(TrainingClass, TrainingClass.id == Registration.class_id)
        .join(Library, Library.id == Registration.library_id)
        .where(Registration.programme_id == programme.id)
    )
    return filters.apply(query)


def _approved(programme: Programme, filters: Filters, *columns: Any) -> Select[Any]:
    return _registrations(programme, filters, *columns).where(Registration.status == RegistrationStatus.APPROVED)


def status_counts(programme: Programme, filters: Filters) -> dict[RegistrationStatus, int]:
    counts = dict.fromkeys(RegistrationStatus, 0)
    rows = db.session.execute(
        _registrations(programme, filters, Registration.status, func.count()).group_by(Registration.status)
    )
    counts.update(dict(rows.tuples().all()))
    return counts


def by_area(programme: Programme, filters: Filters, regencies: bool) -> list[Group]:
    """Participants and libraries reached by province, or by regency of the library (one province)."""
    if regencies:
        key, label, join = Regency.code, Regency.name, Regency.code == Library.regency_code
    else:
        key, label, join = Province.code, Province.name, Province.code == Registration.province_code
    rows = db.session.execute(
        _approved(programme, filters, key, label, func.count(), func.count(func.distinct(Library.id)))
        .join(Regency if regencies else Province, join)
        .group_by(key, label)
        .order_by(func.count().desc(), key)
    )
    return [Group(k, name, n, libs) for k, name, n, libs in rows.tuples()]


def by_type(programme: Programme, filters: Filters) -> list[Group]:
    query = _approved(programme, filters, Library.type, func.count(), func.count(func.distinct(Library.id)))
    rows = {kind: (n, libs) for kind, n, libs in db.session.execute(query.group_by(Library.type)).tuples()}
    return [Group(t.value, str(t.label), *rows.get(t, (0, 0))) for t in LibraryType]


def headline(programme: Programme, filters: Filters) -> tuple[int, int, int]:
    """(participants, provinces, batches) with at least one approved participant."""
    row = db.session.execute(
        _approved(
            programme,
            filters,
            func.count(),
            func.count(func.distinct(Registration.province_code)),
            func.count(func.distinct(TrainingClass.batch_id)),
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def class_fill(programme: Programme, filters: Filters, announced_only: bool = False) -> list[ClassFill]:
    """Approved participants of each class against its seats, in batch and date order. With a province
    or a library type, only that province's (or type's) participants count and only the classes serving
    the province are listed: a coordinator's figures are their province's own. (A shared class's seats
    per province are no secret: its page shows each province's quota and seats taken, no person.)
    `announced_only` leaves drafts and cancelled classes out (what a coordinator may see of the plan)."""
    counted = (
        select(Registration.class_id, func.count().label("n"))
        .where(Registration.programme_id == programme.id, Registration.status == RegistrationStatus.APPROVED)
        .group_by(Registration.class_id)
    )
    if filters.province_code:
        counted = counted.where(Registration.province_code == filters.province_code)
    if filters.library_type is not None:
        counted = counted.join(Library, Library.id == Registration.library_id).where(
            Library.type == filters.library_type
        )
    approved = counted.subquery()
    query = (
        select(TrainingClass.id, TrainingClass.name, Batch.name, TrainingClass.capacity, approved.c.n)
        .join(Batch, Batch.id == TrainingClass.batch_id)
        .outerjoin(approved, approved.c.class_id == TrainingClass.id)
        .where(Batch.programme_id == programme.id)
        .order_by(Batch.number, TrainingClass.start_date, TrainingClass.id)
    )
    query = Filters(filters.batch_id, None, None, filters.start, filters.end).apply(query, with_library=False)
    if announced_only:
        query = query.where(TrainingClass.status.in_(PUBLIC_STATUSES))
    if filters.province_code:
        query = query.where(
            select(ClassProvince.class_id)
            .where(ClassProvince.class_id == TrainingClass.id, ClassProvince.province_code == filters.province_code)
            .exists()
        )
    return [ClassFill(i, name, batch, cap, n or 0) for i, name, batch, cap, n in db.session.execute(query).tuples()]


def batch_fill(classes: list[ClassFill]) -> list[ClassFill]:
    batches: dict[str, ClassFill] = {}
    for c in classes:
        b = batches.setdefault(c.batch_name, ClassFill(0, c.batch_name, c.batch_name, 0, 0))
        b.capacity += c.capacity
        b.approved += c.approved
    return list(batches.values())


def dashboard(programme: Programme, filters: Filters, regencies: bool = False) -> Dashboard:
    """Everything the dashboard shows; `regencies` (a coordinator's view): by regency, announced classes only."""
    classes = class_fill(programme, filters, announced_only=regencies)
    participants, provinces, batch_count = headline(programme, filters)
    types = by_type(programme, filters)
    board = Dashboard(
        by_status=status_counts(programme, filters),
        by_area=by_area(programme, filters, regencies),
        by_type=types,
        classes=classes,
        batches=batch_fill(classes),
        participants=participants,
        provinces=provinces,
        batch_count=batch_count,
        libraries_by_type={LibraryType(g.key): g.libraries for g in types},
    )
    board.lines = class_lines(programme, filters, classes)
    held = sum(line.held_days for line in board.lines)
    board.attendance_percent = 100 * sum(line.present_days for line in board.lines) / held if held else 0.0
    board.attendance_marked = sum(line.marked for line in board.lines)
    board.eligible = sum(line.eligible for line in board.lines)
    board.issued = sum(line.issued for line in board.lines)
    return board


def _venues(class_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(host city, IANA zone of its province) of each class, in one statement (no lazy load per class)."""
    rows = db.session.execute(
        select(TrainingClass.id, Regency.name, Province.timezone)
        .join(Regency, Regency.code == TrainingClass.regency_code)
        .join(Province, Province.code == Regency.province_code)
        .where(TrainingClass.id.in_(class_ids))
    )
    return {class_id: (city, zone) for class_id, city, zone in rows.tuples()}


def _issued_by_class(programme: Programme, filters: Filters, class_ids: list[int]) -> dict[int, int]:
    """Valid certificates of approved people within the filters, by class (one GROUP BY)."""
    query = (
        select(Registration.class_id, func.count(func.distinct(Certificate.registration_id)))
        .select_from(Registration)
        .join(TrainingClass, TrainingClass.id == Registration.class_id)
        .join(Library, Library.id == Registration.library_id)
        .join(Certificate, Certificate.registration_id == Registration.id)
        .where(
            Registration.programme_id == programme.id,
            Registration.status == RegistrationStatus.APPROVED,
            Certificate.status == CertificateStatus.VALID,
            Registration.class_id.in_(class_ids),
        )
        .group_by(Registration.class_id)
    )
    return dict(db.session.execute(filters.apply(query)).tuples().all())


def class_lines(programme: Programme, filters: Filters, fills: list[ClassFill]) -> list[ClassLine]:
    """The dashboard's classes (same order) with attendance and certificates: four statements,
    whatever the number of classes and people. Attendance follows the attendance domain's rule."""
    class_ids = [f.class_id for f in fills]
    if not class_ids:
        return []
    loaded = {c.id: c for b in programme.batches for c in b.classes}  # in memory (programme_with_classes)
    venues = _venues(class_ids)
    lines = {}
    for f in fills:
        c = loaded[f.class_id]
        city = venues.get(c.id, ("", ""))[0]
        lines[c.id] = ClassLine(c.id, f.name, f.batch_name, city, c.start_date, c.end_date)
    marks = attendance.current_statuses(class_ids)
    people = attendance_queries.approved_people_by_class(class_ids)
    for class_id, line in lines.items():
        c = loaded[class_id]
        days = attendance.class_days(c)
        today = clock.today(venues[class_id][1])
        held = [d for d in days if d <= today]
        for person in people[class_id]:
            if filters.province_code and person.province_code != filters.province_code:
                continue
            if filters.library_type is not None and person.library_type is not filters.library_type:
                continue
            statuses = {d: marks.get((person.registration_id, d)) for d in days}
            result = attendance.eligibility(programme, days, statuses)
            line.approved += 1
            # present on the days held so far, by the same rule (all of them once the class has ended)
            line.present_days += (
                result.present if len(held) == len(days) else attendance.eligibility(programme, held, statuses).present
            )
            line.held_days += len(held)
            line.eligible += result.eligible
            line.marked += sum(1 for status in statuses.values() if status is not None)
    for class_id, n in _issued_by_class(programme, filters, class_ids).items():
        lines[class_id].issued = n
    return list(lines.values())
