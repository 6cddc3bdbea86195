"""Importing a programme's classes from XLSX: check, report, then write all or the valid rows."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.core.access import load_or_404, roles_required
from app.core.actions import commit_or_flash
from app.core.export import xlsx_download
from app.core.roles import PLANNERS
from app.errors import DomainError
from app.extensions import db
from app.programmes import bp, importing
from app.programmes.forms import ConfirmImportForm, ImportForm
from app.programmes.models import Programme


@bp.get("/kelola/program/<int:programme_id>/impor/templat.xlsx")
@roles_required(*PLANNERS)
def import_template(programme_id: int) -> ResponseReturnValue:
    programme = load_or_404(Programme, programme_id)
    return xlsx_download(importing.template_xlsx(programme), "templat-impor-kelas.xlsx")


@bp.route("/kelola/program/<int:programme_id>/impor", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def import_classes(programme_id: int) -> ResponseReturnValue:
    programme = load_or_404(Programme, programme_id)
    form = ImportForm()
    report, confirm = None, None
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            report = importing.import_classes(programme, importing.read_rows(data), current_user)
        except DomainError as exc:
            db.session.rollback()
            form.file.errors = [*form.file.errors, str(exc.message)]
        else:
            if report.ok and report.created:
                db.session.commit()
                flash(_("%(n)s kelas diimpor.", n=len(report.created)), "success")
                return redirect(url_for("programmes.programme", programme_id=programme.id))
            db.session.rollback()  # nothing is written while a row is wrong
            if report.created:
                confirm = ConfirmImportForm(token=importing.keep_pending(programme, data))
    return render_template("programmes/import.html", programme=programme, form=form, report=report, confirm=confirm)


@bp.post("/kelola/program/<int:programme_id>/impor/konfirmasi")
@roles_required(*PLANNERS)
def import_confirm(programme_id: int) -> ResponseReturnValue:
    programme = load_or_404(Programme, programme_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit() or not importing.TOKEN.fullmatch(form.token.data or ""):
        abort(400)
    data = importing.read_pending(programme, form.token.data)
    if data is None:
        flash(_("Berkas impor sudah kedaluwarsa. Unggah lagi."), "danger")
        return redirect(url_for("programmes.import_classes", programme_id=programme.id))
    if not commit_or_flash(
        lambda: importing.import_classes(programme, importing.read_rows(data), current_user),
        lambda report: _("%(n)s kelas diimpor; %(e)s baris dilewati.", n=len(report.created), e=len(report.errors)),
    ):
        return redirect(url_for("programmes.import_classes", programme_id=programme.id))
    importing.drop_pending(programme, form.token.data)
    return redirect(url_for("programmes.programme", programme_id=programme.id))
