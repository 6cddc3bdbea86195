"""Personal access tokens of the read-only API: made (shown once), listed, revoked, and checked on
each API request. Only staff hold them: the API serves offices that read programme figures and lists
of people; a participant's own data has its own copy on /akun (privacy.my_data_json)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import joinedload

from app import clock
from app.auth.models import ApiToken, User
from app.core.roles import STAFF
from app.errors import DomainError
from app.extensions import db

PREFIX = "sbt_"
MAX_ACTIVE = 10  # live tokens per account: enough for a few integrations, not a token per request
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at moves at most this often: one UPDATE a minute
EXPIRY_DAYS = (30, 90, 365)  # what the form offers; 0 means "until revoked"


class TokenRefused(DomainError):
    """This account may not make another token."""


@dataclass(frozen=True)
class NewToken:
    record: ApiToken
    secret: str  # the whole token: shown once, never stored


def hash_token(secret: str) -> str:
    """SHA-256 of the token: enough for 256 random bits (nothing to guess), no key to rotate."""
    return hashlib.sha256(secret.encode()).hexdigest()


def may_hold_tokens(user: User) -> bool:
    return user.has_role(*STAFF)


def tokens_of(user: User) -> list[ApiToken]:
    """The account's tokens that still work, newest first."""
    now = clock.now()
    return [
        t
        for t in db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
        if t.expires_at is None or t.expires_at > now
    ]


def create_token(user: User, name: str, days: int | None = None) -> NewToken:
    """A new token for `user`, valid for `days` (None: until revoked). The caller shows `secret` once.
    A name that a live token of the account already has (any case) is refused: a reloaded form would
    otherwise make a second token the owner never saw."""
    if not may_hold_tokens(user):
        raise TokenRefused(_("Hanya staf yang dapat membuat token API."))
    live = tokens_of(user)
    name = name.strip()
    if any(t.name.casefold() == name.casefold() for t in live):
        raise TokenRefused(
            _("Sudah ada token aktif bernama %(name)s. Pakai nama lain, atau cabut token itu dulu.", name=name),
            field="name",
        )
    if len(live) >= MAX_ACTIVE:
        raise TokenRefused(_("Paling banyak %(n)s token aktif. Cabut token yang tidak dipakai.", n=MAX_ACTIVE))
    secret = PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    record = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[:10],
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    db.session.add(record)
    db.session.flush()
    return NewToken(record, secret)


def find_own_token(user: User, token_id: int) -> ApiToken | None:
    """One of the account's live tokens (another account's, or a revoked one, is None: a 404)."""
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user.id and token.revoked_at is None else None


def revoke(token: ApiToken) -> None:
    token.revoked_at = clock.now()


def revoke_all(user: User) -> int:
    """Revoke every token of the account not yet revoked (one UPDATE); how many were revoked."""
    result: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]  # an UPDATE gives a cursor
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def revoke_unless_staff(user: User) -> int:
    """An account switched off or no longer staff keeps no live token (how many were revoked): its
    integrations stop at once rather than at each token's expiry."""
    if user.id is None or (user.is_active and may_hold_tokens(user)):
        return 0
    return revoke_all(user)


def authenticate(secret: str, now: datetime | None = None) -> User | None:
    """The active staff account a token belongs to, or None (unknown, revoked, expired, or an account
    switched off or no longer staff). Two statements; last_used_at is moved at most once a minute."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    now = now or clock.now()
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(secret))
        .options(joinedload(ApiToken.user).selectinload(User.roles))
    )
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    user = token.user
    if not user.is_active or not may_hold_tokens(user):
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
    return user
