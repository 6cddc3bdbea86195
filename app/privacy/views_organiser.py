"""The organisers' side of people's data rights: data requests (the list by deadline, late ones
marked, and the answer), and the decisions on name corrections and on erasures after a class started."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import clock
from app.audit.access import log_access
from app.audit.models import AccessAction
from app.core.access import load_or_404, roles_required
from app.core.actions import commit_or_flash
from app.core.pagination import paginate
from app.core.roles import PLANNERS
from app.extensions import db
from app.privacy import bp, rights, services
from app.privacy.forms import AnswerForm
from app.privacy.models import DataRequest, DataRequestKind, DataRequestStatus
from app.registration.forms import ReasonForm
from app.registration.models import DeletionRequest, NameCorrection, Registration


@bp.get("/kelola/permintaan-data")
@roles_required(*PLANNERS)
def requests_list() -> ResponseReturnValue:
    state = request.args.get("status", "terbuka")
    state = state if state in services.STATE_FILTERS else "terbuka"
    kind_arg = request.args.get("jenis", "")
    kind = DataRequestKind(kind_arg) if kind_arg in DataRequestKind._value2member_map_ else None
    now = clock.now()
    return render_template(
        "privacy/requests.html",
        page=paginate(services.request_query(state, kind, now)),
        state=state,
        kind=kind,
        now=now,
        counts=services.open_counts(now),
        DataRequestKind=DataRequestKind,
    )


@bp.route("/kelola/permintaan-data/<int:request_id>", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def request_detail(request_id: int) -> ResponseReturnValue:
    data_request = load_or_404(DataRequest, request_id)
    form = AnswerForm()
    if request.method == "GET" and data_request.status is DataRequestStatus.RECEIVED:
        form.status.data = DataRequestStatus.IN_PROGRESS.value
    if form.validate_on_submit() and commit_or_flash(
        lambda: services.answer(data_request, form.chosen_status, form.answer.data, current_user),
        _("Jawaban tersimpan dan dikirim ke pemohon."),
    ):
        return redirect(url_for("privacy.request_detail", request_id=data_request.id))
    registrations = (
        db.session.scalars(
            select(Registration)
            .where(Registration.user_id == data_request.user_id)
            .order_by(Registration.created_at.desc())
        ).all()
        if data_request.user_id
        else []
    )
    page = render_template(
        "privacy/request.html", data_request=data_request, form=form, now=clock.now(), registrations=registrations
    )
    log_access(AccessAction.VIEWED, "data_request_detail", "data_requests", data_request.id, people=1)
    db.session.commit()
    return page


# The lists of name corrections and deletion requests are on registration.requests_page.


@bp.post("/kelola/koreksi/<int:correction_id>/<action>")
@roles_required(*PLANNERS)
def decide_correction(correction_id: int, action: str) -> ResponseReturnValue:
    correction = load_or_404(NameCorrection, correction_id)
    if action not in ("terima", "tolak"):
        abort(404)
    commit_or_flash(
        lambda: rights.decide_name_correction(correction, action == "terima", current_user),
        _("Koreksi nama diproses."),
    )
    return redirect(url_for("registration.requests_page"))


@bp.post("/kelola/penghapusan/<int:request_id>/<action>")
@roles_required(*PLANNERS)
def decide_deletion(request_id: int, action: str) -> ResponseReturnValue:
    deletion = load_or_404(DeletionRequest, request_id)
    form = ReasonForm()
    if action not in ("setujui", "tolak") or not form.validate_on_submit():
        abort(400)
    commit_or_flash(
        lambda: rights.decide_deletion(deletion, action == "setujui", current_user, form.reason.data),
        _("Permintaan penghapusan diproses."),
    )
    return redirect(url_for("registration.requests_page"))
