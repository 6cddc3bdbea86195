"""The organiser's home as a work queue: what waits for a decision or an action now, each with a count.

At most seven statements whatever the data (a part with nothing to look at skips its own): one of
counters (scalar subqueries), the registrations waiting per class, the classes starting within a week
with their fill, the started classes whose attendance or certificates may still be owed, the days that
have marks, the approved people without a valid certificate, and the marks of their classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ColumnElement, ScalarSelect, Subquery, and_, func, select

from app import clock
from app.attendance import services as attendance
from app.attendance.models import AttendanceMark
from app.certificates.models import BulkJob, Certificate, CertificateStatus, JobStatus
from app.extensions import db
from app.libraries.models import Library, LibraryStatus
from app.privacy.models import OPEN_STATUSES, DataRequest
from app.programmes.models import Batch, ClassStatus, Programme, ProgrammeStatus, TrainingClass
from app.regions.models import Province, Regency
from app.registration.models import NameCorrection, NikClaim, NikClaimStatus, Registration, RegistrationStatus

# A name correction is answered like any data request: within 3 × 24 hours (UU PDP).
ANSWER_WITHIN = timedelta(hours=72)
UPCOMING_DAYS = 7  # "starting soon": within a week, in the venue's own calendar
_IDLE = (ClassStatus.DRAFT, ClassStatus.CANCELLED)


@dataclass
class Counters:
    """Single counts of the queue (one statement)."""

    name_corrections: int = 0
    name_corrections_overdue: int = 0
    name_corrections_oldest: datetime | None = None
    data_requests: int = 0
    data_requests_overdue: int = 0
    nik_claims: int = 0
    proposed_libraries: int = 0
    jobs_running: int = 0
    jobs_failed: int = 0
    latest_running_job: int | None = None
    latest_failed_job: int | None = None
    data_requests_next_due: datetime | None = None

    @property
    def name_corrections_next_due(self) -> datetime | None:
        """The deadline of the oldest correction waiting."""
        return self.name_corrections_oldest + ANSWER_WITHIN if self.name_corrections_oldest else None


@dataclass
class ClassLine:
    """One class in a queue line: its name and the figure that concerns it."""

    class_id: int
    name: str
    count: int
    start_date: date | None = None
    end_date: date | None = None
    capacity: int = 0
    days: list[date] = field(default_factory=list)


@dataclass
class WorkQueue:
    counters: Counters
    waiting: list[ClassLine]  # registrations waiting for a decision, per class
    upcoming: list[ClassLine]  # classes starting within a week, count = seats taken
    unmarked: list[ClassLine]  # past class days with approved people and no marks
    certificates: list[ClassLine]  # attendance-eligible approved people without a valid certificate

    @property
    def waiting_total(self) -> int:
        return sum(line.count for line in self.waiting)

    @property
    def empty(self) -> bool:
        c = self.counters
        figures = (
            c.name_corrections,
            c.data_requests,
            c.nik_claims,
            c.proposed_libraries,
            c.jobs_running,
            c.jobs_failed,
        )
        return not any(figures) and not (self.waiting or self.upcoming or self.unmarked or self.certificates)


def counters(now: datetime) -> Counters:
    """Every single figure of the queue in one statement of scalar subqueries."""

    def count(model: type, *where: ColumnElement[bool]) -> ScalarSelect[int]:
        return select(func.count()).select_from(model).where(*where).scalar_subquery()

    pending = NameCorrection.status == "pending"
    waiting_jobs = BulkJob.status.in_((JobStatus.QUEUED, JobStatus.RUNNING))
    row = db.session.execute(
        select(
            count(NameCorrection, pending),
            count(NameCorrection, pending, NameCorrection.created_at < now - ANSWER_WITHIN),
            select(func.min(NameCorrection.created_at)).where(pending).scalar_subquery(),
            count(DataRequest, DataRequest.status.in_(OPEN_STATUSES)),
            count(DataRequest, DataRequest.status.in_(OPEN_STATUSES), DataRequest.due_at < now),
            count(NikClaim, NikClaim.status == NikClaimStatus.OPEN),
            count(Library, Library.status == LibraryStatus.PROPOSED),
            count(BulkJob, waiting_jobs),
            count(BulkJob, BulkJob.status == JobStatus.FAILED),
            select(func.max(BulkJob.id)).where(waiting_jobs).scalar_subquery(),
            select(func.max(BulkJob.id)).where(BulkJob.status == JobStatus.FAILED).scalar_subquery(),
            select(func.min(DataRequest.due_at)).where(DataRequest.status.in_(OPEN_STATUSES)).scalar_subquery(),
        )
    ).one()
    return Counters(*row)


def waiting_registrations() -> list[ClassLine]:
    """Registrations waiting for an organiser's decision, per class (oldest waiting first)."""
    rows = db.session.execute(
        select(TrainingClass.id, TrainingClass.name, func.count(Registration.id), TrainingClass.start_date)
        .join(Registration, Registration.class_id == TrainingClass.id)
        .where(Registration.status == RegistrationStatus.SUBMITTED, TrainingClass.status.not_in(_IDLE))
        .group_by(TrainingClass.id, TrainingClass.name, TrainingClass.start_date)
        .order_by(func.min(Registration.created_at))
    )
    return [ClassLine(class_id=i, name=n, count=k, start_date=s) for i, n, k, s in rows]


