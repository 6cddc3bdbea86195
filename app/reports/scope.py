"""The one rule of every report page, download and PDF: planners pick any province (or none); a
provincial coordinator is held to their own, and asking for another province is a 403, never a
silent switch to their own figures."""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from lokal import wilayah

from app.core.access import load_or_404
from app.core.roles import PLANNERS
from app.programmes.models import Programme, ProgrammeStatus
from app.reports.figures import programme_with_classes

UNKNOWN_PROVINCE = _l("Kode provinsi tidak dikenal.")


def unknown_province(code: str | None) -> bool:
    """A `provinsi` that names none of the 38 provinces (in memory: no statement)."""
    return bool(code) and code not in {w.code for w in wilayah.list_wilayah()}


def page_province() -> str | None:
    """`held_province` of a report page's `provinsi` (a code that names no province: 400, said on the page)."""
    asked = request.args.get("provinsi") or None
    if unknown_province(asked):
        abort(400, description=str(UNKNOWN_PROVINCE))
    return held_province(asked)


def held_province(asked: str | None) -> str | None:
    """The province a report shows: the one asked for (a planner), else the coordinator's own."""
    if current_user.has_role(*PLANNERS):
        return asked
    own: str | None = current_user.coordinator_province_code
    if own is None or asked not in (None, own):
        abort(403, description=_("Koordinator hanya dapat membaca provinsinya sendiri."))
    return own


def held_regency(asked: str | None) -> str | None:
    """A regency/city code ("52.71") inside the province the report is held to, else 403."""
    province = None if current_user.has_role(*PLANNERS) else held_province(None)
    if asked and province and not asked.startswith(f"{province}."):
        abort(403)
    return asked


def report_programme(programme_id: int) -> Programme:
    """The programme with its batches and classes, for a report: planners any, coordinators no draft
    (a draft does not exist for them: 404, as in the schedule and the API)."""
    planner = current_user.has_role(*PLANNERS)
    return load_or_404(
        programme_with_classes,
        programme_id,
        check=lambda p: planner or p.status is not ProgrammeStatus.DRAFT,
        hide=True,
    )
