"""Figures for the home pages of each role."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.auth.models import User, UserRole
from app.core.roles import Role
from app.extensions import db
from app.libraries.models import Library, LibraryStatus, LibraryType
from app.mail.models import OutboxMessage
from app.regions.models import Province, Regency
from app.registration.models import Registration, RegistrationStatus


def users_per_role() -> dict[Role, int]:
    rows = db.session.execute(select(UserRole.role, func.count()).group_by(UserRole.role))
    counts = dict.fromkeys(Role, 0)
    counts.update(dict(rows.tuples().all()))
    return counts


def admin_figures() -> dict[str, object]:
    return {
        "users": db.session.scalar(select(func.count()).select_from(User)),
        "per_role": users_per_role(),
        "mails": db.session.scalar(select(func.count()).select_from(OutboxMessage)),
    }


def library_counts(province_code: str | None = None) -> dict[LibraryStatus, int]:
    query = select(Library.status, func.count()).group_by(Library.status)
    if province_code:
        query = query.join(Library.regency).where(Regency.province_code == province_code)
    counts = dict.fromkeys(LibraryStatus, 0)
    counts.update(dict(db.session.execute(query).tuples().all()))
    return counts


@dataclass
class ProvinceFigures:
    province: Province
    regencies: int
    libraries_by_type: dict[LibraryType, int]
    libraries_by_status: dict[LibraryStatus, int]
    registrations_by_status: dict[RegistrationStatus, int]


def province_figures(province_code: str) -> ProvinceFigures | None:
    """What a provincial coordinator sees of their province (read-only)."""
    province = db.session.get(Province, province_code)
    if province is None:
        return None
    by_type = dict.fromkeys(LibraryType, 0)
    rows = db.session.execute(
        select(Library.type, func.count())
        .join(Library.regency)
        .where(Regency.province_code == province_code, Library.status == LibraryStatus.VERIFIED)
        .group_by(Library.type)
    )
    by_type.update(dict(rows.tuples().all()))
    return ProvinceFigures(
        province=province,
        regencies=db.session.scalar(
            select(func.count()).select_from(Regency).where(Regency.province_code == province_code)
        )
        or 0,
        libraries_by_type=by_type,
        libraries_by_status=library_counts(province_code),
        registrations_by_status=registration_counts(province_code),
    )


def registration_counts(province_code: str) -> dict[RegistrationStatus, int]:
    """Registrations from a province's libraries, by status (all programmes)."""
    counts = dict.fromkeys(RegistrationStatus, 0)
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.province_code == province_code)
        .group_by(Registration.status)
    )
    counts.update(dict(rows.tuples().all()))
    return counts
