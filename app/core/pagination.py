"""Pagination with the page size bounded, for every list page."""

from __future__ import annotations

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from app.extensions import db

MAX_PAGE = 1_000_000


def paginate(query: Select, per_page: int | None = None) -> Pagination:
    """db.paginate reading ?page= from the request; a bad page number gives page 1, not a 500."""
    per_page = per_page or current_app.config["PER_PAGE"]
    page = request.args.get("page", 1, type=int) or 1
    page = min(max(page, 1), MAX_PAGE)  # ?page=10**30 is an empty page, not an overflow
    return db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)
