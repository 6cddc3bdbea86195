"""The programme report PDF (issue #14): what the dashboard's figures leave out — each class with its
host city, dates, attendance and certificates — and the filters written out in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.attendance import queries as attendance_queries
from app.attendance import services as attendance
from app.certificates.models import Certificate, CertificateStatus
from app.core.formatting import format_date
from app.extensions import db
from app.libraries.models import Library
from app.programmes.models import Programme, TrainingClass
from app.regions.models import Regency
from app.registration.models import Registration, RegistrationStatus
from app.reports.figures import ClassFill, Filters


@dataclass
class ClassLine:
    """One class of the report; people counted are the approved ones within the filters."""

    class_id: int
    name: str
    batch_name: str
    city: str
    start: date
    end: date
    approved: int = 0
    present_days: int = 0
    total_days: int = 0
    marked: int = 0  # person-days with a status: none yet, the rate means nothing
    issued: int = 0

    @property
    def attendance_percent(self) -> float:
        return 100 * self.present_days / self.total_days if self.total_days else 0.0


def _cities(class_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(TrainingClass.id, Regency.name).join(Regency).where(TrainingClass.id.in_(class_ids))
    ).tuples()
    return dict(rows.all())


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
    cities = _cities(class_ids)
    lines = {}
    for f in fills:
        c = loaded[f.class_id]
        lines[c.id] = ClassLine(c.id, f.name, f.batch_name, cities.get(c.id, ""), c.start_date, c.end_date)
    marks = attendance.current_marks(class_ids)
    people = attendance_queries.approved_people_by_class(class_ids)
    for class_id, line in lines.items():
        days = attendance.class_days(loaded[class_id])
        for person in people[class_id]:
            if filters.province_code and person.province_code != filters.province_code:
                continue
            if filters.library_type is not None and person.library_type is not filters.library_type:
                continue
            statuses = {d: attendance.status_of(marks, person.registration_id, d) for d in days}
            result = attendance.eligibility(programme, days, statuses)
            line.approved += 1
            line.present_days += result.present
            line.total_days += result.total
            line.marked += sum(1 for status in statuses.values() if status is not None)
    for class_id, n in _issued_by_class(programme, filters, class_ids).items():
        lines[class_id].issued = n
    return list(lines.values())


def filters_in_words(programme: Programme, filters: Filters, province_names: dict[str, str]) -> list[tuple[str, str]]:
    """(name, value) of each filter applied, for the report's title block."""
    words: list[tuple[str, str]] = []
    if filters.batch_id is not None:
        batch = next((b.name for b in programme.batches if b.id == filters.batch_id), str(filters.batch_id))
        words.append((_("Angkatan"), batch))
    if filters.province_code:
        words.append((_("Provinsi"), province_names.get(filters.province_code, filters.province_code)))
    if filters.library_type is not None:
        words.append((_("Jenis perpustakaan"), str(filters.library_type.label)))
    if filters.start and filters.end:
        words.append(
            (
                _("Kelas mulai"),
                _("%(start)s s.d. %(end)s", start=format_date(filters.start), end=format_date(filters.end)),
            )
        )
    elif filters.start:
        words.append((_("Kelas mulai"), _("sejak %(day)s", day=format_date(filters.start))))
    elif filters.end:
        words.append((_("Kelas mulai"), _("sampai %(day)s", day=format_date(filters.end))))
    return words
