"""The person's pages: see their data, correct a registration's, have it erased; file a request about
their data and follow its answer; download their own copy of everything Sibimtek holds about them
(logged in the access log)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.audit.access import log_access
from app.audit.models import AccessAction
from app.core.access import load_or_404, login_required
from app.core.actions import commit_or_flash
from app.core.export import xlsx_download
from app.errors import NikUnavailable
from app.extensions import db, limiter
from app.privacy import bp, export, rights, services
from app.privacy.forms import DataRequestForm
from app.privacy.models import DataRequestKind
from app.registration import queries
from app.registration.forms import CorrectionForm
from app.registration.limits import count_this_submit, submit_limits
from app.registration.models import Registration
from app.registration.scope import is_own


@bp.get("/data-saya")
@login_required
def my_data() -> ResponseReturnValue:
    return render_template("privacy/my_data.html", registrations=queries.registrations_of(current_user))


@bp.post("/data-saya/hapus")
@login_required
def erase_mine() -> ResponseReturnValue:
    outcome = rights.request_deletion(current_user)
    db.session.commit()
    if outcome.erased:
        flash(_("%(n)s pendaftaran dan datanya telah dihapus.", n=outcome.erased), "success")
    if outcome.pending:
        flash(
            _("%(n)s pendaftaran untuk kelas yang sudah dimulai menunggu keputusan panitia.", n=len(outcome.pending)),
            "info",
        )
    if outcome.claims:
        flash(_("%(n)s klaim NIK dan suratnya telah dihapus.", n=outcome.claims), "success")
    if not outcome.erased and not outcome.pending and not outcome.claims:
        flash(_("Tidak ada data pendaftaran untuk dihapus."), "info")
    return redirect(url_for("privacy.my_data"))


@bp.route("/pendaftaran-saya/<int:registration_id>/perbaiki", methods=["GET", "POST"])
@submit_limits
@login_required
def correct(registration_id: int) -> ResponseReturnValue:
    """The person corrects a registration's data; a new certificate name waits for an organiser."""
    registration = load_or_404(Registration, registration_id, check=lambda r: is_own(r, current_user), hide=True)
    form = CorrectionForm(obj=registration)
    claim_url = None
    if request.method == "GET":
        form.employment_status.data = registration.employment_status.value
        form.nik.data = ""  # never echo a stored NIK
    if form.validate_on_submit():
        count_this_submit()
        person = form.person(current_user.email)
        person.nik = person.nik or registration.nik or ""
        done = commit_or_flash(
            lambda: rights.correct_data(registration, person, current_user), _("Data diperbaiki."), form=form
        )
        if done:
            if done.result is not None:
                flash(_("Perubahan nama di sertifikat menunggu persetujuan panitia."), "info")
            return redirect(url_for("registration.mine"))
        if isinstance(done.error, NikUnavailable):
            claim_url = url_for("registration.claim_nik", class_id=registration.class_id)
    return render_template("privacy/correct.html", form=form, r=registration, claim_url=claim_url)


@bp.route("/akun/permintaan-data", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@login_required
def my_requests() -> ResponseReturnValue:
    form = DataRequestForm()
    if form.validate_on_submit():
        done = commit_or_flash(
            lambda: services.file_request(current_user, DataRequestKind(form.kind.data), form.details.data),
            _("Permintaan Anda kami terima. Panitia menjawab paling lambat 3 × 24 jam."),
            form=form,
        )
        if done:
            return redirect(url_for("privacy.my_request", request_id=done.result.id))
    return render_template(
        "privacy/my_requests.html", form=form, requests=services.requests_of(current_user), now=clock.now()
    )


@bp.get("/akun/permintaan-data/<int:request_id>")
@login_required
def my_request(request_id: int) -> ResponseReturnValue:
    # someone else's request does not exist for this user: 404
    data_request = load_or_404(lambda ident: services.own_request(ident, current_user), request_id)
    return render_template("privacy/my_request.html", data_request=data_request, now=clock.now())


def _own_data(fmt: str) -> dict[str, Any]:
    """The person's own data for a copy in `fmt`, logged like any export of personal data (it holds
    the full NIK, if any)."""
    data = export.personal_data(current_user)
    log_access(
        AccessAction.EXPORTED, f"own_data_{fmt}", "users", current_user.id, people=1, full_nik=bool(data["pendaftaran"])
    )
    db.session.commit()
    return data


@bp.get("/data-saya.json")
@login_required
def my_data_json() -> ResponseReturnValue:
    return Response(
        export.as_json(_own_data("json")),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="data-saya-sibimtek.json"'},
    )


@bp.get("/data-saya.xlsx")
@login_required
def my_data_xlsx() -> ResponseReturnValue:
    return xlsx_download(export.as_xlsx(_own_data("xlsx")), "data-saya-sibimtek.xlsx")
