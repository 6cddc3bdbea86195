"""One password policy on every form that sets a password; over-long input never hashed (#12.9)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth import services
from app.auth.models import User
from app.auth.password_policy import common_passwords, password_problems
from app.core.roles import Role
from app.extensions import db
from tests.conftest import PASSWORD, link_in, login, outbox, submit

OWN_EMAIL = "__own_email__"  # replaced by the account's address in each test
EXAMPLES = {  # the examples, and what the person is told
    "aaaaaaaaaa": "pola pendek yang diulang",
    "password12": "terlalu umum",
    "qwertyuiop": "terlalu umum",
    " " * 10: "hanya berisi spasi",
    OWN_EMAIL: "memuat alamat email Anda",
}
SIGNUP = {
    "full_name": "Baiq Nurul Hidayati, S.Pd.",
    "email": "baiq.nurul@perpusdes.id",
    "phone": "0812-3456-7890",
    "consent": "y",
}


def _password(example: str, email: str) -> str:
    return email if example == OWN_EMAIL else example


def _hash_of(app: Flask, email: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.password_hash).where(User.email == email))


@pytest.mark.parametrize("example", EXAMPLES)
def test_sign_up_refuses(client: FlaskClient, app: Flask, example: str) -> None:
    password = _password(example, SIGNUP["email"])
    response = submit(client, "/daftar", {**SIGNUP, "password": password, "password_confirm": password})
    assert response.status_code == 200
    assert EXAMPLES[example] in response.get_data(as_text=True)
    assert _hash_of(app, SIGNUP["email"]) is None  # no account
    assert outbox(app) == []


@pytest.mark.parametrize("example", EXAMPLES)
def test_reset_link_refuses(client: FlaskClient, app: Flask, make_user, example: str) -> None:
    user = make_user()
    before = _hash_of(app, user.email)
    submit(client, "/lupa-sandi", {"email": user.email})
    link = link_in(outbox(app)[-1].body)
    password = _password(example, user.email)
    page = submit(client, link, {"password": password, "password_confirm": password}).get_data(as_text=True)
    assert EXAMPLES[example] in page
    assert _hash_of(app, user.email) == before


@pytest.mark.parametrize("example", EXAMPLES)
def test_set_up_link_of_a_new_staff_account_refuses(client: FlaskClient, app: Flask, login_as, example: str) -> None:
    login_as(Role.ADMIN)
    submit(
        client,
        "/admin/pengguna/baru",
        {"full_name": "Ni Made Ayu", "email": "ayu@dispusip.baliprov.go.id", "roles": ["facilitator"]},
    )
    link = link_in(outbox(app)[-1].body)
    newcomer = app.test_client()
    password = _password(example, "ayu@dispusip.baliprov.go.id")
    page = submit(newcomer, link, {"password": password, "password_confirm": password}).get_data(as_text=True)
    assert EXAMPLES[example] in page
    assert _hash_of(app, "ayu@dispusip.baliprov.go.id") is None


@pytest.mark.parametrize("example", EXAMPLES)
def test_akun_refuses(client: FlaskClient, app: Flask, login_as, example: str) -> None:
    user = login_as()
    before = _hash_of(app, user.email)
    password = _password(example, user.email)
    page = submit(
        client,
        "/akun",
        {
            "password-current_password": PASSWORD,
            "password-password": password,
            "password-password_confirm": password,
            "password-submit": "1",
        },
    ).get_data(as_text=True)
    assert EXAMPLES[example] in page
    assert _hash_of(app, user.email) == before


@pytest.mark.parametrize("example", EXAMPLES)
def test_create_admin_command_refuses(runner, app: Flask, example: str) -> None:
    password = _password(example, "kepala@perpusnas.go.id")
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "kepala@perpusnas.go.id",
            "--name",
            "Kepala TI",
            "--password",
            password,
        ]
    )
    assert result.exit_code != 0
    assert EXAMPLES[example] in " ".join(result.output.split())
    assert _hash_of(app, "kepala@perpusnas.go.id") is None


def test_a_form_shows_every_reason_at_once(client: FlaskClient) -> None:
    password = "baiq.nurul@perpusdes.id" + "081234567890"
    page = submit(client, "/daftar", {**SIGNUP, "password": password, "password_confirm": password}).get_data(
        as_text=True
    )
    assert "memuat alamat email Anda" in page
    assert "memuat nama Anda" in page
    assert "memuat nomor WhatsApp Anda" in page


def test_a_good_password_still_passes_everywhere(client: FlaskClient, app: Flask) -> None:
    response = submit(
        client,
        "/daftar",
        {**SIGNUP, "password": "rak-buku-di-lombok-timur", "password_confirm": "rak-buku-di-lombok-timur"},
    )
    assert "Periksa email Anda" in response.get_data(as_text=True)
    assert _hash_of(app, SIGNUP["email"]) is not None


def test_the_policy_reads_the_accounts_own_data(app_ctx) -> None:
    own = {"email": "baiq.nurul@perpusdes.id", "full_name": "Baiq Nurul Hidayati, S.Pd.", "phone": "+6281234567890"}
    assert password_problems("perpustakaan-desa-1", **own) == []
    assert password_problems("Hidayati-2023-lombok", **own) == ["Kata sandi tidak boleh memuat nama Anda."]
    assert password_problems("wa:0812-3456-7890", **own) == ["Kata sandi tidak boleh memuat nomor WhatsApp Anda."]
    assert "Kata sandi tidak boleh memuat alamat email Anda." in password_problems("baiq.nurul!2024", **own)
    assert password_problems("ktp5271014508950001") == ["Kata sandi tidak boleh memuat NIK atau deretan 16 angka."]


@pytest.mark.parametrize(
    "password",
    [
        "perpustakaan",
        "Indonesia2024",
        "bismillah123",
        "sayang2019!",
        "sibimtek",
        "perpusnas123",
        "1qaz2wsx3edc",
        "asdfghjkl;",
        "ababababab",
        "1234512345",
    ],
)
def test_common_indonesian_and_keyboard_passwords_are_refused(app_ctx, password: str) -> None:
    assert password_problems(password)


def test_the_bundled_list_is_a_real_list(app_ctx) -> None:
    listed = common_passwords()
    assert len(listed) > 10_000
    assert {"password12", "qwertyuiop", "perpustakaan", "bismillah", "sibimtek"} <= listed


def test_at_most_256_characters_and_never_hashed_beyond(app_ctx) -> None:
    assert password_problems("rak-buku-" + "x" * 247) == []  # 256 characters
    assert password_problems("rak-buku-" + "x" * 248) == ["Kata sandi maksimal 256 karakter."]
    user = services.create_staff(
        email="a@perpusnas.go.id", full_name="A", roles=[Role.ORGANISER], password="kata-sandi-kuat"
    )
    with pytest.raises(Exception, match="maksimal 256"):
        services.change_password(user, "kata-sandi-kuat", "rak-buku-" + "x" * 300)


@pytest.fixture
def argon2_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every Argon2 hash or verify made from now on."""
    calls: list[str] = []
    real_hash, real_verify = PasswordHasher.hash, PasswordHasher.verify

    def hash_(self: PasswordHasher, password: str | bytes, **kwargs: object) -> str:
        calls.append("hash")
        return real_hash(self, password, **kwargs)

    def verify(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
        calls.append("verify")
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "hash", hash_)
    monkeypatch.setattr(PasswordHasher, "verify", verify)
    return calls


