"""Attendance: daily marks by facilitators (also offline), QR self check-in, reports, eligibility."""

from flask import Blueprint

bp = Blueprint("attendance", __name__)

from app.attendance import views, views_offline, views_reports  # noqa: E402, F401
