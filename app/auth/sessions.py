"""Login sessions kept on the server: started at login, checked on every request, listed and ended."""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, CursorResult, delete, func, or_, select, update
from sqlalchemy.orm import joinedload

from app import clock
from app.auth.models import LoginSession, SessionEnd, User
from app.extensions import db


class SessionEnded(Exception):
    """The login session named by the cookie is over. A plain exception, not a DomainError: it is
    raised inside Flask-Login's user loader, where building a translated message would look up the
    language through current_user, that is, through the loader again."""


# last_seen_at moves at most this often: one UPDATE a minute per browser, not one per request.
TOUCH_EVERY = timedelta(minutes=1)
# Ended and long-idle rows are kept this long (the other device's next request says why it ended).
KEEP_ENDED = timedelta(days=30)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def absolute_limit() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])


def mask_address(ip: str | None) -> str | None:
    """Enough of an address to recognise a network, not a person: 103.10.x.x, 2001:db8:x:x:…"""
    try:
        parsed = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return None
    if parsed.version == 4:
        first, second = str(parsed).split(".")[:2]
        return f"{first}.{second}.x.x"
    if parsed.ipv4_mapped is not None:
        return mask_address(str(parsed.ipv4_mapped))
    groups = parsed.exploded.split(":")[:2]
    return ":".join(g.lstrip("0") or "0" for g in groups) + ":x:x:…"


# Checked in order: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    (r"Edg(?:e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"SamsungBrowser/", "Samsung Internet"),
    (r"UCBrowser/", "UC Browser"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
)
_SYSTEMS = (
    (r"Android", "Android"),
    (r"iPhone", "iPhone"),
    (r"iPad", "iPad"),
    (r"Windows", "Windows"),
    (r"CrOS", "ChromeOS"),
    (r"Macintosh|Mac OS X", "macOS"),
    (r"Linux", "Linux"),
)


def describe_user_agent(user_agent: str | None) -> str | None:
    """The browser and system in words ("Chrome, Android"); the full user agent is not kept."""
    text = (user_agent or "")[:512]
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, text)), None)
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, text)), None)
    described = ", ".join(part for part in (browser, system) if part)
    return described[:80] or None


def start_session(user: User, *, ip_address: str | None, user_agent: str | None) -> str:
    """Record a new login and return the random token that the session cookie will carry."""
    now = clock.now()
    db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id,
            or_(LoginSession.ended_at < now - KEEP_ENDED, LoginSession.last_seen_at < now - KEEP_ENDED),
        )
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            token_hash=_hash_token(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            device=describe_user_agent(user_agent),
            address=mask_address(ip_address),
        )
    )
    user.last_login_at = now
    return token


def _expiry(record: LoginSession, now: datetime) -> SessionEnd | None:
    if now - record.created_at > absolute_limit():
        return SessionEnd.EXPIRED
    if now - record.last_seen_at > idle_limit():
        return SessionEnd.IDLE
    return None


def resume_session(user_id: int, token: str | None) -> User | None:
    """The user of the live session that `token` names, its last-seen time moved on (at most once a
    minute); None when no token is given; SessionEnded when the session is over (ended, idle too
    long, too old, or the account switched off). The caller commits what changed."""
    if not token:
        return None
    row = (
        db.session.execute(
            select(User, LoginSession)
            .join(LoginSession, LoginSession.user_id == User.id)
            .where(LoginSession.token_hash == _hash_token(token))
            .options(joinedload(User.roles))  # every page asks them (access checks, the menu): same statement
        )
        .unique()
        .first()
    )
    if row is None or row.User.id != user_id:
        raise SessionEnded()
    user, record = row.User, row.LoginSession
    now = clock.now()
    if record.ended_at is None:
        reason = _expiry(record, now) or (None if user.active else SessionEnd.DEACTIVATED)
        if reason is not None:
            record.ended_at, record.ended_reason = now, reason
    if record.ended_at is not None:
        raise SessionEnded()
    if now - record.last_seen_at >= TOUCH_EVERY:
        record.last_seen_at = now
    return user


def session_user(user_id: int, token: str | None) -> User | None:
    """The user of a still-open login session, else None."""
    try:
        return resume_session(user_id, token)
    except SessionEnded:
        return None


def _open(user: User, now: datetime) -> ColumnElement[bool]:
    return (
        (LoginSession.user_id == user.id)
        & LoginSession.ended_at.is_(None)
        & (LoginSession.last_seen_at >= now - idle_limit())
        & (LoginSession.created_at >= now - absolute_limit())
    )


def open_sessions(user: User) -> list[LoginSession]:
    """The account's live sessions, the most recently used first."""
    now = clock.now()
    return list(
        db.session.scalars(
            select(LoginSession)
            .where(_open(user, now))
            .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
        )
    )


def count_sessions(user: User) -> int:
    now = clock.now()
    return db.session.scalar(select(func.count()).select_from(LoginSession).where(_open(user, now))) or 0


def is_current(record: LoginSession, token: str | None) -> bool:
    return bool(token) and record.token_hash == _hash_token(token or "")


def find_open_session(user: User, session_id: int) -> LoginSession | None:
    """One of the account's own live sessions (another account's is never found)."""
    now = clock.now()
    return db.session.scalar(select(LoginSession).where(_open(user, now), LoginSession.id == session_id))


def end_session(token: str | None) -> None:
    """Logging out: the row goes, so a copied cookie stops working."""
    if token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == _hash_token(token)))


def end_record(record: LoginSession, reason: SessionEnd = SessionEnd.ENDED_BY_USER) -> None:
    record.ended_at, record.ended_reason = clock.now(), reason


def end_other_sessions(user: User, keep_token: str | None, reason: SessionEnd = SessionEnd.ENDED_BY_USER) -> int:
    """End every live session of the account except the one `keep_token` names; how many ended."""
    now = clock.now()
    query = update(LoginSession).where(_open(user, now))
    if keep_token:
        query = query.where(LoginSession.token_hash != _hash_token(keep_token))
    result: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]  # an UPDATE gives a cursor
        query.values(ended_at=now, ended_reason=reason).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def end_all_sessions(user: User, reason: SessionEnd = SessionEnd.DEACTIVATED) -> int:
    return end_other_sessions(user, None, reason)
