"""Outgoing email: SMTP when configured, otherwise an outbox that developers and tests read."""

from flask import Blueprint

bp = Blueprint("mail", __name__)

from app.mail import views  # noqa: E402, F401
