"""Coverage: which verified libraries have had trained staff, per province and regency, and which none yet.

A library is **reached** when at least one of its approved people completed a class: the registration
holds a valid certificate (the rule of app/reports/training_hours.py), in the chosen programme or in any.
Everything is counted in SQL (GROUP BY province, regency, programme); the "not yet reached" list is the
organiser's plan for next year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, case, func, select

from app.extensions import db
from app.libraries.models import Library, LibraryStatus, LibraryType
from app.programmes.models import Programme, ProgrammeStatus
from app.regions.models import Province, Regency
from app.registration.models import Registration, RegistrationStatus
from app.reports.training_hours import completions


@dataclass(frozen=True)
class Filters:
    programme_id: int | None = None  # None: all programmes
    province_code: str | None = None
    library_type: LibraryType | None = None
    regency_code: str | None = None  # the "not yet reached" list of one regency/city


def reached_libraries(programme_id: int | None = None) -> Select:
    """Ids of the libraries with at least one approved person who completed (a subquery)."""
    query = (
        completions()
        .add_columns(Registration.library_id)
        .where(Registration.status == RegistrationStatus.APPROVED)
        .distinct()
    )
    if programme_id:
        query = query.where(Programme.id == programme_id)
    return query


def _verified(filters: Filters) -> list[ColumnElement[bool]]:
    where = [Library.status == LibraryStatus.VERIFIED]
    if filters.province_code:
        where.append(Regency.province_code == filters.province_code)
    if filters.library_type:
        where.append(Library.type == filters.library_type)
    if filters.regency_code:
        where.append(Library.regency_code == filters.regency_code)
    return where


def _reached_flag(filters: Filters) -> ColumnElement[int]:
    return case((Library.id.in_(reached_libraries(filters.programme_id)), 1), else_=0)


@dataclass
class AreaRow:
    code: str
    name: str
    province_name: str
    libraries: int
    reached: int
    by_programme: dict[int, int] = field(default_factory=dict)

    @property
    def not_reached(self) -> int:
        return self.libraries - self.reached

    @property
    def percent(self) -> float:
        return 100 * self.reached / self.libraries if self.libraries else 0.0


def province_rows(filters: Filters) -> list[AreaRow]:
    """Per province: verified libraries and those reached (one statement)."""
    rows = db.session.execute(
        select(Province.code, Province.name, func.count(Library.id), func.sum(_reached_flag(filters)))
        .select_from(Library)
        .join(Regency, Library.regency_code == Regency.code)
        .join(Province, Regency.province_code == Province.code)
        .where(*_verified(filters))
        .group_by(Province.code, Province.name)
        .order_by(Province.code)
    )
    return [AreaRow(code, name, name, total, int(reached or 0)) for code, name, total, reached in rows]


def regency_query(filters: Filters) -> Select:
    """Per regency/city (by province): verified libraries and those reached, as rows to page through."""
    return (
        select(
            Regency.code.label("code"),
            Regency.name.label("name"),
            Province.name.label("province_name"),
            func.count(Library.id).label("libraries"),
            func.sum(_reached_flag(filters)).label("reached"),
        )
        .select_from(Library)
        .join(Regency, Library.regency_code == Regency.code)
        .join(Province, Regency.province_code == Province.code)
        .where(*_verified(filters))
        .group_by(Regency.code, Regency.name, Province.name)
        .order_by(Regency.code)
    )


def regency_rows(rows: Sequence, filters: Filters, per_programme: bool) -> list[AreaRow]:
    """A page of `regency_query` rows, with libraries reached per programme (one more statement)."""
    result = [AreaRow(r.code, r.name, r.province_name, r.libraries, int(r.reached or 0)) for r in rows]
    if per_programme and result:
        by_code = {row.code: row for row in result}
        counts = db.session.execute(
            completions()
            .add_columns(Library.regency_code, Programme.id, func.count(func.distinct(Library.id)))
            .join(Library, Registration.library_id == Library.id)
            .where(
                Registration.status == RegistrationStatus.APPROVED,
                Library.regency_code.in_(list(by_code)),
                *_verified(Filters(library_type=filters.library_type)),
            )
            .group_by(Library.regency_code, Programme.id)
        )
        for regency_code, programme_id, n in counts:
            by_code[regency_code].by_programme[programme_id] = n
    return result


def not_reached_query(filters: Filters) -> Select:
    """Verified libraries with no trained staff yet (in the programme, or in any), by region and name."""
    return (
        select(Library.id, Library.name, Library.type, Regency.name.label("regency"), Province.name.label("province"))
        .join(Regency, Library.regency_code == Regency.code)
        .join(Province, Regency.province_code == Province.code)
        .where(*_verified(filters), Library.id.not_in(reached_libraries(filters.programme_id)))
        .order_by(Province.code, Regency.code, Library.name, Library.id)
    )


def programmes(include_drafts: bool = True) -> list[Programme]:
    """The programmes to choose from; coordinators do not see drafts."""
    query = select(Programme).order_by(Programme.year.desc(), Programme.name)
    if not include_drafts:
        query = query.where(Programme.status != ProgrammeStatus.DRAFT)
    return list(db.session.scalars(query))
