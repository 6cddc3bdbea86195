"""Shared-nothing app servers (issue #15): two gunicorn servers on their own ports with their own
instance folders (no shared disk) and one RQ worker, on PostgreSQL, Redis and FILE_STORE=database.
A bulk job started through A is rendered by the worker and downloaded through B; a letter uploaded
through A is read by an organiser through B; a certificate issued through B verifies and downloads
through A. Browsers keep their cookies across servers, as behind a load balancer."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from app.certificates.models import Certificate
from app.core.roles import Role
from app.extensions import db
from app.programmes.models import TrainingClass
from app.registration.models import Registration
from tests import rush
from tests.conftest import PASSWORD
from tests.registration.pdfs import page_text, pdf_letter
from tests.registration.test_views import _form

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Topology:
    a: str  # base URLs
    b: str
    folders: list[Path]  # the servers' and the worker's instance folders
    logs: list[Path]


def _environment(app: Flask, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SIBIMTEK_ENV": "development",
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "JOBS_IN_PROCESS": "0",
        "FILE_STORE": "database",
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": app.config["SECRET_KEY"],  # the same keys: sessions and encrypted NIKs read everywhere
        "ARGON2_TIME_COST": "1",  # the suite's cheap hashes: no rehash at login
        "ARGON2_MEMORY_COST": "1024",
        "PDF_WORKERS": "1",
        "RATELIMIT_ENABLED": "0",
    }


@pytest.fixture(scope="module")
def topology(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") or not app.config.get("REDIS_URL"):
        pytest.skip("two app servers and a worker: runs on the PostgreSQL pass with REDIS_URL set")
    root = tmp_path_factory.mktemp("topology")
    folders = [root / name for name in ("server-a", "server-b", "worker")]
    logs = [root / f"{name}.log" for name in ("server-a", "server-b", "worker")]
    for folder in folders:
        folder.mkdir()
    servers, ports = [], []
    worker = None
    try:
        for folder, log in zip(folders[:2], logs[:2], strict=True):
            env = _environment(app, folder)
            server, port = rush.start_gunicorn(
                env["DATABASE_URL"], log, workers=1, threads=4, redis_url=env["REDIS_URL"], env=env
            )
            servers.append(server)
            ports.append(port)
        flask = Path(sys.executable).with_name("flask")
        worker = subprocess.Popen(  # noqa: S603
            [str(flask), "jobs", "worker"],
            cwd=rush.ROOT,
            env=_environment(app, folders[2]),
            stdout=logs[2].open("w"),
            stderr=subprocess.STDOUT,
        )
        yield Topology(f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}", folders, logs)
    finally:
        if worker is not None:
            rush.stop(worker)
        for server in servers:
            rush.stop(server)


def _browser(base: str, email: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/masuk", timeout=30)
    token = CSRF.search(page.text).group(1)
    answer = browser.post(
        f"{base}/masuk", data={"csrf_token": token, "email": email, "password": PASSWORD}, allow_redirects=False
    )
    assert answer.status_code == 302, answer.text[:500]
    return browser


def _post(browser: requests.Session, base: str, form_page: str, url: str, **kwargs: object) -> requests.Response:
    """POST with the CSRF token of `form_page` (a page showing the form), from the same server."""
    token = CSRF.search(browser.get(f"{base}{form_page}", timeout=30).text).group(1)
    data = {"csrf_token": token, **kwargs.pop("data", {})}  # type: ignore[dict-item]
    return browser.post(f"{base}{url}", data=data, allow_redirects=False, timeout=60, **kwargs)  # type: ignore[arg-type]


def _nothing_on_disk(topology: Topology) -> None:
    """The servers keep no file of their own: every kept file is in the database."""
    for folder in topology.folders:
        kept = [p for p in folder.rglob("*") if p.is_file() and p.suffix in (".pdf", ".zip", ".png", ".jpg")]
        assert kept == [], kept


def test_a_bulk_job_started_on_a_is_rendered_by_the_worker_and_downloaded_on_b(
    app, topology, finished_class, make_user
) -> None:
    organiser = make_user(Role.ORGANISER)
    class_id = finished_class["class_id"]
    on_a = _browser(topology.a, organiser.email)
    started = _post(
        on_a, topology.a, f"/kelola/kelas/{class_id}/sertifikat", f"/kelola/sertifikat/massal/class/{class_id}"
    )
    assert started.status_code == 302, started.text[:500]
    job_path = urlsplit(started.headers["Location"]).path
    deadline = time.monotonic() + 90
    while True:  # through B: the job's state is in the database, its work in the worker
        progress = on_a.get(f"{topology.b}{job_path}.json", timeout=30).json()
        if progress["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert progress["status"] == "done", (progress, topology.logs[2].read_text()[-3000:])
    assert "certificate job" in topology.logs[2].read_text()  # the worker did the work, not a server thread
    zipped = on_a.get(f"{topology.b}{job_path}/sertifikat.zip", timeout=60)
    assert zipped.status_code == 200
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        names = archive.namelist()
        assert names
        assert all(archive.read(n).startswith(b"%PDF") for n in names)
    with app.app_context():
        issued = db.session.scalars(select(Certificate)).all()
        assert len(names) == len(issued) == progress["total"]
    combined = on_a.get(f"{topology.b}{job_path}/gabungan.pdf", timeout=60)
    assert combined.status_code == 200
    assert combined.content.startswith(b"%PDF")
    _nothing_on_disk(topology)


def test_a_certificate_issued_on_b_verifies_and_downloads_on_a(app, topology, finished_class, make_user) -> None:
    organiser = make_user(Role.ORGANISER)
    class_id = finished_class["class_id"]
    on_b = _browser(topology.b, organiser.email)
    issued = _post(
        on_b, topology.b, f"/kelola/kelas/{class_id}/sertifikat", f"/kelola/kelas/{class_id}/sertifikat/terbitkan"
    )
    assert issued.status_code == 302, issued.text[:500]
    with app.app_context():
        mine = db.session.scalar(select(Certificate).where(Certificate.registration_id == finished_class["ids"][0]))
        assert mine is not None
        certificate_id, code = mine.id, mine.code
    participant = _browser(topology.b, finished_class["owner"].email)
    first = participant.get(f"{topology.b}/sertifikat/{certificate_id}.pdf", timeout=60)  # rendered and stored on B
    assert first.status_code == 200
    assert first.content.startswith(b"%PDF")
    assert "Sertifikat SAH" in requests.get(f"{topology.a}/verifikasi/{code}", timeout=30).text
    again = participant.get(f"{topology.a}/sertifikat/{certificate_id}.pdf", timeout=60)
    assert again.status_code == 200
    assert again.content == first.content  # A sends what B stored
    _nothing_on_disk(topology)


def test_a_letter_uploaded_on_a_is_read_by_an_organiser_on_b(app, topology, open_class, library, make_user) -> None:
    class_id = open_class()
    with app.app_context():
        db.session.get_one(TrainingClass, class_id).batch.programme.requires_letter = True
        db.session.commit()
    participant = make_user(Role.PARTICIPANT)
    letter = pdf_letter()
    on_a = _browser(topology.a, participant.email)
    url = f"/katalog/{class_id}/daftar"
    registered = _post(
        on_a,
        topology.a,
        url,
        url,
        data=_form(library("52")),
        files={"letter": ("surat.pdf", letter, "application/pdf")},
    )
    assert registered.status_code == 302, registered.text[:1000]
    with app.app_context():
        registration_id = db.session.scalar(select(Registration.id))
    organiser = _browser(topology.b, make_user(Role.ORGANISER).email)
    read = organiser.get(f"{topology.b}/pendaftaran/{registration_id}/surat-tugas", timeout=30)
    assert read.status_code == 200
    assert read.headers["Content-Type"] == "application/pdf"
    assert "SURAT TUGAS" in page_text(read.content)
    _nothing_on_disk(topology)
