"""Bulk certificates: render many certificates fast, outside the web request.

Levers (measured by bench/certificates_bench.py): certificate pages are rendered in chunks as one
WeasyPrint document each and split into single PDFs with pypdf (falling back to one document per
certificate when the page count does not match); the agenda page, identical for a class, is
rendered once per class and appended (a table page costs ~3× a certificate page); chunks are
rendered by a pool of worker processes that keep WeasyPrint loaded and are replaced after a few
tasks (memory); QR codes are PNG; the ZIP is written without recompression; every single PDF is
stored so a later download or a resumed job reuses it.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from app.certificates import services
from app.certificates.models import BulkJob, Certificate, CertificateStatus, JobStatus
from app.extensions import db, utcnow
from app.programmes.models import Batch, Programme, TrainingClass

CHUNK = 50
TASKS_PER_WORKER = 6


def _render_chunk(html: str) -> bytes:
    """In a worker process: one HTML document (QR codes still to draw) → PDF bytes."""
    from app.pdf.render import render_pdf

    return render_pdf(services.fill_qr_codes(html))


def classes_in(scope: str, scope_id: int) -> list[TrainingClass]:
    if scope == "class":
        c = db.session.get(TrainingClass, scope_id)
        return [c] if c else []
    if scope == "batch":
        batch = db.session.get(Batch, scope_id)
        return list(batch.classes) if batch else []
    programme = db.session.get(Programme, scope_id)
    return [c for b in programme.batches for c in b.classes] if programme else []


def certificates_in(classes: list[TrainingClass]) -> list[Certificate]:
    class_ids = [c.id for c in classes]
    from app.registration.models import Registration

    return list(
        db.session.scalars(
            select(Certificate)
            .join(Registration, Certificate.registration_id == Registration.id)
            .where(Registration.class_id.in_(class_ids), Certificate.status == CertificateStatus.VALID)
            .order_by(Certificate.seq)
        )
    )


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _agenda_key(certificate: Certificate) -> str:
    details = certificate.details
    return json.dumps([details.get("programme"), details.get("year"), details.get("agenda")], sort_keys=True)


def _split(chunk: list, pdf: bytes, agenda_pages: dict, result: dict[int, bytes], pages: dict | None) -> None:
    """One chunk's PDF → a stored single PDF per certificate (+ its class's agenda page), and the
    same pages added to the combined print file."""
    reader = PdfReader(io.BytesIO(pdf))
    aligned = len(reader.pages) == len(chunk)
    for index, (certificate, settings, digest) in enumerate(chunk):
        if aligned:
            writer = PdfWriter()
            writer.add_page(reader.pages[index])
            agenda = agenda_pages.get(_agenda_key(certificate))
            if agenda is not None and settings.show_agenda_page:
                writer.add_page(agenda)
            if pages is not None:
                pages[certificate.id] = list(writer.pages)
            buffer = io.BytesIO()
            writer.write(buffer)
            single = buffer.getvalue()
        else:  # a page too many or too few: render this one on its own
            single = _render_chunk(services.certificate_html([certificate], settings))
            if pages is not None:
                pages[certificate.id] = list(PdfReader(io.BytesIO(single)).pages)
        name = f"{certificate.id}-{digest[:12]}.pdf"
        (services.storage_dir() / name).write_bytes(single)
        certificate.pdf_path, certificate.content_hash = name, digest
        result[certificate.id] = single


def render_many(
    certificates: list[Certificate],
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    combined: PdfWriter | None = None,
) -> dict[int, bytes]:
    """PDF bytes per certificate id. Stored renders are reused; the rest are rendered in chunks of
    certificate pages, and the agenda page, the same for a whole class, is rendered once per class
    and appended to each certificate of that class."""
    result: dict[int, bytes] = {}
    pages: dict[int, list] | None = {} if combined is not None else None
    todo = []
    for certificate in certificates:
        settings = services.settings_for(db.session.get(Programme, certificate.programme_id))
        digest = services.content_hash(certificate, settings)
        path = services.storage_dir() / (certificate.pdf_path or "-")
        if certificate.content_hash == digest and path.is_file():
            result[certificate.id] = path.read_bytes()
            if pages is not None:
                pages[certificate.id] = list(PdfReader(io.BytesIO(result[certificate.id])).pages)
        else:
            todo.append((certificate, settings, digest))
    if progress:
        progress(len(result))
    chunks = list(_chunks(todo, CHUNK))
    if chunks:
        _render_chunks(chunks, todo, workers, progress, result, pages)
    if combined is not None:  # the print file, in the order of the certificates
        for certificate in certificates:
            for page in pages[certificate.id]:
                combined.add_page(page)
    return result


def _render_chunks(chunks: list, todo: list, workers: int | None, progress: Callable[[int], None] | None,
                   result: dict[int, bytes], pages: dict | None) -> None:
    page_html = [
        services.certificate_html([c for c, _s, _d in chunk], chunk[0][1], "certificate", defer_qr=True)
        for chunk in chunks
    ]
    # One certificate per distinct agenda (a class), all agenda pages in one document.
    agenda_owners: dict[str, tuple[Certificate, object]] = {}
    for certificate, settings, _digest in todo:
        if settings.show_agenda_page and certificate.details.get("agenda"):
            agenda_owners.setdefault(_agenda_key(certificate), (certificate, settings))
    agenda_keys = list(agenda_owners)
    agenda_html = (
        services.certificate_html([c for c, _s in agenda_owners.values()], next(iter(agenda_owners.values()))[1],
                                  "agenda")
        if agenda_owners else None
    )
    workers = workers or min(os.cpu_count() or 1, 4)
    # A fresh pool per round of chunks bounds the workers' memory (WeasyPrint caches grow);
    # max_tasks_per_child is avoided: it can hang ProcessPoolExecutor on Python 3.11.
    per_round = workers * TASKS_PER_WORKER
    agenda_pages: dict[str, object] = {}
    for start in range(0, len(chunks), per_round):
        round_chunks = chunks[start:start + per_round]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            pdfs = pool.map(_render_chunk, page_html[start:start + per_round])
            if start == 0 and agenda_html is not None:
                reader = PdfReader(io.BytesIO(_render_chunk(agenda_html)))  # while the workers render
                if len(reader.pages) == len(agenda_keys):
                    agenda_pages = dict(zip(agenda_keys, reader.pages, strict=True))
                else:  # pages did not add up: one document per agenda
                    for key, (owner, settings) in agenda_owners.items():
                        single = _render_chunk(services.certificate_html([owner], settings, "agenda"))
                        agenda_pages[key] = PdfReader(io.BytesIO(single)).pages[0]
            for chunk, pdf in zip(round_chunks, pdfs, strict=True):
                _split(chunk, pdf, agenda_pages, result, pages)
                db.session.flush()
                if progress:
                    progress(len(result))


def write_zip(certificates: list[Certificate], pdfs: dict[int, bytes], path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            archive.writestr(certificate.file_name, pdfs[certificate.id])


def write_combined(writer: PdfWriter, path: Path) -> None:
    with path.open("wb") as handle:
        writer.write(handle)


def run_job(job_id: int) -> None:
    """Issue what is due and render everything of the job's scope; safe to run again after a
    failure or interruption (issuing is idempotent, stored renders are reused)."""
    job = db.session.get(BulkJob, job_id)
    if job is None or job.status is JobStatus.DONE:
        return
    job.status, job.error = JobStatus.RUNNING, None
    db.session.commit()
    try:
        classes = classes_in(job.scope, job.scope_id)
        for c in classes:
            services.issue_class(c, by=None)
        db.session.commit()
        certificates = certificates_in(classes)
        job.total, job.done = len(certificates), 0
        db.session.commit()

        def progress(done: int) -> None:
            job.done = done
            db.session.commit()

        combined = PdfWriter()
        pdfs = render_many(certificates, progress=progress, combined=combined)
        folder = services.storage_dir() / "jobs"
        folder.mkdir(exist_ok=True)
        job.zip_path, job.combined_path = f"jobs/job-{job.id}.zip", f"jobs/job-{job.id}.pdf"
        write_zip(certificates, pdfs, services.storage_dir() / job.zip_path)
        write_combined(combined, services.storage_dir() / job.combined_path)
        job.status, job.done, job.finished_at = JobStatus.DONE, len(certificates), utcnow()
        db.session.commit()
    except Exception as exc:  # recorded for the organiser; the job can be resumed
        db.session.rollback()
        job = db.session.get(BulkJob, job_id)
        job.status, job.error = JobStatus.FAILED, str(exc)[:500]
        db.session.commit()
        raise
