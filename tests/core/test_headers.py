"""Security headers (issue #12, item 8): a Content-Security-Policy without inline script or style,
framing refused, HSTS in production only, browser features off, and `Cache-Control: no-store` (not
`no-cache`) on every page and download; templates hold no inline script or event handler."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.certificates import issuing, storage
from app.certificates.models import BulkJob, JobStatus
from app.core import files
from app.core.roles import Role
from app.extensions import db
from config import BASE_DIR
from tests.conftest import login, production_config

TEMPLATES = BASE_DIR / "templates"
# Rendered by WeasyPrint into PDFs, never served to a browser as a page: their inline styles stay.
PDF_TEMPLATES = {"certificates/certificate.html", "attendance/daftar_hadir.html", "reports/programme_report.html"}


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def _assert_page_headers(response) -> None:
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no host
    assert csp["style-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "geolocation=()", "microphone=()", "payment=()", "usb=()"):
        assert feature in permissions
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/katalog",
        "/masuk",
        "/daftar",
        "/privasi",
        "/verifikasi",
        "/verifikasi/" + "A" * 43,
        "/tidak-ada-halaman-ini",
        "/presensi/luring",
    ],
)
def test_public_pages_carry_the_headers(client, url: str) -> None:
    _assert_page_headers(client.get(url))


@pytest.mark.parametrize(
    "url", ["/beranda", "/akun", "/kelola/jadwal", "/kelola/program", "/perpustakaan", "/admin/pengguna"]
)
def test_pages_of_a_logged_in_user_carry_the_headers(client, login_as, url: str) -> None:
    login_as(Role.ADMIN, Role.ORGANISER)
    response = client.get(url)
    assert response.status_code == 200, url
    _assert_page_headers(response)


def test_an_xlsx_export_is_never_stored(client, login_as) -> None:
    login_as(Role.ORGANISER)
    response = client.get("/kelola/jadwal.xlsx")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_certificate_pdf_is_never_stored(app, client, finished_class) -> None:
    with app.app_context(), app.test_request_context():
        from app.registration.models import Registration

        certificate = issuing.issue(db.session.get(Registration, finished_class["ids"][0]), by=None)
        db.session.commit()
        certificate_id = certificate.id
    login(client, finished_class["owner"].email)
    response = client.get(f"/sertifikat/{certificate_id}.pdf")
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    # The browser's PDF viewer needs its plugin: a PDF only says it may not be framed.
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_bulk_zip_download_is_no_store_not_no_cache(app: Flask, client, login_as) -> None:
    """send_file says `no-cache` (the browser keeps a copy and asks again): the ZIP of a class's
    certificates must leave no copy at all."""
    user = login_as(Role.ORGANISER)
    name = f"test-{secrets.token_hex(4)}.zip"
    with app.app_context():
        files.store().put(storage.AREA, name, b"PK\x05\x06" + b"\0" * 18)
        job = BulkJob(
            scope="class", scope_id=1, status=JobStatus.DONE, zip_path=name, combined_path=name, created_by_id=user.id
        )
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    try:
        response = client.get(f"/kelola/sertifikat/pekerjaan/{job_id}/sertifikat.zip")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["Cache-Control"] == "no-store"
    finally:
        with app.app_context():
            files.store().delete(storage.AREA, name)


def test_static_files_may_be_cached_and_the_service_worker_is_rechecked(client) -> None:
    static = client.get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()
    worker = client.get("/presensi/sw.js")
    assert worker.headers["Cache-Control"] == "no-cache"  # no personal data; the browser asks at each visit


def test_the_certificate_preview_may_be_framed_by_our_own_page(client, login_as, programme) -> None:
    login_as(Role.ORGANISER)
    preview = client.get(f"/kelola/program/{programme.id}/sertifikat/pratinjau.pdf")
    assert preview.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert preview.headers["Cache-Control"] == "no-store"


def test_hsts_is_sent_in_production_only(client, tmp_path) -> None:
    assert "Strict-Transport-Security" not in client.get("/privasi").headers

    safe = production_config(tmp_path, PII_HASH_KEY="h" * 43)

    production = create_app(safe).test_client()
    response = production.get("/privasi", base_url="https://bimtek.perpusnas.go.id")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    _assert_page_headers(response)


# --- templates: nothing inline that the policy would block ------------------------------------------


def _served_templates() -> list[Path]:
    return [p for p in sorted(TEMPLATES.rglob("*.html")) if p.relative_to(TEMPLATES).as_posix() not in PDF_TEMPLATES]


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>", re.IGNORECASE)
# onclick="…", {% if x %}onclick="…", field(…, onchange='…'); not data-on…= nor a word ending in "on".
EVENT_HANDLER = re.compile(r"""(?<![\w-])on[a-z]+\s*=\s*["']""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""(?<![\w-])style\s*=\s*["']""", re.IGNORECASE)


@pytest.mark.parametrize("path", _served_templates(), ids=lambda p: p.relative_to(TEMPLATES).as_posix())
def test_no_template_holds_an_inline_script_handler_or_style(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.findall(text), "move the script to static/js (data in a JSON block or data-*)"
    assert not EVENT_HANDLER.findall(text), "use a data-* attribute handled in static/js/app.js"
    assert not STYLE_ATTRIBUTE.findall(text), "use a class in static/css/app.css"
    assert "javascript:" not in text.lower()


def test_the_scan_finds_what_it_looks_for() -> None:
    """The patterns above are not vacuous."""
    assert INLINE_SCRIPT.findall('<script>alert(1)</script><script type="module">x</script>')
    assert not INLINE_SCRIPT.findall(
        '<script src="/static/js/app.js"></script><script type="application/json" id="x">{}</script>'
    )
    assert EVENT_HANDLER.findall('<button onclick="go()">')
    assert EVENT_HANDLER.findall("f(x, onchange='y')")
    assert EVENT_HANDLER.findall('<button {% if a %}onclick="go()"{% endif %}>')
    assert not EVENT_HANDLER.findall('<div data-onclick="x" data-station="y">')
    assert STYLE_ATTRIBUTE.findall('<div style="width: 3%">')
    assert not EVENT_HANDLER.findall("<p>Ikuti kelas daring, online = tidak</p>")
