"""The API answers each role with what its pages show: planners everything, a coordinator their
province's announced classes and people, a facilitator their classes; NIKs masked everywhere; ETags
and paging."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from app.auth import api_tokens
from app.auth.models import ApiToken, User
from app.core.roles import Role
from app.extensions import db
from tests.api import bearer

SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


def _get(client: FlaskClient, url: str, headers: dict[str, str], status: int = 200) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:300])
    return response.get_json()


def _ids(answer: dict[str, Any]) -> set[int]:
    return {row["id"] for row in answer["data"]}


def test_organiser_reads_programmes_batches_classes_and_people(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    v = world["values"]
    headers = bearer(app, world["users"]["organiser"].id)
    assert _ids(_get(client, "/api/v1/programmes", headers)) == {v["programme_id"]}
    assert _ids(_get(client, f"/api/v1/programmes/{v['programme_id']}/batches", headers)) == {v["batch_id"]}
    classes = _get(client, "/api/v1/classes", headers)["data"]
    assert len(classes) == 2  # the finished class and the other (draft) one
    finished = next(c for c in classes if c["id"] == v["class_id"])
    assert (finished["seats_taken"], finished["seats_left"], finished["status"]) == (3, 7, "finished")
    people = _get(client, f"/api/v1/classes/{v['class_id']}/registrations", headers)
    assert people["total"] == 3
    first = next(r for r in people["data"] if r["id"] == v["registration_id"])
    assert re.fullmatch(r"\d{4}•{8}\d{4}", first["nik"])
    assert [day["status"] for day in first["attendance"]] == ["hadir"] * 4
    assert first["days_present"] == 4
    assert first["eligible"] is True
    third = max(people["data"], key=lambda r: r["id"])  # present on the first day only
    assert (third["days_present"], third["eligible"]) == (1, False)
    assert first["certificate"]["status"] == "valid"
    assert "whatsapp" not in first
    assert "email" not in first


def test_coordinator_reads_their_province_only(
    app: Flask, client: FlaskClient, world: dict[str, Any], make_user: Callable[..., User]
) -> None:
    v = world["values"]
    ntb = bearer(app, make_user(Role.COORDINATOR, province_code="52").id)
    bali = bearer(app, make_user(Role.COORDINATOR, province_code="51").id)
    jatim = bearer(app, world["users"]["other_coordinator"].id)
    _set_programme_status(app, v["programme_id"], "active")  # a draft programme does not exist for them
    # NTB: the finished class, not the draft "Kelas lain" (also in Mataram); its three NTB people
    assert _ids(_get(client, "/api/v1/classes", ntb)) == {v["class_id"]}
    assert _get(client, f"/api/v1/classes/{v['class_id']}/registrations", ntb)["total"] == 3
    # Bali: the class serves Bali too, but none of its people are from Bali
    assert _ids(_get(client, "/api/v1/classes", bali)) == {v["class_id"]}
    assert _get(client, f"/api/v1/classes/{v['class_id']}/registrations", bali)["total"] == 0
    # Jawa Timur: nothing of it exists
    assert _get(client, "/api/v1/classes", jatim)["data"] == []
    assert _get(client, "/api/v1/programmes", jatim)["data"] == []
    _get(client, f"/api/v1/classes/{v['class_id']}/registrations", jatim, status=404)
    _get(client, f"/api/v1/programmes/{v['programme_id']}/batches", jatim, status=404)
    # asking for another province is refused, as on every report page (from an attacker's trial)
    assert _get(client, "/api/v1/classes?province=52", ntb)["data"] != []
    _get(client, "/api/v1/classes?province=51", ntb, status=403)
    _get(client, f"/api/v1/classes/{v['class_id']}/registrations?province=51", ntb, status=403)


def _set_programme_status(app: Flask, programme_id: int, status: str) -> None:
    from app.programmes.models import Programme, ProgrammeStatus

    with app.app_context():
        db.session.get(Programme, programme_id).status = ProgrammeStatus(status)
        db.session.commit()


def test_a_draft_programme_does_not_exist_for_coordinators(
    app: Flask, client: FlaskClient, world: dict[str, Any], make_user: Callable[..., User]
) -> None:
    """As on the dashboard; a facilitator still reads their own classes in it, as on their pages."""
    v = world["values"]
    programme, batches = v["programme_id"], f"/api/v1/programmes/{v['programme_id']}/batches"
    people = f"/api/v1/classes/{v['class_id']}/registrations"
    ntb = bearer(app, make_user(Role.COORDINATOR, province_code="52").id)
    organiser = bearer(app, world["users"]["organiser"].id)
    _set_programme_status(app, programme, "active")
    assert _ids(_get(client, "/api/v1/programmes", ntb)) == {programme}
    assert _get(client, batches, ntb)["total"] == 1
    assert _ids(_get(client, f"/api/v1/classes?programme_id={programme}", ntb)) == {v["class_id"]}
    assert _get(client, people, ntb)["total"] == 3

    _set_programme_status(app, programme, "draft")
    assert _get(client, "/api/v1/programmes", ntb)["data"] == []
    assert _get(client, "/api/v1/programmes?status=draft", ntb)["data"] == []
    _get(client, batches, ntb, status=404)
    assert _get(client, f"/api/v1/classes?programme_id={programme}", ntb)["data"] == []
    assert _get(client, "/api/v1/classes", ntb)["data"] == []
    _get(client, people, ntb, status=404)
    assert _ids(_get(client, "/api/v1/programmes", organiser)) == {programme}  # planners plan drafts
    assert _get(client, batches, organiser)["total"] == 1
    assert _get(client, f"/api/v1/classes?programme_id={programme}", organiser)["total"] == 2
    assert _get(client, people, organiser)["total"] == 3
    facilitator = bearer(app, world["users"]["other_facilitator"].id)  # of "Kelas lain"
    assert [c["name"] for c in _get(client, f"/api/v1/classes?programme_id={programme}", facilitator)["data"]] == [
        "Kelas lain"
    ]


def test_facilitator_reads_their_own_classes(app: Flask, client: FlaskClient, world: dict[str, Any]) -> None:
    v = world["values"]
    headers = bearer(app, world["users"]["other_facilitator"].id)
    classes = _get(client, "/api/v1/classes", headers)["data"]
    assert [c["name"] for c in classes] == ["Kelas lain"]
    _get(client, f"/api/v1/classes/{v['class_id']}/registrations", headers, status=404)
    assert _get(client, f"/api/v1/classes/{classes[0]['id']}/registrations", headers)["data"] == []


def test_a_participants_token_opens_nothing(app: Flask, client: FlaskClient, world: dict[str, Any]) -> None:
    """Participants cannot make tokens; one written into the table anyway is refused."""
    secret = "sbt_" + "p" * 43
    with app.app_context():
        db.session.add(
            ApiToken(
                user_id=world["users"]["participant_a"].id,
                name="x",
                token_hash=api_tokens.hash_token(secret),
                prefix=secret[:10],
            )
        )
        db.session.commit()
    _get(client, "/api/v1/programmes", {"Authorization": f"Bearer {secret}"}, status=401)


def test_etag_gives_304_until_the_data_changes(app: Flask, client: FlaskClient, world: dict[str, Any]) -> None:
    v = world["values"]
    headers = bearer(app, world["users"]["organiser"].id)
    url = f"/api/v1/classes/{v['class_id']}/registrations"
    first = client.get(url, headers=headers)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get(url, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    with app.app_context():
        from app.registration.models import Registration

        db.session.get(Registration, v["registration_id"]).full_name = "Nama Lain"
        db.session.commit()
    changed = client.get(url, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_pages_link_to_the_next_and_refuse_bad_numbers(app: Flask, client: FlaskClient, world: dict[str, Any]) -> None:
    v = world["values"]
    headers = bearer(app, world["users"]["admin"].id)
    url = f"/api/v1/classes/{v['class_id']}/registrations"
    response = client.get(url + "?per_page=2", headers=headers)
    first = response.get_json()
    assert (len(first["data"]), first["total"], first["page"]) == (2, 3, 1)
    assert "page=2" in first["next"]
    assert response.headers["Link"] == f'<{first["next"]}>; rel="next"'
    assert first["next"].startswith(app.config["PUBLIC_BASE_URL"] + url)  # never the request's Host
    second = _get(client, first["next"].removeprefix(app.config["PUBLIC_BASE_URL"]), headers)
    assert (len(second["data"]), second["next"]) == (1, None)
    assert _ids(first).isdisjoint(_ids(second))
    # From an attacker's trial: url_for options and route arguments in the query string (a 500, a link
    # to another class, a fragment, another Host) never shape the next link.
    for extra in ("_external=1", "_method=POST", "_scheme=http&_external=0", "_anchor=x", "class_id=1"):
        answer = client.get(f"{url}?per_page=2&{extra}", headers={**headers, "Host": "evil.example"})
        assert answer.status_code == 200, extra
        link = answer.get_json()["next"]
        assert link.startswith(app.config["PUBLIC_BASE_URL"] + url), (extra, link)
        assert "#" not in link, (extra, link)
        assert sorted(parse_qs(urlsplit(link).query)) == ["page", "per_page"], (extra, link)
    for bad in ("per_page=101", "per_page=0", "page=0", "page=x", "status=bogus", "province=5"):
        answer = _get(client, f"{url}?{bad}", headers, status=400)
        assert answer["error"]["status"] == 400


def test_a_query_argument_named_like_a_parameter_is_carried_harmlessly(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    """`endpoint=` once collided with external_url's own parameter (a 500 on every list)."""
    v = world["values"]
    headers = bearer(app, world["users"]["admin"].id)
    assert client.get("/api/v1/classes?per_page=1&endpoint=x", headers=headers).status_code == 200
    url = f"/api/v1/classes/{v['class_id']}/registrations"
    link = _get(client, f"{url}?per_page=2&endpoint=x", headers)["next"]
    assert link.startswith(app.config["PUBLIC_BASE_URL"] + url)
    assert parse_qs(urlsplit(link).query) == {"per_page": ["2"], "endpoint": ["x"], "page": ["2"]}
    assert _get(client, link.removeprefix(app.config["PUBLIC_BASE_URL"]), headers)["page"] == 2


