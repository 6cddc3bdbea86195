"""Named queries over registrations: a person's own, the organiser's filtered lists, likely duplicates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import User
from app.extensions import db
from app.libraries.models import Library
from app.programmes.models import Batch, ClassProvince, ClassStatus, ClassTypeQuota, TrainingClass, class_facilitators
from app.regions.models import Regency
from app.registration import identity
from app.registration.models import Registration, RegistrationStatus, nik_matches


def registrations_of(user: User, class_lists: bool = True) -> list[Registration]:
    """The person's registrations, newest first, with what "Pendaftaran saya" shows of each (class,
    programme, zone, facilitators to contact, library) loaded with them. Without `class_lists`, the
    classes' facilitators, served provinces and reserved seats are left unloaded (for
    load_class_lists: a page that needs them for only some classes)."""
    lists = (
        (
            selectinload(TrainingClass.facilitators),  # whom to ask (contact_of)
            selectinload(TrainingClass.provinces),  # the quotas a waiting person is told about
            selectinload(TrainingClass.type_quotas),
        )
        if class_lists
        else _CLASS_LISTS_NOT_SHOWN
    )
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.user_id == user.id)
            .options(
                joinedload(Registration.library).joinedload(Library.regency),
                joinedload(Registration.training_class).options(
                    joinedload(TrainingClass.batch).joinedload(Batch.programme),
                    joinedload(TrainingClass.regency).joinedload(Regency.province),
                    *lists,
                ),
            )
            .order_by(Registration.created_at.desc())
        )
    )


def load_class_lists(classes: Iterable[TrainingClass], *, quotas: bool = False, facilitators: bool = False) -> None:
    """Load, for these classes, their served provinces and reserved seats (`quotas`: what a seat
    decision reads) and their facilitators, with one statement per list whatever the number of classes,
    and none when there is no class."""
    wanted = {c.id: c for c in classes}
    if not wanted:
        return
    if quotas:  # ordered as the relationships are
        provinces: dict[int, list[ClassProvince]] = {class_id: [] for class_id in wanted}
        for served in db.session.scalars(
            select(ClassProvince).where(ClassProvince.class_id.in_(wanted)).order_by(ClassProvince.province_code)
        ):
            provinces[served.class_id].append(served)
        groups: dict[int, list[ClassTypeQuota]] = {class_id: [] for class_id in wanted}
        for quota in db.session.scalars(
            select(ClassTypeQuota).where(ClassTypeQuota.class_id.in_(wanted)).order_by(ClassTypeQuota.group)
        ):
            groups[quota.class_id].append(quota)
        for class_id, c in wanted.items():
            set_committed_value(c, "provinces", provinces[class_id])
            set_committed_value(c, "type_quotas", groups[class_id])
    if facilitators:
        people: dict[int, list[User]] = {class_id: [] for class_id in wanted}
        for class_id, person in db.session.execute(
            select(class_facilitators.c.class_id, User)
            .join(User, User.id == class_facilitators.c.user_id)
            .where(class_facilitators.c.class_id.in_(wanted))
            .order_by(User.full_name)
        ).tuples():
            people[class_id].append(person)
        for class_id, found_people in people.items():
            set_committed_value(wanted[class_id], "facilitators", found_people)


# A class's collections a registrations list does not show, left unloaded whatever the model's defaults.
_CLASS_LISTS_NOT_SHOWN = (
    lazyload(TrainingClass.provinces),
    lazyload(TrainingClass.type_quotas),
    lazyload(TrainingClass.facilitators),
)


def class_for_registrations(class_id: int) -> TrainingClass | None:
    """A class for its registrations page: programme, host zone and quotas (the seat figures) loaded."""
    return db.session.scalar(
        select(TrainingClass)
        .where(TrainingClass.id == class_id)
        .options(
            joinedload(TrainingClass.batch).joinedload(Batch.programme),
            joinedload(TrainingClass.regency).joinedload(Regency.province),
            selectinload(TrainingClass.provinces).joinedload(ClassProvince.province),
            selectinload(TrainingClass.type_quotas),
            lazyload(TrainingClass.facilitators),
        )
    )


def class_for_registering(class_id: int) -> TrainingClass | None:
    """A class for its registration form, with one statement: programme (whether it asks for a
    letter), the provinces it serves with their names (the form's choices, the seat summary), the
    reserved seats by library group (the seat summary, and the seat decision of a submit) and the
    host city (the mail of a submit)."""
    return (
        db.session.execute(
            select(TrainingClass)
            .where(TrainingClass.id == class_id)
            .options(
                joinedload(TrainingClass.batch).joinedload(Batch.programme),
                joinedload(TrainingClass.provinces).joinedload(ClassProvince.province),
                joinedload(TrainingClass.type_quotas),
                joinedload(TrainingClass.regency),  # the venue's city in the mail a submit sends
                lazyload(TrainingClass.facilitators),
            )
        )
        .unique()
        .scalar_one_or_none()
    )


def move_targets(programme_id: int) -> list[TrainingClass]:
    """Classes of the programme a registration may be moved to (announced, neither cancelled nor
    finished), in the programme's order, with one statement."""
    classes = db.session.scalars(
        select(TrainingClass)
        .join(TrainingClass.batch)
        .where(Batch.programme_id == programme_id)
        .options(joinedload(TrainingClass.regency).joinedload(Regency.province), *_CLASS_LISTS_NOT_SHOWN)
        .order_by(Batch.number, TrainingClass.start_date, TrainingClass.id)
    )
    closed = (ClassStatus.CANCELLED, ClassStatus.FINISHED, ClassStatus.DRAFT)
    return [c for c in classes if c.state not in closed]


def registration_query(
    *,
    class_id: int | None = None,
    programme_id: int | None = None,
    province_code: str | None = None,
    regency_code: str | None = None,
    library_type: str | None = None,
    status: RegistrationStatus | None = None,
    has_letter: bool | None = None,
    q: str = "",
) -> Select[tuple[Registration]]:
    """Registrations for the organiser's lists, in queue order, with what each row shows (library and
    its regency, the class and its zone) loaded in the same statement."""
    query = (
        select(Registration)
        .join(Registration.library)
        .options(
            contains_eager(Registration.library).joinedload(Library.regency),
            joinedload(Registration.training_class).options(
                joinedload(TrainingClass.regency).joinedload(Regency.province), *_CLASS_LISTS_NOT_SHOWN
            ),
        )
        .order_by(Registration.created_at, Registration.id)
    )
    if class_id:
        query = query.where(Registration.class_id == class_id)
    if programme_id:
        query = query.where(Registration.programme_id == programme_id)
    if province_code:
        query = query.where(Registration.province_code == province_code)
    if regency_code:
        query = query.where(Library.regency_code == regency_code)
    if library_type:
        query = query.where(Library.type == library_type)
    if status:
        query = query.where(Registration.status == status)
    if has_letter is not None:
        query = query.where(Registration.letter_path.is_not(None) if has_letter else Registration.letter_path.is_(None))
    if q and re.fullmatch(r"[0-9]{16}", identity.clean_number(q)):
        # A whole NIK: found through its keyed hash (the column is encrypted; no partial match).
        query = query.where(nik_matches(identity.clean_number(q)))
    elif q:
        like = f"%{q}%"
        query = query.where(
            Registration.full_name.ilike(like) | Registration.email.ilike(like) | Library.name.ilike(like)
        )
    return query


@dataclass(frozen=True)
class DuplicateGroup:
    reason: str
    registrations: list[Registration]


def likely_duplicates(programme_id: int) -> list[DuplicateGroup]:
    """Same NIK more than once, or the same name and birth date under different NIKs."""
    groups: list[DuplicateGroup] = []
    same_nik = (
        db.session.execute(  # equal NIKs have equal keyed hashes (the NIKs are encrypted)
            select(Registration.nik_hash)
            .where(Registration.programme_id == programme_id, Registration.nik_hash.is_not(None))
            .group_by(Registration.nik_hash)
            .having(func.count() > 1)
        )
        .scalars()
        .all()
    )
    for nik_hash in same_nik:
        rows = db.session.scalars(
            select(Registration)
            .where(Registration.programme_id == programme_id, Registration.nik_hash == nik_hash)
            .order_by(Registration.created_at)
        ).all()
        groups.append(DuplicateGroup(_("NIK sama"), list(rows)))
    name_key = func.lower(Registration.full_name)
    same_person = db.session.execute(
        select(name_key, Registration.birth_date)
        .where(Registration.programme_id == programme_id)
        .group_by(name_key, Registration.birth_date)
        .having(func.count(func.distinct(Registration.nik_hash)) > 1)
    ).all()
    for name, born in same_person:
        rows = db.session.scalars(
            select(Registration)
            .where(Registration.programme_id == programme_id, name_key == name, Registration.birth_date == born)
            .order_by(Registration.created_at)
        ).all()
        groups.append(DuplicateGroup(_("Nama dan tanggal lahir sama"), list(rows)))
    return groups
