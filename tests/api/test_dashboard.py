"""The programme dashboard in the API: the page's numbers (its XLSX summary and the database), its
filters, and its people: planners the whole programme, a coordinator held to their province (another
one a 403, a draft programme a 404), a facilitator nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.auth import services as auth
from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.libraries.models import LibraryType
from app.programmes.models import Programme, ProgrammeStatus
from app.registration.models import Registration, RegistrationStatus
from tests.api import bearer
from tests.conftest import login

ORGANISER, COORDINATOR, FACILITATOR = "panitia@sibimtek.id", "koordinator.ntb@sibimtek.id", "fasilitator@sibimtek.id"


@pytest.fixture
def demo(app: Flask) -> dict[str, Any]:
    """The small demo: the 2023 programme, a batch of it and a batch of another programme."""
    with app.app_context():
        load_demo()
        db.session.commit()
        programmes = db.session.scalars(select(Programme).order_by(Programme.year)).all()
        first, other = programmes[0], programmes[-1]
        approved = select(func.count()).where(
            Registration.programme_id == first.id, Registration.status == RegistrationStatus.APPROVED
        )
        return {
            "programme_id": first.id,
            "batch_id": first.batches[0].id,
            "other_batch_id": other.batches[0].id,
            "approved": db.session.scalar(approved),
            "approved_ntb": db.session.scalar(approved.where(Registration.province_code == "52")),
        }


def _token(app: Flask, email: str) -> dict[str, str]:
    with app.app_context():
        user = auth.find_user_by_email(email)
        assert user is not None
        user_id = user.id
    return bearer(app, user_id)


def _get(client: FlaskClient, url: str, headers: dict[str, str], status: int = 200) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:300])
    assert response.is_json
    return response.get_json()


def _page_summary(app: Flask, email: str, url: str) -> dict[str, Any]:
    """The dashboard page's own numbers: the Ringkasan sheet of its XLSX."""
    browser = app.test_client()
    login(browser, email, DEMO_PASSWORD)
    sheet = load_workbook(io.BytesIO(browser.get(url).data))["Ringkasan"]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def _as_summary(body: dict[str, Any]) -> dict[str, Any]:
    """The API's headline in the words of the page's summary sheet."""
    headline = body["headline"]
    return {
        "Peserta": headline["participants"],
        "Provinsi": headline["provinces"],
        "Angkatan": headline["batches"],
        **{f"{t.label} asal peserta": headline["libraries_reached"][t.value] for t in LibraryType},
        "Kehadiran (%)": headline["attendance_percent"],
        "Memenuhi syarat sertifikat": headline["certificates"]["eligible"],
        "Sertifikat terbit": headline["certificates"]["issued"],
        "Daftar tunggu": headline["waiting"],
    }


def test_organiser_reads_the_numbers_of_the_dashboard_page(app: Flask, client: FlaskClient, demo) -> None:
    p = demo["programme_id"]
    headers = _token(app, ORGANISER)
    body = _get(client, f"/api/v1/programmes/{p}/dashboard", headers)
    assert body["programme"]["id"] == p
    assert body["filters"] == {"batch": None, "province": None, "library_type": None, "from": None, "to": None}
    assert body["headline"]["participants"] == demo["approved"] > 0
    assert body["by_status"]["approved"] == demo["approved"]
    summary = _page_summary(app, ORGANISER, f"/kelola/program/{p}/dasbor.xlsx")
    assert {k: summary[k] for k in _as_summary(body)} == _as_summary(body)
    assert body["by_area"]["level"] == "province"
    assert sum(row["participants"] for row in body["by_area"]["rows"]) == demo["approved"]
    assert {row["code"] for row in body["by_area"]["rows"]} >= {"51", "52"}
    assert next(r for r in body["by_area"]["rows"] if r["code"] == "52")["name"]
    assert [row["type"] for row in body["by_library_type"]] == [t.value for t in LibraryType]
    assert sum(row["participants"] for row in body["by_library_type"]) == demo["approved"]
    assert sum(c["approved"] for c in body["classes"]) == demo["approved"]
    for c in body["classes"]:
        assert c["percent"] == round(100 * c["approved"] / c["capacity"], 1)


