"""Redis down (#15 Faults): the site keeps working without it, and says so in the log. Rate limits
are counted in the process's memory, a certificate job runs in a thread of the web process, a
mail leaves over SMTP from the request; /readyz names Redis as what failed."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from limits.storage import storage_from_string
from limits.strategies import STRATEGIES

from app import jobs
from app.core.roles import Role
from app.extensions import limiter
from app.mail.models import MailStatus
from tests.conftest import csrf_token, login, outbox, submit


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # free again once closed: nothing listens there


@pytest.fixture
def redis_down(app, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> str:
    """REDIS_URL (jobs, mail) and the rate-limit storage on a port where nothing listens."""
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    storage = storage_from_string(url, socket_connect_timeout=1, socket_timeout=1)
    monkeypatch.setattr(limiter, "_storage", storage)
    monkeypatch.setattr(limiter, "_limiter", STRATEGIES["fixed-window"](storage))
    monkeypatch.setattr(limiter, "_storage_dead", False)
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "JOBS_IN_PROCESS", False)
    monkeypatch.setattr(jobs.log, "disabled", False)  # the migrations' logging set-up switched it off
    monkeypatch.setattr(logging.getLogger("flask-limiter"), "disabled", False)
    caplog.set_level(logging.WARNING)
    return url


def test_login_certificate_job_and_mail_work_without_redis(
    app, client, make_user, finished_class, smtp, redis_down, caplog
) -> None:
    """(`redis_down` after `smtp`: mail would take the worker's way if Redis answered.)"""
    organiser = make_user(Role.ORGANISER)
    assert login(client, organiser.email).status_code == 302  # a rate-limited post
    assert "falling back to in-memory storage" in caplog.text

    class_id = finished_class["class_id"]
    token = csrf_token(client, f"/kelola/kelas/{class_id}/sertifikat")
    started = client.post(f"/kelola/sertifikat/massal/class/{class_id}", data={"csrf_token": token})
    assert started.status_code == 302
    assert "Redis unreachable" in caplog.text
    status_url = started.headers["Location"] + ".json"
    deadline = time.monotonic() + 60
    while client.get(status_url).get_json()["status"] != "done":  # rendered in a thread of this process
        assert time.monotonic() < deadline, client.get(status_url).get_json()
        time.sleep(0.1)

    submit(app.test_client(), "/lupa-sandi", {"email": organiser.email})
    assert outbox(app)[-1].status is MailStatus.SENT  # sent from the request instead of the worker
    assert smtp.recipients[-1] == organiser.email

    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["redis"].startswith("fail")
