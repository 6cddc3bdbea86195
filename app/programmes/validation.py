"""Class validation: every planning rule of a class, each a named check, all reported at once.
Rules that need other domains' figures (registration: the capacity holds the approved seats) are
contributed through programmes.signals.checking_class."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User, UserRole
from app.core.formatting import format_date, format_date_range
from app.core.roles import Role
from app.errors import Problem, raise_if_any
from app.extensions import db
from app.programmes import lifecycle, signals
from app.programmes.models import ApprovalMode, Batch, ClassStatus, QuotaGroup, TrainingClass, class_facilitators
from app.regions.models import Province, Regency


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


def _checks_of_other_domains(c: ClassCheck) -> Iterator[Problem]:
    """The rules other domains hold on a class, which planning does not import (see signals)."""
    for _receiver, problems in signals.checking_class.send(c):
        yield from problems or ()


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


# Every rule of a class, in the order its messages should read; each one runs on every submit.
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
    _checks_of_other_domains,  # e.g. registration: the capacity holds the approved seats
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
