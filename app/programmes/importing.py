"""Importing classes of a programme from the XLSX template: every row checked by the same
rules as the form, each in its own savepoint, so the report says exactly what would happen."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.errors import DomainError, ScheduleError
from app.extensions import db
from app.programmes import services
from app.programmes.models import Batch, Programme
from app.regions.models import Regency

COLUMNS = [
    ("angkatan", "1"),
    ("nama_kelas", "Kelas NTB-Bali"),
    ("tempat", "Aston Inn Mataram"),
    ("alamat_tempat", "Kota Mataram"),
    ("kode_kabupaten_kota", "52.71"),
    ("tanggal_mulai", "2023-05-22"),
    ("tanggal_selesai", "2023-05-25"),
    ("kapasitas", "22"),
    ("provinsi_dilayani", "51:10, 52:12"),
    ("pendaftaran_dibuka", "2023-05-01 08:00"),
    ("pendaftaran_ditutup", "2023-05-15 23:59"),
    ("email_fasilitator", "fasilitator@sibimtek.id"),
]
MAX_ROWS = 2000


class ImportFileError(DomainError):
    """The file as a whole cannot be read."""


@dataclass
class RowError:
    row: int
    message: str


@dataclass
class ImportReport:
    total: int = 0
    created: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def template_xlsx() -> bytes:
    """The import template: the header row and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kelas"
    sheet.append([name for name, _example in COLUMNS])
    sheet.append([example for _name, example in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 22
    notes = workbook.create_sheet("Petunjuk")
    for line in (
        "Satu baris = satu kelas. Baris contoh boleh dihapus.",
        "angkatan: nomor angkatan yang sudah ada di program.",
        "kode_kabupaten_kota: kode Kemendagri tuan rumah, mis. 52.71 (Kota Mataram).",
        "tanggal: TTTT-BB-HH. Waktu pendaftaran: TTTT-BB-HH JJ:MM, waktu setempat (WIB/WITA/WIT).",
        "provinsi_dilayani: kode provinsi dipisah koma; kuota kursi opsional setelah titik dua, mis. 51:10, 52:12.",
        "email_fasilitator: email akun fasilitator, dipisah koma.",
    ):
        notes.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_rows(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(row number, {column: value}) for each non-empty row; ImportFileError if unreadable."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(_("Berkas bukan XLSX yang dapat dibaca.")) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip().lower() if h is not None else "" for h in next(rows, [])]
    missing = [name for name, _example in COLUMNS if name not in header]
    if missing:
        raise ImportFileError(_("Kolom tidak ditemukan: %(cols)s. Gunakan templat.", cols=", ".join(missing)))
    result = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        result.append((number, {name: values[i] if i < len(values) else None for i, name in enumerate(header)}))
        if len(result) > MAX_ROWS:
            raise ImportFileError(_("Paling banyak %(n)s baris per berkas.", n=MAX_ROWS))
    return result


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _date(value: Any, column: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        raise ScheduleError(_("%(col)s: tanggal tidak valid (TTTT-BB-HH).", col=column)) from None


def _moment(value: Any, column: str, tz: Any) -> datetime | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz)
    try:
        return datetime.strptime(_text(value), "%Y-%m-%d %H:%M").replace(tzinfo=tz)
    except ValueError:
        raise ScheduleError(_("%(col)s: waktu tidak valid (TTTT-BB-HH JJ:MM).", col=column)) from None


_PROVINCE_ITEM = re.compile(r"^(\d{2})(?:\s*:\s*(\d+))?$")


def _provinces(value: Any) -> dict[str, int | None]:
    result: dict[str, int | None] = {}
    for item in filter(None, (part.strip() for part in _text(value).split(","))):
        match = _PROVINCE_ITEM.match(item)
        if not match:
            raise ScheduleError(
                _("provinsi_dilayani: \"%(item)s\" bukan kode provinsi (mis. 52 atau 52:12).", item=item)
            )
        result[match.group(1)] = int(match.group(2)) if match.group(2) else None
    return result


def _row_data(programme: Programme, raw: dict[str, Any]) -> tuple[Batch, services.ClassData]:
    try:
        number = int(_text(raw["angkatan"]).split(".")[0])
    except ValueError:
        raise ScheduleError(_("angkatan: isi nomor angkatan.")) from None
    batch = db.session.scalar(select(Batch).where(Batch.programme_id == programme.id, Batch.number == number))
    if batch is None:
        raise ScheduleError(_("angkatan: angkatan %(n)s belum ada di program ini.", n=number))
    regency_code = _text(raw["kode_kabupaten_kota"])
    regency = db.session.get(Regency, regency_code)
    if regency is None:
        raise ScheduleError(_("kode_kabupaten_kota: kode \"%(c)s\" tidak dikenal.", c=regency_code))
    for column in ("nama_kelas", "tempat"):
        if not _text(raw[column]):
            raise ScheduleError(_("%(col)s wajib diisi.", col=column))
    try:
        capacity = int(_text(raw["kapasitas"]).split(".")[0])
    except ValueError:
        raise ScheduleError(_("kapasitas: isi jumlah peserta.")) from None
    emails = [e.strip().lower() for e in _text(raw["email_fasilitator"]).split(",") if e.strip()]
    people = {u.email: u.id for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    unknown = [e for e in emails if e not in people]
    if unknown:
        raise ScheduleError(_("email_fasilitator: akun tidak ditemukan: %(e)s.", e=", ".join(unknown)))
    tz = regency.province.zoneinfo
    return batch, services.ClassData(
        name=_text(raw["nama_kelas"]),
        venue_name=_text(raw["tempat"]),
        venue_address=_text(raw["alamat_tempat"]) or None,
        regency_code=regency.code,
        start_date=_date(raw["tanggal_mulai"], "tanggal_mulai"),
        end_date=_date(raw["tanggal_selesai"], "tanggal_selesai"),
        capacity=capacity,
        registration_opens_at=_moment(raw["pendaftaran_dibuka"], "pendaftaran_dibuka", tz),
        registration_closes_at=_moment(raw["pendaftaran_ditutup"], "pendaftaran_ditutup", tz),
        provinces=_provinces(raw["provinsi_dilayani"]),
        facilitator_ids=[people[e] for e in emails],
    )


def import_classes(programme: Programme, rows: list[tuple[int, dict[str, Any]]], by: User | None) -> ImportReport:
    """Create a class per valid row; the caller commits (all valid, or confirmed) or rolls back."""
    report = ImportReport(total=len(rows))
    for number, raw in rows:
        try:
            with db.session.begin_nested():
                batch, data = _row_data(programme, raw)
                training_class = services.create_class(batch, data, by)
                db.session.flush()
        except DomainError as exc:
            report.errors.append(RowError(number, str(exc.message)))
        except IntegrityError:
            report.errors.append(RowError(number, _("Data bertentangan dengan data yang sudah ada.")))
        else:
            report.created.append(training_class.name)
    return report
