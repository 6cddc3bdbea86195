"""Security headers on every response, set in one place: CSP, framing, sniffing, referrer,
browser features, HSTS (production) and `Cache-Control: no-store` on everything but static files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request

F = TypeVar("F", bound=Callable[..., Any])

# No inline script, no inline style: every script and style sheet is a file under static/ (a
# <script type="application/json"> block holds data, which the browser never executes).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # Bootstrap's icons are data: URIs in its CSS
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# A PDF shown by the browser's own viewer breaks under object-src 'none' (Chromium embeds the viewer
# as a plugin in the PDF's document): PDFs only say who may frame them.
PDF_POLICY = "frame-ancestors 'none'"
# Nothing in the app uses these; the check-in QR code is scanned with the phone's own camera app, so
# no page of ours needs the camera either.
PERMISSIONS_POLICY = "camera=(), geolocation=(), microphone=(), payment=(), usb=()"


def cacheable(view: F) -> F:
    """The view's own Cache-Control stands (default: `no-store`). Only for answers without personal
    data, e.g. the service worker script that browsers re-check at each visit."""
    view.cacheable = True  # type: ignore[attr-defined]
    return view


def _may_be_cached() -> bool:
    endpoint = request.endpoint
    if endpoint is None:  # no route matched (404, 405): still no-store
        return False
    if endpoint == "static" or endpoint.endswith(".static"):
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "cacheable", False))


def security_headers(response: Response) -> Response:
    """after_request: what every answer says to the browser. A view may widen framing or CSP for
    its own response by setting the header itself (the certificate preview is framed by our page)."""
    headers = response.headers
    policy = PDF_POLICY if response.mimetype == "application/pdf" else CONTENT_SECURITY_POLICY
    headers.setdefault("Content-Security-Policy", policy)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    hsts = current_app.config.get("STRICT_TRANSPORT_SECURITY")
    if hsts:
        headers.setdefault("Strict-Transport-Security", hsts)
    # Pages, downloads (send_file says `no-cache`, which still stores a copy on disk) and API
    # answers hold personal data or depend on who asks: never stored by a browser or a proxy.
    if not _may_be_cached():
        headers["Cache-Control"] = "no-store"
        headers.pop("Pragma", None)
        headers.pop("Expires", None)
    return response


def register(app: Flask) -> None:
    app.after_request(security_headers)
