"""Facilitator pages (roster per class day, QR screen), the marking API, and QR check-in."""

from __future__ import annotations

from datetime import date, datetime

import segno
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.attendance import bp, services
from app.attendance.models import AttendanceStatus
from app.auth.models import Role
from app.core.access import login_required, roles_required
from app.core.actions import commit_or_flash
from app.core.formatting import format_date
from app.errors import DomainError
from app.extensions import db
from app.programmes.models import TrainingClass

MARKERS = (Role.ADMIN, Role.ORGANISER, Role.FACILITATOR)


def get_markable_class_or_404(class_id: int) -> TrainingClass:
    """The class, if it exists (404) and the current user may mark it (403)."""
    c = db.get_or_404(TrainingClass, class_id)
    if not services.can_mark(current_user, c):
        abort(403)
    return c


def _day(c: TrainingClass, value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        abort(404)
    if day not in services.class_days(c):
        abort(404)
    return day


@bp.get("/presensi/kelas/<int:class_id>")
@roles_required(*MARKERS)
def class_days(class_id: int) -> ResponseReturnValue:
    """Go to today's roster, or the first day (before) / last day (after the class)."""
    c = get_markable_class_or_404(class_id)
    days = services.class_days(c)
    today = services.local_now(c).date()
    day = today if today in days else (days[0] if today < days[0] else days[-1])
    return redirect(url_for("attendance.roster", class_id=c.id, day=day.isoformat()))


@bp.get("/presensi/kelas/<int:class_id>/<day>")
@roles_required(*MARKERS)
def roster(class_id: int, day: str) -> ResponseReturnValue:
    c = get_markable_class_or_404(class_id)
    the_day = _day(c, day)
    today = services.local_now(c).date()
    try:
        services.check_marking_window(c, the_day, today)
        closed_reason = None
    except DomainError as exc:
        closed_reason = str(exc.message)
    marks = services.current_marks([c.id])
    people = services.approved_registrations(c)
    return render_template(
        "attendance/roster.html", c=c, day=the_day, days=services.class_days(c), today=today, people=people,
        marks={r.id: marks.get((r.id, the_day)) for r in people}, statuses=list(AttendanceStatus),
        closed_reason=closed_reason,
    )


@bp.post("/api/presensi/<int:class_id>")
@roles_required(*MARKERS)
def api_mark(class_id: int) -> ResponseReturnValue:
    """One mark from the roster (live or synced from the offline queue); idempotent by client_key."""
    c = get_markable_class_or_404(class_id)
    data = request.get_json(silent=True) or {}
    try:
        status = AttendanceStatus(data.get("status"))
        day = date.fromisoformat(str(data.get("day")))
        registration_id = int(data.get("registration_id"))
        client_key = str(data.get("client_key") or "")[:64]
        marked_at = datetime.fromisoformat(str(data["marked_at"]).replace("Z", "+00:00")) if data.get("marked_at") \
            else None
        if marked_at is not None and marked_at.tzinfo is None:
            raise ValueError("naive time")
    except (ValueError, TypeError, KeyError):
        return jsonify({"error": _("Data presensi tidak lengkap atau tidak valid.")}), 400
    if len(client_key) < 8:
        return jsonify({"error": _("Data presensi tidak lengkap atau tidak valid.")}), 400
    try:
        mark, created = services.record(
            c, registration_id=registration_id, day=day, status=status, by=current_user,
            client_key=client_key, note=data.get("note"), marked_at=marked_at,
        )
    except DomainError as exc:
        db.session.rollback()
        return jsonify({"error": str(exc.message)}), 422
    db.session.commit()
    current = services.current_marks([c.id]).get((registration_id, day))
    return jsonify({
        "client_key": client_key, "created": created, "status": mark.status.value,
        "current_status": current.status.value if current else None,
    })


@bp.post("/presensi/kelas/<int:class_id>/<day>/semua-hadir")
@roles_required(*MARKERS)
def all_present(class_id: int, day: str) -> ResponseReturnValue:
    c = get_markable_class_or_404(class_id)
    the_day = _day(c, day)
    commit_or_flash(lambda: services.mark_all_present(c, the_day, current_user),
                    lambda count: _("%(n)s peserta ditandai hadir.", n=count))
    return redirect(url_for("attendance.roster", class_id=c.id, day=the_day.isoformat()))


@bp.get("/presensi/kelas/<int:class_id>/<day>/qr")
@roles_required(*MARKERS)
def qr_screen(class_id: int, day: str) -> ResponseReturnValue:
    c = get_markable_class_or_404(class_id)
    return render_template("attendance/qr.html", c=c, day=_day(c, day), rotate=services.QR_ROTATE_SECONDS)


@bp.get("/presensi/kelas/<int:class_id>/<day>/qr.json")
@roles_required(*MARKERS)
def qr_current(class_id: int, day: str) -> ResponseReturnValue:
    """The current check-in code as an SVG QR; the screen fetches a new one every 30 seconds."""
    c = get_markable_class_or_404(class_id)
    token = services.qr_token(c, _day(c, day))
    url = url_for("attendance.check_in", token=token, _external=True)
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2)
    response = jsonify({"svg": svg, "url": url, "rotate": services.QR_ROTATE_SECONDS})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/presensi/qr/<token>", methods=["GET", "POST"])
@login_required
def check_in(token: str) -> ResponseReturnValue:
    """What the participant's phone opens from the QR: confirm, then the mark is made."""
    if request.method == "GET":
        return render_template("attendance/check_in.html", token=token, result=None, error=None)
    try:
        mark, message = services.check_in(token, current_user)
    except DomainError as exc:
        db.session.rollback()
        return render_template("attendance/check_in.html", token=token, result=None, error=str(exc.message)), 422
    db.session.commit()
    return render_template("attendance/check_in.html", token=token, result=message, error=None, mark=mark)


@bp.post("/presensi/kelas/<int:class_id>/buka-kembali")
@roles_required(Role.ADMIN, Role.ORGANISER)
def reopen(class_id: int) -> ResponseReturnValue:
    c = db.get_or_404(TrainingClass, class_id)
    try:
        until = date.fromisoformat(request.form.get("until", ""))
        services.reopen(c, until, current_user)
    except ValueError:
        flash(_("Tanggal tidak valid."), "danger")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        db.session.commit()
        flash(_("Presensi dibuka kembali sampai %(d)s.", d=format_date(until)), "success")
    return redirect(url_for("attendance.report", class_id=c.id))


