"""NIK and NIP checks: refusals for impossible numbers, warnings for mismatches."""

from __future__ import annotations

from datetime import date

import pytest

from app.registration.identity import check_nik, check_nip

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _ctx(app_ctx):
    return app_ctx


def test_a_valid_nik_gives_birth_date_and_gender() -> None:
    check = check_nik("5271014508950001", today=TODAY)
    assert check.ok
    assert (check.birth_date, check.gender) == (date(1995, 8, 5), "P")  # women: day + 40


def test_separators_are_ignored() -> None:
    assert check_nik("5271 0145 0895 0001", today=TODAY).ok
    assert check_nik("5271-0145-0895-0001", today=TODAY).ok


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("527101450895001", "16 digit"),  # 15 digits
        ("52710145089500011", "16 digit"),  # 17 digits
        ("52710145089500AB", "16 digit"),  # letters
        ("", "16 digit"),
        ("9971014508950001", "Kode provinsi NIK (99)"),  # no province 99
        ("5200014508950001", "tidak boleh 00"),
        ("5271017208950001", "tidak mungkin"),  # day 32 (72 - 40)
        ("5271011513950001", "tidak mungkin"),  # month 13
        ("5271014508950000", "0000"),
    ],
)
def test_impossible_niks_are_refused(nik: str, message: str) -> None:
    check = check_nik(nik, today=TODAY)
    assert not check.ok
    assert message in check.error


def test_birth_date_or_gender_mismatch_is_a_warning_not_a_refusal() -> None:
    check = check_nik("5271014508950001", birth_date=date(1995, 8, 6), gender="L", today=TODAY)
    assert check.ok
    assert any("berbeda dengan yang tersimpan di NIK (5 Agustus 1995)" in w for w in check.warnings)
    assert any("Jenis kelamin" in w for w in check.warnings)


def test_an_old_regency_code_after_pemekaran_is_a_warning() -> None:
    check = check_nik("9199014508950001", today=TODAY)  # Papua, regency 99 does not exist (any more)
    assert check.ok
    assert any("pemekaran" in w for w in check.warnings)


def test_pns_nip_structure() -> None:
    ok = check_nip("199508052020012001", civil_servant=True, birth_date=date(1995, 8, 5), gender="P", today=TODAY)
    assert ok.ok
    assert ok.warnings == []
    assert (ok.birth_date, ok.gender) == (date(1995, 8, 5), "P")


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("19950805202001200", "18 digit"),
        ("1995080520200120011", "18 digit"),
        ("19950805202001200X", "18 digit"),
        ("199513052020012001", "tanggal lahir"),  # month 13
        ("199508052020132001", "pengangkatan"),  # appointment month 13
        ("199508051990012001", "pengangkatan"),  # appointed before birth + 15
        ("199508052020013001", "Digit ke-15"),
        ("185008052020012001", "tidak masuk akal"),
    ],
)
def test_bad_pns_nips_are_refused(nip: str, message: str) -> None:
    check = check_nip(nip, civil_servant=True, today=TODAY)
    assert not check.ok
    assert message in check.error


def test_pppk_numbers_are_only_checked_for_length() -> None:
    assert check_nip("202301152023212001", civil_servant=False, today=TODAY).ok
    assert not check_nip("2023011520232120", civil_servant=False, today=TODAY).ok


def test_nip_mismatch_with_stated_birth_date_is_a_warning() -> None:
    check = check_nip("199508052020012001", civil_servant=True, birth_date=date(1995, 8, 6), gender="L", today=TODAY)
    assert check.ok
    assert len(check.warnings) == 2
