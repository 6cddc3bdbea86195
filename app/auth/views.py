"""Login, logout, sign-up, email verification, password reset and the user's own account."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from wtforms.validators import DataRequired

from app.auth import bp, services, sessions, throttle
from app.auth.forms import (
    EmailOnlyForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    VerifyEmailForm,
)
from app.auth.models import User
from app.core.access import anonymous_only, login_required, public
from app.core.actions import commit_or_flash
from app.core.urls import safe_next_url
from app.errors import ConsentRequired, DomainError, EmailNotVerified, InvalidToken, LoginDelayed
from app.extensions import db, limiter
from app.jobs import after_response

SESSION_TOKEN_KEY = "sid"  # noqa: S105 - a session key name, not a secret


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user of the live server-side session that the cookie names. A
    session that has ended (elsewhere, idle, too old) logs this browser out with a message, once."""
    if not (user_id.isascii() and user_id.isdigit()):
        return None
    ended = False
    try:
        user = sessions.resume_session(int(user_id), session.get(SESSION_TOKEN_KEY))
    except sessions.SessionEnded:
        user, ended = None, True
        for key in (SESSION_TOKEN_KEY, "_user_id", "_fresh", "_id"):
            session.pop(key, None)
    if db.session.dirty:  # last seen moved on, or the session was marked as ended
        _commit_keeping_loaded()
    if ended:  # (the message's language is looked up through current_user: only after the pop)
        flash(_("Sesi Anda berakhir, silakan masuk lagi."), "warning")
    return user


def _commit_keeping_loaded() -> None:
    """Commit the loader's one small change without expiring the user just loaded (which would cost
    the view a second SELECT of the user and their roles). Nothing else is in the session yet: the
    loader runs in before_request, before any view."""
    current = db.session()
    current.expire_on_commit = False
    try:
        current.commit()
    finally:
        current.expire_on_commit = True


@bp.before_app_request
def check_login_session() -> None:
    """Load the user before any view runs: an ended session logs out now, and the loader's small
    commit happens before the view has written anything. Static files and the health probes need
    no user (and /readyz must answer even when the database does not)."""
    if request.endpoint not in ("static", "core.healthz", "core.readyz") and "_user_id" in session:
        _ = current_user.is_authenticated


def _failed_login(response: object) -> bool:
    # Only failed attempts count towards the limit; a successful login redirects.
    return getattr(response, "status_code", 200) != 302


def _remember_device(response: ResponseReturnValue, email: str) -> None:
    """The signed cookie that spares this browser the wait after strangers' failed attempts."""
    response.set_cookie(  # type: ignore[union-attr]
        throttle.KNOWN_DEVICE_COOKIE,
        throttle.known_device_cookie(request.cookies.get(throttle.KNOWN_DEVICE_COOKIE), email),
        max_age=throttle.known_device_max_age(),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def _known_device_login() -> bool:
    """A browser that logged in to this account before is not held up by the others behind its
    address (a class's shared Wi-Fi): its wrong passwords still count against the account."""
    return throttle.is_known_device(request.cookies.get(throttle.KNOWN_DEVICE_COOKIE), request.form.get("email", ""))


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed_login,
    exempt_when=_known_device_login,
)
@anonymous_only
def login() -> ResponseReturnValue:
    form = LoginForm()
    unverified_email = None
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form, unverified_email=None)
    known = throttle.is_known_device(request.cookies.get(throttle.KNOWN_DEVICE_COOKIE), form.email.data)
    try:
        user = services.authenticate(form.email.data, form.password.data, known_device=known)
    except LoginDelayed as exc:
        flash(str(exc.message), "danger")
        return render_template("auth/login.html", form=form, unverified_email=None), 429
    except EmailNotVerified as exc:
        flash(str(exc.message), "warning")
        unverified_email = form.email.data
    except DomainError as exc:
        flash(str(exc.message), "danger")
    else:
        return _logged_in(user)
    db.session.commit()  # keeps the failure count (and an upgraded hash); never half a login
    return render_template("auth/login.html", form=form, unverified_email=unverified_email)


