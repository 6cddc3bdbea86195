"""Personal access tokens: made on /akun and shown once, kept only as a hash, revoked; every request
without a live token is a 401 in the API's error shape."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app import clock
from app.auth import api_tokens
from app.auth.models import ApiToken, User
from app.core.roles import Role
from app.extensions import db
from tests.api import bearer
from tests.conftest import csrf_token, submit

TOKEN = re.compile(r"sbt_[A-Za-z0-9_-]{43}")


def _post_form(client: FlaskClient, name: str, days: str = "90") -> TestResponse:
    """The token form of /akun sent (it posts to /akun/token-api, whose GET leads back to /akun)."""
    data = {"csrf_token": csrf_token(client, "/akun"), "token-name": name, "token-days": days}
    return client.post("/akun/token-api", data=data)


def _make_on_page(client: FlaskClient, name: str = "Dasbor NTB") -> str:
    response = _post_form(client, name)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    found = TOKEN.findall(response.get_data(as_text=True))
    assert len(found) == 1
    return found[0]


def test_staff_make_a_token_shown_once_and_kept_only_as_a_hash(app: Flask, client: FlaskClient, login_as) -> None:
    user = login_as(Role.COORDINATOR, province_code="52")
    secret = _make_on_page(client)
    assert not TOKEN.search(client.get("/akun").get_data(as_text=True))  # shown once
    assert secret[:10] in client.get("/akun").get_data(as_text=True)  # the prefix names it in the list
    with app.app_context():
        stored = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
        assert stored.token_hash == api_tokens.hash_token(secret)
        row = db.session.execute(select(ApiToken.__table__)).one()
        assert all(secret not in str(value) for value in row)
        assert stored.expires_at is not None
        assert stored.expires_at - clock.now() > timedelta(days=89)
    answer = client.get("/api/v1/programmes", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200
    with app.app_context():
        assert db.session.scalars(select(ApiToken)).one().last_used_at is not None


def test_participants_get_no_token(app: Flask, client: FlaskClient, login_as) -> None:
    user = login_as(Role.PARTICIPANT)
    assert "token-name" not in client.get("/akun").get_data(as_text=True)
    token = csrf_token(client, "/akun")
    response = client.post("/akun/token-api", data={"csrf_token": token, "token-name": "x", "token-days": "30"})
    assert response.status_code == 403
    with app.app_context(), pytest.raises(api_tokens.TokenRefused):
        api_tokens.create_token(db.session.get(User, user.id), "x")


def test_revoked_token_is_a_401(app: Flask, client: FlaskClient, login_as) -> None:
    login_as(Role.ORGANISER)
    secret = _make_on_page(client)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/programmes", headers=headers).status_code == 200
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    response = submit(client, f"/akun/token-api/{token_id}/cabut", {}, follow_redirects=False)
    assert response.status_code == 302
    answer = client.get("/api/v1/programmes", headers=headers)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["status"] == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_nobody_revokes_another_accounts_token(app: Flask, client: FlaskClient, login_as, make_user) -> None:
    other = make_user(Role.ORGANISER)
    bearer(app, other.id)
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    login_as(Role.ORGANISER)
    assert submit(client, f"/akun/token-api/{token_id}/cabut", {}).status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer sbt_bukan-token", "Basic dXNlcjpwYXNz", "Bearer " + "sbt_" + "A" * 43, "bearer  "],
)
def test_no_live_token_is_a_401_in_json(client: FlaskClient, header: str | None) -> None:
    response = client.get("/api/v1/classes", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.is_json
    assert set(response.get_json()["error"]) == {"status", "message"}


def test_expired_token_and_switched_off_account_are_401s(app: Flask, client: FlaskClient, make_user) -> None:
    user = make_user(Role.ORGANISER)
    headers = bearer(app, user.id)
    assert client.get("/api/v1/programmes", headers=headers).status_code == 200
    with app.app_context():
        db.session.scalars(select(ApiToken)).one().expires_at = clock.now() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/api/v1/programmes", headers=headers).status_code == 401
    headers = bearer(app, user.id)
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.get("/api/v1/programmes", headers=headers).status_code == 401


def test_a_browser_session_alone_is_not_enough(client: FlaskClient, login_as) -> None:
    login_as(Role.ORGANISER)
    assert client.get("/api/v1/programmes").status_code == 401


def test_the_limit_is_per_token(app: Flask, client: FlaskClient, make_user: Callable[..., User], monkeypatch) -> None:
    monkeypatch.setitem(app.config, "API_LIMIT", "3 per minute")
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    from app.extensions import limiter

    limiter.reset()
    first, second = bearer(app, make_user(Role.ORGANISER).id), bearer(app, make_user(Role.ORGANISER).id)
    codes = [client.get("/api/v1/programmes", headers=first).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/api/v1/programmes", headers=first).get_json()["error"]["status"] == 429
    assert client.get("/api/v1/programmes", headers=second).status_code == 200
    limiter.reset()


def test_made_up_tokens_share_their_address_limit(app: Flask, client: FlaskClient, monkeypatch) -> None:
    import secrets

    monkeypatch.setitem(app.config, "API_LIMIT", "3 per minute")
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    from app.extensions import limiter

    limiter.reset()
    # From an attacker's trial: each invented token had its own allowance, so the address had none.
    codes = [
        client.get(
            "/api/v1/programmes", headers={"Authorization": f"Bearer sbt_{secrets.token_urlsafe(32)}"}
        ).status_code
        for _ in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]
    assert client.get("/api/v1/programmes").status_code == 429  # the same address, no token
    limiter.reset()


class _SubmitButtons(HTMLParser):
    """The submit buttons of a page, each with the action of its form and its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.buttons: list[tuple[str | None, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            self.action = dict(attrs).get("action")
        elif tag == "button" and dict(attrs).get("type") == "submit":
            self.buttons.append((self.action, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.action = None


def test_revoking_a_token_asks_first(app: Flask, client: FlaskClient, login_as) -> None:
    """The "Cabut" button carries the page's one confirmation (static/js/app.js `data-confirm`)."""
    login_as(Role.COORDINATOR, province_code="52")
    _make_on_page(client, "Dasbor dinas NTB")
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    page = client.get("/akun").get_data(as_text=True)
    parser = _SubmitButtons()
    parser.feed(page)
    revoking = [attrs for action, attrs in parser.buttons if action == f"/akun/token-api/{token_id}/cabut"]
    assert len(revoking) == 1
    assert "Dasbor dinas NTB" in (revoking[0].get("data-confirm") or "")
    assert "js/app.js" in page
    script = (Path(app.static_folder or "") / "js" / "app.js").read_text()
    assert "[data-confirm]" in script
    assert "window.confirm" in script


def test_a_reloaded_form_makes_no_second_token_of_the_same_name(app: Flask, client: FlaskClient, login_as) -> None:
    """The new token is the POST's answer: a reload sends the form again, and is refused on the name."""
    user = login_as(Role.ORGANISER)
    _make_on_page(client, "Dasbor NTB")
    again = _post_form(client, " dasbor ntb ")
    assert again.status_code == 422
    page = again.get_data(as_text=True)
    assert "Sudah ada token aktif bernama dasbor ntb." in page
    assert not TOKEN.search(page)
    with app.app_context():
        assert [t.name for t in api_tokens.tokens_of(db.session.get(User, user.id))] == ["Dasbor NTB"]
        db.session.scalars(select(ApiToken)).one().revoked_at = clock.now()
        db.session.commit()
    _make_on_page(client, "Dasbor NTB")  # the name is free again once its token is revoked


def test_opening_the_forms_address_leads_to_the_token_list(client: FlaskClient, login_as) -> None:
    login_as(Role.COORDINATOR, province_code="52")
    response = client.get("/akun/token-api")
    assert response.status_code == 302
    assert response.headers["Location"] == "/akun#api-tokens"


def test_the_new_token_has_a_copy_button(app: Flask, client: FlaskClient, login_as) -> None:
    """static/js/app.js copies the element `data-copy` names (the clipboard, or the text selected)."""
    login_as(Role.ORGANISER)
    response = _post_form(client, "Salinan", "30")
    page = response.get_data(as_text=True)
    button = re.search(r'<button type="button"[^>]*data-copy="new-api-token-secret"[^>]*>Salin</button>', page)
    assert button
    assert 'data-copied="Tersalin"' in button.group(0)
    assert re.search(r'id="new-api-token-secret">sbt_', page)
    script = (Path(app.static_folder or "") / "js" / "app.js").read_text()
    assert "[data-copy]" in script
    assert "navigator.clipboard.writeText" in script
