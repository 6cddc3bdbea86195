"""Named queries of the attendance reports: the approved people of one class or of many, with their
library and its province (every report shows or groups by them)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.libraries.models import Library, LibraryType
from app.regions.models import Province, Regency
from app.registration.models import Registration, RegistrationStatus

# A person's library, its regency and province: the class reports show the library and its province.
PERSON_LIBRARY = joinedload(Registration.library).joinedload(Library.regency).joinedload(Regency.province)


class ReportPerson(NamedTuple):
    """What the programme report counts of an approved person (no personal data is loaded)."""

    registration_id: int
    class_id: int
    province_code: str  # the registration's (a coordinator's scope)
    library_province: str  # the name of the library's province (the report's group)
    library_type: LibraryType


def approved_people_by_class(class_ids: list[int]) -> dict[int, list[ReportPerson]]:
    """The approved people of many classes, by class id, in one statement of plain columns (a
    programme has thousands: entities, with their encrypted columns, would cost far more)."""
    people: dict[int, list[ReportPerson]] = {class_id: [] for class_id in class_ids}
    if not class_ids:
        return people
    rows = db.session.execute(
        select(
            Registration.id,
            Registration.class_id,
            Registration.province_code,
            Province.name,
            Library.type,
        )
        .join(Registration.library)
        .join(Library.regency)
        .join(Regency.province)
        .where(Registration.class_id.in_(class_ids), Registration.status == RegistrationStatus.APPROVED)
        .order_by(Registration.class_id, Registration.full_name, Registration.id)
    )
    for row in rows:
        people[row[1]].append(ReportPerson(*row))
    return people
