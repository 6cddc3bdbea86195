"""Data-subject requests: filed by the person, answered by the organisers within 3 × 24 hours (UU PDP),
each step mailed to the requester."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from app import clock
from app.auth.models import User
from app.core.text import mask_long_numbers
from app.errors import DomainError
from app.extensions import db
from app.mail.services import send_mail
from app.privacy.models import OPEN_STATUSES, DataRequest, DataRequestKind, DataRequestStatus

# UU No. 27/2022: access and correction requests are answered within 3 × 24 hours.
ANSWER_WITHIN = timedelta(hours=3 * 24)
ANSWER_STATUSES = (DataRequestStatus.IN_PROGRESS, DataRequestStatus.DONE, DataRequestStatus.REFUSED)


class RequestClosed(DomainError):
    message = _l("Permintaan ini sudah selesai atau ditolak; tidak dapat dijawab lagi.")


class InvalidAnswer(DomainError):
    field = "status"
    message = _l("Pilih status Diproses, Selesai atau Ditolak.")


def deadline(received_at: datetime) -> datetime:
    return received_at + ANSWER_WITHIN


def file_request(user: User, kind: DataRequestKind, details: str) -> DataRequest:
    """Record a request now (the clock's now), with its deadline; tell the requester and the organisers."""
    now = clock.now()
    request = DataRequest(
        user_id=user.id,
        kind=kind,
        details=mask_long_numbers(details.strip()),  # "Jangan tuliskan NIK lengkap": kept masked if typed
        status=DataRequestStatus.RECEIVED,
        received_at=now,
        due_at=deadline(now),
    )
    db.session.add(request)
    db.session.flush()
    send_mail(
        user.email,
        _("Permintaan data pribadi Anda kami terima"),
        "privacy_request_received",
        data_request=request,
        name=user.full_name,
    )
    send_mail(
        current_app.config["SUPPORT_EMAIL"],
        _("Permintaan data pribadi baru: %(kind)s", kind=kind.label),
        "privacy_request_new",
        data_request=request,
    )
    return request


def answer(request: DataRequest, status: DataRequestStatus, text: str, by: User) -> None:
    """An organiser's answer: the new status and the text, mailed to the requester. Done and refused
    requests are closed."""
    if not request.is_open:
        raise RequestClosed()
    if status not in ANSWER_STATUSES:
        raise InvalidAnswer()
    now = clock.now()
    request.status = status
    request.answer = text.strip()
    request.answered_at, request.answered_by_id = now, by.id
    if not status.is_open:
        request.closed_at = now
    db.session.flush()
    if request.user is not None:
        send_mail(
            request.user.email,
            _("Permintaan data pribadi Anda: %(status)s", status=status.label),
            "privacy_request_answered",
            data_request=request,
            name=request.user.full_name,
        )


def requests_of(user: User) -> list[DataRequest]:
    """The person's own requests, newest first."""
    return list(
        db.session.scalars(
            select(DataRequest)
            .where(DataRequest.user_id == user.id)
            .order_by(DataRequest.received_at.desc(), DataRequest.id.desc())
        )
    )


def own_request(request_id: int, user: User) -> DataRequest | None:
    """The request if it is `user`'s; someone else's does not exist for them."""
    request = db.session.get(DataRequest, request_id)
    return request if request is not None and request.user_id == user.id else None


# --- the organisers' list ---------------------------------------------------------------------------------

STATE_FILTERS = ("terbuka", "terlambat", "selesai", "semua")  # ?status= on the organisers' list


def request_query(state: str = "terbuka", kind: DataRequestKind | None = None, now: datetime | None = None) -> Select:
    """Requests for the organisers' list, with their requester in the same statement: open ones by
    deadline (the most urgent first), closed ones newest first."""
    now = now or clock.now()
    query = select(DataRequest).options(joinedload(DataRequest.user))
    if state in ("terbuka", "terlambat"):
        query = query.where(DataRequest.status.in_(OPEN_STATUSES))
        if state == "terlambat":
            query = query.where(DataRequest.due_at < now)
        query = query.order_by(DataRequest.due_at, DataRequest.id)
    else:
        if state == "selesai":
            query = query.where(DataRequest.status.not_in(OPEN_STATUSES))
        query = query.order_by(DataRequest.received_at.desc(), DataRequest.id.desc())
    if kind is not None:
        query = query.where(DataRequest.kind == kind)
    return query


@dataclass(frozen=True)
class OpenCounts:
    open: int
    overdue: int


def open_counts(now: datetime | None = None) -> OpenCounts:
    """Open requests and, among them, those past their deadline: one statement (the organisers' home)."""
    now = now or clock.now()
    total, overdue = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((DataRequest.due_at < now, 1), else_=0)), 0)).where(
            DataRequest.status.in_(OPEN_STATUSES)
        )
    ).one()
    return OpenCounts(open=int(total), overdue=int(overdue))