def _logged_in(user: User) -> ResponseReturnValue:
    """Start the session of a user whose password was right, and go where they were going."""
    next_url = safe_next_url(request.args.get("next"))
    locale = session.get("locale")
    session.clear()  # a fresh session at login: nothing from before carries over
    token = services.start_session(user, ip_address=request.remote_addr, user_agent=request.user_agent.string)
    session[SESSION_TOKEN_KEY] = token
    session["locale"] = user.locale or locale
    login_user(user)
    db.session.commit()
    flash(_("Selamat datang, %(name)s.", name=user.full_name), "success")
    response = redirect(next_url or url_for("reports.dashboard"))
    _remember_device(response, user.email)
    return response


def log_out_here() -> None:
    """End this browser's session on the server and in the cookie (the language choice stays)."""
    services.end_session(session.get(SESSION_TOKEN_KEY))
    db.session.commit()
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale


@bp.post("/keluar")
@login_required
def logout() -> ResponseReturnValue:
    log_out_here()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/daftar", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@anonymous_only
def register() -> ResponseReturnValue:
    form = RegisterForm()
    if form.validate_on_submit():
        signed_up = commit_or_flash(
            lambda: services.register_participant(
                email=form.email.data,
                full_name=form.full_name.data,
                password=form.password.data,
                phone=form.phone.data,
                consent_version=current_app.config["PRIVACY_NOTICE_VERSION"],
            ),
            None,
            form=form,
        )
        if signed_up:
            # The same page whether the address was new or already had an account (its owner got a note).
            return render_template("auth/check_email.html", email=services.normalise_email(form.email.data))
    return render_template("auth/register.html", form=form)


@bp.route("/verifikasi-email/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed_login)
@public
def verify_email(token: str) -> ResponseReturnValue:
    """The mailed link, then the password chosen at sign-up: both prove it is the same person."""
    try:
        user = services.account_for_verification(token)
    except InvalidToken as exc:
        flash(str(exc.message), "danger")
        return redirect(url_for("auth.resend_verification"))
    if user.email_verified_at is not None:
        flash(_("Email Anda sudah terverifikasi. Silakan masuk."), "info")
        return redirect(url_for("auth.login"))
    form = VerifyEmailForm()
    if form.validate_on_submit() and commit_or_flash(
        lambda: services.verify_email(token, form.password.data),
        _("Email Anda sudah terverifikasi. Silakan masuk."),
        form=form,
    ):
        return redirect(url_for("auth.login"))
    return render_template("auth/verify_email.html", form=form, user=user)


@bp.route("/verifikasi-email", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@public
def resend_verification() -> ResponseReturnValue:
    form = EmailOnlyForm(email=request.args.get("email"))
    if form.validate_on_submit():
        # Looked up and mailed once the answer is out: its timing does not tell whether the account exists.
        after_response(services.resend_verification, form.email.data)
        db.session.commit()
        flash(
            _("Jika akun itu ada dan belum diverifikasi, tautan verifikasi baru telah dikirim."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/resend_verification.html", form=form)


@bp.route("/lupa-sandi", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@public
def forgot_password() -> ResponseReturnValue:
    form = EmailOnlyForm()
    if form.validate_on_submit():
        # Looked up and mailed once the answer is out: its timing does not tell whether the account exists.
        after_response(services.request_password_reset, form.email.data)
        db.session.commit()
        flash(
            _("Jika email itu terdaftar, kami telah mengirim tautan untuk mengatur ulang kata sandi."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/atur-sandi/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> ResponseReturnValue:
    try:
        user = services.user_for_reset_token(token)
    except InvalidToken as exc:
        flash(str(exc.message), "danger")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    form.password_owner = user  # the policy refuses a password made of this account's own data
    needs_consent = services.needs_consent(user)
    if needs_consent:  # checked with the password fields, so one submit reports everything
        form.consent.validators = [DataRequired(str(ConsentRequired.message))]
    if form.validate_on_submit():
        consent = current_app.config["PRIVACY_NOTICE_VERSION"] if form.consent.data else None
        # Flashed after the logout below, which clears the session (and any message already in it).
        if commit_or_flash(
            lambda: services.reset_password(token, form.password.data, consent_version=consent), None, form=form
        ):
            if current_user.is_authenticated:
                logout_user()
                session.clear()
            flash(_("Kata sandi tersimpan. Silakan masuk dengan kata sandi baru."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, user=user, needs_consent=needs_consent)
