"""Seats of a class: counted in SQL from the approved registrations (never kept as a counter),
decided under a lock on the class (a row lock on PostgreSQL; on SQLite every transaction is BEGIN
IMMEDIATE) whose hold time is logged, summarised for the pages, and the reason someone waits for one.

A self-registration's seat is decided by `decide_seat` after its row is committed: the rule runs in
Python on a count read without the lock, and on PostgreSQL one call of the database function
`sibimtek_decide_seat` takes the class lock, checks that the approved seats are still what was
counted and writes the decision, then commits before it answers (the lock is held for
milliseconds inside PostgreSQL, not for a request's round trips; a changed count is counted again)."""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import Connection, and_, bindparam, event, func, select, text
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.errors import Problem
from app.extensions import UTCDateTime, db
from app.programmes import lifecycle
from app.programmes.models import QuotaGroup, TrainingClass
from app.programmes.validation import ClassCheck
from app.registration.models import Registration, RegistrationStatus


@dataclass(frozen=True)
class SeatsTaken:
    """Seats held by approved registrations, in total and per province / library-type group."""

    total: int = 0
    by_province: dict[str, int] = field(default_factory=dict)
    by_group: dict[QuotaGroup, int] = field(default_factory=dict)


def seats_taken(training_class: TrainingClass) -> SeatsTaken:
    """Seats held by approved registrations, counted in SQL (call under a class lock when the
    answer decides a seat)."""
    if training_class.id is None:
        return SeatsTaken()
    return seats_taken_many([training_class.id]).get(training_class.id, SeatsTaken())


def _approved_rows(
    class_ids: Sequence[int], connection: Connection | None = None
) -> list[tuple[int, str, QuotaGroup, int]]:
    """(class, province, library group, approved registrations) for the classes, one statement."""
    query = (
        select(Registration.class_id, Registration.province_code, Registration.quota_group, func.count())
        .where(Registration.class_id.in_(class_ids), Registration.status == RegistrationStatus.APPROVED)
        .group_by(Registration.class_id, Registration.province_code, Registration.quota_group)
    )
    return [
        (class_id, province, group, n) for class_id, province, group, n in (connection or db.session).execute(query)
    ]


def _summed(rows: list[tuple[int, str, QuotaGroup, int]]) -> dict[int, SeatsTaken]:
    by_province: dict[int, dict[str, int]] = {}
    by_group: dict[int, dict[QuotaGroup, int]] = {}
    for class_id, province, group, count in rows:
        provinces, groups = by_province.setdefault(class_id, {}), by_group.setdefault(class_id, {})
        provinces[province] = provinces.get(province, 0) + count
        groups[group] = groups.get(group, 0) + count
    return {
        class_id: SeatsTaken(
            total=sum(by_province[class_id].values()), by_province=by_province[class_id], by_group=by_group[class_id]
        )
        for class_id in by_province
    }


def seats_taken_many(class_ids: list[int]) -> dict[int, SeatsTaken]:
    """`seats_taken` for many classes in one statement (lists: one query, not one per row)."""
    return _summed(_approved_rows(class_ids)) if class_ids else {}


def registration_count(training_class: TrainingClass) -> int:
    """All registrations of a class, whatever their status."""
    from app.registration.models import Registration

    return (
        db.session.scalar(
            select(func.count()).select_from(Registration).where(Registration.class_id == training_class.id)
        )
        or 0
    )


log = logging.getLogger(__name__)

_LOCKS_TAKEN = "class_locks_taken"  # key in the session's info: {class id: perf_counter() when locked}
LOCK_HELD_MESSAGE = "seat lock on class %s held %.1f ms"  # bench/rush.py reads these lines
# sibimtek_decide_seat's call: held (measured in PostgreSQL, to the decision written; its commit
# follows at once), the whole call as this process saw it, and the wait for the lock within it.
DECISION_MESSAGE = LOCK_HELD_MESSAGE + " (decision call %.1f ms, %.1f ms of it waiting for the lock)"


