"""Every email the app sends, kept as a log (and as the outbox when there is no SMTP)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.enums import LabelledStrEnum
from app.extensions import Model, UTCDateTime, enum_column, utcnow


class MailStatus(LabelledStrEnum):
    OUTBOX = "outbox", _l("Kotak keluar")  # no SMTP configured: kept here for developers to read
    QUEUED = (
        "queued",
        _l("Antre"),
    )  # SMTP configured: sent once its transaction commits (by the worker with Redis)
    SENT = "sent", _l("Terkirim")
    FAILED = "failed", _l("Gagal")


class OutboxMessage(Model):
    __tablename__ = "mail_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    # The text is kept only while the mail sits in the outbox; once SMTP delivered it, links
    # with tokens have no business staying in the database.
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
