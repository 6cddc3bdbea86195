"""Importing classes of a programme from the XLSX template: every row checked by the same
rules as the form, each in its own savepoint, so the report says exactly what would happen."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.auth.models import User
from app.core import files
from app.core.export import (
    CodeList,
    SheetRow,
    read_sheet,
    require_columns,
    xlsx_template,
)
from app.core.formatting import TZ_LABELS
from app.errors import DomainError, Problem
from app.extensions import db
from app.programmes import services, validation
from app.programmes.models import Batch, Programme
from app.regions import services as regions
from app.regions.models import Regency, timezone_for_province

COLUMNS = [
    "angkatan",
    "nama_kelas",
    "tempat",
    "alamat_tempat",
    "kode_kabupaten_kota",
    "tanggal_mulai",
    "tanggal_selesai",
    "kapasitas",
    "provinsi_dilayani",
    "pendaftaran_dibuka",
    "pendaftaran_ditutup",
    "email_fasilitator",
]
MAX_ROWS = 2000
EXAMPLE_MARK = "CONTOH"  # the template's example row starts its class name with this
# service field → import column, so a planning rule's message names the column to correct
FIELD_COLUMNS = {
    "name": "nama_kelas",
    "venue_name": "tempat",
    "regency_code": "kode_kabupaten_kota",
    "start_date": "tanggal_mulai",
    "end_date": "tanggal_selesai",
    "capacity": "kapasitas",
    "provinces": "provinsi_dilayani",
    "registration_opens_at": "pendaftaran_dibuka",
    "registration_closes_at": "pendaftaran_ditutup",
    "facilitator_ids": "email_fasilitator",
}


@dataclass
class RowError:
    row: int
    messages: list[str]

    @property
    def message(self) -> str:
        return " ".join(self.messages)


@dataclass
class ImportReport:
    total: int = 0
    created: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _example_dates(programme: Programme) -> tuple[int, date, date]:
    """Batch number and dates for the template's example row: the programme's next batch if it has
    one ahead, otherwise a Monday–Thursday about two months ahead of today (never a fixed year)."""
    today = clock.today()
    upcoming = [b for b in programme.batches if b.start_date >= today]
    if upcoming:
        batch = upcoming[0]
        return batch.number, batch.start_date, min(batch.start_date + timedelta(days=3), batch.end_date)
    start = today + timedelta(days=60)
    start += timedelta(days=-start.weekday() % 7)  # the Monday on or after
    number = programme.batches[0].number if programme.batches else 1
    return number, start, start + timedelta(days=3)


def template_xlsx(programme: Programme) -> bytes:
    """The import template: header and one example row (dates from the clock or the programme's
    next batch), the codes to use on a "Kode" sheet, notes on a "Petunjuk" sheet."""
    number, start, end = _example_dates(programme)
    example = [
        number,
        f"{EXAMPLE_MARK} – hapus baris ini: Kelas Bali – NTB",
        "Aston Inn Mataram",
        "Kota Mataram",
        "52.71",
        start.isoformat(),
        end.isoformat(),
        22,
        "51:8, 52:14",
        f"{start - timedelta(days=21):%Y-%m-%d} 08:00",
        f"{start - timedelta(days=7):%Y-%m-%d} 23:59",
        "fasilitator@sibimtek.id",
    ]
    regencies = db.session.scalars(select(Regency).order_by(Regency.code))
    facilitators = services.facilitator_choices()
    codes = [
        CodeList(
            _("Angkatan program ini"),
            [_("angkatan"), _("nama"), _("mulai"), _("selesai")],
            [[b.number, b.name, b.start_date.isoformat(), b.end_date.isoformat()] for b in programme.batches],
        ),
        CodeList(
            _("Provinsi (provinsi_dilayani)"),
            [_("kode"), _("nama"), _("zona")],
            [[p.code, p.name, TZ_LABELS.get(p.timezone, p.timezone)] for p in regions.provinces()],
        ),
        CodeList(
            _("Kabupaten/kota (kode_kabupaten_kota)"),
            [_("kode"), _("nama"), _("provinsi")],
            [[r.code, r.name, r.province_code] for r in regencies],
        ),
        CodeList(
            _("Fasilitator (email_fasilitator)"),
            [_("email"), _("nama")],
            [[u.email, u.full_name] for u in facilitators],
        ),
    ]
    notes = [
        _("Satu baris = satu kelas. Baris contoh (nama kelas diawali CONTOH) harus dihapus atau diganti."),
        _("angkatan: nomor angkatan yang sudah ada di program (lihat lembar Kode)."),
        _("kode_kabupaten_kota: kode Kemendagri tuan rumah, mis. 52.71 (Kota Mataram); daftar di lembar Kode."),
        _("tanggal: TTTT-BB-HH. Waktu pendaftaran: TTTT-BB-HH JJ:MM, waktu setempat (WIB/WITA/WIT)."),
        _("provinsi_dilayani: kode provinsi dipisah koma; kuota kursi opsional setelah titik dua, mis. 51:8, 52:14."),
        _("email_fasilitator: email akun fasilitator, dipisah koma (lihat lembar Kode)."),
        _(
            "Setiap baris diperiksa dengan aturan yang sama seperti formulir; semua masalah satu baris dilaporkan "
            "sekaligus."
        ),
    ]
    return xlsx_template(
        _("Kelas"), COLUMNS, example, notes, codes, text_columns=["kode_kabupaten_kota", "provinsi_dilayani"]
    )


def read_rows(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(row number, {column: value}) for each non-empty row; SheetFileError if unreadable."""
    header, rows = read_sheet(data, MAX_ROWS)
    require_columns(header, COLUMNS)
    return rows


