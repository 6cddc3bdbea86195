"""PostgreSQL unreachable for a while: every request answers a clear 503 page with its incident id,
nothing half-written is left, /readyz says which dependency failed, and the app recovers by itself
when the database is back. The app talks to PostgreSQL through a TCP forwarder the test cuts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, make_url, select

from app import create_app
from app.core.roles import Role
from app.extensions import db
from app.registration.models import Registration
from tests.conftest import csrf_token, login
from tests.registration.test_views import _form
from tests.tcp_proxy import TcpProxy


@pytest.fixture
def proxied(app: Flask) -> Iterator[tuple[Flask, TcpProxy]]:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL outage: runs on the PostgreSQL pass (DATABASE_URL=postgresql://…)")
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    site = create_app(
        "testing",
        {
            "SERVER_NAME": None,
            "SQLALCHEMY_DATABASE_URI": url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        },
    )
    yield site, proxy
    proxy.close()
    with site.app_context():
        db.engine.dispose()


def _registrations(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Registration.id))) or 0


def test_an_outage_is_a_clear_503_and_the_app_recovers_by_itself(app, proxied, make_user, open_class, library) -> None:
    site, proxy = proxied
    user = make_user(Role.PARTICIPANT)
    class_id = open_class(capacity=5)
    form = _form(library("52"))
    browser = site.test_client()
    assert login(browser, user.email).status_code == 302
    url = f"/katalog/{class_id}/daftar"
    token = csrf_token(browser, url)

    proxy.cut()
    posted = browser.post(url, data={"csrf_token": token, **form})
    assert posted.status_code == 503
    page = posted.get_data(as_text=True)
    assert "Basis data sedang tidak dapat dihubungi" in page
    assert "periksa dulu hasilnya" in page
    assert f"Kode insiden: {posted.headers['X-Request-ID']}" in page
    assert posted.headers["Retry-After"] == "30"
    assert "5271014508900001" not in page
    mine = browser.get("/pendaftaran-saya")
    assert mine.status_code == 503
    assert "Layanan sedang terganggu" in mine.get_data(as_text=True)
    api = browser.get("/api/v1/programmes", headers={"Accept": "application/json"})
    assert api.status_code == 503
    assert api.is_json
    ready = browser.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["database"].startswith("fail")
    assert browser.get("/healthz").status_code == 200
    assert _registrations(app) == 0  # nothing half-written

    proxy.restore()
    assert browser.get("/readyz").status_code == 200
    assert browser.get("/pendaftaran-saya").status_code == 200  # still logged in: the session outlived the outage
    again = browser.post(url, data={"csrf_token": csrf_token(browser, url), **form})
    assert again.status_code == 302, again.get_data(as_text=True)[:1000]
    assert _registrations(app) == 1
