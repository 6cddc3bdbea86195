"""The programme report PDF (`/kelola/program/<id>/laporan.pdf`, issue #14): the dashboard's figures,
charts and tables, and each class's attendance and certificates, for an official report. Same
filters and access as the dashboard (a coordinator: their province, by regency; no drafts)."""

from __future__ import annotations

from flask import Response, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app import clock
from app.core.access import roles_required
from app.core.roles import OVERSEERS, PLANNERS
from app.pdf.pool import render_pdf_limited
from app.reports import bp, exports, tilemap
from app.reports.views_dashboard import _board


@bp.get("/kelola/program/<int:programme_id>/laporan.pdf")
@roles_required(*OVERSEERS)
def programme_report_pdf(programme_id: int) -> ResponseReturnValue:
    programme, filters, board, names = _board(programme_id)
    coordinator = not current_user.has_role(*PLANNERS)
    values = {g.key: g.participants for g in board.by_area} if not coordinator else {}
    html = render_template(
        "reports/programme_report.html",
        programme=programme,
        board=board,
        coordinator=coordinator,
        filters_applied=exports.dashboard_filters(programme, filters, names, applied_only=True),
        today=clock.today(),
        classes=board.lines,
        tiles=tilemap.tiles(names, values),
        legend=tilemap.legend(max(values.values(), default=0)),
        grid=(tilemap.COLUMNS, tilemap.ROWS),
        area_rows=[(g.label, g.participants) for g in board.by_area],
        type_rows=[(g.label, g.participants) for g in board.by_type if g.participants],
    )
    pdf = render_pdf_limited(html, current_app.config["PDF_RENDER_TIMEOUT"])
    name = exports.dashboard_filename(programme, filters, "pdf", prefix="laporan")  # ASCII: a safe header value
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
