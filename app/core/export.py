"""XLSX downloads of list pages (openpyxl, write-only so large lists stay cheap), the templates of
the XLSX imports (a data sheet, a "Kode" sheet with the codes to use, notes), and reading an
imported row column by column with every problem kept."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from app.errors import DomainError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may read as a formula (OWASP CSV injection)


def csv_safe(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text: a leading ' before anything that could start a formula."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _cell(sheet: WriteOnlyWorksheet, value: object, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # user text, never a formula
    if bold:
        cell.font = Font(bold=True)
    return cell


@dataclass
class Sheet:
    """One sheet of a download: its title, the column names and the rows."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[object]]


def xlsx_sheets(sheets: Iterable[Sheet]) -> bytes:
    """A workbook of several sheets, written row by row (write-only: large lists stay cheap)."""
    workbook = Workbook(write_only=True)
    for part in sheets:
        sheet = workbook.create_sheet(title=part.title[:31])
        sheet.append([_cell(sheet, str(h), bold=True) for h in part.header])
        for row in part.rows:
            sheet.append([_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    return xlsx_sheets([Sheet(title, header, rows)])


def xlsx_response(filename: str, title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    return xlsx_download(xlsx_bytes(title, header, rows), filename)


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class CodeList:
    """One block of the "Kode" sheet: a title, column names and the values to choose from."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[object]]


def _text_cell(sheet: Worksheet, row: int, column: int, value: object, bold: bool = False) -> Cell:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # user text, never a formula
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_template(
    title: str,
    columns: Sequence[str],
    example: Sequence[object],
    notes: Sequence[str],
    codes: Sequence[CodeList],
    text_columns: Iterable[str] = (),
) -> bytes:
    """An import template: the data sheet (header and one example row), a "Kode" sheet with each
    code list side by side (an empty column between), and a "Petunjuk" sheet with the notes.
    `text_columns` are formatted as Text: Excel keeps 15 digits of a number, so a 16-digit NIK typed
    into a General cell loses its last digit, and a phone number its leading 0."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    as_text = set(text_columns)
    for column, name in enumerate(columns, start=1):
        _text_cell(sheet, 1, column, name, bold=True)
        cell = _text_cell(sheet, 2, column, example[column - 1] if column <= len(example) else None)
        dimension = sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter]
        dimension.width = 22
        if name in as_text:
            dimension.number_format = "@"  # cells typed later in this column, too
            cell.number_format = "@"
            if cell.value is not None:
                cell.value = str(cell.value)
    sheet.freeze_panes = "A2"
    code_sheet = workbook.create_sheet("Kode")
    first = 1
    for block in codes:
        _text_cell(code_sheet, 1, first, block.title, bold=True)
        for offset, name in enumerate(block.header):
            _text_cell(code_sheet, 2, first + offset, name, bold=True)
            code_sheet.column_dimensions[code_sheet.cell(row=2, column=first + offset).column_letter].width = 18
        for row, values in enumerate(block.rows, start=3):
            for offset, value in enumerate(values):
                _text_cell(code_sheet, row, first + offset, value)
        first += len(block.header) + 1
    code_sheet.freeze_panes = "A3"
    notes_sheet = workbook.create_sheet("Petunjuk")
    notes_sheet.column_dimensions["A"].width = 120
    for row, line in enumerate(notes, start=1):
        _text_cell(notes_sheet, row, 1, line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_download(content: bytes, filename: str) -> Response:
    return Response(
        content, mimetype=XLSX_MIMETYPE, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


# --- reading imported rows -------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


class SheetRow:
    """One imported row being read: every column is parsed, and every problem is kept with its
    column ("nik: …"), so a row reports all that is wrong with it at once."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.problems: list[str] = []

    def problem(self, column: str, message: str) -> None:
        self.problems.append(f"{column}: {message}")

    def text(self, column: str, required: bool = False) -> str:
        value = cell_text(self.raw.get(column))
        if required and not value:
            self.problem(column, _("wajib diisi."))
        return value

    def need(self, column: str) -> str:
        return self.text(column, required=True)

    def number(self, column: str, message: str) -> int | None:
        value = self.raw.get(column)
        if isinstance(value, int | float) and float(value).is_integer():
            return int(value)
        if re.fullmatch(r"\d+", cell_text(value), re.ASCII):
            return int(cell_text(value))
        self.problem(column, message)
        return None

    def day(self, column: str) -> date | None:
        value = self.raw.get(column)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(cell_text(value))
        except ValueError:
            self.problem(column, _("tanggal tidak valid (TTTT-BB-HH)."))
            return None

    def moment(self, column: str, tz: tzinfo) -> datetime | None:
        """A local date and time at the venue ("2027-05-01 08:00"); empty is None without a problem."""
        value = self.raw.get(column)
        if value is None or cell_text(value) == "":
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=tz)
        try:
            return datetime.strptime(cell_text(value), "%Y-%m-%d %H:%M").replace(tzinfo=tz)
        except ValueError:
            self.problem(column, _("waktu tidak valid (TTTT-BB-HH JJ:MM)."))
            return None


class SheetFileError(DomainError):
    """An uploaded XLSX that cannot be read as a whole (not XLSX, broken, too long, wrong columns)."""


def read_sheet(data: bytes, max_rows: int) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The header (lower case) and (row number, {column: value}) of each non-empty row of the first
    sheet. Whatever is wrong with the file itself is a SheetFileError, never a crash: openpyxl and
    the XML parser below it raise many kinds of errors for broken or hostile files."""
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [cell_text(h).lower() for h in next(rows, [])]
        result: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(rows, start=2):
            if not values or not any(cell_text(v) for v in values):
                continue
            result.append((number, {name: values[i] if i < len(values) else None for i, name in enumerate(header)}))
            if len(result) > max_rows:
                raise SheetFileError(_("Paling banyak %(n)s baris per berkas.", n=max_rows))
    except SheetFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - zip, XML, openpyxl and value errors alike
        raise SheetFileError(_("Berkas bukan XLSX yang dapat dibaca.")) from exc
    return header, result


def require_columns(header: list[str], columns: Iterable[str], extra: Iterable[str] = ()) -> None:
    missing = [name for name in columns if name not in header] + list(extra)
    if missing:
        raise SheetFileError(_("Kolom tidak ditemukan: %(cols)s. Gunakan templat.", cols=", ".join(missing)))
