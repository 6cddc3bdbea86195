"""/healthz and /readyz: what a load balancer sees when the app, its database, Redis or its storage
is up or down."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError

from app.extensions import db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nothing listens there


def test_healthz_says_ok_without_touching_the_database(client: FlaskClient, count_queries) -> None:
    with count_queries() as n:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert n.count == 0


def test_both_answers_are_never_cached_and_set_no_cookie(client: FlaskClient) -> None:
    for url in ("/healthz", "/readyz"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store", url
        assert "Set-Cookie" not in response.headers, url


def _redis(client: FlaskClient) -> str:
    """What /readyz says of Redis when it is fine: "ok" when the site uses one, else "not configured"."""
    return "ok" if client.application.config.get("REDIS_URL") else "not configured"


def test_readyz_says_ok_when_database_and_storage_are_there(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": _redis(client), "storage": "ok"},
    }


def test_readyz_is_503_naming_the_database_when_it_is_unreachable(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection to server at db.internal failed"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "fail"
    assert body["checks"] == {"database": "fail: OperationalError", "redis": _redis(client), "storage": "ok"}
    assert "db.internal" not in response.get_data(as_text=True)  # where the database lives stays in the log


def test_readyz_is_503_naming_redis_when_configured_but_unreachable(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_url = f"redis://:s3cret-password@127.0.0.1:{_closed_port()}/0"
    monkeypatch.setitem(app.config, "REDIS_URL", secret_url)
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"] == "ok"
    assert checks["storage"] == "ok"
    assert checks["redis"].startswith("fail: ")
    assert "s3cret" not in response.get_data(as_text=True)


def test_readyz_is_503_naming_the_storage_when_it_cannot_be_written(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.files import DatabaseFileStore, LocalFileStore

    def read_only(self: object) -> None:
        raise PermissionError("[Errno 13] Permission denied: '/srv/sibimtek/instance/certificates/x'")

    monkeypatch.setattr(LocalFileStore, "check", read_only)
    monkeypatch.setattr(DatabaseFileStore, "check", read_only)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["storage"] == "fail: PermissionError"
    assert "/srv" not in response.get_data(as_text=True)


def test_the_storage_check_leaves_no_file_behind(app: Flask, client: FlaskClient) -> None:
    from sqlalchemy import func, select

    from app.core.files import AREAS, StoredFile

    folders = [Path(app.instance_path) / folder for folder in AREAS.values()]

    def kept() -> tuple[list[list[Path]], int | None]:
        with app.app_context():
            return [sorted(f.iterdir()) for f in folders], db.session.scalar(select(func.count(StoredFile.id)))

    before = kept()
    assert client.get("/readyz").status_code == 200
    assert kept() == before


def test_a_local_store_whose_folder_is_gone_is_not_ready(tmp_path: Path) -> None:
    from app.core.files import LocalFileStore

    local = LocalFileStore(tmp_path)
    local.check()
    shutil.rmtree(tmp_path / "certificates")  # e.g. a volume that was not mounted
    with pytest.raises(FileNotFoundError):
        local.check()
