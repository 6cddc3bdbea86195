"""Organiser forms in the browser: every problem after one submit, import reports and templates,
weekdays in the planner, and the certificate preview framed by the settings page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.core.roles import Role
from app.extensions import db
from app.libraries import services as libraries
from app.libraries.models import LibraryStatus, LibraryType
from app.programmes import services as planning
from app.programmes.models import TrainingClass
from tests.conftest import xlsx_file
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journeys import _log_in

pytestmark = pytest.mark.e2e


_xlsx = xlsx_file


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_the_class_form_shows_all_its_problems_after_one_submit(new_page, make_user, batch, viewport, name) -> None:
    organiser = make_user(Role.ORGANISER)
    page = new_page(viewport)
    _log_in(page, organiser.email)
    page.goto(f"/kelola/angkatan/{batch.id}/kelas/baru")
    expect(page.get_by_text("Rentang angkatan: Senin, 22 Mei 2023 – Jumat, 26 Mei 2023")).to_be_visible()
    page.get_by_label("Nama kelas").fill("Kelas Bali – NTB")
    page.get_by_label("Tempat (nama hotel/gedung)").fill("Aston Inn Mataram")
    page.get_by_label("Provinsi tuan rumah").select_option("52")
    expect(page.locator("#regency_code option[value='52.71']")).to_have_count(1)
    page.get_by_label("Kabupaten/kota tuan rumah").select_option("52.71")
    page.get_by_label("Tanggal mulai").fill("2023-05-22")
    page.get_by_label("Tanggal selesai").fill("2023-05-25")
    page.get_by_label("Kapasitas (peserta)").fill("20")
    page.get_by_label("Pendaftaran dibuka").fill("2023-05-01T08:00")
    page.get_by_label("Pendaftaran ditutup").fill("2023-05-23T10:00")
    page.get_by_label("Bali", exact=True).check()
    page.get_by_label("Nusa Tenggara Barat", exact=True).check()
    page.get_by_label("Kuota Bali").fill("10")
    page.get_by_label("Kuota Nusa Tenggara Barat").fill("15")
    page.get_by_label("Perpustakaan desa/kelurahan").fill("30")
    page.get_by_role("button", name="Simpan").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    for message in (
        "Jumlah kuota provinsi (25) melebihi kapasitas kelas (20).",
        "Jumlah kuota jenis perpustakaan (30) melebihi kapasitas kelas (20).",
        "Pendaftaran harus ditutup sebelum kelas dimulai.",
    ):
        expect(page.locator("[id$='-error']").filter(has_text=message)).to_be_visible()  # beside its field
        expect(summary.get_by_role("link", name=message)).to_be_visible()  # and listed above the form
    screenshot(page, f"class-form-all-problems-{name}")


def test_agenda_refuses_four_jp_in_one_hour_and_the_plan_shows_weekdays(
    app, new_page, make_user, make_class, programme
) -> None:
    class_id = make_class()
    organiser = make_user(Role.ORGANISER)
    page = new_page(PHONE)
    _log_in(page, organiser.email)
    page.goto(f"/kelola/kelas/{class_id}")
    expect(page.get_by_text("Senin 22 – Kamis 25 Mei 2023")).to_be_visible()
    page.get_by_label("Jam mulai").fill("08:00")
    page.get_by_label("Jam selesai").fill("09:00")
    page.get_by_label("Materi").fill("Pembukaan dan kebijakan TPBIS")
    page.get_by_label("JP").fill("4")
    page.get_by_role("button", name="Tambah sesi").click()
    expect(page.locator("#jp-error")).to_have_text(
        re.compile("hanya memuat paling banyak 1 JP \\(1 JP = 45 menit\\), bukan 4 JP")
    )
    expect(page.locator("#agenda-errors")).to_be_focused()  # the summary beside the form, in view
    expect(page.get_by_label("Materi")).to_have_value("Pembukaan dan kebijakan TPBIS")  # nothing typed is lost
    screenshot(page, "class-detail-agenda-refused-phone")
    page.get_by_label("JP").fill("1")
    page.get_by_role("button", name="Tambah sesi").click()
    expect(page.get_by_role("cell", name="Senin, 22 Mei 2023")).to_be_visible()
    screenshot(page, "class-detail-agenda-phone")
    page.goto(f"/kelola/program/{programme.id}")
    expect(page.get_by_text("Senin 22 – Jumat 26 Mei 2023")).to_be_visible()
    screenshot(page, "programme-weekdays-phone")
    desktop = new_page(DESKTOP)
    _log_in(desktop, organiser.email)
    desktop.goto(f"/kelola/program/{programme.id}")
    screenshot(desktop, "programme-weekdays-desktop")
    desktop.goto(f"/kelola/jadwal?program={programme.id}")
    expect(desktop.get_by_text("Senin 22 – Kamis 25 Mei 2023")).to_be_visible()
    screenshot(desktop, "schedule-weekdays-desktop")


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_the_class_import_lists_every_problem_of_a_row(
    new_page, make_user, programme, tmp_path, viewport, name
) -> None:
    from app.programmes.importing import COLUMNS

    organiser = make_user(Role.ORGANISER)
    page = new_page(viewport)
    _log_in(page, organiser.email)
    page.goto(f"/kelola/program/{programme.id}/impor")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh templat XLSX").click()
    assert download.value.suggested_filename == "templat-impor-kelas.xlsx"
    bad = [
        2,
        "Kelas Serba Salah",
        "Hotel",
        "",
        "99.99",
        "2023-05-22",
        "25 Mei",
        "dua puluh",
        "NTB",
        "2023-05-10 08:00",
        "2023-05-01 08:00",
        "siapa@contoh.id",
    ]
    good = [
        2,
        "Kelas Bali – NTB",
        "Aston Inn Mataram",
        "Kota Mataram",
        "52.71",
        "2023-05-22",
        "2023-05-25",
        22,
        "51:8, 52:14",
        "2023-05-01 08:00",
        "2023-05-15 23:59",
        "",
    ]
    path = tmp_path / "kelas.xlsx"
    path.write_bytes(_xlsx(COLUMNS, [good, bad]))
    page.get_by_label("Berkas XLSX").set_input_files(str(path))
    page.get_by_role("button", name="Periksa berkas").click()
    expect(page.get_by_text("2 baris: 1 valid, 1 salah.")).to_be_visible()
    expect(page.get_by_text("tanggal_selesai: tanggal tidak valid (TTTT-BB-HH).")).to_be_visible()
    expect(page.get_by_text("email_fasilitator: akun tidak ditemukan: siapa@contoh.id.")).to_be_visible()
    screenshot(page, f"class-import-report-{name}")


def test_nominations_by_library_name_with_a_report_on_a_phone(app, new_page, make_user, open_class, tmp_path) -> None:
    from app.registration.nominations import COLUMNS

    class_id = open_class()
    with app.app_context():
        libraries.create_library(
            libraries.LibraryData(
                name="Perpustakaan Desa Ampenan Selatan",
                type=LibraryType.DESA_KELURAHAN,
                regency_code="52.71",
                district_code="52.71.01",
                village_code="52.71.01.1004",
            ),
            status=LibraryStatus.VERIFIED,
            by=None,
        )
        db.session.commit()
    organiser = make_user(Role.ORGANISER)
    page = new_page(PHONE)
    _log_in(page, organiser.email)
    page.goto(f"/kelola/kelas/{class_id}/impor-nominasi")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh templat XLSX").click()
    assert download.value.suggested_filename == f"templat-nominasi-kelas-{class_id}.xlsx"
    bad = ["Siti", "5271", "", "P", "Bima", "2 Januari 1991", "Staf", "pns", "bukan-email", "12345", 99999, "", "", ""]
    by_name = [
        "Lalu Ahmad",
        "5271010508900007",
        "",
        "L",
        "Praya",
        "1990-08-05",
        "Pustakawan",
        "relawan",
        "lalu@perpus.id",
        "081233334444",
        "",
        "Perpus Desa Ampenan Selatan",
        "Kota Mataram",
        "",
    ]
    path = tmp_path / "nominasi.xlsx"
    path.write_bytes(_xlsx(COLUMNS, [by_name, bad]))
    page.get_by_label("Berkas XLSX").set_input_files(str(path))
    page.get_by_role("button", name="Impor nominasi").click()
    expect(page.get_by_text("nik: NIK harus 16 digit angka (sekarang 4 karakter).")).to_be_visible()
    expect(page.get_by_text("whatsapp: nomor tidak valid (mis. 0812 3456 7890).")).to_be_visible()
    expect(page.get_by_text("Lalu Ahmad")).to_have_count(0)  # the good row was checked, nothing written
    screenshot(page, "nominations-report-phone")
    path.write_bytes(_xlsx(COLUMNS, [by_name]))
    page.get_by_label("Berkas XLSX").set_input_files(str(path))
    page.get_by_role("button", name="Impor nominasi").click()
    expect(page.get_by_role("alert")).to_contain_text("1 nominasi diimpor")


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_the_library_list_shows_ids(app, new_page, make_user, viewport, name) -> None:
    with app.app_context():
        made = libraries.create_library(
            libraries.LibraryData(
                name="Perpustakaan Desa Ampenan Selatan",
                type=LibraryType.DESA_KELURAHAN,
                regency_code="52.71",
                district_code="52.71.01",
                village_code="52.71.01.1004",
            ),
            status=LibraryStatus.VERIFIED,
            by=None,
        )
        db.session.commit()
        library_id = made.id
    organiser = make_user(Role.ORGANISER)
    page = new_page(viewport)
    _log_in(page, organiser.email)
    page.goto("/perpustakaan")
    expect(page.get_by_role("cell", name=str(library_id), exact=True)).to_be_visible()
    screenshot(page, f"libraries-ids-{name}")


def test_the_settings_page_frames_the_preview_of_a_fresh_programme(app, new_page, make_user, programme) -> None:
    organiser = make_user(Role.ORGANISER)
    page = new_page(DESKTOP)
    _log_in(page, organiser.email)
    with page.expect_response(lambda r: "pratinjau.pdf" in r.url) as preview:
        page.goto(f"/kelola/program/{programme.id}/sertifikat")
    assert preview.value.status == 200
    assert preview.value.headers["content-type"] == "application/pdf"
    page.wait_for_timeout(1000)
    frame = page.frame_locator("#preview")
    assert frame is not None
    urls = [f.url for f in page.frames]
    assert any("pratinjau.pdf" in url for url in urls), urls
    assert not any(url.startswith("chrome-error://") for url in urls), urls  # a blocked frame shows this
    screenshot(page, "certificate-settings-preview")


def test_the_2027_copy_starts_on_the_same_weekday_in_the_browser(
    app, new_page, make_user, make_class, programme
) -> None:
    make_class()
    organiser = make_user(Role.ORGANISER)
    page = new_page(DESKTOP)
    _log_in(page, organiser.email)
    page.goto(f"/kelola/program/{programme.id}")
    page.get_by_label("Tahun baru").fill("2027")
    page.get_by_role("button", name="Salin program").click()
    expect(page.get_by_role("heading", name="Bimtek SPP-TIK 2027")).to_be_visible()
    expect(page.get_by_text("Senin 24 – Kamis 27 Mei 2027")).to_be_visible()
    with app.app_context():
        copy = db.session.scalars(db.select(TrainingClass).order_by(TrainingClass.id.desc())).first()
        assert copy.start_date.weekday() == 0
        assert planning.class_data(copy).start_date.isoformat() == "2027-05-24"
