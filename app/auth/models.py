"""Users, the roles they hold, and the server-side record of each login session."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.roles import STAFF, Role
from app.crypto import EncryptedString
from app.extensions import Model, UTCDateTime, enum_column, utcnow


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    full_name: Mapped[str] = mapped_column(String(150))
    phone: Mapped[str | None] = mapped_column(EncryptedString(255))  # WhatsApp, E.164 (+628…), encrypted at rest
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None until set
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locale: Mapped[str | None] = mapped_column(String(5))  # preferred interface language
    privacy_consent_version: Mapped[str | None] = mapped_column(String(20))
    privacy_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    roles: Mapped[list[UserRole]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # Flask-Login reads is_active to refuse deactivated accounts.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_set(self) -> set[Role]:
        return {r.role for r in self.roles}

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(Role(r) for r in roles))

    @property
    def coordinator_province_code(self) -> str | None:
        return next((r.province_code for r in self.roles if r.role is Role.COORDINATOR), None)

    @property
    def is_staff(self) -> bool:
        return self.has_role(*STAFF)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(Model):
    """One role held by one user; a coordinator's row names the province they may read."""

    __tablename__ = "user_roles"
    __table_args__ = (
        UniqueConstraint("user_id", "role"),
        CheckConstraint(
            "(role = 'coordinator' AND province_code IS NOT NULL) OR (role <> 'coordinator' AND province_code IS NULL)",
            name="coordinator_has_province",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))

    user: Mapped[User] = relationship(back_populates="roles")


class SessionEnd(enum.StrEnum):
    """Why a login session stopped working (logging out deletes the row instead)."""

    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - on /akun: every other session of the account
    PASSWORD_RESET = "password_reset"  # noqa: S105 - from a mailed link: every session
    ENDED_BY_USER = "ended_by_user"  # "Akhiri sesi" on /akun
    DEACTIVATED = "deactivated"  # an admin switched the account off
    UNPROVEN = "unproven"  # a nomination took over an address nobody had proven
    IDLE = "idle"  # no request for SESSION_IDLE_MINUTES
    EXPIRED = "expired"  # older than SESSION_ABSOLUTE_HOURS


class LoginSession(Model):
    """A signed-in browser. The session cookie carries a random token whose hash is kept here; each
    request checks the row (ended, idle, too old), so the server decides when a login ends."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # moved at most once a minute
    device: Mapped[str | None] = mapped_column(String(80))  # "Chrome di Android", from the user agent
    address: Mapped[str | None] = mapped_column(String(45))  # masked on the way in: 103.10.x.x
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_reason: Mapped[SessionEnd | None] = mapped_column(enum_column(SessionEnd))


class LoginThrottle(Model):
    """Failed logins for one email address, known or not (so the answer does not tell which): after
    a few, the next attempt from a device that has not logged in to that account must wait."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC-SHA256 of the address, hex
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ApiToken(Model):
    """A personal access token of the read-only API (`Authorization: Bearer sbt_…`). Only a SHA-256
    of the secret is kept: the token itself is shown once, when it is made."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))  # what the owner uses it for ("Dasbor dinas NTB")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the whole token, hex
    prefix: Mapped[str] = mapped_column(String(12))  # "sbt_" and the first characters: recognisable in a list
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # moved at most once a minute
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: until revoked
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
