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

import contextlib
import hashlib
import io
import os
import re
import secrets
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol, TypeVar, cast
from urllib.parse import quote

from flask import Response, abort, current_app
from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    ForeignKey,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy import delete as sql_delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model, UTCDateTime, db, utcnow

# Area → its folder under the instance path (the local backend; today's layout).
AREAS = {
    "certificates": "certificates",
    "certificate-images": "uploads/certificate-images",
    "letters": "uploads/letters",
    "imports": "imports",
}
CHUNK_SIZE = 1024 * 1024
_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,119}$")  # no leading dot: no `..`, no hidden files
_PROBE_AREA = ".readyz"  # the database backend's readiness probe, outside every real area
T = TypeVar("T")


class StoredFile(Model):
    """A file of the database backend: its area and name, what it holds (size, SHA-256)."""

    __tablename__ = "stored_files"
    __table_args__ = (UniqueConstraint("area", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(255))  # may hold a sub-folder: jobs/job-3.zip
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StoredFileChunk(Model):
    """One piece of a stored file, in order (`seq` from 0)."""

    __tablename__ = "stored_file_chunks"

    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


FILES = cast(Table, StoredFile.__table__)
CHUNKS = cast(Table, StoredFileChunk.__table__)


def check_name(area: str, name: str) -> str:
    """The name, if it is a stored name of a known area: relative, parts of letters, digits and
    `._-` that do not start with a dot (so no `..`), at most 255 characters. ValueError otherwise."""
    if area not in AREAS:
        raise ValueError(f"unknown file area: {area!r}")
    if not name or len(name) > 255 or not all(_PART.match(part) for part in name.split("/")):
        raise ValueError(f"not a stored file name: {name!r}")
    return name


class FileStore(Protocol):
    """Files by area and name. `open` and `read` raise FileNotFoundError for a missing file;
    `delete` of a missing file does nothing."""

    def put(self, area: str, name: str, data: bytes, content_type: str | None = None) -> None: ...

    def put_file(self, area: str, name: str, path: Path, content_type: str | None = None) -> None:
        """Copy a local file in (streamed: never whole in memory)."""
        ...

    def adopt(self, area: str, files: Iterable[tuple[str, Path]]) -> None:
        """Make each local file (written in `staging`) the stored `name`; the local files are gone
        after (moved, or copied in and removed). Many at once: one transaction in the database."""
        ...

    @contextlib.contextmanager
    def staging(self, area: str) -> Iterator[Path]:
        """A local folder to write files into before `adopt` (PDF renderers, the ZIP writer work
        on files); removed, with whatever is left in it, at the end."""
        ...

    def open(self, area: str, name: str) -> BinaryIO:
        """A readable binary stream of the file (close it, or use it in a `with`)."""
        ...

    def read(self, area: str, name: str) -> bytes: ...

    def exists(self, area: str, name: str) -> bool: ...

    def size(self, area: str, name: str) -> int | None:
        """Bytes in the file; None when there is no such file."""
        ...

    def delete(self, area: str, name: str) -> None: ...

    def names(self, area: str, prefix: str = "") -> list[str]:
        """The stored names of an area that start with `prefix`, sorted (backups, purges, tests)."""
        ...

    @contextlib.contextmanager
    def local_copy(self, area: str, name: str) -> Iterator[Path]:
        """A local path holding the file, for code that needs one: the file itself (local), or a
        temporary copy removed at the end (database)."""
        ...

    def check(self) -> None:
        """Raise unless files can be written, read back and deleted now (/readyz)."""
        ...


# --- local folders ---------------------------------------------------------------------------------


class LocalFileStore:
    """Files under the instance folder (one machine: another server cannot see them)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for folder in AREAS.values():
            (root / folder).mkdir(parents=True, exist_ok=True)

    def folder(self, area: str) -> Path:
        if area not in AREAS:
            raise ValueError(f"unknown file area: {area!r}")
        return self.root / AREAS[area]

    def path(self, area: str, name: str) -> Path:
        return self.folder(area) / check_name(area, name)

    def put(self, area: str, name: str, data: bytes, content_type: str | None = None) -> None:
        target = self.path(area, name)
        with self._replacing(target) as temporary:
            temporary.write_bytes(data)

    def put_file(self, area: str, name: str, path: Path, content_type: str | None = None) -> None:
        target = self.path(area, name)
        with self._replacing(target) as temporary:
            shutil.copyfile(path, temporary)

    @contextlib.contextmanager
    def _replacing(self, target: Path) -> Iterator[Path]:
        """A temporary file beside `target` that replaces it at once when written (a reader sees
        the old file or the new one, never half of it)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.parent / f".tmp-{secrets.token_hex(8)}"
        try:
            yield temporary
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)

    def adopt(self, area: str, files: Iterable[tuple[str, Path]]) -> None:
        for name, path in files:
            target = self.path(area, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)  # staging is inside the area's folder: a rename

    @contextlib.contextmanager
    def staging(self, area: str) -> Iterator[Path]:
        with tempfile.TemporaryDirectory(dir=self.folder(area), prefix=".staging-") as folder:
            yield Path(folder)

    def open(self, area: str, name: str) -> BinaryIO:
        return self.path(area, name).open("rb")

    def read(self, area: str, name: str) -> bytes:
        return self.path(area, name).read_bytes()

    def exists(self, area: str, name: str) -> bool:
        return self.path(area, name).is_file()

    def size(self, area: str, name: str) -> int | None:
        path = self.path(area, name)
        return path.stat().st_size if path.is_file() else None

    def delete(self, area: str, name: str) -> None:
        self.path(area, name).unlink(missing_ok=True)

    def names(self, area: str, prefix: str = "") -> list[str]:
        folder = self.folder(area)
        found = []
        for path in folder.rglob("*"):
            relative = path.relative_to(folder).as_posix()
            # Staging folders and half-written files start with a dot: not stored names.
            if relative.startswith(prefix) and all(_PART.match(p) for p in relative.split("/")) and path.is_file():
                found.append(relative)
        return sorted(found)

    @contextlib.contextmanager
    def local_copy(self, area: str, name: str) -> Iterator[Path]:
        path = self.path(area, name)
        if not path.is_file():
            raise FileNotFoundError(f"{area}/{name}")
        yield path

    def check(self) -> None:
        for folder in AREAS.values():
            probe = self.root / folder / f".readyz-{secrets.token_hex(8)}"
            try:
                probe.write_bytes(b"ok")
                if probe.read_bytes() != b"ok":
                    raise OSError(f"{folder} does not read back what was written")
            finally:
                probe.unlink(missing_ok=True)


