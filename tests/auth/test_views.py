"""Login, logout, sign-up, verification and reset, driven through the test client."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.models import LoginSession, User
from app.core.roles import Role
from app.extensions import db
from tests.conftest import PASSWORD, csrf_token, link_in, login, outbox, submit

GENERIC = "Email atau kata sandi salah."


def test_login_takes_each_role_to_its_home(client: FlaskClient, make_user) -> None:
    user = make_user(Role.ORGANISER)
    response = login(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/beranda")
    page = client.get("/beranda").get_data(as_text=True)
    assert "Beranda Panitia" in page
    assert "Beranda Admin" not in page


def test_login_email_is_case_insensitive(client: FlaskClient, make_user) -> None:
    user = make_user()
    assert login(client, user.email.upper()).status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_message(client: FlaskClient, make_user) -> None:
    user = make_user()
    wrong = login(client, user.email, "salah-sekali-123").get_data(as_text=True)
    unknown = login(client, "tidak.ada@perpustakaan.id").get_data(as_text=True)
    assert GENERIC in wrong
    assert GENERIC in unknown
    assert client.get("/beranda").status_code == 302  # still not logged in


def test_repeated_failures_from_one_address_answer_429(client: FlaskClient) -> None:
    statuses = [login(client, f"orang{i}@perpustakaan.id", "salah-sekali-123").status_code for i in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_successful_logins_do_not_count_towards_the_limit(client: FlaskClient, make_user) -> None:
    user = make_user()
    for _ in range(7):
        assert login(client, user.email).status_code == 302
        client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})


def test_unverified_account_cannot_log_in(client: FlaskClient, make_user) -> None:
    user = make_user(verified=False)
    page = login(client, user.email).get_data(as_text=True)
    assert "belum diverifikasi" in page
    assert client.get("/beranda").status_code == 302


def test_deactivated_account_cannot_log_in(client: FlaskClient, make_user, app: Flask) -> None:
    user = make_user()
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert "dinonaktifkan" in login(client, user.email).get_data(as_text=True)


def test_login_rotates_the_session(client: FlaskClient, make_user) -> None:
    user = make_user()
    client.get("/masuk")
    before = client.get_cookie("session").value
    login(client, user.email)
    after = client.get_cookie("session").value
    assert before != after


def test_logout_ends_the_session_even_for_a_copied_cookie(app: Flask, make_user) -> None:
    user = make_user()
    browser = app.test_client()
    login(browser, user.email)
    stolen = browser.get_cookie("session").value
    browser.post("/keluar", data={"csrf_token": csrf_token(browser, "/akun")})
    assert browser.get("/beranda").status_code == 302

    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/beranda")
    assert response.status_code == 302
    assert "/masuk" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).all() == []


def test_logout_needs_post(client: FlaskClient, login_as) -> None:
    login_as()
    assert client.get("/keluar").status_code == 405
    assert client.get("/beranda").status_code == 200


def test_open_redirect_after_login_is_refused(client: FlaskClient, make_user) -> None:
    user = make_user()
    token = csrf_token(client, "/masuk")
    response = client.post(
        "/masuk?next=//evil.example/x", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"].endswith("/beranda")


def test_a_next_address_with_a_newline_is_ignored_not_a_500(client: FlaskClient, make_user) -> None:
    """From an attacker's trial: a control character in ?next= reached the Location header (500)."""
    user = make_user()
    token = csrf_token(client, "/masuk")
    bad = "/katalog%0d%0aSet-Cookie:x%3D1"
    response = client.post(f"/masuk?next={bad}", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/beranda")
    switched = client.get(f"/bahasa/en?next={bad}")
    assert switched.status_code == 302
    assert "Set-Cookie" not in switched.headers["Location"]


def test_next_page_is_honoured(client: FlaskClient, make_user) -> None:
    user = make_user(Role.ADMIN)
    assert client.get("/admin/pengguna").headers["Location"].startswith("/masuk?next=")
    token = csrf_token(client, "/masuk")
    response = client.post(
        "/masuk?next=/admin/pengguna", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/admin/pengguna"


def test_post_without_csrf_token_is_a_400_page(client: FlaskClient, make_user) -> None:
    user = make_user()
    response = client.post("/masuk", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Formulir kedaluwarsa" in response.get_data(as_text=True)
    assert client.get("/beranda").status_code == 302


# --- sign-up and verification ---------------------------------------------------------------


SIGNUP = {
    "full_name": "Baiq  Nurul Hidayati, S.Pd.",
    "email": "Baiq.Nurul@Perpusdes.id",
    "phone": "0812-3456-7890",
    "password": "perpustakaan-desa-1",
    "password_confirm": "perpustakaan-desa-1",
    "consent": "y",
}


def test_sign_up_verify_then_log_in(client: FlaskClient, app: Flask) -> None:
    response = submit(client, "/daftar", SIGNUP)
    assert response.status_code == 200
    assert "Periksa email Anda" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "baiq.nurul@perpusdes.id"))
        assert user.full_name == "Baiq Nurul Hidayati, S.Pd."
        assert user.phone == "+6281234567890"
        assert user.role_set == {Role.PARTICIPANT}
        assert user.privacy_consent_version == app.config["PRIVACY_NOTICE_VERSION"]
        assert user.privacy_consent_at is not None
        assert user.password_hash.startswith("$argon2id$")
    assert "belum diverifikasi" in login(client, SIGNUP["email"], SIGNUP["password"]).get_data(as_text=True)

    mail = outbox(app)[-1]
    assert mail.recipient == "baiq.nurul@perpusdes.id"
    assert "Baiq" not in mail.body  # the name was typed by whoever signed up: not in the greeting
    link = link_in(mail.body)
    assert "masukkan kata sandi" in client.get(link).get_data(as_text=True)  # the link alone verifies nothing
    wrong = submit(client, link, {"password": "bukan-sandinya-1"}).get_data(as_text=True)
    assert "Kata sandi salah" in wrong
    verify = submit(client, link, {"password": SIGNUP["password"]})
    assert verify.headers["Location"].endswith("/masuk")
    assert login(client, SIGNUP["email"], SIGNUP["password"]).status_code == 302
    assert "Beranda Peserta" in client.get("/beranda").get_data(as_text=True)


def test_sign_up_with_malformed_email_shows_a_message_on_the_field(client: FlaskClient) -> None:
    page = submit(client, "/daftar", {**SIGNUP, "email": "baiq@@perpus"}).get_data(as_text=True)
    assert "Format email tidak valid" in page
    assert 'id="email"' in page
    assert "is-invalid" in page


def test_sign_up_requires_consent(client: FlaskClient) -> None:
    data = {k: v for k, v in SIGNUP.items() if k != "consent"}
    page = submit(client, "/daftar", data).get_data(as_text=True)
    assert "menyetujui Pemberitahuan Privasi" in page


def test_sign_up_checks_whatsapp_number_and_password(client: FlaskClient) -> None:
    page = submit(
        client, "/daftar", {**SIGNUP, "phone": "12345", "password": "123", "password_confirm": "124"}
    ).get_data(as_text=True)
    assert "Nomor WhatsApp tidak valid" in page
    assert "Kata sandi minimal 10 karakter" in page
    assert "Kedua kata sandi tidak sama" in page


def test_someone_who_signed_up_with_my_address_cannot_have_me_verify_it(client: FlaskClient, app: Flask) -> None:
    """Pre-hijacking: an attacker signs up with the victim's address and password of their choosing;
    the victim clicks the verification link but does not know that password, so nothing is verified;
    setting a password from a reset link makes the account the victim's."""
    submit(
        client,
        "/daftar",
        {
            **SIGNUP,
            "full_name": "PENTING: klik tautan nominasi",
            "password": "sandi-penyerang-1",
            "password_confirm": "sandi-penyerang-1",
        },
    )
    mail = outbox(app)[-1]
    assert "PENTING" not in mail.body
    link = link_in(mail.body)
    assert "Kata sandi salah" in submit(client, link, {"password": "tebakan-korban-1"}).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.email_verified_at)) is None
    submit(client, "/lupa-sandi", {"email": SIGNUP["email"]})
    reset = link_in(outbox(app)[-1].body)
    submit(client, reset, {"password": "sandi-korban-123", "password_confirm": "sandi-korban-123", "consent": "y"})
    assert login(client, SIGNUP["email"], "sandi-penyerang-1").status_code == 200
    assert login(client, SIGNUP["email"], "sandi-korban-123").status_code == 302
    with app.app_context():  # the victim's own consent, given on the set-password page
        user = db.session.scalar(select(User))
        assert user.email_verified_at is not None
    response = client.get(link, follow_redirects=True)  # the old verification link is dead
    assert "Tautan tidak valid" in response.get_data(as_text=True)


