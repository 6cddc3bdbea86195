"""One archive (`.tar.gz`) holds everything needed to bring the site back: the database and the
files the app keeps, with a manifest saying what it is.

- SQLite: a consistent copy through SQLite's online backup API (the site keeps running).
- PostgreSQL: `pg_dump --format=custom` (consistent as one transaction), restored with `pg_restore`;
  the client tools of the server's major version must be installed (`postgresql-client`).
- Files: with FILE_STORE=database they are rows of the database, so the dump already holds them;
  with the local store they are added to the archive (`files/<area>/<name>`) and written back
  through the configured store (so a restore may also move them into the database store).

The archive holds NIK/NIP and phones as the database does, encrypted with PII_KEYS: the keys are not
in it (keep them in the secret store), and a restore needs the same keys.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import inspect, make_url, text
from sqlalchemy.engine import URL

from app import clock
from app.core import files
from app.errors import DomainError
from app.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
FILES_PREFIX = "files/"
PG_TIMEOUT = 3600  # seconds for pg_dump / pg_restore


class BackupError(DomainError):
    """A backup or restore that cannot be done, said in words an operator can act on."""


@dataclass(frozen=True)
class Summary:
    path: Path
    database: str
    revision: str | None
    files: int
    size: int


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(_("Basis data %(kind)s tidak didukung untuk cadangan.", kind=backend))
    return backend


def _libpq_url(url: URL) -> str:
    """The URL as pg_dump/pg_restore take it (no SQLAlchemy driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _revision() -> str | None:
    with db.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _kept_files() -> Iterator[tuple[str, str]]:
    """(area, name) of every file the store keeps, when they are not in the database already."""
    if current_app.config.get("FILE_STORE", "local") == "database":
        return
    store = files.store()
    for area in files.AREAS:
        for name in store.names(area):
            yield area, name


def _run(command: list[str], what: str) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(_("%(tool)s tidak ditemukan: pasang klien PostgreSQL (paket postgresql-client).", tool=tool))
    done = subprocess.run(command, capture_output=True, text=True, timeout=PG_TIMEOUT, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(_("%(what)s gagal: %(error)s", what=what, error=done.stderr.strip()[-500:]))


def create(target: Path) -> Summary:
    """Write the archive to `target` (a new file; the parent folder is created). The archive is
    written next to it first and renamed at the end, so a half-written backup never has the name."""
    url = _url()
    kind = _kind(url)
    if target.exists():
        raise BackupError(_("Berkas %(path)s sudah ada.", path=str(target)))
    target.parent.mkdir(parents=True, exist_ok=True)
    revision = _revision()
    count = 0
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / (SQLITE_MEMBER if kind == "sqlite" else PG_MEMBER)
        if kind == "sqlite":
            source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
            copy = sqlite3.connect(dump)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        else:
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump), _libpq_url(url)],
                "pg_dump",
            )
        partial = target.with_name(target.name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=dump.name)
            store = files.store()
            for area, name in _kept_files():
                info = tarfile.TarInfo(f"{FILES_PREFIX}{area}/{name}")
                info.size, info.mtime, info.mode = store.size(area, name) or 0, int(time.time()), 0o600
                with store.open(area, name) as content:
                    archive.addfile(info, content)
                count += 1
            manifest = {
                "format": FORMAT,
                "created_at": clock.now().isoformat(),
                "database": kind,
                "revision": revision,
                "file_store": current_app.config.get("FILE_STORE", "local"),
                "files": count,
            }
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
            archive.addfile(info, io.BytesIO(data))
        os.chmod(partial, 0o600)  # personal data, even though encrypted
        partial.replace(target)
    return Summary(target, kind, revision, count, target.stat().st_size)


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
        manifest = json.loads(member.read()) if member else None
    except (KeyError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("Berkas ini bukan cadangan Sibimtek yang dapat dibaca."))
    return manifest


def _is_empty() -> bool:
    with db.engine.connect() as conn:
        return not inspect(conn).get_table_names()


def _stored_name(member: str) -> tuple[str, str]:
    """(area, name) of a file member (`files/<area>/<name>`); refuses what is not a stored name of
    a known area (an absolute path, `..`, another folder)."""
    area, _slash, name = member[len(FILES_PREFIX) :].partition("/")
    try:
        return area, files.check_name(area, name)
    except ValueError:
        raise BackupError(_("Cadangan berisi nama berkas yang tidak sah: %(name)s", name=member)) from None


