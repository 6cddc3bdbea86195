"""Every request carries an id: taken from the proxy's `X-Request-ID` when it is a short safe token,
otherwise made here; sent back in the response header, put on every log record of the request and
shown on error pages as the incident id a user can quote."""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
# What we accept from outside: no spaces, quotes or control characters that could forge a log line.
SAFE_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
NO_REQUEST = "-"  # the id on records logged outside a request (CLI commands, start-up)


def request_id() -> str:
    """This request's id, chosen on first use (a log line may come before any hook has run)."""
    if not has_request_context():
        return NO_REQUEST
    if "request_id" not in g:
        sent = request.headers.get(HEADER, "")
        g.request_id = sent if SAFE_ID.fullmatch(sent) else uuid.uuid4().hex
    return str(g.request_id)


def _send_request_id(response: Response) -> Response:
    response.headers[HEADER] = request_id()
    return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (attach it to handlers, so records of every logger get it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id; and the
    exception's traceback when there is one. The masking filters have already rewritten the message."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def log_formatter(kind: str) -> logging.Formatter:
    """LOG_FORMAT: "json" for one object per line, anything else the plain text line."""
    return JsonFormatter() if kind.strip().lower() == "json" else logging.Formatter(TEXT_FORMAT)


def register(app: Flask) -> None:
    app.after_request(_send_request_id)
