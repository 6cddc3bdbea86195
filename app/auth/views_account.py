"""The user's own account: name and WhatsApp, password, and the browsers signed in to it."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import bp, services, sessions
from app.auth.forms import ChangePasswordForm, ProfileForm
from app.auth.views import SESSION_TOKEN_KEY, log_out_here
from app.core.access import load_or_404, login_required
from app.core.actions import commit_or_flash
from app.extensions import db, limiter


def _account_key() -> str:
    return f"account-form:{current_user.get_id()}"


def _not_saved(response: object) -> bool:
    return getattr(response, "status_code", 200) != 302  # a saved form redirects


@bp.route("/akun", methods=["GET", "POST"])
@limiter.limit("10 per hour", key_func=_account_key, methods=["POST"], deduct_when=_not_saved)
@login_required
def account() -> ResponseReturnValue:
    profile = ProfileForm(obj=current_user, prefix="profile")
    password = ChangePasswordForm(prefix="password")
    password.password_owner = current_user  # the policy refuses a password made of the account's own data
    if _profile_saved(profile) or _password_changed(password):
        return redirect(url_for("auth.account"))
    if request.method == "POST" and not (profile.submit.data or password.submit.data):
        abort(400)  # neither form's button: not something the page sends
    open_sessions = services.account_sessions(current_user, session.get(SESSION_TOKEN_KEY))
    return render_template("auth/account.html", profile=profile, password=password, open_sessions=open_sessions)


def _profile_saved(form: ProfileForm) -> bool:
    return bool(
        form.submit.data
        and form.validate_on_submit()
        and commit_or_flash(
            lambda: services.update_profile(current_user, full_name=form.full_name.data, phone=form.phone.data),
            _("Data akun tersimpan."),
            form=form,
        )
    )


def _password_changed(form: ChangePasswordForm) -> bool:
    return bool(
        form.submit.data
        and form.validate_on_submit()
        and commit_or_flash(
            lambda: services.change_password(
                current_user, form.current_password.data, form.password.data, keep_token=session.get(SESSION_TOKEN_KEY)
            ),
            lambda ended: _("Kata sandi diganti.") + (" " + _("%(n)s sesi lain diakhiri.", n=ended) if ended else ""),
            form=form,
        )
    )


@bp.post("/akun/sesi/akhiri-lain")
@login_required
def end_other_sessions() -> ResponseReturnValue:
    """Every other browser signed in to the account is logged out (CSRF is checked for every POST)."""
    ended = sessions.end_other_sessions(current_user, session.get(SESSION_TOKEN_KEY))
    db.session.commit()
    flash(_("%(n)s sesi lain diakhiri.", n=ended) if ended else _("Tidak ada sesi lain."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/akun/sesi/<int:login_session_id>/akhiri")
@login_required
def end_one_session(login_session_id: int) -> ResponseReturnValue:
    """End one of the account's own sessions (another account's, or one already over, is a 404)."""
    record = load_or_404(partial(sessions.find_open_session, current_user), login_session_id)
    if sessions.is_current(record, session.get(SESSION_TOKEN_KEY)):  # this browser: as logging out
        log_out_here()
        flash(_("Anda telah keluar."), "info")
        return redirect(url_for("auth.login"))
    sessions.end_record(record)
    db.session.commit()
    flash(_("Sesi di %(device)s diakhiri.", device=record.device or _("perangkat tidak dikenal")), "success")
    return redirect(url_for("auth.account"))
