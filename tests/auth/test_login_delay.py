"""Wrong passwords slow the next attempt for the account, but cannot lock its owner out (#12.11)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth import throttle
from app.auth.models import LoginThrottle
from app.extensions import db
from tests.conftest import PASSWORD, csrf_token, login

WRONG = "salah-sekali-123"
GENERIC = "Email atau kata sandi salah."


def _from(client: FlaskClient, address: str, email: str, password: str):  # noqa: ANN202 - a TestResponse
    client.environ_base["REMOTE_ADDR"] = address
    return login(client, email, password)


def _five_strangers_guess(app: Flask, email: str) -> None:
    for n in range(5):
        page = _from(app.test_client(), f"198.51.100.{n + 1}", email, WRONG).get_data(as_text=True)
        assert GENERIC in page


def test_five_wrong_guesses_from_five_addresses_do_not_lock_out_the_owners_device(app: Flask, make_user, clock) -> None:
    clock("2026-12-01T08:00+07:00")
    user = make_user()
    owners_phone = app.test_client()
    assert _from(owners_phone, "103.10.20.30", user.email, PASSWORD).status_code == 302  # known from now on
    owners_phone.post("/keluar", data={"csrf_token": csrf_token(owners_phone, "/akun")})

    _five_strangers_guess(app, user.email)

    assert _from(owners_phone, "103.10.20.30", user.email, PASSWORD).status_code == 302
    assert owners_phone.get("/beranda").status_code == 200


def test_an_unknown_device_is_slowed_and_told_how_long_to_wait(app: Flask, make_user, clock) -> None:
    clock("2026-12-01T08:00+07:00")
    user = make_user()
    _five_strangers_guess(app, user.email)

    response = _from(app.test_client(), "36.72.1.2", user.email, PASSWORD)  # even the right password waits
    assert response.status_code == 429
    assert "Coba lagi dalam 1 detik" in response.get_data(as_text=True)


def test_an_attempt_inside_the_wait_is_not_checked(app: Flask, make_user, clock, monkeypatch) -> None:
    from argon2 import PasswordHasher

    clock("2026-12-01T08:00+07:00")
    user = make_user()
    _five_strangers_guess(app, user.email)
    checked: list[str] = []
    monkeypatch.setattr(PasswordHasher, "verify", lambda *args: checked.append("verify") or False)
    response = _from(app.test_client(), "36.72.1.2", user.email, PASSWORD)
    assert response.status_code == 429
    assert checked == []
    with app.app_context():  # and it does not count as one more failure
        assert db.session.scalar(select(LoginThrottle.failures)) == 5


def test_the_wait_doubles_with_each_further_failure_up_to_a_cap(app: Flask, make_user, clock) -> None:
    now = clock("2026-12-01T08:00+07:00")
    user = make_user()
    _five_strangers_guess(app, user.email)
    waits = []
    for n in range(4):
        page = _from(app.test_client(), f"36.72.1.{n}", user.email, WRONG).get_data(as_text=True)
        waits.append(re.search(r"Coba lagi dalam (\d+) detik", page).group(1))
        now = clock(now + timedelta(seconds=2**n))  # wait out the delay, then a stranger guesses again
        assert GENERIC in _from(app.test_client(), f"36.72.2.{n}", user.email, WRONG).get_data(as_text=True)
    assert waits == ["1", "2", "4", "8"]
    page = _from(app.test_client(), "36.72.3.1", user.email, WRONG).get_data(as_text=True)
    assert "Coba lagi dalam 16 detik" in page


def test_the_wait_is_capped(app_ctx, clock) -> None:
    clock("2026-12-01T08:00+07:00")
    for _ in range(40):
        throttle.record_failure("korban@perpusdes.id")
    db.session.flush()
    assert throttle.wait_seconds("korban@perpusdes.id") == app_ctx.config["LOGIN_DELAY_MAX_SECONDS"] == 900


def test_a_successful_login_resets_the_count(app: Flask, make_user, clock) -> None:
    now = clock("2026-12-01T08:00+07:00")
    user = make_user()
    _five_strangers_guess(app, user.email)
    clock(now + timedelta(seconds=1))
    desk = app.test_client()
    assert _from(desk, "36.72.1.2", user.email, PASSWORD).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(LoginThrottle)).all() == []
    stranger = app.test_client()
    assert GENERIC in _from(stranger, "198.51.100.9", user.email, WRONG).get_data(as_text=True)
    assert _from(app.test_client(), "36.72.9.9", user.email, PASSWORD).status_code == 302  # no wait after one miss


def test_an_unknown_address_is_slowed_exactly_like_an_account(app: Flask, make_user, clock) -> None:
    """The delay itself tells nothing about which addresses have accounts."""
    clock("2026-12-01T08:00+07:00")
    user = make_user()
    _five_strangers_guess(app, user.email)
    _five_strangers_guess(app, "tidak.ada@perpusdes.id")
    known = _from(app.test_client(), "36.72.1.2", user.email, WRONG)
    unknown = _from(app.test_client(), "36.72.1.3", "tidak.ada@perpusdes.id", WRONG)
    assert known.status_code == unknown.status_code == 429
    assert "Coba lagi dalam 1 detik" in known.get_data(as_text=True)
    assert "Coba lagi dalam 1 detik" in unknown.get_data(as_text=True)


def test_counters_are_kept_in_the_database_without_the_address(app: Flask, make_user, clock) -> None:
    clock("2026-12-01T08:00+07:00")
    user = make_user()
    _five_strangers_guess(app, user.email)
    with app.app_context():
        row = db.session.scalar(select(LoginThrottle))
        assert row.failures == 5
        assert user.email not in row.key
        assert len(row.key) == 64


def test_a_forged_or_foreign_known_device_cookie_does_not_help(app: Flask, make_user, clock) -> None:
    clock("2026-12-01T08:00+07:00")
    victim, attacker = make_user(), make_user()
    attackers_browser = app.test_client()
    assert _from(attackers_browser, "198.51.100.7", attacker.email, PASSWORD).status_code == 302
    attackers_browser.post("/keluar", data={"csrf_token": csrf_token(attackers_browser, "/akun")})
    _five_strangers_guess(app, victim.email)
    assert _from(attackers_browser, "198.51.100.7", victim.email, PASSWORD).status_code == 429  # knows another account
    forger = app.test_client()
    forger.set_cookie(throttle.KNOWN_DEVICE_COOKIE, "tidak-bertanda-tangan")
    assert _from(forger, "198.51.100.8", victim.email, PASSWORD).status_code == 429


@pytest.mark.parametrize("remote", ["203.0.113.5"])
def test_the_per_address_limit_still_holds(client: FlaskClient, remote: str) -> None:
    client.environ_base["REMOTE_ADDR"] = remote
    statuses = [login(client, f"orang{i}@perpusdes.id", WRONG).status_code for i in range(11)]
    assert statuses == [200] * 10 + [429]


def test_ten_strangers_on_a_shared_wifi_do_not_lock_out_a_known_device(app: Flask, make_user, clock) -> None:
    """A class's hotel Wi-Fi: ten wrong passwords behind one address use up its limit, but a phone
    that logged in to its account before still gets in; an unknown browser there still waits."""
    clock("2026-12-01T08:00+07:00")
    user = make_user()
    owners_phone = app.test_client()
    assert _from(owners_phone, "103.10.20.30", user.email, PASSWORD).status_code == 302
    owners_phone.post("/keluar", data={"csrf_token": csrf_token(owners_phone, "/akun")})
    wifi = app.test_client()
    statuses = [_from(wifi, "103.10.20.30", f"orang{i}@perpusdes.id", WRONG).status_code for i in range(11)]
    assert statuses == [200] * 10 + [429]
    assert _from(owners_phone, "103.10.20.30", user.email, PASSWORD).status_code == 302
    assert _from(app.test_client(), "103.10.20.30", user.email, PASSWORD).status_code == 429
