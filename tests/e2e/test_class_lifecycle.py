"""The calendar in the browser: the catalogue after the window, a finished class that refuses a
cancel and promotes nobody, an organiser who cannot reopen a started class."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from app.core.roles import Role
from app.extensions import db
from app.programmes.models import TrainingClass
from tests.conftest import outbox
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journeys import _log_in
from tests.fixtures_registration import status_of

pytestmark = pytest.mark.e2e


def _moments(app, class_id: int) -> dict[str, datetime]:
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        zone = c.zoneinfo
        return {
            "after_window": c.registration_closes_at + timedelta(hours=2),
            "running": datetime.combine(c.start_date + timedelta(days=1), time(10), tzinfo=zone),
            "finished": datetime.combine(c.end_date + timedelta(days=30), time(10), tzinfo=zone),
        }


def test_the_catalogue_after_the_window_shows_the_class_closed(app, new_page, open_class, clock) -> None:
    class_id = open_class(capacity=46, name="Kelas Bali – NTB")
    clock(_moments(app, class_id)["after_window"])
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = new_page(viewport)
        page.goto("/katalog")
        card = page.locator(".catalogue-card", has_text="Kelas Bali – NTB")
        expect(card).to_contain_text("Pendaftaran ditutup")
        expect(card).to_contain_text("Pendaftaran sudah ditutup.")
        expect(card.get_by_role("link", name="Mendaftar")).to_have_count(0)
        screenshot(page, f"catalogue-closed-{name}")
        card.get_by_role("link", name="Lihat kelas").click()
        expect(page.get_by_role("link", name="Masuk untuk mendaftar")).to_have_count(0)
        screenshot(page, f"class-page-closed-{name}")


def test_a_finished_class_refuses_a_cancel_and_promotes_nobody(
    app, new_page, make_user, open_class, register, clock
) -> None:
    owner = make_user(Role.PARTICIPANT)
    class_id = open_class(capacity=1)
    mine, waiting = register(class_id, 1, user=owner), register(class_id, 2)
    assert status_of(app, waiting) == "waitlisted"
    clock(_moments(app, class_id)["finished"])
    mails = len(outbox(app))
    page = new_page(PHONE)
    _log_in(page, owner.email)
    page.goto("/pendaftaran-saya")
    card = page.locator(".registration-card")
    expect(card.get_by_role("button", name="Batalkan pendaftaran")).to_have_count(0)
    screenshot(page, "mine-finished-class-phone")
    # a forged POST (an old page, a script) is refused the same way
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(f"/pendaftaran-saya/{mine}/batal", form={"csrf_token": token})
    assert response.ok
    assert "Kelas sudah dimulai" in response.text()
    assert status_of(app, mine) == "approved"
    assert status_of(app, waiting) == "waitlisted"
    assert len(outbox(app)) == mails


def test_an_organiser_cannot_reopen_registration_of_a_running_class(
    app, new_page, make_user, open_class, clock
) -> None:
    class_id = open_class()
    clock(_moments(app, class_id)["after_window"])
    organiser = make_user(Role.ORGANISER)
    page = new_page(DESKTOP)
    _log_in(page, organiser.email)
    page.goto(f"/kelola/kelas/{class_id}")
    expect(page.locator(".status-note")).to_contain_text("perpanjang jadwal pendaftaran")
    expect(page.get_by_role("button", name="Buka pendaftaran")).to_have_count(0)
    screenshot(page, "class-detail-window-over-desktop")
    clock(_moments(app, class_id)["running"])
    page.goto(f"/kelola/kelas/{class_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Berlangsung")
    expect(page.get_by_role("button", name="Buka pendaftaran")).to_have_count(0)
    expect(page.locator(".registration-when")).to_contain_text("Kelas sedang berlangsung")
    screenshot(page, "class-detail-running-desktop")
    page.goto(f"/kelola/kelas/{class_id}/pendaftar")
    expect(page.get_by_text("Kelas ini sudah dimulai")).to_be_visible()
