"""Whose personal data a staff member may read, in one place: every list, report, export and PDF of
people asks `people_scope` and filters with `scoped`; a person's own records and letters, `is_own`
and `may_read_letter`.

Organisers and admins read everyone; a facilitator reads the people of the classes they teach (they
mark them); a provincial coordinator reads only the people of their own province, even in a class
that also serves another province (the Bali + NTB class: the NTB coordinator sees the NTB half)."""

from __future__ import annotations

from sqlalchemy import Select, false

from app.auth.models import User
from app.core.roles import PLANNERS, Role
from app.programmes.models import TrainingClass
from app.registration.models import NikClaim, Registration

EVERYONE = "*"


def people_scope(user: User, training_class: TrainingClass | None = None) -> str | None:
    """EVERYONE, a province code, or None (nobody)."""
    if user.has_role(*PLANNERS):
        return EVERYONE
    if (
        training_class is not None
        and user.has_role(Role.FACILITATOR)
        and any(f.id == user.id for f in training_class.facilitators)
    ):
        return EVERYONE
    return user.coordinator_province_code if user.has_role(Role.COORDINATOR) else None


def scoped(query: Select, user: User, training_class: TrainingClass | None = None) -> Select:
    """`query` over Registration narrowed to the people `user` may read."""
    scope = people_scope(user, training_class)
    if scope == EVERYONE:
        return query
    if scope is None:
        return query.where(false())
    return query.where(Registration.province_code == scope)


def may_export_full_nik(user: User) -> bool:
    """Only organisers and admins may tick "Sertakan NIK lengkap" on an export; coordinators and
    facilitators never get a full NIK."""
    return user.has_role(*PLANNERS)


def is_own(record: Registration | NikClaim, user: User) -> bool:
    """The person's own registration or NIK claim; someone else's does not exist for them (a 404)."""
    return record.user_id == user.id


def may_read_letter(record: Registration | NikClaim, user: User) -> bool:
    """A letter sent with a registration or a NIK claim: for the person who sent it and the organisers."""
    return is_own(record, user) or user.has_role(*PLANNERS)
