"""`flask backup` / `flask restore`: an archive restored into an empty database (and an empty
instance folder) gives back a site where a certificate still verifies and downloads."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, select, text

from app import create_app
from app.backup import services
from app.certificates import issuing
from app.certificates.models import Certificate
from app.core import files
from app.extensions import db
from app.registration.models import Registration
from tests.conftest import login


def _target_database(app: Flask, tmp_path: Path) -> str:
    """An empty database of the same kind as the suite's, for the restore."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.db'}"
    name = f"{url.database}_restore"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _second_site(app: Flask, tmp_path: Path) -> Flask:
    """Another deployment: its own database and its own (empty) instance folder."""
    other = create_app("testing", {"SERVER_NAME": None, "SQLALCHEMY_DATABASE_URI": _target_database(app, tmp_path)})
    other.instance_path = str(tmp_path / "instance-restored")
    Path(other.instance_path).mkdir()
    return other


def test_a_restored_backup_verifies_and_downloads_a_certificate(app, client, finished_class, tmp_path) -> None:
    owner = finished_class["owner"]
    with app.app_context(), app.test_request_context():
        certificate = issuing.issue(db.session.get_one(Registration, finished_class["ids"][0]), by=None)
        db.session.commit()
        certificate_id, code = certificate.id, certificate.code
    login(client, owner.email)
    original = client.get(f"/sertifikat/{certificate_id}.pdf")
    assert original.mimetype == "application/pdf"
    with app.app_context():
        stored = db.session.get_one(Certificate, certificate_id).pdf_path

    archive = tmp_path / "cadangan" / "sibimtek.tar.gz"
    result = app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Cadangan" in result.output
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        manifest = services.read_manifest(tar)
        names = tar.getnames()
    assert manifest["database"] == make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    assert manifest["revision"]
    if app.config["FILE_STORE"] == "local":
        assert f"files/certificates/{stored}" in names
    else:  # the files are rows of the database: the dump holds them
        assert not [name for name in names if name.startswith("files/")]

    site = _second_site(app, tmp_path)
    result = site.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    with site.app_context():
        assert files.store().exists("certificates", str(stored))
    if app.config["FILE_STORE"] == "local":
        assert (Path(site.instance_path) / "certificates" / str(stored)).is_file()

    visitor = site.test_client()
    assert "Sertifikat SAH" in visitor.get(f"/verifikasi/{code}").get_data(as_text=True)
    assert login(visitor, owner.email).status_code == 302
    restored = visitor.get(f"/sertifikat/{certificate_id}.pdf")
    assert restored.status_code == 200
    assert restored.data == original.data  # the stored file itself, not a new rendering
    with site.app_context():
        assert db.session.scalar(select(Certificate.code).where(Certificate.id == certificate_id)) == code
        db.session.remove()
        db.engine.dispose()

    # A second restore over the data now there is refused, unless asked for.
    again = site.test_cli_runner().invoke(args=["restore", str(archive)])
    assert again.exit_code != 0
    assert "tidak kosong" in again.output
    with site.app_context():
        db.engine.dispose()


def test_backup_never_overwrites_and_restore_refuses_what_is_not_a_backup(app, runner, tmp_path) -> None:
    existing = tmp_path / "ada.tar.gz"
    existing.write_bytes(b"lama")
    result = runner.invoke(args=["backup", str(existing)])
    assert result.exit_code != 0
    assert "sudah ada" in result.output
    assert existing.read_bytes() == b"lama"

    result = runner.invoke(args=["restore", str(existing)])
    assert result.exit_code != 0
    assert "bukan cadangan Sibimtek" in result.output


@pytest.mark.parametrize(
    "member", ["files/../../etc/passwd", "files/certificates/../../x", "files/app/x.py", "files/letters/.hidden"]
)
def test_restore_refuses_file_names_outside_the_store(app, tmp_path, member) -> None:
    archive = tmp_path / "jahat.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in (
            (services.MANIFEST, json.dumps({"format": 1, "database": "sqlite"}).encode()),
            (services.SQLITE_MEMBER, b""),
            (member, b"x"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    site = create_app("testing", {"SERVER_NAME": None, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    site.instance_path = str(tmp_path / "instance")
    result = site.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code != 0
    assert "tidak sah" in result.output
    assert not (tmp_path / "etc").exists()


def _rewritten(archive: Path, target: Path, manifest_changes: dict, extra: dict[str, bytes] | None = None) -> Path:
    """A copy of `archive` with its manifest changed and members added."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == services.MANIFEST:
                data = json.dumps({**json.loads(data), **manifest_changes}).encode()
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))
    return target


def _registrations(app: Flask) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Registration.id)).all())


@pytest.mark.parametrize(
    ("changes", "extra", "words"),
    [
        ({"revision": "0099_future"}, None, "tidak dikenal versi aplikasi ini"),
        ({}, {"files/letters/a": b"x", "files/letters/a/b": b"y"}, "tidak sah"),
    ],
)
def test_restore_with_force_refuses_before_touching_the_data(
    app, runner, finished_class, tmp_path, changes, extra, words
) -> None:
    archive = tmp_path / "baik.tar.gz"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    hostile = _rewritten(archive, tmp_path / "jahat.tar.gz", changes, extra)
    before = _registrations(app)
    result = runner.invoke(args=["restore", "--force", str(hostile)])
    assert result.exit_code != 0
    assert words in result.output
    assert _registrations(app) == before == 3
