"""Login, logout, sign-up, email verification, password reset and the user's own account."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from wtforms.validators import DataRequired

from app.auth import bp, services
from app.auth.forms import (
    ChangePasswordForm,
    EmailOnlyForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    VerifyEmailForm,
)
from app.core.access import anonymous_only, login_required, public
from app.core.forms import show_domain_error
from app.core.urls import safe_next_url
from app.errors import ConsentRequired, DomainError, EmailNotVerified, InvalidToken
from app.extensions import db, limiter

SESSION_TOKEN_KEY = "sid"  # noqa: S105 - a session key name, not a secret


def _login_account_key() -> str:
    return "login-account:" + request.form.get("email", "").strip().lower()


def _failed_login(response: object) -> bool:
    # Only failed attempts count towards the limit; a successful login redirects.
    return getattr(response, "status_code", 200) != 302


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed_login)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_login_account_key,
    methods=["POST"],
    deduct_when=_failed_login,
)
@anonymous_only
def login() -> ResponseReturnValue:
    form = LoginForm()
    unverified_email = None
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except EmailNotVerified as exc:
            flash(str(exc.message), "warning")
            unverified_email = form.email.data
        except DomainError as exc:
            flash(str(exc.message), "danger")
        else:
            next_url = safe_next_url(request.args.get("next"))
            locale = session.get("locale")
            session.clear()  # a fresh session at login: nothing from before carries over
            token = services.start_session(user, ip_address=request.remote_addr, user_agent=request.user_agent.string)
            session[SESSION_TOKEN_KEY] = token
            session["locale"] = user.locale or locale
            login_user(user)
            db.session.commit()
            flash(_("Selamat datang, %(name)s.", name=user.full_name), "success")
            return redirect(next_url or url_for("core.dashboard"))
        db.session.commit()  # keeps an upgraded hash or nothing; never half a login
        return render_template("auth/login.html", form=form, unverified_email=unverified_email)
    return render_template("auth/login.html", form=form, unverified_email=None)


@bp.post("/keluar")
@login_required
def logout() -> ResponseReturnValue:
    services.end_session(session.get(SESSION_TOKEN_KEY))
    db.session.commit()
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/daftar", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@anonymous_only
def register() -> ResponseReturnValue:
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_participant(
                email=form.email.data,
                full_name=form.full_name.data,
                password=form.password.data,
                phone=form.phone.data,
                consent_version=current_app.config["PRIVACY_NOTICE_VERSION"],
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            db.session.commit()
            return render_template("auth/check_email.html", email=user.email)
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
    if form.validate_on_submit():
        try:
            services.verify_email(token, form.password.data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(_("Email Anda sudah terverifikasi. Silakan masuk."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/verify_email.html", form=form, user=user)


@bp.route("/verifikasi-email", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@public
def resend_verification() -> ResponseReturnValue:
    form = EmailOnlyForm(email=request.args.get("email"))
    if form.validate_on_submit():
        services.resend_verification(form.email.data)
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
        services.request_password_reset(form.email.data)
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
    needs_consent = services.needs_consent(user)
    if needs_consent:  # checked with the password fields, so one submit reports everything
        form.consent.validators = [DataRequired(str(ConsentRequired.message))]
    if form.validate_on_submit():
        consent = current_app.config["PRIVACY_NOTICE_VERSION"] if form.consent.data else None
        try:
            services.reset_password(token, form.password.data, consent_version=consent)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
                session.clear()
            flash(_("Kata sandi tersimpan. Silakan masuk dengan kata sandi baru."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, user=user, needs_consent=needs_consent)


@bp.route("/akun", methods=["GET", "POST"])
@login_required
def account() -> ResponseReturnValue:
    profile = ProfileForm(obj=current_user, prefix="profile")
    password = ChangePasswordForm(prefix="password")
    if profile.submit.data and profile.validate_on_submit():
        services.update_profile(current_user, full_name=profile.full_name.data, phone=profile.phone.data)
        db.session.commit()
        flash(_("Data akun tersimpan."), "success")
        return redirect(url_for("auth.account"))
    if password.submit.data and password.validate_on_submit():
        try:
            services.change_password(current_user, password.current_password.data, password.password.data)
        except DomainError as exc:
            show_domain_error(password, exc)
        else:
            db.session.commit()
            flash(_("Kata sandi diganti."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", profile=profile, password=password)
