"""WSGI entry point: `gunicorn wsgi:app` (SIBIMTEK_ENV picks the settings, production by default)."""

from app import create_app

app = create_app()
