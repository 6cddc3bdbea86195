"""Planning rules: programmes, batches and classes, their quotas, agendas, status and copies."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app import clock
from app.audit import services as audit
from app.auth.models import PLANNERS, Role, User, UserRole
from app.core.formatting import format_date, format_date_range, format_time
from app.core.text import with_word
from app.errors import ClassHasRegistrations, Problem, raise_if_any
from app.extensions import db
from app.programmes import lifecycle
from app.programmes.models import (
    AgendaSession,
    ApprovalMode,
    Batch,
    ClassProvince,
    ClassStatus,
    ClassTypeQuota,
    Programme,
    ProgrammeStatus,
    QuotaGroup,
    TrainingClass,
    class_facilitators,
)
from app.regions.models import Province, Regency

# --- programmes ----------------------------------------------------------------------------------


@dataclass
class ProgrammeData:
    code: str
    name: str
    year: int
    jp_total: int
    min_attendance_percent: int = 80
    description: str | None = None
    status: ProgrammeStatus = ProgrammeStatus.DRAFT
    requires_letter: bool = False
    present_statuses: list[str] = field(default_factory=lambda: ["hadir", "terlambat"])


def programme_problems(data: ProgrammeData, programme: Programme | None) -> list[Problem]:
    """Every rule of a programme that `data` breaks (a missing code or year skips the check)."""
    if not data.code or data.year is None:
        return []
    query = select(Programme.id).where(
        func.upper(Programme.code) == data.code.strip().upper(), Programme.year == data.year
    )
    if programme is not None and programme.id is not None:
        query = query.where(Programme.id != programme.id)
    if db.session.scalar(query) is not None:
        return [
            Problem(
                _("Program %(code)s tahun %(year)s sudah ada.", code=data.code.strip().upper(), year=data.year), "code"
            )
        ]
    return []


def _apply_programme(programme: Programme, data: ProgrammeData) -> None:
    programme.code = data.code.strip().upper()
    programme.name = " ".join(data.name.split())
    programme.year = data.year
    programme.jp_total = data.jp_total
    programme.min_attendance_percent = data.min_attendance_percent
    programme.description = (data.description or "").strip() or None
    programme.status = data.status
    programme.requires_letter = data.requires_letter
    programme.present_statuses = list(data.present_statuses)


def create_programme(data: ProgrammeData, by: User | None) -> Programme:
    raise_if_any(programme_problems(data, None))
    programme = Programme()
    _apply_programme(programme, data)
    db.session.add(programme)
    audit.record(programme, "created", by)
    return programme


def update_programme(programme: Programme, data: ProgrammeData, by: User | None) -> None:
    raise_if_any(programme_problems(data, programme))
    with db.session.no_autoflush:
        _apply_programme(programme, data)
        changes = audit.pending_changes(programme)
    audit.record(programme, "updated", by, changes)


def programme_query(q: str = "", year: int | None = None) -> Select[tuple[Programme]]:
    query = select(Programme).order_by(Programme.year.desc(), Programme.code)
    if q:
        like = f"%{q}%"
        query = query.where(or_(Programme.name.ilike(like), Programme.code.ilike(like)))
    if year:
        query = query.where(Programme.year == year)
    return query


# --- batches -------------------------------------------------------------------------------------


@dataclass
class BatchData:
    number: int
    name: str
    start_date: date
    end_date: date


def batch_problems(programme: Programme, data: BatchData, batch: Batch | None) -> list[Problem]:
    """Every rule of a batch that `data` breaks; a check whose input is missing is skipped."""
    problems = []
    start, end = data.start_date, data.end_date
    if start and end and end < start:
        problems.append(Problem(_("Tanggal selesai tidak boleh sebelum tanggal mulai."), "end_date"))
    if data.number is not None:
        clash = select(Batch.id).where(Batch.programme_id == programme.id, Batch.number == data.number)
        if batch is not None:
            clash = clash.where(Batch.id != batch.id)
        if db.session.scalar(clash) is not None:
            problems.append(Problem(_("Angkatan %(n)s sudah ada di program ini.", n=data.number), "number"))
    if batch is not None and start and end:
        outside = [c.name for c in batch.classes if c.start_date < start or c.end_date > end]
        if outside:
            problems.append(
                Problem(
                    _(
                        "%(cls)s berada di luar rentang tanggal angkatan yang baru.",
                        cls=", ".join(with_word(_("Kelas"), name) for name in outside),
                    ),
                    "start_date",
                )
            )
    return problems


def create_batch(programme: Programme, data: BatchData, by: User | None) -> Batch:
    raise_if_any(batch_problems(programme, data, None))
    batch = Batch(
        programme=programme,
        number=data.number,
        name=data.name.strip(),
        start_date=data.start_date,
        end_date=data.end_date,
    )
    db.session.add(batch)
    audit.record(batch, "created", by)
    return batch


def update_batch(batch: Batch, data: BatchData, by: User | None) -> None:
    raise_if_any(batch_problems(batch.programme, data, batch))
    with db.session.no_autoflush:
        batch.number, batch.name = data.number, data.name.strip()
        batch.start_date, batch.end_date = data.start_date, data.end_date
        changes = audit.pending_changes(batch)
    audit.record(batch, "updated", by, changes)


def next_batch_number(programme: Programme) -> int:
    return (db.session.scalar(select(func.max(Batch.number)).where(Batch.programme_id == programme.id)) or 0) + 1


# --- classes -------------------------------------------------------------------------------------


@dataclass
class ClassData:
    name: str
    venue_name: str
    regency_code: str
    start_date: date
    end_date: date
    capacity: int
    venue_address: str | None = None
    registration_opens_at: datetime | None = None  # aware
    registration_closes_at: datetime | None = None  # aware
    quota_release_date: date | None = None
    provinces: dict[str, int | None] = field(default_factory=dict)  # province code → reserved seats
    type_quotas: dict[QuotaGroup, int] = field(default_factory=dict)
    facilitator_ids: list[int] = field(default_factory=list)
    approval_mode: ApprovalMode = ApprovalMode.MODERATED


@dataclass(frozen=True)
class SeatsTaken:
    """Seats held by approved registrations, in total and per province / library-type group."""

    total: int = 0
    by_province: dict[str, int] = field(default_factory=dict)
    by_group: dict[QuotaGroup, int] = field(default_factory=dict)


def seats_taken(training_class: TrainingClass) -> SeatsTaken:
    """Seats held by approved registrations, counted in SQL (call under a class lock when the
    answer decides a seat)."""
    if training_class.id is None:
        return SeatsTaken()
    return seats_taken_many([training_class.id]).get(training_class.id, SeatsTaken())


def seats_taken_many(class_ids: list[int]) -> dict[int, SeatsTaken]:
    """`seats_taken` for many classes in one statement (lists: one query, not one per row)."""
    from app.registration.models import Registration, RegistrationStatus

    if not class_ids:
        return {}
    rows = db.session.execute(
        select(Registration.class_id, Registration.province_code, Registration.quota_group, func.count())
        .where(Registration.class_id.in_(class_ids), Registration.status == RegistrationStatus.APPROVED)
        .group_by(Registration.class_id, Registration.province_code, Registration.quota_group)
    ).all()
    by_province: dict[int, dict[str, int]] = {}
    by_group: dict[int, dict[QuotaGroup, int]] = {}
    for class_id, province, group, count in rows:
        provinces, groups = by_province.setdefault(class_id, {}), by_group.setdefault(class_id, {})
        provinces[province] = provinces.get(province, 0) + count
        groups[group] = groups.get(group, 0) + count
    return {
        class_id: SeatsTaken(
            total=sum(by_province[class_id].values()), by_province=by_province[class_id], by_group=by_group[class_id]
        )
        for class_id in by_province
    }


def registration_count(training_class: TrainingClass) -> int:
    """All registrations of a class, whatever their status."""
    from app.registration.models import Registration

    return (
        db.session.scalar(
            select(func.count()).select_from(Registration).where(Registration.class_id == training_class.id)
        )
        or 0
    )


def _overlapping_classes(user_id: int, start: date, end: date, exclude_id: int | None) -> list[TrainingClass]:
    query = (
        select(TrainingClass)
        .join(class_facilitators, class_facilitators.c.class_id == TrainingClass.id)
        .where(
            class_facilitators.c.user_id == user_id,
            TrainingClass.status != ClassStatus.CANCELLED,
            TrainingClass.start_date <= end,
            TrainingClass.end_date >= start,
        )
    )
    if exclude_id is not None:
        query = query.where(TrainingClass.id != exclude_id)
    return list(db.session.scalars(query))


def facilitator_busy(user_id: int, start: date, end: date) -> bool:
    """Does this facilitator already teach a (not cancelled) class between these dates?"""
    return bool(_overlapping_classes(user_id, start, end, None))


@dataclass
class ClassCheck:
    """What the class checks look at. A form that could not parse a field passes None for it and
    the checks that need it are skipped, so the other rules still report in the same submit."""

    batch: Batch | None
    data: ClassData
    existing: TrainingClass | None
    regency: Regency | None
    facilitators: list[User]


def _check_dates_in_order(c: ClassCheck) -> Iterator[Problem]:
    if c.data.start_date and c.data.end_date and c.data.end_date < c.data.start_date:
        yield Problem(_("Tanggal selesai tidak boleh sebelum tanggal mulai."), "end_date")


def _check_dates_in_batch(c: ClassCheck) -> Iterator[Problem]:
    start, end, batch = c.data.start_date, c.data.end_date, c.batch
    if batch is None or start is None or end is None:
        return
    if start < batch.start_date or end > batch.end_date:
        yield Problem(
            _(
                "Tanggal kelas harus di dalam rentang angkatan (%(start)s – %(end)s).",
                start=format_date(batch.start_date),
                end=format_date(batch.end_date),
            ),
            "start_date",
        )


def _check_host_regency(c: ClassCheck) -> Iterator[Problem]:
    if c.regency is None:
        yield Problem(_("Kabupaten/kota tuan rumah tidak dikenal."), "regency_code")


def _check_capacity(c: ClassCheck) -> Iterator[Problem]:
    if c.data.capacity is not None and c.data.capacity < 1:
        yield Problem(_("Kapasitas minimal 1 peserta."), "capacity")


def _check_provinces(c: ClassCheck) -> Iterator[Problem]:
    provinces = c.data.provinces
    if not provinces:
        yield Problem(_("Pilih paling sedikit satu provinsi yang dilayani."), "provinces")
        return
    known = set(db.session.scalars(select(Province.code).where(Province.code.in_(list(provinces)))))
    unknown = sorted(set(provinces) - known)
    if unknown:
        yield Problem(_("Kode provinsi tidak dikenal: %(codes)s.", codes=", ".join(unknown)), "provinces")
    if any(seats is not None and seats < 0 for seats in provinces.values()):
        yield Problem(_("Kuota kursi tidak boleh negatif."), "provinces")


def _check_province_quota_fits(c: ClassCheck) -> Iterator[Problem]:
    total = sum(seats or 0 for seats in c.data.provinces.values())
    if c.data.capacity is not None and total > c.data.capacity:
        yield Problem(
            _("Jumlah kuota provinsi (%(sum)s) melebihi kapasitas kelas (%(cap)s).", sum=total, cap=c.data.capacity),
            "provinces",
        )


def _check_type_quota_fits(c: ClassCheck) -> Iterator[Problem]:
    seats = [n or 0 for n in c.data.type_quotas.values()]
    if any(n < 0 for n in seats):
        yield Problem(_("Kuota kursi tidak boleh negatif."), "type_quotas")
    if c.data.capacity is not None and sum(seats) > c.data.capacity:
        yield Problem(
            _(
                "Jumlah kuota jenis perpustakaan (%(sum)s) melebihi kapasitas kelas (%(cap)s).",
                sum=sum(seats),
                cap=c.data.capacity,
            ),
            "type_quotas",
        )


def _check_quota_release(c: ClassCheck) -> Iterator[Problem]:
    if c.data.quota_release_date and c.data.start_date and c.data.quota_release_date > c.data.start_date:
        yield Problem(_("Tanggal pelepasan kuota harus sebelum kelas dimulai."), "quota_release_date")


def _check_window_in_order(c: ClassCheck) -> Iterator[Problem]:
    opens, closes = c.data.registration_opens_at, c.data.registration_closes_at
    if opens and closes and closes <= opens:
        yield Problem(_("Pendaftaran harus ditutup setelah dibuka."), "registration_closes_at")


def _check_window_before_start(c: ClassCheck) -> Iterator[Problem]:
    closes = c.data.registration_closes_at
    if closes is None or c.regency is None or c.data.start_date is None:
        return  # the class's zone (from its host regency) decides when "the start" is
    class_starts = datetime.combine(c.data.start_date, time(0, 0), tzinfo=c.regency.province.zoneinfo)
    if closes > class_starts:
        yield Problem(_("Pendaftaran harus ditutup sebelum kelas dimulai."), "registration_closes_at")


def _check_capacity_holds_approved(c: ClassCheck) -> Iterator[Problem]:
    if c.existing is None or c.data.capacity is None:
        return
    taken = seats_taken(c.existing)
    if c.data.capacity < taken.total:
        yield Problem(
            _("Kapasitas tidak boleh kurang dari kursi yang sudah terisi (%(n)s).", n=taken.total), "capacity"
        )


def _check_facilitator_roles(c: ClassCheck) -> Iterator[Problem]:
    if len(c.facilitators) != len(set(c.data.facilitator_ids)):
        yield Problem(_("Fasilitator harus akun dengan peran fasilitator."), "facilitator_ids")


def _check_facilitators_free(c: ClassCheck) -> Iterator[Problem]:
    if c.data.start_date is None or c.data.end_date is None:
        return
    for person in c.facilitators:
        clashes = _overlapping_classes(
            person.id, c.data.start_date, c.data.end_date, c.existing.id if c.existing else None
        )
        if clashes:
            other = clashes[0]
            yield Problem(
                _(
                    "%(name)s sudah mengajar di %(cls)s (%(dates)s) pada tanggal yang tumpang tindih.",
                    name=person.full_name,
                    cls=other.name,
                    dates=format_date_range(other.start_date, other.end_date),
                ),
                "facilitator_ids",
            )


# Every rule of a class, in the order its messages should read; each one runs on every submit.
def _check_started_class_keeps_its_start(c: ClassCheck) -> Iterator[Problem]:
    """Once a class has begun its first day is history (attendance is kept per day, and the rules on
    cancelling and the waiting list follow the start): it cannot be moved. The end may still change."""
    existing, start = c.existing, c.data.start_date
    if existing is None or start is None or start == existing.start_date or not lifecycle.has_started(existing):
        return
    yield Problem(
        _("Kelas sudah dimulai %(d)s: tanggal mulai tidak dapat diubah lagi.", d=format_date(existing.start_date)),
        "start_date",
    )


CLASS_CHECKS: tuple[Callable[[ClassCheck], Iterable[Problem]], ...] = (
    _check_started_class_keeps_its_start,
    _check_dates_in_order,
    _check_dates_in_batch,
    _check_host_regency,
    _check_capacity,
    _check_provinces,
    _check_province_quota_fits,
    _check_type_quota_fits,
    _check_quota_release,
    _check_window_in_order,
    _check_window_before_start,
    _check_capacity_holds_approved,
    _check_facilitator_roles,
    _check_facilitators_free,
)


def _load_facilitators(ids: list[int]) -> list[User]:
    if not ids:
        return []
    return list(
        db.session.scalars(select(User).join(UserRole).where(User.id.in_(ids), UserRole.role == Role.FACILITATOR))
    )


def class_problems(batch: Batch | None, data: ClassData, existing: TrainingClass | None = None) -> list[Problem]:
    """Every planning rule `data` breaks, all of them (fields that could not be parsed are None and
    the checks that need them are skipped; an empty host regency is the form's to report)."""
    regency = db.session.get(Regency, data.regency_code) if data.regency_code else None
    check = ClassCheck(batch, data, existing, regency, _load_facilitators(data.facilitator_ids))
    checks = CLASS_CHECKS if data.regency_code else tuple(f for f in CLASS_CHECKS if f is not _check_host_regency)
    return [problem for rule in checks for problem in rule(check)]


def validate_class(batch: Batch, data: ClassData, existing: TrainingClass | None = None) -> list[User]:
    """Check every planning rule for a class; returns the facilitators, or raises ValidationFailed
    with every problem found."""
    raise_if_any(class_problems(batch, data, existing))
    return _load_facilitators(data.facilitator_ids)


def _apply_class(training_class: TrainingClass, data: ClassData, facilitators: list[User]) -> dict[str, list[Any]]:
    """Write `data` onto the class; returns the changes for the audit trail."""
    with db.session.no_autoflush:
        training_class.name = " ".join(data.name.split())
        training_class.venue_name = data.venue_name.strip()
        training_class.venue_address = (data.venue_address or "").strip() or None
        training_class.regency_code = data.regency_code
        training_class.start_date, training_class.end_date = data.start_date, data.end_date
        training_class.capacity = data.capacity
        training_class.registration_opens_at = data.registration_opens_at
        training_class.registration_closes_at = data.registration_closes_at
        training_class.quota_release_date = data.quota_release_date
        training_class.approval_mode = data.approval_mode
        changes = audit.pending_changes(training_class) if training_class.id else {}

        old_provinces = {p.province_code: p.seats for p in training_class.provinces}
        if old_provinces != data.provinces:
            changes["provinces"] = [_fmt_quota(old_provinces), _fmt_quota(data.provinces)]
        current = {p.province_code: p for p in training_class.provinces}
        for code in list(current):
            if code not in data.provinces:
                training_class.provinces.remove(current[code])
        for code, seats in data.provinces.items():
            if code in current:
                current[code].seats = seats
            else:
                training_class.provinces.append(ClassProvince(province_code=code, seats=seats))

        old_types = {q.group.value: q.seats for q in training_class.type_quotas}
        new_types = {g.value: s for g, s in data.type_quotas.items() if s}
        if old_types != new_types:
            changes["type_quotas"] = [_fmt_quota(old_types), _fmt_quota(new_types)]
        training_class.type_quotas = [ClassTypeQuota(group=QuotaGroup(g), seats=s) for g, s in new_types.items()]

        old_people = sorted(u.full_name for u in training_class.facilitators)
        new_people = sorted(u.full_name for u in facilitators)
        if old_people != new_people:
            changes["facilitators"] = [", ".join(old_people), ", ".join(new_people)]
        training_class.facilitators = facilitators
    return changes


def _fmt_quota(quota: dict[str, int | None]) -> str:
    return ", ".join(f"{k}:{v}" if v else k for k, v in sorted(quota.items()))


def create_class(batch: Batch, data: ClassData, by: User | None) -> TrainingClass:
    facilitators = validate_class(batch, data)
    training_class = TrainingClass(batch=batch, status=ClassStatus.DRAFT, recorded_status=ClassStatus.DRAFT)
    _apply_class(training_class, data, facilitators)
    db.session.add(training_class)
    audit.record(training_class, "created", by)
    return training_class


def update_class(training_class: TrainingClass, data: ClassData, by: User | None) -> None:
    facilitators = validate_class(training_class.batch, data, existing=training_class)
    changes = _apply_class(training_class, data, facilitators)
    audit.record(training_class, "updated", by, changes)


def class_data(training_class: TrainingClass) -> ClassData:
    """The class as form data (for editing and copying)."""
    return ClassData(
        name=training_class.name,
        venue_name=training_class.venue_name,
        venue_address=training_class.venue_address,
        regency_code=training_class.regency_code,
        start_date=training_class.start_date,
        end_date=training_class.end_date,
        capacity=training_class.capacity,
        registration_opens_at=training_class.registration_opens_at,
        registration_closes_at=training_class.registration_closes_at,
        quota_release_date=training_class.quota_release_date,
        provinces={p.province_code: p.seats for p in training_class.provinces},
        type_quotas={q.group: q.seats for q in training_class.type_quotas},
        facilitator_ids=[u.id for u in training_class.facilitators],
        approval_mode=training_class.approval_mode,
    )


def set_status(training_class: TrainingClass, status: ClassStatus, by: User | None) -> None:
    """An organiser publishes, opens or closes registration by hand, or cancels; running and finished
    follow the calendar (see lifecycle). Cancelling cancels the registrations and tells the people."""
    lifecycle.set_status(training_class, status, by)
    if status is ClassStatus.CANCELLED:
        from app.registration.services import cancel_class_registrations

        cancel_class_registrations(training_class, by)


def delete_class(training_class: TrainingClass, by: User | None) -> None:
    """Only a class nobody registered for can be deleted; others are cancelled instead."""
    if registration_count(training_class) > 0:
        raise ClassHasRegistrations()
    audit.record(training_class, "deleted", by, {"name": [training_class.name, None]})
    db.session.delete(training_class)


# --- agenda -------------------------------------------------------------------------------------


@dataclass
class AgendaData:
    day: date
    start_time: time
    end_time: time
    topic: str
    jp: int
    speaker: str | None = None


MINUTES_PER_JP = 45  # one jam pelajaran in government training


def _minutes(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def jp_that_fit(start: time, end: time) -> int:
    """How many whole JP of 45 minutes a session from `start` to `end` can hold."""
    return max(_minutes(start, end), 0) // MINUTES_PER_JP


def agenda_problems(training_class: TrainingClass, data: AgendaData) -> list[Problem]:
    """Every rule a new agenda session breaks; inputs the form could not parse are None and skipped."""
    problems = []
    if data.day is not None and not training_class.start_date <= data.day <= training_class.end_date:
        problems.append(Problem(_("Hari sesi harus di antara tanggal mulai dan selesai kelas."), "day"))
    times_known = data.start_time is not None and data.end_time is not None
    if times_known and data.end_time <= data.start_time:
        problems.append(Problem(_("Jam selesai harus setelah jam mulai."), "end_time"))
    elif times_known and data.jp is not None and data.jp > jp_that_fit(data.start_time, data.end_time):
        problems.append(
            Problem(
                _(
                    "Sesi %(start)s–%(end)s hanya memuat paling banyak %(fit)s JP (1 JP = 45 menit), bukan %(jp)s JP.",
                    start=format_time(data.start_time),
                    end=format_time(data.end_time),
                    fit=jp_that_fit(data.start_time, data.end_time),
                    jp=data.jp,
                ),
                "jp",
            )
        )
    if times_known and data.day is not None:
        for other in training_class.agenda:
            if other.day == data.day and other.start_time < data.end_time and data.start_time < other.end_time:
                problems.append(
                    Problem(
                        _(
                            "Sesi bertabrakan dengan %(topic)s (%(start)s–%(end)s).",
                            topic=other.topic,
                            start=format_time(other.start_time),
                            end=format_time(other.end_time),
                        ),
                        "start_time",
                    )
                )
    return problems


def agenda_warnings(data: AgendaData) -> list[str]:
    """Advice, not refusals: a session that could hold two or more JP more than it states. One JP
    less is normal (a coffee break inside the block), and 0 JP marks an opening or a break, so
    neither is flagged; the organiser may still mean it, so the session is saved anyway."""
    fit = jp_that_fit(data.start_time, data.end_time)
    if data.jp and fit - data.jp >= 2:
        return [
            _(
                "Sesi %(start)s–%(end)s (%(minutes)s menit) dapat memuat %(fit)s JP, tetapi diisi %(jp)s JP. "
                "Periksa kembali bila bukan karena istirahat.",
                start=format_time(data.start_time),
                end=format_time(data.end_time),
                minutes=_minutes(data.start_time, data.end_time),
                fit=fit,
                jp=data.jp,
            )
        ]
    return []


def add_agenda_session(training_class: TrainingClass, data: AgendaData, by: User | None) -> AgendaSession:
    """Add a session after every agenda rule has run; ValidationFailed lists all that failed."""
    raise_if_any(agenda_problems(training_class, data))
    session = AgendaSession(
        day=data.day,
        start_time=data.start_time,
        end_time=data.end_time,
        topic=data.topic.strip(),
        jp=data.jp,
        speaker=(data.speaker or "").strip() or None,
    )
    training_class.agenda.append(session)
    label = f"{format_date(data.day)} {format_time(data.start_time)} {session.topic}"
    audit.record(training_class, "agenda", by, {"agenda": [None, label]})
    return session


def remove_agenda_session(session: AgendaSession, by: User | None) -> None:
    training_class = session.training_class
    label = f"{format_date(session.day)} {format_time(session.start_time)} {session.topic}"
    audit.record(training_class, "agenda", by, {"agenda": [label, None]})
    training_class.agenda.remove(session)


# --- seats -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaLine:
    label: str
    reserved: int | None
    taken: int

    @property
    def left(self) -> int | None:
        return None if self.reserved is None else max(self.reserved - self.taken, 0)


@dataclass(frozen=True)
class SeatSummary:
    capacity: int
    taken: int
    provinces: list[QuotaLine]
    groups: list[QuotaLine]
    released: bool  # reserved seats have fallen back to the common pool

    @property
    def left(self) -> int:
        return max(self.capacity - self.taken, 0)


def seat_summary(
    training_class: TrainingClass, today: date | None = None, taken: SeatsTaken | None = None
) -> SeatSummary:
    taken = taken if taken is not None else seats_taken(training_class)
    today = today or clock.today(training_class.zoneinfo)
    released = bool(training_class.quota_release_date and today > training_class.quota_release_date)
    return SeatSummary(
        capacity=training_class.capacity,
        taken=taken.total,
        provinces=[
            QuotaLine(p.province.name, p.seats, taken.by_province.get(p.province_code, 0))
            for p in training_class.provinces
        ],
        groups=[QuotaLine(q.group.label, q.seats, taken.by_group.get(q.group, 0)) for q in training_class.type_quotas],
        released=released,
    )


def seat_summaries(classes: list[TrainingClass]) -> dict[int, SeatSummary]:
    """Seat summaries of a page of classes, with one counting statement."""
    taken = seats_taken_many([c.id for c in classes])
    return {c.id: seat_summary(c, taken=taken.get(c.id, SeatsTaken())) for c in classes}


# --- queries --------------------------------------------------------------------------------------


def schedule_query(
    *,
    programme_id: int | None = None,
    batch_id: int | None = None,
    province_code: str | None = None,
    status: ClassStatus | None = None,
    facilitator_id: int | None = None,
    statuses: Iterable[ClassStatus] | None = None,
    announced_only: bool = False,
) -> Select[tuple[TrainingClass]]:
    """Classes filtered for the timeline, the catalogue and the exports; date order."""
    query = (
        select(TrainingClass)
        .join(TrainingClass.batch)
        .options(
            selectinload(TrainingClass.batch).joinedload(Batch.programme),
            joinedload(TrainingClass.regency).joinedload(Regency.province),  # the zone of each class
        )
        .order_by(TrainingClass.start_date, TrainingClass.id)
    )
    if programme_id:
        query = query.where(Batch.programme_id == programme_id)
    if batch_id:
        query = query.where(TrainingClass.batch_id == batch_id)
    if province_code:
        query = query.where(TrainingClass.provinces.any(ClassProvince.province_code == province_code))
    if status:  # what the class is now, by the calendar (as shown on the pages)
        query = query.where(lifecycle.effective_status_sql() == status.value)
    if statuses is not None:
        query = query.where(TrainingClass.status.in_(list(statuses)))
    if facilitator_id:
        query = query.where(TrainingClass.facilitators.any(User.id == facilitator_id))
    if announced_only:
        query = query.where(TrainingClass.status != ClassStatus.DRAFT)
    return query


def classes_of_facilitator(user: User) -> list[TrainingClass]:
    return list(db.session.scalars(schedule_query(facilitator_id=user.id)))


def visible_to(training_class: TrainingClass, user: User) -> bool:
    """Organisers and admins see every class; facilitators their own; coordinators their province's
    once announced (a draft is the organisers' business)."""
    if user.has_role(*PLANNERS):
        return True
    if user.has_role(Role.FACILITATOR) and any(f.id == user.id for f in training_class.facilitators):
        return True
    if training_class.status is ClassStatus.DRAFT:
        return False
    province = user.coordinator_province_code
    return bool(province and (province in training_class.served_codes or training_class.province.code == province))


def facilitator_choices() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.FACILITATOR, User.active.is_(True))
            .order_by(User.full_name)
        )
    )