_PROVINCE_ITEM = re.compile(r"^(\d{2})(?:\s*:\s*(\d+))?$", re.ASCII)


def _provinces(row: SheetRow) -> dict[str, int | None]:
    result: dict[str, int | None] = {}
    for item in filter(None, (part.strip() for part in row.text("provinsi_dilayani").split(","))):
        match = _PROVINCE_ITEM.match(item)
        if not match:
            row.problem("provinsi_dilayani", _('"%(item)s" bukan kode provinsi (mis. 52 atau 52:12).', item=item))
            continue
        result[match.group(1)] = int(match.group(2)) if match.group(2) else None
    return result


def _row_data(programme: Programme, row: SheetRow) -> tuple[Batch | None, validation.ClassData]:
    """Read every column; problems go to `row.problems`, unreadable values become None."""
    batch = None
    number = row.number("angkatan", _("isi nomor angkatan."))
    if number is not None:
        batch = db.session.scalar(select(Batch).where(Batch.programme_id == programme.id, Batch.number == number))
        if batch is None:
            row.problem("angkatan", _("angkatan %(n)s belum ada di program ini.", n=number))
    name = row.text("nama_kelas", required=True)
    if name.upper().startswith(EXAMPLE_MARK):
        row.problem("nama_kelas", _("ini baris contoh dari templat; hapus atau ganti baris ini."))
    venue = row.text("tempat", required=True)
    regency_code = row.text("kode_kabupaten_kota", required=True)
    regency = db.session.get(Regency, regency_code) if regency_code else None
    if regency_code and regency is None:
        row.problem("kode_kabupaten_kota", _('kode "%(c)s" tidak dikenal (lihat lembar Kode).', c=regency_code))
    capacity = row.number("kapasitas", _("isi jumlah peserta."))
    emails = [e.strip().lower() for e in row.text("email_fasilitator").split(",") if e.strip()]
    people = {u.email: u.id for u in db.session.scalars(select(User).where(User.email.in_(emails)))} if emails else {}
    unknown = [e for e in emails if e not in people]
    if unknown:
        row.problem("email_fasilitator", _("akun tidak ditemukan: %(e)s.", e=", ".join(unknown)))
    # the window is read in the host's zone; without a known host it cannot be placed in time
    tz = regency.province.zoneinfo if regency else ZoneInfo(timezone_for_province(regency_code[:2]))
    data = validation.ClassData(
        name=name,
        venue_name=venue,
        venue_address=row.text("alamat_tempat") or None,
        regency_code=regency.code if regency else "",
        # An unreadable date or capacity is already a problem of the row (None here); the rules
        # that need it are not run on it, so it is never blamed twice.
        start_date=cast(date, row.day("tanggal_mulai")),
        end_date=cast(date, row.day("tanggal_selesai")),
        capacity=cast(int, capacity),
        registration_opens_at=row.moment("pendaftaran_dibuka", tz),
        registration_closes_at=row.moment("pendaftaran_ditutup", tz),
        provinces=_provinces(row),
        facilitator_ids=[people[e] for e in emails if e in people],
    )
    return batch, data


