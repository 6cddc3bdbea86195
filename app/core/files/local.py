"""The local backend of the file store: folders under the instance path (one machine)."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from app.core.files.base import AREAS, PART, check_name


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
            if relative.startswith(prefix) and all(PART.fullmatch(p) for p in relative.split("/")) and path.is_file():
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
