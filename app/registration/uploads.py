"""Assignment letters (surat tugas): checked by content, limited in size, kept outside static/."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from app.errors import InvalidUpload

MAX_LETTER_BYTES = 2 * 1024 * 1024
# What the first bytes of the file say it is, whatever its name claims.
SIGNATURES = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}


@dataclass(frozen=True)
class Letter:
    content: bytes
    mimetype: str
    extension: str


def inspect_letter(content: bytes) -> Letter:
    """The letter if it is a PDF, JPEG or PNG within the size limit; InvalidUpload otherwise."""
    if not content or len(content) > MAX_LETTER_BYTES:
        raise InvalidUpload()
    for magic, (mimetype, extension) in SIGNATURES.items():
        if content.startswith(magic):
            return Letter(content, mimetype, extension)
    raise InvalidUpload()


def letters_dir() -> Path:
    folder = Path(current_app.instance_path) / "uploads" / "letters"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_letter(letter: Letter) -> str:
    """Write the letter under a random name; returns that name."""
    name = f"{secrets.token_hex(16)}.{letter.extension}"
    (letters_dir() / name).write_bytes(letter.content)
    return name


def letter_path(name: str) -> Path:
    path = (letters_dir() / name).resolve()
    if path.parent != letters_dir().resolve():
        raise InvalidUpload()
    return path


def remove_letter(name: str | None) -> None:
    if name:
        letter_path(name).unlink(missing_ok=True)
