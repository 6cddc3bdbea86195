"""Mail through the RQ worker (#15): with Redis the request only queues the committed mails, their
text encrypted with the app's keys; the worker sends them. Mails whose job was lost do not stay
queued: the sweep sends again what it can and marks the rest failed for the admins."""

from __future__ import annotations

import zlib
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue

from app import jobs
from app.core.roles import Role
from app.extensions import db
from app.mail import services as mail_services
from app.mail.models import MailStatus, OutboxMessage
from app.processes.worker import build_worker
from tests.conftest import link_in, outbox, submit


@pytest.fixture
def through_worker(app, redis_url, smtp, monkeypatch):
    """SMTP configured (a fake server in this process) and Redis: mail goes through the worker."""
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "JOBS_IN_PROCESS", False)
    return Queue(jobs.QUEUE, connection=Redis.from_url(redis_url))


def test_a_reset_mail_is_sent_by_the_worker_with_its_live_link(app, make_user, smtp, through_worker) -> None:
    user = make_user()
    client = app.test_client()
    submit(client, "/lupa-sandi", {"email": user.email})
    mail = outbox(app)[-1]
    assert mail.status is MailStatus.QUEUED  # nothing has left during the request
    assert smtp.sent == []
    assert "/atur-sandi/••••••" in mail.body
    assert through_worker.count == 1
    payload = zlib.decompress(through_worker.connection.hget(through_worker.jobs[0].key, "data"))

    build_worker(app, [jobs.QUEUE], fork=False).work(burst=True)

    assert smtp.recipients == [user.email]
    link = link_in(smtp.sent[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert link.startswith("/atur-sandi/")
    assert len(token) > 20
    assert token.encode() not in payload
    assert b"atur-sandi" not in payload
    sent = outbox(app)[-1]
    assert (sent.status, sent.body) == (MailStatus.SENT, None)
    assert client.get(link).status_code == 200  # the live link works


def test_with_redis_down_the_mail_leaves_from_the_request(app, make_user, smtp, monkeypatch, caplog) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    monkeypatch.setitem(app.config, "JOBS_IN_PROCESS", False)
    monkeypatch.setattr(jobs.log, "disabled", False)
    user = make_user()
    submit(app.test_client(), "/lupa-sandi", {"email": user.email})
    assert outbox(app)[-1].status is MailStatus.SENT
    assert smtp.recipients == [user.email]
    assert "Redis unreachable" in caplog.text


def test_queued_mails_that_lost_their_job_are_sent_again_or_failed_clearly(
    app, client, login_as, make_user, smtp, through_worker, clock
) -> None:
    clock("2027-03-01T09:00+07:00")
    user = make_user()
    submit(app.test_client(), "/lupa-sandi", {"email": user.email})  # a link with a token
    with app.app_context():  # a mail without a link: its stored text is the mail itself
        plain = OutboxMessage(
            recipient="kepala@perpusdes.id", subject="Jadwal", body="Kelas mulai Senin.", status=MailStatus.QUEUED
        )
        db.session.add(plain)
        db.session.commit()
    through_worker.empty()  # the worker's jobs are lost (Redis restarted empty)
    with app.app_context():
        assert mail_services.sweep_queued(timedelta(minutes=30)) == (0, 0)  # too young to count as lost
    clock("2027-03-01T09:31+07:00")
    with app.app_context():
        assert mail_services.sweep_queued(timedelta(minutes=30)) == (1, 1)
    reset, plain_mail = outbox(app)
    assert plain_mail.status is MailStatus.SENT
    assert smtp.sent == ["Kelas mulai Senin.\n"]
    assert reset.status is MailStatus.FAILED
    assert "tautan baru" in reset.error
    login_as(Role.ADMIN)
    page = client.get(f"/admin/surel/{reset.id}").get_data(as_text=True)
    assert "pekerjaan pengirimannya hilang" in page
    assert "/atur-sandi/••••••" in page
