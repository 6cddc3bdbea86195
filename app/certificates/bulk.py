"""Bulk certificates: render many certificates fast, outside the web request.

Certificates are drawn in two layers (`app.pdf.layers`): the background, the same for a class, is
laid out once per chunk and each person's page holds only their number, name and codes. Chunks
of ~100 are rendered by worker processes forked from a small fork server (`app.pdf.pool`:
WeasyPrint loaded once, no web app in memory), which also split them into single PDFs and write
those, with the chunk's share of the print file, into a local staging folder; each chunk's files
are copied into the ZIP (without recompression) while they are still there, then go into the file
store (app/core/files: a rename for the local folders, one transaction for the database), so the
ZIP never reads back what was just stored (only a resumed job's earlier files come from the store).
A chunk whose pages do not add up is rendered again one certificate at a time. Every single PDF
is stored, so a later download or a resumed job reuses it. Each lever is measured by
bench/certificates_bench.py; figures in docs/certificates-performance.md.
"""

from __future__ import annotations

import contextlib
import logging
import math
import shutil
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app, has_request_context
from flask_babel import gettext as _
from sqlalchemy import select

from app import jobs
from app.auth.models import User
from app.certificates import rendering, storage
from app.certificates.issuing import issue_class
from app.certificates.job_runs import beating, claim, stall_limit
from app.certificates.models import BulkJob, Certificate, CertificateSettings, CertificateStatus, JobStatus
from app.certificates.settings import settings_for
from app.core import files
from app.core.urls import public_request_context
from app.errors import CertificateError, DomainError
from app.extensions import db, utcnow
from app.pdf import layers, pool
from app.programmes.models import Batch, Programme, TrainingClass

CHUNK = 100
log = logging.getLogger(__name__)


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
            .order_by(Registration.class_id, Certificate.seq)  # by class: one background per run
        )
    )


def plan_chunks(count: int, workers: int, group_starts: list[int] | None = None) -> list[tuple[int, int]]:
    """(start, end) slices of about CHUNK certificates, as many as a multiple of the workers so
    that they finish together. A cut moves to the nearest start of a group (a class: one
    background and agenda page to lay out) when one is within half a slice, so that a class is
    rarely laid out in two chunks."""
    if count == 0:
        return []
    rounds = math.ceil(count / (CHUNK * workers))
    parts = min(count, rounds * workers)
    size = count / parts
    starts = sorted(set(group_starts or []) - {0})
    cuts = [0]
    for k in range(1, parts):
        ideal = round(k * size)
        nearest = min(starts, key=lambda b: abs(b - ideal), default=None)
        cut = nearest if nearest is not None and abs(nearest - ideal) <= size / 2 else ideal
        if cuts[-1] < cut < count:
            cuts.append(cut)
    cuts.append(count)
    return list(zip(cuts, cuts[1:], strict=False))


def render_many(
    certificates: list[Certificate],
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    print_path: Path | None = None,
    zip_path: Path | None = None,
) -> None:
    """Make sure every certificate has a stored, current PDF (`pdf_path`); with `print_path`,
    also write one combined PDF of them all, in the given order, for printing; with `zip_path`,
    a ZIP of their PDFs (entries named `file_name`, listed in the given order)."""
    if not has_request_context():  # verification links are built on PUBLIC_BASE_URL
        with public_request_context():
            render_many(certificates, workers=workers, progress=progress, print_path=print_path, zip_path=zip_path)
        return
    store = files.store()
    if len({c.programme_id for c in certificates}) > 1:
        raise CertificateError("render_many: one programme at a time")
    todo: list[tuple[Certificate, str]] = []
    digests: dict[int, str] = {}
    settings = settings_for(db.session.get_one(Programme, certificates[0].programme_id))
    for certificate in certificates:
        digest = storage.content_hash(certificate, settings)
        if not storage.is_stored(certificate, digest):
            todo.append((certificate, storage.stored_name(certificate, digest)))
            digests[certificate.id] = digest
    done = len(certificates) - len(todo)
    if todo:
        pool.warm_up()  # the fork server loads WeasyPrint while the chunks are being prepared
    if progress:
        progress(done)
    with store.staging(storage.AREA) as scratch, contextlib.ExitStack() as copies:
        archive = copies.enter_context(Archive(zip_path)) if zip_path is not None else None
        if archive is not None:  # a resumed job: what was stored before is read back from the store
            rendering_now = {certificate.id for certificate, _name in todo}
            archive.add_stored([c for c in certificates if c.id not in rendering_now])
        joined: PrintJoin | None = None
        if todo:
            joined = _render(
                todo,
                digests,
                settings,
                scratch,
                workers,
                print_path is not None,
                lambda n: progress(done + n) if progress else None,
                archive,
            )
        if archive is not None:
            archive.order([c.file_name for c in certificates])
        if print_path is not None:
            # Everything rendered now: the chunks' print parts, in order; otherwise the stored
            # single files (a resumed job), so the order is always that of `certificates`.
            started = time.perf_counter()
            if joined is not None and joined.complete() and len(todo) == len(certificates):
                joined.save(print_path)  # joined while the later chunks were rendered
            else:
                parts = [str(copies.enter_context(store.local_copy(storage.AREA, _name(c)))) for c in certificates]
                join_pdfs(parts, print_path)
            log.info("print file of %s certificates joined in %.2f s", len(certificates), time.perf_counter() - started)


