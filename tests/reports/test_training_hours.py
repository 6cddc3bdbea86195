"""Training hours (JP) per person and year: valid certificates count, by the year of the class's last day."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from app.certificates import issuing
from app.certificates.models import Certificate
from app.core.roles import Role
from app.extensions import db
from app.registration.models import Registration
from app.reports import training_hours


def _people(app, year: int, province: str | None = None, q: str = "") -> list[training_hours.PersonHours]:
    with app.app_context():
        rows = db.session.execute(training_hours.people_query(year, province, q)).all()
        return training_hours.rows_of(rows, training_hours.province_names())


def test_people_with_a_valid_certificate_get_the_programmes_jp(app, certified) -> None:
    people = _people(app, certified["year"])
    assert [(p.jp, p.classes, p.province_code) for p in people] == [(40, 1, "52"), (40, 1, "52")]
    assert all(p.meets_target for p in people)
    assert _people(app, certified["year"] - 1) == []


def test_a_revoked_certificate_no_longer_counts(app, certified) -> None:
    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.registration_id == certified["ids"][0]))
        issuing.revoke(certificate, by=None, reason="Data tidak benar")
        db.session.commit()
    assert len(_people(app, certified["year"])) == 1


def test_the_province_and_the_name_narrow_the_list(app, certified) -> None:
    assert _people(app, certified["year"], province="35") == []
    with app.app_context():
        name = db.session.get(Registration, certified["ids"][1]).full_name
    [person] = _people(app, certified["year"], q=name.upper())
    assert person.name == name


def test_a_person_sees_their_jp_this_year_on_their_registrations(app, client, certified) -> None:
    from tests.conftest import login

    with app.app_context():
        assert training_hours.hours_of(certified["owner"], certified["year"]).jp == 40
    login(client, certified["owner"].email)
    page = client.get("/pendaftaran-saya").get_data(as_text=True)
    assert "JP tahun ini: 40 dari 20" in page


def test_the_organisers_list_masks_the_nik_and_exports_it_masked(app, client, login_as, certified) -> None:
    login_as(Role.ORGANISER)
    page = client.get(f"/kelola/jp?tahun={certified['year']}").get_data(as_text=True)
    assert page.count('class="jp-row"') == 2
    assert "••••" in page
    response = client.get(f"/kelola/jp.xlsx?tahun={certified['year']}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2
    assert all("••••" in row[2] for row in rows)
    assert rows[0][5] == 40


def test_a_coordinator_sees_only_their_province_and_never_a_full_nik(
    app, client, login_as, make_user, certified
) -> None:
    from tests.conftest import login

    login_as(Role.COORDINATOR, province_code="35")
    year = certified["year"]
    assert client.get(f"/kelola/jp?tahun={year}&provinsi=52").status_code == 403  # never a silent switch
    assert client.get(f"/kelola/jp.xlsx?tahun={year}&provinsi=52").status_code == 403
    page = client.get(f"/kelola/jp?tahun={year}").get_data(as_text=True)
    assert 'class="jp-row"' not in page
    assert client.get(f"/kelola/jp.xlsx?tahun={year}&nik=lengkap").status_code == 403
    ntb = app.test_client()
    login(ntb, make_user(Role.COORDINATOR, province_code="52").email)
    assert ntb.get(f"/kelola/jp?tahun={year}").get_data(as_text=True).count('class="jp-row"') == 2


def test_the_page_opens_on_the_latest_year_with_completions(app, client, login_as, certified) -> None:
    """Today is years after the demo's classes: the page opens on the year that has people, not on an
    empty current year (a year asked for is kept)."""
    login_as(Role.ORGANISER)
    page = client.get("/kelola/jp").get_data(as_text=True)
    assert page.count('class="jp-row"') == 2
    year = certified["year"]
    assert f'value="{year}" selected' in page
    assert 'class="jp-row"' not in client.get(f"/kelola/jp?tahun={certified['year'] + 1}").get_data(as_text=True)


def test_the_next_year_starts_at_zero_and_names_the_earlier_years(app, client, certified) -> None:
    """From a trial: in a new year the page said only "0 dari 20", as if the training had never been."""
    from datetime import UTC, datetime

    from app import clock
    from tests.conftest import login

    login(client, certified["owner"].email)
    with clock.frozen(datetime(certified["year"] + 1, 3, 1, 3, tzinfo=UTC)):
        page = " ".join(client.get("/pendaftaran-saya").get_data(as_text=True).split())
    assert "JP tahun ini: 0 dari 20" in page
    assert f'<span class="small d-block" id="jp-earlier">Tahun sebelumnya: {certified["year"]}: 40 JP</span>' in page
