"""Reports: each role's home page (`/beranda`) with the organiser's work queue, the programme dashboard,
training hours (JP) per person and the coverage of libraries."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from app.reports import views, views_dashboard, views_planning, views_report_pdf  # noqa: E402, F401
