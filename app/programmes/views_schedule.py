"""The timeline of all classes, by batch or by province, with filters and XLSX/ICS exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.core.access import roles_required
from app.core.pagination import paginate
from app.core.roles import PLANNERS, STAFF, Role
from app.extensions import db
from app.programmes import bp, exports, queries, services
from app.programmes.models import Batch, ClassStatus, Programme, TrainingClass
from app.regions import services as regions


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=int) or None


def _filters() -> dict:
    """Filters from the query string, narrowed to what this user may see."""
    status = request.args.get("status", "")
    filters = {
        "programme_id": _int_arg("program"),
        "batch_id": _int_arg("angkatan"),
        "province_code": request.args.get("provinsi") or None,
        "status": ClassStatus(status) if status in ClassStatus._value2member_map_ else None,
        "facilitator_id": _int_arg("fasilitator"),
    }
    if not current_user.has_role(*PLANNERS):
        if current_user.has_role(Role.COORDINATOR):
            filters["province_code"] = current_user.coordinator_province_code
            filters["announced_only"] = True
        else:
            filters["facilitator_id"] = current_user.id
    return filters


@dataclass(frozen=True)
class Bar:
    """Where a class sits on the timeline, in percent of the shown period."""

    left: float
    width: float


def _bars(classes: list[TrainingClass]) -> tuple[dict[int, Bar], date | None, date | None]:
    if not classes:
        return {}, None, None
    first = min(c.start_date for c in classes)
    last = max(c.end_date for c in classes)
    span = (last - first).days + 1
    return (
        {c.id: Bar(100 * (c.start_date - first).days / span, max(100 * c.days / span, 1.5)) for c in classes},
        first,
        last,
    )


@bp.get("/kelola/jadwal")
@roles_required(*STAFF)
def schedule() -> ResponseReturnValue:
    filters = _filters()
    view = "provinsi" if request.args.get("tampilan") == "provinsi" else "angkatan"
    page = paginate(queries.schedule_page_query(**filters), per_page=60)
    classes = list(page.items)
    bars, first, last = _bars(classes)
    if view == "provinsi":
        groups: dict[str, list[TrainingClass]] = {}
        for c in classes:
            for p in c.provinces:
                if not filters["province_code"] or p.province_code == filters["province_code"]:
                    groups.setdefault(p.province.name, []).append(c)
        grouped = sorted(groups.items())
    else:
        by_batch: dict[str, list[TrainingClass]] = {}
        for c in classes:
            key = f"{c.batch.programme.code} {c.batch.programme.year} · {c.batch.name}"
            by_batch.setdefault(key, []).append(c)
        grouped = list(by_batch.items())
    programmes = db.session.scalars(select(Programme).order_by(Programme.year.desc(), Programme.code)).all()
    batches = (
        db.session.scalars(
            select(Batch).where(Batch.programme_id == filters["programme_id"]).order_by(Batch.number)
        ).all()
        if filters["programme_id"]
        else []
    )
    return render_template(
        "programmes/schedule.html",
        page=page,
        grouped=grouped,
        bars=bars,
        first=first,
        last=last,
        view=view,
        filters=filters,
        programmes=programmes,
        batches=batches,
        provinces=regions.provinces(),
        facilitators=services.facilitator_choices(),
        ClassStatus=ClassStatus,
        can_filter_all=current_user.has_role(*PLANNERS),
    )


@bp.get("/kelola/jadwal.xlsx")
@roles_required(*STAFF)
def schedule_xlsx() -> ResponseReturnValue:
    classes = db.session.scalars(queries.schedule_page_query(**_filters())).all()
    return Response(
        exports.schedule_xlsx(classes),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="jadwal-bimtek.xlsx"'},
    )


@bp.get("/kelola/jadwal.ics")
@roles_required(*STAFF)
def schedule_ics() -> ResponseReturnValue:
    classes = db.session.scalars(queries.calendar_query(**_filters())).all()
    return Response(
        exports.schedule_ics(classes, "Jadwal Bimtek"),
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="jadwal-bimtek.ics"'},
    )
