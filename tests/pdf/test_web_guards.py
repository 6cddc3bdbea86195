"""A PDF made in the request (daftar hadir, programme report) cannot flood the site: a user's downloads
are rate-limited, a long queue for the rendering worker is answered 503 at once, and the request's
database connection is given back while the document renders (security trial, issue #14)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.pdf import pool
from tests.conftest import login
from tests.reports.test_report_pdf import COORDINATOR, _client, _demo


def _sheet(today_class: dict) -> str:
    return f"/presensi/kelas/{today_class['class_id']}/daftar-hadir.pdf"


@pytest.fixture
def fake_render(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rendering stands in: it notes how many database connections the app holds meanwhile."""
    held: list[int] = []

    def render(func: object, html: str, timeout: float) -> bytes:
        held.append(db.engine.pool.checkedout())
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(pool, "run_limited", render)
    return held


def test_a_user_downloading_too_many_pdfs_gets_429(app, client, today_class, fake_render, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "REPORT_PDF_LIMIT", "2 per minute")
    login(client, today_class["facilitator"].email)
    assert [client.get(_sheet(today_class)).status_code for _ in range(3)] == [200, 200, 429]
    assert len(fake_render) == 2  # the refused one rendered nothing
    client.get("/bahasa/en")
    refused = client.get(_sheet(today_class)).get_data(as_text=True)
    assert "Try again in 1 minute." in refused  # one minute, not "1 minutes"
    assert "not sent" not in refused  # a download: nothing typed was lost


def test_a_long_render_queue_answers_503_with_retry_after(client, today_class, fake_render, monkeypatch) -> None:
    saturated = threading.BoundedSemaphore(1)
    saturated.acquire()  # another request waits for the worker
    monkeypatch.setattr(pool, "_slots", saturated)
    login(client, today_class["facilitator"].email)
    response = client.get(_sheet(today_class))
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= pool.RenderBusy.retry_after  # or the rate limit's reset, if later
    assert "coba lagi dalam beberapa detik" in response.get_data(as_text=True)
    assert fake_render == []

    saturated.release()  # the queue is short again
    assert client.get(_sheet(today_class)).status_code == 200


def test_the_database_connection_is_given_back_while_the_pdf_renders(app, client, today_class, fake_render) -> None:
    login(client, today_class["facilitator"].email)
    response = client.get(_sheet(today_class))
    assert response.status_code == 200
    assert fake_render == [0]
    with app.app_context():  # the access log written after the render is still kept
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.what == "sign_in_sheet_pdf")).one()
        assert entry.object_id == today_class["class_id"]


def test_the_programme_report_pdf_is_limited_too(app, fake_render, monkeypatch) -> None:
    """The flood of the trial: a coordinator's parallel downloads of /kelola/program/<id>/laporan.pdf."""
    monkeypatch.setitem(app.config, "REPORT_PDF_LIMIT", "2 per minute")
    url = f"/kelola/program/{_demo(app)}/laporan.pdf"
    coordinator = _client(app, COORDINATOR)
    assert [coordinator.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert fake_render == [0, 0]  # no connection held while rendering
