"""Planning rules: programmes, batches and classes, their quotas, agendas, status and copies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from app import clock
from app.audit import services as audit
from app.auth.models import Role, User, UserRole
from app.core.formatting import format_date, format_date_range, format_time
from app.core.text import with_word
from app.errors import ClassHasRegistrations, InvalidTransition, ScheduleError
from app.extensions import db
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


def _check_programme_unique(code: str, year: int, programme: Programme | None) -> None:
    query = select(Programme.id).where(func.upper(Programme.code) == code.upper(), Programme.year == year)
    if programme is not None and programme.id is not None:
        query = query.where(Programme.id != programme.id)
    if db.session.scalar(query) is not None:
        raise ScheduleError(_("Program %(code)s tahun %(year)s sudah ada.", code=code, year=year), "code")


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
    _check_programme_unique(data.code, data.year, None)
    programme = Programme()
    _apply_programme(programme, data)
    db.session.add(programme)
    audit.record(programme, "created", by)
    return programme


def update_programme(programme: Programme, data: ProgrammeData, by: User | None) -> None:
    _check_programme_unique(data.code, data.year, programme)
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


def _check_batch(programme: Programme, data: BatchData, batch: Batch | None) -> None:
    if data.end_date < data.start_date:
        raise ScheduleError(_("Tanggal selesai tidak boleh sebelum tanggal mulai."), "end_date")
    clash = select(Batch.id).where(Batch.programme_id == programme.id, Batch.number == data.number)
    if batch is not None:
        clash = clash.where(Batch.id != batch.id)
    if db.session.scalar(clash) is not None:
        raise ScheduleError(_("Angkatan %(n)s sudah ada di program ini.", n=data.number), "number")
    if batch is not None:
        outside = [c for c in batch.classes if c.start_date < data.start_date or c.end_date > data.end_date]
        if outside:
            raise ScheduleError(
                _("%(cls)s berada di luar rentang tanggal angkatan yang baru.",
                  cls=with_word(_("Kelas"), outside[0].name)),
                "start_date",
            )


def create_batch(programme: Programme, data: BatchData, by: User | None) -> Batch:
    _check_batch(programme, data, None)
    batch = Batch(programme=programme, number=data.number, name=data.name.strip(),
                  start_date=data.start_date, end_date=data.end_date)
    db.session.add(batch)
    audit.record(batch, "created", by)
    return batch


def update_batch(batch: Batch, data: BatchData, by: User | None) -> None:
    _check_batch(batch.programme, data, batch)
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
    from app.registration.models import Registration, RegistrationStatus

    if training_class.id is None:
        return SeatsTaken()
    rows = db.session.execute(
        select(Registration.province_code, Registration.quota_group, func.count())
        .where(Registration.class_id == training_class.id, Registration.status == RegistrationStatus.APPROVED)
        .group_by(Registration.province_code, Registration.quota_group)
    ).all()
    by_province: dict[str, int] = {}
    by_group: dict[QuotaGroup, int] = {}
    for province, group, count in rows:
        by_province[province] = by_province.get(province, 0) + count
        by_group[group] = by_group.get(group, 0) + count
    return SeatsTaken(total=sum(by_province.values()), by_province=by_province, by_group=by_group)


def registration_count(training_class: TrainingClass) -> int:
    """All registrations of a class, whatever their status."""
    from app.registration.models import Registration

    return db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.class_id == training_class.id)
    ) or 0


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


def validate_class(batch: Batch, data: ClassData, existing: TrainingClass | None = None) -> list[User]:
    """Check every planning rule for a class; returns the facilitators, or raises ScheduleError."""
    if data.end_date < data.start_date:
        raise ScheduleError(_("Tanggal selesai tidak boleh sebelum tanggal mulai."), "end_date")
    if data.start_date < batch.start_date or data.end_date > batch.end_date:
        raise ScheduleError(
            _("Tanggal kelas harus di dalam rentang angkatan (%(start)s – %(end)s).",
              start=format_date(batch.start_date), end=format_date(batch.end_date)),
            "start_date",
        )
    regency = db.session.get(Regency, data.regency_code)
    if regency is None:
        raise ScheduleError(_("Kabupaten/kota tuan rumah tidak dikenal."), "regency_code")
    if data.capacity < 1:
        raise ScheduleError(_("Kapasitas minimal 1 peserta."), "capacity")

    if not data.provinces:
        raise ScheduleError(_("Pilih paling sedikit satu provinsi yang dilayani."), "provinces")
    known = set(db.session.scalars(select(Province.code).where(Province.code.in_(list(data.provinces)))))
    unknown = sorted(set(data.provinces) - known)
    if unknown:
        raise ScheduleError(_("Kode provinsi tidak dikenal: %(codes)s.", codes=", ".join(unknown)), "provinces")
    if any(seats is not None and seats < 0 for seats in data.provinces.values()):
        raise ScheduleError(_("Kuota kursi tidak boleh negatif."), "provinces")
    province_sum = sum(seats or 0 for seats in data.provinces.values())
    if province_sum > data.capacity:
        raise ScheduleError(
            _("Jumlah kuota provinsi (%(sum)s) melebihi kapasitas kelas (%(cap)s).",
              sum=province_sum, cap=data.capacity),
            "provinces",
        )
    if any(seats < 0 for seats in data.type_quotas.values()):
        raise ScheduleError(_("Kuota kursi tidak boleh negatif."), "type_quotas")
    type_sum = sum(data.type_quotas.values())
    if type_sum > data.capacity:
        raise ScheduleError(
            _("Jumlah kuota jenis perpustakaan (%(sum)s) melebihi kapasitas kelas (%(cap)s).",
              sum=type_sum, cap=data.capacity),
            "type_quotas",
        )
    if data.quota_release_date and data.quota_release_date > data.start_date:
        raise ScheduleError(_("Tanggal pelepasan kuota harus sebelum kelas dimulai."), "quota_release_date")

    opens, closes = data.registration_opens_at, data.registration_closes_at
    if opens and closes and closes <= opens:
        raise ScheduleError(_("Pendaftaran harus ditutup setelah dibuka."), "registration_closes_at")
    class_starts = datetime.combine(data.start_date, time(0, 0), tzinfo=regency.province.zoneinfo)
    if closes and closes > class_starts:
        raise ScheduleError(_("Pendaftaran harus ditutup sebelum kelas dimulai."), "registration_closes_at")

    if existing is not None:
        taken = seats_taken(existing)
        if data.capacity < taken.total:
            raise ScheduleError(
                _("Kapasitas tidak boleh kurang dari kursi yang sudah terisi (%(n)s).", n=taken.total), "capacity"
            )

    facilitators = list(
        db.session.scalars(
            select(User).join(UserRole).where(User.id.in_(data.facilitator_ids), UserRole.role == Role.FACILITATOR)
        )
    )
    if len(facilitators) != len(set(data.facilitator_ids)):
        raise ScheduleError(_("Fasilitator harus akun dengan peran fasilitator."), "facilitator_ids")
    for person in facilitators:
        clashes = _overlapping_classes(person.id, data.start_date, data.end_date, existing.id if existing else None)
        if clashes:
            other = clashes[0]
            raise ScheduleError(
                _("%(name)s sudah mengajar di %(cls)s (%(dates)s) pada tanggal yang tumpang tindih.",
                  name=person.full_name, cls=other.name, dates=format_date_range(other.start_date, other.end_date)),
                "facilitator_ids",
            )
    return facilitators


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
    training_class = TrainingClass(batch=batch, status=ClassStatus.DRAFT)
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


TRANSITIONS: dict[ClassStatus, set[ClassStatus]] = {
    ClassStatus.DRAFT: {ClassStatus.PUBLISHED, ClassStatus.CANCELLED},
    ClassStatus.PUBLISHED: {ClassStatus.DRAFT, ClassStatus.REGISTRATION_OPEN, ClassStatus.CANCELLED},
    ClassStatus.REGISTRATION_OPEN: {ClassStatus.REGISTRATION_CLOSED, ClassStatus.CANCELLED},
    ClassStatus.REGISTRATION_CLOSED: {ClassStatus.REGISTRATION_OPEN, ClassStatus.RUNNING, ClassStatus.CANCELLED},
    ClassStatus.RUNNING: {ClassStatus.FINISHED},
    ClassStatus.FINISHED: set(),
    ClassStatus.CANCELLED: set(),
}


def set_status(training_class: TrainingClass, status: ClassStatus, by: User | None) -> None:
    """Move a class along draft → published → registration open/closed → running → finished."""
    if status not in TRANSITIONS[training_class.status]:
        raise InvalidTransition(
            _("Status %(old)s tidak dapat diubah menjadi %(new)s.", old=training_class.status.label, new=status.label)
        )
    if status is ClassStatus.REGISTRATION_OPEN and not (
        training_class.registration_opens_at and training_class.registration_closes_at
    ):
        raise InvalidTransition(_("Isi jadwal pendaftaran (dibuka dan ditutup) sebelum membuka pendaftaran."))
    old = training_class.status
    training_class.status = status
    audit.record(training_class, "status", by, {"status": [old.value, status.value]})
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


def add_agenda_session(training_class: TrainingClass, data: AgendaData, by: User | None) -> AgendaSession:
    if not training_class.start_date <= data.day <= training_class.end_date:
        raise ScheduleError(_("Hari sesi harus di antara tanggal mulai dan selesai kelas."), "day")
    if data.end_time <= data.start_time:
        raise ScheduleError(_("Jam selesai harus setelah jam mulai."), "end_time")
    for other in training_class.agenda:
        if other.day == data.day and other.start_time < data.end_time and data.start_time < other.end_time:
            raise ScheduleError(
                _("Sesi bertabrakan dengan %(topic)s (%(start)s–%(end)s).", topic=other.topic,
                  start=format_time(other.start_time), end=format_time(other.end_time)),
                "start_time",
            )
    session = AgendaSession(
        day=data.day, start_time=data.start_time, end_time=data.end_time, topic=data.topic.strip(),
        jp=data.jp, speaker=(data.speaker or "").strip() or None,
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


def seat_summary(training_class: TrainingClass, today: date | None = None) -> SeatSummary:
    taken = seats_taken(training_class)
    today = today or clock.today()
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


# --- copying to a new year ---------------------------------------------------------------------


def shift_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _shift_moment(moment: datetime | None, years: int, training_class: TrainingClass) -> datetime | None:
    if moment is None:
        return None
    local = moment.astimezone(training_class.zoneinfo)
    return datetime.combine(shift_years(local.date(), years), local.timetz())


@dataclass
class CopyResult:
    target: Any
    dropped_facilitators: list[str] = field(default_factory=list)


def _copy_batch_into(batch: Batch, programme: Programme, years: int, number: int, by: User | None) -> CopyResult:
    new_batch = create_batch(
        programme,
        BatchData(number=number, name=batch.name, start_date=shift_years(batch.start_date, years),
                  end_date=shift_years(batch.end_date, years)),
        by,
    )
    result = CopyResult(new_batch)
    for source in batch.classes:
        if source.status is ClassStatus.CANCELLED:
            continue
        data = class_data(source)
        data.start_date, data.end_date = shift_years(source.start_date, years), shift_years(source.end_date, years)
        data.registration_opens_at = _shift_moment(source.registration_opens_at, years, source)
        data.registration_closes_at = _shift_moment(source.registration_closes_at, years, source)
        data.quota_release_date = shift_years(source.quota_release_date, years) if source.quota_release_date else None
        kept = []
        for user in source.facilitators:
            if _overlapping_classes(user.id, data.start_date, data.end_date, None):
                result.dropped_facilitators.append(f"{user.full_name} ({source.name})")
            else:
                kept.append(user.id)
        data.facilitator_ids = kept
        copy = create_class(new_batch, data, by)
        db.session.flush()
        copy.agenda = [
            AgendaSession(day=shift_years(s.day, years), start_time=s.start_time, end_time=s.end_time,
                          topic=s.topic, speaker=s.speaker, jp=s.jp)
            for s in source.agenda
        ]
    return result


def copy_programme(programme: Programme, year: int, by: User | None) -> CopyResult:
    """A draft copy of a programme in another year: batches, classes, agendas, dates shifted."""
    years = year - programme.year
    if years == 0:
        raise ScheduleError(_("Pilih tahun yang berbeda dari program asal."), "year")
    copy = create_programme(
        ProgrammeData(code=programme.code, name=programme.name, year=year, jp_total=programme.jp_total,
                      min_attendance_percent=programme.min_attendance_percent, description=programme.description,
                      requires_letter=programme.requires_letter,
                      present_statuses=list(programme.present_statuses or ["hadir", "terlambat"])),
        by,
    )
    result = CopyResult(copy)
    for batch in programme.batches:
        db.session.flush()
        result.dropped_facilitators += _copy_batch_into(batch, copy, years, batch.number, by).dropped_facilitators
    audit.record(copy, "copied", by, {"source": [f"{programme.code} {programme.year}", None]})
    return result


def copy_batch(batch: Batch, target: Programme, by: User | None) -> CopyResult:
    """Copy one batch into a programme (usually next year's), dates shifted by the years between."""
    years = target.year - batch.programme.year
    result = _copy_batch_into(batch, target, years, next_batch_number(target), by)
    source = f"{batch.programme.code} {batch.programme.year} / {batch.name}"
    audit.record(result.target, "copied", by, {"source": [source, None]})
    return result


# --- queries --------------------------------------------------------------------------------------


def schedule_query(
    *,
    programme_id: int | None = None,
    batch_id: int | None = None,
    province_code: str | None = None,
    status: ClassStatus | None = None,
    facilitator_id: int | None = None,
    statuses: Iterable[ClassStatus] | None = None,
) -> Select[tuple[TrainingClass]]:
    """Classes filtered for the timeline, the catalogue and the exports; date order."""
    query = (
        select(TrainingClass)
        .join(TrainingClass.batch)
        .options(selectinload(TrainingClass.batch).joinedload(Batch.programme))
        .order_by(TrainingClass.start_date, TrainingClass.id)
    )
    if programme_id:
        query = query.where(Batch.programme_id == programme_id)
    if batch_id:
        query = query.where(TrainingClass.batch_id == batch_id)
    if province_code:
        query = query.where(
            TrainingClass.provinces.any(ClassProvince.province_code == province_code)
        )
    if status:
        query = query.where(TrainingClass.status == status)
    if statuses is not None:
        query = query.where(TrainingClass.status.in_(list(statuses)))
    if facilitator_id:
        query = query.where(TrainingClass.facilitators.any(User.id == facilitator_id))
    return query


def classes_of_facilitator(user: User) -> list[TrainingClass]:
    return list(db.session.scalars(schedule_query(facilitator_id=user.id)))


def visible_to(training_class: TrainingClass, user: User) -> bool:
    """Organisers and admins see every class; facilitators their own; coordinators their province's."""
    if user.has_role(Role.ADMIN, Role.ORGANISER):
        return True
    if user.has_role(Role.FACILITATOR) and any(f.id == user.id for f in training_class.facilitators):
        return True
    province = user.coordinator_province_code
    return bool(province and (province in training_class.served_codes or training_class.province.code == province))


def facilitator_choices() -> list[User]:
    return list(
        db.session.scalars(
            select(User).join(UserRole).where(UserRole.role == Role.FACILITATOR, User.active.is_(True))
            .order_by(User.full_name)
        )
    )
