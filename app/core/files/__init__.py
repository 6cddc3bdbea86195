"""Every file the app keeps, behind one interface (`FileStore`), in named areas: "certificates"
(stored PDFs, bulk jobs' ZIP and print files under `jobs/`), "certificate-images" (logos,
signatures), "letters" (assignment and claim letters) and "imports" (class imports awaiting
confirmation). FILE_STORE chooses the backend:

- "local" (the default): folders under the instance path, laid out as before this module existed
  (instance/certificates/, instance/uploads/certificate-images/, instance/uploads/letters/,
  instance/imports/), so existing files and the names kept in the database stay valid. One machine.
- "database": the files in the app's own database, tables `stored_files` (one row per file) and
  `stored_file_chunks` (its bytes in FILE_STORE_CHUNK pieces, 1 MiB), so that every app server and
  RQ worker that reaches the database sees the same files.

Why the database and not object storage for production: production runs PostgreSQL anyway, so
there is no further server to install, secure, monitor and back up; `pg_dump` takes the files
together with the rows that name them, so a restore never has a certificate whose PDF is missing
(nor a PDF nobody refers to); replacing a file is a transaction; and the production backend is
tested on this machine against the real thing, not a mock. The price is database size (a
certificate PDF is ~50 KB; job ZIPs and print files are rebuilt on demand and an older job's files
are deleted) and WAL volume during bulk jobs. Chunks of bytea rather than large objects: rows
deleted with their file (ON DELETE CASCADE, no lo_unlink housekeeping), plain SQL on SQLite too.
Chunks keep memory bounded: a 100 MB ZIP is written and read 1 MiB at a time.

Writes go through their own connection and transaction, so a file is there once `put` returns,
like a disk write, whatever the request's session does next. Except on SQLite (one machine, one
writer at a time, and every session transaction takes the write lock): there a write made while
the session holds a transaction joins it (in a savepoint) and is kept when the session commits.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from flask import Response, abort, current_app

from app.core.files.base import AREAS, CHUNK_SIZE, FileStore, check_name
from app.core.files.database import CHUNKS, FILES, DatabaseFileStore, StoredFile, StoredFileChunk
from app.core.files.local import LocalFileStore
from app.extensions import db

__all__ = [
    "AREAS",
    "BACKENDS",
    "CHUNKS",
    "CHUNK_SIZE",
    "FILES",
    "DatabaseFileStore",
    "FileStore",
    "LocalFileStore",
    "StoredFile",
    "StoredFileChunk",
    "check_name",
    "check_store",
    "download",
    "store",
]

BACKENDS = ("local", "database")


def store() -> FileStore:
    """The backend FILE_STORE names ("local" or "database")."""
    backend = current_app.config.get("FILE_STORE", "local")
    if backend == "local":
        return LocalFileStore(Path(current_app.instance_path))
    if backend == "database":
        return DatabaseFileStore(db.engine, current_app.config.get("FILE_STORE_CHUNK") or CHUNK_SIZE)
    raise RuntimeError(f"unknown FILE_STORE: {backend!r} (one of {', '.join(BACKENDS)})")


def check_store() -> None:
    """The readiness check of the configured backend (/readyz, registered by the app factory)."""
    store().check()


def _blocks(source: BinaryIO) -> Iterator[bytes]:
    """The stream's bytes in blocks; closed when the server is done with the response."""
    try:
        while block := source.read(CHUNK_SIZE):
            yield block
    finally:
        source.close()


def attachment(download_name: str) -> dict[str, str]:
    """Content-Disposition parameters that make a browser save the file under `download_name`
    (as werkzeug's send_file writes them)."""
    try:
        download_name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore").decode("ascii")
        return {"filename": simple, "filename*": f"UTF-8''{quote(download_name, safe='!#$&+^`|~')}"}
    return {"filename": download_name}


def download(area: str, name: str | None, download_name: str, mimetype: str) -> Response:
    """A stored file as a download (404 when there is none): attachment, its length, never
    sniffed nor kept by a cache (stored files hold personal data). A file larger than a chunk is
    streamed, a chunk at a time, after the view has returned (no request context needed)."""
    files = store()
    size = files.size(area, name) if name else None
    if name is None or size is None:
        abort(404)
    if size <= (current_app.config.get("FILE_STORE_CHUNK") or CHUNK_SIZE):
        response = Response(files.read(area, name), mimetype=mimetype)
    else:
        # The view is done: its transaction ends here, so the chunks are read after the response
        # has left the view through short reads of their own, never through the request's session
        # (gone by then; on SQLite its transaction would hold the write lock while the file streams).
        db.session.commit()
        response = Response(_blocks(files.open(area, name)), mimetype=mimetype, direct_passthrough=True)
    response.headers.set("Content-Disposition", "attachment", **attachment(download_name))
    response.headers["Content-Length"] = str(size)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