def lock_class(training_class: TrainingClass) -> None:
    """Serialise seat decisions for one class until the transaction ends; how long it was held is
    logged when it ends (every registration of a rush waits that long for each one before it)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(TrainingClass.id).where(TrainingClass.id == training_class.id).with_for_update())
    db.session.info.setdefault(_LOCKS_TAKEN, {}).setdefault(training_class.id, time.perf_counter())


@event.listens_for(Session, "after_transaction_end")
def _log_lock_hold(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended (commit or rollback): its class locks are released now."""
    if transaction.parent is not None or transaction.nested:
        return
    taken = session.info.pop(_LOCKS_TAKEN, None)
    if taken:
        ended = time.perf_counter()
        for class_id, since in taken.items():
            log.info(LOCK_HELD_MESSAGE, class_id, (ended - since) * 1000)


def _fits(capacity: int, reserved: dict[str, int], taken: dict[str, int], key: str) -> bool:
    """A seat for `key`: one of its own reserved seats, or one of the common pool."""
    if taken.get(key, 0) < reserved.get(key, 0):
        return True
    held = sum(max(seats, taken.get(k, 0)) for k, seats in reserved.items())
    outside = sum(n for k, n in taken.items() if k not in reserved)
    return capacity - held - outside > 0


class Shortage(enum.StrEnum):
    """Why there is no seat for someone: what the waiting-list mail and the organiser are told."""

    CLASS_FULL = "class_full"
    PROVINCE_FULL = "province_full"  # the seats left are reserved for other provinces
    GROUP_FULL = "group_full"  # the seats left are reserved for other library types


def seat_shortage(
    training_class: TrainingClass,
    province_code: str,
    group: QuotaGroup,
    today: date | None = None,
    taken: SeatsTaken | None = None,
) -> Shortage | None:
    """None when there is a seat for someone from this province and library group, else why not.
    Call under lock_class() when the answer decides a seat (then without `taken`: counted now)."""
    taken = taken if taken is not None else seats_taken(training_class)
    if taken.total >= training_class.capacity:
        return Shortage.CLASS_FULL
    today = today or clock.today(training_class.zoneinfo)
    if training_class.quota_release_date and today > training_class.quota_release_date:
        return None  # reserved seats have fallen back into the common pool
    by_province = {p.province_code: p.seats for p in training_class.provinces if p.seats}
    by_group = {q.group.value: q.seats for q in training_class.type_quotas if q.seats}
    if not _fits(training_class.capacity, by_province, taken.by_province, province_code):
        return Shortage.PROVINCE_FULL
    if not _fits(training_class.capacity, by_group, {g.value: n for g, n in taken.by_group.items()}, group.value):
        return Shortage.GROUP_FULL
    return None


def load_quotas(training_class: TrainingClass) -> None:
    """Load the class's reserved seats (what seat_shortage reads besides the count), so that a seat
    decided under the lock fetches nothing but the count."""
    for rules in (training_class.provinces, training_class.type_quotas):
        len(rules)  # a lazy relationship loads when first used


def has_seat(training_class: TrainingClass, province_code: str, group: QuotaGroup, today: date | None = None) -> bool:
    """Is there a seat for someone from this province and library group? Call under lock_class()."""
    return seat_shortage(training_class, province_code, group, today) is None


# The seat decision inside PostgreSQL (created by migration 0018; a test compares the two): the class
# row locked, the approved seats compared with what the caller counted (a signature, see
# _signature), the registration given the caller's decision when they match. Called in autocommit,
# so the lock ends with the call. Returns the outcome ('decided'; 'recount' when the seats changed;
# 'gone' when the registration is no longer undecided in this class), how long the lock was held
# until the decision was written, and how long the call waited for it.
DECIDE_SEAT_SQL = """
CREATE OR REPLACE FUNCTION sibimtek_decide_seat(
    p_class integer, p_registration integer, p_seats text, p_status varchar, p_decided_at timestamp
) RETURNS TABLE (outcome text, held_ms double precision, waited_ms double precision)
LANGUAGE plpgsql AS $$
DECLARE
    called_at timestamptz := clock_timestamp();
    locked_at timestamptz;
    seats text;
BEGIN
    PERFORM 1 FROM classes WHERE id = p_class FOR UPDATE;
    locked_at := clock_timestamp();
    SELECT coalesce(string_agg(s.province_code || '/' || s.quota_group || '=' || s.n, ','
                               ORDER BY s.province_code COLLATE "C", s.quota_group COLLATE "C"), '')
      INTO seats
      FROM (SELECT r.province_code, r.quota_group, count(*) AS n
              FROM registrations AS r
             WHERE r.class_id = p_class AND r.status = 'approved'
             GROUP BY r.province_code, r.quota_group) AS s;
    IF seats IS DISTINCT FROM p_seats THEN
        outcome := 'recount';
    ELSE
        UPDATE registrations
           SET status = p_status, decided_at = CASE WHEN p_status = 'approved' THEN p_decided_at END
         WHERE id = p_registration AND class_id = p_class AND status = 'submitted';
        outcome := CASE WHEN FOUND THEN 'decided' ELSE 'gone' END;
    END IF;
    held_ms := extract(epoch FROM clock_timestamp() - locked_at) * 1000;
    waited_ms := extract(epoch FROM locked_at - called_at) * 1000;
    RETURN NEXT;
END
$$
"""
RECOUNTS = 50  # a recount means another seat was decided meanwhile; past this, the class is locked


