"""Reports: each role's home page (`/beranda`), the programme dashboard and the figures they show."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from app.reports import views, views_dashboard  # noqa: E402, F401
