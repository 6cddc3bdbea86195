"""The programme dashboard's figures as JSON (`/api/v1/programmes/<id>/dashboard`): the same numbers
as the page (app.reports.figures), the same people asking (planners, coordinators held to their
province), the filters from the query string in the API's English names."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import abort, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.api import bp
from app.api.responses import MAX_ID, choice_arg, int_arg, json_response
from app.core.access import roles_required
from app.core.roles import OVERSEERS, PLANNERS
from app.libraries.models import LibraryType
from app.programmes.models import Programme
from app.reports import figures
from app.reports.scope import held_province, report_programme

LIBRARY_TYPES = {t.value: t for t in LibraryType}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_arg(name: str) -> date | None:
    """A calendar date `YYYY-MM-DD` from the query string, None when absent; anything else a 400."""
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, description=_("%(name)s harus tanggal YYYY-MM-DD.", name=name))


def dashboard_filters(programme: Programme) -> figures.Filters:
    """The query string's filters as the page's `Filters`; a coordinator is held to their own province
    (another one asked for: 403), a batch of another programme is a 404 (as on the page)."""
    page_names = {"angkatan": "batch", "provinsi": "province", "jenis": "library_type", "dari": "from", "sampai": "to"}
    if wrong := [f"{name} → {page_names[name]}" for name in page_names if name in request.args]:
        # the page's names, copied from its URL, would otherwise be ignored and give unfiltered totals
        abort(400, description=_("Parameter halaman tidak berlaku di API: %(names)s.", names=", ".join(wrong)))
    batch_id = int_arg("batch", 0, 1, MAX_ID) or None
    if batch_id is not None and batch_id not in {b.id for b in programme.batches}:
        abort(404, description=_("Angkatan ini bukan bagian dari program ini."))
    code = int_arg("province", 0, 11, 99)
    province = f"{code:02d}" if code else None
    province = held_province(province)  # the reports' one rule: another province is a 403
    start, end = date_arg("from"), date_arg("to")
    if start and end and start > end:
        abort(400, description=_("from harus sebelum atau sama dengan to."))
    return figures.Filters(batch_id, province, choice_arg("library_type", LIBRARY_TYPES), start, end)


def _percent(value: float) -> float:
    return round(value, 1)


def dashboard_body(
    programme: Programme, filters: figures.Filters, board: figures.Dashboard, regencies: bool
) -> dict[str, Any]:
    """The answer: what the page shows, keyed by the stored values (status, library type, region code)."""
    return {
        "programme": {"id": programme.id, "code": programme.code, "year": programme.year},
        "filters": {
            "batch": filters.batch_id,
            "province": filters.province_code,
            "library_type": filters.library_type.value if filters.library_type else None,
            "from": filters.start.isoformat() if filters.start else None,
            "to": filters.end.isoformat() if filters.end else None,
        },
        "headline": {
            "participants": board.participants,
            "provinces": board.provinces,
            "batches": board.batch_count,
            "libraries_reached": {t.value: board.libraries_by_type.get(t, 0) for t in LibraryType},
            "attendance_percent": _percent(board.attendance_percent) if board.attendance_marked else None,
            "certificates": {"eligible": board.eligible, "issued": board.issued},
            "waiting": board.waiting,
        },
        "by_status": {status.value: n for status, n in board.by_status.items()},
        "by_area": {
            "level": "regency" if regencies else "province",
            "rows": [_group(g, "code") for g in board.by_area],
        },
        "by_library_type": [_group(g, "type") for g in board.by_type],
        "classes": [
            {
                "id": c.class_id,
                "name": c.name,
                "batch": c.batch_name,
                "capacity": c.capacity,
                "approved": c.approved,
                "percent": _percent(c.percent),
                "attendance_percent": _percent(line.attendance_percent) if line.marked else None,
                "eligible": line.eligible,
                "certificates_issued": line.issued,
            }
            for c, line in zip(board.classes, board.lines, strict=True)
        ],
    }


def _group(group: figures.Group, key: str) -> dict[str, Any]:
    named = {"code": group.key, "name": group.label} if key == "code" else {"type": group.key}
    return {**named, "participants": group.participants, "libraries": group.libraries}


@bp.get("/api/v1/programmes/<int:programme_id>/dashboard")
@roles_required(*OVERSEERS)
def programme_dashboard(programme_id: int) -> ResponseReturnValue:
    """The dashboard of a programme: planners the whole of it, a coordinator their province's part (by
    regency, announced classes only); a draft programme does not exist for a coordinator."""
    planner = bool(current_user.has_role(*PLANNERS))
    programme = report_programme(programme_id)
    filters = dashboard_filters(programme)
    board = figures.dashboard(programme, filters, regencies=not planner)
    return json_response(dashboard_body(programme, filters, board, regencies=not planner))
