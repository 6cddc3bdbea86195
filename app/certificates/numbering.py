"""Certificate number patterns: literal text with a few named fields, read by our own small parser.

`str.format` is not used: it reads attributes and items (`{seq.__class__}`, `{seq[0]}`), takes any
width (`{seq:W>200000}` builds 200,000 characters) and fails in many ways. A pattern here knows only
the fields below, each with an optional width of 1–8 digits for numbers (always zero-padded:
`{seq:4}`, `{seq:04}` and `{seq:04d}` all give 0001); `{{` and `}}` are literal braces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from app.errors import CertificateError

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
# Field → the longest value it can print without a width (the stored number is 120 characters at most).
NUMERIC_FIELDS = {"seq": 9, "year": 4, "month": 2}
TEXT_FIELDS = {"code": 30, "month_roman": 4}  # programme codes are at most 30 characters
MAX_NUMBER_LENGTH = 120
MAX_WIDTH = 8
ALLOWED = "{seq}, {code}, {year}, {month}, {month_roman}"

_TOKEN = re.compile(r"\{\{|\}\}|\{[^{}]*\}|[{}]")
_FIELD = re.compile(r"\{(?P<name>[a-z_]+)(?::(?P<spec>0?[1-8]?d?))?\}")


class NumberPatternError(CertificateError):
    """The pattern cannot be used; the message says why and which fields exist."""

    field = "number_pattern"


@dataclass(frozen=True)
class Field:
    name: str
    width: int = 0  # zero-padded to this many digits (numbers only); 0: as is


Part = str | Field


def _refuse(problem: str) -> NumberPatternError:
    return NumberPatternError(
        _(
            "Pola nomor tidak valid: %(problem)s Kunci yang boleh: %(fields)s; angka boleh diberi lebar 1–8 "
            "digit, misalnya {seq:04d}. Teks lain ditulis apa adanya.",
            problem=problem,
            fields=ALLOWED,
        )
    )


def parse(pattern: str) -> list[Part]:
    """The pattern as literal text and fields; NumberPatternError (Indonesian, listing the allowed
    fields) for anything else."""
    parts: list[Part] = []
    position = 0
    for match in _TOKEN.finditer(pattern):
        if match.start() > position:
            parts.append(pattern[position : match.start()])
        position = match.end()
        token = match.group()
        if token in ("{{", "}}"):
            parts.append(token[0])
            continue
        if token in ("{", "}"):
            raise _refuse(
                _(
                    "kurung kurawal %(brace)s tanpa pasangan (tulis %(brace)s%(brace)s untuk tanda itu sendiri).",
                    brace=token,
                )
            )
        field = _FIELD.fullmatch(token)
        name = field.group("name") if field else token[1:-1].split(":", 1)[0]
        if name not in NUMERIC_FIELDS and name not in TEXT_FIELDS:
            raise _refuse(_("%(token)s tidak dikenal.", token=token[:30]))
        if field is None:
            raise _refuse(_("lebar pada %(token)s harus 1 sampai 8 angka, misalnya {seq:04}.", token=token[:30]))
        digits = (field.group("spec") or "").lstrip("0").rstrip("d")
        if digits and name in TEXT_FIELDS:
            raise _refuse(_("%(token)s adalah teks dan tidak memakai lebar angka.", token="{" + name + "}"))
        parts.append(Field(name, int(digits or 0)))
    if position < len(pattern):
        parts.append(pattern[position:])
    return parts


def check(pattern: str) -> None:
    """For the settings form: the pattern parses, numbers each certificate ({seq}) and always fits
    the stored number, whatever the programme code and sequence."""
    parts = parse(pattern)
    if not any(isinstance(p, Field) and p.name == "seq" for p in parts):
        raise NumberPatternError(_("Pola nomor harus memuat {seq} (nomor urut)."))
    longest = sum(
        len(p) if isinstance(p, str) else max(p.width, {**NUMERIC_FIELDS, **TEXT_FIELDS}[p.name]) for p in parts
    )
    if longest > MAX_NUMBER_LENGTH:
        raise NumberPatternError(
            _(
                "Pola nomor menghasilkan nomor yang bisa lebih dari %(n)s karakter; kurangi teks atau kuncinya.",
                n=MAX_NUMBER_LENGTH,
            )
        )


def render(pattern: str, seq: int, code: str, on: date) -> str:
    """`{seq:04d}/{code}/PERPUSNAS/{month_roman}/{year}` → 0001/SPP-TIK/PERPUSNAS/V/2023."""
    values: dict[str, int | str] = {
        "seq": seq,
        "code": code,
        "year": on.year,
        "month": on.month,
        "month_roman": ROMAN[on.month - 1],
    }
    number = "".join(
        part if isinstance(part, str) else str(values[part.name]).zfill(part.width) for part in parse(pattern)
    )
    if len(number) > MAX_NUMBER_LENGTH:
        raise NumberPatternError(
            _("Nomor sertifikat lebih dari %(n)s karakter; perpendek pola nomor.", n=MAX_NUMBER_LENGTH)
        )
    return number
