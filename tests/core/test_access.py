"""Who may open what: every view declares its access, and the declarations hold."""

from __future__ import annotations

import pytest
from flask import Flask

from app.core.roles import Role

ADMIN_PAGES = ["/admin/pengguna", "/admin/pengguna/baru", "/admin/surel"]
STAFF_PAGES = ["/perpustakaan", "/perpustakaan/ekspor.xlsx"]
LOGIN_PAGES = ["/beranda", "/akun"]
PUBLIC_PAGES = ["/", "/masuk", "/daftar", "/lupa-sandi", "/privasi", "/verifikasi-email", "/api/wilayah/52"]


def test_every_view_declares_who_may_use_it(app: Flask) -> None:
    undeclared = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "access", None) not in {"public", "login", "roles"}:
            undeclared.append(rule.endpoint)
    assert undeclared == []


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_open_for_anyone(client, url: str) -> None:
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ADMIN_PAGES + STAFF_PAGES + LOGIN_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.FACILITATOR, Role.PARTICIPANT, Role.COORDINATOR])
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_are_forbidden_to_other_roles(client, login_as, role: Role, url: str) -> None:
    login_as(role)
    response = client.get(url)
    assert response.status_code == 403
    assert "Akses ditolak" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.PARTICIPANT])
@pytest.mark.parametrize("url", STAFF_PAGES)
def test_library_pages_are_forbidden_to_facilitators_and_participants(client, login_as, role, url) -> None:
    login_as(role)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_its_home_page(client, login_as, role: Role) -> None:
    login_as(role)
    page = client.get("/beranda").get_data(as_text=True)
    heading = {
        Role.ADMIN: "Beranda Admin",
        Role.ORGANISER: "Beranda Panitia",
        Role.FACILITATOR: "Beranda Fasilitator",
        Role.PARTICIPANT: "Beranda Peserta",
        Role.COORDINATOR: "Beranda Koordinator Provinsi Nusa Tenggara Barat",
    }
    assert heading[role] in page
    others = [h for r, h in heading.items() if r is not role]
    assert not any(h in page for h in others)


def test_admin_pages_open_for_admins(client, login_as) -> None:
    login_as(Role.ADMIN)
    for url in ADMIN_PAGES + STAFF_PAGES:
        assert client.get(url).status_code == 200, url


def test_unknown_page_is_an_indonesian_404(client) -> None:
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


def test_unknown_record_is_a_404(client, login_as) -> None:
    login_as(Role.ADMIN)
    assert client.get("/admin/pengguna/999999").status_code == 404
    assert client.get("/perpustakaan/999999").status_code == 404


def test_server_errors_show_a_page_without_a_trace(app: Flask) -> None:
    # A route that breaks, registered on a throw-away app so the shared one stays untouched.
    from app import create_app

    broken = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    broken.config["PROPAGATE_EXCEPTIONS"] = False

    @broken.get("/rusak")
    def rusak() -> str:
        raise RuntimeError("rahasia internal")

    response = broken.test_client().get("/rusak")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Terjadi kesalahan" in text
    assert "rahasia internal" not in text
    assert "Traceback" not in text