def _rule_problems(problems: list[Problem]) -> list[str]:
    """Planning-rule problems, each named by the import column to correct."""
    return [f"{FIELD_COLUMNS[p.field]}: {p.message}" if p.field in FIELD_COLUMNS else str(p.message) for p in problems]


def import_classes(programme: Programme, rows: list[tuple[int, dict[str, Any]]], by: User | None) -> ImportReport:
    """Create a class per valid row; the caller commits (all valid, or confirmed) or rolls back.
    A row's report lists every problem it has: its unreadable columns and every planning rule
    that what could be read breaks."""
    report = ImportReport(total=len(rows))
    for number, raw in rows:
        row = SheetRow(raw)
        try:
            with db.session.begin_nested():
                batch, data = _row_data(programme, row)
                if row.problems or batch is None:
                    # a column already reported as unreadable is not blamed again by the rules
                    unreadable = {problem.split(":", 1)[0] for problem in row.problems}
                    rules = [
                        p
                        for p in validation.class_problems(batch, data)
                        if FIELD_COLUMNS.get(p.field or "") not in unreadable
                    ]
                    report.errors.append(RowError(number, row.problems + _rule_problems(rules)))
                    continue
                training_class = services.create_class(batch, data, by)
                db.session.flush()
        except DomainError as exc:
            report.errors.append(RowError(number, _rule_problems(exc.problems)))
        except IntegrityError:
            report.errors.append(RowError(number, [_("Data bertentangan dengan data yang sudah ada.")]))
        else:
            report.created.append(training_class.name)
    return report


# Workbooks with valid and wrong rows wait in the file store (shared by all app servers) for the
# organiser to confirm the valid ones. The token starts with the time it was kept (10 hex digits of
# Unix seconds), so that pending files expire without a table of their own, and its file is named
# after the programme it was checked for: a token confirms rows into that programme only.
PENDING_AREA = "imports"
PENDING_FOR = timedelta(hours=24)
TOKEN = re.compile(r"^[0-9a-f]{32}$")
_PENDING_NAME = re.compile(r"^p(\d+)-([0-9a-f]{32})\.xlsx$")


def _pending_name(programme_id: int, token: str) -> str:
    return f"p{programme_id}-{token}.xlsx"


def _expired(token: str, now: datetime) -> bool:
    """Kept more than PENDING_FOR ago, or at no believable time (a token of an older release)."""
    kept, at = int(token[:10], 16), now.timestamp()
    return not at - PENDING_FOR.total_seconds() <= kept <= at + 3600


def keep_pending(programme: Programme, data: bytes, now: datetime | None = None) -> str:
    """Keep an uploaded workbook until it is confirmed for `programme` (or expires); returns its token."""
    now = now or clock.now()
    token = f"{int(now.timestamp()):010x}{secrets.token_hex(11)}"
    files.store().put(PENDING_AREA, _pending_name(programme.id, token), data)
    return token


def read_pending(programme: Programme, token: str, now: datetime | None = None) -> bytes | None:
    """The workbook kept under `token` for this programme; None when the token is not one, is another
    programme's, or expired, or is gone."""
    if not TOKEN.fullmatch(token or ""):
        return None
    if _expired(token, now or clock.now()):
        drop_pending(programme, token)
        return None
    try:
        return files.store().read(PENDING_AREA, _pending_name(programme.id, token))
    except FileNotFoundError:
        return None


def drop_pending(programme: Programme, token: str) -> None:
    files.store().delete(PENDING_AREA, _pending_name(programme.id, token))


def expire_pending(now: datetime | None = None) -> int:
    """Remove the workbooks never confirmed within PENDING_FOR (and any not named as kept here)."""
    now = now or clock.now()
    store, removed = files.store(), 0
    for name in store.names(PENDING_AREA):
        found = _PENDING_NAME.fullmatch(name)
        if found is None or _expired(found.group(2), now):
            store.delete(PENDING_AREA, name)
            removed += 1
    return removed
