"""Attendance reports: the class matrix (with XLSX and the printable daftar hadir PDF), and
figures per batch or programme by province and library type."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.attendance import bp, services
from app.audit.access import log_access
from app.audit.models import AccessAction
from app.core.access import load_or_404, roles_required
from app.core.export import xlsx_response
from app.core.roles import OVERSEERS, PLANNERS, STAFF
from app.extensions import db
from app.pdf.pool import render_pdf_limited
from app.programmes.models import Programme, ProgrammeStatus, TrainingClass
from app.programmes.queries import get_class_row
from app.programmes.services import visible_to


def _readable(class_id: int) -> TrainingClass:
    """The class (404), if the current user may read its attendance (403)."""
    return load_or_404(get_class_row, class_id, check=lambda c: visible_to(c, current_user))


@bp.get("/presensi/kelas/<int:class_id>/laporan")
@roles_required(*STAFF)
def report(class_id: int) -> ResponseReturnValue:
    c = _readable(class_id)
    return render_template(
        "attendance/report.html",
        c=c,
        days=services.class_days(c),
        rows=services.class_report(c, current_user),
        can_mark=services.can_mark(current_user, c),
        open_until=services.marking_open_until(c),
        can_reopen=current_user.has_role(*PLANNERS),
    )


@bp.get("/presensi/kelas/<int:class_id>/laporan.xlsx")
@roles_required(*STAFF)
def report_xlsx(class_id: int) -> ResponseReturnValue:
    c = _readable(class_id)
    days = services.class_days(c)
    report_rows = services.class_report(c, current_user)
    header = (
        [_("No."), _("Nama"), _("Perpustakaan"), _("Provinsi")]
        + [d.strftime("%d-%m-%Y") for d in days]
        + [_("Hadir (hari)"), _("Persentase"), _("Memenuhi syarat sertifikat")]
    )
    rows = (
        [i, row.registration.full_name, row.registration.library.name, row.registration.library.regency.province.name]
        + [status.label if (status := row.eligibility.statuses[d]) else "" for d in days]
        + [
            row.eligibility.present,
            round(row.eligibility.percent, 1),
            _("ya") if row.eligibility.eligible else _("tidak"),
        ]
        for i, row in enumerate(report_rows, start=1)
    )
    response = xlsx_response(f"presensi-kelas-{c.id}.xlsx", _("Presensi"), header, rows)
    log_access(AccessAction.EXPORTED, "attendance_xlsx", "classes", c.id, subject_label=c.name, people=len(report_rows))
    db.session.commit()
    return response


@bp.get("/presensi/kelas/<int:class_id>/daftar-hadir.pdf")
@roles_required(*STAFF)
def sign_in_sheet(class_id: int) -> ResponseReturnValue:
    """The paper sign-in sheet (daftar hadir): one row per participant, a signature box per day."""
    c = _readable(class_id)
    people = services.approved_registrations(c, current_user)
    html = render_template("attendance/daftar_hadir.html", c=c, days=services.class_days(c), people=people)
    # Logged before the (slow) rendering, which gives the database connection back meanwhile.
    log_access(AccessAction.EXPORTED, "sign_in_sheet_pdf", "classes", c.id, subject_label=c.name, people=len(people))
    filename = f"daftar-hadir-kelas-{c.id}.pdf"
    db.session.commit()
    pdf = render_pdf_limited(html, current_app.config["PDF_RENDER_TIMEOUT"])
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@bp.get("/presensi/program/<int:programme_id>/laporan")
@roles_required(*OVERSEERS)
def programme_report(programme_id: int) -> ResponseReturnValue:
    """Attendance of a programme (or one of its batches: ?angkatan=) by province and library type."""
    planner = current_user.has_role(*PLANNERS)  # a draft programme does not exist for coordinators
    programme = load_or_404(
        Programme, programme_id, check=lambda p: planner or p.status is not ProgrammeStatus.DRAFT, hide=True
    )
    batch_id = request.args.get("angkatan", type=int)
    batch = next((b for b in programme.batches if b.id == batch_id), None)
    if batch_id is not None and batch is None:
        abort(404)  # a batch of another programme (or none) is not a filter of this report
    by_province, by_type = services.programme_report_for(programme, batch_id, current_user)
    return render_template(
        "attendance/programme_report.html",
        programme=programme,
        batches=programme.batches,
        batch=batch,
        by_province=by_province,
        by_type=by_type,
    )
