"""gunicorn.conf.py: its values from the environment, and a real gunicorn started with it answering
/healthz and /readyz on a freshly migrated SQLite database."""

from __future__ import annotations

import json
import multiprocessing
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade

from app import create_app
from config import BASE_DIR

CONFIG = BASE_DIR / "gunicorn.conf.py"
ENV_NAMES = (
    "HOST",
    "PORT",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "FORWARDED_ALLOW_IPS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_MAX_REQUESTS",
)


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_defaults_suit_one_server_behind_a_local_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch)
    assert settings["bind"] == "0.0.0.0:8000"  # noqa: S104
    assert settings["workers"] == 2 * multiprocessing.cpu_count() + 1
    assert settings["threads"] == 2  # more fight over the GIL under load (docs/registration-rush.md)
    assert settings["timeout"] == 60
    assert settings["forwarded_allow_ips"] == "127.0.0.1"
    assert settings["accesslog"] == "-"
    assert "%({x-request-id}o)s" in settings["access_log_format"]
    assert settings["max_requests"] > 0
    assert settings["max_requests_jitter"] > 0


def test_the_environment_overrides_them(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(
        monkeypatch,
        HOST="127.0.0.1",
        PORT="9123",
        WEB_CONCURRENCY="3",
        GUNICORN_THREADS="8",
        FORWARDED_ALLOW_IPS="10.0.0.5",
    )
    assert settings["bind"] == "127.0.0.1:9123"
    assert (settings["workers"], settings["threads"]) == (3, 8)
    assert settings["forwarded_allow_ips"] == "10.0.0.5"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our own local server
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return response.status, dict(response.headers), json.loads(response.read())


def test_gunicorn_with_this_config_answers_health_and_readiness(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'gunicorn.db'}"
    migrated = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database})
    with migrated.app_context():
        upgrade(directory=str(BASE_DIR / "migrations"))
    port = _free_port()
    env = {
        **os.environ,
        "SIBIMTEK_ENV": "development",
        "DATABASE_URL": database,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "LOG_FORMAT": "json",
    }
    env.pop("REDIS_URL", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603
        [str(gunicorn), "-c", str(CONFIG), "wsgi:app"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 12
        while True:
            try:
                status, headers, body = _get(f"{base}/healthz", {"X-Request-ID": "gunicorn-test-0001"})
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert (status, body) == (200, {"status": "ok"})
        assert headers["X-Request-ID"] == "gunicorn-test-0001"
        status, _headers, body = _get(f"{base}/readyz")
        assert status == 200
        assert body == {"status": "ok", "checks": {"database": "ok", "redis": "not configured", "storage": "ok"}}
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=15)
    assert "request_id=gunicorn-test-0001" in output  # the access log line names the request
