"""Read-only certificate queries, one person at a time or a whole class in one statement each."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from app.certificates.models import Certificate, CertificateStatus
from app.extensions import db
from app.programmes.models import Batch, TrainingClass
from app.registration.models import NameCorrection, Registration, RegistrationStatus


def current_certificate(registration: Registration) -> Certificate | None:
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.registration_id == registration.id, Certificate.status == CertificateStatus.VALID)
        .order_by(Certificate.version.desc())
    )


def current_certificates(registration_ids: Iterable[int]) -> dict[int, Certificate]:
    """The valid certificate (the newest version) of each registration that has one."""
    ids = list(registration_ids)
    if not ids:
        return {}
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.registration_id.in_(ids), Certificate.status == CertificateStatus.VALID)
        .order_by(Certificate.version)
    )
    return {c.registration_id: c for c in certificates if c.registration_id is not None}  # newest wins


def pending_correction(registration: Registration) -> NameCorrection | None:
    return db.session.scalar(
        select(NameCorrection).where(
            NameCorrection.registration_id == registration.id, NameCorrection.status == "pending"
        )
    )


def pending_corrections(registration_ids: Iterable[int]) -> dict[int, NameCorrection]:
    """The name correction waiting for the organiser, by registration."""
    ids = list(registration_ids)
    if not ids:
        return {}
    corrections = db.session.scalars(
        select(NameCorrection).where(NameCorrection.registration_id.in_(ids), NameCorrection.status == "pending")
    )
    return {n.registration_id: n for n in corrections}


def class_with_programme(class_id: int) -> TrainingClass | None:
    """A class with its batch and programme (what its certificates print); nothing else eagerly."""
    return db.session.scalar(
        select(TrainingClass)
        .options(lazyload("*"), joinedload(TrainingClass.batch).joinedload(Batch.programme))
        .where(TrainingClass.id == class_id)
    )


def approved_of_class(c: TrainingClass) -> list[Registration]:
    """The approved people of a class with their library (the names on the class's certificates);
    their class is `c`, already in the session."""
    return list(
        db.session.scalars(
            select(Registration)
            .options(lazyload("*"), joinedload(Registration.library).lazyload("*"))
            .where(Registration.class_id == c.id, Registration.status == RegistrationStatus.APPROVED)
            .order_by(Registration.full_name, Registration.id)
        ).unique()
    )


def find_by_code(code: str) -> Certificate | None:
    """By the long code of the QR link or the short code typed from paper (dashes optional)."""
    code = code.strip()
    if len(code) == 43:
        return db.session.scalar(select(Certificate).where(Certificate.code == code))
    short = code.upper().replace(" ", "")
    if len(short) == 10:
        short = f"{short[:4]}-{short[4:8]}-{short[8:]}"
    return db.session.scalar(select(Certificate).where(Certificate.short_code == short))
