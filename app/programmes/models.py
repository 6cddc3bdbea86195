"""Programme, batch, class, the provinces a class serves, quotas, facilitators and agenda."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.enums import LabelledStrEnum
from app.core.formatting import TZ_LABELS
from app.extensions import Model, UTCDateTime, db, enum_column, utcnow
from app.libraries.models import LibraryType
from app.regions.models import Province, Regency, timezone_for_province


class ProgrammeStatus(LabelledStrEnum):
    DRAFT = "draft", _l("Draf")
    ACTIVE = "active", _l("Aktif")
    ARCHIVED = "archived", _l("Arsip")


class ClassStatus(LabelledStrEnum):
    DRAFT = "draft", _l("Draf")
    PUBLISHED = "published", _l("Diumumkan")
    REGISTRATION_OPEN = "registration_open", _l("Pendaftaran dibuka")
    REGISTRATION_CLOSED = "registration_closed", _l("Pendaftaran ditutup")
    RUNNING = "running", _l("Berlangsung")
    FINISHED = "finished", _l("Selesai")
    CANCELLED = "cancelled", _l("Dibatalkan")


# What the public catalogue shows: announced, not cancelled, not a draft.
PUBLIC_STATUSES = (
    ClassStatus.PUBLISHED,
    ClassStatus.REGISTRATION_OPEN,
    ClassStatus.REGISTRATION_CLOSED,
    ClassStatus.RUNNING,
    ClassStatus.FINISHED,
)


class ApprovalMode(LabelledStrEnum):
    AUTO = "auto", _l("Otomatis (siapa cepat)")  # first come, first served: a free seat approves at once
    MODERATED = "moderated", _l("Disetujui panitia")  # an organiser approves each registration


class QuotaGroup(LabelledStrEnum):
    """Library types as quotas count them: the three the programme reserves seats for, and the rest.
    Members are named as LibraryType's (one word per concept); the stored values predate that."""

    PROVINSI = "provincial", _l("Perpustakaan provinsi")
    KABUPATEN_KOTA = "regency_city", _l("Perpustakaan kabupaten/kota")
    DESA_KELURAHAN = "village", _l("Perpustakaan desa/kelurahan")
    LAINNYA = "other", _l("Lainnya")

    @classmethod
    def of(cls, library_type: LibraryType) -> QuotaGroup:
        return {
            LibraryType.PROVINSI: cls.PROVINSI,
            LibraryType.KABUPATEN_KOTA: cls.KABUPATEN_KOTA,
            LibraryType.DESA_KELURAHAN: cls.DESA_KELURAHAN,
        }.get(library_type, cls.LAINNYA)


