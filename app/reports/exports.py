"""What every report download says about itself: a "Filter" sheet (and the CSV's last lines) naming
the programme, batch, province, library type and dates it was cut by, and when it was downloaded, so
a sheet forwarded on WhatsApp still says what it counts. Filenames carry the same choices."""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask_babel import gettext as _

from app import clock
from app.core.export import Sheet
from app.core.formatting import format_date, format_datetime
from app.programmes.models import Programme
from app.reports.figures import Filters

FilterRows = list[tuple[str, str]]


def filter_sheet(rows: FilterRows) -> Sheet:
    downloaded = (_("Diunduh"), format_datetime(clock.now()))
    return Sheet(_("Filter"), [_("Filter"), _("Nilai")], [*rows, downloaded])


def dashboard_filters(
    programme: Programme, filters: Filters, names: dict[str, str], applied_only: bool = False
) -> FilterRows:
    """The dashboard's filters in words ("Semua …" where none was chosen); `applied_only`: just the
    chosen ones, without the programme (the PDF's title block names it)."""
    batch = next((b.name for b in programme.batches if b.id == filters.batch_id), None)
    rows = [
        (_("Angkatan"), batch, _("Semua angkatan")),
        (_("Provinsi"), names.get(filters.province_code or "") or filters.province_code, _("Semua provinsi")),
        (_("Jenis perpustakaan"), str(filters.library_type.label) if filters.library_type else None, _("Semua jenis")),
        (_("Kelas mulai dari"), format_date(filters.start) if filters.start else None, "–"),
        (_("Kelas mulai sampai"), format_date(filters.end) if filters.end else None, "–"),
    ]
    if applied_only:
        return [(name, value) for name, value, _none in rows if value]
    return [(_("Program"), f"{programme.name} {programme.year}")] + [(n, v or none) for n, v, none in rows]


def dashboard_filename(programme: Programme, filters: Filters, extension: str, prefix: str = "dasbor") -> str:
    batch = next((f"angkatan-{b.number}" for b in programme.batches if b.id == filters.batch_id), None)
    kind = filters.library_type.value if filters.library_type else None
    name = slug(prefix, programme.code, programme.year, filters.province_code, batch, kind, filters.start, filters.end)
    return f"{name}.{extension}"


def slug(*parts: object) -> str:
    """`dasbor-spp-tik-2023-52`: a filename from the chosen filters (ASCII, no spaces)."""
    text = "-".join(str(p) for p in parts if p not in (None, ""))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def csv_lines(sheets: Sequence[Sheet]) -> list[list[object]]:
    lines: list[list[object]] = []
    for sheet in sheets:
        lines += [[sheet.title], list(sheet.header), *(list(row) for row in sheet.rows), []]
    return lines
