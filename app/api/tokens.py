"""Who asks the API: a personal access token in `Authorization: Bearer sbt_…`, checked before every
view that is not public, and a rate limit per token. A browser session counts for nothing here, so no
cookie (and no CSRF token) is involved."""

from __future__ import annotations

import hashlib
from typing import cast

from flask import Response, current_app, g, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from app.api import bp
from app.auth import api_tokens
from app.auth.models import User
from app.core.api import api_error
from app.extensions import db, limiter


def bearer_secret() -> str | None:
    """The token the request carries, or None."""
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() or None if scheme.lower() == "bearer" else None


_NO_USER = object()


def token_user() -> User | None:
    """The account of the request's token (None: no token, or not a live one), looked up once per
    request: the rate limit asks first, then the check below."""
    if "api_token_user" not in g:
        secret = bearer_secret()
        g.api_token_user = (api_tokens.authenticate(secret) if secret else None) or _NO_USER
        if db.session.dirty:  # last_used_at moved: commit it without expiring the user just loaded
            current = db.session()
            current.expire_on_commit = False
            try:
                current.commit()
            finally:
                current.expire_on_commit = True
    user = g.api_token_user
    return None if user is _NO_USER else cast(User, user)


def rate_key() -> str:
    """Each live token has its own allowance (a hash: the secret never reaches the limiter's storage);
    every other request — no token, or a made-up one — shares its address's, so inventing tokens does
    not buy more requests (nor fill the limiter's storage with keys)."""
    secret = bearer_secret()
    if secret and token_user() is not None:
        return "api-token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    return "api-address:" + get_remote_address()


def api_limit() -> str:
    return str(current_app.config.get("API_LIMIT", "120 per minute"))


limiter.limit(api_limit, key_func=rate_key)(bp)


@bp.before_request
def authenticate() -> Response | None:
    """Public views (the description and its docs page) need nothing; every other view a live token,
    or a 401 in the API's error shape."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "access", None) == "public":
        return None
    user = token_user()
    if user is None:
        response = api_error(401, _("Token API tidak ada, tidak dikenal, sudah dicabut atau kedaluwarsa."))
        response.headers["WWW-Authenticate"] = 'Bearer realm="sibimtek"'
        return response
    g._login_user = user  # Flask-Login's current_user for this request (nothing goes into the session)
    return None
