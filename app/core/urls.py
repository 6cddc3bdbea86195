"""URL helpers shared by the views."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from urllib.parse import urlsplit

from flask import current_app, has_request_context


def safe_next_url(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None  # a backslash, or a control character (a newline cannot go into a Location header)
    return target


def external_url(endpoint: str, /, **values: object) -> str:
    """An absolute link for mails, QR codes and calendars, built on PUBLIC_BASE_URL: never on the
    request's Host header, which the sender of a request chooses (a reset link to evil.example)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, {k: v for k, v in values.items() if v is not None}, force_external=True)


def public_request_context() -> AbstractContextManager:
    """A request context on PUBLIC_BASE_URL, for absolute links made outside a request (background
    jobs, daily commands: QR codes, mails); inside a request, nothing new."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"])
