"""One shape for errors of the JSON API (`/api/…`): `{"error": {"status": 404, "message": "…"}}`."""

from __future__ import annotations

from flask import Response, jsonify, request

API_PREFIX = "/api/"


def wants_json(sent_json_too: bool = False) -> bool:
    """An error of this request is answered in JSON: an `/api/` URL (with `sent_json_too`, also a
    request elsewhere that sent JSON, as the CSRF and bad-number answers always did)."""
    return request.path.startswith(API_PREFIX) or (sent_json_too and request.is_json)


def api_error(status: int, message: object, **extra: object) -> Response:
    """The JSON answer to a refused or failed API request; `extra` goes beside "error" (e.g. csrf=True,
    which tells the offline roster to fetch a fresh token and send again)."""
    response = jsonify({"error": {"status": status, "message": str(message)}, **extra})
    response.status_code = status
    return response
