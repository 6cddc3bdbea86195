"""Facilitator pages (roster per class day, QR screen), the marking API, and QR check-in."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypedDict

import segno
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.attendance import bp, checkin, services
from app.attendance.models import AttendanceMark, AttendanceStatus
from app.attendance.views_offline import offline_script_attributes
from app.core.access import load_or_404, public, roles_required
from app.core.actions import commit_or_flash
from app.core.api import api_error
from app.core.formatting import format_date
from app.core.roles import MARKERS, PLANNERS
from app.core.urls import external_url
from app.errors import DomainError
from app.extensions import db
from app.programmes.models import TrainingClass


def _markable(class_id: int) -> TrainingClass:
    """The class (404), if the current user may mark it (403)."""
    return load_or_404(TrainingClass, class_id, check=lambda c: services.can_mark(current_user, c))


def _day(c: TrainingClass, value: str) -> date:
    return services.class_day(c, value) or abort(404)


@bp.get("/presensi/kelas/<int:class_id>")
@roles_required(*MARKERS)
def class_days(class_id: int) -> ResponseReturnValue:
    """Go to today's roster, or the first day (before) / last day (after the class)."""
    c = _markable(class_id)
    return redirect(url_for("attendance.roster", class_id=c.id, day=services.default_day(c).isoformat()))


@bp.get("/presensi/kelas/<int:class_id>/<day>")
@roles_required(*MARKERS)
def roster(class_id: int, day: str) -> ResponseReturnValue:
    c = _markable(class_id)
    the_day = _day(c, day)
    today = services.local_now(c).date()
    marks = services.current_marks([c.id])
    people = services.approved_registrations(c)
    return render_template(
        "attendance/roster.html",
        c=c,
        day=the_day,
        days=services.class_days(c),
        today=today,
        people=people,
        marks={r.id: marks.get((r.id, the_day)) for r in people},
        statuses=list(AttendanceStatus),
        closed_reason=services.marking_closed_reason(c, the_day, today),
        note_max=services.NOTE_MAX_LENGTH,
        offline=offline_script_attributes([request.path]),  # a copy for the next visit without a connection
    )


def _moment(value: object) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("naive time")
    return moment


class MarkFields(TypedDict):
    status: AttendanceStatus | None
    note: str | None
    client_key: str
    marked_at: datetime | None
    day: date
    registration_id: int


def _mark_payload(data: object) -> MarkFields:
    """The fields of one mark from the roster's JSON, or ValueError. A mark carries a status, a
    note (saved on its own when typed after the tap), or both; a missing note is left alone."""
    if not isinstance(data, dict):
        raise ValueError("not an object")
    status = AttendanceStatus(data["status"]) if data.get("status") is not None else None
    note = data.get("note")
    if note is not None and (not isinstance(note, str) or len(note.strip()) > services.NOTE_MAX_LENGTH):
        raise ValueError("note")
    if status is None and note is None:
        raise ValueError("empty mark")
    client_key = str(data.get("client_key") or "")[:64]
    if len(client_key) < 8:
        raise ValueError("client key")
    registration_id = int(data["registration_id"])
    if not 0 < registration_id < 2**63:
        raise ValueError("registration id")
    return {
        "status": status,
        "note": note,
        "client_key": client_key,
        "marked_at": services.server_time_of(_moment(data.get("marked_at")), _moment(data.get("sent_at"))),
        "day": date.fromisoformat(str(data.get("day"))),
        "registration_id": registration_id,
    }


