"""Certificate pages: settings and preview, the class list (issue, override, revoke, re-issue,
ZIP), the participant's download, and the public verification page."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.access import log_access
from app.audit.models import AccessAction
from app.certificates import bp, bulk, issuing, names, rendering, storage
from app.certificates.forms import CertificateSettingsForm, RevokeCertificateForm
from app.certificates.models import BulkJob, Certificate, JobStatus
from app.certificates.preview import sample_certificate
from app.certificates.queries import class_with_programme, find_by_code
from app.certificates.settings import draft_settings, save_settings, settings_for
from app.core import files
from app.core.access import load_or_404, login_required, public, roles_required
from app.core.actions import commit_or_flash
from app.core.roles import PLANNERS
from app.extensions import db, limiter, utcnow
from app.programmes.models import Programme, TrainingClass
from app.registration.models import Registration


@bp.route("/kelola/program/<int:programme_id>/sertifikat", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def settings(programme_id: int) -> ResponseReturnValue:
    programme = load_or_404(Programme, programme_id)
    current = settings_for(programme)
    form = CertificateSettingsForm(obj=current)
    if request.method == "GET":
        form.show_signatories(current.signatories)
    if form.validate_on_submit() and commit_or_flash(
        lambda: save_settings(
            current,
            form,
            logo=form.upload("logo"),
            signature=form.upload("signature"),
            remove_logo=form.remove_logo.data,
            remove_signature=form.remove_signature.data,
        ),
        _("Pengaturan sertifikat disimpan."),
        form=form,
    ):
        return redirect(url_for("certificates.settings", programme_id=programme.id))
    db.session.commit()  # the defaults, created on first visit
    return render_template("certificates/settings.html", programme=programme, form=form, programme_settings=current)


@bp.get("/kelola/program/<int:programme_id>/sertifikat/pratinjau.pdf")
@roles_required(*PLANNERS)
def preview(programme_id: int) -> ResponseReturnValue:
    """The certificate as it will look, with sample data (nothing is issued)."""
    programme = load_or_404(Programme, programme_id)
    settings = settings_for(programme)
    # Keep the defaults created on first use: the rollback below (which drops the unsaved sample)
    # would otherwise delete the fresh settings row under `settings` (ObjectDeletedError, a 500).
    db.session.commit()
    draft = CertificateSettingsForm(formdata=request.args, meta={"csrf": False})
    if "title" in request.args and draft.validate():  # the values being typed, not saved yet
        settings = draft_settings(programme, draft)
    sample = sample_certificate(programme, settings, request.args.get("nama"))
    db.session.rollback()
    response = Response(rendering.preview_pdf(sample, settings), mimetype="application/pdf")
    # The settings page shows this PDF in an iframe: allow framing by our own pages, for this
    # response only (every other page stays X-Frame-Options: DENY).
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    return response


@bp.get("/kelola/kelas/<int:class_id>/sertifikat")
@roles_required(*PLANNERS)
def class_certificates(class_id: int) -> ResponseReturnValue:
    c = load_or_404(class_with_programme, class_id)
    rows = issuing.class_rows(c)
    return render_template("certificates/class.html", c=c, rows=rows)


@bp.post("/kelola/kelas/<int:class_id>/sertifikat/terbitkan")
@roles_required(*PLANNERS)
def issue_class(class_id: int) -> ResponseReturnValue:
    c = load_or_404(TrainingClass, class_id)
    done = commit_or_flash(
        lambda: issuing.issue_class(c, current_user),
        lambda result: _("%(n)s sertifikat diterbitkan.", n=result[0]),
    )
    if done and done.result[1]:
        flash(_("%(n)s peserta belum memenuhi syarat.", n=len(done.result[1])), "warning")
    return redirect(url_for("certificates.class_certificates", class_id=c.id))


@bp.post("/kelola/pendaftar/<int:registration_id>/sertifikat")
@roles_required(*PLANNERS)
def issue_one(registration_id: int) -> ResponseReturnValue:
    """Issue for one person; below the attendance rule only with a reason (audited)."""
    registration = load_or_404(Registration, registration_id)
    commit_or_flash(
        lambda: issuing.issue(registration, current_user, override_reason=request.form.get("reason")),
        lambda certificate: _("Sertifikat %(n)s diterbitkan.", n=certificate.number),
    )
    return redirect(url_for("certificates.class_certificates", class_id=registration.class_id))


@bp.post("/kelola/sertifikat/<int:certificate_id>/<action>")
@roles_required(*PLANNERS)
def change(certificate_id: int, action: str) -> ResponseReturnValue:
    certificate = load_or_404(Certificate, certificate_id)
    if action == "cabut":
        form = RevokeCertificateForm()
        if form.validate_on_submit():
            commit_or_flash(
                lambda: issuing.revoke(certificate, current_user, form.reason.data), _("Sertifikat dicabut.")
            )
        for message in (m for errors in form.errors.values() for m in errors):
            flash(message, "danger")
    elif action == "terbitkan-ulang":
        commit_or_flash(
            lambda: issuing.reissue(certificate, current_user),
            lambda new: _("Versi baru diterbitkan dengan nomor yang sama (%(n)s).", n=new.number),
        )
    else:
        abort(404)
    class_id = certificate.registration.class_id if certificate.registration else None
    return redirect(
        url_for("certificates.class_certificates", class_id=class_id) if class_id else url_for("programmes.programmes")
    )


@bp.post("/pendaftaran-saya/<int:registration_id>/konfirmasi-nama")
@login_required
def confirm_name(registration_id: int) -> ResponseReturnValue:
    """The participant confirms the name and titles to be printed on their certificate."""
    registration = load_or_404(Registration, registration_id, check=lambda r: r.user_id == current_user.id, hide=True)
    commit_or_flash(
        lambda: names.confirm_name(registration, current_user),
        _("Terima kasih. Nama pada sertifikat Anda sudah dikonfirmasi."),
    )
    return redirect(url_for("registration.mine"))


@bp.get("/sertifikat/<int:certificate_id>.pdf")
@login_required
def download(certificate_id: int) -> ResponseReturnValue:
    certificate = load_or_404(
        Certificate, certificate_id, check=lambda c: issuing.may_download(c, current_user), hide=True
    )
    name = rendering.ensure_stored(certificate)
    log_access(
        AccessAction.DOWNLOADED,
        "certificate",
        "registrations",
        certificate.registration_id,
        subject_label=certificate.number,
        people=1,
    )
    db.session.commit()
    return files.download(storage.AREA, name, certificate.file_name, "application/pdf")


@bp.get("/verifikasi")
@limiter.limit("30 per minute")
@public
def verify_form() -> ResponseReturnValue:
    code = request.args.get("kode", "").strip()
    if code:
        certificate = find_by_code(code)
        if certificate is not None:
            return redirect(url_for("certificates.verify", code=certificate.code))
        return render_template("certificates/verify.html", certificate=None, searched=code), 404
    return render_template("certificates/verify.html", certificate=None, searched=None)


@bp.get("/verifikasi/<code>")
@limiter.limit("30 per minute")
@public
def verify(code: str) -> ResponseReturnValue:
    """Valid / revoked (and when) / superseded, with the holder, programme, class, dates and JP:
    nothing else for the public; organisers and admins also see why it was revoked."""
    certificate = find_by_code(code) if len(code) == 43 else None
    if certificate is None:
        return render_template("certificates/verify.html", certificate=None, searched=code[:20]), 404
    return render_template(
        "certificates/verify.html",
        certificate=certificate,
        searched=None,
        revoked_on=issuing.revoked_on(certificate),
        show_reason=issuing.shows_revocation_reason(current_user),
    )


# --- bulk jobs -----------------------------------------------------------------------------------------


@bp.post("/kelola/sertifikat/massal/<scope>/<int:scope_id>")
@roles_required(*PLANNERS)
def bulk_start(scope: str, scope_id: int) -> ResponseReturnValue:
    """Issue and render a whole class, batch or programme in the background."""
    job = bulk.create_job(scope, scope_id, by=current_user)
    if job is None:
        abort(404)
    db.session.commit()
    bulk.start(job.id)
    return redirect(url_for("certificates.bulk_status", job_id=job.id))


@bp.get("/kelola/sertifikat/pekerjaan/<int:job_id>")
@roles_required(*PLANNERS)
def bulk_status(job_id: int) -> ResponseReturnValue:
    job = load_or_404(BulkJob, job_id)
    labels = {status.value: status.label for status in JobStatus}  # also read by bulk-job.js
    return render_template(
        "certificates/job.html",
        job=job,
        stalled=job.stalled(utcnow(), bulk.stall_limit()),
        labels=labels,
        latest=bulk.latest_job(job),
    )


@bp.get("/kelola/sertifikat/pekerjaan/<int:job_id>.json")
@roles_required(*PLANNERS)
def bulk_progress(job_id: int) -> ResponseReturnValue:
    job = load_or_404(BulkJob, job_id)
    return {
        "status": job.status.value,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "error": job.error,
        "stalled": job.stalled(utcnow(), bulk.stall_limit()),
    }


@bp.post("/kelola/sertifikat/pekerjaan/<int:job_id>/lanjutkan")
@roles_required(*PLANNERS)
def bulk_resume(job_id: int) -> ResponseReturnValue:
    job = load_or_404(BulkJob, job_id)
    if bulk.queue_again(job):
        db.session.commit()
        bulk.start(job.id)
    return redirect(url_for("certificates.bulk_status", job_id=job.id))


@bp.get("/kelola/sertifikat/pekerjaan/<int:job_id>/<kind>")
@roles_required(*PLANNERS)
def bulk_download(job_id: int, kind: str) -> ResponseReturnValue:
    job = load_or_404(BulkJob, job_id)
    download = bulk.job_download(job, kind) or abort(404)
    log_access(
        AccessAction.DOWNLOADED,
        "certificates_bulk",
        download.table,
        job.scope_id,
        subject_label=kind,
        people=job.total,
    )
    db.session.commit()
    return files.download(storage.AREA, download.stored, download.name, download.mimetype)
