"""The programme dashboard (`/kelola/program/<id>/dasbor`) with its XLSX and CSV: planners see the
whole programme, a provincial coordinator the same page held to their province (read-only)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from lokal import wilayah
from sqlalchemy import select

from app.core.access import roles_required
from app.core.export import Sheet, csv_safe, xlsx_download, xlsx_sheets
from app.core.roles import OVERSEERS, PLANNERS
from app.extensions import db
from app.libraries.models import LibraryType
from app.programmes.models import Programme, ProgrammeStatus
from app.registration.models import Registration, RegistrationStatus
from app.reports import bp, coverage, exports, figures, tilemap
from app.reports.scope import UNKNOWN_PROVINCE, held_province, report_programme, unknown_province


def _filters(programme: Programme) -> figures.Filters:
    """The URL's filters, every problem named at once (a 400 that says which); a batch of another
    programme is a 404; a coordinator is held to their province (another one asked for: 403)."""
    problems: list[str] = []
    batch_id: int | None = None
    if raw_batch := request.args.get("angkatan"):
        if not (raw_batch.isascii() and raw_batch.isdigit()):
            problems.append(_("Angkatan tidak dikenal."))
        elif int(raw_batch) not in {b.id for b in programme.batches}:
            abort(404)  # a batch of another programme is no filter of this one
        else:
            batch_id = int(raw_batch)
    kind = request.args.get("jenis") or None
    if kind is not None and kind not in {t.value for t in LibraryType}:
        problems.append(_("Jenis perpustakaan tidak dikenal."))
        kind = None
    start, end = _date("dari", problems), _date("sampai", problems)
    if start and end and start > end:
        problems.append(_('Tanggal "dari" harus sebelum atau sama dengan tanggal "sampai".'))
    province = request.args.get("provinsi") or None
    if unknown_province(province):
        problems.append(str(UNKNOWN_PROVINCE))
    if problems:
        abort(400, description=" ".join(problems))
    province = held_province(province)
    return figures.Filters(batch_id, province, LibraryType(kind) if kind else None, start, end)


def _date(name: str, problems: list[str]) -> date | None:
    value = request.args.get(name, "")
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        problems.append(_('Tanggal "%(name)s" harus berformat TTTT-BB-HH.', name=name))
        return None


def _board(programme_id: int) -> tuple[Programme, figures.Filters, figures.Dashboard, dict[str, str]]:
    programme = report_programme(programme_id)
    filters = _filters(programme)
    regencies = not current_user.has_role(*PLANNERS)
    board = figures.dashboard(programme, filters, regencies=regencies)
    names = {w.code: w.name for w in wilayah.list_wilayah()}  # the 38 provinces, in memory: no statement
    return programme, filters, board, names


def board_view(programme_id: int) -> dict[str, Any]:
    """What the dashboard page and the report PDF both show: the figures, the applied filters in words
    and the charts' rows (the tile map of provinces for planners)."""
    programme, filters, board, names = _board(programme_id)
    coordinator = not current_user.has_role(*PLANNERS)
    values = {g.key: g.participants for g in board.by_area} if not coordinator else {}
    return {
        "programme": programme,
        "filters": filters,
        "board": board,
        "names": names,
        "coordinator": coordinator,
        "filters_applied": exports.dashboard_filters(programme, filters, names, applied_only=True),
        "tiles": tilemap.tiles(names, values),
        "legend": tilemap.legend(max(values.values(), default=0)),
        "grid": (tilemap.COLUMNS, tilemap.ROWS),
        "area_rows": [(g.label, g.participants) for g in board.by_area],
        "type_rows": [(g.label, g.participants) for g in board.by_type if g.participants],
    }


@bp.get("/kelola/program/<int:programme_id>/dasbor")
@roles_required(*OVERSEERS)
def programme_dashboard(programme_id: int) -> ResponseReturnValue:
    shown = board_view(programme_id)
    args = {k: v for k, v in request.args.items() if k in {"angkatan", "provinsi", "jenis", "dari", "sampai"} and v}
    return render_template(
        "reports/programme_dashboard.html",
        **shown,
        provinces=sorted(shown["names"].items(), key=lambda item: item[1]),
        library_types=list(LibraryType),
        args=args,
        programmes=coverage.programmes(include_drafts=not shown["coordinator"]),
    )