def test_filters(app: Flask, client: FlaskClient, world: dict[str, Any]) -> None:
    v = world["values"]
    headers = bearer(app, world["users"]["organiser"].id)
    url = f"/api/v1/classes/{v['class_id']}/registrations"
    assert _get(client, f"{url}?status=approved&province=52", headers)["total"] == 3
    assert _get(client, f"{url}?status=rejected", headers)["total"] == 0
    assert _get(client, f"{url}?province=51", headers)["total"] == 0
    assert _ids(_get(client, "/api/v1/classes?status=finished", headers)) == {v["class_id"]}
    assert _get(client, "/api/v1/programmes?year=2022", headers)["data"] == []


def test_no_response_holds_a_whole_nik(app: Flask, client: FlaskClient, world: dict[str, Any]) -> None:
    v = world["values"]
    for who in ("organiser", "admin"):
        headers = bearer(app, world["users"][who].id)
        for url in (
            "/api/v1/programmes",
            f"/api/v1/programmes/{v['programme_id']}/batches",
            "/api/v1/classes",
            f"/api/v1/classes/{v['class_id']}/registrations",
        ):
            body = client.get(url, headers=headers).get_data(as_text=True)
            assert not SIXTEEN_DIGITS.search(body), url
            assert "+62" not in body
            assert json.loads(body)["data"] is not None


def test_description_and_docs_are_public(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    page = docs.get_data(as_text=True)
    for path, item in spec["paths"].items():
        assert path in page
        assert str(escape(item["get"]["description"])) in page  # what the operation does, in English


def test_the_docs_curl_example_names_the_public_address_not_the_requests_host(app: Flask, client: FlaskClient) -> None:
    page = client.get("/api/docs", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert f"{app.config['PUBLIC_BASE_URL']}/api/v1/programmes</code>" in page
    assert "evil.example" not in page


def test_reading_people_is_in_the_access_log(app: Flask, client: FlaskClient, world: dict[str, Any]) -> None:
    from sqlalchemy import select

    from app.audit.models import AuditEntry

    v = world["values"]
    organiser = world["users"]["organiser"]
    _get(client, f"/api/v1/classes/{v['class_id']}/registrations", bearer(app, organiser.id))
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.what == "api_registrations")).one()
        assert (entry.user_id, entry.object_id, entry.people_count, entry.action) == (
            organiser.id,
            v["class_id"],
            3,
            "exported",
        )
