"""Who may use a view, declared in one obvious way: `@public`, `@login_required`, `@roles_required`.

Every endpoint carries exactly one of these; a test walks the URL map and fails on any view
without a declaration, so a forgotten check cannot ship.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from flask_login import login_required as _flask_login_required

from app.extensions import db

F = TypeVar("F", bound=Callable[..., Any])


def _declare(view: Callable[..., Any], access: str, roles: tuple[str, ...] = ()) -> None:
    view.access = access  # type: ignore[attr-defined]
    view.roles = roles  # type: ignore[attr-defined]


def public(view: F) -> F:
    """Anyone, logged in or not."""
    _declare(view, "public")
    return view


def login_required(view: F) -> F:
    """Any logged-in user, whatever their roles."""
    wrapped = _flask_login_required(view)
    _declare(wrapped, "login")
    return wrapped


def roles_required(*roles: str) -> Callable[[F], F]:
    """Logged-in users holding at least one of `roles`; others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        _declare(wrapped, "roles", tuple(roles))
        return wrapped  # type: ignore[return-value]

    return decorator


def anonymous_only(view: F) -> F:
    """Pages for visitors that are not logged in (login, sign-up): others go home."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated:
            from flask import redirect, url_for

            return redirect(url_for("reports.dashboard"))
        return view(*args, **kwargs)

    _declare(wrapped, "public")
    return wrapped  # type: ignore[return-value]


M = TypeVar("M")


def load_or_404(
    source: type[M] | Callable[[int], M | None],
    ident: int,
    check: Callable[[M], bool] | None = None,
    *,
    hide: bool = False,
) -> M:
    """The one way a view loads the object its URL names, and checks who may see it.

    `source` is a model (loaded by primary key) or a named query taking the id (with the loader options
    the page needs). Missing → 404. `check(obj)` false → 403, or 404 with `hide=True` for objects whose
    very existence is private (someone else's registration does not exist for this user)."""
    obj = db.session.get(source, ident) if isinstance(source, type) else source(ident)
    if obj is None:
        abort(404)
    if check is not None and not check(obj):
        abort(404 if hide else 403)
    return obj
