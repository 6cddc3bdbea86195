"""Libraries: normalised names, the verified-name rule, regions, and the pages."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.roles import Role
from app.errors import DuplicateLibrary, InvalidRegion
from app.extensions import db
from app.libraries import services
from app.libraries.models import Library, LibraryStatus, LibraryType
from tests.conftest import submit


def _data(name: str = "Perpustakaan Desa Sukamulia", regency: str = "52.03", **kw) -> services.LibraryData:
    return services.LibraryData(name=name, type=kw.pop("type", LibraryType.DESA_KELURAHAN), regency_code=regency, **kw)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Perpus. Desa  Sukamulia", "perpustakaan desa sukamulia"),
        ("PERPUSDES Sukamulia", "perpustakaan desa sukamulia"),
        ("Perpustakaan Désa Sukamulia!", "perpustakaan desa sukamulia"),
        ("TBM Pelangi", "taman bacaan masyarakat pelangi"),
    ],
)
def test_names_are_normalised(raw: str, normal: str) -> None:
    assert services.normalise_name(raw) == normal


def test_no_two_verified_libraries_with_the_same_name_in_one_regency(app_ctx) -> None:
    services.create_library(_data(), status=LibraryStatus.VERIFIED, by=None)
    with pytest.raises(DuplicateLibrary):
        services.create_library(_data("perpus desa SUKAMULIA"), status=LibraryStatus.VERIFIED, by=None)
    # a proposal with the same name may wait for an organiser; another regency is fine
    services.create_library(_data("Perpusdes Sukamulia"), status=LibraryStatus.PROPOSED, by=None)
    services.create_library(_data(regency="52.01"), status=LibraryStatus.VERIFIED, by=None)


def test_verifying_a_duplicate_proposal_is_refused(app_ctx) -> None:
    services.create_library(_data(), status=LibraryStatus.VERIFIED, by=None)
    proposal = services.create_library(_data("Perpusdes Sukamulia"), status=LibraryStatus.PROPOSED, by=None)
    with pytest.raises(DuplicateLibrary):
        services.verify_library(proposal)


def test_the_database_itself_refuses_verified_twins(app_ctx) -> None:
    services.create_library(_data(), status=LibraryStatus.VERIFIED, by=None)
    db.session.add(
        Library(
            name="X",
            normalized_name="perpustakaan desa sukamulia",
            type=LibraryType.DESA_KELURAHAN,
            regency_code="52.03",
            status=LibraryStatus.VERIFIED,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_district_and_village_must_lie_in_the_regency(app_ctx) -> None:
    with pytest.raises(InvalidRegion):
        services.create_library(_data(district_code="52.71.01"), status=LibraryStatus.VERIFIED, by=None)
    with pytest.raises(InvalidRegion):
        services.create_library(
            _data(district_code="52.03.01", village_code="52.71.01.1001"), status=LibraryStatus.VERIFIED, by=None
        )
    with pytest.raises(InvalidRegion):
        services.create_library(_data(regency="52.99"), status=LibraryStatus.VERIFIED, by=None)
    village = services.create_library(
        _data(district_code="52.72.01", village_code="52.72.01.1001", regency="52.72"),
        status=LibraryStatus.VERIFIED,
        by=None,
    )
    assert village.province_code == "52"


def test_organiser_adds_a_library_through_the_form(client, login_as, app) -> None:
    login_as(Role.ORGANISER)
    response = submit(
        client,
        "/perpustakaan/baru",
        {
            "name": "Perpustakaan Kelurahan Paruga",
            "type": "desa_kelurahan",
            "province_code": "52",
            "regency_code": "52.72",
            "district_code": "52.72.01",
            "village_code": "52.72.01.1001",
            "address": "Jl. Soekarno-Hatta",
            "npp": "5272011001",
            "status": "verified",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        lib = db.session.scalar(select(Library))
        assert (lib.name, lib.village_code, lib.npp) == ("Perpustakaan Kelurahan Paruga", "52.72.01.1001", "5272011001")
    page = client.get("/perpustakaan?q=paruga").get_data(as_text=True)
    assert "Perpustakaan Kelurahan Paruga" in page
    assert "Paruga, Rasanae Barat" in page


def test_library_form_reports_bad_input_in_indonesian(client, login_as) -> None:
    login_as(Role.ORGANISER)
    page = submit(
        client,
        "/perpustakaan/baru",
        {
            "name": "",
            "type": "",
            "province_code": "52",
            "regency_code": "51.71",
            "npp": "abc",
            "status": "verified",
        },
    ).get_data(as_text=True)
    assert "Nama perpustakaan wajib diisi." in page
    assert "Pilih jenis perpustakaan." in page
    assert "Kabupaten/kota tidak berada di provinsi yang dipilih." in page
    assert "NPP hanya berisi angka" in page


def test_duplicate_name_in_the_form_is_a_message_not_a_500(client, login_as, app) -> None:
    login_as(Role.ORGANISER)
    with app.app_context():
        services.create_library(_data(), status=LibraryStatus.VERIFIED, by=None)
        db.session.commit()
    response = submit(
        client,
        "/perpustakaan/baru",
        {
            "name": "Perpus Desa Sukamulia",
            "type": "desa_kelurahan",
            "province_code": "52",
            "regency_code": "52.03",
            "status": "verified",
        },
    )
    assert response.status_code == 200
    assert "sudah terverifikasi di kabupaten/kota ini" in response.get_data(as_text=True)


def test_coordinator_reads_only_their_province(client, login_as, app) -> None:
    with app.app_context():
        services.create_library(_data("Perpustakaan Desa Ntb"), status=LibraryStatus.VERIFIED, by=None)
        bali = _data("Perpustakaan Kelurahan Bali", regency="51.71")
        services.create_library(bali, status=LibraryStatus.VERIFIED, by=None)
        db.session.commit()
    login_as(Role.COORDINATOR, province_code="52")
    page = client.get("/perpustakaan").get_data(as_text=True)
    assert "Perpustakaan Desa Ntb" in page
    assert "Perpustakaan Kelurahan Bali" not in page
    assert "Perpustakaan Desa Ntb" in client.get("/perpustakaan?provinsi=52").get_data(as_text=True)
    # another province is refused, as on every report (it was silently switched to their own)
    assert client.get("/perpustakaan?provinsi=51").status_code == 403
    assert client.get("/perpustakaan/ekspor.xlsx?provinsi=51").status_code == 403
    assert client.get("/perpustakaan/baru").status_code == 403
    sheet = load_workbook(io.BytesIO(client.get("/perpustakaan/ekspor.xlsx").data)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["Perpustakaan Desa Ntb"]


def test_export_holds_the_filtered_rows(client, login_as, app) -> None:
    with app.app_context():
        services.create_library(_data('=HYPERLINK("x")'), status=LibraryStatus.PROPOSED, by=None)
        services.create_library(_data("Perpustakaan Desa Lain"), status=LibraryStatus.VERIFIED, by=None)
        db.session.commit()
    login_as(Role.ORGANISER)
    response = client.get("/perpustakaan/ekspor.xlsx?status=proposed")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("ID", "Nama", "Jenis", "Provinsi")
    assert rows[1][1] == '=HYPERLINK("x")'  # kept as text, not a formula
    assert len(rows) == 2


def test_list_and_export_show_the_id_that_nominations_use(client, login_as, app) -> None:
    with app.app_context():
        library = services.create_library(_data("Perpustakaan Desa Sukamaju"), status=LibraryStatus.VERIFIED, by=None)
        db.session.commit()
        library_id = library.id
    login_as(Role.ORGANISER)
    page = client.get("/perpustakaan?q=sukamaju").get_data(as_text=True)
    assert f'<td class="text-end text-muted small font-monospace">{library_id}</td>' in page
    rows = list(
        load_workbook(io.BytesIO(client.get("/perpustakaan/ekspor.xlsx?q=sukamaju").data)).active.iter_rows(
            values_only=True
        )
    )
    assert rows[1][:2] == (library_id, "Perpustakaan Desa Sukamaju")


def test_list_is_paginated(client, login_as, app) -> None:
    with app.app_context():
        for i in range(30):
            services.create_library(_data(f"Perpustakaan Desa Nomor {i:02d}"), status=LibraryStatus.VERIFIED, by=None)
        db.session.commit()
    login_as(Role.ORGANISER)
    first = client.get("/perpustakaan").get_data(as_text=True)
    assert "Menampilkan 1–25 dari 30" in first
    second = client.get("/perpustakaan?page=2").get_data(as_text=True)
    assert "Nomor 29" in second
    assert "Nomor 00" not in second
    assert client.get("/perpustakaan?page=abc").status_code == 200


def test_search_api_returns_verified_libraries_of_a_regency(client, app) -> None:
    with app.app_context():
        services.create_library(_data(), status=LibraryStatus.VERIFIED, by=None)
        services.create_library(_data("Perpustakaan Desa Usulan"), status=LibraryStatus.PROPOSED, by=None)
        db.session.commit()
    items = client.get("/api/perpustakaan?kabupaten=52.03&q=desa").get_json()["items"]
    assert [i["name"] for i in items] == ["Perpustakaan Desa Sukamulia"]
    assert client.get("/api/perpustakaan").status_code == 400
