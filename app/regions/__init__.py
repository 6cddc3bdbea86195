"""Regions of Indonesia (Kemendagri codes): provinces and regencies/cities, with time zones."""

from flask import Blueprint

bp = Blueprint("regions", __name__)

from app.regions import cli, views  # noqa: E402, F401
