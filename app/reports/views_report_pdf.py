"""The programme report PDF (`/kelola/program/<id>/laporan.pdf`, issue #14): the dashboard's figures,
charts and tables, and each class's attendance and certificates, for an official report. Same
filters and access as the dashboard (a coordinator: their province, by regency; no drafts)."""

from __future__ import annotations

from flask import Response, current_app, render_template
from flask.typing import ResponseReturnValue

from app import clock
from app.core.access import roles_required
from app.core.roles import OVERSEERS
from app.pdf.pool import render_pdf_limited
from app.reports import bp, exports
from app.reports.views_dashboard import board_view


@bp.get("/kelola/program/<int:programme_id>/laporan.pdf")
@roles_required(*OVERSEERS)
def programme_report_pdf(programme_id: int) -> ResponseReturnValue:
    shown = board_view(programme_id)
    programme, filters = shown["programme"], shown["filters"]
    html = render_template("reports/programme_report.html", **shown, today=clock.today(), classes=shown["board"].lines)
    pdf = render_pdf_limited(html, current_app.config["PDF_RENDER_TIMEOUT"])
    name = exports.dashboard_filename(programme, filters, "pdf", prefix="laporan")  # ASCII: a safe header value
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
