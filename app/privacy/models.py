"""A data-subject request (UU PDP): a person asks for access to, correction or deletion of their data,
and the organisers answer within 3 × 24 hours."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.enums import LabelledStrEnum
from app.extensions import Model, UTCDateTime, enum_column


class DataRequestKind(LabelledStrEnum):
    ACCESS = "access", _l("Akses dan salinan data")  # akses dan salinan data (the copy itself is self-service)
    CORRECTION = "correction", _l("Perbaikan data")  # perbaikan
    DELETION = "deletion", _l("Penghapusan data")  # penghapusan


class DataRequestStatus(LabelledStrEnum):
    RECEIVED = "received", _l("Diterima")  # diterima: filed, nobody has answered yet
    IN_PROGRESS = "in_progress", _l("Diproses")  # diproses: an organiser answered that it is being handled
    DONE = "done", _l("Selesai")  # selesai
    REFUSED = "refused", _l("Ditolak")  # ditolak, with the reason in the answer

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = (DataRequestStatus.RECEIVED, DataRequestStatus.IN_PROGRESS)


class DataRequest(Model):
    __tablename__ = "data_requests"
    __table_args__ = (Index("ix_data_requests_status_due_at", "status", "due_at"),)  # the open ones by deadline

    id: Mapped[int] = mapped_column(primary_key=True)
    # The requester; None once their account is gone (the request and its answer stay on record).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[DataRequestKind] = mapped_column(enum_column(DataRequestKind))
    details: Mapped[str] = mapped_column(Text)  # what the person asks, in their words (≤ 2,000 characters)
    status: Mapped[DataRequestStatus] = mapped_column(enum_column(DataRequestStatus))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # received_at + 3 × 24 hours (UU PDP)
    answer: Mapped[str | None] = mapped_column(Text)  # the latest answer, mailed to the requester
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # done or refused

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    def is_overdue(self, now: datetime) -> bool:
        """Still open after the deadline (at the deadline itself it is not late yet)."""
        return self.is_open and now > self.due_at

    @property
    def closed_late(self) -> bool:
        return self.closed_at is not None and self.closed_at > self.due_at
