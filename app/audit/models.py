"""One audit entry per change of a planned object (programme, batch, class, …), and one per access to
people's personal data (a registration viewed, a list exported, a letter downloaded: UU PDP)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.enums import LabelledStrEnum
from app.extensions import Model, UTCDateTime, utcnow


class AccessAction(LabelledStrEnum):
    """What was done with personal data (the `action` of an access entry)."""

    VIEWED = "viewed", _l("Dilihat")  # a page with one person's data (the organiser's registration detail)
    EXPORTED = "exported", _l("Diekspor")  # a file of many people (XLSX, PDF) or a person's own copy
    DOWNLOADED = "downloaded", _l("Diunduh")  # an uploaded document (assignment letter) or stored files


ACCESS_ACTIONS = tuple(a.value for a in AccessAction)

# What an access disclosed: the keys stored in AuditEntry.what, shown in the reader's language.
ACCESS_WHAT_LABELS = {
    "registration_detail": _l("Detail pendaftaran"),
    "registrations_xlsx": _l("Daftar pendaftar (XLSX)"),
    "attendance_xlsx": _l("Laporan presensi (XLSX)"),
    "sign_in_sheet_pdf": _l("Daftar hadir (PDF)"),
    "letter": _l("Surat tugas"),
    "certificate": _l("Sertifikat (PDF)"),
    "certificates_bulk": _l("Berkas sertifikat (ZIP/PDF)"),
    "own_data_json": _l("Salinan data pribadi (JSON)"),
    "own_data_xlsx": _l("Salinan data pribadi (XLSX)"),
    "access_log_xlsx": _l("Log akses data (XLSX)"),
    "nik_claim_detail": _l("Detail klaim NIK"),
    "nik_claim_letter": _l("Surat pendukung klaim NIK"),
    "data_request_detail": _l("Detail permintaan data"),
    "api_registrations": _l("Peserta kelas lewat API"),
}

# The subjects an access is about (AuditEntry.object_type), for the filter and the list.
SUBJECT_LABELS = {
    "registrations": _l("Pendaftaran"),
    "classes": _l("Kelas"),
    "batches": _l("Angkatan"),
    "programmes": _l("Program"),
    "users": _l("Akun"),
    "audit_entries": _l("Log akses data"),
    "nik_claims": _l("Klaim NIK"),
    "data_requests": _l("Permintaan data"),
}


class AuditEntry(Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_object", "object_type", "object_id"),
        Index("ix_audit_entries_action_at", "action", "at"),  # the admins' access log, newest first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    object_type: Mapped[str] = mapped_column(String(40))  # table name, e.g. "classes"
    object_id: Mapped[int | None]  # None: an access with no one subject (the access log's own export)
    action: Mapped[str] = mapped_column(String(40))  # created, updated, status, copied, deleted… or AccessAction
    # {"field": [old, new], …} with values as display strings
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    # Access entries only: what was disclosed (a key of ACCESS_WHAT_LABELS) about whom (the subject's
    # name when it was read, e.g. the class: never a person's name, which outlives no purge), to how
    # many people, whether NIK was in full, and the reader's address without its host part.
    what: Mapped[str | None] = mapped_column(String(40))
    subject_label: Mapped[str | None] = mapped_column(String(200))
    people_count: Mapped[int | None]
    full_nik: Mapped[bool] = mapped_column(default=False, server_default=false())
    ip_address: Mapped[str | None] = mapped_column(String(45))  # 203.0.113.0/24, 2001:db8:1::/48

    user: Mapped[User | None] = relationship()

    @property
    def access_action(self) -> AccessAction | None:
        return AccessAction(self.action) if self.action in ACCESS_ACTIONS else None

    @property
    def what_label(self) -> str:
        return str(ACCESS_WHAT_LABELS.get(self.what or "", self.what or ""))

    @property
    def subject_type_label(self) -> str:
        return str(SUBJECT_LABELS.get(self.object_type, self.object_type))
