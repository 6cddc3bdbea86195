"""Personal data (UU No. 27/2022): people's requests about their data, their own copy of it, and the
admins' log of who accessed whose data."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from app.privacy import views, views_admin, views_organiser  # noqa: E402, F401
