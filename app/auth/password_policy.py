"""The one password policy: every form and command that sets a password asks `password_problems`."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.errors import WeakPassword

MIN_LENGTH = 10
# Longer input is refused before anything looks at it (and never hashed, on login either).
MAX_LENGTH = 256
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt"

# Personal values shorter than this are not looked for inside a password ("Adi" in "kadipaten").
_MIN_PERSONAL = 4
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_NIK_LIKE = re.compile(r"\d{16}")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list (see app/auth/data/README.md), lower case."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def _is_common(password: str) -> bool:
    lowered = password.lower()
    if lowered in common_passwords():
        return True
    core = _EDGES.sub("", lowered)  # "sayang2019!" is "sayang" with an ending
    return len(core) >= _MIN_PERSONAL and core in common_passwords()


def _is_repetition(password: str) -> bool:
    """One character, or a unit of two or three, repeated: aaaaaaaaaa, ababababab, 123123123123."""
    return any(
        len(password) >= 2 * size and (password[:size] * len(password))[: len(password)] == password
        for size in (1, 2, 3)
    )


def _personal_values(email: str | None, full_name: str | None, phone: str | None) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {"email": [], "name": [], "phone": []}
    if email:
        address = email.strip().lower()
        values["email"] += [address, address.split("@", 1)[0]]
    if full_name:
        name = full_name.lower()
        values["name"] += re.findall(r"[^\W\d_]+", name)
        values["name"].append(re.sub(r"[\W\d_]+", "", name))
    if phone:
        digits = re.sub(r"\D", "", phone)
        national = digits[2:] if digits.startswith("62") else digits.lstrip("0")
        values["phone"] += [national, digits]
    return {kind: [v for v in found if len(v) >= _MIN_PERSONAL] for kind, found in values.items()}


def password_problems(
    password: str, *, email: str | None = None, full_name: str | None = None, phone: str | None = None
) -> list[str]:
    """Every reason `password` may not be used, in Indonesian (empty: it may). `email`, `full_name` and
    `phone` are the account's own: a password may not contain them."""
    if len(password) > MAX_LENGTH:
        return [str(_l("Kata sandi maksimal %(n)s karakter.", n=MAX_LENGTH))]
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Kata sandi minimal %(n)s karakter.", n=MIN_LENGTH)))
    if not password.strip():
        problems.append(str(_l("Kata sandi tidak boleh hanya berisi spasi.")))
        return problems
    if password.isdigit():
        problems.append(str(_l("Kata sandi tidak boleh hanya berisi angka.")))
    elif _is_repetition(password):
        problems.append(str(_l("Kata sandi tidak boleh berupa satu karakter atau pola pendek yang diulang.")))
    elif _is_common(password):
        problems.append(
            str(
                _l(
                    "Kata sandi ini terlalu umum dan mudah ditebak. Pilih yang lain, misalnya "
                    "gabungan tiga atau empat kata."
                )
            )
        )
    lowered = password.lower()
    squeezed = re.sub(r"[\s.\-_()+]", "", lowered)
    found = _personal_values(email, full_name, phone)
    if any(value in lowered for value in found["email"]):
        problems.append(str(_l("Kata sandi tidak boleh memuat alamat email Anda.")))
    if any(value in lowered or value in squeezed for value in found["name"]):
        problems.append(str(_l("Kata sandi tidak boleh memuat nama Anda.")))
    if any(value in squeezed for value in found["phone"]):
        problems.append(str(_l("Kata sandi tidak boleh memuat nomor WhatsApp Anda.")))
    if _NIK_LIKE.search(squeezed):
        problems.append(str(_l("Kata sandi tidak boleh memuat NIK atau deretan 16 angka.")))
    return problems


def ensure_password_allowed(
    password: str,
    *,
    email: str | None = None,
    full_name: str | None = None,
    phone: str | None = None,
    field: str = "password",
) -> None:
    """WeakPassword with every reason, if the policy refuses `password`."""
    problems = password_problems(password, email=email, full_name=full_name, phone=phone)
    if problems:
        raise WeakPassword(problems, field=field)
