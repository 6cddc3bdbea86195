"""Training hours (JP, 45 minutes each) per person and calendar year, across programmes.

The rule chosen: a person **completed** a class when the registration holds a **valid certificate**
(`CertificateStatus.VALID`: issued, neither revoked nor superseded; one per registration, a re-issued
version replaces the old). The certificate is what states the programme's JP (`Programme.jp_total`) and
what a civil servant shows for the 20 JP a year; attendance eligibility alone is not counted, because
an organiser may still refuse or override it (app/certificates/issuing.py decides). A completion falls
in the calendar year of the class's last day. A person is their NIK (its keyed hash), or their account
when a registration has no NIK hash: the same NIK registered by an organiser and by the person counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, String, and_, cast, func, literal, or_, select

from app import clock
from app.auth.models import User
from app.certificates.models import Certificate, CertificateStatus
from app.extensions import db
from app.programmes.models import Batch, Programme, TrainingClass
from app.regions.models import Province
from app.registration.models import Registration

JP_TARGET = 20  # what a civil servant (ASN) needs a year


def person_key() -> ColumnElement[str]:
    """The person a registration belongs to: the NIK's hash, else the account."""
    return func.coalesce(Registration.nik_hash, literal("akun-") + cast(Registration.user_id, String))


def completions() -> Select:
    """Registrations with a valid certificate, joined to their class and programme (no columns chosen)."""
    return (
        select()
        .select_from(Registration)
        .join(
            Certificate,
            and_(Certificate.registration_id == Registration.id, Certificate.status == CertificateStatus.VALID),
        )
        .join(TrainingClass, Registration.class_id == TrainingClass.id)
        .join(Batch, TrainingClass.batch_id == Batch.id)
        .join(Programme, Batch.programme_id == Programme.id)
    )


def in_year(year: int) -> ColumnElement[bool]:
    return TrainingClass.end_date.between(date(year, 1, 1), date(year, 12, 31))


def latest_year(province_code: str | None = None) -> int:
    """The latest year, up to this one, in which someone (of the province) completed a class: where the
    JP page opens, rather than on an empty current year."""
    today = clock.today()
    query = completions().add_columns(func.max(TrainingClass.end_date)).where(TrainingClass.end_date <= today)
    if province_code:
        query = query.where(Registration.province_code == province_code)
    last = db.session.scalar(query)
    return last.year if last else today.year


@dataclass(frozen=True)
class PersonHours:
    key: str
    name: str
    province_code: str
    province_name: str
    jp: int
    classes: int
    registration_id: int  # the latest, whose NIK the list shows (masked)

    @property
    def meets_target(self) -> bool:
        return self.jp >= JP_TARGET


def people_query(year: int, province_code: str | None = None, q: str = "") -> Select:
    """One row per person with their JP in `year` (GROUP BY in SQL), by name; `province_code` holds the
    list to the registrations of that province (a coordinator's scope)."""
    key = person_key()
    query = (
        completions()
        .add_columns(
            key.label("key"),
            func.max(Registration.full_name).label("name"),
            func.max(Registration.province_code).label("province_code"),
            func.sum(Programme.jp_total).label("jp"),
            func.count(Registration.id).label("classes"),
            func.max(Registration.id).label("registration_id"),
        )
        .where(in_year(year))
        .group_by(key)
        .order_by(func.max(Registration.full_name), key)
    )
    if province_code:
        query = query.where(Registration.province_code == province_code)
    if q:
        query = query.having(func.lower(func.max(Registration.full_name)).contains(q.lower(), autoescape=True))
    return query


def rows_of(rows: list, provinces: dict[str, str]) -> list[PersonHours]:
    return [
        PersonHours(
            r.key, r.name, r.province_code, provinces.get(r.province_code, ""), int(r.jp), r.classes, r.registration_id
        )
        for r in rows
    ]


def province_names() -> dict[str, str]:
    return dict(db.session.execute(select(Province.code, Province.name)).tuples().all())


def niks_of(registration_ids: list[int]) -> dict[int, str | None]:
    """The NIKs of a page's people, in one statement (masked by whoever shows them)."""
    if not registration_ids:
        return {}
    rows = db.session.execute(select(Registration.id, Registration.nik).where(Registration.id.in_(registration_ids)))
    return dict(rows.tuples().all())


@dataclass(frozen=True)
class YearHours:
    year: int
    jp: int
    target: int = JP_TARGET

    @property
    def meets_target(self) -> bool:
        return self.jp >= self.target


def _own(user: User) -> ColumnElement[bool]:
    """Registrations on the user's account, and any under the NIKs they registered with (an organiser
    may have nominated them without an account)."""
    own_niks = select(Registration.nik_hash).where(Registration.user_id == user.id, Registration.nik_hash.is_not(None))
    return or_(Registration.user_id == user.id, Registration.nik_hash.in_(own_niks))


def hours_of(user: User, year: int | None = None) -> YearHours:
    """The user's JP this year (or `year`). One statement."""
    year = year or clock.today().year
    total = db.session.scalar(
        completions().add_columns(func.coalesce(func.sum(Programme.jp_total), 0)).where(in_year(year), _own(user))
    )
    return YearHours(year=year, jp=int(total or 0))


def hours_by_year(user: User) -> list[YearHours]:
    """The user's JP in every year with a completion, latest first (one GROUP BY)."""
    year = func.extract("year", TrainingClass.end_date)
    rows = db.session.execute(
        completions()
        .add_columns(year, func.sum(Programme.jp_total))
        .where(_own(user))
        .group_by(year)
        .order_by(year.desc())
    )
    return [YearHours(year=int(y), jp=int(jp or 0)) for y, jp in rows.tuples()]