def _check_revision(revision: object) -> None:
    """The backup's schema is one this code knows (an older one is upgraded after the restore; a
    newer one, from a later version of the app, cannot be run by this code)."""
    from alembic.script import ScriptDirectory

    from config import BASE_DIR

    known = {script.revision for script in ScriptDirectory(str(BASE_DIR / "migrations")).walk_revisions()}
    if not isinstance(revision, str) or revision not in known:
        raise BackupError(
            _(
                "Cadangan ini memakai skema basis data %(revision)s yang tidak dikenal versi aplikasi ini "
                "(mungkin dari versi yang lebih baru). Pasang versi aplikasi yang membuatnya.",
                revision=str(revision),
            )
        )


def _check_no_clash(stored: list[tuple[str, str]]) -> None:
    """No stored name is also the folder of another (`a` and `a/b`): both could not be written."""
    names = set(stored)
    for area, name in stored:
        parts = name.split("/")
        for depth in range(1, len(parts)):
            if (area, "/".join(parts[:depth])) in names:
                raise BackupError(_("Cadangan berisi nama berkas yang tidak sah: %(name)s", name=f"{area}/{name}"))


def _check_dump(kind: str, dump: Path, revision: object) -> None:
    """The dump is a Sibimtek database of the manifest's revision (SQLite), or a dump pg_restore
    can read (PostgreSQL): checked before the target database is replaced."""
    unreadable = BackupError(_("Berkas ini bukan cadangan Sibimtek yang dapat dibaca."))
    if kind == "postgresql":
        _run(["pg_restore", "--list", str(dump)], "pg_restore --list")
        return
    try:
        connection = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        raise unreadable from None
    if found is None or found[0] != revision:
        raise unreadable


def restore(source: Path, *, force: bool = False) -> Summary:
    """Bring the archive back into the configured database (which must be empty unless `force`,
    which replaces what is there) and its files into the store; then the migrations bring the schema
    up to this version of the app."""
    url = _url()
    kind = _kind(url)
    try:
        archive = tarfile.open(source, "r:gz")  # noqa: SIM115 - closed by the `with archive` below
    except (OSError, tarfile.TarError):
        raise BackupError(_("Berkas ini bukan cadangan Sibimtek yang dapat dibaca.")) from None
    with archive:
        manifest = read_manifest(archive)
        if manifest["database"] != kind:
            raise BackupError(
                _(
                    "Cadangan ini dari basis data %(source)s, sedangkan DATABASE_URL menunjuk %(target)s.",
                    source=manifest["database"],
                    target=kind,
                )
            )
        if not force and not _is_empty():
            raise BackupError(_("Basis data tujuan tidak kosong. Pakai --force untuk menimpanya."))
        members = {m.name: m for m in archive.getmembers()}
        member = members.get(SQLITE_MEMBER if kind == "sqlite" else PG_MEMBER)
        dump_file = archive.extractfile(member) if member is not None and member.isfile() else None
        if dump_file is None:
            raise BackupError(_("Berkas ini bukan cadangan Sibimtek yang dapat dibaca."))
        file_members = [m for m in archive.getmembers() if m.name.startswith(FILES_PREFIX) and m.isfile()]
        stored = [_stored_name(m.name) for m in file_members]  # all checked before anything is written
        _check_no_clash(stored)
        _check_revision(manifest.get("revision"))
        with tempfile.TemporaryDirectory() as scratch:
            dump = Path(scratch) / "dump"
            with dump.open("wb") as out:
                shutil.copyfileobj(dump_file, out)
            _check_dump(kind, dump, manifest.get("revision"))  # before the target is touched
            db.session.remove()
            db.engine.dispose()
            if kind == "sqlite":
                source_db = sqlite3.connect(dump)
                target_db = sqlite3.connect(url.database or "")
                try:
                    source_db.backup(target_db)
                finally:
                    target_db.close()
                    source_db.close()
            else:
                command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
                if force:
                    command += ["--clean", "--if-exists"]
                _run([*command, "--dbname", _libpq_url(url), str(dump)], "pg_restore")
        store = files.store()
        for m, (area, name) in zip(file_members, stored, strict=True):
            content = archive.extractfile(m)
            if content is None:
                continue
            with tempfile.TemporaryDirectory() as scratch:
                local = Path(scratch) / "file"
                with local.open("wb") as out:
                    shutil.copyfileobj(content, out)
                store.put_file(area, name, local)
    db.engine.dispose()
    from flask_migrate import upgrade

    upgrade()
    return Summary(source, kind, _revision(), len(file_members), source.stat().st_size)
