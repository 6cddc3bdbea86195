"""A new participant registers on a 360-px phone; the organiser approves them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.core.roles import Role
from app.programmes.models import ApprovalMode
from tests.conftest import link_in, outbox
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journeys import _log_in

pytestmark = pytest.mark.e2e


def test_new_participant_registers_on_a_phone_and_is_approved(app, new_page, open_class, library, make_user) -> None:
    class_id = open_class(capacity=22, approval_mode=ApprovalMode.MODERATED, name="Kelas Bali – NTB")
    library("52")
    page = new_page(PHONE)

    # sign up and verify the email address
    page.goto("/daftar")
    page.get_by_label("Nama lengkap (dengan gelar, bila ada)").fill("Baiq Nurul Hidayati")
    page.get_by_label("Email").fill("baiq@perpusdes.id")
    page.get_by_label("Nomor WhatsApp").fill("0812 3456 7890")
    page.get_by_label("Kata sandi baru").fill("perpustakaan-desa-1")
    page.get_by_label("Ulangi kata sandi").fill("perpustakaan-desa-1")
    page.get_by_label(re.compile("Saya telah membaca Pemberitahuan Privasi")).check()
    page.get_by_role("button", name="Buat akun").click()
    expect(page.get_by_role("heading", name="Periksa email Anda")).to_be_visible()
    page.goto(link_in(outbox(app)[-1].body))
    page.get_by_label("Kata sandi akun ini").fill("perpustakaan-desa-1")
    page.get_by_role("button", name="Verifikasi email").click()
    expect(page.get_by_text("Email Anda sudah terverifikasi")).to_be_visible()
    _log_in(page, "baiq@perpusdes.id", "perpustakaan-desa-1")

    # from the catalogue, by province, to the form
    page.goto("/katalog")
    page.get_by_label("Provinsi").select_option("52")  # the filter applies itself: wait for its page
    page.wait_for_url(lambda url: "provinsi=52" in url)
    page.locator(".catalogue-card", has_text="Kelas Bali – NTB").get_by_role("link", name="Mendaftar").click()
    page.get_by_role("link", name="Daftar ke kelas ini").click()

    page.get_by_label("Provinsi").select_option("52")
    expect(page.locator("#regency_code option[value='52.71']")).to_have_count(1)
    page.get_by_label("Kabupaten/kota", exact=True).select_option("52.71")
    page.get_by_label("Perpustakaan tempat Anda bekerja").fill("desa")
    page.locator("#library-results [role=option]").first.click()
    expect(page.locator("#library_name")).to_have_class(re.compile("is-valid"))
    page.get_by_label("Nama lengkap untuk sertifikat").fill("Baiq Nurul Hidayati, S.Pd.")
    expect(page.locator("#certificate-name")).to_have_text("Baiq Nurul Hidayati, S.Pd.")
    page.get_by_label("NIK (16 digit, sesuai KTP)").fill("5271 0145 0890")  # too short
    page.get_by_label("Status kepegawaian").select_option("relawan")
    page.get_by_label("Perempuan").check()
    page.get_by_label("Tempat lahir").fill("Mataram")
    page.get_by_label("Tanggal lahir").fill("1990-08-05")
    page.get_by_label("Jabatan").fill("Pengelola perpustakaan desa")
    page.get_by_label(re.compile("Nama di atas sudah benar")).check()
    page.get_by_label(re.compile("menyetujui pemrosesan data pribadi saya untuk Bimtek")).check()
    page.get_by_role("button", name="Kirim pendaftaran").click()

    expect(page.locator("#nik-error")).to_have_text("NIK harus 16 digit angka (sekarang 12 karakter).")
    expect(page.get_by_label("Jabatan")).to_have_value("Pengelola perpustakaan desa")
    expect(page.get_by_label("Nama lengkap untuk sertifikat")).to_have_value("Baiq Nurul Hidayati, S.Pd.")
    screenshot(page, "register-nik-error-phone")
    page.get_by_label("NIK (16 digit, sesuai KTP)").fill("5271 0145 0890 0001")
    page.get_by_label(re.compile("Nama di atas sudah benar")).check()
    page.get_by_label(re.compile("menyetujui pemrosesan data pribadi saya untuk Bimtek")).check()
    if page.locator("#library_id").input_value() == "":
        page.get_by_label("Perpustakaan tempat Anda bekerja").fill("desa")
        page.locator("#library-results [role=option]").first.click()
    page.get_by_role("button", name="Kirim pendaftaran").click()
    card = page.locator(".registration-card", has_text="Kelas Bali – NTB")
    expect(card.locator(".registration-status")).to_have_text("Terdaftar, menunggu persetujuan")
    expect(card).to_contain_text("5271••••••••0001")
    screenshot(page, "my-registrations-phone")

    # the organiser approves
    organiser = make_user(Role.ORGANISER)
    desk = new_page(DESKTOP)
    _log_in(desk, organiser.email)
    desk.goto(f"/kelola/kelas/{class_id}/pendaftar")
    desk.get_by_label("Pilih Baiq Nurul Hidayati, S.Pd.").check()
    desk.get_by_label("Tindakan").select_option("approve")
    desk.get_by_role("button", name="Terapkan ke yang dicentang").click()
    expect(desk.get_by_text("1 pendaftar diproses.")).to_be_visible()
    screenshot(desk, "organiser-registrations")

    page.reload()
    expect(card.locator(".registration-status")).to_have_text("Disetujui")


def test_a_letter_over_the_limit_is_refused_before_the_form_is_sent(app, new_page, open_class, make_user) -> None:
    from app.extensions import db
    from app.programmes.models import TrainingClass
    from tests.conftest import PASSWORD

    class_id = open_class()
    with app.app_context():
        db.session.get_one(TrainingClass, class_id).batch.programme.requires_letter = True
        db.session.commit()
    user = make_user(Role.PARTICIPANT)
    page = new_page(PHONE)
    _log_in(page, user.email, PASSWORD)
    page.goto(f"/katalog/{class_id}/daftar")
    letter = page.get_by_label("Surat tugas (PDF/JPG/PNG, maks. 2 MB)")
    letter.set_input_files({"name": "surat.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-" + b"0" * 3_000_000})
    refusal = "Berkas ini lebih dari 2 MB. Pilih berkas yang lebih kecil."
    assert letter.evaluate("input => input.validationMessage") == refusal
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Kirim pendaftaran").click()
    assert page.evaluate("window.notReloaded === true")  # the browser did not send the form
    assert letter.evaluate("input => input.validity.customError")
    letter.set_input_files({"name": "surat.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 small"})
    assert letter.evaluate("input => input.validationMessage") == ""
