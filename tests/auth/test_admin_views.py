"""Admins manage accounts: create staff, set roles and provinces, deactivate."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.roles import Role
from app.extensions import db
from tests.conftest import link_in, login, outbox, submit


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email).options(selectinload(User.roles)))
        db.session.expunge_all()
        return user


def test_admin_creates_a_coordinator_who_sets_a_password_from_the_mail(app: Flask, client, login_as) -> None:
    login_as(Role.ADMIN)
    response = submit(
        client,
        "/admin/pengguna/baru",
        {
            "full_name": "Ni Made Ayu",
            "email": "ayu@dispusip.baliprov.go.id",
            "phone": "081337001122",
            "roles": ["coordinator", "facilitator"],
            "province_code": "51",
        },
    )
    assert response.status_code == 302
    user = _user(app, "ayu@dispusip.baliprov.go.id")
    assert user.role_set == {Role.COORDINATOR, Role.FACILITATOR}
    assert user.coordinator_province_code == "51"
    assert user.phone == "+6281337001122"

    mail = outbox(app)[-1]
    assert mail.recipient == "ayu@dispusip.baliprov.go.id"
    newcomer = app.test_client()
    new = {"password": "sandi-ayu-yang-kuat", "password_confirm": "sandi-ayu-yang-kuat"}
    assert submit(newcomer, link_in(mail.body), new).status_code == 302
    assert login(newcomer, "ayu@dispusip.baliprov.go.id", "sandi-ayu-yang-kuat").status_code == 302
    assert "Beranda Koordinator Provinsi Bali" in newcomer.get("/beranda").get_data(as_text=True)


def test_coordinator_without_province_is_refused_on_the_form(client, login_as) -> None:
    login_as(Role.ADMIN)
    page = submit(
        client,
        "/admin/pengguna/baru",
        {
            "full_name": "Tanpa Provinsi",
            "email": "tanpa@perpusnas.go.id",
            "roles": ["coordinator"],
            "province_code": "",
        },
    ).get_data(as_text=True)
    assert "Pilih provinsi untuk koordinator provinsi." in page


def test_creating_an_account_with_a_taken_email_is_a_message(client, login_as) -> None:
    admin = login_as(Role.ADMIN)
    page = submit(
        client,
        "/admin/pengguna/baru",
        {
            "full_name": "Kembar",
            "email": admin.email,
            "roles": ["organiser"],
        },
    ).get_data(as_text=True)
    assert "sudah terdaftar" in page


def test_deactivating_an_account_ends_its_sessions(app: Flask, client, login_as, make_user) -> None:
    login_as(Role.ADMIN)
    victim = make_user(Role.ORGANISER)
    their_browser = app.test_client()
    login(their_browser, victim.email)
    assert their_browser.get("/beranda").status_code == 200

    response = submit(
        client,
        f"/admin/pengguna/{victim.id}",
        {
            "full_name": victim.full_name,
            "email": victim.email,
            "roles": ["organiser"],
        },
    )  # "active" unticked
    assert response.status_code == 302
    assert their_browser.get("/beranda").status_code == 302
    assert _user(app, victim.email).active is False


def test_admin_cannot_take_away_their_own_admin_role(client, login_as, app: Flask) -> None:
    admin = login_as(Role.ADMIN)
    page = submit(
        client,
        f"/admin/pengguna/{admin.id}",
        {
            "full_name": admin.full_name,
            "email": admin.email,
            "roles": ["organiser"],
            "active": "y",
        },
    ).get_data(as_text=True)
    assert "tidak dapat mencabut peran admin" in page
    assert _user(app, admin.email).role_set == {Role.ADMIN}


def test_user_list_searches_and_filters_by_role(client, login_as, make_user) -> None:
    login_as(Role.ADMIN)
    make_user(Role.FACILITATOR, full_name="Fasilitator Lombok")
    make_user(Role.PARTICIPANT, full_name="Peserta Bima")
    page = client.get("/admin/pengguna?peran=facilitator").get_data(as_text=True)
    assert "Fasilitator Lombok" in page
    assert "Peserta Bima" not in page
    page = client.get("/admin/pengguna?q=bima").get_data(as_text=True)
    assert "Peserta Bima" in page
    assert "Fasilitator Lombok" not in page