def _name(certificate: Certificate) -> str:
    if not certificate.pdf_path:
        raise CertificateError(f"certificate {certificate.id} has no stored PDF")
    return certificate.pdf_path


def _render(
    todo: list[tuple[Certificate, str]],
    digests: dict[int, str],
    settings: CertificateSettings,
    scratch: Path,
    workers: int | None,
    printing: bool,
    progress: Callable[[int], None],
    archive: Archive | None = None,
) -> PrintJoin | None:
    """Render `todo` in chunks on a process pool into `scratch`, storing each chunk's files as it
    comes; returns the print parts joined in order (None when not printing, or when a chunk was
    rendered one by one)."""
    store = files.store()
    workers = workers or current_app.config["PDF_WORKERS"]
    keys = [rendering.background_key(certificate) for certificate, _name in todo]
    slices = plan_chunks(len(todo), workers, [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]])
    parts = [str(scratch / f"part-{index:04d}.pdf") if printing else None for index in range(len(slices))]
    joined = PrintJoin([part for part in parts if part is not None]) if printing else None
    executor = pool.open_pool(min(workers, len(slices)))
    rendered = 0
    try:
        futures = {}
        for index, (start, end) in enumerate(slices):  # the workers start on the first while the rest are built
            chunk = rendering.layered_chunk(todo[start:end], settings, scratch, parts[index])
            futures[executor.submit(layers.render_chunk, chunk)] = index
        retries = {}
        for future in pool.completed(list(futures), current_app.config["PDF_RENDER_TIMEOUT"]):
            index = futures[future]
            start, end = slices[index]
            if not future.result():  # pages did not add up: one document per certificate
                for entry in todo[start:end]:
                    retries[entry[0].id] = executor.submit(
                        layers.render_chunk, rendering.layered_chunk([entry], settings, scratch)
                    )
                continue
            _stored(store, scratch, todo[start:end], digests, archive)
            rendered += end - start
            progress(rendered)
            if joined is not None:
                joined.ready(index)
        for certificate, name in todo:
            if certificate.id in retries:
                try:
                    ok = retries[certificate.id].result(timeout=current_app.config["PDF_RENDER_TIMEOUT"])
                except TimeoutError:
                    raise pool.RenderTimeout("a single certificate took too long") from None
                if not ok:
                    raise CertificateError(
                        _("Sertifikat %(n)s tidak dapat dibuat: jumlah halaman tidak sesuai.", n=certificate.number)
                    )
                _stored(store, scratch, [(certificate, name)], digests, archive)
                rendered += 1
                progress(rendered)
    except BaseException:
        pool.stop_pool(executor)
        raise
    executor.shutdown()
    if retries:  # a chunk's print part is missing: the caller uses the single files
        return None
    return joined


def _stored(
    store: files.FileStore,
    scratch: Path,
    entries: list[tuple[Certificate, str]],
    digests: dict[int, str],
    archive: Archive | None = None,
) -> None:
    """The rendered files of `entries` go from the scratch folder into the ZIP (if any) and the
    store, and each certificate records its new stored PDF."""
    if archive is not None:
        for certificate, name in entries:
            with (scratch / name).open("rb") as source:
                archive.add(certificate.file_name, source)
    store.adopt(storage.AREA, [(name, scratch / name) for _certificate, name in entries])
    for certificate, name in entries:
        storage.keep_stored(certificate, name, digests[certificate.id])


