"""Certificate rendering, data in, bytes or files out: the layered chunks the PDF workers render
(`app.pdf.layers`), the naive whole document, one certificate, the settings preview and a
certificate's current PDF (rendered and stored when its data changed)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _

from app.certificates import storage
from app.certificates.issuing import verification_url
from app.certificates.models import Certificate, CertificateSettings
from app.certificates.settings import settings_for
from app.core import files
from app.errors import CertificateError
from app.extensions import db
from app.pdf import layers, pool
from app.programmes.models import Programme


def name_font_size(name: str) -> float:
    """Points for the holder's name so that up to 100 characters stay on one line of A4 landscape."""
    return round(min(30.0, 660 / (0.56 * max(len(name), 1))), 1)


def background_key(certificate: Certificate) -> str:
    """Certificates with the same key share a background page (and agenda page): what is printed
    apart from the holder's name, number and codes."""
    details = {k: v for k, v in certificate.details.items() if k != "library"}
    return json.dumps(details, sort_keys=True, default=str)


def overlay(certificate: Certificate) -> dict[str, Any]:
    """The page of one holder: number, name, short code (the worker draws the QR code over it)."""
    return {
        "kind": "overlay",
        "c": certificate,
        "d": certificate.details,
        "name_size": name_font_size(certificate.holder_name),
    }


def _images(settings: CertificateSettings) -> dict[str, str | None]:
    return {
        "logo": storage.image_data_uri(settings.logo_image),
        "signature": storage.image_data_uri(settings.signature_image),
    }


def layered_chunk(
    entries: list[tuple[Certificate, str]], settings: CertificateSettings, folder: Path, print_part: str | None = None
) -> layers.Chunk:
    """A chunk for `layers.render_chunk`: (certificate, file name) pairs of one programme; a
    background (+ agenda) page opens each run of certificates that share it."""
    pages: list[dict[str, Any]] = []
    groups: list[layers.Group] = []
    last = None
    for certificate, name in entries:
        key = background_key(certificate)
        if key != last:
            agenda = bool(settings.show_agenda_page and certificate.details.get("agenda"))
            pages.append({"kind": "background", "d": certificate.details})
            if agenda:
                pages.append({"kind": "agenda", "d": certificate.details})
            groups.append(layers.Group(agenda))
            last = key
        pages.append(overlay(certificate))
        groups[-1].files.append(name)
        groups[-1].codes.append(verification_url(certificate))
    html = render_template("certificates/certificate.html", pages=pages, s=settings, images=_images(settings))
    return layers.Chunk(html=html, groups=groups, folder=str(folder), print_part=print_part)


def full_html(certificates: list[Certificate], settings: CertificateSettings) -> str:
    """The naive document: each certificate laid out whole, QR codes included (the benchmark's
    baseline, and the reference the layered output is compared with in tests)."""
    pages = []
    for certificate in certificates:
        page = overlay(certificate) | {"kind": "full", "qr": layers.qr_data_uri(verification_url(certificate))}
        pages.append(page)
        if settings.show_agenda_page and certificate.details.get("agenda"):
            pages.append({"kind": "agenda", "d": certificate.details})
    return render_template("certificates/certificate.html", pages=pages, s=settings, images=_images(settings))


def render_one(certificate: Certificate, settings: CertificateSettings, folder: Path, name: str) -> None:
    """Render one certificate into folder/name, in a worker process within PDF_RENDER_TIMEOUT."""
    chunk = layered_chunk([(certificate, name)], settings, folder)
    if not pool.run_limited(layers.render_chunk, chunk, timeout=current_app.config["PDF_RENDER_TIMEOUT"]):
        raise CertificateError(_("Sertifikat tidak dapat dibuat: jumlah halaman tidak sesuai."))


def preview_pdf(sample: Certificate, settings: CertificateSettings) -> bytes:
    """A certificate that is not stored (the settings page's preview)."""
    with tempfile.TemporaryDirectory() as folder:
        render_one(sample, settings, Path(folder), "preview.pdf")
        return (Path(folder) / "preview.pdf").read_bytes()


def ensure_stored(certificate: Certificate) -> str:
    """The stored name of the certificate's current PDF: rendered and stored first when its data
    changed since (or it was never rendered)."""
    settings = settings_for(db.session.get_one(Programme, certificate.programme_id))
    digest = storage.content_hash(certificate, settings)
    if not storage.is_stored(certificate, digest):
        name = storage.stored_name(certificate, digest)
        store = files.store()
        with store.staging(storage.AREA) as folder:
            render_one(certificate, settings, folder, name)
            store.adopt(storage.AREA, [(name, folder / name)])
        storage.keep_stored(certificate, name, digest)
        db.session.flush()
    return certificate.pdf_path or ""


def pdf_bytes(certificate: Certificate) -> bytes:
    """The stored PDF if its data has not changed since; otherwise render, store and return it."""
    ensure_stored(certificate)
    return storage.read_pdf(certificate)
