"""The API's pages in a browser: a coordinator makes a token on /akun (shown once, copied), then the
docs page; both looked at on a phone (360 px) and a desktop (1280 px), nothing wider than the screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.core.roles import Role
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journeys import _log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_coordinator_makes_a_token_and_reads_the_docs(new_page, make_user, name: str, viewport: dict) -> None:
    user = make_user(Role.COORDINATOR, province_code="52")
    page = new_page(viewport)
    _log_in(page, user.email)
    page.goto("/akun")
    page.get_by_label("Nama token").fill("Dasbor dinas NTB")
    page.get_by_role("button", name="Buat token").click()
    token = page.locator("#new-api-token code")
    expect(token).to_have_text(re.compile(r"^sbt_[A-Za-z0-9_-]{43}$"))
    expect(page.locator("#api-token-list")).to_contain_text("Dasbor dinas NTB")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"api-token-{name}")
    page.goto("/akun")
    expect(page.locator("#new-api-token")).to_have_count(0)  # shown once
    page.goto("/api/docs")
    expect(page.get_by_role("heading", name="Dokumentasi API")).to_be_visible()
    expect(page.locator("#listRegistrations")).to_contain_text("/api/v1/classes/{class_id}/registrations")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"api-docs-{name}")


def test_the_copy_button_puts_the_new_token_on_the_clipboard(new_page, make_user) -> None:
    user = make_user(Role.ORGANISER)
    page = new_page(DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _log_in(page, user.email)
    page.goto("/akun")
    page.get_by_label("Nama token").fill("Integrasi SIPUS")
    page.get_by_role("button", name="Buat token").click()
    secret = page.locator("#new-api-token-secret").inner_text().strip()
    copy = page.get_by_role("button", name="Salin")
    copy.click()
    expect(page.locator("#new-api-token button")).to_have_text("Tersalin")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    assert serious_violations(page, "new token copied") == []
    screenshot(page, "api-token-copied")
    expect(page.locator("#new-api-token button")).to_have_text("Salin", timeout=5_000)  # back after a moment
