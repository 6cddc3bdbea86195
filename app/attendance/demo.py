"""Demo attendance: the Mataram class of 22–25 May 2023, every day marked, a realistic mix."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from app.attendance import services
from app.attendance.models import AttendanceMark, AttendanceStatus
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