def _signature(rows: list[tuple[int, str, QuotaGroup, int]]) -> str:
    """The approved seats as sibimtek_decide_seat writes them: "51/village=3,52/provincial=1"."""
    return ",".join(f"{p}/{g}={n}" for p, g, n in sorted((p, g.value, n) for _c, p, g, n in rows))


def decide_seat(training_class: TrainingClass, registration: Registration, now: datetime) -> None:
    """Approve or waitlist a committed, undecided self-registration of a class with automatic
    approval. Call with no transaction open (right after the registration's commit); the caller's
    next commit ends what this began. On PostgreSQL the rule runs on a count read without the lock,
    and sibimtek_decide_seat writes the answer (and commits it) only if the count still holds, else
    it is counted again; on SQLite (one writer at a time anyway) it is decided under lock_class."""
    today = now.date()
    if db.session.get_bind().dialect.name == "postgresql":
        if db.session().in_transaction():
            raise RuntimeError("decide_seat: commit first (the decision runs in autocommit)")
        # One connection for all of it, each statement its own transaction: nothing is held between them.
        conn = db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        load_quotas(training_class)
        call = text(
            "SELECT outcome, held_ms, waited_ms FROM "
            "sibimtek_decide_seat(:class_id, :registration_id, :seats, :status, :decided_at)"
        ).bindparams(bindparam("decided_at", type_=UTCDateTime()))
        for _attempt in range(RECOUNTS):
            rows = _approved_rows([training_class.id], conn)
            taken = _summed(rows).get(training_class.id, SeatsTaken())
            short = seat_shortage(training_class, registration.province_code, registration.quota_group, today, taken)
            status = RegistrationStatus.WAITLISTED if short else RegistrationStatus.APPROVED
            started = time.perf_counter()
            outcome, held, waited = conn.execute(
                call,
                {
                    "class_id": training_class.id,
                    "registration_id": registration.id,
                    "seats": _signature(rows),
                    "status": status.value,
                    "decided_at": now,
                },
            ).one()
            if outcome == "recount":
                continue
            log.info(DECISION_MESSAGE, training_class.id, held, (time.perf_counter() - started) * 1000, waited)
            if outcome == "decided":
                set_committed_value(registration, "status", status)
                set_committed_value(registration, "decided_at", now if status is RegistrationStatus.APPROVED else None)
            else:  # an organiser decided it, or moved it, in the meantime
                db.session.refresh(registration)
            return
        db.session.commit()  # counted again too often: decided under the class lock, as below
    load_quotas(training_class)
    lock_class(training_class)
    db.session.refresh(registration, ["status", "class_id"])
    if registration.status is RegistrationStatus.SUBMITTED and registration.class_id == training_class.id:
        if has_seat(training_class, registration.province_code, registration.quota_group, today):
            registration.status, registration.decided_at = RegistrationStatus.APPROVED, now
        else:
            registration.status = RegistrationStatus.WAITLISTED
        db.session.flush()


@dataclass(frozen=True)
class QuotaLine:
    label: str
    reserved: int | None
    taken: int

    @property
    def left(self) -> int | None:
        return None if self.reserved is None else max(self.reserved - self.taken, 0)


@dataclass(frozen=True)
class SeatSummary:
    capacity: int
    taken: int
    provinces: list[QuotaLine]
    groups: list[QuotaLine]
    released: bool  # reserved seats have fallen back to the common pool

    @property
    def left(self) -> int:
        return max(self.capacity - self.taken, 0)


