"""Fixtures: one app and database per test session (built through the migrations), emptied
after each test; a client, a CLI runner, user factories and a login helper."""

from __future__ import annotations

import io
import os
import re
import smtplib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import delete, make_url, text
from werkzeug.test import TestResponse

from app import clock as app_clock
from app import create_app
from app.auth import services as auth_services
from app.auth.models import User
from app.core.roles import Role
from app.extensions import db, limiter
from app.regions.services import load_regions

pytest_plugins = [
    "tests.fixtures_planning",
    "tests.fixtures_registration",
    "tests.fixtures_world",
    "tests.fixtures_reports",
]

PASSWORD = "rahasia-bimtek-1"
KEEP_TABLES = {"provinces", "regencies"}  # master data, loaded once per session


def _reset_database(app: Flask) -> None:
    """Start from an empty schema so the migrations build everything, as in production."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        if "test" not in (url.database or ""):
            raise RuntimeError(f"refusing to wipe database {url.database!r}: its name must contain 'test'")
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    overrides: dict[str, object] = {"SERVER_NAME": None}
    if not os.environ.get("DATABASE_URL"):
        path = tmp_path_factory.mktemp("db") / "sibimtek-test.db"
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    app = create_app("testing", overrides)
    with app.app_context():
        _reset_database(app)
        upgrade(directory=str(app.root_path + "/../migrations"))
        load_regions()
        db.session.commit()
    return app


def _forget_scheduler_claims(redis_url: str) -> None:
    """The scheduler's claims of earlier tests (or runs) on this Redis: each test starts unclaimed."""
    from redis import Redis

    from app.processes.scheduler import KEY_PREFIX

    connection = Redis.from_url(redis_url)
    try:
        keys = list(connection.scan_iter(match=KEY_PREFIX + "*"))
        if keys:
            connection.delete(*keys)
    finally:
        connection.close()


@pytest.fixture(autouse=True)
def _clean_state(app: Flask) -> Iterator[None]:
    """Each test sees the regions and nothing else: tables emptied, rate limits and the
    scheduler's claims reset."""
    with app.app_context():
        limiter.reset()
    if app.config.get("REDIS_URL"):
        _forget_scheduler_claims(app.config["REDIS_URL"])
    yield
    app_clock.reset()
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEEP_TABLES:
                db.session.execute(delete(table))
        db.session.commit()
        limiter.reset()
        # A new pool for the next test: a connection a test left in an odd state (a task run in the
        # test's process that checkpoints SQLite's log, a thread's session) is not handed to the next
        # one, whose worker and server processes must see exactly what it commits.
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def clock() -> Callable[..., datetime]:
    """Set the app's clock: `clock("2023-05-23T10:00+08:00")` or `clock(datetime(...))`; it stays
    stopped there until the test ends (every request and service reads it)."""

    def set_now(moment: str | datetime) -> datetime:
        at = app_clock.parse(moment) if isinstance(moment, str) else moment
        app_clock.freeze(at)
        return at

    return set_now


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], object]:
    """`with count_queries() as n: client.get(...)` then `n.count`: SQL statements run in the block."""
    from contextlib import contextmanager

    from sqlalchemy import event

    class Counter:
        count = 0

    @contextmanager
    def counting() -> Iterator[Counter]:
        counter = Counter()

        def on_execute(*_args: object) -> None:
            counter.count += 1

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)

    return counting


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An application context for tests that call services directly."""
    with app.app_context(), app.test_request_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Factory: a verified, active account with the given roles and PASSWORD."""
    counter = iter(range(1, 10_000))

    def factory(
        *roles: Role,
        email: str | None = None,
        full_name: str | None = None,
        province_code: str | None = None,
        password: str = PASSWORD,
        verified: bool = True,
    ) -> User:
        roles = roles or (Role.PARTICIPANT,)
        n = next(counter)
        with app.app_context(), app.test_request_context():
            user = auth_services.create_staff(
                email=email or f"user{n}@perpustakaan.id",
                full_name=full_name or f"Pengguna {n}",
                roles=roles,
                province_code=province_code or ("52" if Role.COORDINATOR in roles else None),
                password=password,
            )
            if not verified:
                user.email_verified_at = None
            if Role.PARTICIPANT in roles:  # as after signing up: consent to the privacy notice recorded
                user.privacy_consent_version = app.config["PRIVACY_NOTICE_VERSION"]
                user.privacy_consent_at = app_clock.now()
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return factory


class FakeSMTP:
    """smtplib.SMTP as far as the app uses it; keeps what was sent, or refuses when `refuse` is set."""

    sent: list[str] = []  # the text of each mail
    recipients: list[str] = []
    refuse = False

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def starttls(self) -> None:
        return None

    def send_message(self, message: object) -> None:
        if FakeSMTP.refuse:
            raise smtplib.SMTPRecipientsRefused({"x": (550, b"no such mailbox")})
        FakeSMTP.sent.append(message.get_content())  # type: ignore[attr-defined]
        FakeSMTP.recipients.append(str(message["To"]))  # type: ignore[index]


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FakeSMTP]]:
    """Mail goes out over SMTP, to a fake server that keeps what it was given."""
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent, FakeSMTP.recipients, FakeSMTP.refuse = [], [], False
    app.config["MAIL_SERVER"] = "smtp.example"
    yield FakeSMTP
    app.config["MAIL_SERVER"] = None


def production_config(tmp_path: Path, **overrides: object) -> type:
    """ProductionConfig with every required setting filled in (a throw-away SQLite file), changed
    where a test says so: `create_app(production_config(tmp_path, MAIL_SERVER=None))`."""
    from config import ProductionConfig

    settings: dict[str, object] = {
        "SECRET_KEY": "k" * 64,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}",
        "PUBLIC_BASE_URL": "https://bimtek.perpusnas.go.id",
        "PII_KEYS": "uK0ydoWjtOLnFXHEpN4UE4TMwZiyrNpmtqjn7ShpGWs=",
        "PII_HASH_KEY": "h" * 40,
        "MAIL_SERVER": "smtp.perpusnas.go.id",
    }
    return type("Production", (ProductionConfig,), {**settings, **overrides})


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the form at `url`, read from the page as a browser would."""
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {page.status_code})"
    return match.group(1)


def submit(client: FlaskClient, url: str, data: dict[str, object], **kwargs: object) -> TestResponse:
    """GET the form at `url`, then POST `data` with its CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data}, **kwargs)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    return submit(client, "/masuk", {"email": email, "password": password})


@pytest.fixture
def login_as(client: FlaskClient, make_user: Callable[..., User]) -> Callable[..., User]:
    """Create a user with the given roles and log the test client in as them."""

    def do(*roles: Role, **kwargs: object) -> User:
        user = make_user(*roles, **kwargs)
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return do


def outbox(app: Flask) -> list:
    """Mails in the outbox, newest last."""
    from app.mail.models import OutboxMessage

    with app.app_context():
        messages = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return list(messages)


def xlsx_file(header: list[str], rows: list[list[object]]) -> bytes:
    """An XLSX workbook as an office would send it: a header row, then the rows."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(list(header))
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def link_in(body: str) -> str:
    """The path of the first link in a mail body."""
    match = re.search(r"https?://\S+", body)
    assert match, body
    parts = urlsplit(match.group(0))
    return parts.path + (f"?{parts.query}" if parts.query else "")
