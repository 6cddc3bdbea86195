"""Coverage: verified libraries reached (an approved person completed) per province and regency, and not yet."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from app.core.roles import Role
from app.extensions import db
from app.libraries.models import LibraryType
from app.reports import coverage


def test_a_library_is_reached_when_its_person_holds_a_certificate(app, certified, library) -> None:
    other_type = library("52", LibraryType.SEKOLAH)
    bali = library("51")
    with app.app_context():
        provinces = {row.code: (row.libraries, row.reached) for row in coverage.province_rows(coverage.Filters())}
        assert provinces["52"] == (2, 1)
        assert provinces["51"] == (1, 0)
        not_reached = {row.id for row in db.session.execute(coverage.not_reached_query(coverage.Filters()))}
        assert not_reached == {other_type, bali}
        regencies = db.session.execute(coverage.regency_query(coverage.Filters(province_code="52"))).all()
        rows = coverage.regency_rows(regencies, coverage.Filters(), per_programme=True)
        assert sum(row.reached for row in rows) == 1
        assert [row.by_programme for row in rows if row.reached] == [{certified["programme_id"]: 1}]


def test_another_programme_or_type_has_reached_nobody(app, certified) -> None:
    with app.app_context():
        for filters in (
            coverage.Filters(programme_id=certified["programme_id"] + 1),
            coverage.Filters(library_type=LibraryType.SEKOLAH),
        ):
            assert all(row.reached == 0 for row in coverage.province_rows(filters))


def test_organisers_see_regencies_and_export_the_libraries_not_reached(
    app, client, login_as, certified, library
) -> None:
    library("51")
    login_as(Role.ORGANISER)
    page = client.get("/kelola/cakupan").get_data(as_text=True)
    assert page.count('class="regency-row"') == 2  # the NTB and the Bali regency, under their provinces
    not_reached = client.get("/kelola/cakupan?tampilan=belum").get_data(as_text=True)
    assert not_reached.count('class="not-reached-row"') == 1
    ntb = client.get("/kelola/cakupan?tampilan=belum&kabupaten=52.71").get_data(as_text=True)
    assert 'class="not-reached-row"' not in ntb  # Mataram's one library is reached
    bali = client.get("/kelola/cakupan?tampilan=belum&kabupaten=51.71").get_data(as_text=True)
    assert bali.count('class="not-reached-row"') == 1
    sheet = load_workbook(io.BytesIO(client.get("/kelola/cakupan/belum-terlatih.xlsx").data)).active
    assert len(list(sheet.iter_rows(min_row=2))) == 1


def test_a_coordinator_is_held_to_their_province(app, client, login_as, certified, library) -> None:
    library("51")
    library("52", LibraryType.SEKOLAH)  # not reached either, but in NTB
    login_as(Role.COORDINATOR, province_code="51")
    # Another province asked for is refused, as on the dashboard (never silently their own figures).
    assert client.get("/kelola/cakupan?provinsi=52").status_code == 403
    assert client.get("/kelola/cakupan?tampilan=belum&kabupaten=52.71").status_code == 403
    assert client.get("/kelola/cakupan/belum-terlatih.xlsx?provinsi=52").status_code == 403
    page = client.get("/kelola/cakupan").get_data(as_text=True)
    assert 'id="coverage-provinces"' in page
    assert page.count('class="regency-row"') == 1  # Bali's one regency, not NTB's
    response = client.get("/kelola/cakupan/belum-terlatih.xlsx")
    assert "belum-ada-staf-terlatih-51.xlsx" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert len(list(workbook.active.iter_rows(min_row=2))) == 1  # Bali's library, never NTB's
    named = dict(workbook["Filter"].iter_rows(min_row=2, values_only=True))
    assert named["Provinsi"] == "Bali"
    assert named["Program"] == "Semua program"
