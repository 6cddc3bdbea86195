"""Pagination with the page size bounded, for every list page."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select

from app.extensions import db

MAX_PAGE = 1_000_000


def paginate(query: Select, per_page: int | None = None) -> Pagination:
    """db.paginate reading ?page= from the request; a bad page number gives page 1, not a 500, and a
    page past the end the last page (an old link after rows went away: not an empty list saying
    there is nothing)."""
    per_page = per_page or current_app.config["PER_PAGE"]
    page = request.args.get("page", 1, type=int) or 1
    page = min(max(page, 1), MAX_PAGE)  # ?page=10**30 is not an overflow
    found = db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)
    if found.pages and page > found.pages:
        found = db.paginate(query, page=found.pages, per_page=per_page, max_per_page=100, error_out=False)
    return found


class RowPagination(SelectPagination):
    """A page of rows of several columns (an aggregate's groups), where `paginate` gives entities."""

    def _query_items(self) -> list[Any]:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def paginate_rows(query: Select, per_page: int | None = None) -> Pagination:
    """`paginate` for a select of several columns (GROUP BY pages): each item a row."""
    per_page = min(per_page or current_app.config["PER_PAGE"], 100)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    found = RowPagination(select=query, session=db.session(), page=page, per_page=per_page, error_out=False)
    if found.pages and page > found.pages:  # past the end: the last page, as `paginate`
        found = RowPagination(select=query, session=db.session(), page=found.pages, per_page=per_page, error_out=False)
    return found