def _json_body() -> object:
    """The request's JSON, or None when it is not JSON or nests too deeply to read (RecursionError)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


@bp.post("/api/presensi/<int:class_id>")
@roles_required(*MARKERS)
def api_mark(class_id: int) -> ResponseReturnValue:
    """One mark from the roster (live or synced from the offline queue); idempotent by client_key."""
    c = _markable(class_id)
    try:
        fields = _mark_payload(_json_body())
    except (ValueError, TypeError, KeyError, OverflowError):
        return api_error(
            400,
            _(
                "Data presensi tidak lengkap atau tidak valid. Catatan paling banyak %(n)s karakter.",
                n=services.NOTE_MAX_LENGTH,
            ),
        )
    try:
        mark, created = services.record(c, by=current_user, **fields)
    except DomainError as exc:
        db.session.rollback()
        return api_error(422, exc.message)
    db.session.commit()
    return _mark_answer(c, mark, created)


def _mark_answer(c: TrainingClass, mark: AttendanceMark, created: bool) -> ResponseReturnValue:
    """The stored mark, and what now counts for that person and day (a newer tap may have won)."""
    current = services.current_marks([c.id]).get((mark.registration_id, mark.day)) or services.DayMark()
    return jsonify(
        {
            "client_key": mark.client_key,
            "created": created,
            "status": mark.status.value if mark.status else None,
            "current_status": current.status.value if current.status else None,
            "current_note": current.note or "",
        }
    )


@bp.post("/presensi/kelas/<int:class_id>/<day>/semua-hadir")
@roles_required(*MARKERS)
def all_present(class_id: int, day: str) -> ResponseReturnValue:
    c = _markable(class_id)
    the_day = _day(c, day)
    commit_or_flash(
        lambda: services.mark_all_present(c, the_day, current_user),
        lambda count: _("%(n)s peserta ditandai hadir.", n=count),
    )
    return redirect(url_for("attendance.roster", class_id=c.id, day=the_day.isoformat()))


@bp.get("/presensi/kelas/<int:class_id>/<day>/qr")
@roles_required(*MARKERS)
def qr_screen(class_id: int, day: str) -> ResponseReturnValue:
    """The code shown to the room; a day that is not open for check-in says so instead."""
    c = _markable(class_id)
    the_day = _day(c, day)
    return render_template(
        "attendance/qr.html",
        c=c,
        day=the_day,
        rotate=checkin.QR_ROTATE_SECONDS,
        day_number=services.class_days(c).index(the_day) + 1,
        closed_reason=checkin.qr_closed_reason(c, the_day),
    )


@bp.get("/presensi/kelas/<int:class_id>/<day>/qr.json")
@roles_required(*MARKERS)
def qr_current(class_id: int, day: str) -> ResponseReturnValue:
    """The current check-in code as an SVG QR; the screen fetches a new one every 30 seconds.
    Refused (409) when the day is not open: a code the server would refuse is never shown."""
    c = _markable(class_id)
    the_day = _day(c, day)
    closed_reason = checkin.qr_closed_reason(c, the_day)
    if closed_reason:
        response = api_error(409, closed_reason)  # the one JSON error shape, as under /api/
    else:
        token = checkin.qr_token(c, the_day)
        url = external_url("attendance.check_in", token=token)
        # One SVG unit per module (quiet zone of 4 included); the screen scales it to the viewport.
        svg = segno.make(url, error="m").svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff")
        response = jsonify({"svg": svg, "url": url, "rotate": checkin.QR_ROTATE_SECONDS})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/presensi/qr/<token>", methods=["GET", "POST"])
@public  # but it acts only for a logged-in participant: anyone else is sent to log in first
def check_in(token: str) -> ResponseReturnValue:
    """What the participant's phone opens from the QR: the class, day and venue to confirm, then
    the mark is made. A code that would be refused says why at once, with no button. Scanned by
    someone logged out, the code is noted as scanned in time before they go to log in."""
    if not current_user.is_authenticated:
        proof = checkin.scan_proof(token)
        back = url_for("attendance.check_in", token=token, bukti=proof or None)
        return redirect(url_for("auth.login", next=back))
    proof = request.args.get("bukti")
    if request.method == "GET":
        try:
            scanned = checkin.read_check_in(token, current_user, proof=proof)
        except DomainError as exc:
            return render_template("attendance/check_in.html", token=token, error=str(exc.message)), 422
        return render_template("attendance/check_in.html", token=token, scanned=scanned)
    try:
        mark, message = checkin.check_in(token, current_user, proof=proof)
    except DomainError as exc:
        db.session.rollback()
        return render_template("attendance/check_in.html", token=token, error=str(exc.message)), 422
    db.session.commit()
    return render_template("attendance/check_in.html", token=token, result=message, mark=mark)


@bp.post("/presensi/kelas/<int:class_id>/buka-kembali")
@roles_required(*PLANNERS)
def reopen(class_id: int) -> ResponseReturnValue:
    c = load_or_404(TrainingClass, class_id)
    try:
        until = date.fromisoformat(request.form.get("until", ""))
    except ValueError:
        flash(_("Tanggal tidak valid."), "danger")
    else:
        commit_or_flash(
            lambda: services.reopen(c, until, current_user),
            _("Presensi dibuka kembali sampai %(d)s.", d=format_date(until)),
        )
    return redirect(url_for("attendance.report", class_id=c.id))
