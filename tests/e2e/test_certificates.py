"""Certificates in the browser: download, a bulk job with progress, public verification."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from playwright.sync_api import expect

from app.certificates import issuing, queries
from app.core.roles import Role
from app.extensions import db
from app.programmes.models import TrainingClass
from app.registration.models import Registration
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journeys import _log_in

pytestmark = pytest.mark.e2e


def test_participant_downloads_and_the_public_verifies(app, new_page, finished_class) -> None:
    with app.app_context(), app.test_request_context():
        issuing.issue_class(db.session.get(TrainingClass, finished_class["class_id"]), by=None)
        db.session.commit()
    page = new_page(PHONE)
    _log_in(page, finished_class["owner"].email)
    page.goto("/pendaftaran-saya")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh sertifikat").click()
    assert download.value.suggested_filename.startswith("sertifikat-0001-SPP-TIK-PERPUSNAS")
    assert download.value.path().read_bytes()[:5] == b"%PDF-"
    short = re.search(r"kode verifikasi (\S+)", page.locator(".registration-card").inner_text()).group(1)

    visitor = new_page(PHONE)
    visitor.goto("/verifikasi")
    visitor.get_by_label(re.compile("Kode verifikasi")).fill(short)
    visitor.get_by_role("button", name="Periksa").click()
    expect(visitor.locator("#verification-status")).to_have_text("Sertifikat SAH")
    screenshot(visitor, "verify-valid-phone")
    with app.app_context():
        certificate = queries.current_certificate(db.session.get(Registration, finished_class["ids"][0]))
        issuing.revoke(certificate, None, "Data tidak benar")
        db.session.commit()
    visitor.reload()
    expect(visitor.locator("#verification-status")).to_have_text("Sertifikat DICABUT")


def test_organiser_runs_a_bulk_job_and_downloads_the_zip(app, new_page, make_user, finished_class, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "JOBS_IN_PROCESS", True)  # no RQ worker in the test run
    organiser = make_user(Role.ORGANISER)
    page = new_page(DESKTOP)
    _log_in(page, organiser.email)
    page.goto(f"/kelola/kelas/{finished_class['class_id']}/sertifikat")
    page.get_by_role("button", name="Unduh semua (ZIP + PDF cetak)").click()
    screenshot(page, "bulk-menu")
    page.get_by_role("button", name="Kelas ini").click()
    expect(page.locator("#state")).to_have_text("selesai", timeout=60_000)
    expect(page.locator("#bar")).to_have_text(re.compile(r"^100\s%$"))  # Indonesian: "100 %"
    screenshot(page, "bulk-job-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh ZIP").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert len(archive.namelist()) == 2  # the two eligible participants


def test_participant_confirms_the_printed_name_on_a_phone(app, new_page, finished_class) -> None:
    with app.app_context():
        db.session.get(Registration, finished_class["ids"][0]).name_confirmed_at = None
        db.session.commit()
    page = new_page(PHONE)
    _log_in(page, finished_class["owner"].email)
    page.goto("/pendaftaran-saya")
    expect(page.locator(".certificate-name")).to_have_text("Peserta 0001")
    screenshot(page, "name-confirmation-phone")
    page.get_by_role("button", name="Nama sudah benar").click()
    expect(page.locator(".name-confirmation")).to_contain_text("sudah Anda konfirmasi: Peserta 0001")


def test_the_preview_follows_what_the_organiser_types(app, new_page, make_user, finished_class) -> None:
    organiser = make_user(Role.ORGANISER)
    with app.app_context():
        programme_id = db.session.get(TrainingClass, finished_class["class_id"]).batch.programme_id
    page = new_page(DESKTOP)
    _log_in(page, organiser.email)
    page.goto(f"/kelola/program/{programme_id}/sertifikat")
    with page.expect_response(lambda r: "pratinjau.pdf?" in r.url and "PIAGAM" in r.url) as preview:
        page.get_by_label("Judul").fill("PIAGAM")
    assert preview.value.status == 200
    assert preview.value.headers["content-type"] == "application/pdf"
    screenshot(page, "certificate-settings")