def test_tampered_verification_link_changes_nothing(client: FlaskClient, app: Flask) -> None:
    submit(client, "/daftar", SIGNUP)
    link = link_in(outbox(app)[-1].body)
    response = client.get(link[:-3] + "abc", follow_redirects=True)
    assert "Tautan tidak valid" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.email_verified_at)) is None


# --- password reset --------------------------------------------------------------------------


def test_forgot_password_then_reset_through_the_mailed_link(client: FlaskClient, app: Flask, make_user) -> None:
    user = make_user()
    response = submit(client, "/lupa-sandi", {"email": user.email}, follow_redirects=True)
    assert "Jika email itu terdaftar" in response.get_data(as_text=True)
    link = link_in(outbox(app)[-1].body)

    new = {"password": "sandi-baru-yang-kuat", "password_confirm": "sandi-baru-yang-kuat"}
    assert submit(client, link, new).headers["Location"].endswith("/masuk")
    assert login(client, user.email, PASSWORD).status_code == 200  # the old password is gone
    assert login(client, user.email, "sandi-baru-yang-kuat").status_code == 302

    # single use: the same link no longer works, and nothing changes
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    again = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "Tautan tidak valid" in again


def test_forgot_password_for_unknown_email_says_the_same_and_sends_nothing(client: FlaskClient, app: Flask) -> None:
    response = submit(client, "/lupa-sandi", {"email": "siapa@perpustakaan.id"}, follow_redirects=True)
    assert "Jika email itu terdaftar" in response.get_data(as_text=True)
    assert outbox(app) == []


