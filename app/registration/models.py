"""A registration of one person for one class, with the personal data the certificate needs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ColumnElement, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app import crypto
from app.auth.models import User
from app.core.enums import LabelledStrEnum
from app.crypto import EncryptedString
from app.extensions import Model, UTCDateTime, enum_column, utcnow
from app.libraries.models import Library
from app.programmes.models import Programme, QuotaGroup, TrainingClass


class RegistrationStatus(LabelledStrEnum):
    SUBMITTED = "submitted", _l("Terdaftar, menunggu persetujuan")  # waiting for an organiser (moderated classes)
    APPROVED = "approved", _l("Disetujui")  # holds a seat
    WAITLISTED = "waitlisted", _l("Daftar tunggu")  # in line for a seat, by submission time
    REJECTED = "rejected", _l("Ditolak")
    CANCELLED = "cancelled", _l("Dibatalkan")  # by the participant, or moved, or the class was cancelled


ACTIVE_STATUSES = (RegistrationStatus.SUBMITTED, RegistrationStatus.APPROVED, RegistrationStatus.WAITLISTED)
_ACTIVE_SQL = "status IN ('submitted', 'approved', 'waitlisted')"


class EmploymentStatus(LabelledStrEnum):
    PNS = "pns", _l("PNS")
    PPPK = "pppk", _l("PPPK")
    HONORER = "honorer", _l("Honorer / kontrak")
    RELAWAN = "relawan", _l("Relawan")  # volunteer, common in village libraries
    LAINNYA = "lainnya", _l("Lainnya")


# Stored as on the KTP (L / P); people read the word.
GENDER_LABELS = {"L": _l("Laki-laki"), "P": _l("Perempuan")}


class Registration(Model):
    __tablename__ = "registrations"
    __table_args__ = (
        # One active registration per NIK per programme, whichever class (the database enforces it,
        # on the keyed hash: the NIK itself is stored encrypted).
        Index(
            "uq_registrations_active_nik",
            "programme_id",
            "nik_hash",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        # One active registration per account per programme: an account registers its own holder
        # (organisers nominate others, mostly without an account: NULLs never collide).
        Index(
            "uq_registrations_active_user",
            "programme_id",
            "user_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        Index("ix_registrations_class_status", "class_id", "status"),
        Index("ix_registrations_programme_status", "programme_id", "status"),  # a programme's lists and figures
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))  # for the NIK rule
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(enum_column(RegistrationStatus))

    # Where the person works; province and quota group are kept so seats are counted in SQL.
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"), index=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)  # coordinators' scope
    quota_group: Mapped[QuotaGroup] = mapped_column(enum_column(QuotaGroup))

    # Personal data (UU PDP): NIK is shown masked everywhere after entry, never in URLs or logs.
    full_name: Mapped[str] = mapped_column(String(100))  # exactly as on the certificate
    # The participant confirmed the name and titles to print (before the certificate is issued).
    name_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    name_confirm_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the mail asking, sent once
    # NIK and NIP are Fernet ciphertext in the database and plain here (app/crypto.py); the
    # NIK is compared only through nik_hash (see nik_matches). NULL once purged (PII_RETENTION_DAYS).
    nik: Mapped[str | None] = mapped_column(EncryptedString(255), info={"hashed_in": "nik_hash"})
    nik_hash: Mapped[str | None] = mapped_column(String(64), index=True)  # HMAC of the NIK, set with it
    nip: Mapped[str | None] = mapped_column(EncryptedString(255))
    gender: Mapped[str] = mapped_column(String(1))  # L / P
    birth_place: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)  # NULL once purged
    position: Mapped[str] = mapped_column(String(150))  # jabatan
    employment_status: Mapped[EmploymentStatus] = mapped_column(enum_column(EmploymentStatus))
    email: Mapped[str] = mapped_column(String(254))
    whatsapp: Mapped[str] = mapped_column(EncryptedString(255))  # E.164, encrypted at rest
    letter_path: Mapped[str | None] = mapped_column(String(100))  # in the file store's "letters" area
    letter_mimetype: Mapped[str | None] = mapped_column(String(40))
    data_warnings: Mapped[list[str]] = mapped_column(JSON, default=list)  # e.g. NIK vs birth date
    consent_version: Mapped[str] = mapped_column(String(20))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)  # the queue order
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str | None] = mapped_column(String(300))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the 3-day reminder went out
    # Personal data removed after the retention period (app/privacy/purge.py); figures stay.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    training_class: Mapped[TrainingClass] = relationship(innerjoin=True)
    library: Mapped[Library] = relationship(innerjoin=True)
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @validates("nik")
    def _hash_nik(self, _key: str, nik: str | None) -> str | None:
        """Whoever sets the NIK sets its look-up hash too."""
        self.nik_hash = crypto.keyed_hash(nik) if nik else None
        return nik

    @property
    def gender_label(self) -> str:
        """Laki-laki / Perempuan (the stored L / P as a word)."""
        return str(GENDER_LABELS.get(self.gender, self.gender))

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def to_dict(self) -> dict[str, Any]:
        """Everything stored about this registration (for the person's own data export)."""
        return {
            "kelas": self.training_class.name,
            "program": f"{self.training_class.batch.programme.name} {self.training_class.batch.programme.year}",
            "status": self.status.value,
            "nama_di_sertifikat": self.full_name,
            "nik": self.nik,
            "nip": self.nip,
            "jenis_kelamin": self.gender,
            "tempat_lahir": self.birth_place,
            "tanggal_lahir": self.birth_date.isoformat() if self.birth_date else None,
            "jabatan": self.position,
            "status_kepegawaian": self.employment_status.value,
            "email": self.email,
            "whatsapp": self.whatsapp,
            "perpustakaan": self.library.name,
            "surat_tugas": bool(self.letter_path),
            "persetujuan_privasi": {"versi": self.consent_version, "waktu": self.consent_at.isoformat()},
            "didaftarkan": self.created_at.isoformat(),
            "catatan_keputusan": self.decision_reason,
        }


def nik_matches(nik: str) -> ColumnElement[bool]:
    """SQL: "this registration's NIK is `nik`" (a cleaned 16-digit NIK), through the keyed hash,
    since the NIK column holds ciphertext. The one way to look a registration up by NIK."""
    return Registration.nik_hash == crypto.keyed_hash(nik)


class NameCorrection(Model):
    """A participant asks to change the certificate name after approval; an organiser decides."""

    __tablename__ = "name_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    old_name: Mapped[str] = mapped_column(String(100))
    new_name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending / accepted / refused
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    registration: Mapped[Registration] = relationship()


class DeletionRequest(Model):
    """A person asks for their registration data to be erased (UU PDP)."""

    __tablename__ = "deletion_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending / done / refused
    reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NikClaimStatus(LabelledStrEnum):
    OPEN = "open", _l("Menunggu keputusan panitia")  # waiting for an organiser
    ACCEPTED = "accepted", _l("Disetujui")  # the blocking registration was cancelled; the claimant may register
    REFUSED = "refused", _l("Ditolak")


class NikClaim(Model):
    """A participant states that a NIK someone else registered in a programme is theirs; an
    organiser decides (accepting cancels the blocking registration)."""

    __tablename__ = "nik_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)  # the claimant
    nik: Mapped[str] = mapped_column(EncryptedString(255))  # encrypted at rest like the registration NIK
    explanation: Mapped[str] = mapped_column(String(500))
    letter_path: Mapped[str | None] = mapped_column(String(100))  # optional supporting PDF (file store, "letters")
    letter_mimetype: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[NikClaimStatus] = mapped_column(enum_column(NikClaimStatus), index=True)
    decision_note: Mapped[str | None] = mapped_column(String(300))  # the organiser's note; a refusal's reason
    # The registration that held the NIK and was cancelled when the claim was accepted.
    cancelled_registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    programme: Mapped[Programme] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    cancelled_registration: Mapped[Registration | None] = relationship()

    def to_dict(self) -> dict[str, Any]:
        """The claim as its claimant's own data export shows it."""
        return {
            "program": f"{self.programme.name} {self.programme.year}",
            "nik": self.nik,
            "penjelasan": self.explanation,
            "surat_pendukung": bool(self.letter_path),
            "status": self.status.value,
            "catatan_panitia": self.decision_note,
            "diajukan": self.created_at.isoformat(),
            "diputuskan": self.decided_at.isoformat() if self.decided_at else None,
        }
