"""Attendance marks: every mark is kept; per person and day the latest status and, on its own, the
latest note are the ones that count."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.enums import LabelledStrEnum
from app.extensions import Model, UTCDateTime, enum_column, utcnow


class AttendanceStatus(LabelledStrEnum):
    HADIR = "hadir", _l("Hadir")  # present
    TERLAMBAT = "terlambat", _l("Terlambat")  # late
    IZIN = "izin", _l("Izin")  # excused
    SAKIT = "sakit", _l("Sakit")  # sick
    ALPA = "alpa", _l("Alpa")  # absent without notice


class MarkSource(enum.StrEnum):
    ROSTER = "roster"  # a facilitator or organiser tapped it
    QR = "qr"  # the participant scanned the class QR


class AttendanceMark(Model):
    __tablename__ = "attendance_marks"
    __table_args__ = (Index("ix_attendance_marks_current", "registration_id", "day", "marked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Sent by the browser with each mark: a retried or re-synced mark is recognised, never doubled.
    client_key: Mapped[str] = mapped_column(String(64), unique=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    # None: a note typed after the tap, saved on its own; it leaves the status as it was.
    status: Mapped[AttendanceStatus | None] = mapped_column(enum_column(AttendanceStatus))
    # None: this mark leaves the note as it was; "" clears it.
    note: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[MarkSource] = mapped_column(enum_column(MarkSource), default=MarkSource.ROSTER)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when it was tapped (offline marks: on the phone)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # when the server got it
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    marked_by: Mapped[User | None] = relationship()
