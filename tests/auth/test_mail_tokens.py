"""Reset and verification tokens never reach a log line, nor the stored copy of a mail once SMTP had it (#12.13)."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from app.core.roles import Role
from app.mail import services as mail_services
from app.mail.models import MailStatus
from tests.conftest import link_in, outbox, submit

SIGNUP = {
    "full_name": "Lalu Ahmad Zaini",
    "email": "zaini@perpusdes.id",
    "phone": "0819-0700-1234",
    "password": "rak-buku-di-lombok-timur",
    "password_confirm": "rak-buku-di-lombok-timur",
    "consent": "y",
}


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> pytest.LogCaptureFixture:
    """Every log line at DEBUG and above (the migrations' logging set-up switched the mail logger off)."""
    monkeypatch.setattr(mail_services.log, "disabled", False)
    caplog.set_level(logging.DEBUG)
    return caplog


def _token(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def test_without_smtp_the_outbox_keeps_the_link_readable_but_the_log_never_has_it(app: Flask, make_user, logs) -> None:
    user = make_user()
    submit(app.test_client(), "/lupa-sandi", {"email": user.email})
    mail = outbox(app)[-1]
    assert mail.status is MailStatus.OUTBOX
    link = link_in(mail.body)
    assert "/atur-sandi/" in link  # development and demos read their links in the outbox
    assert "mail into the outbox for" in logs.text
    assert _token(link) not in logs.text
    assert "/atur-sandi/" not in logs.text


@pytest.mark.parametrize("refuse", [False, True])
def test_after_smtp_the_stored_copy_has_no_token_and_nor_has_the_log(
    app: Flask, make_user, logs, smtp, refuse: bool
) -> None:
    smtp.refuse = refuse
    user = make_user()
    submit(app.test_client(), "/lupa-sandi", {"email": user.email})
    mail = outbox(app)[-1]
    assert mail.status is (MailStatus.FAILED if refuse else MailStatus.SENT)
    if not refuse:  # the person got the working link
        token = _token(link_in(smtp.sent[-1]))
        assert mail.body is None
    else:  # the admins see what failed, the token masked
        assert "/atur-sandi/••••••" in mail.body
        token = None
    assert "/atur-sandi/" not in logs.text
    if token:
        assert token not in logs.text


def test_a_failed_verification_mail_is_kept_masked(app: Flask, logs, smtp) -> None:
    smtp.refuse = True
    submit(app.test_client(), "/daftar", SIGNUP)
    mail = outbox(app)[-1]
    assert mail.status is MailStatus.FAILED
    assert "/verifikasi-email/••••••" in mail.body
    assert "/verifikasi-email/" not in logs.text.replace("/verifikasi-email/••••••", "")


def test_the_outbox_page_of_a_failed_mail_shows_no_token(app: Flask, client, login_as, smtp) -> None:
    smtp.refuse = True
    admin = login_as(Role.ADMIN)
    submit(client, f"/admin/pengguna/{admin.id}/kirim-tautan", {})
    mail = outbox(app)[-1]
    page = client.get(f"/admin/surel/{mail.id}").get_data(as_text=True)
    assert "disamarkan" in page
    assert "/atur-sandi/••••••" in page
    listing = client.get("/admin/surel").get_data(as_text=True)
    assert "Gagal" in listing


def test_request_log_lines_with_a_token_are_masked(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    logger = logging.getLogger("werkzeug")
    was_disabled, logger.disabled = logger.disabled, False
    try:
        logger.info('127.0.0.1 - - "GET /atur-sandi/%s HTTP/1.1" 200 -', "eyJ1IjoxfQ.Z0abcd.c2lnbmF0dXJl")
        logger.info('127.0.0.1 - - "POST /verifikasi-email/eyJ1IjoxfQ.Z0abcd.xyz HTTP/1.1" 302 -')
    finally:
        logger.disabled = was_disabled
    assert "eyJ1IjoxfQ" not in caplog.text
    assert "/atur-sandi/••••••" in caplog.text
    assert "/verifikasi-email/••••••" in caplog.text


def test_masking_keeps_the_rest_of_the_text(app_ctx) -> None:
    body = "Buka:\nhttps://bimtek.perpusnas.go.id/atur-sandi/eyJ1Ijo.Z0.sig\nLalu masuk di https://bimtek.perpusnas.go.id/masuk"
    assert mail_services.mask_tokens(body) == (
        "Buka:\nhttps://bimtek.perpusnas.go.id/atur-sandi/••••••\nLalu masuk di https://bimtek.perpusnas.go.id/masuk"
    )
