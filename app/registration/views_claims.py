"""NIK claims: the participant's request ("this NIK is mine") and the organisers' list and decisions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.access import log_access
from app.audit.models import AccessAction
from app.core.access import load_or_404, login_required, roles_required
from app.core.actions import commit_or_flash
from app.core.pagination import paginate
from app.core.roles import PLANNERS, Role
from app.extensions import db
from app.programmes.models import PUBLIC_STATUSES, TrainingClass
from app.registration import bp, claims, uploads
from app.registration.forms import ClaimDecisionForm, NikClaimForm
from app.registration.limits import count_this_submit, submit_limits
from app.registration.models import NikClaim, NikClaimStatus
from app.registration.scope import may_read_letter


@bp.route("/katalog/<int:class_id>/klaim-nik", methods=["GET", "POST"])
@submit_limits
@roles_required(Role.PARTICIPANT)
def claim_nik(class_id: int) -> ResponseReturnValue:
    """The owner of a NIK that cannot be registered asks the organisers of the programme for it."""
    training_class = load_or_404(TrainingClass, class_id, check=lambda c: c.status in PUBLIC_STATUSES, hide=True)
    programme = training_class.batch.programme
    form = NikClaimForm()
    if form.validate_on_submit():
        count_this_submit()
        if commit_or_flash(
            lambda: claims.submit_claim(
                programme, current_user, form.nik.data, form.explanation.data, form.checked_letter
            ),
            _("Klaim NIK terkirim. Panitia akan memeriksanya dan mengabari Anda lewat email."),
            form=form,
        ):
            return redirect(url_for("registration.my_claims"))
    return render_template("registration/claim_form.html", form=form, c=training_class, programme=programme)


@bp.get("/klaim-nik-saya")
@login_required
def my_claims() -> ResponseReturnValue:
    return render_template("registration/my_claims.html", claims=claims.claims_of(current_user))


@bp.get("/klaim-nik/<int:claim_id>/surat")
@login_required
def claim_letter(claim_id: int) -> ResponseReturnValue:
    """The claim's supporting letter, for the claimant and the organisers."""
    claim = load_or_404(
        NikClaim, claim_id, check=lambda c: may_read_letter(c, current_user) and bool(c.letter_path), hide=True
    )
    log_access(AccessAction.DOWNLOADED, "nik_claim_letter", "nik_claims", claim.id, people=1)
    db.session.commit()
    return uploads.letter_response(claim.letter_path, claim.letter_mimetype, f"surat-klaim-nik-{claim.id}.pdf")


@bp.get("/kelola/klaim-nik")
@roles_required(*PLANNERS)
def claims_page() -> ResponseReturnValue:
    status = request.args.get("status", NikClaimStatus.OPEN.value)
    chosen = NikClaimStatus(status) if status in NikClaimStatus._value2member_map_ else None
    return render_template(
        "registration/claims.html",
        page=paginate(claims.claim_query(chosen)),
        status=chosen,
        NikClaimStatus=NikClaimStatus,
    )


@bp.get("/kelola/klaim-nik/<int:claim_id>")
@roles_required(*PLANNERS)
def claim_detail(claim_id: int) -> ResponseReturnValue:
    claim = load_or_404(NikClaim, claim_id)
    blocking = claims.blocking_registration(claim) if claim.status is NikClaimStatus.OPEN else None
    page = render_template(
        "registration/claim_detail.html",
        claim=claim,
        blocking=blocking,
        form=ClaimDecisionForm(),
        NikClaimStatus=NikClaimStatus,
    )
    # the claimant and the holder of the registration the claim is about: two people's data
    log_access(AccessAction.VIEWED, "nik_claim_detail", "nik_claims", claim.id, people=2 if blocking else 1)
    db.session.commit()
    return page


@bp.post("/kelola/klaim-nik/<int:claim_id>/<action>")
@roles_required(*PLANNERS)
def decide_claim(claim_id: int, action: str) -> ResponseReturnValue:
    claim = load_or_404(NikClaim, claim_id)
    form = ClaimDecisionForm()
    if action not in ("terima", "tolak"):
        abort(404)
    if not form.validate_on_submit():
        for message in [m for errors in form.errors.values() for m in errors]:
            flash(str(message), "danger")
        return redirect(url_for("registration.claim_detail", claim_id=claim_id))
    if action == "terima":
        done = commit_or_flash(
            lambda: claims.accept_claim(claim, current_user, form.note.data),
            _("Klaim diterima. Pengklaim sudah dikabari dan dapat mendaftar."),
        )
    else:
        done = commit_or_flash(
            lambda: claims.refuse_claim(claim, current_user, form.note.data),
            _("Klaim ditolak. Alasannya dikirim ke pengklaim."),
        )
    if done:
        return redirect(url_for("registration.claims_page"))
    return redirect(url_for("registration.claim_detail", claim_id=claim_id))