# --- the database ----------------------------------------------------------------------------------


def _pieces(source: Iterable[bytes], size: int) -> Iterator[bytes]:
    """`source`'s bytes again, in pieces of exactly `size` (the last one shorter)."""
    buffer = bytearray()
    for block in source:
        buffer += block
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    if buffer:
        yield bytes(buffer)


def _file_blocks(path: Path, size: int) -> Iterator[bytes]:
    with path.open("rb") as file:
        while block := file.read(size):
            yield block


class _ChunkReader(io.RawIOBase):
    """A stored file read one chunk at a time (`fetch(seq)` gives chunk `seq`): at most one chunk
    in memory, whatever the file's size."""

    def __init__(self, size: int, fetch: Callable[[int], bytes | None], release: Callable[[], None]) -> None:
        self.size, self._fetch, self._release = size, fetch, release
        self._seq, self._chunk, self._offset, self._read = 0, b"", 0, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._offset >= len(self._chunk):
            if self._read >= self.size:
                return 0
            chunk = self._fetch(self._seq)
            if chunk is None:  # replaced or deleted while it was being read
                raise OSError("stored file changed while it was read")
            self._seq, self._chunk, self._offset = self._seq + 1, chunk, 0
        count = min(len(buffer), len(self._chunk) - self._offset)
        buffer[:count] = self._chunk[self._offset : self._offset + count]
        self._offset += count
        self._read += count
        return count

    def close(self) -> None:
        if not self.closed:
            self._release()
        super().close()


