"""Libraries (perpustakaan) where participants work: master data, verification, search."""

from flask import Blueprint

bp = Blueprint("libraries", __name__)

from app.libraries import views  # noqa: E402, F401
