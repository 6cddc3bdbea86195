"""The user's own account: name and WhatsApp, password, the browsers signed in to it and, for staff,
the personal access tokens of the API."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.auth import api_tokens, bp, services, sessions
from app.auth.forms import ChangePasswordForm, CreateApiTokenForm, ProfileForm
from app.auth.views import SESSION_TOKEN_KEY, log_out_here
from app.core.access import load_or_404, login_required, roles_required
from app.core.actions import commit_or_flash
from app.core.roles import STAFF
from app.extensions import db, limiter

SESSIONS_SHOWN = 10  # this browser and the most recently used others; the rest are counted, and ended by the button


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
    return _account_page(profile, password)


def _account_page(
    profile: ProfileForm | None = None,
    password: ChangePasswordForm | None = None,
    token_form: CreateApiTokenForm | None = None,
    new_token: api_tokens.NewToken | None = None,
) -> str:
    open_sessions = services.account_sessions(current_user, session.get(SESSION_TOKEN_KEY))
    may_hold = api_tokens.may_hold_tokens(current_user)
    return render_template(
        "auth/account.html",
        profile=profile or ProfileForm(obj=current_user, prefix="profile"),
        password=password or ChangePasswordForm(prefix="password"),
        open_sessions=open_sessions[:SESSIONS_SHOWN],
        more_sessions=max(len(open_sessions) - SESSIONS_SHOWN, 0),
        any_other_session=len(open_sessions) > 1,
        token_form=(token_form or CreateApiTokenForm(prefix="token", formdata=None)) if may_hold else None,
        api_tokens=api_tokens.tokens_of(current_user) if may_hold else [],
        new_token=new_token,
    )


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
    if not (form.submit.data and form.validate_on_submit()):
        return False
    tokens = len(api_tokens.tokens_of(current_user))  # revoked with the change: said in the message

    def said(ended: int) -> str:
        words = [_("Kata sandi diganti.")]
        if ended:
            words.append(_("%(n)s sesi lain diakhiri.", n=ended))
        if tokens:
            words.append(ngettext("%(num)s token API dicabut.", "%(num)s token API dicabut.", tokens))
        return " ".join(words)

    return bool(
        commit_or_flash(
            lambda: services.change_password(
                current_user, form.current_password.data, form.password.data, keep_token=session.get(SESSION_TOKEN_KEY)
            ),
            said,
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


@bp.get("/akun/token-api")
@login_required
def api_tokens_page() -> ResponseReturnValue:
    """Where the token form posts: opened again (a reload after a refusal, a bookmark), the list of
    tokens on /akun."""
    return redirect(url_for("auth.account") + "#api-tokens")


@bp.post("/akun/token-api")
@limiter.limit("10 per hour", key_func=lambda: f"api-token-new:{current_user.get_id()}")  # made or refused
@roles_required(*STAFF)
def create_api_token() -> ResponseReturnValue:
    """A new personal access token, shown once on the page this POST answers: it is never stored, so
    it cannot wait in a redirect (the page is no-store, like every page)."""
    form = CreateApiTokenForm(prefix="token")
    if form.validate_on_submit():
        made = commit_or_flash(
            lambda: api_tokens.create_token(current_user, form.name.data, int(form.days.data) or None),
            None,
            form=form,
        )
        if made:
            return _account_page(new_token=made.result)
    return _account_page(token_form=form), 422


@bp.post("/akun/token-api/<int:token_id>/cabut")
@roles_required(*STAFF)
def revoke_api_token(token_id: int) -> ResponseReturnValue:
    """Revoke one of the account's own tokens (another account's, or one already revoked, is a 404)."""
    token = load_or_404(partial(api_tokens.find_own_token, current_user), token_id)
    commit_or_flash(lambda: api_tokens.revoke(token), _("Token %(name)s dicabut.", name=token.name))
    return redirect(url_for("auth.account") + "#api-tokens")
