"""What certificates keep in the file store (app/core/files): uploaded logo and signature
images, stored PDFs (with the bulk jobs' ZIP and print files), their names and content hashes."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import secrets
from pathlib import Path

from flask_babel import gettext as _

from app.certificates.models import Certificate, CertificateSettings
from app.core import files
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


AREA = "certificates"  # stored PDFs, and the bulk jobs' files under jobs/ (app/core/files)
IMAGES = "certificate-images"


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
    files.store().put(IMAGES, name, content, IMAGE_TYPES[kind][1])
    return name


def delete_image(name: str) -> None:
    files.store().delete(IMAGES, Path(name).name)


def image_data_uri(name: str | None) -> str | None:
    """A stored image as a data: URI for the PDF (the renderer fetches nothing else)."""
    if not name:
        return None
    try:
        content = files.store().read(IMAGES, Path(name).name)
    except FileNotFoundError:
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
        certificate.content_hash == digest
        and certificate.pdf_path is not None
        and files.store().exists(AREA, certificate.pdf_path)
    )


def keep_stored(certificate: Certificate, name: str, digest: str) -> None:
    """Record the certificate's new stored PDF; the one it replaces (made from older data) goes."""
    if certificate.pdf_path and certificate.pdf_path != name:
        files.store().delete(AREA, certificate.pdf_path)
    certificate.pdf_path, certificate.content_hash = name, digest


def read_pdf(certificate: Certificate) -> bytes:
    """The certificate's stored PDF (see `rendering.pdf_bytes`, which makes sure it is current)."""
    if not certificate.pdf_path:
        raise CertificateError(f"certificate {certificate.id} has no stored PDF")
    return files.store().read(AREA, certificate.pdf_path)
