"""How every API answer is made: bounded paging from the query string, the list envelope with its
`next` link and `Link` header, and a weak ETag from a hash of the body (`If-None-Match` → 304)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Response, abort, request
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from app.core.pagination import MAX_PAGE
from app.core.urls import external_url
from app.extensions import db

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25
MAX_ID = 2**31 - 1  # an id in a filter: an INTEGER column on every backend
T = TypeVar("T")


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """A whole number from the query string within [low, high]; anything else is a 400 that says so."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        abort(400, description=_("%(name)s harus bilangan bulat %(low)s–%(high)s.", name=name, low=low, high=high))
    return int(raw)


def choice_arg(name: str, choices: Mapping[str, T]) -> T | None:
    """One of `choices` (by its value) from the query string, None when absent; anything else a 400."""
    raw = request.args.get(name)
    if raw is None:
        return None
    if raw not in choices:
        abort(400, description=_("Nilai %(name)s tidak dikenal.", name=name))
    return choices[raw]


def paginate(query: Select) -> Pagination:
    """One page of `query` (two statements: the count and the rows)."""
    page = int_arg("page", 1, 1, MAX_PAGE)
    per_page = int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    return db.paginate(query, page=page, per_page=per_page, max_per_page=MAX_PER_PAGE, error_out=False, count=True)


def _page_url(page: int) -> str:
    """The next page's link on PUBLIC_BASE_URL (never the request's Host), carrying the request's own
    filters only: no route argument or url_for option (`_external`, `_anchor`…) can come from the query."""
    view_args = request.view_args or {}
    filters = {k: v for k, v in request.args.items() if not k.startswith("_") and k not in view_args and k != "page"}
    return external_url(request.endpoint or "", **view_args, **filters, page=page)


def page_response(pagination: Pagination, item: Callable[[Any], dict[str, Any]]) -> Response:
    """The list envelope: `data`, then the page's place (`page`, `per_page`, `total`, `next`)."""
    next_url = _page_url(pagination.page + 1) if pagination.has_next else None
    body = {
        "data": [item(row) for row in pagination.items],
        "page": pagination.page,
        "per_page": pagination.per_page,
        "total": pagination.total or 0,
        "next": next_url,
    }
    response = json_response(body)
    if next_url and response.status_code == 200:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


def json_response(body: dict[str, Any]) -> Response:
    """`body` as JSON with a weak ETag of its bytes; the client's matching `If-None-Match` gets a 304."""
    data = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    etag = hashlib.sha256(data).hexdigest()[:32]
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(data, mimetype="application/json")
    response.set_etag(etag, weak=True)
    # Cache-Control stays `no-store` (app.core.headers: no browser or proxy keeps personal data); a
    # client that keeps its own copy sends the ETag back and gets a 304 without the body.
    response.headers["Vary"] = "Authorization"
    return response
