"""Copying a programme or a batch to another year: every date moves by the same whole number of
weeks, so a class that met Monday–Thursday meets Monday–Thursday again (a plain change of year
would start the 2027 copy of a Monday class on a Saturday)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _

from app.audit import services as audit
from app.auth.models import User
from app.errors import ScheduleError
from app.extensions import db
from app.programmes import services, validation
from app.programmes.models import AgendaSession, Batch, ClassStatus, Programme


def shift_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def weekday_shift(reference: date, years: int) -> timedelta:
    """The whole number of weeks closest to `years` years after `reference` (364 or 371 days for
    one year): shifting by it keeps every weekday."""
    days = (shift_years(reference, years) - reference).days
    return timedelta(weeks=round(days / 7))


def _shift_moment(moment: datetime | None, shift: timedelta, tz: Any) -> datetime | None:
    """The same local time on the shifted local day (a registration window stays 08.00 WITA)."""
    if moment is None:
        return None
    local = moment.astimezone(tz)
    return datetime.combine(local.date() + shift, local.timetz())


@dataclass
class CopyResult:
    target: Any
    dropped_facilitators: list[str] = field(default_factory=list)


def _copy_batch_into(batch: Batch, programme: Programme, shift: timedelta, number: int, by: User | None) -> CopyResult:
    new_batch = services.create_batch(
        programme,
        services.BatchData(
            number=number, name=batch.name, start_date=batch.start_date + shift, end_date=batch.end_date + shift
        ),
        by,
    )
    result = CopyResult(new_batch)
    for source in batch.classes:
        if source.status is ClassStatus.CANCELLED:
            continue
        data = services.class_data(source)
        data.start_date, data.end_date = source.start_date + shift, source.end_date + shift
        data.registration_opens_at = _shift_moment(source.registration_opens_at, shift, source.zoneinfo)
        data.registration_closes_at = _shift_moment(source.registration_closes_at, shift, source.zoneinfo)
        data.quota_release_date = source.quota_release_date + shift if source.quota_release_date else None
        kept = []
        for user in source.facilitators:
            if validation.facilitator_busy(user.id, data.start_date, data.end_date):
                result.dropped_facilitators.append(f"{user.full_name} ({source.name})")
            else:
                kept.append(user.id)
        data.facilitator_ids = kept
        copy = services.create_class(new_batch, data, by)
        db.session.flush()
        copy.agenda = [
            AgendaSession(
                day=s.day + shift,
                start_time=s.start_time,
                end_time=s.end_time,
                topic=s.topic,
                speaker=s.speaker,
                jp=s.jp,
            )
            for s in source.agenda
        ]
    return result


def copy_programme(programme: Programme, year: int, by: User | None) -> CopyResult:
    """A draft copy of a programme in another year: batches, classes, agendas, every date moved by
    the same number of whole weeks (the one closest to the years between)."""
    years = year - programme.year
    if years == 0:
        raise ScheduleError(_("Pilih tahun yang berbeda dari program asal."), "year")
    copy = services.create_programme(
        services.ProgrammeData(
            code=programme.code,
            name=programme.name,
            year=year,
            jp_total=programme.jp_total,
            min_attendance_percent=programme.min_attendance_percent,
            description=programme.description,
            requires_letter=programme.requires_letter,
            present_statuses=list(programme.present_statuses or ["hadir", "terlambat"]),
        ),
        by,
    )
    result = CopyResult(copy)
    # One shift for the whole programme, so batches and classes keep their places in the plan.
    starts = [b.start_date for b in programme.batches]
    shift = weekday_shift(min(starts), years) if starts else timedelta(0)
    for batch in programme.batches:
        db.session.flush()
        result.dropped_facilitators += _copy_batch_into(batch, copy, shift, batch.number, by).dropped_facilitators
    audit.record(copy, "copied", by, {"source": [f"{programme.code} {programme.year}", None]})
    return result


def copy_batch(batch: Batch, target: Programme, by: User | None) -> CopyResult:
    """Copy one batch into a programme (usually next year's), moved by whole weeks."""
    shift = weekday_shift(batch.start_date, target.year - batch.programme.year)
    result = _copy_batch_into(batch, target, shift, services.next_batch_number(target), by)
    source = f"{batch.programme.code} {batch.programme.year} / {batch.name}"
    audit.record(result.target, "copied", by, {"source": [source, None]})
    return result
