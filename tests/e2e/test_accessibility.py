"""Accessibility in a real browser: axe-core over the main pages of every role (and their error states) on
a desktop and on a 360-px phone; the error summary of a long form; the library search as a combobox."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from app.certificates.models import Certificate
from app.core.roles import Role
from app.extensions import db
from app.libraries.models import LibraryType
from app.programmes.models import Programme, TrainingClass
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journeys import _log_in

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "bimtek-2023!"


def _demo(app: Flask, runner) -> dict[str, object]:
    """The demo data (`flask seed demo`): the Mataram class of 2023 and its 2027 copy, open for registration."""
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        classes = db.session.scalars(
            select(TrainingClass).where(TrainingClass.venue_name == "Aston Inn Mataram").order_by(TrainingClass.id)
        ).all()
        mataram, open_copy = classes[0], classes[1]
        return {
            "mataram": mataram.id,
            "open": open_copy.id,
            "programme": db.session.scalar(select(Programme.id).where(Programme.year == 2023)),
            "code": db.session.scalars(select(Certificate.short_code)).first(),
        }


def _pages(ids: dict[str, object]) -> list[tuple[str | None, str, list[tuple[str, str]]]]:
    """(account, clock, [(name, url)]) per role; a name ending in '!' is the page's error state (submitted empty)."""
    m, o, p = ids["mataram"], ids["open"], ids["programme"]
    return [
        # the facilitator's class runs on 22–25 May 2023: the roster and QR screen are live on its second day
        (
            "fasilitator@sibimtek.id",
            "2023-05-23T09:00+08:00",
            [
                ("facilitator-home", "/beranda"),
                ("roster", f"/presensi/kelas/{m}/2023-05-23"),
                ("qr", f"/presensi/kelas/{m}/2023-05-23/qr"),
            ],
        ),
        (
            None,
            "2026-12-02T10:00+08:00",
            [
                ("home", "/"),
                ("catalogue", "/katalog?provinsi=52"),
                ("class-page", f"/katalog/{o}"),
                ("login", "/masuk"),
                ("sign-up", "/daftar"),
                ("sign-up!", "/daftar"),
                ("privacy", "/privasi"),
                ("verify", f"/verifikasi/{ids['code']}"),
            ],
        ),
        (
            "peserta@sibimtek.id",
            "2026-12-02T10:00+08:00",
            [
                ("register", f"/katalog/{o}/daftar"),
                ("register!", f"/katalog/{o}/daftar"),
                ("my-registrations", "/pendaftaran-saya"),
                ("my-data", "/data-saya"),
                ("account", "/akun"),
                ("participant-home", "/beranda"),
            ],
        ),
        (
            "panitia@sibimtek.id",
            "2026-12-02T10:00+08:00",
            [
                ("organiser-home", "/beranda"),
                ("programme", f"/kelola/program/{p}"),
                ("class-detail", f"/kelola/kelas/{m}"),
                ("class-form", f"/kelola/kelas/{m}/ubah"),
                ("class-form!", f"/kelola/kelas/{m}/ubah"),
                ("registrations", f"/kelola/kelas/{m}/pendaftar"),
                ("attendance-report", f"/presensi/kelas/{m}/laporan"),
                ("programme-attendance", f"/presensi/program/{p}/laporan"),
                ("certificates", f"/kelola/kelas/{m}/sertifikat"),
                ("certificate-settings", f"/kelola/program/{p}/sertifikat"),
                ("schedule", "/kelola/jadwal"),
                ("libraries", "/perpustakaan"),
            ],
        ),
        ("koordinator.ntb@sibimtek.id", "2026-12-02T10:00+08:00", [("coordinator-home", "/beranda")]),
        (
            "admin@sibimtek.id",
            "2026-12-02T10:00+08:00",
            [("admin-users", "/admin/pengguna"), ("outbox", "/admin/surel")],
        ),
    ]