class DatabaseFileStore:
    """Files in the app's database (`stored_files`, `stored_file_chunks`): shared by every
    process that reaches it, backed up with it."""

    def __init__(self, engine: Engine, chunk_size: int = CHUNK_SIZE) -> None:
        self.engine, self.chunk_size = engine, chunk_size

    def _joins_session(self) -> bool:
        """SQLite only: the session holds the write lock, so work goes through its connection."""
        return self.engine.dialect.name == "sqlite" and db.session().in_transaction() and db.engine is self.engine

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Connection]:
        if self._joins_session():
            with db.session.begin_nested():
                yield db.session.connection()
        else:
            with self.engine.begin() as connection:
                yield connection

    def _write(self, connection: Connection, area: str, name: str, blocks: Iterable[bytes], kind: str | None) -> None:
        """Replace (area, name) by the bytes of `blocks`, within the caller's transaction: readers
        see the old file until it commits, then the new one."""
        connection.execute(sql_delete(FILES).where(FILES.c.area == area, FILES.c.name == name))
        result = connection.execute(
            insert(FILES).values(area=area, name=name, size=0, sha256="", content_type=kind, created_at=utcnow())
        )
        file_id = result.inserted_primary_key[0]  # type: ignore[index]
        digest, size = hashlib.sha256(), 0
        for seq, piece in enumerate(_pieces(blocks, self.chunk_size)):
            connection.execute(insert(CHUNKS).values(file_id=file_id, seq=seq, data=piece))
            digest.update(piece)
            size += len(piece)
        connection.execute(update(FILES).where(FILES.c.id == file_id).values(size=size, sha256=digest.hexdigest()))

    def _put(self, area: str, files: list[tuple[str, Callable[[], Iterable[bytes]], str | None]]) -> None:
        """Write every (name, blocks, content type) in one transaction; tried again once when
        another process stored the same name at the same moment (unique area+name)."""
        for attempt in (1, 2):
            try:
                with self._transaction() as connection:
                    for name, blocks, kind in files:
                        self._write(connection, area, name, blocks(), kind)
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    def put(self, area: str, name: str, data: bytes, content_type: str | None = None) -> None:
        size = self.chunk_size
        pieces = lambda: (data[start : start + size] for start in range(0, len(data), size))  # noqa: E731
        self._put(area, [(check_name(area, name), pieces, content_type)])

    def put_file(self, area: str, name: str, path: Path, content_type: str | None = None) -> None:
        self._put(area, [(check_name(area, name), self._blocks_of(path), content_type)])

    def adopt(self, area: str, files: Iterable[tuple[str, Path]]) -> None:
        adopted = [(check_name(area, name), path) for name, path in files]
        if adopted:
            self._put(area, [(name, self._blocks_of(path), None) for name, path in adopted])
        for _name, path in adopted:
            path.unlink(missing_ok=True)

    def _blocks_of(self, path: Path) -> Callable[[], Iterable[bytes]]:
        return lambda: _file_blocks(path, self.chunk_size)

    @contextlib.contextmanager
    def staging(self, area: str) -> Iterator[Path]:
        check_name(area, "x")
        with tempfile.TemporaryDirectory(prefix=f"sibimtek-{area}-") as folder:
            yield Path(folder)

    def _find(self, connection: Connection, area: str, name: str) -> tuple[int, int] | None:
        row = connection.execute(
            select(FILES.c.id, FILES.c.size).where(FILES.c.area == area, FILES.c.name == name)
        ).first()
        return (row.id, row.size) if row else None

    def open(self, area: str, name: str) -> BinaryIO:
        check_name(area, name)
        query = select(CHUNKS.c.data)
        if self.engine.dialect.name == "sqlite":  # short reads: a long one would hold the write lock
            joined = self._joins_session()  # decided now: a download is read after the request's context
            found = self._in_short_transaction(lambda c: self._find(c, area, name), joined)
            if found is None:
                raise FileNotFoundError(f"{area}/{name}")
            file_id, size = found

            def fetch(seq: int) -> bytes | None:
                chunk = query.where(CHUNKS.c.file_id == file_id, CHUNKS.c.seq == seq)
                return self._in_short_transaction(lambda c: c.scalar(chunk), joined)

            return io.BufferedReader(_ChunkReader(size, fetch, lambda: None), self.chunk_size)
        # One snapshot for the whole read: a file replaced meanwhile is read as it was.
        connection = self.engine.connect().execution_options(isolation_level="REPEATABLE READ")
        try:
            found = self._find(connection, area, name)
        except BaseException:
            connection.close()
            raise
        if found is None:
            connection.close()
            raise FileNotFoundError(f"{area}/{name}")
        file_id, size = found
        reader = _ChunkReader(
            size,
            lambda seq: connection.scalar(query.where(CHUNKS.c.file_id == file_id, CHUNKS.c.seq == seq)),
            connection.close,
        )
        return io.BufferedReader(reader, self.chunk_size)

    def _in_short_transaction(self, work: Callable[[Connection], T], joined: bool | None = None) -> T:
        if self._joins_session() if joined is None else joined:
            return work(db.session.connection())
        with self.engine.connect() as connection:
            return work(connection)

    def read(self, area: str, name: str) -> bytes:
        with self.open(area, name) as stream:
            return stream.read()

    def exists(self, area: str, name: str) -> bool:
        return self.size(area, name) is not None

    def size(self, area: str, name: str) -> int | None:
        check_name(area, name)
        found = self._in_short_transaction(lambda c: self._find(c, area, name))
        return found[1] if found else None

    def delete(self, area: str, name: str) -> None:
        check_name(area, name)
        with self._transaction() as connection:
            connection.execute(sql_delete(FILES).where(FILES.c.area == area, FILES.c.name == name))

    def names(self, area: str, prefix: str = "") -> list[str]:
        check_name(area, "x")
        query = select(FILES.c.name).where(FILES.c.area == area).order_by(FILES.c.name)
        if prefix:
            query = query.where(FILES.c.name.startswith(prefix, autoescape=True))
        return list(self._in_short_transaction(lambda c: c.scalars(query).all()))

    @contextlib.contextmanager
    def local_copy(self, area: str, name: str) -> Iterator[Path]:
        with tempfile.TemporaryDirectory(prefix="sibimtek-copy-") as folder:
            path = Path(folder) / PurePosixPath(name).name
            with self.open(area, name) as source, path.open("wb") as target:
                shutil.copyfileobj(source, target, self.chunk_size)
            yield path

    def check(self) -> None:
        name = secrets.token_hex(8)
        try:
            with self._transaction() as connection:
                self._write(connection, _PROBE_AREA, name, [b"ok"], None)
            found = self._in_short_transaction(lambda c: self._find(c, _PROBE_AREA, name))
            chunk = select(CHUNKS.c.data).where(CHUNKS.c.file_id == (found or (0, 0))[0])
            data = self._in_short_transaction(lambda c: c.scalar(chunk))
            if data != b"ok":
                raise OSError("the file store does not read back what was written")
        finally:
            with self._transaction() as connection:
                connection.execute(sql_delete(FILES).where(FILES.c.area == _PROBE_AREA, FILES.c.name == name))


# --- the configured store --------------------------------------------------------------------------

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
        response = Response(_blocks(files.open(area, name)), mimetype=mimetype, direct_passthrough=True)
    response.headers.set("Content-Disposition", "attachment", **attachment(download_name))
    response.headers["Content-Length"] = str(size)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
