"""The file store (issue #15): both backends behave alike through one interface, and two app servers
with different instance folders and FILE_STORE=database on one database see each other's files
(a letter uploaded through one is read through the other, a certificate rendered through one is
downloaded through the other, so is a bulk job's ZIP)."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from app.certificates import bulk, issuing, rendering, storage
from app.certificates.models import BulkJob, Certificate
from app.core import files
from app.core.roles import Role
from app.extensions import db
from app.programmes.models import TrainingClass
from app.registration import uploads
from app.registration.models import Registration
from tests.conftest import login, submit
from tests.registration.pdfs import pdf_letter
from tests.registration.test_views import _form

CHUNK = 16  # bytes per database row in these tests: every file spans several


@pytest.fixture(params=files.BACKENDS)
def file_store(request: pytest.FixtureRequest, app: Flask, tmp_path: Path) -> Iterator[files.FileStore]:
    """Each backend in turn, inside an app context: the local folders (in a folder of the test's
    own) and the database (the test database, small chunks)."""
    with app.app_context():
        if request.param == "local":
            yield files.LocalFileStore(tmp_path)
        else:
            yield files.DatabaseFileStore(db.engine, chunk_size=CHUNK)


def _chunk_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(files.CHUNKS)) or 0


def test_a_file_of_many_chunks_reads_back_whole_and_in_pieces(file_store: files.FileStore) -> None:
    data = os.urandom(5 * CHUNK + 3)
    file_store.put("certificates", "jobs/job-1.zip", data)
    assert file_store.read("certificates", "jobs/job-1.zip") == data
    assert file_store.size("certificates", "jobs/job-1.zip") == len(data)
    assert file_store.exists("certificates", "jobs/job-1.zip")
    with file_store.open("certificates", "jobs/job-1.zip") as stream:
        pieces = list(iter(lambda: stream.read(7), b""))
    assert b"".join(pieces) == data
    assert {len(piece) for piece in pieces[:-1]} == {7}
    if isinstance(file_store, files.DatabaseFileStore):
        assert _chunk_rows() == 6
        row = db.session.execute(select(files.StoredFile)).scalar_one()
        assert (row.area, row.name, row.size, row.sha256) == (
            "certificates",
            "jobs/job-1.zip",
            len(data),
            hashlib.sha256(data).hexdigest(),
        )


def test_a_local_file_is_streamed_in(file_store: files.FileStore, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(40 * CHUNK + 1))
    file_store.put_file("letters", "a.pdf", source)
    assert file_store.read("letters", "a.pdf") == source.read_bytes()
    assert source.is_file()  # copied in, not taken


def test_a_file_is_replaced_whole_and_deleted(file_store: files.FileStore) -> None:
    file_store.put("letters", "a.pdf", b"old" * 20)
    file_store.put("letters", "a.pdf", b"new")
    assert file_store.read("letters", "a.pdf") == b"new"
    assert file_store.names("letters") == ["a.pdf"]
    if isinstance(file_store, files.DatabaseFileStore):
        assert _chunk_rows() == 1  # the old file's chunks went with it
    file_store.delete("letters", "a.pdf")
    file_store.delete("letters", "a.pdf")  # nothing there: nothing to do
    assert not file_store.exists("letters", "a.pdf")
    assert file_store.size("letters", "a.pdf") is None
    with pytest.raises(FileNotFoundError):
        file_store.open("letters", "a.pdf")
    with pytest.raises(FileNotFoundError):
        file_store.read("letters", "a.pdf")
    if isinstance(file_store, files.DatabaseFileStore):
        assert _chunk_rows() == 0


def test_names_are_listed_per_area_and_prefix(file_store: files.FileStore) -> None:
    for name in ("jobs/job-2.zip", "jobs/job-2.pdf", "7-abc.pdf", "jobs_x.pdf"):
        file_store.put("certificates", name, b"x")
    file_store.put("letters", "7-abc.pdf", b"x")
    assert file_store.names("certificates") == ["7-abc.pdf", "jobs/job-2.pdf", "jobs/job-2.zip", "jobs_x.pdf"]
    assert file_store.names("certificates", "jobs/") == ["jobs/job-2.pdf", "jobs/job-2.zip"]
    assert file_store.names("certificates", "jobs_") == ["jobs_x.pdf"]  # `_` is no wildcard
    assert file_store.names("imports") == []


@pytest.mark.parametrize(
    ("area", "name"),
    [
        ("letters", "../sibimtek.db"),
        ("letters", "a/../../b.pdf"),
        ("letters", "/etc/passwd"),
        ("letters", ""),
        ("letters", ".hidden"),
        ("letters", "a//b.pdf"),
        ("letters", "a\\b.pdf"),
        ("letters", "x" * 256),
        ("secrets", "a.pdf"),
        ("../letters", "a.pdf"),
    ],
)
def test_names_outside_an_area_are_refused(file_store: files.FileStore, area: str, name: str) -> None:
    for operation in (
        lambda: file_store.put(area, name, b"x"),
        lambda: file_store.read(area, name),
        lambda: file_store.exists(area, name),
        lambda: file_store.delete(area, name),
    ):
        with pytest.raises(ValueError, match="file area|stored file name"):
            operation()


def test_a_local_copy_holds_the_file_while_it_is_used(file_store: files.FileStore) -> None:
    file_store.put("certificates", "jobs/job-9.pdf", b"%PDF-" + b"x" * 100)
    with file_store.local_copy("certificates", "jobs/job-9.pdf") as path:
        assert path.read_bytes() == b"%PDF-" + b"x" * 100
    assert path.exists() is isinstance(file_store, files.LocalFileStore)  # a temporary copy is removed
    with pytest.raises(FileNotFoundError), file_store.local_copy("certificates", "nothing.pdf"):
        pass


def test_staged_files_are_adopted_and_leave_no_local_file(file_store: files.FileStore) -> None:
    with file_store.staging("certificates") as folder:
        (folder / "1-a.pdf").write_bytes(b"one" * 30)
        (folder / "2-b.pdf").write_bytes(b"two")
        file_store.adopt("certificates", [("1-a.pdf", folder / "1-a.pdf"), ("jobs/job-1.pdf", folder / "2-b.pdf")])
        assert list(folder.iterdir()) == []
    assert not folder.exists()
    assert file_store.names("certificates") == ["1-a.pdf", "jobs/job-1.pdf"]
    assert file_store.read("certificates", "jobs/job-1.pdf") == b"two"
    with file_store.staging("certificates") as folder:  # again: the stored files are replaced
        (folder / "new").write_bytes(b"2")
        file_store.adopt("certificates", [("jobs/job-1.pdf", folder / "new")])
    assert file_store.read("certificates", "jobs/job-1.pdf") == b"2"
    assert file_store.names("certificates") == ["1-a.pdf", "jobs/job-1.pdf"]


def test_the_check_writes_reads_and_leaves_nothing(file_store: files.FileStore) -> None:
    file_store.check()
    assert all(file_store.names(area) == [] for area in files.AREAS)
    if isinstance(file_store, files.DatabaseFileStore):
        assert db.session.scalar(select(func.count()).select_from(files.FILES)) == 0


def test_a_file_replaced_while_it_is_read_is_never_read_half_old_half_new(app: Flask) -> None:
    """PostgreSQL reads the whole file in one snapshot; SQLite (short reads, not to hold its write
    lock) says the file changed."""
    old, new = b"o" * (4 * CHUNK), b"n" * (4 * CHUNK)
    with app.app_context():
        store = files.DatabaseFileStore(db.engine, chunk_size=CHUNK)
        store.put("letters", "a.pdf", old)
        with store.open("letters", "a.pdf") as stream:
            first = stream.read(CHUNK)
            store.put("letters", "a.pdf", new)
            if db.engine.dialect.name == "postgresql":
                assert first + stream.read() == old
            else:
                with pytest.raises(OSError, match="changed while it was read"):
                    stream.read()
        assert store.read("letters", "a.pdf") == new


def test_file_store_chooses_the_backend(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context():
        monkeypatch.setitem(app.config, "FILE_STORE", "database")
        assert isinstance(files.store(), files.DatabaseFileStore)
        monkeypatch.setitem(app.config, "FILE_STORE", "local")
        assert isinstance(files.store(), files.LocalFileStore)
        monkeypatch.setitem(app.config, "FILE_STORE", "s3")
        with pytest.raises(RuntimeError, match="unknown FILE_STORE"):
            files.store()


def test_a_large_download_is_streamed_with_its_length(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    data = os.urandom(10 * CHUNK + 5)
    monkeypatch.setitem(app.config, "FILE_STORE", "database")
    monkeypatch.setitem(app.config, "FILE_STORE_CHUNK", CHUNK)
    with app.test_request_context():
        files.store().put("letters", "big.pdf", data)
        response = files.download("letters", "big.pdf", "surat besar.pdf", "application/pdf")
        assert response.is_streamed
        assert response.headers["Content-Length"] == str(len(data))
        assert response.headers["Content-Disposition"] == 'attachment; filename="surat besar.pdf"'
        assert (response.headers["Cache-Control"], response.headers["X-Content-Type-Options"]) == (
            "no-store",
            "nosniff",
        )
    assert b"".join(response.response) == data  # after the request, as a server sends it


# --- two app servers, one database -----------------------------------------------------------------


@pytest.fixture
def servers(app: Flask, tmp_path: Path) -> Iterator[list[Flask]]:
    """Two apps on the test database with instance folders of their own and the database store."""
    made = []
    for side in ("a", "b"):
        server = create_app(
            "testing",
            {
                "SERVER_NAME": None,
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "FILE_STORE": "database",
            },
        )
        server.instance_path = str(tmp_path / side)
        made.append(server)
    yield made
    for server in made:
        with server.app_context():
            db.engine.dispose()


def _local_files(server: Flask) -> list[Path]:
    return [path for path in Path(server.instance_path).rglob("*") if path.is_file()]


def _client(server: Flask, email: str) -> FlaskClient:
    client = server.test_client()
    assert login(client, email).status_code == 302
    return client


def test_a_letter_uploaded_through_one_server_is_read_through_the_other(
    app: Flask, servers: list[Flask], make_user: Callable, open_class: Callable, library: Callable
) -> None:
    a, b = servers
    class_id = open_class()
    with app.app_context():
        db.session.get(TrainingClass, class_id).batch.programme.requires_letter = True
        db.session.commit()
    participant = _client(a, make_user(Role.PARTICIPANT).email)
    letter = pdf_letter()
    response = submit(
        participant,
        f"/katalog/{class_id}/daftar",
        {**_form(library("52")), "letter": (io.BytesIO(letter), "surat.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        rid, stored = registration.id, registration.letter_path
    organiser = _client(b, make_user(Role.ORGANISER).email)
    download = organiser.get(f"/pendaftaran/{rid}/surat-tugas")
    assert download.status_code == 200
    assert download.data.startswith(b"%PDF-")
    assert download.headers["Content-Disposition"] == f"attachment; filename=surat-tugas-{rid}.pdf"
    with b.app_context():
        assert download.data == uploads.read_letter(stored)
    assert _local_files(a) == _local_files(b) == []  # nothing on either server's disk


def test_a_certificate_and_a_bulk_zip_made_through_one_server_download_through_the_other(
    app: Flask, servers: list[Flask], finished_class: dict, make_user: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = servers
    with app.app_context(), app.test_request_context():
        ids = [issuing.issue(db.session.get(Registration, rid), by=None).id for rid in finished_class["ids"][:2]]
        db.session.commit()
    owner_a = _client(a, finished_class["owner"].email)
    first = owner_a.get(f"/sertifikat/{ids[0]}.pdf")
    assert first.status_code == 200
    assert first.data.startswith(b"%PDF-")

    def no_rendering(*args: object, **kwargs: object) -> None:
        raise AssertionError("server B renders again what server A stored")

    monkeypatch.setattr(rendering, "render_one", no_rendering)
    again = _client(b, finished_class["owner"].email).get(f"/sertifikat/{ids[0]}.pdf")
    assert again.status_code == 200
    assert again.data == first.data
    assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    monkeypatch.undo()

    with a.app_context(), a.test_request_context():  # the job runs where server A (or its worker) is
        job = BulkJob(scope="class", scope_id=finished_class["class_id"])
        db.session.add(job)
        db.session.commit()
        bulk.run_job(job.id)
        job_id = job.id
    organiser = _client(b, make_user(Role.ORGANISER).email)
    archive = organiser.get(f"/kelola/sertifikat/pekerjaan/{job_id}/sertifikat.zip")
    assert archive.status_code == 200
    assert archive.headers["Content-Type"] == "application/zip"
    with app.app_context():
        certificates = db.session.scalars(select(Certificate)).all()
        assert sorted(zipfile.ZipFile(io.BytesIO(archive.data)).namelist()) == sorted(c.file_name for c in certificates)
    combined = organiser.get(f"/kelola/sertifikat/pekerjaan/{job_id}/gabungan.pdf")
    assert combined.status_code == 200
    assert combined.data.startswith(b"%PDF-")
    with b.app_context():
        assert set(files.store().names(storage.AREA, "jobs/")) == {f"jobs/job-{job_id}.zip", f"jobs/job-{job_id}.pdf"}
    assert _local_files(a) == _local_files(b) == []


def test_an_install_moves_its_local_files_into_the_database(app: Flask, tmp_path: Path) -> None:
    server = create_app(
        "testing",
        {
            "SERVER_NAME": None,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "FILE_STORE": "database",
        },
    )
    server.instance_path = str(tmp_path)
    local = files.LocalFileStore(tmp_path)
    local.put("certificates", "jobs/job-1.zip", b"PK" * 100)
    local.put("letters", "a.pdf", b"%PDF-1.4")
    runner = server.test_cli_runner()
    first = runner.invoke(args=["files", "copy-local"])
    assert first.exit_code == 0, first.output
    assert "certificates: 1 berkas disalin, 0 sudah ada" in first.output
    assert "letters: 1 berkas disalin, 0 sudah ada" in first.output
    with server.app_context():
        assert files.store().read("certificates", "jobs/job-1.zip") == b"PK" * 100
        assert files.store().read("letters", "a.pdf") == b"%PDF-1.4"
    assert "letters: 0 berkas disalin, 1 sudah ada" in runner.invoke(args=["files", "copy-local"]).output
    with server.app_context():
        db.engine.dispose()
