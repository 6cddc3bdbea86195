"""Retention (UU PDP): people whose class ended more than PII_RETENTION_DAYS ago are anonymised.

What identifies or describes the person goes: NIK (and its hash), NIP, birth place and date,
position, email, WhatsApp, data warnings, decision notes, the assignment letter, attendance notes
and name-correction requests. What the figures are made of stays: the registration row with its
class, status, library, province, quota group, gender and employment status, and the attendance
marks. The name stays on a registration that holds a certificate (the certificate keeps its own
frozen holder name, so the public verification page still says valid, with the name); elsewhere it
becomes PURGED_NAME. Already purged rows are skipped, so running it again changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import delete, func, select, update

from app import clock
from app.attendance.models import AttendanceMark
from app.audit import services as audit
from app.audit.models import AuditEntry
from app.auth.models import User
from app.certificates.models import Certificate
from app.extensions import db
from app.programmes.models import TrainingClass
from app.registration import uploads
from app.registration.models import NameCorrection, Registration

PURGED_NAME = "(dihapus)"  # stored: the name of a purged person who holds no certificate
BATCH = 500

# What a purged registration keeps of its personal columns (NOT NULL columns become empty).
ANONYMOUS: dict[str, Any] = {
    "nik": None,
    "nik_hash": None,
    "nip": None,
    "birth_place": "",
    "birth_date": None,
    "position": "",
    "email": "",
    "whatsapp": "",
    "data_warnings": [],
    "decision_reason": None,
    "letter_path": None,
    "letter_mimetype": None,
}


@dataclass
class PurgeResult:
    cutoff: date  # classes that ended before this day
    registrations: int = 0
    names_removed: int = 0  # the rest keep their name: they hold a certificate
    attendance_notes: int = 0
    name_corrections: int = 0
    classes: set[int] = field(default_factory=set)
    letters: list[str] = field(default_factory=list)  # files to remove once the purge is committed

    def counts(self) -> dict[str, int]:
        return {
            "registrations": self.registrations,
            "names_removed": self.names_removed,
            "letters": len(self.letters),
            "attendance_notes": self.attendance_notes,
            "name_corrections": self.name_corrections,
            "classes": len(self.classes),
        }


def cutoff_date(today: date | None = None) -> date:
    """Classes that ended before this day are past the retention period."""
    return (today or clock.today()) - timedelta(days=current_app.config["PII_RETENTION_DAYS"])


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def purge(*, dry_run: bool = False, by: User | None = None, today: date | None = None) -> PurgeResult:
    """Anonymise everyone past the retention period (or, with `dry_run`, only count them); flushes,
    records one audit entry with the counts, and leaves the commit and the letter files to the
    caller (remove_letters after the commit)."""
    result = PurgeResult(cutoff=cutoff_date(today))
    due = list(
        db.session.execute(
            select(Registration.id, Registration.class_id)
            .join(TrainingClass, TrainingClass.id == Registration.class_id)
            .where(Registration.purged_at.is_(None), TrainingClass.end_date < result.cutoff)
            .order_by(Registration.id)
        ).tuples()
    )
    result.registrations = len(due)
    result.classes = {class_id for _id, class_id in due}
    now = clock.now()
    for ids in _chunks([registration_id for registration_id, _class_id in due]):
        holders = set(
            db.session.scalars(select(Certificate.registration_id).where(Certificate.registration_id.in_(ids)))
        )
        nameless = [i for i in ids if i not in holders]
        result.names_removed += len(nameless)
        result.letters += db.session.scalars(
            select(Registration.letter_path).where(Registration.id.in_(ids), Registration.letter_path.is_not(None))
        )
        noted = (AttendanceMark.registration_id.in_(ids), AttendanceMark.note.is_not(None), AttendanceMark.note != "")
        result.attendance_notes += (
            db.session.scalar(select(func.count()).select_from(AttendanceMark).where(*noted)) or 0
        )
        result.name_corrections += (
            db.session.scalar(
                select(func.count()).select_from(NameCorrection).where(NameCorrection.registration_id.in_(ids))
            )
            or 0
        )
        if dry_run:
            continue
        bulk = {"synchronize_session": False}
        db.session.execute(
            update(Registration)
            .where(Registration.id.in_(ids))
            .values(**ANONYMOUS, purged_at=now)
            .execution_options(**bulk)
        )
        if nameless:
            db.session.execute(
                update(Registration)
                .where(Registration.id.in_(nameless))
                .values(full_name=PURGED_NAME)
                .execution_options(**bulk)
            )
            _scrub_audit(nameless)
        # "" and not NULL: a NULL note means "leave the earlier note", "" clears it.
        db.session.execute(update(AttendanceMark).where(*noted).values(note="").execution_options(**bulk))
        db.session.execute(
            delete(NameCorrection).where(NameCorrection.registration_id.in_(ids)).execution_options(**bulk)
        )
    if not dry_run:
        db.session.flush()
        db.session.expire_all()  # objects loaded before the bulk updates read their new values
        audit.record_event(
            "registrations",
            "purged",
            by,
            {"cutoff": [None, result.cutoff.isoformat()], **{name: [None, n] for name, n in result.counts().items()}},
        )
    return result


def _scrub_audit(registration_ids: list[int]) -> None:
    """Names recorded in the audit trail of registrations whose name is removed."""
    entries = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == Registration.__tablename__, AuditEntry.object_id.in_(registration_ids)
        )
    )
    for entry in entries:
        if "full_name" in entry.changes:
            entry.changes = {**entry.changes, "full_name": [None, PURGED_NAME]}


def checkpoint() -> None:
    """SQLite: move the write-ahead log into the database and empty it, so the pages from before
    the purge are gone from the files too (deleted content is zeroed: secure_delete)."""
    if db.engine.dialect.name != "sqlite":
        return
    db.session.remove()
    with db.engine.connect() as connection:  # outside a transaction, as SQLite requires
        sqlite_connection = cast(sqlite3.Connection, connection.connection.driver_connection)
        sqlite_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def remove_letters(result: PurgeResult) -> None:
    """Delete the purged people's letter files (after the commit: a rolled-back purge keeps them)."""
    for name in result.letters:
        uploads.remove_letter(name)
