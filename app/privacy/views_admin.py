"""The admins' access log: who viewed, exported or downloaded whose personal data, filtered and exported."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms.fields import Field

from app.audit.access import AccessFilters, access_query, log_access
from app.audit.models import AccessAction, AuditEntry
from app.core.access import roles_required
from app.core.export import xlsx_response
from app.core.formatting import format_datetime
from app.core.pagination import paginate
from app.core.roles import Role
from app.extensions import db
from app.privacy import bp
from app.privacy.forms import AccessLogFilterForm


def _filters() -> tuple[AccessLogFilterForm, AccessFilters]:
    """The form read from the query string; a field that does not validate says so and is ignored."""
    form = AccessLogFilterForm(request.args)
    form.validate()

    def ok(field: Field) -> Any:
        return None if field.errors else field.data

    action = ok(form.aksi)
    return form, AccessFilters(
        actor=ok(form.pelaku) or "",
        subject_type=ok(form.subjek) or None,
        subject_id=ok(form.subjek_id),
        action=AccessAction(action) if action else None,
        since=ok(form.dari),
        until=ok(form.sampai),
        full_nik_only=bool(form.nik.data),
    )


@bp.get("/admin/akses-data")
@roles_required(Role.ADMIN)
def access_log() -> ResponseReturnValue:
    form, filters = _filters()
    return render_template(
        "privacy/access_log.html", form=form, page=paginate(access_query(filters)), export_args=request.args.to_dict()
    )


def _row(number: int, entry: AuditEntry) -> list[object]:
    return [
        number,
        format_datetime(entry.at),
        entry.user.full_name if entry.user else _("sistem"),
        entry.user.email if entry.user else "",
        entry.access_action.label if entry.access_action else entry.action,
        entry.what_label,
        entry.subject_type_label,
        entry.object_id,
        entry.subject_label or "",
        entry.people_count,
        _("ya") if entry.full_nik else _("tidak"),
        entry.ip_address or "",
    ]


@bp.get("/admin/akses-data.xlsx")
@roles_required(Role.ADMIN)
def access_log_xlsx() -> ResponseReturnValue:
    _form, filters = _filters()
    entries = db.session.scalars(access_query(filters)).all()
    header = [
        _("No."),
        _("Waktu"),
        _("Pelaku"),
        _("Email pelaku"),
        _("Aksi"),
        _("Data"),
        _("Jenis subjek"),
        _("ID subjek"),
        _("Subjek"),
        _("Jumlah orang"),
        _("NIK lengkap"),
        _("Jaringan asal"),
    ]
    response = xlsx_response(
        "log-akses-data.xlsx", _("Akses data"), header, (_row(i, e) for i, e in enumerate(entries, start=1))
    )
    # Reading the log is an access too: the readers' names and networks are in it.
    log_access(AccessAction.EXPORTED, "access_log_xlsx", "audit_entries", None, people=len(entries))
    db.session.commit()
    return response