def _approved_counts() -> Subquery:
    return (
        select(Registration.class_id, func.count().label("approved"))
        .where(Registration.status == RegistrationStatus.APPROVED)
        .group_by(Registration.class_id)
        .subquery()
    )


def upcoming_classes(now: datetime) -> list[ClassLine]:
    """Classes starting within a week by the venue's calendar, with seats taken (one statement: the
    dates are read wide by a day each side, then each class is held to its own zone's today)."""
    national, one_day = now.astimezone(clock.DEFAULT_ZONE).date(), timedelta(days=1)
    approved = _approved_counts()
    rows = db.session.execute(
        select(
            TrainingClass.id,
            TrainingClass.name,
            func.coalesce(approved.c.approved, 0),
            TrainingClass.start_date,
            TrainingClass.end_date,
            TrainingClass.capacity,
            Province.timezone,
        )
        .join(Regency, TrainingClass.regency_code == Regency.code)
        .join(Province, Regency.province_code == Province.code)
        .outerjoin(approved, approved.c.class_id == TrainingClass.id)
        .where(
            TrainingClass.status.not_in(_IDLE),
            TrainingClass.start_date.between(national - one_day, national + timedelta(days=UPCOMING_DAYS) + one_day),
        )
        .order_by(TrainingClass.start_date, TrainingClass.name)
    )
    lines = []
    for class_id, name, taken, start, end, capacity, zone in rows:
        today = now.astimezone(ZoneInfo(zone)).date()
        if today <= start <= today + timedelta(days=UPCOMING_DAYS):
            lines.append(ClassLine(class_id, name, taken, start, end, capacity))
    return lines


@dataclass
class _Running:
    class_id: int
    name: str
    start: date
    end: date
    today: date
    open_until: date
    present_statuses: list[str]
    min_percent: int


