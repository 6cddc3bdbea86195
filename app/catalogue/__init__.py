"""The public catalogue: which classes serve my province, and each class's page."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__)

from app.catalogue import views  # noqa: E402, F401
