"""Certificate settings per programme, the number counter, and each issued certificate version."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.enums import LabelledStrEnum
from app.extensions import Model, UTCDateTime, enum_column, utcnow
from app.programmes.models import Programme
from app.registration.models import Registration

DEFAULT_PATTERN = "{seq:04d}/{code}/PERPUSNAS/{month_roman}/{year}"
REASON_MAX = 300  # characters of a revocation or override reason (the columns below)
DEFAULT_BODY = "Bimbingan Teknis {programme} yang diselenggarakan oleh Perpustakaan Nasional Republik Indonesia"


class CertificateSettings(Model):
    """What a programme's certificates say and look like (organisers edit it)."""

    __tablename__ = "certificate_settings"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    number_pattern: Mapped[str] = mapped_column(String(120), default=DEFAULT_PATTERN)
    title: Mapped[str] = mapped_column(String(60), default="SERTIFIKAT")
    role_text: Mapped[str] = mapped_column(String(100), default="sebagai PESERTA")
    body_text: Mapped[str] = mapped_column(Text, default=DEFAULT_BODY)
    sign_place: Mapped[str] = mapped_column(String(100), default="Jakarta")
    # [{"position": …, "name": …, "nip": …}], one block per signatory
    signatories: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    colour: Mapped[str] = mapped_column(String(7), default="#0b4f6c")
    show_agenda_page: Mapped[bool] = mapped_column(default=True)
    # Days after the class ends during which participants confirm their printed name; certificates
    # of people who have not confirmed are issued after that (0: no waiting).
    confirm_days: Mapped[int] = mapped_column(default=3, server_default="3")
    # Images uploaded by organisers (PNG/JPEG, the file store's "certificate-images" area); none:
    # the bundled logo, and a blank line to sign on.
    logo_image: Mapped[str | None] = mapped_column(String(60))
    signature_image: Mapped[str | None] = mapped_column(String(60))

    programme: Mapped[Programme] = relationship()


class CertificateCounter(Model):
    """The last sequence number used per programme: incremented in the issuing transaction, so
    numbers are gap-free and never reused (a rolled-back issue rolls the counter back too)."""

    __tablename__ = "certificate_counters"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class CertificateStatus(LabelledStrEnum):
    VALID = "valid", _l("Sah")
    REVOKED = "revoked", _l("Dicabut")
    SUPERSEDED = "superseded", _l("Digantikan")  # a newer version (e.g. a corrected name) replaced it


class Certificate(Model):
    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("programme_id", "seq", "version"),
        Index("ix_certificates_registration", "registration_id", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]  # the programme's running number; kept by every re-issued version
    version: Mapped[int] = mapped_column(default=1)
    number: Mapped[str] = mapped_column(String(120))  # e.g. 0001/SPP-TIK/PERPUSNAS/V/2023
    code: Mapped[str] = mapped_column(String(43), unique=True)  # 256-bit random, in the QR link
    short_code: Mapped[str] = mapped_column(String(12), unique=True)  # typed by hand: XXXX-XXXX-XX
    status: Mapped[CertificateStatus] = mapped_column(enum_column(CertificateStatus), default=CertificateStatus.VALID)
    # What was printed, frozen at issue: the verification page shows this, never live data.
    holder_name: Mapped[str] = mapped_column(String(100))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    override_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))  # issued despite the attendance rule
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Seen by organisers and admins only; the public verification page says "revoked" and the date.
    revoke_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))
    pdf_path: Mapped[str | None] = mapped_column(String(100))  # in the file store's "certificates" area
    content_hash: Mapped[str | None] = mapped_column(String(64))  # of the data the stored PDF was made from

    registration: Mapped[Registration | None] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    superseded_by: Mapped[Certificate | None] = relationship(remote_side=[id])

    @property
    def file_name(self) -> str:
        """sertifikat-0001-SPP-TIK-PERPUSNAS-V-2023.pdf: letters, digits, '.', '_' and '-' only,
        whatever the number pattern holds (quotes, slashes and non-Latin characters would break
        the download header or the ZIP)."""
        return "sertifikat-" + re.sub(r"[^A-Za-z0-9._-]+", "-", self.number).strip("-") + ".pdf"


class JobStatus(LabelledStrEnum):
    QUEUED = "queued", _l("menunggu")
    RUNNING = "running", _l("berjalan")
    DONE = "done", _l("selesai")
    FAILED = "failed", _l("gagal")


class BulkJob(Model):
    """A background run that issues and renders the certificates of a class, batch or programme."""

    __tablename__ = "certificate_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))  # class / batch / programme
    scope_id: Mapped[int]
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus), default=JobStatus.QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    zip_path: Mapped[str | None] = mapped_column(String(100))
    combined_path: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last sign of life while running

    def stalled(self, now: datetime, after_seconds: float) -> bool:
        """Queued or running, but silent for too long: its worker died (a restart, a crash); the
        organiser may resume it."""
        if self.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
            return False
        last = self.heartbeat_at or self.created_at
        return (now - last).total_seconds() > after_seconds

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.status is JobStatus.DONE else 0)
