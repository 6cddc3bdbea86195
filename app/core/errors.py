"""Error pages in the user's language, never a stack trace; under `/api/` the same in JSON (app.core.api)."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, SecurityError
from werkzeug.routing import IntegerConverter

from app.core.api import api_error, wants_json
from app.core.request_id import request_id
from app.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Permintaan tidak valid"), _l("Permintaan Anda tidak dapat kami proses. Periksa isian lalu coba lagi.")),
    403: (_l("Akses ditolak"), _l("Anda tidak memiliki hak untuk membuka halaman ini.")),
    404: (_l("Halaman tidak ditemukan"), _l("Halaman yang Anda cari tidak ada atau sudah dipindahkan.")),
    405: (_l("Metode tidak diizinkan"), _l("Cara membuka halaman ini tidak diizinkan.")),
    413: (_l("Berkas terlalu besar"), _l("Berkas yang Anda kirim melebihi batas ukuran.")),
    429: (_l("Terlalu banyak percobaan"), _l("Anda terlalu sering mencoba. Tunggu beberapa menit lalu coba lagi.")),
    503: (_l("Sedang sibuk"), _l("Pembuatan dokumen melebihi batas waktu. Silakan coba lagi beberapa saat lagi.")),
    500: (_l("Terjadi kesalahan"), _l("Maaf, terjadi kesalahan di server. Silakan coba lagi nanti.")),
}
DATABASE_DOWN = (
    _l("Layanan sedang terganggu"),
    _l(
        "Basis data sedang tidak dapat dihubungi, jadi permintaan Anda tidak dapat diselesaikan. Silakan coba lagi "
        "dalam beberapa saat. Bila Anda tadi mengirim formulir, periksa dulu hasilnya (misalnya di Pendaftaran "
        "saya) sebelum mengirim lagi."
    ),
)
DATABASE_RETRY_AFTER = 30  # seconds, in the 503's Retry-After


def _render(
    code: int, message: str | None = None, sent_json_too: bool = False, title: str | None = None
) -> tuple[str, int] | Response:
    """The error page, or for the API its JSON answer with the same words."""
    if wants_json(sent_json_too):
        # 409 and 422 have no page of their own: a view that raises them says why (abort(409, description=…)).
        default = MESSAGES.get(code, MESSAGES[400] if code < 500 else MESSAGES[500])[1]
        return api_error(code, message or default)
    default_title, default = MESSAGES.get(code, MESSAGES[500])
    page = render_template(
        "errors/error.html", code=code, title=title or default_title, message=message or default, incident=request_id()
    )
    return page, code


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    if code < 400:
        return error
    if code == 429:
        return _render(code, _too_many_message())
    if code == 413:
        return _render(code, _too_large_message())
    if wants_json():
        response = _render(code, _own_description(error))
        if isinstance(error, MethodNotAllowed) and error.valid_methods and isinstance(response, Response):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response
    # A page says what its view said when it refused the request (e.g. which filters are wrong).
    return _render(code, _own_description(error) if code in (400, 403) else None)


def _own_description(error: HTTPException) -> str | None:
    """What the view said when it raised the error (abort(422, description=…)); None for werkzeug's
    English default."""
    description = error.description
    return description if description and description != type(error).description else None


def _too_large_message() -> str:
    """The limit, and that nothing typed was sent (the page has no form to give back)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    message = gettext(
        "Berkas yang Anda kirim melebihi batas ukuran: satu kiriman paling besar %(mb)s MB.",
        mb=max(1, round(limit / 1_048_576)),
    )
    return message + " " + gettext("Isian Anda belum terkirim: tombol Kembali di peramban biasanya masih menyimpannya.")


def _too_many_message() -> str | None:
    """How long to wait, from the limit that was hit (None: the general words)."""
    import time

    from app.extensions import limiter

    current = limiter.current_limit
    if current is None:
        return None
    minutes = max(1, round((current.reset_at - time.time()) / 60))
    wait = ngettext(
        "Anda terlalu sering mencoba. Coba lagi dalam %(num)s menit.",
        "Anda terlalu sering mencoba. Coba lagi dalam %(num)s menit.",
        minutes,
    )
    if request.method == "GET":  # a download or a page: nothing typed was lost
        return wait
    return wait + " " + gettext("Isian Anda belum terkirim: tombol Kembali di peramban biasanya masih menyimpannya.")


