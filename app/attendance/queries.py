"""Named queries of the attendance reports: the approved people of one class or of many, with their
library and its province loaded (every report shows or groups by them)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.libraries.models import Library
from app.regions.models import Regency
from app.registration.models import Registration, RegistrationStatus

# A person's library, its regency and province: the reports show the library and group by province.
PERSON_LIBRARY = joinedload(Registration.library).joinedload(Library.regency).joinedload(Regency.province)


def approved_by_class(class_ids: list[int]) -> dict[int, list[Registration]]:
    """The approved people of many classes, by class id (by name within a class), in one statement."""
    people: dict[int, list[Registration]] = {class_id: [] for class_id in class_ids}
    if not class_ids:
        return people
    rows = db.session.scalars(
        select(Registration)
        .where(Registration.class_id.in_(class_ids), Registration.status == RegistrationStatus.APPROVED)
        .options(PERSON_LIBRARY)
        .order_by(Registration.class_id, Registration.full_name, Registration.id)
    )
    for registration in rows:
        people[registration.class_id].append(registration)
    return people
