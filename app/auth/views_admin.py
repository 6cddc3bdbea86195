"""User management for admins: list, search, create staff accounts, edit roles, deactivate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import bp, services
from app.auth.forms import UserForm
from app.auth.models import User
from app.core.access import load_or_404, roles_required
from app.core.actions import commit_or_flash
from app.core.forms import choice_list
from app.core.pagination import paginate
from app.core.roles import Role
from app.extensions import db
from app.regions.services import provinces


def _user_form(**kwargs: object) -> UserForm:
    form = UserForm(**kwargs)
    form.province_code.choices = choice_list([("", _("— pilih provinsi —"))] + [(p.code, p.name) for p in provinces()])
    return form


@bp.get("/admin/pengguna")
@roles_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    q = request.args.get("q", "").strip()
    role = request.args.get("peran", "")
    query = services.users_query(q, Role(role) if role in {r.value for r in Role} else None)
    return render_template("auth/admin/users.html", page=paginate(query), q=q, role=role, Role=Role)


@bp.route("/admin/pengguna/baru", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new() -> ResponseReturnValue:
    form = _user_form()
    if form.validate_on_submit() and commit_or_flash(
        lambda: services.create_staff(
            email=form.email.data,
            full_name=form.full_name.data,
            phone=form.phone.data,
            roles=[Role(r) for r in form.roles.data],
            province_code=form.province_code.data or None,
        ),
        lambda user: _("Akun %(email)s dibuat; tautan untuk mengatur kata sandi telah dikirim.", email=user.email),
        form=form,
    ):
        return redirect(url_for("auth.users"))
    return render_template("auth/admin/user_form.html", form=form, user=None)


@bp.route("/admin/pengguna/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int) -> ResponseReturnValue:
    user = load_or_404(User, user_id)
    form = _user_form(obj=user)
    if request.method == "GET":
        form.roles.data = [r.value for r in user.role_set]
        form.province_code.data = user.coordinator_province_code or ""
    if form.validate_on_submit() and commit_or_flash(
        lambda: services.update_user(
            user,
            full_name=form.full_name.data,
            email=form.email.data,
            phone=form.phone.data,
            roles=[Role(r) for r in form.roles.data],
            province_code=form.province_code.data or None,
            active=form.active.data,
            by=current_user,
        ),
        lambda _updated: _("Akun %(email)s diperbarui.", email=user.email),  # the new address, once saved
        form=form,
    ):
        return redirect(url_for("auth.users"))
    return render_template("auth/admin/user_form.html", form=form, user=user)


@bp.post("/admin/pengguna/<int:user_id>/kirim-tautan")
@roles_required(Role.ADMIN)
def user_send_reset(user_id: int) -> ResponseReturnValue:
    user = load_or_404(User, user_id)
    if not user.active:
        abort(400)
    services.request_password_reset(user.email)
    db.session.commit()
    flash(_("Tautan atur ulang kata sandi dikirim ke %(email)s.", email=user.email), "success")
    return redirect(url_for("auth.user_edit", user_id=user.id))
