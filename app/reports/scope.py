"""The one rule of every report page, download and PDF: planners pick any province (or none); a
provincial coordinator is held to their own, and asking for another province is a 403, never a
silent switch to their own figures."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from app.core.roles import PLANNERS


def held_province(asked: str | None = None) -> str | None:
    """The province the report shows: the URL's `provinsi` for planners, the coordinator's own."""
    if asked is None:
        asked = request.args.get("provinsi") or None
    if current_user.has_role(*PLANNERS):
        return asked
    own: str | None = current_user.coordinator_province_code
    if own is None or asked not in (None, own):
        abort(403)
    return own


def held_regency(asked: str | None) -> str | None:
    """A regency/city code ("52.71") inside the province the report is held to, else 403."""
    province = None if current_user.has_role(*PLANNERS) else held_province()
    if asked and province and not asked.startswith(f"{province}."):
        abort(403)
    return asked