class Programme(Model):
    __tablename__ = "programmes"
    __table_args__ = (
        UniqueConstraint("code", "year"),
        CheckConstraint("jp_total > 0", name="jp_positive"),
        CheckConstraint("min_attendance_percent BETWEEN 0 AND 100", name="attendance_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30))  # e.g. "SPP-TIK"; used in certificate numbers
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    description: Mapped[str | None] = mapped_column(Text)
    jp_total: Mapped[int]  # total lesson hours (JP, 45 minutes each) stated on certificates
    # Certificate rule: present on at least this share of the class days.
    min_attendance_percent: Mapped[int] = mapped_column(default=80)
    status: Mapped[ProgrammeStatus] = mapped_column(enum_column(ProgrammeStatus), default=ProgrammeStatus.DRAFT)
    # Registrants must upload an assignment letter (surat tugas) from their office.
    requires_letter: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Attendance statuses that count as present for the certificate rule.
    present_statuses: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: ["hadir", "terlambat"], server_default='["hadir", "terlambat"]'
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    batches: Mapped[list[Batch]] = relationship(
        back_populates="programme", order_by="Batch.number", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Programme {self.code} {self.year}>"


class Batch(Model):
    """An angkatan: a wave of classes within a date window."""

    __tablename__ = "batches"
    __table_args__ = (
        UniqueConstraint("programme_id", "number"),
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # angkatan 1, 2, …
    name: Mapped[str] = mapped_column(String(150))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)

    programme: Mapped[Programme] = relationship(back_populates="batches")
    classes: Mapped[list[TrainingClass]] = relationship(
        back_populates="batch", order_by="(TrainingClass.start_date, TrainingClass.id)", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Batch {self.programme_id}/{self.number}>"


class_facilitators = Table(
    "class_facilitators",
    db.metadata,
    Column("class_id", ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class TrainingClass(Model):
    """A kelas: one venue, one host regency, a few days, the provinces it serves."""

    __tablename__ = "classes"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    venue_name: Mapped[str] = mapped_column(String(200))
    venue_address: Mapped[str | None] = mapped_column(String(300))
    regency_code: Mapped[str] = mapped_column(ForeignKey("regencies.code"), index=True)  # host city
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int]
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # After this day, seats reserved per province or library type fall back to the common pool.
    quota_release_date: Mapped[date | None] = mapped_column(Date)
    # The organiser's intent (draft, published, closed by hand, cancelled); what the class *is* at a
    # moment follows the calendar too: see `state` and app/programmes/lifecycle.py.
    status: Mapped[ClassStatus] = mapped_column(enum_column(ClassStatus), default=ClassStatus.DRAFT, index=True)
    # The effective status last written to the audit trail (by an organiser or `flask classes tick`).
    recorded_status: Mapped[ClassStatus | None] = mapped_column(enum_column(ClassStatus))
    # An organiser may reopen attendance marking after the usual window, until this day.
    attendance_reopened_until: Mapped[date | None] = mapped_column(Date)
    approval_mode: Mapped[ApprovalMode] = mapped_column(
        enum_column(ApprovalMode), default=ApprovalMode.MODERATED, server_default=ApprovalMode.MODERATED.value
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    batch: Mapped[Batch] = relationship(back_populates="classes")
    regency: Mapped[Regency] = relationship(innerjoin=True)
    provinces: Mapped[list[ClassProvince]] = relationship(
        back_populates="training_class",
        cascade="all, delete-orphan",
        order_by="ClassProvince.province_code",
    )
    type_quotas: Mapped[list[ClassTypeQuota]] = relationship(
        cascade="all, delete-orphan", order_by="ClassTypeQuota.group"
    )
    facilitators: Mapped[list[User]] = relationship(secondary=class_facilitators, order_by=User.full_name)
    agenda: Mapped[list[AgendaSession]] = relationship(
        back_populates="training_class",
        cascade="all, delete-orphan",
        order_by="(AgendaSession.day, AgendaSession.start_time)",
    )

    @property
    def state(self) -> ClassStatus:
        """The effective status now, by the app's clock (see app/programmes/lifecycle.py)."""
        from app.programmes.lifecycle import effective_status

        return effective_status(self)

    @property
    def province(self) -> Province:
        return self.regency.province

    @property
    def timezone(self) -> str:
        """IANA zone of the host province: every time of this class is shown in it. Worked out from
        the province's code (the first two digits of the regency's), as load_regions writes it into
        provinces.timezone: no regency or province row is loaded for it."""
        regency = self.__dict__.get("regency")  # set on a class not flushed yet, or loaded already
        return timezone_for_province(regency.province_code if regency is not None else self.regency_code[:2])

    @property
    def tz_label(self) -> str:
        return TZ_LABELS[self.timezone]

    @property
    def zoneinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, day: date, at: time) -> datetime:
        """A wall-clock time at the venue as an aware datetime."""
        return datetime.combine(day, at, tzinfo=self.zoneinfo)

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def served_codes(self) -> list[str]:
        return [p.province_code for p in self.provinces]

    @property
    def agenda_jp(self) -> int:
        return sum(s.jp for s in self.agenda)

    def __repr__(self) -> str:
        return f"<TrainingClass {self.id} {self.name}>"


class ClassProvince(Model):
    """A province a class serves, with its optional reserved seats."""

    __tablename__ = "class_provinces"
    __table_args__ = (CheckConstraint("seats IS NULL OR seats >= 0", name="seats_not_negative"),)

    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), primary_key=True)
    seats: Mapped[int | None] = mapped_column(Integer)  # None: no reservation

    training_class: Mapped[TrainingClass] = relationship(back_populates="provinces")
    province: Mapped[Province] = relationship(innerjoin=True)


class ClassTypeQuota(Model):
    """Seats reserved for one library-type group in a class."""

    __tablename__ = "class_type_quotas"
    __table_args__ = (CheckConstraint("seats >= 0", name="seats_not_negative"),)

    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True)
    group: Mapped[QuotaGroup] = mapped_column(enum_column(QuotaGroup), primary_key=True)
    seats: Mapped[int]


class AgendaSession(Model):
    """One session of the day-by-day agenda, in the venue's local time."""

    __tablename__ = "agenda_sessions"
    __table_args__ = (
        CheckConstraint("end_time > start_time", name="times_in_order"),
        CheckConstraint("jp >= 0", name="jp_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    topic: Mapped[str] = mapped_column(String(200))
    speaker: Mapped[str | None] = mapped_column(String(150))
    jp: Mapped[int]

    training_class: Mapped[TrainingClass] = relationship(back_populates="agenda")
