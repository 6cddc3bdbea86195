"""Account rules called directly: hashing, roles, sessions, tokens."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth import services, tokens
from app.auth.models import User, UserRole
from app.core.roles import Role
from app.errors import (
    AccountInactive,
    EmailNotVerified,
    EmailTaken,
    ExpiredToken,
    InvalidCredentials,
    InvalidToken,
    RoleChangeRefused,
)
from app.extensions import db


def _staff(*roles: Role, email: str = "staf@perpusnas.go.id", province: str | None = None) -> User:
    return services.create_staff(
        email=email, full_name="Staf", roles=roles, province_code=province, password="kata-sandi-kuat"
    )


def test_passwords_are_hashed_with_argon2id(app_ctx) -> None:
    user = _staff(Role.ORGANISER)
    assert user.password_hash.startswith("$argon2id$")
    assert "kata-sandi-kuat" not in user.password_hash
    assert services.authenticate("STAF@perpusnas.go.id", "kata-sandi-kuat") is user


def test_authenticate_refuses_wrong_password_unknown_email_inactive_unverified(app_ctx) -> None:
    user = _staff(Role.ORGANISER)
    with pytest.raises(InvalidCredentials):
        services.authenticate(user.email, "bukan-sandinya")
    with pytest.raises(InvalidCredentials):
        services.authenticate("tidak@ada.id", "kata-sandi-kuat")
    user.active = False
    with pytest.raises(AccountInactive):
        services.authenticate(user.email, "kata-sandi-kuat")
    user.active, user.email_verified_at = True, None
    with pytest.raises(EmailNotVerified):
        services.authenticate(user.email, "kata-sandi-kuat")


def test_one_user_can_hold_several_roles(app_ctx) -> None:
    user = _staff(Role.ORGANISER, Role.FACILITATOR)
    assert user.has_role(Role.FACILITATOR)
    assert user.has_role(Role.ADMIN, Role.ORGANISER)
    assert not user.has_role(Role.ADMIN)


def test_coordinator_needs_a_province(app_ctx) -> None:
    with pytest.raises(RoleChangeRefused):
        _staff(Role.COORDINATOR)
    user = _staff(Role.COORDINATOR, province="52")
    assert user.coordinator_province_code == "52"


def test_database_refuses_a_coordinator_role_without_province(app_ctx) -> None:
    user = _staff(Role.ORGANISER)
    db.session.add(UserRole(user_id=user.id, role=Role.COORDINATOR, province_code=None))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(app_ctx) -> None:
    admin = _staff(Role.ADMIN)
    with pytest.raises(RoleChangeRefused):
        services.set_roles(admin, [Role.ORGANISER], None, by=admin)
    with pytest.raises(RoleChangeRefused):
        services.update_user(
            admin,
            full_name="A",
            email=admin.email,
            phone=None,
            roles=[Role.ADMIN],
            province_code=None,
            active=False,
            by=admin,
        )


def test_email_must_be_unique(app_ctx) -> None:
    _staff(Role.ORGANISER)
    with pytest.raises(EmailTaken):
        _staff(Role.FACILITATOR, email="Staf@Perpusnas.go.id")


def test_staff_account_without_password_gets_a_setup_mail(app_ctx) -> None:
    from app.mail.models import OutboxMessage

    user = services.create_staff(email="baru@perpusnas.go.id", full_name="Baru", roles=[Role.FACILITATOR])
    assert user.password_hash is None
    mail = db.session.scalar(select(OutboxMessage))
    assert mail.recipient == "baru@perpusnas.go.id"
    assert "/atur-sandi/" in mail.body
    token = mail.body.split("/atur-sandi/")[1].split()[0]
    assert services.user_for_reset_token(token) is user
    services.reset_password(token, "sandi-pertama-saya")
    assert user.email_verified_at is not None
    with pytest.raises(InvalidToken):
        services.user_for_reset_token(token)  # single use


def test_login_sessions_end_one_by_one_or_all(app_ctx) -> None:
    user = _staff(Role.ORGANISER)
    phone = services.start_session(user, ip_address="10.0.0.1", user_agent="HP")
    laptop = services.start_session(user, ip_address="10.0.0.2", user_agent="Laptop")
    db.session.flush()
    assert services.session_user(user.id, phone) is user
    services.end_session(phone)
    assert services.session_user(user.id, phone) is None
    assert services.session_user(user.id, laptop) is user
    services.end_all_sessions(user)
    assert services.count_sessions(user) == 0


def test_tokens_are_bound_to_their_purpose_and_expire(app_ctx) -> None:
    token = tokens.make_token("verify", {"u": 1})
    assert tokens.read_token("verify", token) == {"u": 1}
    with pytest.raises(InvalidToken):
        tokens.read_token("reset", token)
    app_ctx.config["EMAIL_VERIFY_MAX_AGE"] = -1
    try:
        with pytest.raises(ExpiredToken):
            tokens.read_token("verify", token)
    finally:
        app_ctx.config["EMAIL_VERIFY_MAX_AGE"] = 3 * 24 * 3600


def test_a_password_change_kills_older_reset_links(app_ctx) -> None:
    user = _staff(Role.ORGANISER)
    token = services.make_reset_token(user)
    services.change_password(user, "kata-sandi-kuat", "kata-sandi-lain-1")
    with pytest.raises(InvalidToken):
        services.user_for_reset_token(token)