def test_tampered_reset_token_is_refused_and_changes_nothing(client: FlaskClient, app: Flask, make_user) -> None:
    user = make_user()
    submit(client, "/lupa-sandi", {"email": user.email})
    link = link_in(outbox(app)[-1].body)
    tampered = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    response = client.get(tampered, follow_redirects=True)
    assert "Tautan tidak valid" in response.get_data(as_text=True)
    post = client.post(tampered, data={"password": "sandi-baru-yang-kuat", "password_confirm": "sandi-baru-yang-kuat"})
    assert post.status_code in (302, 400)
    assert login(client, user.email, PASSWORD).status_code == 302


def test_expired_reset_token_is_refused(client: FlaskClient, app: Flask, make_user) -> None:
    user = make_user()
    submit(client, "/lupa-sandi", {"email": user.email})
    link = link_in(outbox(app)[-1].body)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        page = client.get(link, follow_redirects=True).get_data(as_text=True)
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600
    assert "kedaluwarsa" in page
    assert login(client, user.email, PASSWORD).status_code == 302


def test_reset_signs_out_other_sessions(app: Flask, make_user) -> None:
    user = make_user()
    phone = app.test_client()
    login(phone, user.email)
    desk = app.test_client()
    submit(desk, "/lupa-sandi", {"email": user.email})
    new = {"password": "sandi-baru-yang-kuat", "password_confirm": "sandi-baru-yang-kuat"}
    submit(desk, link_in(outbox(app)[-1].body), new)
    assert phone.get("/beranda").status_code == 302


# --- own account -------------------------------------------------------------------------------


def test_user_corrects_own_name_and_whatsapp(client: FlaskClient, login_as, app: Flask) -> None:
    user = login_as()
    response = submit(
        client,
        "/akun",
        {"profile-full_name": "Nama Baru, S.Sos.", "profile-phone": "+62 813 1111 2222", "profile-submit": "1"},
    )
    assert response.status_code == 302
    with app.app_context():
        fresh = db.session.get(User, user.id)
        assert (fresh.full_name, fresh.phone) == ("Nama Baru, S.Sos.", "+6281311112222")


def test_change_password_needs_the_current_one(client: FlaskClient, login_as) -> None:
    login_as()
    page = submit(
        client,
        "/akun",
        {
            "password-current_password": "bukan-ini-123",
            "password-password": "sandi-baru-yang-kuat",
            "password-password_confirm": "sandi-baru-yang-kuat",
            "password-submit": "1",
        },
    ).get_data(as_text=True)
    assert "Kata sandi saat ini salah" in page
