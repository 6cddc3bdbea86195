"""User journeys in a real browser: log in per role, a wrong password, switching language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.core.roles import Role
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, screenshot

pytestmark = pytest.mark.e2e

HOMES = {
    Role.ADMIN: "Beranda Admin",
    Role.ORGANISER: "Beranda Panitia",
    Role.FACILITATOR: "Beranda Fasilitator",
    Role.PARTICIPANT: "Beranda Peserta",
    Role.COORDINATOR: "Beranda Koordinator Provinsi Nusa Tenggara Barat",
}


def _log_in(page, email: str, password: str = PASSWORD, succeeds: bool = True) -> None:
    page.goto("/masuk")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    if succeeds:  # wait for the redirect, so the next step acts on the logged-in page
        page.wait_for_url(lambda url: "/masuk" not in url)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_logs_in_and_sees_its_home(new_page, make_user, role: Role) -> None:
    user = make_user(role, full_name=f"Uji {role.value.title()}")
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = new_page(viewport)
        _log_in(page, user.email)
        expect(page).to_have_url(re.compile(r".*/beranda$"))
        expect(page.get_by_role("heading", name=HOMES[role])).to_be_visible()
        for other_role, heading in HOMES.items():
            if other_role is not role:
                expect(page.get_by_role("heading", name=heading)).to_have_count(0)
        screenshot(page, f"home-{role.value}-{name}")


def test_wrong_password_shows_a_clear_indonesian_message(page, make_user) -> None:
    user = make_user()
    _log_in(page, user.email, "bukan-kata-sandinya", succeeds=False)
    expect(page.get_by_role("alert")).to_contain_text("Email atau kata sandi salah.")
    expect(page).to_have_url(re.compile(r".*/masuk$"))
    screenshot(page, "login-wrong-password")


def test_switching_the_language(page) -> None:
    page.goto("/masuk")
    expect(page.get_by_role("heading", name="Masuk ke Sibimtek")).to_be_visible()
    page.locator("#language-menu").click()
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Log in to Sibimtek")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "login-english")
    page.locator("#language-menu").click()
    page.get_by_role("link", name="Bahasa Indonesia").click()
    expect(page.get_by_role("heading", name="Masuk ke Sibimtek")).to_be_visible()


def test_menu_on_a_phone_and_logout(new_page, make_user) -> None:
    user = make_user(Role.ADMIN)
    page = new_page(PHONE)
    _log_in(page, user.email)
    page.get_by_role("button", name="Menu").click()
    expect(page.locator("#nav.show")).to_be_visible()  # open, not still sliding
    expect(page.get_by_role("link", name="Pengguna", exact=True)).to_be_visible()
    screenshot(page, "menu-admin-phone")
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url(re.compile(r".*/masuk$"))
    expect(page.get_by_role("alert")).to_contain_text("Anda telah keluar.")
    page.goto("/beranda")
    expect(page).to_have_url(re.compile(r".*/masuk"))


def test_sign_up_form_on_a_phone(new_page) -> None:
    page = new_page(PHONE)
    page.goto("/daftar")
    page.get_by_label("Email").fill("bukan email")
    page.get_by_role("button", name="Buat akun").click()
    expect(page.locator("#email-error")).to_contain_text("Format email tidak valid")
    expect(page.locator("#consent-error")).to_contain_text("Anda perlu menyetujui Pemberitahuan Privasi")
    screenshot(page, "signup-errors-phone")


def test_organiser_adds_a_library_with_dependent_selects(new_page, make_user) -> None:
    user = make_user(Role.ORGANISER)
    page = new_page(DESKTOP)
    _log_in(page, user.email)
    page.goto("/perpustakaan/baru")
    page.get_by_label("Nama perpustakaan").fill("Perpustakaan Kelurahan Sarae")
    page.get_by_label("Jenis perpustakaan").select_option("desa_kelurahan")
    page.get_by_label("Provinsi").select_option("52")
    expect(page.locator("#regency_code option[value='52.72']")).to_have_count(1)
    page.get_by_label("Kabupaten/kota").select_option("52.72")
    expect(page.locator("#district_code option[value='52.72.01']")).to_have_count(1)
    page.locator("#district_code").select_option("52.72.01")
    expect(page.locator("#village_code option[value='52.72.01.1003']")).to_have_count(1)
    page.locator("#village_code").select_option("52.72.01.1003")
    screenshot(page, "library-form")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("alert")).to_contain_text("Perpustakaan Kelurahan Sarae disimpan")
    expect(page.get_by_role("cell", name="Perpustakaan Kelurahan Sarae")).to_be_visible()
    screenshot(page, "library-list")
