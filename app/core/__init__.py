"""The base every domain builds on: access declarations, error pages, formatting, forms; the front
page, privacy notice and language switch. It imports no domain (tests/core/test_architecture.py)."""

from flask import Blueprint

bp = Blueprint("core", __name__)

from app.core import health, views  # noqa: E402, F401
