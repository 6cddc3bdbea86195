"""What certificates keep on disk, behind one small interface: uploaded logo and signature images,
stored PDFs (with the bulk jobs' ZIP and print files), their names and content hashes.

Callers ask `store()` for the backend and never build paths themselves, so that another backend
(object storage) can replace `LocalFileStore` in `store()` alone."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import secrets
from pathlib import Path
from typing import Protocol

from flask import current_app
from flask_babel import gettext as _

from app.certificates.models import Certificate, CertificateSettings
from app.errors import CertificateError

MAX_IMAGE_BYTES = 1024 * 1024
MAX_IMAGE_PIXELS = 4000 * 4000
IMAGE_TYPES = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg")}
# The settings whose change makes a stored PDF outdated (with the certificate's own data).
HASHED_SETTINGS = (
    "title",
    "role_text",
    "body_text",
    "sign_place",
    "signatories",
    "colour",
    "show_agenda_page",
    "logo_image",
    "signature_image",
)


class CertificateStore(Protocol):
    """Files by name: images (logo, signature) and stored files (PDFs, job ZIPs and print files,
    whose names may have a folder, e.g. `jobs/job-3.zip`)."""

    folder: Path  # local folder the PDF renderers write stored files into

    def path(self, name: str) -> Path:
        """A local file for a stored name: PDF renderers and the ZIP writer work on files."""
        ...

    def exists(self, name: str) -> bool: ...

    def read(self, name: str) -> bytes: ...

    def delete(self, name: str) -> None: ...

    def save_image(self, name: str, content: bytes) -> None: ...

    def read_image(self, name: str) -> bytes | None:
        """The image's bytes, None when there is no such image."""
        ...

    def delete_image(self, name: str) -> None: ...

    def check(self) -> None:
        """Raise when files cannot be written and read back now (/readyz)."""
        ...


class LocalFileStore:
    """Files under the instance folder: `certificates/` and `uploads/certificate-images/`."""

    def __init__(self, root: Path) -> None:
        self.folder = root / "certificates"
        self.images_folder = root / "uploads" / "certificate-images"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.images_folder.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        return self.folder / name

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def read(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def save_image(self, name: str, content: bytes) -> None:
        (self.images_folder / Path(name).name).write_bytes(content)

    def read_image(self, name: str) -> bytes | None:
        path = self.images_folder / Path(name).name
        return path.read_bytes() if path.is_file() else None

    def delete_image(self, name: str) -> None:
        (self.images_folder / Path(name).name).unlink(missing_ok=True)

    def check(self) -> None:
        for folder in (self.folder, self.images_folder):
            probe = folder / f".readyz-{secrets.token_hex(8)}"
            try:
                probe.write_bytes(b"ok")
                if probe.read_bytes() != b"ok":
                    raise OSError(f"{folder} does not read back what was written")
            finally:
                probe.unlink(missing_ok=True)


def store() -> CertificateStore:
    """The configured backend (CERTIFICATE_STORE; only "local" so far)."""
    backend = current_app.config.get("CERTIFICATE_STORE", "local")
    if backend != "local":
        raise RuntimeError(f"unknown CERTIFICATE_STORE: {backend}")
    return LocalFileStore(Path(current_app.instance_path))


def check_writable() -> None:
    """The readiness check of the configured backend (registered by the app factory)."""
    store().check()


# --- images ----------------------------------------------------------------------------------------


def store_image(content: bytes) -> str:
    """Check an uploaded logo or signature (a PNG or JPEG that decodes, ≤ 1 MB, ≤ 16 megapixels)
    and keep it under a random name; returns the name. CertificateError otherwise."""
    from PIL import Image, UnidentifiedImageError

    if not content or len(content) > MAX_IMAGE_BYTES:
        raise CertificateError(_("Gambar harus berupa PNG atau JPEG, paling besar 1 MB."))
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind, size = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise CertificateError(_("Berkas ini bukan gambar PNG atau JPEG yang dapat dibaca.")) from None
    if kind not in IMAGE_TYPES or size[0] * size[1] > MAX_IMAGE_PIXELS:
        raise CertificateError(_("Gambar harus berupa PNG atau JPEG, paling besar 1 MB."))
    name = f"{secrets.token_hex(12)}.{IMAGE_TYPES[kind][0]}"
    store().save_image(name, content)
    return name


def image_data_uri(name: str | None) -> str | None:
    """A stored image as a data: URI for the PDF (the renderer fetches nothing else)."""
    if not name:
        return None
    content = store().read_image(name)
    if content is None:
        return None
    mimetype = "image/png" if Path(name).suffix == ".png" else "image/jpeg"
    return f"data:{mimetype};base64,{base64.b64encode(content).decode()}"


# --- stored PDFs -----------------------------------------------------------------------------------


def content_hash(certificate: Certificate, settings: CertificateSettings) -> str:
    """Of everything a certificate's PDF is made from: a stored PDF with another hash is outdated."""
    data = {
        "number": certificate.number,
        "name": certificate.holder_name,
        "details": certificate.details,
        "code": certificate.code,
        "status": certificate.status.value,
        "settings": {k: getattr(settings, k) for k in HASHED_SETTINGS},
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def stored_name(certificate: Certificate, digest: str) -> str:
    return f"{certificate.id}-{digest[:12]}.pdf"


def is_stored(certificate: Certificate, digest: str) -> bool:
    return (
        certificate.content_hash == digest and certificate.pdf_path is not None and store().exists(certificate.pdf_path)
    )


def keep_stored(certificate: Certificate, name: str, digest: str) -> None:
    """Record the certificate's new stored PDF; the one it replaces (made from older data) goes."""
    if certificate.pdf_path and certificate.pdf_path != name:
        store().delete(Path(certificate.pdf_path).name)
    certificate.pdf_path, certificate.content_hash = name, digest


def stored_file(certificate: Certificate) -> Path:
    """Where the certificate's stored PDF is (it has been rendered: see `rendering.pdf_bytes`)."""
    if not certificate.pdf_path:
        raise CertificateError(f"certificate {certificate.id} has no stored PDF")
    return store().path(certificate.pdf_path)


def read_pdf(certificate: Certificate) -> bytes:
    """The certificate's stored PDF (see `rendering.pdf_bytes`, which makes sure it is current)."""
    return store().read(certificate.pdf_path or "")
