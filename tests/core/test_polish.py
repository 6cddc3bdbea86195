"""Polish for people: one way to write dates and numbers, names without doubled words, error messages tied
to their fields, gender as a word, the participant's own cancellation, one empty state per list, demo names."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.core.formatting import format_date_range, format_datetime, format_number, format_percent
from app.core.roles import Role
from app.core.template_helpers import field_aria, form_problems
from app.core.text import fill_programme, sentence, with_word
from app.extensions import db
from app.registration.models import Registration
from tests.conftest import csrf_token, login, submit
from tests.programmes.test_views import CLASS_FORM


def test_numbers_and_percentages_the_indonesian_way() -> None:
    assert format_number(1238, locale="id") == "1.238"
    assert format_number(1238, locale="en") == "1,238"
    assert format_percent(96.875, locale="id") == "96,9\u00a0%"
    assert format_percent(96.875, locale="en") == "96.9%"
    assert format_percent(80, locale="id") == "80\u00a0%"  # whole numbers without ",0"
    assert format_number(None) == ""


def test_one_date_time_format() -> None:
    assert (
        format_datetime(datetime(2026, 12, 1, 0, 0, tzinfo=UTC), "Asia/Makassar", "id") == "1 Desember 2026 08.00 WITA"
    )
    assert (
        format_datetime(datetime(2026, 12, 1, 0, 0, tzinfo=UTC), "Asia/Makassar", "en") == "1 December 2026 08.00 WITA"
    )
    assert format_date_range(date(2023, 5, 22), date(2023, 5, 25), "id") == "22–25 Mei 2023"
    assert format_date_range(date(2023, 5, 29), date(2023, 6, 2), "id") == "29 Mei – 2 Juni 2023"


def test_composed_names_do_not_double_words() -> None:
    assert with_word("Kelas", "Kelas Bali – NTB") == "Kelas Bali – NTB"
    assert with_word("Kelas", "Bali – NTB") == "Kelas Bali – NTB"
    assert with_word("Perpustakaan", "Perpustakaan Desa Sakra") == "Perpustakaan Desa Sakra"
    body = "Bimbingan Teknis {programme} yang diselenggarakan oleh Perpustakaan Nasional Republik Indonesia"
    assert fill_programme(body, "Bimtek Strategi Pengembangan Perpustakaan dan TIK").startswith(
        "Bimbingan Teknis Strategi Pengembangan Perpustakaan dan TIK yang"
    )
    assert fill_programme(body, "Bimbingan Teknis SPP-TIK").startswith("Bimbingan Teknis SPP-TIK yang")
    assert fill_programme("Pelatihan {programme}", "Bimtek SPP-TIK") == "Pelatihan Bimtek SPP-TIK"
    assert sentence("Selamat datang, Rina Wulandari, S.IP..") == "Selamat datang, Rina Wulandari, S.IP."
    assert sentence("Menunggu...") == "Menunggu..."


def test_an_invalid_field_points_at_its_message_and_the_summary_links_to_it(app_ctx) -> None:
    from app.registration.forms import RegistrationForm

    form = RegistrationForm(meta={"csrf": False}, data={"nik": "123", "gender": None})
    form.validate()
    assert field_aria(form.nik, "help") == {"aria-invalid": "true", "aria-describedby": "nik-error nik-help"}
    assert field_aria(form.birth_place, None, {"autocomplete": "off"}) == {
        "autocomplete": "off",
        "aria-invalid": "true",
        "aria-describedby": "birth_place-error",
    }
    assert field_aria(form.not_listed, None) == {}
    problems = form_problems(
        form, order=["province_code", "regency_code", "library_id"], targets={"library_id": "library_name"}
    )
    targets = [p.target for p in problems]
    assert targets[:3] == ["province_code", "regency_code", "library_name"]
    assert "gender-0" in targets  # a group of radios: its first option
    assert targets.index("nik") < targets.index("gender-0") < targets.index("consent")


def test_a_message_shared_by_two_fields_names_each_field(app_ctx) -> None:
    from app.programmes.forms import BatchForm

    form = BatchForm(meta={"csrf": False}, data={"name": "Angkatan 1"})
    form.validate()
    messages = [p.message for p in form_problems(form)]
    assert "Tanggal mulai: Tanggal tidak valid (format hh-bb-tttt)." in messages
    assert "Tanggal selesai: Tanggal tidak valid (format hh-bb-tttt)." in messages


@pytest.mark.parametrize("url", ["/masuk", "/daftar", "/lupa-sandi", "/verifikasi-email"])
def test_every_failed_form_shows_the_summary(client, url) -> None:
    page = submit(client, url, {}).get_data(as_text=True)
    assert 'id="error-summary" tabindex="-1" autofocus' in page
    assert re.search(r'<a class="alert-link" href="#email">', page)
    assert 'aria-invalid="true"' in page
    assert "<title>Perbaiki isian · " in page


def test_the_summary_works_in_english_too(client) -> None:
    client.get("/bahasa/en")
    page = submit(client, "/masuk", {}).get_data(as_text=True)
    assert 'lang="en"' in page
    assert 'id="error-summary" tabindex="-1" autofocus' in page
    assert '<a class="alert-link" href="#email">' in page


def test_welcome_and_class_messages_have_no_doubled_words(client, login_as, make_user, batch) -> None:
    user = make_user(Role.ORGANISER, full_name="Rina Wulandari, S.IP.")
    assert login(client, user.email).status_code == 302
    home = client.get("/beranda").get_data(as_text=True)
    assert "Selamat datang, Rina Wulandari, S.IP." in home
    assert "S.IP.." not in home
    created = submit(client, f"/kelola/angkatan/{batch.id}/kelas/baru", CLASS_FORM, follow_redirects=True)
    text = created.get_data(as_text=True)
    assert "Kelas Bali – NTB dibuat sebagai draf." in text
    assert "Kelas Kelas" not in text


def test_gender_is_shown_as_a_word(app, client, login_as, open_class, register) -> None:
    me = login_as(Role.PARTICIPANT)
    class_id = open_class()
    rid = register(class_id, 1, user=me, woman=True)
    assert re.search(r"Jenis kelamin</dt><dd[^>]*>Perempuan</dd>", client.get("/data-saya").get_data(as_text=True))
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/beranda")})
    login_as(Role.ORGANISER)
    detail = client.get(f"/kelola/pendaftar/{rid}").get_data(as_text=True)
    assert re.search(r"Jenis kelamin</dt><dd[^>]*>Perempuan</dd>", detail)
    rows = list(
        load_workbook(io.BytesIO(client.get(f"/kelola/kelas/{class_id}/pendaftar.xlsx").data)).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][4] == "Jenis kelamin"
    assert rows[1][4] == "Perempuan"


def test_my_own_cancellation_is_not_an_organiser_note(app, client, login_as, open_class, register) -> None:
    me = login_as(Role.PARTICIPANT)
    rid = register(open_class(), 1, user=me)
    client.post(f"/pendaftaran-saya/{rid}/batal", data={"csrf_token": csrf_token(client, "/pendaftaran-saya")})
    page = client.get("/pendaftaran-saya").get_data(as_text=True)
    assert "Dibatalkan oleh Anda pada" in page
    assert "Catatan panitia" not in page


def test_an_organisers_decision_is_still_a_note_from_the_organisers(
    app, client, login_as, open_class, register, make_user
) -> None:
    me = make_user(Role.PARTICIPANT)
    rid = register(open_class(), 1, user=me)
    login_as(Role.ORGANISER)
    client.post(
        "/kelola/pendaftar/keputusan",
        data={
            "csrf_token": csrf_token(client, f"/kelola/pendaftar/{rid}"),
            "action": "reject",
            "ids": [str(rid)],
            "reason": "Kuota perpustakaan desa sudah penuh.",
            "next": "/kelola/program",
        },
    )
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/beranda")})
    login(client, me.email)
    page = client.get("/pendaftaran-saya").get_data(as_text=True)
    assert "Catatan panitia: Kuota perpustakaan desa sudah penuh." in page
    assert "Dibatalkan oleh Anda" not in page


def test_each_empty_list_says_so_once(client, login_as) -> None:
    login_as(Role.ADMIN)
    libraries = client.get("/perpustakaan?q=tidak-ada-yang-begini").get_data(as_text=True)
    assert libraries.count("Tidak ada perpustakaan yang cocok dengan pencarian ini.") == 1
    assert "Tidak ada data." not in libraries
    users = client.get("/admin/pengguna?q=tidak-ada-yang-begini").get_data(as_text=True)
    assert users.count("Tidak ada pengguna yang cocok dengan pencarian ini.") == 1
    assert client.get("/admin/surel").get_data(as_text=True).count("Belum ada surel.") == 1
    assert client.get("/kelola/program").get_data(as_text=True).count("Belum ada program yang cocok.") == 1
    catalogue = client.get("/katalog").get_data(as_text=True)
    assert catalogue.count("Belum ada kelas yang dibuka") == 1
    assert "Tidak ada data." not in catalogue


def test_counts_are_grouped_the_indonesian_way(client, open_class) -> None:
    class_id = open_class(capacity=1238)
    assert "1.238 kursi tersisa" in client.get(f"/katalog/{class_id}").get_data(as_text=True)
    client.get("/bahasa/en")
    assert "1,238" in client.get(f"/katalog/{class_id}").get_data(as_text=True)


def test_demo_names_fit_the_region_and_the_gender(runner, app) -> None:
    from app.registration.demo_names import BALINESE, MBOJO, SASAK

    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    with app.app_context():
        people = db.session.scalars(select(Registration)).all()
        assert len(people) == 25
        assert len({r.full_name for r in people}) == 25  # no two people of one name in the class
        for r in people:
            regency = r.library.regency_code
            pool = BALINESE if regency.startswith("51.") else MBOJO if regency == "52.72" else SASAK
            woman = r.gender == "P"
            firsts = pool.women_first if woman else pool.men_first
            alone = pool.women_alone if woman else pool.men_alone
            assert r.full_name in alone or r.full_name.startswith(firsts), (r.full_name, regency, r.gender)
            assert (r.nik[6:8] > "40") == woman  # the NIK says the same
        assert any(r.full_name.startswith("Ni ") for r in people)
        assert any(r.full_name.startswith(("Lalu", "Baiq")) for r in people)
        assert any(r.library.regency_code == "52.72" for r in people)


def test_choices_of_enums_follow_the_language(client, login_as, batch) -> None:
    login_as(Role.ORGANISER)
    client.get("/bahasa/en")
    page = client.get(f"/kelola/angkatan/{batch.id}/kelas/baru").get_data(as_text=True)
    assert "Automatic (first come, first served)" in page
    assert "Otomatis (siapa cepat)" not in page
