"""Nominations from XLSX (offices send lists of staff): all rows valid, or nothing is written."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from lokal import normalize_phone
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.programmes.models import TrainingClass
from app.registration import accounts, identity, services
from app.registration.models import EmploymentStatus

COLUMNS = ["nama", "nik", "nip", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "jabatan",
           "status_kepegawaian", "email", "whatsapp", "id_perpustakaan"]


class NominationFileError(DomainError):
    """The file as a whole cannot be read."""


@dataclass
class NominationReport:
    total: int = 0
    approved: int = 0
    waitlisted: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _row_person(raw: dict[str, Any]) -> tuple[services.PersonData, int]:
    def need(column: str) -> str:
        value = _text(raw.get(column))
        if not value:
            raise DomainError(_("%(col)s wajib diisi.", col=column))
        return value

    nik = identity.clean_number(need("nik").split(".")[0])
    gender = need("jenis_kelamin").upper()[:1]
    if gender not in ("L", "P"):
        raise DomainError(_("jenis_kelamin: isi L atau P."))
    born = raw.get("tanggal_lahir")
    if isinstance(born, datetime):
        born = born.date()
    elif not isinstance(born, date):
        try:
            born = date.fromisoformat(_text(born))
        except ValueError:
            raise DomainError(_("tanggal_lahir: tanggal tidak valid (TTTT-BB-HH).")) from None
    status = need("status_kepegawaian").lower()
    if status not in EmploymentStatus._value2member_map_:
        raise DomainError(_("status_kepegawaian: isi pns, pppk, honorer, relawan atau lainnya."))
    phone = normalize_phone(need("whatsapp"))
    if phone is None:
        raise DomainError(_("whatsapp: nomor tidak valid."))
    try:
        library_id = int(need("id_perpustakaan").split(".")[0])
    except ValueError:
        raise DomainError(_("id_perpustakaan: isi angka ID perpustakaan.")) from None
    person = services.PersonData(
        full_name=need("nama"), nik=nik, nip=identity.clean_number(_text(raw.get("nip")).split(".")[0]) or None,
        gender=gender, birth_place=need("tempat_lahir"), birth_date=born, position=need("jabatan"),
        employment_status=EmploymentStatus(status), email=need("email").lower(), whatsapp=phone,
    )
    return person, library_id


def read_rows(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise NominationFileError(_("Berkas bukan XLSX yang dapat dibaca.")) from exc
    rows = sheet.iter_rows(values_only=True)
    header = [_text(h).lower() for h in next(rows, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise NominationFileError(_("Kolom tidak ditemukan: %(cols)s.", cols=", ".join(missing)))
    result = []
    for number, values in enumerate(rows, start=2):
        if values and any(_text(v) for v in values):
            result.append((number, {name: values[i] if i < len(values) else None for i, name in enumerate(header)}))
    return result


def import_nominations(
    training_class: TrainingClass, rows: list[tuple[int, dict[str, Any]]], by: User
) -> NominationReport:
    """Register each row through the same rules as the form; the caller commits only if no row failed."""
    report = NominationReport(total=len(rows))
    for number, raw in rows:
        try:
            with db.session.begin_nested():
                person, library_id = _row_person(raw)
                registration = accounts.nominate(
                    training_class,
                    services.RegistrationData(
                        person=person, consent_version=f"nominasi:{by.id}", library_id=library_id
                    ),
                    by,
                )
        except DomainError as exc:
            report.errors.append((number, str(exc.message)))
        else:
            if registration.status.value == "approved":
                report.approved += 1
            else:
                report.waitlisted += 1
    return report
