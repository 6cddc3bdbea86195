"""Every answer names its request: the X-Request-ID header, the incident code on error pages and the
request_id of every log line (JSON when LOG_FORMAT=json), personal numbers still masked."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.factory import ConsoleHandler, register_logging

NIK = "5271012345678901"


def _fail_on_privacy_page(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The privacy page crashes with a NIK in the exception, as a bug might."""

    def crash() -> str:
        raise RuntimeError(f"tidak dapat memproses NIK {NIK}")

    monkeypatch.setitem(app.view_functions, "core.privacy", crash)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # the 500 page, as in production


def test_an_answer_carries_a_generated_id(client: FlaskClient) -> None:
    first, second = client.get("/healthz"), client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_the_proxys_id_is_kept_when_it_is_a_safe_token(client: FlaskClient) -> None:
    response = client.get("/", headers={"X-Request-ID": "lb-7f3a9c21-0001"})
    assert response.headers["X-Request-ID"] == "lb-7f3a9c21-0001"


@pytest.mark.parametrize(
    "forged",
    ["abc", "x" * 65, "lb-1234\r\nX-Admin: 1", "12345678 fake=line", "<script>alert(1)</script>", "ünïcode-12345"],
)
def test_a_forged_or_odd_id_is_replaced(client: FlaskClient, forged: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": forged.replace("\r\n", " ")})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_the_error_page_shows_the_incident_code_of_the_header(client: FlaskClient) -> None:
    response = client.get("/tidak-ada-halaman-ini", headers={"X-Request-ID": "incident-42abcdef"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "incident-42abcdef"
    assert "Kode insiden: incident-42abcdef" in response.get_data(as_text=True)


def test_a_crash_shows_its_incident_code_and_logs_it(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _fail_on_privacy_page(app, monkeypatch)
    response = client.get("/privasi")
    assert response.status_code == 500
    incident = response.headers["X-Request-ID"]
    assert f"Kode insiden: {incident}" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_json_log_line_carries_the_request_id_and_no_nik(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_on_privacy_page(app, monkeypatch)
    monkeypatch.setitem(app.config, "LOG_FORMAT", "json")
    stream = io.StringIO()
    console = ConsoleHandler(stream)
    root = logging.getLogger()
    root.addHandler(console)
    try:
        register_logging(app)  # as at start-up: the app's console gets the format and the filters
        response = client.get("/privasi", headers={"X-Request-ID": "req-0123456789"})
    finally:
        root.removeHandler(console)
    assert response.status_code == 500
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    crash = next(line for line in lines if "RuntimeError" in line.get("exception", ""))
    assert crash["request_id"] == "req-0123456789"
    assert crash["level"] == "ERROR"
    assert "/privasi" in crash["message"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", crash["time"])
    assert "5271********8901" in crash["exception"]  # masked as in every log line
    assert NIK not in stream.getvalue()


def test_the_text_log_line_names_the_request_too(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_on_privacy_page(app, monkeypatch)
    stream = io.StringIO()
    console = ConsoleHandler(stream)
    root = logging.getLogger()
    root.addHandler(console)
    try:
        register_logging(app)
        client.get("/privasi", headers={"X-Request-ID": "req-abcdef0123"})
    finally:
        root.removeHandler(console)
    first = stream.getvalue().splitlines()[0]
    assert re.search(r" ERROR [\w.]+ \[req-abcdef0123\]: .*/privasi", first), first
    assert NIK not in stream.getvalue()
