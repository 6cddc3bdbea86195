"""JSON look-ups for dependent region selects (province → regency → district → village)."""

from __future__ import annotations

from flask import abort, jsonify
from flask.typing import ResponseReturnValue

from app.core.access import public
from app.regions import bp, services

_LEVEL_LENGTH = {2: "regencies", 5: "districts", 8: "villages"}


@bp.get("/api/wilayah/<code>")
@public
def children(code: str) -> ResponseReturnValue:
    """Direct children of a region code: regencies of a province, districts, villages."""
    level = _LEVEL_LENGTH.get(len(code))
    if level is None or services.area_name(code) is None:
        abort(404)
    if level == "regencies":
        items = [{"code": r.code, "name": r.name} for r in services.regencies_of(code)]
    elif level == "districts":
        items = [{"code": a.code, "name": a.name} for a in services.districts_of(code)]
    else:
        items = [{"code": a.code, "name": a.name, "kind": a.kind} for a in services.villages_of(code)]
    response = jsonify({"parent": code, "items": items})
    response.cache_control.public = True
    response.cache_control.max_age = 24 * 60 * 60  # region data changes with a package release
    return response
