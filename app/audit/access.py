"""Who viewed, exported or downloaded whose personal data (UU PDP): one audit entry per access, written
with the request's one commit (a single INSERT, never a query per person), and the admins' list of them."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from app import clock
from app.audit.models import ACCESS_ACTIONS, AccessAction, AuditEntry
from app.auth.models import User
from app.extensions import db


def mask_address(address: str | None) -> str | None:
    """The network of an address, not the host: 203.0.113.7 → 203.0.113.0/24, an IPv6 address → its /48.
    Enough to tell an office from a stranger; an address is personal data too."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def record_access(
    by: User | None,
    action: AccessAction,
    what: str,
    subject_type: str,
    subject_id: int | None,
    *,
    subject_label: str | None = None,
    people: int,
    full_nik: bool = False,
    address: str | None = None,
) -> AuditEntry:
    """Add one access entry (not flushed: the caller's commit writes it, the request's one INSERT)."""
    entry = AuditEntry(
        at=clock.now(),
        user_id=by.id if by is not None else None,
        object_type=subject_type,
        object_id=subject_id,
        action=action.value,
        changes={},
        what=what,
        subject_label=(subject_label or "")[:200] or None,
        people_count=people,
        full_nik=full_nik,
        ip_address=mask_address(address),
    )
    db.session.add(entry)
    return entry


def log_access(
    action: AccessAction,
    what: str,
    subject_type: str,
    subject_id: int | None,
    *,
    subject_label: str | None = None,
    people: int,
    full_nik: bool = False,
) -> AuditEntry:
    """`record_access` by the current user from the current request's address; the view commits."""
    user = current_user if current_user and current_user.is_authenticated else None
    return record_access(
        user,
        action,
        what,
        subject_type,
        subject_id,
        subject_label=subject_label,
        people=people,
        full_nik=full_nik,
        address=request.remote_addr if has_request_context() else None,
    )


# --- the admins' list -----------------------------------------------------------------------------------


@dataclass
class AccessFilters:
    """What the admin narrowed the list to; None or empty means "any"."""

    actor: str = ""  # part of the reader's name or email
    subject_type: str | None = None
    subject_id: int | None = None
    action: AccessAction | None = None
    since: date | None = None  # days in WIB, both ends included
    until: date | None = None
    full_nik_only: bool = False


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.DEFAULT_ZONE)


def access_query(filters: AccessFilters) -> Select:
    """Access entries matching `filters`, newest first (the reader is joined in the same statement)."""
    query = select(AuditEntry).where(AuditEntry.action.in_(ACCESS_ACTIONS)).options(joinedload(AuditEntry.user))
    if filters.actor:
        like = f"%{filters.actor}%"
        query = query.where(AuditEntry.user.has(or_(User.full_name.ilike(like), User.email.ilike(like))))
    if filters.subject_type:
        query = query.where(AuditEntry.object_type == filters.subject_type)
    if filters.subject_id is not None:
        query = query.where(AuditEntry.object_id == filters.subject_id)
    if filters.action is not None:
        query = query.where(AuditEntry.action == filters.action.value)
    if filters.since is not None:
        query = query.where(AuditEntry.at >= _day_start(filters.since))
    if filters.until is not None:
        query = query.where(AuditEntry.at < _day_start(filters.until + timedelta(days=1)))
    if filters.full_nik_only:
        query = query.where(AuditEntry.full_nik.is_(True))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
