"""Demo attendance: the Mataram class of 22–25 May 2023, every day marked, a realistic mix."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import func, insert, select

from app.attendance import services
from app.attendance.models import AttendanceMark, AttendanceStatus, MarkSource
from app.extensions import db
from app.programmes.models import Programme, TrainingClass

# Most are present; a few late, one or two excused or sick, now and then an absence.
WEIGHTS = {
    AttendanceStatus.HADIR: 90,
    AttendanceStatus.TERLAMBAT: 8,
    AttendanceStatus.IZIN: 1,
    AttendanceStatus.SAKIT: 0.5,
    AttendanceStatus.ALPA: 0.5,
}


def load_mataram_attendance() -> int:
    c = db.session.scalar(
        select(TrainingClass)
        .join(TrainingClass.batch)
        .join(Programme)
        .where(Programme.year == 2023, TrainingClass.venue_name == "Aston Inn Mataram")
    )
    if c is None or db.session.scalar(
        select(func.count()).select_from(AttendanceMark).where(AttendanceMark.class_id == c.id)
    ):
        return 0
    rng = random.Random(22)
    facilitator = c.facilitators[0] if c.facilitators else None
    # In the order they registered (not by name), so who is ill or excused does not depend on the demo names;
    # the demo participant registered first and keeps a full record (her certificate is issued).
    people = sorted(services.approved_registrations(c), key=lambda r: r.id)
    count = 0
    for index, day in enumerate(services.class_days(c)):
        moment = datetime.combine(day, time(8, 10), tzinfo=c.zoneinfo)
        for k, registration in enumerate(people):
            status = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
            if k == 3 and index == 2:
                status = AttendanceStatus.SAKIT  # one person is ill for two days: not eligible at 80 %
            if k == 3 and index == 3:
                status = AttendanceStatus.SAKIT
            if k == 7 and index == 0:
                status = AttendanceStatus.IZIN
            note = {AttendanceStatus.IZIN: "Tugas kantor", AttendanceStatus.SAKIT: "Surat dokter"}.get(status)
            services.record(
                c,
                registration_id=registration.id,
                day=day,
                status=status,
                by=facilitator,
                note=note,
                marked_at=moment + timedelta(seconds=20 * k),
                now=moment + timedelta(minutes=30),
            )
            count += 1
    return count


def load_full_scale_attendance() -> int:
    """Every day of every 2023 class marked for its approved people (the full demo's 1,238), in one bulk
    insert per class, the same mix as Mataram's; classes already marked are left alone (idempotent)."""
    marked = select(AttendanceMark.class_id).distinct()
    classes = db.session.scalars(
        select(TrainingClass)
        .join(TrainingClass.batch)
        .join(Programme)
        .where(Programme.year == 2023, TrainingClass.id.not_in(marked))
        .order_by(TrainingClass.id)
    ).all()
    count = 0
    for c in classes:
        people = sorted(services.approved_registrations(c), key=lambda r: r.id)
        if not people:
            continue
        rng = random.Random(c.id)
        facilitator_id = c.facilitators[0].id if c.facilitators else None
        rows = []
        for index, day in enumerate(services.class_days(c)):
            moment = datetime.combine(day, time(8, 10), tzinfo=c.zoneinfo)
            for k, registration in enumerate(people):
                status = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
                rows.append(
                    {
                        "client_key": f"demo-{c.id}-{registration.id}-{index}",
                        "class_id": c.id,
                        "registration_id": registration.id,
                        "day": day,
                        "status": status,
                        "source": MarkSource.ROSTER,
                        "marked_at": moment + timedelta(seconds=20 * k),
                        "received_at": moment + timedelta(seconds=20 * k),
                        "marked_by_id": facilitator_id,
                    }
                )
        db.session.execute(insert(AttendanceMark), rows)
        count += len(rows)
    return count
