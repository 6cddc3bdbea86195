"""The endpoints of the read-only API, GET only, each scoped by role exactly like the pages: planners
read everything; facilitators their classes; coordinators their province's announced classes and only
their province's people (app.programmes.services.visible_to / visible_sql, app.registration.scope)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, exists, or_, select, true
from sqlalchemy.orm import contains_eager

from app.api import bp
from app.api.responses import MAX_ID, choice_arg, int_arg, json_response, page_response, paginate
from app.attendance import services as attendance
from app.audit.access import log_access
from app.audit.models import AccessAction
from app.auth.models import User
from app.certificates.queries import current_certificates
from app.core.access import load_or_404, public, roles_required
from app.core.roles import PLANNERS, STAFF
from app.core.template_helpers import mask_nik
from app.extensions import db
from app.programmes import lifecycle, queries
from app.programmes.models import Batch, ClassStatus, Programme, ProgrammeStatus, TrainingClass
from app.programmes.services import schedule_query, visible_sql, visible_to
from app.registration.models import Registration, RegistrationStatus
from app.registration.scope import scoped
from app.registration.seats import seats_taken_many

PROGRAMME_STATUSES = {s.value: s for s in ProgrammeStatus}
CLASS_STATUSES = {s.value: s for s in ClassStatus}
REGISTRATION_STATUSES = {s.value: s for s in RegistrationStatus}


def _province_arg() -> str | None:
    """A province code filter ("52"): two digits, or a 400 (a code that names no province finds nothing).
    A coordinator asking for another province than their own: 403, as on every report (never a
    silent switch to their own)."""
    code = int_arg("province", 0, 11, 99)
    asked = f"{code:02d}" if code else None
    own = None if current_user.has_role(*PLANNERS) else current_user.coordinator_province_code
    if asked and own and asked != own:
        abort(403, description=_("Koordinator hanya dapat membaca provinsinya sendiri."))
    return asked


def _visible_class() -> Any:
    """SQL over TrainingClass joined to its Batch: a class the current user may see through the API.
    A draft programme, its batches and classes do not exist for a coordinator, as on the dashboard
    (app.reports.scope); a facilitator still sees their own classes in it, as on their pages."""
    if _plans():
        return true()
    own = TrainingClass.facilitators.any(User.id == current_user.id)
    announced = exists(
        select(Programme.id).where(Programme.id == Batch.programme_id, Programme.status != ProgrammeStatus.DRAFT)
    )
    return and_(visible_sql(current_user), or_(announced, own))


def _visible_class_exists(*where: Any) -> Any:
    """SQL: a class the current user may see, matching `where`."""
    return exists(select(TrainingClass.id).join(TrainingClass.batch).where(_visible_class(), *where))


def _may_see(c: TrainingClass) -> bool:
    """`_visible_class` for one class loaded with its programme and facilitators."""
    if not visible_to(c, current_user):
        return False
    announced = c.batch.programme.status is not ProgrammeStatus.DRAFT
    return _plans() or announced or any(f.id == current_user.id for f in c.facilitators)


# --- programmes and batches ---------------------------------------------------------------------------


def programme_item(p: Programme) -> dict[str, Any]:
    return {
        "id": p.id,
        "code": p.code,
        "name": p.name,
        "year": p.year,
        "status": p.status.value,
        "jp_total": p.jp_total,
    }


@bp.get("/api/v1/programmes")
@roles_required(*STAFF)
def programmes() -> ResponseReturnValue:
    """Programmes with at least one class the user may see (planners: all, drafts too), newest year first."""
    query = select(Programme).order_by(Programme.year.desc(), Programme.id)
    query = query.where(_visible_class_exists(Batch.programme_id == Programme.id)) if not _plans() else query
    if (year := int_arg("year", 0, 2000, 2100)) != 0:
        query = query.where(Programme.year == year)
    if (status := choice_arg("status", PROGRAMME_STATUSES)) is not None:
        query = query.where(Programme.status == status)
    return page_response(paginate(query), programme_item)


def _plans() -> bool:
    return bool(current_user.has_role(*PLANNERS))


def _visible_programme(programme_id: int) -> Programme | None:
    programme = db.session.get(Programme, programme_id)
    if programme is None or _plans():
        return programme  # a draft too
    return programme if db.session.scalar(select(_visible_class_exists(Batch.programme_id == programme_id))) else None


def batch_item(b: Batch) -> dict[str, Any]:
    return {
        "id": b.id,
        "programme_id": b.programme_id,
        "number": b.number,
        "name": b.name,
        "start_date": b.start_date.isoformat(),
        "end_date": b.end_date.isoformat(),
    }


@bp.get("/api/v1/programmes/<int:programme_id>/batches")
@roles_required(*STAFF)
def batches(programme_id: int) -> ResponseReturnValue:
    """The batches of a programme the user may see (a programme they may not see does not exist)."""
    load_or_404(_visible_programme, programme_id)
    query = select(Batch).where(Batch.programme_id == programme_id).order_by(Batch.number, Batch.id)
    if not _plans():
        query = query.where(_visible_class_exists(TrainingClass.batch_id == Batch.id))
    return page_response(paginate(query), batch_item)


# --- classes --------------------------------------------------------------------------------------------


@bp.get("/api/v1/classes")
@roles_required(*STAFF)
def classes() -> ResponseReturnValue:
    """Classes the user may see (`_visible_class`), in date order, with seats taken and left (one
    counting statement)."""
    query = schedule_query(
        programme_id=int_arg("programme_id", 0, 1, MAX_ID) or None,
        batch_id=int_arg("batch_id", 0, 1, MAX_ID) or None,
        province_code=_province_arg(),
        status=choice_arg("status", CLASS_STATUSES),
    ).where(_visible_class())
    page = paginate(query)
    taken = seats_taken_many([c.id for c in page.items])

    def item(c: TrainingClass) -> dict[str, Any]:
        seats = taken.get(c.id)
        used = seats.total if seats else 0
        return {
            "id": c.id,
            "programme_id": c.batch.programme_id,
            "batch_id": c.batch_id,
            "name": c.name,
            "venue_name": c.venue_name,
            "regency_code": c.regency_code,
            "province_code": c.regency.province_code,
            "start_date": c.start_date.isoformat(),
            "end_date": c.end_date.isoformat(),
            "status": lifecycle.effective_status(c).value,
            "capacity": c.capacity,
            "seats_taken": used,
            "seats_left": max(c.capacity - used, 0),
        }

    return page_response(page, item)


# --- the people of a class ------------------------------------------------------------------------------


def _class_for(class_id: int) -> TrainingClass:
    """The class with what scoping reads (facilitators, served provinces); another's, or one of a draft
    programme for a coordinator, is a 404."""
    return load_or_404(queries.get_class_row, class_id, _may_see, hide=True)


@bp.get("/api/v1/classes/<int:class_id>/registrations")
@roles_required(*STAFF)
def registrations(class_id: int) -> ResponseReturnValue:
    """The people of a class the user may read (coordinators: their province's), each with the NIK
    masked, their attendance per class day and their certificate. No phone, email, NIP or birth date."""
    c = _class_for(class_id)
    query = (
        select(Registration)
        .join(Registration.library)
        .options(contains_eager(Registration.library))
        .where(Registration.class_id == c.id)
        .order_by(Registration.created_at, Registration.id)
    )
    query = scoped(query, current_user, c)
    if (status := choice_arg("status", REGISTRATION_STATUSES)) is not None:
        query = query.where(Registration.status == status)
    if province := _province_arg():
        query = query.where(Registration.province_code == province)
    page = paginate(query)
    days = attendance.class_days(c)
    programme = c.batch.programme
    marks = attendance.current_marks([c.id])
    certificates = current_certificates(r.id for r in page.items)

    def item(r: Registration) -> dict[str, Any]:
        certificate = certificates.get(r.id)
        rule = attendance.eligibility(programme, days, {d: attendance.status_of(marks, r.id, d) for d in days})
        return {
            "id": r.id,
            "class_id": r.class_id,
            "full_name": r.full_name,
            "nik": mask_nik(r.nik),
            "status": r.status.value,
            "province_code": r.province_code,
            "quota_group": r.quota_group.value,
            "library": {"id": r.library.id, "name": r.library.name, "type": r.library.type.value},
            "attendance": [{"date": d.isoformat(), "status": s.value if s else None} for d, s in rule.statuses.items()],
            "days_present": rule.present,
            "eligible": rule.eligible,  # present on enough days for a certificate, by the programme's rule
            "certificate": (
                {
                    "number": certificate.number,
                    "status": certificate.status.value,
                    "issued_at": certificate.issued_at.isoformat(),
                }
                if certificate
                else None
            ),
        }

    response = page_response(page, item)  # built before the commit, which expires what was loaded
    # A page of people read by a program is an export: it goes into the access log (UU PDP), like the
    # XLSX of the same list, with the number of people it held.
    people = len(page.items)
    log_access(AccessAction.EXPORTED, "api_registrations", "classes", c.id, subject_label=c.name, people=people)
    db.session.commit()
    return response


# --- the description and its docs page --------------------------------------------------------------


@bp.get("/api/openapi.json")
@public
def openapi_json() -> Response:
    """The OpenAPI 3.1 description (public: it holds the shape of the answers, no data)."""
    from app.api.openapi import description

    return json_response(description())


@bp.get("/api/docs")
@public
def docs() -> ResponseReturnValue:
    """The endpoints of the description as a page (server-rendered, no script)."""
    from flask import render_template

    from app.api.openapi import description, operations

    return render_template("api/docs.html", spec=description(), operations=operations())
