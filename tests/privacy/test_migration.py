"""NIK/NIP at rest in a SQLite file with the demo loaded: not in the file's bytes; migration 0012
encrypts the plaintext of an 0009 database (hashes filled, the unique index on the hash, nothing
that refers to a registration lost, nothing left in freed space) and the downgrade decrypts it.
These tests make their own SQLite database, whatever DATABASE_URL the suite runs on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, make_url, select, text
from sqlalchemy.exc import IntegrityError

from app import create_app, crypto
from app.attendance.models import AttendanceMark
from app.certificates.models import Certificate
from app.extensions import db
from app.regions.services import load_regions
from app.registration.models import Registration, nik_matches

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def _raw(column: str) -> dict[int, str | None]:
    return dict(db.session.execute(text(f"SELECT id, {column} FROM registrations")).tuples().all())  # noqa: S608


def _referring() -> tuple[int, int]:
    """Rows of other tables that point at registrations: they must survive table rebuilds."""
    return (
        db.session.scalar(select(func.count()).select_from(AttendanceMark)),
        db.session.scalar(
            select(func.count()).select_from(Certificate).where(Certificate.registration_id.is_not(None))
        ),
    )


@pytest.fixture
def demo_app(tmp_path: Path) -> Flask:
    """A separate SQLite database with the demo loaded (registrations, marks, certificates)."""
    other = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrate.db'}", "SERVER_NAME": None}
    )
    with other.app_context():
        upgrade(directory=MIGRATIONS)
        load_regions()
        db.session.commit()
    result = other.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _file_bytes(app: Flask) -> bytes:
    """The SQLite database as it lies on disk, its write-ahead log moved in first."""
    db.session.remove()
    with db.engine.connect() as conn:  # outside a transaction, as SQLite requires
        conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_the_database_file_holds_no_registered_nik_or_nip(demo_app: Flask) -> None:
    with demo_app.app_context():
        people = [(r.full_name, r.nik, r.nip) for r in db.session.scalars(select(Registration))]
        content = _file_bytes(demo_app)
    assert any(name.encode() in content for name, _nik, _nip in people)  # the rows are in these bytes…
    for _name, nik, nip in people:  # …their NIK and NIP are not
        assert nik.encode() not in content
        assert nip is None or nip.encode() not in content


def test_an_0009_database_is_encrypted_by_the_upgrade_and_decrypted_by_the_downgrade(demo_app: Flask) -> None:
    with demo_app.app_context():
        people = {r.id: (r.nik, r.nip) for r in db.session.scalars(select(Registration))}
        referring = _referring()
        assert len(people) > 20
        assert any(nip for _nik, nip in people.values())
        assert all(referring)
        db.session.remove()

        downgrade(directory=MIGRATIONS, revision="0009")  # as a database made before encryption
        assert _raw("nik") == {i: nik for i, (nik, _nip) in people.items()}
        assert _raw("nip") == {i: nip for i, (_nik, nip) in people.items()}
        assert _referring() == referring
        db.session.remove()

        upgrade(directory=MIGRATIONS)
        raw_niks, raw_nips = _raw("nik"), _raw("nip")
        for registration_id, (nik, nip) in people.items():
            assert nik not in raw_niks[registration_id]
            assert not re.search(r"[0-9]{10}", raw_niks[registration_id])
            assert crypto.decrypt(raw_niks[registration_id]) == nik
            assert (raw_nips[registration_id] is None) == (nip is None)
            if nip:
                assert nip not in raw_nips[registration_id]
        assert _raw("nik_hash") == {i: crypto.keyed_hash(nik) for i, (nik, _nip) in people.items()}
        assert _referring() == referring  # no cascade from rebuilding the registrations table
        assert {r.id: (r.nik, r.nip) for r in db.session.scalars(select(Registration))} == people
        content = _file_bytes(demo_app)
        leaked = [nik for nik, nip in people.values() if nik.encode() in content or (nip and nip.encode() in content)]
        assert leaked == []  # not even in the space the plaintext table left behind

        # The one-NIK-per-programme rule now holds on the hash, in the database itself.
        holder = db.session.scalar(select(Registration).where(Registration.status == "approved").limit(1))
        assert db.session.scalar(select(Registration.id).where(nik_matches(holder.nik))) == holder.id
        copy = Registration(
            **{
                c.key: getattr(holder, c.key)
                for c in Registration.__mapper__.column_attrs
                if c.key not in ("id", "nik_hash")
            }
        )
        db.session.add(copy)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
