"""Bad input is a message, never a 500: numbers too large for the database, digits of other
scripts in a NIK, redirects to other sites."""

from __future__ import annotations

import pytest

from app.core.roles import Role
from tests.conftest import csrf_token, submit

HUGE = 10**30


@pytest.mark.parametrize("url", [f"/katalog?page={HUGE}", f"/katalog/{HUGE}", f"/katalog/{2**63}"])
def test_numbers_too_large_for_the_database_are_not_found_or_bad_requests(client, url) -> None:
    assert client.get(url).status_code in (200, 400, 404)


def test_staff_pages_with_huge_numbers(client, login_as, open_class) -> None:
    class_id = open_class()
    login_as(Role.ORGANISER)
    for url in (
        f"/kelola/kelas/{class_id}/pendaftar?page={HUGE}",
        f"/kelola/pendaftar/{HUGE}",
        f"/presensi/kelas/{HUGE}",
    ):
        assert client.get(url).status_code in (200, 400, 404), url


@pytest.mark.parametrize("nik", ["527101150590009１", "٥٢٧١٠١١٥٠٥٩٠٠٠٩١"])
def test_a_nik_in_other_digits_is_a_field_error(client, login_as, open_class, library, nik) -> None:
    from tests.registration.test_views import _form

    login_as(Role.PARTICIPANT)
    class_id = open_class()
    response = submit(client, f"/katalog/{class_id}/daftar", _form(library("52"), nik=nik))
    assert response.status_code == 200
    assert "NIK harus 16 digit angka" in response.get_data(as_text=True)


def test_bulk_decisions_never_redirect_to_another_site(client, login_as, open_class, register) -> None:
    class_id = open_class()
    rid = register(class_id, 1)
    login_as(Role.ORGANISER)
    token = csrf_token(client, f"/kelola/pendaftar/{rid}")
    response = client.post(
        "/kelola/pendaftar/keputusan",
        data={"csrf_token": token, "ids": rid, "action": "approve", "next": "https://evil.example/x"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


@pytest.mark.parametrize("hidden", ["\x00", "\u202e", "\x1b[31m"])
def test_hidden_characters_in_a_name_are_refused_with_a_message(client, login_as, hidden: str) -> None:
    """A NUL or a right-to-left override in a certificate name would print garbled or reversed."""
    from tests.conftest import submit

    login_as()
    page = submit(client, "/akun", {"profile-full_name": f"Baiq{hidden}Nurul", "profile-submit": "y"})
    assert page.status_code == 200
    assert "Hapus karakter tersembunyi" in page.get_data(as_text=True)
