"""What every backend of the file store shares: the areas, stored names, the interface."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

# Area → its folder under the instance path (the local backend; today's layout).
AREAS = {
    "certificates": "certificates",
    "certificate-images": "uploads/certificate-images",
    "letters": "uploads/letters",
    "imports": "imports",
}
CHUNK_SIZE = 1024 * 1024
PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,119}$")  # no leading dot: no `..`, no hidden files


def check_name(area: str, name: str) -> str:
    """The name, if it is a stored name of a known area: relative, parts of letters, digits and
    `._-` that do not start with a dot (so no `..`), at most 255 characters. ValueError otherwise."""
    if area not in AREAS:
        raise ValueError(f"unknown file area: {area!r}")
    if not name or len(name) > 255 or not all(PART.fullmatch(part) for part in name.split("/")):
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
