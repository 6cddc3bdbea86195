"""Account rules: sign-up, staff accounts, roles, login sessions, verification and reset."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from app.auth import api_tokens, signals, throttle, tokens
from app.auth.models import LoginSession, SessionEnd, User, UserRole
from app.auth.password_policy import ensure_password_allowed
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.auth.sessions import (  # noqa: F401 - the session functions are part of this module's API
    count_sessions,
    end_all_sessions,
    end_other_sessions,
    end_session,
    is_current,
    open_sessions,
    session_user,
    start_session,
)
from app.core.roles import Role
from app.core.urls import external_url
from app.errors import (
    AccountInactive,
    ConsentRequired,
    EmailNotVerified,
    EmailTaken,
    ExpiredToken,
    InvalidCredentials,
    InvalidToken,
    LoginDelayed,
    RoleChangeRefused,
)
from app.extensions import db, utcnow
from app.mail.services import send_mail


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _ensure_email_free(email: str, except_user: User | None = None) -> None:
    other = find_user_by_email(email)
    if other is not None and (except_user is None or other.id != except_user.id):
        raise EmailTaken()


def register_participant(*, email: str, full_name: str, password: str, phone: str | None, consent_version: str) -> None:
    """A participant signs themselves up; the account works once the email is verified.

    The answer never tells whether the address already has an account: either way the same page
    follows and one mail goes to the address, and either way the password is hashed (the costly
    step), so timing does not tell either. A new address gets its verification link; the owner of
    an existing account gets a note that someone tried, with a reset link; an account made for a
    nominee that was never set up gets its set-password link (whoever signs up does not choose
    that account's password)."""
    ensure_password_allowed(password, email=email, full_name=full_name, phone=phone)
    password_hash = hash_password(password)
    existing = find_user_by_email(email)
    if existing is None:
        user = User(
            email=normalise_email(email),
            full_name=full_name.strip(),
            phone=phone,
            password_hash=password_hash,
            privacy_consent_version=consent_version,
            privacy_consent_at=utcnow(),
        )
        user.roles.append(UserRole(role=Role.PARTICIPANT))
        db.session.add(user)
        db.session.flush()
        send_verification(user)
    elif existing.password_hash is None and existing.email_verified_at is None:
        send_mail(
            existing.email,
            _("Atur kata sandi akun Sibimtek Anda"),
            "account_invite",
            user=existing,
            link=setup_link(existing),
        )
    else:
        reset = external_url("auth.reset_password", token=make_reset_token(existing)) if existing.active else None
        send_mail(
            existing.email,
            _("Ada yang mencoba mendaftar dengan email Anda"),
            "signup_attempt",
            user=existing,
            reset_link=reset,
            login_link=external_url("auth.login"),
        )


def create_staff(
    *,
    email: str,
    full_name: str,
    roles: Iterable[Role],
    province_code: str | None = None,
    phone: str | None = None,
    password: str | None = None,
    send_setup_mail: bool = True,
) -> User:
    """An admin creates a staff account; the person sets their own password from the email."""
    _ensure_email_free(email)
    user = User(email=normalise_email(email), full_name=full_name.strip(), phone=phone)
    if password:
        user.password_hash = hash_password(password)
        user.email_verified_at = utcnow()
    set_roles(user, roles, province_code, by=None)  # may refuse: nothing is added then
    db.session.add(user)
    db.session.flush()
    if send_setup_mail and not password:
        send_mail(
            user.email,
            _("Akun Sibimtek Anda"),
            "account_setup",
            user=user,
            link=external_url("auth.reset_password", token=make_setup_token(user)),
        )
    return user


def set_roles(user: User, roles: Iterable[Role], province_code: str | None, by: User | None) -> None:
    """Replace a user's roles; a coordinator needs a province, an admin keeps their own admin."""
    wanted = {Role(r) for r in roles}
    if not wanted:
        raise RoleChangeRefused(_("Pilih paling sedikit satu peran."))
    if Role.COORDINATOR in wanted and not province_code:
        raise RoleChangeRefused(_("Koordinator provinsi harus diberi provinsi."))
    if by is not None and by.id == user.id and Role.ADMIN in user.role_set and Role.ADMIN not in wanted:
        raise RoleChangeRefused(_("Anda tidak dapat mencabut peran admin dari akun Anda sendiri."))
    current = {r.role: r for r in user.roles}
    for role, row in current.items():
        if role not in wanted:
            user.roles.remove(row)
    for role in wanted:
        scope = province_code if role is Role.COORDINATOR else None
        held = current.get(role)
        if held is None:
            user.roles.append(UserRole(role=role, province_code=scope))
        else:
            held.province_code = scope
    api_tokens.revoke_unless_staff(user)  # e.g. a coordinator who is now only a participant


def update_user(
    user: User,
    *,
    full_name: str,
    email: str,
    phone: str | None,
    roles: Iterable[Role],
    province_code: str | None,
    active: bool,
    by: User,
) -> None:
    """An admin edits an account; deactivating ends every session of that user and, like taking the
    last staff role away, revokes their API tokens."""
    _ensure_email_free(email, except_user=user)
    if user.id == by.id and not active:
        raise RoleChangeRefused(_("Anda tidak dapat menonaktifkan akun Anda sendiri."))
    set_roles(user, roles, province_code, by=by)
    user.full_name = full_name.strip()
    if normalise_email(email) != user.email:
        user.email = normalise_email(email)
    user.phone = phone
    if user.active and not active:
        end_all_sessions(user, SessionEnd.DEACTIVATED)
    user.active = active
    api_tokens.revoke_unless_staff(user)  # a switched-off account's integrations stop too


def update_profile(user: User, *, full_name: str, phone: str | None) -> None:
    """A person corrects their own name and WhatsApp number."""
    user.full_name = full_name.strip()
    user.phone = phone


def account_sessions(user: User, token: str | None) -> list[tuple[LoginSession, bool]]:
    """The account's live sessions, each with whether it is this browser's (`token`): this browser
    first, then the others, most recently used first."""
    listed = [(record, is_current(record, token)) for record in open_sessions(user)]
    return sorted(listed, key=lambda pair: not pair[1])


def change_password(user: User, current_password: str, new_password: str, keep_token: str | None = None) -> int:
    """A person sets a new password on /akun: every other session of the account ends (the one that
    `keep_token` names stays) and its API tokens are revoked. Returns how many sessions ended."""
    if not verify_password(user.password_hash, current_password):
        raise InvalidCredentials(_("Kata sandi saat ini salah."), field="current_password")
    ensure_password_allowed(new_password, email=user.email, full_name=user.full_name, phone=user.phone)
    user.password_hash = hash_password(new_password)
    _tell_password_changed(user)
    api_tokens.revoke_all(user)  # a token made by whoever knew the old password stops with it
    return end_other_sessions(user, keep_token, SessionEnd.PASSWORD_CHANGED)


def _tell_password_changed(user: User) -> None:
    """The owner hears of every new password (if it was not them, they act at once)."""
    from app.core.formatting import format_datetime

    send_mail(
        user.email,
        _("Kata sandi akun Sibimtek Anda diganti"),
        "password_changed",
        name=user.full_name,
        email=user.email,
        when=format_datetime(utcnow()),
        forgot_link=external_url("auth.forgot_password"),
    )


# --- login -------------------------------------------------------------------------------------


def authenticate(email: str, password: str, *, known_device: bool = False) -> User:
    """The user with these credentials, or a domain error; wrong email and wrong password look alike.

    After repeated failures for the address, an attempt from a browser that has not logged in to it
    before is refused (LoginDelayed) without the password being looked at (see app.auth.throttle)."""
    if not known_device and (wait := throttle.wait_seconds(email)):
        raise LoginDelayed(wait)
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        throttle.record_failure(email)
        raise InvalidCredentials()
    if not user.active:
        raise AccountInactive()
    if user.email_verified_at is None:
        raise EmailNotVerified()
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    throttle.record_success(email)
    return user


# --- email verification and password reset -----------------------------------------------------


def send_verification(user: User) -> None:
    # Bound to the password too: a link dies when the password changes (or is cleared by a nomination).
    token = tokens.make_token(
        "verify", {"u": user.id, "e": user.email, "p": tokens.password_fingerprint(user.password_hash)}
    )
    send_mail(
        user.email,
        _("Verifikasi email akun Sibimtek"),
        "verify_email",
        user=user,
        link=external_url("auth.verify_email", token=token),
    )


def resend_verification(email: str) -> None:
    """Send a new verification link if such an unverified account exists; silent otherwise."""
    user = find_user_by_email(email)
    if user is not None and user.active and user.email_verified_at is None:
        send_verification(user)


def account_for_verification(token: str) -> User:
    """The not-yet-verified account a verification link is for; InvalidToken otherwise."""
    payload = tokens.read_token("verify", token)
    user = db.session.get(User, payload.get("u"))
    if (
        user is None
        or user.email != payload.get("e")
        or payload.get("p") != tokens.password_fingerprint(user.password_hash)
    ):
        raise InvalidToken()
    return user


def verify_email(token: str, password: str) -> User:
    """Verify an address with the link mailed to it AND the password chosen at sign-up. The password
    keeps anyone from signing up with another person's address and waiting for them to click the
    link (pre-hijacking): the owner of the mailbox who did not sign up sets a password instead."""
    user = account_for_verification(token)
    if not verify_password(user.password_hash, password):
        raise InvalidCredentials(
            _(
                "Kata sandi salah. Jika Anda tidak membuat akun ini, jangan verifikasi: "
                "atur kata sandi Anda sendiri lewat Lupa kata sandi."
            ),
            field="password",
        )
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    signals.email_proven.send(user)
    return user


def reset_unproven(user: User) -> None:
    """An account nobody has proven the address of: drop the password, consent and pending links of
    whoever signed up with it, so only the mailbox's owner can set them (nominee invitations)."""
    if user.email_verified_at is not None:
        return
    user.password_hash = None
    user.privacy_consent_version = user.privacy_consent_at = None
    end_all_sessions(user, SessionEnd.UNPROVEN)


def make_reset_token(user: User) -> str:
    return tokens.make_token("reset", {"u": user.id, "p": tokens.password_fingerprint(user.password_hash)})


def make_setup_token(user: User) -> str:
    return tokens.make_token("setup", {"u": user.id, "p": tokens.password_fingerprint(user.password_hash)})


def request_password_reset(email: str) -> None:
    """Mail a reset link when the account exists and is active; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    send_mail(
        user.email,
        _("Atur ulang kata sandi Sibimtek"),
        "reset_password",
        user=user,
        link=external_url("auth.reset_password", token=make_reset_token(user)),
    )


def user_for_reset_token(token: str) -> User:
    """The user a reset or set-up link belongs to, if the link is genuine, fresh and unused."""
    # A genuine link of the other kind fails on its signature, so only "expired" is final.
    for purpose in ("reset", "setup"):
        try:
            payload = tokens.read_token(purpose, token)
        except ExpiredToken:
            raise
        except InvalidToken:
            continue
        break
    else:
        raise InvalidToken()
    user = db.session.get(User, payload.get("u"))
    if user is None or not user.active:
        raise InvalidToken()
    if payload.get("p") != tokens.password_fingerprint(user.password_hash):
        raise InvalidToken()
    return user


def needs_consent(user: User) -> bool:
    """A participant account made for someone (a nominee), or never proven by its mailbox's owner,
    asks for consent when its password is set from a mailed link."""
    return Role.PARTICIPANT in user.role_set and (user.privacy_consent_at is None or user.email_verified_at is None)


def reset_password(token: str, new_password: str, consent_version: str | None = None) -> User:
    """Set a new password from a link; it proves the address, signs out every session and revokes
    the account's API tokens."""
    user = user_for_reset_token(token)
    ensure_password_allowed(new_password, email=user.email, full_name=user.full_name, phone=user.phone)
    if needs_consent(user):
        if not consent_version:
            raise ConsentRequired()
        user.privacy_consent_version, user.privacy_consent_at = consent_version, utcnow()
    had_password = user.password_hash is not None
    user.password_hash = hash_password(new_password)
    if had_password:  # not the first password of a new account
        _tell_password_changed(user)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    end_all_sessions(user, SessionEnd.PASSWORD_RESET)
    api_tokens.revoke_all(user)
    throttle.record_success(user.email)  # the owner proved themselves: wrong guesses by others no longer slow them
    signals.email_proven.send(user)
    return user


def invite_participant(*, email: str, full_name: str, phone: str | None) -> User:
    """An account for a person organisers nominated: no password yet, not verified; the person
    sets a password (and gives consent) through a mailed link, which proves the address."""
    user = find_user_by_email(email)
    if user is None:
        user = User(email=normalise_email(email), full_name=full_name.strip(), phone=phone)
        user.roles.append(UserRole(role=Role.PARTICIPANT))
        db.session.add(user)
        db.session.flush()
    return user


def setup_link(user: User) -> str:
    return external_url("auth.reset_password", token=make_setup_token(user))


def users_query(q: str = "", role: Role | None = None) -> Select[tuple[User]]:
    """Accounts for the admins' list, name order, each with its roles (the list shows them)."""
    query = select(User).options(selectinload(User.roles)).order_by(User.full_name, User.id)
    if q:
        like = f"%{q}%"
        query = query.where(or_(User.full_name.ilike(like), User.email.ilike(like)))
    if role is not None:
        query = query.where(User.roles.any(UserRole.role == role))
    return query
