"""The read-only JSON API (`/api/v1/…`), its OpenAPI description and its docs page."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import dashboard, tokens, views  # noqa: E402, F401