def _submit_empty(page, name: str) -> None:
    """Submit the page's main form so that it comes back with errors."""
    if name == "class-form!":
        page.get_by_label("Nama kelas").fill("")
        page.get_by_label("Kapasitas (peserta)").fill("")
    page.locator("main form[method=post] [type=submit]").last.click()
    expect(page.locator("[data-error-summary]")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_main_pages_have_no_serious_axe_violations(app, runner, new_page, clock, viewport) -> None:
    ids = _demo(app, runner)
    size = "phone" if viewport is PHONE else "desktop"
    found: list[str] = []
    visited = 0
    for account, moment, pages in _pages(ids):
        clock(moment)
        page = new_page(viewport)
        if account:
            _log_in(page, account, DEMO_PASSWORD)
        for name, url in pages:
            page.goto(url)
            if name.endswith("!"):
                _submit_empty(page, name)
            found += serious_violations(page, f"{size} {name} ({url})")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:  # phone first: the page itself never scrolls sideways, only wide tables
                found.append(f"{size} {name} ({url}): page is {width} px wide")
            screenshot(page, f"a11y-{size}-{name.rstrip('!')}{'-errors' if name.endswith('!') else ''}")
            visited += 1
    assert visited >= 30
    assert not found, "axe-core: serious/critical violations\n" + "\n".join(found)


def _participant_at_form(new_page, make_user, open_class, library, viewport=PHONE):
    class_id = open_class(name="Kelas Bali – NTB")
    library("52")
    library("52", LibraryType.KABUPATEN_KOTA)
    user = make_user(Role.PARTICIPANT, full_name="Baiq Nurul Hidayati")
    page = new_page(viewport)
    _log_in(page, user.email)
    page.goto(f"/katalog/{class_id}/daftar")
    return page, class_id


def test_failed_registration_moves_focus_to_the_error_summary_with_links_to_the_fields(
    new_page, make_user, open_class, library
) -> None:
    page, _class_id = _participant_at_form(new_page, make_user, open_class, library)
    page.get_by_label("NIK (16 digit, sesuai KTP)").fill("5271 0145")
    page.get_by_role("button", name="Kirim pendaftaran").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(page).to_have_title(re.compile(r"^Perbaiki isian · "))
    expect(summary.get_by_role("alert")).to_contain_text("isian yang perlu diperbaiki")
    links = summary.get_by_role("link")
    # in page order: the library first (province, regency, library), then the personal data
    expect(links.first).to_have_attribute("href", "#province_code")
    texts = links.all_inner_texts()
    assert (
        texts.index("Pilih perpustakaan dari daftar, atau centang 'tidak ada di daftar'.")
        < texts.index("NIK harus 16 digit angka (sekarang 8 karakter).")
        < texts.index("Pilih jenis kelamin.")
    )
    screenshot(page, "error-summary-phone")

    # every invalid field says so and points at its message (and its help text)
    nik = page.locator("#nik")
    expect(nik).to_have_attribute("aria-invalid", "true")
    expect(nik).to_have_attribute("aria-describedby", "nik-error nik-help")
    expect(page.locator("#nik-error")).to_have_text("NIK harus 16 digit angka (sekarang 8 karakter).")
    expect(page.locator("#gender-0")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#library_name")).to_have_attribute("aria-describedby", "library_name-error library_name-help")

    # a link jumps to its field, focused, with its label on screen
    links.filter(has_text="NIK harus 16 digit").click()
    expect(nik).to_be_focused()
    expect(page.locator("label[for=nik]")).to_be_in_viewport()
    screenshot(page, "error-summary-jump-nik-phone")
    summary.focus()
    links.filter(has_text="Pilih jenis kelamin.").click()
    expect(page.locator("#gender-0")).to_be_focused()
    expect(page.locator("legend", has_text="Jenis kelamin")).to_be_in_viewport()
    summary.focus()
    links.filter(has_text="Pilih perpustakaan dari daftar").click()
    expect(page.locator("#library_name")).to_be_focused()


def test_error_summary_takes_focus_without_javascript(browser, live_server, make_user) -> None:
    """autofocus on the summary: a phone with scripts off still lands on the list of problems."""
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="id-ID", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/masuk")
        page.get_by_role("button", name="Masuk", exact=True).click()
        expect(page.locator("#error-summary")).to_be_focused()
        expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#error-summary a[href='#email']")).to_have_count(1)
    finally:
        context.close()


def test_library_search_is_a_combobox_used_with_the_keyboard(new_page, make_user, open_class, library) -> None:
    page, _class_id = _participant_at_form(new_page, make_user, open_class, library, DESKTOP)
    page.get_by_label("Provinsi").select_option("52")
    expect(page.locator("#regency_code option[value='52.71']")).to_have_count(1)
    page.get_by_label("Kabupaten/kota", exact=True).select_option("52.71")

    box = page.get_by_role("combobox", name="Perpustakaan tempat Anda bekerja")
    expect(box).to_have_attribute("aria-controls", "library-results")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.focus()
    box.press_sequentially("perpus")
    listbox = page.get_by_role("listbox", name="Hasil pencarian perpustakaan")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(page.locator("#library-status")).to_have_text(re.compile("^2 perpustakaan ditemukan"))

    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "library-option-0")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "library-option-1")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    assert serious_violations(page, "register form, list open, second option active") == []
    screenshot(page, "library-combobox-open")
    chosen = options.nth(1).inner_text().splitlines()[0]
    box.press("Enter")  # chooses, does not submit the form
    expect(box).to_have_value(chosen)
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    expect(listbox).to_be_hidden()
    expect(page.locator("#library_id")).not_to_have_value("")
    expect(page.locator("#library-status")).to_have_text(f"Dipilih: {chosen}")
    expect(page).to_have_url(re.compile(r"/daftar$"))
    expect(page.locator("[data-error-summary]")).to_have_count(0)

    # typing again forgets the choice; Escape closes the list, a second Escape clears the box
    box.press_sequentially("x")
    expect(page.locator("#library_id")).to_have_value("")
    box.fill("")
    box.press_sequentially("perpus")
    expect(listbox).to_be_visible()
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("Escape")
    expect(box).to_have_value("")


def test_link_buttons_centre_their_text_on_a_phone(new_page, open_class) -> None:
    open_class(name="Kelas Bali – NTB")
    page = new_page(PHONE)
    page.goto("/katalog?provinsi=52")
    button = page.locator(".catalogue-card a.btn").first
    # the middle of the text line and the middle of the 44-px box, in CSS pixels
    offset = button.evaluate("""(el) => {
        const box = el.getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(el);
        const text = range.getBoundingClientRect();
        return {height: box.height, off: (text.top + text.height / 2) - (box.top + box.height / 2)};
    }""")
    assert offset["height"] >= 44
    assert abs(offset["off"]) <= 1.5, offset
    screenshot(page, "catalogue-buttons-phone")
