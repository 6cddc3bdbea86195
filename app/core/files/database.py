"""The database backend of the file store: `stored_files` and their `stored_file_chunks` in the
app's own database (why: see app.core.files)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO, TypeVar, cast

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    ForeignKey,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    and_,
    insert,
    select,
    update,
)
from sqlalchemy import delete as sql_delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core.files.base import CHUNK_SIZE, check_name
from app.extensions import Model, UTCDateTime, db, utcnow

_PROBE_AREA = ".readyz"  # the readiness probe, outside every real area
BATCH_BYTES = 8 * CHUNK_SIZE  # at most this much of small files in memory while they are stored
T = TypeVar("T")


class StoredFile(Model):
    """A file of the database backend: its area and name, what it holds (size, SHA-256)."""

    __tablename__ = "stored_files"
    # AUTOINCREMENT on SQLite: a replaced file's id is never reused, so a reader of the old one
    # cannot go on reading the new one's chunks.
    __table_args__ = (UniqueConstraint("area", "name"), {"sqlite_autoincrement": True})

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

    def __init__(
        self, size: int, fetch: Callable[[int], bytes | None], release: Callable[[], None], first: bytes = b""
    ) -> None:
        self.size, self._fetch, self._release = size, fetch, release
        self._seq, self._chunk, self._offset, self._read = (1 if first else 0), first, 0, 0

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
        pieces = _pieces(blocks, self.chunk_size)
        first, second = next(pieces, b""), next(pieces, None)
        digest, size = hashlib.sha256(first), len(first)  # a file of one chunk: its row is final at once
        result = connection.execute(
            insert(FILES).values(
                area=area,
                name=name,
                size=size,
                sha256=digest.hexdigest(),
                content_type=kind,
                created_at=utcnow(),
            )
        )
        file_id = result.inserted_primary_key[0]  # type: ignore[index]
        if first:
            connection.execute(insert(CHUNKS).values(file_id=file_id, seq=0, data=first))
        if second is None:
            return
        for seq, piece in enumerate(itertools.chain([second], pieces), start=1):
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
        """Files of one chunk (a chunk of certificate PDFs) go in batches of a few chunks' worth,
        three statements a batch; larger ones one by one, streamed."""
        adopted = [(check_name(area, name), path, path.stat().st_size) for name, path in files]
        batch: list[tuple[str, Path]] = []
        held = 0
        for name, path, size in adopted:
            if size > self.chunk_size:
                self._put(area, [(name, self._blocks_of(path), None)])
                continue
            if batch and held + size > BATCH_BYTES:
                self._put_small(area, batch)
                batch, held = [], 0
            batch.append((name, path))
            held += size
        if batch:
            self._put_small(area, batch)
        for _name, path, _size in adopted:
            path.unlink(missing_ok=True)

    def _put_small(self, area: str, files: list[tuple[str, Path]]) -> None:
        """Files of at most one chunk each, in one transaction of three statements."""
        contents = [(name, path.read_bytes()) for name, path in files]
        names = [name for name, _data in contents]
        now = utcnow()
        for attempt in (1, 2):
            try:
                with self._transaction() as connection:
                    connection.execute(sql_delete(FILES).where(FILES.c.area == area, FILES.c.name.in_(names)))
                    rows = [
                        {
                            "area": area,
                            "name": name,
                            "size": len(data),
                            "sha256": hashlib.sha256(data).hexdigest(),
                            "content_type": None,
                            "created_at": now,
                        }
                        for name, data in contents
                    ]
                    ids = connection.scalars(insert(FILES).returning(FILES.c.id, sort_by_parameter_order=True), rows)
                    chunks = [
                        {"file_id": file_id, "seq": 0, "data": data}
                        for file_id, (_name, data) in zip(ids.all(), contents, strict=True)
                        if data
                    ]
                    if chunks:
                        connection.execute(insert(CHUNKS), chunks)
                return
            except IntegrityError:
                if attempt == 2:
                    raise

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

    def _first(self, connection: Connection, area: str, name: str) -> tuple[int, int, bytes] | None:
        """(id, size, first chunk) of a stored file, in one statement."""
        row = connection.execute(
            select(FILES.c.id, FILES.c.size, CHUNKS.c.data)
            .select_from(FILES.outerjoin(CHUNKS, and_(CHUNKS.c.file_id == FILES.c.id, CHUNKS.c.seq == 0)))
            .where(FILES.c.area == area, FILES.c.name == name)
        ).first()
        return (row.id, row.size, row.data or b"") if row else None

    def open(self, area: str, name: str) -> BinaryIO:
        """A file of one chunk comes back read (one statement); a longer one is read a chunk at a
        time."""
        check_name(area, name)
        query = select(CHUNKS.c.data)
        if self.engine.dialect.name == "sqlite":  # short reads: a long one would hold the write lock
            joined = self._joins_session()  # decided now: a download is read after the request's context
            found = self._in_short_transaction(lambda c: self._first(c, area, name), joined)
            if found is None:
                raise FileNotFoundError(f"{area}/{name}")
            file_id, size, first = found

            def fetch(seq: int) -> bytes | None:
                chunk = query.where(CHUNKS.c.file_id == file_id, CHUNKS.c.seq == seq)
                return self._in_short_transaction(lambda c: c.scalar(chunk), joined)

            if size <= len(first):
                return io.BytesIO(first)
            return io.BufferedReader(_ChunkReader(size, fetch, lambda: None, first), self.chunk_size)
        connection = self.engine.connect()
        try:
            # One snapshot for the whole read: a file replaced meanwhile is read as it was.
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            found = self._first(connection, area, name)
        except BaseException:
            connection.close()
            raise
        if found is None or found[1] <= len(found[2]):
            connection.close()
            if found is None:
                raise FileNotFoundError(f"{area}/{name}")
            return io.BytesIO(found[2])
        file_id, size, first = found
        reader = _ChunkReader(
            size,
            lambda seq: connection.scalar(query.where(CHUNKS.c.file_id == file_id, CHUNKS.c.seq == seq)),
            connection.close,
            first,
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