class PrintJoin:
    """The chunks' print parts joined into one PDF in their order as they come (while the later
    chunks are still rendered, not all after the last one), then saved once."""

    def __init__(self, parts: list[str]) -> None:
        import pikepdf

        self.parts, self.done, self.next = parts, set[int](), 0
        self.pdf = pikepdf.new()

    def ready(self, index: int) -> None:
        """Part `index` is written: it, and the parts after it that wait for it, are added."""
        import pikepdf

        self.done.add(index)
        while self.next in self.done:
            with pikepdf.open(self.parts[self.next]) as part:
                self.pdf.pages.extend(part.pages)
            self.next += 1

    def complete(self) -> bool:
        return self.next == len(self.parts)

    def save(self, target: Path) -> None:
        self.pdf.save(target)
        self.pdf.close()


def join_pdfs(files: list[str], target: Path) -> None:
    """One PDF of the given files' pages, in order (qpdf copies shared fonts once per file)."""
    import pikepdf

    with pikepdf.new() as joined:
        for file in files:
            with pikepdf.open(file) as part:
                joined.pages.extend(part.pages)
        joined.save(target)


class Archive:
    """The ZIP of a job, written as its PDFs come (stored, not recompressed: PDFs are compressed
    already); `order` lists the entries in the certificates' order, whatever order the chunks
    finished in (the central directory is what unzip tools and browsers list)."""

    def __init__(self, path: Path) -> None:
        self.path, self.moment = path, utcnow().timetuple()[:6]
        self.zip: zipfile.ZipFile | None = None

    def __enter__(self) -> Archive:
        self.zip = zipfile.ZipFile(self.path, "w", compression=zipfile.ZIP_STORED)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.zip is not None:
            self.zip.close()

    def add(self, name: str, source: BinaryIO) -> None:
        assert self.zip is not None
        with self.zip.open(zipfile.ZipInfo(name, date_time=self.moment), "w") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)

    def add_stored(self, certificates: list[Certificate]) -> None:
        """Certificates rendered before (a resumed job), copied from the store."""
        store = files.store()
        for certificate in certificates:
            with store.open(storage.AREA, _name(certificate)) as source:
                self.add(certificate.file_name, source)

    def order(self, names: list[str]) -> None:
        assert self.zip is not None
        place = {name: index for index, name in enumerate(names)}
        self.zip.filelist.sort(key=lambda info: place.get(info.filename, len(place)))


def _drop_older_files(job: BulkJob) -> None:
    """The ZIP and print file of an earlier finished job of the same class/batch/programme are
    outdated by this one: removed, so that disk use does not grow with every run."""
    older = db.session.scalars(
        select(BulkJob).where(
            BulkJob.scope == job.scope,
            BulkJob.scope_id == job.scope_id,
            BulkJob.id != job.id,
            BulkJob.status == JobStatus.DONE,
            BulkJob.zip_path.is_not(None),
        )
    )
    store = files.store()
    for old in older:
        for name in (old.zip_path, old.combined_path):
            if name:
                store.delete(storage.AREA, name)
        old.zip_path = old.combined_path = None


SCOPES = ("class", "batch", "programme")


def create_job(scope: str, scope_id: int, by: User) -> BulkJob | None:
    """A queued job for a class, batch or programme; None when the scope is unknown or holds no class."""
    if scope not in SCOPES or not classes_in(scope, scope_id):
        return None
    job = BulkJob(scope=scope, scope_id=scope_id, created_by_id=by.id)
    db.session.add(job)
    db.session.flush()
    return job


def queue_again(job: BulkJob) -> bool:
    """Queue a failed or stalled job again (it resumes where its files stop); False if it is running fine."""
    if job.status is JobStatus.FAILED or job.stalled(utcnow(), stall_limit()):
        job.status, job.heartbeat_at = JobStatus.QUEUED, utcnow()
        return True
    return False


def start(job_id: int) -> str:
    """Run a committed job in the background (RQ, or a thread without Redis); returns where."""
    return jobs.enqueue("app.certificates.bulk:run_job", job_id)


def latest_job(job: BulkJob) -> BulkJob | None:
    """The newest finished job of the same scope that still has its files."""
    return db.session.scalar(
        select(BulkJob)
        .where(
            BulkJob.scope == job.scope,
            BulkJob.scope_id == job.scope_id,
            BulkJob.status == JobStatus.DONE,
            BulkJob.zip_path.is_not(None),
        )
        .order_by(BulkJob.id.desc())
    )


