"""An organiser plans a class in the browser; the public finds it in the catalogue."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from app.core.roles import Role
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journeys import _log_in

pytestmark = pytest.mark.e2e
YEAR = date.today().year + 1


def _fill_class(page, name: str, facilitator: str | None = None) -> None:
    page.get_by_label("Nama kelas").fill(name)
    page.get_by_label("Tempat (nama hotel/gedung)").fill("Aston Inn Mataram")
    page.get_by_label("Provinsi tuan rumah").select_option("52")
    expect(page.locator("#regency_code option[value='52.71']")).to_have_count(1)
    page.get_by_label("Kabupaten/kota tuan rumah").select_option("52.71")
    page.get_by_label("Tanggal mulai").fill(f"{YEAR}-05-24")
    page.get_by_label("Tanggal selesai").fill(f"{YEAR}-05-27")
    page.get_by_label("Kapasitas (peserta)").fill("22")
    page.get_by_label("Pendaftaran dibuka").fill(f"{YEAR}-04-01T08:00")
    page.get_by_label("Pendaftaran ditutup").fill(f"{YEAR}-05-15T23:59")
    page.get_by_label("Bali", exact=True).check()
    page.get_by_label("Nusa Tenggara Barat", exact=True).check()
    page.get_by_label("Kuota Nusa Tenggara Barat").fill("14")
    if facilitator:
        page.get_by_label(facilitator).check()


def test_organiser_plans_a_class_that_the_public_then_finds(new_page, make_user, clock) -> None:
    clock(f"{YEAR}-04-10T10:00+08:00")  # inside the registration window of the class planned below
    organiser = make_user(Role.ORGANISER)
    make_user(Role.FACILITATOR, full_name="Dr. Ahmad Fauzi")
    page = new_page(DESKTOP)
    _log_in(page, organiser.email)

    page.goto("/kelola/program/baru")
    page.get_by_label("Kode program").fill("SPP-TIK")
    page.get_by_label("Nama program").fill("Bimtek SPP-TIK")
    page.get_by_label("Tahun").fill(str(YEAR))
    page.get_by_label("Total JP (jam pelajaran)").fill("40")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("heading", name=f"Bimtek SPP-TIK {YEAR}")).to_be_visible()

    page.get_by_role("link", name="Angkatan baru").click()
    page.get_by_label("Tanggal mulai").fill(f"{YEAR}-05-20")
    page.get_by_label("Tanggal selesai").fill(f"{YEAR}-05-31")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Angkatan 1 dibuat.")).to_be_visible()

    page.get_by_role("link", name="Kelas baru").click()
    _fill_class(page, "Kelas Bali – NTB", facilitator="Dr. Ahmad Fauzi")
    screenshot(page, "class-form")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("alert")).to_contain_text("dibuat sebagai draf")
    expect(page.get_by_text("1 April " + str(YEAR) + " 08.00 WITA")).to_be_visible()
    page.get_by_role("button", name="Umumkan").click()  # inside its window: registration opens at once
    expect(page.get_by_role("alert")).to_contain_text("Pendaftaran dibuka")
    expect(page.get_by_role("button", name="Tutup pendaftaran")).to_be_visible()
    screenshot(page, "class-detail")

    # the same facilitator on overlapping days is refused with a message
    page.goto("/kelola/program")
    page.get_by_role("link", name="Bimtek SPP-TIK").click()
    page.get_by_role("link", name="Kelas baru").click()
    _fill_class(page, "Kelas Kedua", facilitator="Dr. Ahmad Fauzi")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#facilitator_ids-error")).to_contain_text("Dr. Ahmad Fauzi sudah mengajar di Kelas Bali – NTB")

    page.goto("/kelola/jadwal")
    expect(page.get_by_role("link", name="Kelas Bali – NTB")).to_be_visible()
    screenshot(page, "schedule-desktop")
    phone = new_page(PHONE)
    _log_in(phone, organiser.email)
    phone.goto("/kelola/jadwal")
    screenshot(phone, "schedule-phone")

    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        visitor = new_page(viewport)
        visitor.goto("/katalog")
        visitor.get_by_label("Provinsi").select_option("51")  # the filter applies itself: a new page
        visitor.wait_for_url(lambda url: "provinsi=51" in url)
        card = visitor.locator(".catalogue-card", has_text="Kelas Bali – NTB")
        expect(card).to_be_visible()
        expect(card).to_contain_text("22 kursi tersisa")
        expect(card).to_contain_text("WITA")
        expect(card.get_by_role("link", name="Mendaftar")).to_be_visible()
        screenshot(visitor, f"catalogue-{name}")
        visitor.get_by_label("Provinsi").select_option("32")
        visitor.wait_for_url(lambda url: "provinsi=32" in url)
        expect(visitor.get_by_text("Belum ada kelas yang dibuka untuk provinsi ini.")).to_be_visible()