def handle_csrf_error(error: CSRFError) -> ResponseReturnValue:
    message = str(_l("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi."))
    if wants_json(sent_json_too=True):  # the roster's sync renews its token and sends the mark again
        return api_error(400, message, csrf=True)
    return _render(400, message)


def handle_server_error(error: Exception) -> tuple[str, int] | Response:
    db.session.rollback()
    original = getattr(error, "original_exception", error)
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
    return _render(500)


def handle_untrusted_host(error: SecurityError) -> ResponseReturnValue:
    """A Host header that is not ours (production's TRUSTED_HOSTS): no page is built for it, since
    building links needs a host we trust; a plain answer instead."""
    log.warning("request for an untrusted host refused on %s", request.path)
    return current_app.response_class(str(MESSAGES[400][1]), status=400, mimetype="text/plain")


def handle_out_of_range(error: Exception) -> ResponseReturnValue:
    """A number too large for the database (?page=10**30, an id in a JSON body): bad input, not a crash."""
    db.session.rollback()
    log.info("number out of range on %s %s", request.method, request.path)
    return _render(400, sent_json_too=True)


def handle_render_timeout(error: Exception) -> tuple[str, int] | Response:
    db.session.rollback()
    log.warning("PDF rendering stopped on %s %s: %s", request.method, request.path, error)
    return _render(503)


def handle_render_busy(error: Exception) -> ResponseReturnValue:
    """Too many PDFs wait for the rendering worker: a 503 that says when to ask again, not a wait
    that holds a worker thread."""
    from app.pdf.pool import RenderBusy

    log.warning("PDF refused on %s %s: %s", request.method, request.path, error)
    message = str(_l("Server sedang membuat banyak dokumen. Silakan coba lagi dalam beberapa detik."))
    answer = _render(503, message)
    response = current_app.make_response(answer)
    response.headers["Retry-After"] = str(RenderBusy.retry_after)
    return response


def handle_database_error(error: DBAPIError) -> ResponseReturnValue:
    """The database cannot be reached (down, restarting, the connection cut, or locked too long): a
    503 page that says to try again, and to look first whether a form just sent went through (what
    was committed before the failure stays: a registration's seat is committed before its mail). The page is
    built without the database: the visitor is taken as anonymous for it. Other database errors go
    on as before (the 500 handler). The log gets the error's kind and first line only: SQLAlchemy's
    text holds the statement's parameters."""
    if not (isinstance(error, OperationalError) or error.connection_invalidated):
        raise error
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone: nothing to roll back on it
        db.session.remove()
    first_line = (str(error.orig).splitlines() or [""])[0][:200]
    log.error(
        "database unreachable on %s %s: %s: %s", request.method, request.path, type(error.orig).__name__, first_line
    )
    from app.extensions import login_manager

    g._login_user = login_manager.anonymous_user()  # Flask-Login's cache: no loader call for the page
    title, message = DATABASE_DOWN
    response = current_app.make_response(_render(503, str(message), sent_json_too=True, title=str(title)))
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


def register_errorhandlers(app: Flask) -> None:
    from app.pdf.pool import RenderBusy, RenderTimeout

    app.register_error_handler(RenderTimeout, handle_render_timeout)
    app.register_error_handler(RenderBusy, handle_render_busy)
    app.register_error_handler(OverflowError, handle_out_of_range)  # SQLite: integer too large
    app.register_error_handler(DataError, handle_out_of_range)  # PostgreSQL: numeric value out of range
    app.register_error_handler(DBAPIError, handle_database_error)  # unreachable: 503; anything else: 500
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_server_error)


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` in URLs, at most a database BIGINT: a longer number is a 404, not an overflow."""

    def __init__(
        self,
        url_map: object,
        fixed_digits: int = 0,
        min: int | None = None,  # noqa: A002
        max: int | None = 2**63 - 1,
        signed: bool = False,
    ) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits, min, max, signed)  # type: ignore[arg-type]