def test_filters_narrow_the_figures_as_on_the_page(app: Flask, client: FlaskClient, demo) -> None:
    p = demo["programme_id"]
    headers = _token(app, ORGANISER)
    url = f"/api/v1/programmes/{p}/dashboard"
    ntb = _get(client, f"{url}?province=52", headers)
    assert ntb["filters"]["province"] == "52"
    assert (ntb["headline"]["participants"], ntb["headline"]["provinces"]) == (demo["approved_ntb"], 1)
    summary = _page_summary(app, ORGANISER, f"/kelola/program/{p}/dasbor.xlsx?provinsi=52")
    assert {k: summary[k] for k in _as_summary(ntb)} == _as_summary(ntb)
    assert _get(client, f"{url}?library_type=sekolah", headers)["headline"]["participants"] == 0
    assert _get(client, f"{url}?from=2030-01-01", headers)["headline"]["participants"] == 0
    dated = _get(client, f"{url}?from=2000-01-01&to=2100-12-31&batch={demo['batch_id']}", headers)
    assert dated["filters"] == {
        "batch": demo["batch_id"],
        "province": None,
        "library_type": None,
        "from": "2000-01-01",
        "to": "2100-12-31",
    }


@pytest.mark.parametrize(
    "query",
    [
        "from=kemarin",
        "to=2023-13-01",
        "from=20230501",
        "from=2023-06-01&to=2023-05-01",
        "library_type=bukan-jenis",
        "province=5",
        "province=ab",
        "batch=x",
        "batch=0",
    ],
)
def test_nonsense_filters_are_a_400_in_the_api_shape(app: Flask, client: FlaskClient, demo, query: str) -> None:
    answer = _get(client, f"/api/v1/programmes/{demo['programme_id']}/dashboard?{query}", _token(app, ORGANISER), 400)
    assert answer["error"]["status"] == 400
    assert set(answer["error"]) == {"status", "message"}


def test_a_batch_of_another_programme_is_a_404(app: Flask, client: FlaskClient, demo) -> None:
    url = f"/api/v1/programmes/{demo['programme_id']}/dashboard?batch={demo['other_batch_id']}"
    assert _get(client, url, _token(app, ORGANISER), 404)["error"]["status"] == 404


def test_coordinator_is_held_to_their_province_by_regency(app: Flask, client: FlaskClient, demo) -> None:
    p = demo["programme_id"]
    headers = _token(app, COORDINATOR)
    url = f"/api/v1/programmes/{p}/dashboard"
    body = _get(client, url, headers)
    assert body["filters"]["province"] == "52"
    assert (body["headline"]["participants"], body["headline"]["provinces"]) == (demo["approved_ntb"], 1)
    assert body["by_area"]["level"] == "regency"
    assert body["by_area"]["rows"]
    assert all(row["code"].startswith("52.") for row in body["by_area"]["rows"])
    summary = _page_summary(app, COORDINATOR, f"/kelola/program/{p}/dasbor.xlsx")
    assert {k: summary[k] for k in _as_summary(body)} == _as_summary(body)
    assert _get(client, f"{url}?province=52", headers) == body
    for other in ("51", "35"):
        assert _get(client, f"{url}?province={other}", headers, 403)["error"]["status"] == 403


def test_a_draft_programme_does_not_exist_for_a_coordinator(app: Flask, client: FlaskClient, demo) -> None:
    with app.app_context():
        db.session.get(Programme, demo["programme_id"]).status = ProgrammeStatus.DRAFT
        db.session.commit()
    url = f"/api/v1/programmes/{demo['programme_id']}/dashboard"
    assert _get(client, url, _token(app, COORDINATOR), 404)["error"]["status"] == 404
    assert _get(client, url, _token(app, ORGANISER))["headline"]["participants"] == demo["approved"]


def test_facilitators_do_not_read_the_dashboard(app: Flask, client: FlaskClient, demo) -> None:
    url = f"/api/v1/programmes/{demo['programme_id']}/dashboard"
    assert _get(client, url, _token(app, FACILITATOR), 403)["error"]["status"] == 403
    assert _get(client, url, {}, 401)["error"]["status"] == 401


def test_etag_gives_304_until_a_figure_changes(app: Flask, client: FlaskClient, demo) -> None:
    headers = _token(app, ORGANISER)
    url = f"/api/v1/programmes/{demo['programme_id']}/dashboard"
    etag = client.get(url, headers=headers).headers["ETag"]
    again = client.get(url, headers={**headers, "If-None-Match": etag})
    assert (again.status_code, again.data) == (304, b"")
    with app.app_context():
        registration = db.session.scalars(
            select(Registration).where(
                Registration.programme_id == demo["programme_id"], Registration.status == RegistrationStatus.APPROVED
            )
        ).first()
        registration.status = RegistrationStatus.WAITLISTED
        db.session.commit()
    changed = client.get(url, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.get_json()["headline"]["waiting"] == _get(client, url, headers)["by_status"]["waitlisted"]
