"""Errors under /api/ are JSON, {"error": {"status": …, "message": …}}, never the HTML page; elsewhere
the page as before."""

from __future__ import annotations

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient

from app.core.roles import Role


@pytest.fixture(scope="module")
def throwaway(app: Flask) -> FlaskClient:
    """An app with routes that fail on purpose (a throw-away app, so the shared one stays untouched)."""
    from app import create_app

    broken = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    broken.config["PROPAGATE_EXCEPTIONS"] = False

    @broken.get("/api/uji/<int:code>")
    def api_abort(code: int) -> str:
        abort(code)

    @broken.get("/api/uji/alasan")
    def api_abort_with_reason() -> str:
        abort(409, description="Kelas sudah penuh.")

    @broken.get("/api/uji/rusak")
    def api_crash() -> str:
        raise RuntimeError("rahasia internal")

    @broken.get("/uji/<int:code>")
    def page_abort(code: int) -> str:
        abort(code)

    return broken.test_client()


def assert_api_error(response: object, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    assert "<html" not in response.get_data(as_text=True)
    return body


@pytest.mark.parametrize("status", [400, 403, 404, 405, 409, 413, 422, 429])
def test_every_refusal_under_api_is_json(throwaway: FlaskClient, status: int) -> None:
    assert_api_error(throwaway.get(f"/api/uji/{status}"), status)


def test_a_reason_given_by_the_view_is_the_message(throwaway: FlaskClient) -> None:
    body = assert_api_error(throwaway.get("/api/uji/alasan"), 409)
    assert body["error"]["message"] == "Kelas sudah penuh."


def test_a_server_error_under_api_is_json_without_a_trace(throwaway: FlaskClient) -> None:
    response = throwaway.get("/api/uji/rusak")
    assert_api_error(response, 500)
    assert "rahasia internal" not in response.get_data(as_text=True)


@pytest.mark.parametrize("status", [403, 404, 405])
def test_pages_elsewhere_keep_their_html_error_page(throwaway: FlaskClient, status: int) -> None:
    response = throwaway.get(f"/uji/{status}")
    assert response.status_code == status
    assert response.mimetype == "text/html"


def test_messages_follow_the_language(throwaway: FlaskClient) -> None:
    throwaway.get("/bahasa/en")
    body = assert_api_error(throwaway.get("/api/uji/404"), 404)
    throwaway.get("/bahasa/id")
    assert body["error"]["message"] != assert_api_error(throwaway.get("/api/uji/404"), 404)["error"]["message"]


def test_unknown_api_urls_and_region_codes_are_json_404(client: FlaskClient) -> None:
    assert_api_error(client.get("/api/tidak-ada"), 404)
    assert_api_error(client.get("/api/wilayah/99"), 404)
    assert client.get("/tidak-ada").mimetype == "text/html"
    assert client.post("/tidak-ada", json={}).mimetype == "text/html"  # JSON sent to a page: still the page


def test_a_library_search_without_a_regency_is_json_400(client: FlaskClient) -> None:
    assert_api_error(client.get("/api/perpustakaan"), 400)


def test_a_wrong_method_is_json_405_with_allow(client: FlaskClient) -> None:
    response = client.delete("/api/wilayah/52")
    assert_api_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_a_role_without_access_gets_json_403(client: FlaskClient, login_as) -> None:
    login_as(Role.PARTICIPANT)
    assert_api_error(client.get("/api/presensi/token"), 403)


def test_a_missing_csrf_token_is_json_and_says_so(client: FlaskClient, login_as) -> None:
    login_as(Role.FACILITATOR)
    for response in (client.post("/api/presensi/1", json={"status": "hadir"}), client.post("/api/presensi/1")):
        body = assert_api_error(response, 400)
        assert body["csrf"] is True  # static/js/roster.js fetches a fresh token and sends the mark again


def test_successful_answers_keep_their_shape(client: FlaskClient) -> None:
    assert set(client.get("/api/wilayah/52").get_json()) == {"parent", "items"}
    assert set(client.get("/api/perpustakaan?kabupaten=52.71").get_json()) == {"items"}
