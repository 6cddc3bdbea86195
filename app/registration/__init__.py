"""Registration: participants sign up for classes; organisers approve within quotas."""

from flask import Blueprint

bp = Blueprint("registration", __name__)

from app.registration import accounts, cli, signals, views_claims, views_organiser, views_participant  # noqa: E402, F401
