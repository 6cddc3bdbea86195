"""The public front page, the privacy notice and the language switch."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.core import bp
from app.core.access import public
from app.core.urls import safe_next_url
from app.extensions import db


@bp.get("/")
@public
def index() -> ResponseReturnValue:
    return render_template("core/index.html")


@bp.get("/privasi")
@public
def privacy() -> ResponseReturnValue:
    config = current_app.config
    return render_template(
        "core/privacy.html",
        version=config["PRIVACY_NOTICE_VERSION"],
        retention_years=round(config["PII_RETENTION_DAYS"] / 365, 1),
        contact=config["SUPPORT_EMAIL"],
    )


@bp.get("/bahasa/<code>")
@public
def set_language(code: str) -> ResponseReturnValue:
    """Switch the interface language; remembered in the session and on the account."""
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_next_url(request.args.get("next")) or url_for("core.index"))
