"""Nominations import: every problem of a row at once, libraries found by name, regency or village,
and the template with the codes an office needs."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core.roles import Role
from app.extensions import db
from app.libraries import services as libraries
from app.libraries.models import LibraryStatus, LibraryType
from app.registration.models import Registration
from tests.conftest import submit, xlsx_file
from tests.fixtures_registration import make_nik

HEADER = [
    "nama",
    "nik",
    "nip",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "jabatan",
    "status_kepegawaian",
    "email",
    "whatsapp",
    "id_perpustakaan",
    "nama_perpustakaan",
    "kode_kabupaten",
    "kode_desa",
]


def _xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    return xlsx_file(header, rows)


def _person(serial: int, **library: object) -> list[object]:
    row = dict.fromkeys(HEADER, "")
    row.update(
        {
            "nama": f"Peserta {serial}",
            "nik": make_nik("52", serial),
            "jenis_kelamin": "L",
            "tempat_lahir": "Mataram",
            "tanggal_lahir": "1990-08-05",
            "jabatan": "Pustakawan",
            "status_kepegawaian": "relawan",
            "email": f"peserta{serial}@perpusdes.id",
            "whatsapp": "0812 3456 7890",
        }
    )
    row.update(library)
    return [row[name] for name in HEADER]


def _upload(client, class_id: int, content: bytes):
    return submit(
        client,
        f"/kelola/kelas/{class_id}/impor-nominasi",
        {"file": (io.BytesIO(content), "n.xlsx")},
        content_type="multipart/form-data",
    )


def _village_libraries(app) -> dict[str, int]:
    """Two village libraries in Ampenan Selatan (Kota Mataram) and one in Kota Bima."""
    made = {}
    with app.app_context():
        for name, regency, district, village in (
            ("Perpustakaan Desa Ampenan Selatan", "52.71", "52.71.01", "52.71.01.1004"),
            ("TBM Pelita Ampenan", "52.71", "52.71.01", "52.71.01.1004"),
            ("Perpustakaan Kelurahan Pejeruk", "52.71", "52.71.01", "52.71.01.1006"),
            ("Perpustakaan Kelurahan Paruga", "52.72", None, None),
        ):
            lib = libraries.create_library(
                libraries.LibraryData(
                    name=name,
                    type=LibraryType.DESA_KELURAHAN,
                    regency_code=regency,
                    district_code=district,
                    village_code=village,
                ),
                status=LibraryStatus.VERIFIED,
                by=None,
            )
            made[name] = lib.id
        db.session.commit()
    return made


def test_a_row_with_five_problems_lists_all_five(app, client, login_as, open_class) -> None:
    class_id = open_class()
    login_as(Role.ORGANISER)
    bad = _person(
        1, nik="5271", email="bukan-email", tanggal_lahir="5 Agustus 1990", id_perpustakaan=99999, whatsapp="12345"
    )
    page = _upload(client, class_id, _xlsx([bad])).get_data(as_text=True)
    for message in (
        "nik: NIK harus 16 digit angka (sekarang 4 karakter).",
        "email: alamat email tidak valid.",
        "tanggal_lahir: tanggal tidak valid (TTTT-BB-HH).",
        "id_perpustakaan: tidak ada perpustakaan terverifikasi dengan id 99999.",
        "whatsapp: nomor tidak valid (mis. 0812 3456 7890).",
    ):
        assert f"<li>{message}</li>" in page, message
    problems = page.split('<td>2</td><td><ul class="mb-0 ps-3">')[1].split("</ul>")[0]
    assert problems.count("<li>") == 5  # exactly these five, in one pass
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_the_library_is_found_by_name_and_regency_code_or_name_or_by_village(app, client, login_as, open_class) -> None:
    class_id = open_class(capacity=10)
    made = _village_libraries(app)
    login_as(Role.ORGANISER)
    rows = [
        _person(1, nama_perpustakaan="perpus desa ampenan selatan", kode_kabupaten="52.71"),
        _person(2, nama_perpustakaan="Perpustakaan Kelurahan Paruga", kode_kabupaten="Kota Bima"),
        _person(3, kode_desa="52.71.01.1006"),
        _person(4, kode_desa="52.71.01.1004", nama_perpustakaan="TBM Pelita Ampenan"),
    ]
    response = _upload(client, class_id, _xlsx(rows))
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    with app.app_context():
        chosen = dict(db.session.execute(select(Registration.full_name, Registration.library_id)).all())
    assert chosen == {
        "Peserta 1": made["Perpustakaan Desa Ampenan Selatan"],
        "Peserta 2": made["Perpustakaan Kelurahan Paruga"],
        "Peserta 3": made["Perpustakaan Kelurahan Pejeruk"],
        "Peserta 4": made["TBM Pelita Ampenan"],
    }


def test_ambiguous_or_unknown_libraries_are_explained_with_candidates(app, client, login_as, open_class) -> None:
    class_id = open_class()
    made = _village_libraries(app)
    login_as(Role.ORGANISER)
    rows = [
        _person(1, kode_desa="52.71.01.1004"),  # two libraries in that village
        _person(2, nama_perpustakaan="Perpustakaan Kelurahan Paruga", kode_kabupaten="Bima"),  # Kabupaten or Kota?
        _person(3, nama_perpustakaan="Perpustakaan Ampenan", kode_kabupaten="52.71"),  # close, not exact
        _person(4),  # no library at all
    ]
    page = _upload(client, class_id, _xlsx(rows)).get_data(as_text=True)
    assert (
        f"kode_desa: beberapa perpustakaan di Ampenan Selatan: Perpustakaan Desa Ampenan Selatan "
        f"(id {made['Perpustakaan Desa Ampenan Selatan']}, Kota Mataram); TBM Pelita Ampenan "
        f"(id {made['TBM Pelita Ampenan']}, Kota Mataram). Tulis id_perpustakaan."
    ) in page
    assert (
        "nama_perpustakaan: &#34;Bima&#34; cocok dengan beberapa kabupaten/kota: Kabupaten Bima (52.06), "
        "Kota Bima (52.72). Tulis kodenya."
    ) in page
    assert "tidak ditemukan persis di Kota Mataram. Mungkin: Perpustakaan Desa Ampenan Selatan" in page
    assert "isi id_perpustakaan, atau nama_perpustakaan dan kode_kabupaten, atau kode_desa." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_a_library_outside_the_served_provinces_is_refused(app, client, login_as, open_class, library) -> None:
    class_id = open_class()
    west_java = library("32")
    login_as(Role.ORGANISER)
    page = _upload(client, class_id, _xlsx([_person(1, id_perpustakaan=west_java)])).get_data(as_text=True)
    assert "berada di provinsi yang tidak dilayani kelas ini." in page


def test_the_template_lists_the_libraries_of_the_class_and_the_codes(app, client, login_as, open_class, clock) -> None:
    clock("2026-12-02T10:00+08:00")
    class_id = open_class()
    made = _village_libraries(app)
    login_as(Role.ORGANISER)
    page = client.get(f"/kelola/kelas/{class_id}/impor-nominasi").get_data(as_text=True)
    assert f"/kelola/kelas/{class_id}/impor-nominasi/templat.xlsx" in page
    workbook = load_workbook(io.BytesIO(client.get(f"/kelola/kelas/{class_id}/impor-nominasi/templat.xlsx").data))
    assert workbook.sheetnames == ["Nominasi", "Kode", "Petunjuk"]
    header = [c.value for c in workbook["Nominasi"][1]]
    example = dict(zip(header, [c.value for c in workbook["Nominasi"][2]], strict=True))
    assert header == HEADER
    born = date.fromisoformat(example["tanggal_lahir"])
    assert born.year == 1991  # 35 years before the clock, not a fixed date
    assert example["nik"][6:12] == f"{born.day + 40:02d}{born:%m%y}"  # the NIK agrees with it
    sheet = workbook["Nominasi"]
    for column in ("nik", "nip", "whatsapp", "kode_kabupaten", "kode_desa"):  # Excel keeps 16 digits as text
        letter = sheet.cell(row=1, column=header.index(column) + 1).column_letter
        assert sheet.column_dimensions[letter].number_format == "@", column
    codes = [[c.value for c in row] for row in workbook["Kode"].iter_rows()]
    libraries_block = {row[0]: row[1:6] for row in codes[2:] if isinstance(row[0], int)}
    assert libraries_block[made["TBM Pelita Ampenan"]] == [
        "TBM Pelita Ampenan",
        "Perpustakaan desa/kelurahan",
        "52.71",
        "Kota Mataram",
        "52.71.01.1004",
    ]
    flat = {value for row in codes for value in row if value is not None}
    assert {"relawan", "pns", "L", "P", "desa_kelurahan", "52.72", "Kota Bima"} <= flat
    # the example row, if left in, is refused rather than registered
    buffer = io.BytesIO()
    workbook.save(buffer)
    page = _upload(client, class_id, buffer.getvalue()).get_data(as_text=True)
    assert "nama: ini baris contoh dari templat" in page


def test_an_old_file_with_only_id_perpustakaan_still_imports(app, client, login_as, open_class, library) -> None:
    class_id = open_class()
    lib = library("52")
    login_as(Role.ORGANISER)
    response = _upload(client, class_id, _xlsx([_person(1, id_perpustakaan=lib)[:11]], header=HEADER[:11]))
    assert response.status_code == 302
