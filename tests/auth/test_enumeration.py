"""Sign-up, reset and resend-verification answer the same whether an account exists (#12.10)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.auth import services
from app.auth.models import User
from app.extensions import db
from tests.conftest import link_in, login, outbox, submit

SIGNUP = {
    "full_name": "Lalu Ahmad Zaini",
    "phone": "0819-0700-1234",
    "password": "rak-buku-di-lombok-timur",
    "password_confirm": "rak-buku-di-lombok-timur",
    "consent": "y",
}
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')


def _comparable(body: str, email: str) -> str:
    """The page as a person sees it, less the per-session CSRF token and the address they typed."""
    return CSRF_VALUE.sub(lambda m: "".join(g for g in m.groups() if g), body).replace(email, "EMAIL")


def _answer(app: Flask, url: str, data: dict[str, object], email: str) -> tuple[int, str, str]:
    browser = app.test_client()
    response = submit(browser, url, data)
    location = response.headers.get("Location", "")
    body = (
        browser.get(location).get_data(as_text=True) if response.status_code == 302 else response.get_data(as_text=True)
    )
    return response.status_code, location, _comparable(body, email)


def _users(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_sign_up_answers_the_same_for_a_taken_address(app: Flask, make_user) -> None:
    owner = make_user(email="zaini@perpusdes.id")
    taken = _answer(app, "/daftar", {**SIGNUP, "email": owner.email}, owner.email)
    new = _answer(app, "/daftar", {**SIGNUP, "email": "baru@perpusdes.id"}, "baru@perpusdes.id")
    assert taken == new
    assert taken[0] == 200
    assert "Periksa email Anda" in taken[2]
    assert "sudah terdaftar" not in taken[2]


def test_the_owner_of_a_taken_address_is_told_and_can_reset(app: Flask, make_user) -> None:
    owner = make_user(email="zaini@perpusdes.id")
    submit(app.test_client(), "/daftar", {**SIGNUP, "email": "Zaini@Perpusdes.id"})
    assert _users(app) == 1  # nothing created, the account untouched
    assert login(app.test_client(), owner.email).status_code == 302

    note = outbox(app)[-1]
    assert note.recipient == owner.email
    assert note.subject == "Ada yang mencoba mendaftar dengan email Anda"
    assert "Lalu Ahmad" not in note.body  # the name typed by whoever tried is not repeated to the owner
    reset = link_in(note.body.split("berlaku 1 jam):")[1])
    browser = app.test_client()
    new = {"password": "sandi-baru-yang-kuat", "password_confirm": "sandi-baru-yang-kuat"}
    assert submit(browser, reset, new).headers["Location"].endswith("/masuk")
    assert login(browser, owner.email, "sandi-baru-yang-kuat").status_code == 302


def test_a_new_address_gets_its_verification_link(app: Flask) -> None:
    submit(app.test_client(), "/daftar", {**SIGNUP, "email": "baru@perpusdes.id"})
    mail = outbox(app)[-1]
    assert (mail.recipient, mail.subject) == ("baru@perpusdes.id", "Verifikasi email akun Sibimtek")
    assert _users(app) == 1


@pytest.mark.parametrize("taken", [True, False])
def test_sign_up_hashes_the_password_whether_the_address_is_taken_or_not(
    app: Flask, make_user, monkeypatch: pytest.MonkeyPatch, taken: bool
) -> None:
    """The costly step happens on both paths, so the time of the answer does not tell them apart."""
    owner = make_user(email="zaini@perpusdes.id")
    hashed: list[str] = []
    real = services.hash_password
    monkeypatch.setattr(services, "hash_password", lambda password: hashed.append(password) or real(password))
    submit(app.test_client(), "/daftar", {**SIGNUP, "email": owner.email if taken else "baru@perpusdes.id"})
    assert hashed == [SIGNUP["password"]]
    assert len(outbox(app)) == 1  # and one mail either way


def test_reset_answers_the_same_for_a_known_and_an_unknown_address(app: Flask, make_user) -> None:
    owner = make_user(email="zaini@perpusdes.id")
    known = _answer(app, "/lupa-sandi", {"email": owner.email}, owner.email)
    unknown = _answer(app, "/lupa-sandi", {"email": "siapa@perpusdes.id"}, "siapa@perpusdes.id")
    assert known == unknown
    assert known[0] == 302
    assert [m.recipient for m in outbox(app)] == [owner.email]


def test_resend_verification_answers_the_same_for_a_known_and_an_unknown_address(app: Flask, make_user) -> None:
    owner = make_user(email="zaini@perpusdes.id", verified=False)
    known = _answer(app, "/verifikasi-email", {"email": owner.email}, owner.email)
    unknown = _answer(app, "/verifikasi-email", {"email": "siapa@perpusdes.id"}, "siapa@perpusdes.id")
    assert known == unknown
    assert known[0] == 302
    assert [m.recipient for m in outbox(app)] == [owner.email]


@pytest.fixture
def work_after_response(app: Flask):
    """As in production: reset and resend look the address up and mail once the answer is out (the
    test client leaves a response open until `close()`, which is what a server does after sending)."""
    app.config["WORK_AFTER_RESPONSE"] = True
    yield
    app.config["WORK_AFTER_RESPONSE"] = False


@pytest.mark.parametrize(("url", "verified"), [("/lupa-sandi", True), ("/verifikasi-email", False)])
def test_the_lookup_and_the_mail_happen_after_the_answer(
    app: Flask, make_user, work_after_response, url: str, verified: bool
) -> None:
    owner = make_user(email="zaini@perpusdes.id", verified=verified)
    response = submit(app.test_client(), url, {"email": owner.email})
    assert response.status_code == 302
    assert outbox(app) == []  # the answer is complete: nothing was looked up or written in it
    response.close()
    assert [m.recipient for m in outbox(app)] == [owner.email]
    assert link_in(outbox(app)[-1].body)


def test_with_smtp_the_reset_mail_is_written_and_sent_after_the_answer(
    app: Flask, make_user, smtp, work_after_response
) -> None:
    from app.mail.models import MailStatus

    owner = make_user(email="zaini@perpusdes.id")
    response = submit(app.test_client(), "/lupa-sandi", {"email": owner.email})
    assert (smtp.recipients, outbox(app)) == ([], [])
    response.close()
    assert smtp.recipients == [owner.email]
    assert [m.status for m in outbox(app)] == [MailStatus.SENT]


def test_work_after_the_answer_that_fails_is_logged_not_raised(
    app: Flask, work_after_response, caplog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.jobs import after_response, log

    monkeypatch.setattr(log, "disabled", False)  # (the migrations' logging set-up switched it off)

    def broken(email: str) -> None:
        raise RuntimeError("kotak surat penuh")

    with app.test_request_context("/lupa-sandi", method="POST"):
        after_response(broken, "a@b.id")
        response = app.process_response(app.make_response("ok"))
    response.close()
    assert "work after the response failed: broken" in caplog.text
