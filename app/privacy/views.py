"""The person's pages: file a request about their data and follow its answer; download their own copy
of everything Sibimtek holds about them (logged in the access log)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.audit.access import log_access
from app.audit.models import AccessAction
from app.core.access import login_required
from app.core.export import xlsx_download
from app.extensions import db, limiter
from app.privacy import bp, export, services
from app.privacy.forms import DataRequestForm
from app.privacy.models import DataRequestKind


@bp.route("/akun/permintaan-data", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@login_required
def my_requests() -> ResponseReturnValue:
    form = DataRequestForm()
    if form.validate_on_submit():
        filed = services.file_request(current_user, DataRequestKind(form.kind.data), form.details.data)
        db.session.commit()
        flash(_("Permintaan Anda kami terima. Panitia menjawab paling lambat 3 × 24 jam."), "success")
        return redirect(url_for("privacy.my_request", request_id=filed.id))
    return render_template(
        "privacy/my_requests.html", form=form, requests=services.requests_of(current_user), now=clock.now()
    )


@bp.get("/akun/permintaan-data/<int:request_id>")
@login_required
def my_request(request_id: int) -> ResponseReturnValue:
    data_request = services.own_request(request_id, current_user)
    if data_request is None:
        abort(404)  # someone else's request does not exist for this user
    return render_template("privacy/my_request.html", data_request=data_request, now=clock.now())


def _own_copy(fmt: str) -> bytes | str:
    """The copy in `fmt`, logged like any export of personal data (it holds the full NIK, if any)."""
    data = export.personal_data(current_user)
    body = export.as_json(data) if fmt == "json" else export.as_xlsx(data)
    log_access(
        AccessAction.EXPORTED, f"own_data_{fmt}", "users", current_user.id, people=1, full_nik=bool(data["pendaftaran"])
    )
    db.session.commit()
    return body


@bp.get("/data-saya.json")
@login_required
def my_data_json() -> ResponseReturnValue:
    return Response(
        _own_copy("json"),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="data-saya-sibimtek.json"'},
    )


@bp.get("/data-saya.xlsx")
@login_required
def my_data_xlsx() -> ResponseReturnValue:
    return xlsx_download(_own_copy("xlsx"), "data-saya-sibimtek.xlsx")
