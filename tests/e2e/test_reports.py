"""The organiser's work queue, the JP list and the coverage page at 360 px and on a desktop: readable,
nothing wider than the screen, screenshots under tests/artifacts/ to look at."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app import clock as app_clock
from app.core.roles import Role
from app.extensions import db
from app.libraries.models import LibraryType
from app.registration.models import NameCorrection, Registration
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journeys import _log_in

pytestmark = pytest.mark.e2e
SIZES = {"360": PHONE, "1280": DESKTOP}


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("size", list(SIZES))
def test_the_organisers_home_is_a_work_queue(app, new_page, make_user, finished_class, size: str) -> None:
    with app.app_context():
        registration = db.session.get(Registration, finished_class["ids"][2])
        db.session.add(
            NameCorrection(
                registration=registration,
                old_name=registration.full_name,
                new_name=registration.full_name + " Putri",
                created_at=app_clock.now() - timedelta(hours=80),
            )
        )
        db.session.commit()
    organiser = make_user(Role.ORGANISER)
    page = new_page(SIZES[size])
    _log_in(page, organiser.email)
    page.goto("/beranda")
    expect(page.locator("#work-queue .queue-certificates")).to_contain_text("Sertifikat siap diterbitkan")
    expect(page.locator("#queue-name-corrections")).to_contain_text("1 melewati batas")
    _fits(page, SIZES[size]["width"])
    screenshot(page, f"queue-{size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_jp_and_coverage_pages(app, new_page, make_user, certified, library, size: str) -> None:
    library("52", LibraryType.SEKOLAH)
    library("51")
    organiser = make_user(Role.ORGANISER)
    page = new_page(SIZES[size])
    _log_in(page, organiser.email)
    page.goto(f"/kelola/jp?tahun={certified['year']}")
    expect(page.locator(".jp-row")).to_have_count(2)
    _fits(page, SIZES[size]["width"])
    screenshot(page, f"jp-{size}")
    page.goto("/kelola/cakupan")
    expect(page.locator(".regency-row")).to_have_count(2)
    _fits(page, SIZES[size]["width"])
    screenshot(page, f"coverage-{size}")
    page.locator("#tab-not-reached").click()
    expect(page.locator(".not-reached-row")).to_have_count(2)
    screenshot(page, f"coverage-not-reached-{size}")
