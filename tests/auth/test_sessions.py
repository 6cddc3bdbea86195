"""Login sessions end on the server: password change, idle and absolute timeouts, ended from /akun (#12.3)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.models import LoginSession, SessionEnd
from app.extensions import db
from config import Config
from tests.conftest import PASSWORD, csrf_token, login, submit

ENDED = "Sesi Anda berakhir, silakan masuk lagi."
PHONE = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Mobile Safari/537.36"
)
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"


@pytest.fixture(autouse=True)
def production_timeouts(app: Flask) -> Iterator[None]:
    """The defaults of config.Config (the test configuration leaves sessions open for years)."""
    saved = app.config["SESSION_IDLE_MINUTES"], app.config["SESSION_ABSOLUTE_HOURS"]
    app.config.update(
        SESSION_IDLE_MINUTES=Config.SESSION_IDLE_MINUTES, SESSION_ABSOLUTE_HOURS=Config.SESSION_ABSOLUTE_HOURS
    )
    yield
    app.config["SESSION_IDLE_MINUTES"], app.config["SESSION_ABSOLUTE_HOURS"] = saved


def _browser(app: Flask, user_agent: str = PHONE, address: str = "103.10.20.30") -> FlaskClient:
    browser = app.test_client()
    browser.environ_base.update({"HTTP_USER_AGENT": user_agent, "REMOTE_ADDR": address})
    return browser


def _logged_out_with_message(browser: FlaskClient) -> bool:
    response = browser.get("/beranda")
    if response.status_code != 302 or not response.headers["Location"].startswith("/masuk"):
        return False
    return ENDED in browser.get(response.headers["Location"]).get_data(as_text=True)


def _sessions(app: Flask, user_id: int) -> list[LoginSession]:
    with app.app_context():
        rows = db.session.scalars(
            select(LoginSession).where(LoginSession.user_id == user_id).order_by(LoginSession.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def test_a_password_change_logs_out_the_other_browser_on_its_next_request(app: Flask, make_user) -> None:
    user = make_user()
    phone, desk = _browser(app), _browser(app, LAPTOP, "36.72.1.2")
    assert login(phone, user.email).status_code == 302
    assert login(desk, user.email).status_code == 302

    response = submit(
        desk,
        "/akun",
        {
            "password-current_password": PASSWORD,
            "password-password": "sandi-baru-yang-kuat",
            "password-password_confirm": "sandi-baru-yang-kuat",
            "password-submit": "1",
        },
    )
    assert response.status_code == 302
    assert "1 sesi lain diakhiri" in desk.get("/akun").get_data(as_text=True)

    assert _logged_out_with_message(phone)
    assert desk.get("/beranda").status_code == 200  # the browser that changed it stays in
    ended = [s for s in _sessions(app, user.id) if s.ended_at is not None]
    assert [s.ended_reason for s in ended] == [SessionEnd.PASSWORD_CHANGED]


def test_a_session_ends_after_two_idle_hours(app: Flask, make_user, clock) -> None:
    start = clock("2026-12-01T08:00+07:00")
    user = make_user()
    phone = _browser(app)
    login(phone, user.email)
    clock(start + timedelta(minutes=119))
    assert phone.get("/beranda").status_code == 200  # in use: the idle time starts again
    clock(start + timedelta(minutes=119 + 119))
    assert phone.get("/beranda").status_code == 200
    clock(start + timedelta(minutes=119 + 119 + 121))
    assert _logged_out_with_message(phone)
    assert [s.ended_reason for s in _sessions(app, user.id)] == [SessionEnd.IDLE]


def test_a_session_ends_twelve_hours_after_login_however_busy(app: Flask, make_user, clock) -> None:
    start = clock("2026-12-01T07:00+07:00")
    user = make_user()
    phone = _browser(app)
    login(phone, user.email)
    for hour in range(1, 12):
        clock(start + timedelta(hours=hour))
        assert phone.get("/beranda").status_code == 200
    clock(start + timedelta(hours=12, minutes=1))
    assert _logged_out_with_message(phone)
    assert [s.ended_reason for s in _sessions(app, user.id)] == [SessionEnd.EXPIRED]


def test_timeouts_follow_the_configuration(app: Flask, make_user, clock) -> None:
    start = clock("2026-12-01T08:00+07:00")
    user = make_user()
    phone = _browser(app)
    login(phone, user.email)
    app.config["SESSION_IDLE_MINUTES"] = 10
    clock(start + timedelta(minutes=11))
    assert _logged_out_with_message(phone)


def test_last_seen_is_written_at_most_once_a_minute(app: Flask, make_user, clock, count_queries) -> None:
    start = clock("2026-12-01T08:00+07:00")
    user = make_user()
    phone = _browser(app)
    login(phone, user.email)
    phone.get("/akun")
    clock(start + timedelta(seconds=30))
    with count_queries() as quiet:
        phone.get("/akun")
    assert _sessions(app, user.id)[0].last_seen_at == start
    clock(start + timedelta(seconds=90))
    with count_queries() as touched:
        phone.get("/akun")
    assert _sessions(app, user.id)[0].last_seen_at == start + timedelta(seconds=90)
    # one UPDATE (and on SQLite the BEGIN of the transaction after it), not one per request
    assert touched.count - quiet.count <= 2


def test_akun_lists_the_sessions_with_device_masked_address_and_this_device_marked(app: Flask, make_user) -> None:
    user = make_user()
    phone, laptop = _browser(app), _browser(app, LAPTOP, "36.72.1.2")
    login(phone, user.email)
    login(laptop, user.email)
    page = phone.get("/akun").get_data(as_text=True)
    assert "Sesi aktif" in page
    assert "Chrome, Android" in page
    assert "Firefox, Windows" in page
    assert "103.10.x.x" in page
    assert "36.72.x.x" in page
    assert "103.10.20.30" not in page
    assert page.count("Perangkat ini") == 1
    assert page.index("Perangkat ini") < page.index("Firefox, Windows")  # this device first: most recent
    assert "Akhiri sesi lain" in page
    stored = _sessions(app, user.id)
    assert {s.address for s in stored} == {"103.10.x.x", "36.72.x.x"}  # the full address is never kept
    assert {s.device for s in stored} == {"Chrome, Android", "Firefox, Windows"}


def test_ending_the_other_sessions_from_akun(app: Flask, make_user) -> None:
    user = make_user()
    phone, laptop, desk = _browser(app), _browser(app, LAPTOP, "36.72.1.2"), _browser(app, LAPTOP, "36.72.9.9")
    for browser in (phone, laptop, desk):
        login(browser, user.email)
    response = desk.post("/akun/sesi/akhiri-lain", data={"csrf_token": csrf_token(desk, "/akun")})
    assert response.status_code == 302
    assert "2 sesi lain diakhiri" in desk.get("/akun").get_data(as_text=True)
    assert _logged_out_with_message(phone)
    assert _logged_out_with_message(laptop)
    assert desk.get("/beranda").status_code == 200


def test_ending_one_session_from_akun(app: Flask, make_user) -> None:
    user = make_user()
    phone, laptop = _browser(app), _browser(app, LAPTOP, "36.72.1.2")
    login(phone, user.email)
    login(laptop, user.email)
    phone_session = next(s for s in _sessions(app, user.id) if s.device == "Chrome, Android")
    response = laptop.post(f"/akun/sesi/{phone_session.id}/akhiri", data={"csrf_token": csrf_token(laptop, "/akun")})
    assert response.status_code == 302
    assert "Sesi di Chrome, Android diakhiri" in laptop.get("/akun").get_data(as_text=True)
    assert _logged_out_with_message(phone)
    assert laptop.get("/beranda").status_code == 200


def test_ending_the_session_of_this_browser_logs_it_out(app: Flask, make_user) -> None:
    user = make_user()
    phone = _browser(app)
    login(phone, user.email)
    own = _sessions(app, user.id)[0]
    response = phone.post(f"/akun/sesi/{own.id}/akhiri", data={"csrf_token": csrf_token(phone, "/akun")})
    assert response.headers["Location"].startswith("/masuk")
    assert phone.get("/beranda").status_code == 302


def test_a_user_cannot_end_another_users_session(app: Flask, make_user) -> None:
    owner, other = make_user(), make_user()
    owners_phone, others_phone = _browser(app), _browser(app)
    login(owners_phone, owner.email)
    login(others_phone, other.email)
    theirs = _sessions(app, other.id)[0]
    response = owners_phone.post(
        f"/akun/sesi/{theirs.id}/akhiri", data={"csrf_token": csrf_token(owners_phone, "/akun")}
    )
    assert response.status_code == 404
    assert others_phone.get("/beranda").status_code == 200
    assert _sessions(app, other.id)[0].ended_at is None
    assert (
        owners_phone.post(
            "/akun/sesi/999999/akhiri", data={"csrf_token": csrf_token(owners_phone, "/akun")}
        ).status_code
        == 404
    )


def test_ending_sessions_needs_the_csrf_token(app: Flask, make_user) -> None:
    user = make_user()
    phone, laptop = _browser(app), _browser(app, LAPTOP)
    login(phone, user.email)
    login(laptop, user.email)
    assert laptop.post("/akun/sesi/akhiri-lain").status_code == 400
    phone_session = _sessions(app, user.id)[0]
    assert laptop.post(f"/akun/sesi/{phone_session.id}/akhiri").status_code == 400
    assert phone.get("/beranda").status_code == 200


def test_a_reset_link_ends_every_session(app: Flask, make_user) -> None:
    from tests.conftest import link_in, outbox

    user = make_user()
    phone, desk = _browser(app), _browser(app, LAPTOP)
    login(phone, user.email)
    login(desk, user.email)
    submit(app.test_client(), "/lupa-sandi", {"email": user.email})
    new = {"password": "sandi-baru-yang-kuat", "password_confirm": "sandi-baru-yang-kuat"}
    assert submit(desk, link_in(outbox(app)[-1].body), new).status_code == 302
    assert _logged_out_with_message(phone)
    assert desk.get("/beranda").status_code == 302  # the browser that used the link logs in afresh
    assert {s.ended_reason for s in _sessions(app, user.id)} == {SessionEnd.PASSWORD_RESET}


def test_a_remember_me_cookie_logs_nobody_in(app: Flask, make_user) -> None:
    from flask_login.utils import encode_cookie

    user = make_user()
    stranger = app.test_client()
    with app.test_request_context():
        stranger.set_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"), encode_cookie(str(user.id)))
    response = stranger.get("/beranda")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


def test_the_owner_is_mailed_when_the_password_changes(app, client, make_user) -> None:
    from tests.conftest import outbox

    user = make_user()
    login(client, user.email)
    new = "rak-buku-di-lombok-timur"
    submit(
        client,
        "/akun",
        {
            "password-current_password": PASSWORD,
            "password-password": new,
            "password-password_confirm": new,
            "password-submit": "y",
        },
    )
    mail = outbox(app)[-1]
    assert mail.recipient == user.email
    assert "diganti" in mail.subject
    assert "/lupa-sandi" in mail.body


def test_the_current_password_cannot_be_guessed_on_the_account_page(client, make_user) -> None:
    """Someone at a library PC left logged in tries passwords on /akun: ten tries an hour."""
    user = make_user()
    login(client, user.email)
    new = "rak-buku-di-lombok-timur"
    statuses = [
        submit(
            client,
            "/akun",
            {
                "password-current_password": f"tebakan-ke-{n}",
                "password-password": new,
                "password-password_confirm": new,
                "password-submit": "y",
            },
        ).status_code
        for n in range(11)
    ]
    assert statuses == [200] * 10 + [429]


def test_account_sessions_put_this_browser_first_then_the_most_recently_used(app: Flask, make_user, clock) -> None:
    from app.auth import services
    from app.auth.models import User

    start = clock("2026-12-01T08:00+07:00")
    user = make_user()
    with app.app_context(), app.test_request_context():
        owner = db.session.get(User, user.id)
        here = services.start_session(owner, ip_address="103.10.20.30", user_agent=PHONE)
        clock(start + timedelta(minutes=5))
        services.start_session(owner, ip_address="36.72.1.2", user_agent=LAPTOP)
        clock(start + timedelta(minutes=10))
        services.start_session(owner, ip_address="36.72.9.9", user_agent=LAPTOP)
        db.session.commit()
        listed = services.account_sessions(owner, here)
        assert [current for _record, current in listed] == [True, False, False]
        assert [record.address for record, _current in listed] == ["103.10.x.x", "36.72.x.x", "36.72.x.x"]
        assert listed[1][0].last_seen_at > listed[2][0].last_seen_at
        assert not any(current for _record, current in services.account_sessions(owner, None))


def test_akun_shows_the_ten_newest_sessions_and_counts_the_rest(app: Flask, make_user, clock) -> None:
    from app.auth import services
    from app.auth.models import User

    start = clock("2026-12-01T08:00+07:00")
    user = make_user()
    with app.app_context(), app.test_request_context():
        owner = db.session.get(User, user.id)
        for n in range(13):  # 13 other browsers, the newest last
            clock(start + timedelta(minutes=n))
            services.start_session(owner, ip_address=f"36.{n + 10}.1.2", user_agent=LAPTOP)
        db.session.commit()
    clock(start + timedelta(minutes=20))
    phone = _browser(app)
    login(phone, user.email)
    page = phone.get("/akun").get_data(as_text=True)
    sessions = page[page.index('id="sessions"') : page.index("</ul>", page.index('id="sessions"'))]
    assert sessions.count('class="list-group-item') == 10
    assert "Perangkat ini" in sessions  # this browser first
    assert sessions.count("/akun/sesi/") == 9  # then the nine most recently used others
    assert all(f"36.{n + 10}.x.x" in sessions for n in range(4, 13))
    assert not any(f"36.{n + 10}.x.x" in page for n in range(4))
    assert "4 sesi lain yang lebih lama tidak ditampilkan" in page
    ended = phone.post("/akun/sesi/akhiri-lain", data={"csrf_token": csrf_token(phone, "/akun")})
    assert ended.status_code == 302
    assert "13 sesi lain diakhiri" in phone.get("/akun").get_data(as_text=True)  # the hidden ones too


def test_akun_without_hidden_sessions_says_nothing_more(app: Flask, make_user) -> None:
    user = make_user()
    phone = _browser(app)
    login(phone, user.email)
    assert 'id="more-sessions"' not in phone.get("/akun").get_data(as_text=True)
