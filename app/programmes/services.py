"""Planning rules: programmes, batches and classes, their status and the schedule's queries. A class's
validation is in programmes.validation, its agenda in programmes.agenda; what other domains must do
when a class changes (registration: cancel its registrations) they do on programmes.signals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from app.audit import services as audit
from app.auth.models import User, UserRole
from app.core.roles import PLANNERS, Role
from app.core.text import with_word
from app.errors import ClassHasRegistrations, Problem, raise_if_any
from app.extensions import db
from app.programmes import lifecycle, signals
from app.programmes.models import (
    Batch,
    ClassProvince,
    ClassStatus,
    ClassTypeQuota,
    Programme,
    ProgrammeStatus,
    QuotaGroup,
    TrainingClass,
)
from app.programmes.validation import ClassData, validate_class
from app.regions.models import Regency

# --- programmes --------------------------------------------------------------------------------


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


# --- batches -----------------------------------------------------------------------------------


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


# --- classes -----------------------------------------------------------------------------------


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


def _fmt_quota(quota: Mapping[str, int | None]) -> str:
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
    follow the calendar (see lifecycle). A cancellation is announced on signals.class_cancelled
    (registration cancels the class's registrations and tells the people)."""
    lifecycle.set_status(training_class, status, by)
    if status is ClassStatus.CANCELLED:
        signals.class_cancelled.send(training_class, by=by)


def delete_class(training_class: TrainingClass, by: User | None) -> None:
    """Only a class nobody registered for can be deleted (other domains count their records on
    signals.class_in_use); others are cancelled instead."""
    if any(count for _receiver, count in signals.class_in_use.send(training_class)):
        raise ClassHasRegistrations()
    audit.record(training_class, "deleted", by, {"name": [training_class.name, None]})
    db.session.delete(training_class)


# --- queries -----------------------------------------------------------------------------------


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


def visible_sql(user: User) -> ColumnElement[bool]:
    """`visible_to` as SQL over TrainingClass, for lists (the API's classes, programmes, batches)."""
    if user.has_role(*PLANNERS):
        return true()
    clauses = []
    if user.has_role(Role.FACILITATOR):
        clauses.append(TrainingClass.facilitators.any(User.id == user.id))
    province = user.coordinator_province_code
    if province:
        serves = or_(
            TrainingClass.provinces.any(ClassProvince.province_code == province),
            TrainingClass.regency.has(Regency.province_code == province),
        )
        clauses.append(and_(TrainingClass.status != ClassStatus.DRAFT, serves))
    return or_(*clauses) if clauses else false()


def facilitator_choices() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.FACILITATOR, User.active.is_(True))
            .order_by(User.full_name)
        )
    )