@bp.get("/kelola/dasbor")
@roles_required(*OVERSEERS)
def latest_dashboard() -> ResponseReturnValue:
    """The dashboard of the programme picked on the dashboard (`program`), else of the latest programme
    with approved participants (else the latest): the home page's and the menu's link."""
    if chosen := request.args.get("program", type=int):
        return redirect(url_for("reports.programme_dashboard", programme_id=report_programme(chosen).id))
    query = select(Programme.id)
    if not current_user.has_role(*PLANNERS):  # coordinators do not see drafts
        query = query.where(Programme.status != ProgrammeStatus.DRAFT)
    programme_id = db.session.scalar(
        query.order_by(
            select(Registration.id)
            .where(Registration.programme_id == Programme.id, Registration.status == RegistrationStatus.APPROVED)
            .exists()
            .desc(),
            Programme.year.desc(),
            Programme.id.desc(),
        ).limit(1)
    )
    if programme_id is None:
        abort(404)
    return redirect(url_for("reports.programme_dashboard", programme_id=programme_id))


def _sheets(board: figures.Dashboard, coordinator: bool) -> list[Sheet]:
    area = _("Kabupaten/kota") if coordinator else _("Provinsi")
    return [
        Sheet(
            _("Ringkasan"),
            [_("Ukuran"), _("Jumlah")],
            [
                [_("Peserta"), board.participants],
                [_("Provinsi"), board.provinces],
                [_("Angkatan"), board.batch_count],
                *([_("%(type)s asal peserta", type=t.label), board.libraries_by_type.get(t, 0)] for t in LibraryType),
                [_("Kehadiran (%)"), round(board.attendance_percent, 1) if board.attendance_marked else None],
                [_("Memenuhi syarat sertifikat"), board.eligible],
                [_("Sertifikat terbit"), board.issued],
                *([str(s.label), n] for s, n in board.by_status.items()),
            ],
        ),
        Sheet(
            _("Wilayah"),
            [area, _("Peserta"), _("Perpustakaan")],
            [[g.label, g.participants, g.libraries] for g in board.by_area],
        ),
        Sheet(
            _("Jenis perpustakaan"),
            [_("Jenis perpustakaan"), _("Peserta"), _("Perpustakaan")],
            [[g.label, g.participants, g.libraries] for g in board.by_type],
        ),
        Sheet(
            _("Keterisian kelas"),
            [_("Angkatan"), _("Kelas"), _("Kapasitas"), _("Disetujui"), _("Keterisian (%)")],
            [[c.batch_name, c.name, c.capacity, c.approved, round(c.percent, 1)] for c in board.classes],
        ),
        Sheet(
            _("Kehadiran per kelas"),
            [
                _("Kelas"),
                _("Kota"),
                _("Mulai"),
                _("Selesai"),
                _("Peserta"),
                _("Kehadiran (%)"),
                _("Memenuhi syarat"),
                _("Sertifikat terbit"),
            ],  # fmt: skip
            [
                [
                    c.name,
                    c.city,
                    c.start,
                    c.end,
                    c.approved,
                    round(c.attendance_percent, 1) if c.marked else None,
                    c.eligible,
                    c.issued,
                ]  # fmt: skip
                for c in board.lines
            ],
        ),
    ]


def _download(programme_id: int) -> tuple[list[Sheet], Programme, figures.Filters]:
    programme, filters, board, names = _board(programme_id)
    sheets = _sheets(board, not current_user.has_role(*PLANNERS))
    return [*sheets, exports.filter_sheet(exports.dashboard_filters(programme, filters, names))], programme, filters


@bp.get("/kelola/program/<int:programme_id>/dasbor.xlsx")
@roles_required(*OVERSEERS)
def programme_dashboard_xlsx(programme_id: int) -> ResponseReturnValue:
    sheets, programme, filters = _download(programme_id)
    return xlsx_download(xlsx_sheets(sheets), exports.dashboard_filename(programme, filters, "xlsx"))


@bp.get("/kelola/program/<int:programme_id>/dasbor.csv")
@roles_required(*OVERSEERS)
def programme_dashboard_csv(programme_id: int) -> ResponseReturnValue:
    sheets, programme, filters = _download(programme_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in exports.csv_lines(sheets):
        writer.writerow([csv_safe(v) for v in line])  # no formulas in a sheet
    filename = exports.dashboard_filename(programme, filters, "csv")
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
