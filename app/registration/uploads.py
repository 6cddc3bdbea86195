"""Assignment letters (surat tugas) and other supporting letters: checked by content (a PDF is
parsed and cleaned of active content, an image must open as what it claims to be), limited in
size, kept outside static/ and served only as a download that nothing caches."""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Response, abort
from PIL import Image

from app.core import files
from app.errors import InvalidUpload
from app.registration import safe_pdf

MAX_LETTER_BYTES = 2 * 1024 * 1024
PDF = "application/pdf"
# What the first bytes of the file say it is, whatever its name claims.
SIGNATURES = {
    b"%PDF-": (PDF, "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


@dataclass(frozen=True)
class Letter:
    content: bytes
    mimetype: str
    extension: str


def _check_image(content: bytes, mimetype: str) -> None:
    """The image opens in Pillow as the type its first bytes claim (a JPEG header on something else
    is refused); a parser of untrusted bytes may fail in many ways, and each is a refusal."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            same_type = image.format == PILLOW_FORMATS[mimetype]
            image.verify()
    except Exception:  # noqa: BLE001 - UnidentifiedImageError, OSError, struct.error, DecompressionBombError…
        raise InvalidUpload() from None
    if not same_type:
        raise InvalidUpload()


ALL_LETTER_TYPES = tuple(mimetype for mimetype, _extension in SIGNATURES.values())


def inspect_letter(content: bytes, *, allowed: tuple[str, ...] = ALL_LETTER_TYPES) -> Letter:
    """The letter, safe to keep, if it is one of the `allowed` types within the size limit: a PDF
    comes back cleaned of active content (safe_pdf.clean_pdf). InvalidUpload otherwise."""
    if not content or len(content) > MAX_LETTER_BYTES:
        raise InvalidUpload()
    for magic, (mimetype, extension) in SIGNATURES.items():
        if content.startswith(magic) and mimetype in allowed:
            if mimetype == PDF:
                return Letter(safe_pdf.clean_pdf(content), mimetype, extension)
            _check_image(content, mimetype)
            return Letter(content, mimetype, extension)
    raise InvalidUpload()


AREA = "letters"  # in the file store (app/core/files)


def _checked(name: str) -> str:
    """A stored letter's name as the database has it; InvalidUpload for anything else."""
    try:
        return files.check_name(AREA, name)
    except ValueError:
        raise InvalidUpload() from None


def store_letter(letter: Letter) -> str:
    """Keep the letter under a random name; returns that name."""
    name = f"{secrets.token_hex(16)}.{letter.extension}"
    files.store().put(AREA, name, letter.content, letter.mimetype)
    return name


def read_letter(name: str) -> bytes:
    """A stored letter's bytes (FileNotFoundError when it is gone)."""
    return files.store().read(AREA, _checked(name))


def remove_letter(name: str | None) -> None:
    if name:
        files.store().delete(AREA, _checked(name))


# A letter sent with a form that had to be corrected waits here, so that the person need not choose
# the file again (on a phone, finding it again is the hard part). Its name starts with the time it
# was kept (10 hex digits of Unix seconds) and is remembered in the person's own session only.
PENDING = re.compile(r"^pending-([0-9a-f]{10})[0-9a-f]{22}\.(pdf|jpg|png)$")
PENDING_FOR = timedelta(hours=24)
_MIMETYPES = {extension: mimetype for mimetype, extension in SIGNATURES.values()}


def keep_pending(letter: Letter, now: datetime) -> str:
    """Keep a checked letter of a form that was sent back; returns its name."""
    name = f"pending-{int(now.timestamp()):010x}{secrets.token_hex(11)}.{letter.extension}"
    files.store().put(AREA, name, letter.content, letter.mimetype)
    return name


def pending(name: str, now: datetime) -> Letter | None:
    """The letter kept under `name` (checked when it was sent), unless expired or gone."""
    found = PENDING.fullmatch(name or "")
    if found is None or _expired(int(found.group(1), 16), now):
        return None
    try:
        content = files.store().read(AREA, name)
    except FileNotFoundError:
        return None
    return Letter(content, _MIMETYPES[found.group(2)], found.group(2))


def drop_pending(name: str | None) -> None:
    if name and PENDING.fullmatch(name):
        files.store().delete(AREA, name)


def _expired(kept: int, now: datetime) -> bool:
    at = now.timestamp()
    return not at - PENDING_FOR.total_seconds() <= kept <= at + 3600


def expire_pending(now: datetime) -> int:
    """Remove letters of forms never sent again within PENDING_FOR."""
    store, removed = files.store(), 0
    for name in store.names(AREA, prefix="pending-"):
        found = PENDING.fullmatch(name)
        if found is None or _expired(int(found.group(1), 16), now):
            store.delete(AREA, name)
            removed += 1
    return removed


def letter_response(name: str | None, mimetype: str | None, download_name: str) -> Response:
    """A stored letter as a download: never shown inline in the site's origin, never sniffed into
    another type, never kept by a browser or proxy cache (it holds personal data)."""
    if not name:
        abort(404)
    return files.download(AREA, _checked(name), download_name, mimetype or "application/octet-stream")