SCOPE_WORDS = {"class": "kelas", "batch": "angkatan", "programme": "program"}  # in file names
SCOPE_TABLES = {"class": "classes", "batch": "batches", "programme": "programmes"}  # in the access log
DOWNLOAD_KINDS = ("sertifikat.zip", "gabungan.pdf")


@dataclass(frozen=True)
class JobDownload:
    """One file of a finished job, as it is sent: its stored name, the name it is saved under,
    its type, and what the log calls its scope."""

    stored: str
    name: str
    mimetype: str
    table: str


def job_download(job: BulkJob, kind: str) -> JobDownload | None:
    """The ZIP or the combined PDF of a finished job; None for an unfinished job, an unknown kind,
    or files already removed (those of an old job go when a newer one finishes)."""
    if job.status is not JobStatus.DONE or not job.zip_path or kind not in DOWNLOAD_KINDS:
        return None
    stored = job.zip_path if kind == "sertifikat.zip" else job.combined_path
    if not stored or not files.store().exists(storage.AREA, stored):
        return None
    return JobDownload(
        stored=stored,
        name=f"sertifikat-{SCOPE_WORDS.get(job.scope, job.scope)}-{job.scope_id}-{kind}",
        mimetype="application/zip" if kind == "sertifikat.zip" else "application/pdf",
        table=SCOPE_TABLES.get(job.scope, "programmes"),
    )


def _failure_message(exc: Exception) -> str:
    """What the organiser reads on the job page (the details go to the log)."""
    if isinstance(exc, DomainError):
        return str(exc.message)
    if isinstance(exc, pool.RenderTimeout):
        return _(
            "Pembuatan PDF melebihi batas waktu (%(s)s detik tanpa kemajuan). Lanjutkan untuk mencoba lagi; "
            "sertifikat yang sudah jadi dipakai lagi.",
            s=current_app.config["PDF_RENDER_TIMEOUT"],
        )
    return _(
        "Terjadi kesalahan saat membuat sertifikat (%(e)s). Lanjutkan untuk mencoba lagi; sertifikat yang "
        "sudah jadi dipakai lagi.",
        e=type(exc).__name__,
    )


def run_job(job_id: int) -> None:
    """Issue what is due and render everything of the job's scope; safe to run again after a
    failure or interruption (issuing is idempotent, stored renders are reused). A thread beats
    while it runs, so that a job whose worker died is found by `job_runs.resume_stalled`."""
    with beating(job_id):
        _run_job(job_id)


def _run_job(job_id: int) -> None:
    if not claim(job_id):  # done, unknown, or running in a live worker (a job queued twice)
        return
    job = db.session.get_one(BulkJob, job_id)
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False  # progress commits per chunk
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        timings[name], clock = round(time.perf_counter() - clock, 2), time.perf_counter()

    try:
        pool.warm_up()  # WeasyPrint loads in the fork server while certificates are issued
        classes = classes_in(job.scope, job.scope_id)
        for c in classes:
            issue_class(c, by=None)
        db.session.commit()
        certificates = certificates_in(classes)
        job.total, job.done = len(certificates), 0
        db.session.commit()
        lap("issue")

        def progress(done: int, job: BulkJob = job) -> None:
            job.done, job.heartbeat_at = done, utcnow()
            db.session.commit()

        store = files.store()
        zip_path, combined_path = f"jobs/job-{job.id}.zip", f"jobs/job-{job.id}.pdf"
        with store.staging(storage.AREA) as scratch:  # written here, then stored
            render_many(
                certificates, progress=progress, print_path=scratch / "print.pdf", zip_path=scratch / "certificates.zip"
            )
            lap("render")
            made = [(combined_path, scratch / "print.pdf"), (zip_path, scratch / "certificates.zip")]
            store.adopt(storage.AREA, made)
            lap("zip")
        job.zip_path, job.combined_path = zip_path, combined_path
        job.status, job.done, job.finished_at = JobStatus.DONE, len(certificates), utcnow()
        _drop_older_files(job)
        db.session.commit()
        log.info("certificate job %s: %s certificates, seconds %s", job.id, len(certificates), timings)
    except Exception as exc:  # recorded for the organiser; the job can be resumed
        db.session.rollback()
        log.exception("certificate job %s failed", job_id)
        job = db.session.get_one(BulkJob, job_id)
        job.status, job.error = JobStatus.FAILED, _failure_message(exc)[:500]
        db.session.commit()
        raise
    finally:
        session.expire_on_commit = expire