def seat_summary(
    training_class: TrainingClass, today: date | None = None, taken: SeatsTaken | None = None
) -> SeatSummary:
    taken = taken if taken is not None else seats_taken(training_class)
    today = today or clock.today(training_class.zoneinfo)
    released = bool(training_class.quota_release_date and today > training_class.quota_release_date)
    return SeatSummary(
        capacity=training_class.capacity,
        taken=taken.total,
        provinces=[
            QuotaLine(p.province.name, p.seats, taken.by_province.get(p.province_code, 0))
            for p in training_class.provinces
        ],
        groups=[QuotaLine(q.group.label, q.seats, taken.by_group.get(q.group, 0)) for q in training_class.type_quotas],
        released=released,
    )


def seat_summaries(classes: list[TrainingClass]) -> dict[int, SeatSummary]:
    """Seat summaries of a page of classes, with one counting statement."""
    taken = seats_taken_many([c.id for c in classes])
    return {c.id: seat_summary(c, taken=taken.get(c.id, SeatsTaken())) for c in classes}


def capacity_problems(c: ClassCheck) -> list[Problem]:
    """A class's new capacity holds the seats already approved (a check of class validation,
    contributed on programmes.signals.checking_class)."""
    if c.existing is None or c.data.capacity is None:
        return []
    taken = seats_taken(c.existing)
    if c.data.capacity < taken.total:
        return [
            Problem(_("Kapasitas tidak boleh kurang dari kursi yang sudah terisi (%(n)s).", n=taken.total), "capacity")
        ]
    return []


def waitlist_position(registration: Registration) -> int | None:
    if registration.status is not RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.class_id == registration.class_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            (Registration.created_at < registration.created_at)
            | and_(Registration.created_at == registration.created_at, Registration.id < registration.id),
        )
    )
    return (ahead or 0) + 1


def waitlist_positions(registrations: list[Registration]) -> dict[int, int | None]:
    """`waitlist_position` of each registration (None when not waiting), in one statement."""
    waiting = [r for r in registrations if r.status is RegistrationStatus.WAITLISTED]
    places: dict[int, int] = {}
    if waiting:
        queue = db.session.execute(
            select(Registration.id, Registration.class_id)
            .where(
                Registration.class_id.in_({r.class_id for r in waiting}),
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.class_id, Registration.created_at, Registration.id)
        ).all()
        counted: dict[int, int] = {}
        for registration_id, class_id in queue:
            counted[class_id] = counted.get(class_id, 0) + 1
            places[registration_id] = counted[class_id]
    return {r.id: places.get(r.id) for r in registrations}


def waitlist_reason(registration: Registration, taken: SeatsTaken | None = None) -> str | None:
    """Why a person is waiting, in words that are true now (mail, participant and organiser pages).
    `taken`: the class's seats when already counted (see waitlist_reasons)."""
    if registration.status is not RegistrationStatus.WAITLISTED:
        return None
    training_class = registration.training_class
    if lifecycle.has_started(training_class):
        return _("Kelas sudah dimulai; kursi tidak lagi diberikan dari daftar tunggu.")
    if registration.decided_by_id is not None:
        why = _("Panitia menempatkan pendaftaran Anda di daftar tunggu.")
        if registration.decision_reason:
            why += " " + _("Alasan: %(reason)s", reason=registration.decision_reason)
        return why
    shortage = seat_shortage(training_class, registration.province_code, registration.quota_group, taken=taken)
    return {
        Shortage.CLASS_FULL: _("Semua kursi kelas ini sudah terisi."),
        Shortage.PROVINCE_FULL: _("Kursi yang tersisa dipesan untuk peserta dari provinsi lain sampai kuota dilepas."),
        Shortage.GROUP_FULL: _("Kursi yang tersisa dipesan untuk jenis perpustakaan lain sampai kuota dilepas."),
        None: _("Ada kursi yang kosong lagi; pendaftaran Anda menunggu giliran di daftar tunggu."),
    }[shortage]


def waitlist_reasons(registrations: list[Registration]) -> dict[int, str | None]:
    """`waitlist_reason` of each registration, with the seats of all their classes counted at once."""
    waiting = [r for r in registrations if r.status is RegistrationStatus.WAITLISTED]
    taken = seats_taken_many(list({r.class_id for r in waiting}))
    return {r.id: waitlist_reason(r, taken.get(r.class_id, SeatsTaken())) for r in registrations}
