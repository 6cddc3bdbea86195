"""An organiser reads the programme dashboard of the full 2023 demo and narrows it to one province:
the headline, the charts and their tables change; screenshots at desktop and phone width."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.programmes.models import Programme
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journeys import _log_in

pytestmark = pytest.mark.e2e


def test_organiser_filters_the_dashboard_by_province(app: Flask, new_page) -> None:
    with app.app_context():
        load_demo(full_scale=True)
        db.session.commit()
        programme_id = db.session.scalar(select(Programme.id).where(Programme.year == 2023))
    page = new_page(DESKTOP)
    _log_in(page, "panitia@sibimtek.id", DEMO_PASSWORD)
    page.goto("/beranda")
    page.get_by_role("link", name="Dasbor program").click()
    expect(page.get_by_test_id("headline")).to_contain_text("1.238 peserta · 30 provinsi")
    area = page.get_by_test_id("by-area")
    expect(area.locator("tbody tr")).to_have_count(30)
    bars_before = area.locator("svg rect").count()
    screenshot(page, "dashboard-desktop")

    page.get_by_label("Provinsi", exact=True).select_option("52")
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_url(lambda url: "provinsi=52" in url)
    expect(page.get_by_test_id("headline")).to_contain_text("1 provinsi")
    expect(page.get_by_test_id("headline")).not_to_contain_text("1.238 peserta")
    expect(area.locator("tbody tr")).to_have_count(1)
    expect(area.locator("tbody tr")).to_contain_text("Nusa Tenggara Barat")
    assert area.locator("svg rect").count() < bars_before
    assert "provinsi=52" in (page.get_by_role("link", name="Unduh XLSX").get_attribute("href") or "")

    phone = new_page(PHONE)
    _log_in(phone, "panitia@sibimtek.id", DEMO_PASSWORD)
    phone.goto(f"/kelola/program/{programme_id}/dasbor")
    expect(phone.get_by_test_id("headline")).to_contain_text("1.238 peserta")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the dashboard scrolls sideways on a phone ({width} px)"
    screenshot(phone, "dashboard-phone")

    coordinator = new_page(PHONE)
    _log_in(coordinator, "koordinator.ntb@sibimtek.id", DEMO_PASSWORD)
    coordinator.goto(f"/kelola/program/{programme_id}/dasbor")
    expect(coordinator.get_by_test_id("scope")).to_contain_text("Nusa Tenggara Barat")
    expect(coordinator.get_by_role("heading", name="Peserta per kabupaten/kota")).to_be_visible()
    expect(coordinator.get_by_label("Provinsi", exact=True)).to_have_count(0)  # held to their province
    screenshot(coordinator, "dashboard-coordinator-phone")
