"""Named queries of the planning pages (schedule, programme, class) and the catalogue, each with the
relations its page shows loaded up front: a page runs the same few statements for 5 classes or 500."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.strategy_options import _AbstractLoad

from app.extensions import db
from app.programmes.models import Batch, ClassProvince, Programme, TrainingClass
from app.programmes.services import schedule_query
from app.regions.models import Regency

# The host regency and its province: every time of a class is shown in that province's zone.
CLASS_PLACE = joinedload(TrainingClass.regency).joinedload(Regency.province)
# The provinces a class serves and its facilitators, as every list of classes shows them.
CLASS_PEOPLE: tuple[_AbstractLoad, ...] = (
    selectinload(TrainingClass.provinces).joinedload(ClassProvince.province),
    selectinload(TrainingClass.facilitators),
)
# A row of classes: programme and batch, host place, served provinces and facilitators.
CLASS_ROW: tuple[_AbstractLoad, ...] = (
    joinedload(TrainingClass.batch).joinedload(Batch.programme),
    CLASS_PLACE,
    *CLASS_PEOPLE,
)


def class_query(class_id: int) -> Select[tuple[TrainingClass]]:
    """One class with everything its pages show: place, seats, facilitators, agenda."""
    return (
        select(TrainingClass)
        .where(TrainingClass.id == class_id)
        .options(*CLASS_ROW, selectinload(TrainingClass.type_quotas), selectinload(TrainingClass.agenda))
    )


def get_class(class_id: int) -> TrainingClass | None:
    return db.session.scalar(class_query(class_id))


def get_class_row(class_id: int) -> TrainingClass | None:
    """One class with what a row of classes shows (no seats, no agenda): for the attendance pages."""
    return db.session.scalar(select(TrainingClass).where(TrainingClass.id == class_id).options(*CLASS_ROW))


def schedule_page_query(**filters: Any) -> Select[tuple[TrainingClass]]:
    """`schedule_query` (programme, batch and place loaded) for a page that lists classes with their
    provinces and facilitators."""
    return schedule_query(**filters).options(*CLASS_PEOPLE)


def calendar_query(**filters: Any) -> Select[tuple[TrainingClass]]:
    """`schedule_page_query` with each class's agenda, for the calendar export (one event per session)."""
    return schedule_page_query(**filters).options(selectinload(TrainingClass.agenda))


def catalogue_query(**filters: Any) -> Select[tuple[TrainingClass]]:
    """`schedule_query` for the public catalogue: each class with its seats."""
    return schedule_query(**filters).options(*CLASS_PEOPLE, selectinload(TrainingClass.type_quotas))


def get_programme_with_classes(programme_id: int) -> Programme | None:
    """A programme, its batches and their classes (each with its row's relations)."""
    return db.session.scalar(
        select(Programme)
        .where(Programme.id == programme_id)
        .options(selectinload(Programme.batches).selectinload(Batch.classes).options(CLASS_PLACE, *CLASS_PEOPLE))
    )


def programme_classes(programme_id: int, batch_id: int | None = None) -> list[TrainingClass]:
    """The classes of a programme, or of one of its batches, in date order, with their row's relations."""
    query = (
        select(TrainingClass)
        .join(TrainingClass.batch)
        .where(Batch.programme_id == programme_id)
        .options(*CLASS_ROW)
        .order_by(Batch.number, TrainingClass.start_date, TrainingClass.id)
    )
    if batch_id:
        query = query.where(TrainingClass.batch_id == batch_id)
    return list(db.session.scalars(query))
