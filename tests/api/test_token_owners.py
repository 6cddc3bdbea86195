"""A token lives only as long as its owner is active staff: an admin who switches an account off or
takes its last staff role away revokes its tokens, and a token whose owner stopped being staff some
other way is refused all the same. A new password (changed on /akun or reset from a mailed link)
revokes them too, as it ends the other sessions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from app.auth import api_tokens
from app.auth.models import ApiToken, User, UserRole
from app.core.roles import Role
from app.extensions import db
from tests.api import bearer
from tests.conftest import PASSWORD, link_in, outbox, submit

PROGRAMMES = "/api/v1/programmes"


def _edit(client: FlaskClient, user: User, roles: list[str], active: bool = True, province: str = "") -> None:
    """The admin saves the account's form on /admin/pengguna/<id>."""
    data: dict[str, object] = {"full_name": user.full_name, "email": user.email, "roles": roles}
    if active:
        data["active"] = "y"
    if province:
        data["province_code"] = province
    response = submit(client, f"/admin/pengguna/{user.id}", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _live_tokens(app: Flask, user_id: int) -> int:
    with app.app_context():
        return len(api_tokens.tokens_of(db.session.get(User, user_id)))


def test_switching_an_account_off_revokes_its_tokens(
    app: Flask, client: FlaskClient, login_as, make_user: Callable[..., User]
) -> None:
    organiser = make_user(Role.ORGANISER)
    first, second = bearer(app, organiser.id), bearer(app, organiser.id)
    assert client.get(PROGRAMMES, headers=first).status_code == 200
    login_as(Role.ADMIN)
    _edit(client, organiser, ["organiser"], active=False)
    assert _live_tokens(app, organiser.id) == 0
    with app.app_context():
        assert all(t.revoked_at is not None for t in db.session.scalars(select(ApiToken)))
    for headers in (first, second):
        assert client.get(PROGRAMMES, headers=headers).status_code == 401
    _edit(client, organiser, ["organiser"], active=True)  # switched on again: the old tokens stay revoked
    assert client.get(PROGRAMMES, headers=first).status_code == 401


def test_a_coordinator_made_a_participant_loses_their_tokens(
    app: Flask, client: FlaskClient, login_as, make_user: Callable[..., User]
) -> None:
    coordinator = make_user(Role.COORDINATOR, province_code="52")
    headers = bearer(app, coordinator.id)
    assert client.get(PROGRAMMES, headers=headers).status_code == 200
    login_as(Role.ADMIN)
    _edit(client, coordinator, ["participant"])
    assert _live_tokens(app, coordinator.id) == 0
    assert client.get(PROGRAMMES, headers=headers).status_code == 401


def test_a_change_between_staff_roles_keeps_the_tokens(
    app: Flask, client: FlaskClient, login_as, make_user: Callable[..., User]
) -> None:
    organiser = make_user(Role.ORGANISER)
    headers = bearer(app, organiser.id)
    other = bearer(app, make_user(Role.FACILITATOR).id)
    login_as(Role.ADMIN)
    _edit(client, organiser, ["coordinator", "participant"], province="52")
    assert _live_tokens(app, organiser.id) == 1
    assert client.get(PROGRAMMES, headers=headers).status_code == 200
    assert client.get(PROGRAMMES, headers=other).status_code == 200  # nobody else's token moved


@pytest.mark.parametrize("how", ["role row deleted", "switched off"])
def test_a_token_of_an_owner_no_longer_staff_is_refused_even_unrevoked(
    app: Flask, client: FlaskClient, make_user: Callable[..., User], how: str
) -> None:
    """Defence in depth: an account changed behind the services' back (a script, the database) keeps
    its token rows, and the API still refuses them."""
    organiser = make_user(Role.ORGANISER)
    headers = bearer(app, organiser.id)
    assert client.get(PROGRAMMES, headers=headers).status_code == 200
    with app.app_context():
        if how == "switched off":
            db.session.get(User, organiser.id).active = False
        else:
            db.session.execute(delete(UserRole).where(UserRole.user_id == organiser.id, UserRole.role != "participant"))
            db.session.add(UserRole(user_id=organiser.id, role=Role.PARTICIPANT))
        db.session.commit()
        assert db.session.scalars(select(ApiToken)).one().revoked_at is None
    answer = client.get(PROGRAMMES, headers=headers)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["status"] == 401


def test_revoke_unless_staff_is_a_service(app_ctx: Flask, make_user: Callable[..., User]) -> None:
    user = db.session.get(User, make_user(Role.FACILITATOR).id)
    api_tokens.create_token(user, "a")
    api_tokens.create_token(user, "b")
    assert api_tokens.revoke_unless_staff(user) == 0  # still staff
    user.active = False
    assert api_tokens.revoke_unless_staff(user) == 2
    assert api_tokens.tokens_of(user) == []


NEW_PASSWORD = "sandi-baru-yang-kuat"


def test_changing_the_password_revokes_the_tokens(
    app: Flask, client: FlaskClient, login_as, make_user: Callable[..., User]
) -> None:
    organiser = login_as(Role.ORGANISER)
    headers = bearer(app, organiser.id)
    other = bearer(app, make_user(Role.ORGANISER).id)
    page = client.get("/akun").get_data(as_text=True)
    assert "Mengganti kata sandi juga mencabut semua token API akun ini." in page
    fields = {"password-current_password": PASSWORD, "password-password": NEW_PASSWORD}
    response = submit(client, "/akun", fields | {"password-password_confirm": NEW_PASSWORD, "password-submit": "1"})
    assert response.status_code == 302
    assert _live_tokens(app, organiser.id) == 0
    assert client.get(PROGRAMMES, headers=headers).status_code == 401
    assert client.get(PROGRAMMES, headers=other).status_code == 200  # nobody else's token moved


def test_a_wrong_current_password_keeps_the_tokens(app: Flask, client: FlaskClient, login_as) -> None:
    organiser = login_as(Role.ORGANISER)
    headers = bearer(app, organiser.id)
    fields = {"password-current_password": "bukan-sandinya", "password-password": NEW_PASSWORD}
    submit(client, "/akun", fields | {"password-password_confirm": NEW_PASSWORD, "password-submit": "1"})
    assert client.get(PROGRAMMES, headers=headers).status_code == 200


def test_resetting_the_password_revokes_the_tokens(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    coordinator = make_user(Role.COORDINATOR, province_code="52")
    headers = bearer(app, coordinator.id)
    submit(client, "/lupa-sandi", {"email": coordinator.email})
    response = submit(
        client, link_in(outbox(app)[-1].body), {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert _live_tokens(app, coordinator.id) == 0
    assert client.get(PROGRAMMES, headers=headers).status_code == 401
