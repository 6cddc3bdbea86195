"""Accounts, roles, login sessions, sign-up, password reset and user management."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import cli, views, views_account, views_admin  # noqa: E402, F401
