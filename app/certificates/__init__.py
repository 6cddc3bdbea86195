"""Certificates: numbering, PDF rendering, download, public verification, revocation, re-issue."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

from app.certificates import views  # noqa: E402, F401