def _classes_owing(now: datetime) -> list[_Running]:
    """Started classes of programmes not archived, with approved people: attendance or certificates
    may still be owed for them."""
    national = now.astimezone(clock.DEFAULT_ZONE).date()
    approved = _approved_counts()
    rows = db.session.execute(
        select(
            TrainingClass.id,
            TrainingClass.name,
            TrainingClass.start_date,
            TrainingClass.end_date,
            TrainingClass.attendance_reopened_until,
            Province.timezone,
            Programme.present_statuses,
            Programme.min_attendance_percent,
        )
        .join(Batch, TrainingClass.batch_id == Batch.id)
        .join(Programme, Batch.programme_id == Programme.id)
        .join(Regency, TrainingClass.regency_code == Regency.code)
        .join(Province, Regency.province_code == Province.code)
        .join(approved, approved.c.class_id == TrainingClass.id)
        .where(
            TrainingClass.status.not_in(_IDLE),
            Programme.status != ProgrammeStatus.ARCHIVED,
            TrainingClass.start_date <= national + timedelta(days=1),
        )
        .order_by(TrainingClass.start_date, TrainingClass.name)
    )
    close_after = timedelta(days=current_app.config["ATTENDANCE_CLOSE_AFTER_DAYS"])
    result = []
    for class_id, name, start, end, reopened, zone, statuses, percent in rows:
        usual = end + close_after  # attendance.marking_open_until, from plain columns
        result.append(
            _Running(
                class_id,
                name,
                start,
                end,
                now.astimezone(ZoneInfo(zone)).date(),
                max(usual, reopened or usual),
                list(statuses or ["hadir", "terlambat"]),
                percent,
            )
        )
    return result


def unmarked_days(classes: list[_Running]) -> list[ClassLine]:
    """Per class whose marking window is open: the days already past with no mark at all."""
    open_classes = [c for c in classes if c.start < c.today <= c.open_until]
    if not open_classes:
        return []
    marked = set(
        db.session.execute(
            select(AttendanceMark.class_id, AttendanceMark.day)
            .where(AttendanceMark.class_id.in_([c.class_id for c in open_classes]), AttendanceMark.status.is_not(None))
            .distinct()
        )
        .tuples()
        .all()
    )
    lines = []
    for c in open_classes:
        last = min(c.end, c.today - timedelta(days=1))
        days = [c.start + timedelta(days=i) for i in range((last - c.start).days + 1)]
        missing = [d for d in days if (c.class_id, d) not in marked]
        if missing:
            lines.append(ClassLine(c.class_id, c.name, len(missing), c.start, c.end, days=missing))
    return lines


def certificates_ready(classes: list[_Running]) -> list[ClassLine]:
    """Per ended class: approved people with no valid certificate who meet the attendance rule
    (`attendance.eligibility`, the rule the certificate page applies before the name check)."""
    ended = {c.class_id: c for c in classes if c.end < c.today}
    if not ended:
        return []
    people = db.session.execute(
        select(Registration.id, Registration.class_id)
        .outerjoin(
            Certificate,
            and_(Certificate.registration_id == Registration.id, Certificate.status == CertificateStatus.VALID),
        )
        .where(
            Registration.class_id.in_(list(ended)),
            Registration.status == RegistrationStatus.APPROVED,
            Certificate.id.is_(None),
        )
    ).all()
    if not people:
        return []
    marks = attendance.current_marks(sorted({class_id for _, class_id in people}))
    ready: dict[int, int] = {}
    for registration_id, class_id in people:
        c = ended[class_id]
        days = [c.start + timedelta(days=i) for i in range((c.end - c.start).days + 1)]
        present = sum(
            1
            for d in days
            if (mark := marks.get((registration_id, d))) is not None
            and mark.status is not None
            and mark.status.value in c.present_statuses
        )
        if attendance.Eligibility(present=present, total=len(days), required_percent=c.min_percent).eligible:
            ready[class_id] = ready.get(class_id, 0) + 1
    return [
        ClassLine(c.class_id, c.name, ready[c.class_id], c.start, c.end) for c in ended.values() if c.class_id in ready
    ]


def work_queue(now: datetime | None = None) -> WorkQueue:
    now = now or clock.now()
    owing = _classes_owing(now)
    return WorkQueue(
        counters=counters(now),
        waiting=waiting_registrations(),
        upcoming=upcoming_classes(now),
        unmarked=unmarked_days(owing),
        certificates=certificates_ready(owing),
    )