@pytest.mark.parametrize("length", [257, 400_000])
def test_an_over_long_password_at_login_is_just_wrong_and_never_hashed(
    client: FlaskClient, make_user, argon2_calls: list[str], length: int
) -> None:
    user = make_user()
    argon2_calls.clear()
    page = login(client, user.email, "x" * length).get_data(as_text=True)
    assert "Email atau kata sandi salah." in page
    assert argon2_calls == []


@pytest.mark.parametrize("url", ["/daftar", "/masuk"])
def test_a_five_megabyte_password_is_refused_without_hashing(
    client: FlaskClient, make_user, argon2_calls: list[str], url: str
) -> None:
    user = make_user()
    argon2_calls.clear()
    huge = "x" * (5 * 1024 * 1024)
    response = submit(client, url, {**SIGNUP, "email": user.email, "password": huge, "password_confirm": huge})
    assert response.status_code in (200, 413)
    assert argon2_calls == []


def test_a_weak_password_is_refused_by_the_services_too(app_ctx, make_user: Callable[..., User]) -> None:
    from app.errors import WeakPassword

    with pytest.raises(WeakPassword) as refused:
        services.register_participant(
            email="x@perpusdes.id", full_name="X", password="qwertyuiop", phone=None, consent_version="1"
        )
    assert refused.value.field == "password"
