"""NIK and NIP encrypted at rest (issue #12 item 6): ciphertext in the database and its file, plain
values in Python, uniqueness and look-ups through the keyed hash, key rotation, private files."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from flask import Flask
from sqlalchemy import make_url, select, text
from sqlalchemy.exc import IntegrityError

from app import create_app, crypto
from app.core.roles import Role
from app.errors import DuplicateRegistration
from app.extensions import db
from app.privacy import rights
from app.registration.models import Registration, nik_matches
from config import BASE_DIR
from tests.conftest import production_config
from tests.fixtures_registration import make_nik, person

NIP = "199008052015031001"


def _raw(registration_id: int) -> tuple[str, str | None, str | None]:
    return db.session.execute(
        text("SELECT nik, nip, nik_hash FROM registrations WHERE id = :id"), {"id": registration_id}
    ).one()


def _db_file(app: Flask) -> Path:
    return Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)


def test_the_database_holds_ciphertext_and_the_code_reads_the_plain_nik(app, open_class, register) -> None:
    rid = register(open_class(), 1, nip=NIP)
    nik = make_nik("52", 1)
    with app.app_context():
        raw_nik, raw_nip, nik_hash = _raw(rid)
        for raw, plain in ((raw_nik, nik), (raw_nip, NIP)):
            assert plain not in raw
            assert plain[:6] not in raw
            assert plain[-6:] not in raw
            assert not re.search(r"[0-9]{10}", raw)  # no run of NIK-like digits either
            assert crypto.decrypt(raw) == plain
        assert re.fullmatch(r"[0-9a-f]{64}", nik_hash)
        assert nik not in nik_hash
        registration = db.session.get(Registration, rid)
        assert (registration.nik, registration.nip) == (nik, NIP)
        assert db.session.scalar(select(Registration.id).where(nik_matches(nik))) == rid


def test_comparing_the_encrypted_column_in_sql_is_refused(app_ctx) -> None:
    """A leftover `Registration.nik == nik` would silently match nothing: it fails loudly instead."""
    for compare in (
        lambda c: c == "5271014508900001",
        lambda c: c != "x",
        lambda c: c.in_(["x"]),
        lambda c: c.like("5271%"),
        lambda c: c.ilike("%0001"),
    ):
        with pytest.raises(TypeError, match="nik_matches"):
            compare(Registration.nik)
    assert db.session.scalar(select(Registration.id).where(Registration.nik.is_(None))) is None


def test_a_second_registration_with_the_same_nik_is_refused_by_the_service_and_the_index(
    app, open_class, register, library
) -> None:
    class_id = open_class()
    rid = register(class_id, 1)
    with pytest.raises(DuplicateRegistration):
        register(class_id, 1)
    with app.app_context():
        original = db.session.get(Registration, rid)
        copy = Registration(
            **{
                c.key: getattr(original, c.key)
                for c in Registration.__mapper__.column_attrs
                if c.key not in ("id", "nik_hash")
            }
        )
        assert copy.nik_hash == original.nik_hash  # set with the NIK
        db.session.add(copy)
        with pytest.raises(IntegrityError, match="nik_hash"):
            db.session.flush()
        db.session.rollback()


def test_organisers_find_a_person_by_the_whole_nik_only(app, client, login_as, open_class, register) -> None:
    class_id = open_class()
    register(class_id, 1)
    register(class_id, 2)
    login_as(Role.ORGANISER)
    nik = make_nik("52", 1)
    url = f"/kelola/kelas/{class_id}/pendaftar"
    spaced = f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}"
    found = client.get(url, query_string={"q": spaced}).get_data(as_text=True)
    assert "Peserta 0001" in found
    assert "Peserta 0002" not in found
    partial = client.get(url, query_string={"q": nik[:10]}).get_data(as_text=True)
    assert "Peserta 0001" not in partial
    by_name = client.get(url, query_string={"q": "peserta 0002"}).get_data(as_text=True)
    assert "Peserta 0002" in by_name
    assert "Peserta 0001" not in by_name


def test_without_configured_keys_they_are_derived_from_secret_key(app) -> None:
    with app.app_context():
        token, digest = crypto.encrypt("5271014508900001"), crypto.keyed_hash("5271014508900001")
    same = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    with same.app_context():  # another process of the same deployment: the same keys
        assert crypto.decrypt(token) == "5271014508900001"
        assert crypto.keyed_hash("5271014508900001") == digest
    other = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "another-secret"}
    )
    with other.app_context():
        with pytest.raises(crypto.UndecryptableValue):
            crypto.decrypt(token)
        assert crypto.keyed_hash("5271014508900001") != digest
    # Two keys for two purposes: the hash key is not the encryption key.
    assert crypto._hash_key(app.config) != crypto._derive(app.config["SECRET_KEY"], crypto._ENCRYPTION_INFO)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({}, "PII_KEYS"),
        ({"PII_KEYS": "not-a-key", "PII_HASH_KEY": "h" * 40}, "PII_KEYS"),
        ({"PII_KEYS": Fernet.generate_key().decode()}, "PII_HASH_KEY"),
        ({"PII_KEYS": Fernet.generate_key().decode(), "PII_HASH_KEY": "short"}, "PII_HASH_KEY"),
    ],
)
def test_production_refuses_to_start_without_explicit_keys(tmp_path, keys: dict, message: str) -> None:
    no_keys = production_config(tmp_path, PII_KEYS=None, PII_HASH_KEY=None)

    for key, value in keys.items():
        setattr(no_keys, key, value)
    with pytest.raises(RuntimeError, match=message) as refused:
        create_app(no_keys)
    assert "flask privacy keygen" in str(refused.value)


def test_keygen_prints_keys_production_accepts(runner) -> None:
    output = runner.invoke(args=["privacy", "keygen"]).output
    keys = dict(re.findall(r"^(PII_KEYS|PII_HASH_KEY)=(\S+)$", output, re.MULTILINE))
    assert crypto.check_keys(keys) is None


def test_rotating_keys_re_encrypts_everything_with_the_new_key(app, runner, open_class, register, monkeypatch) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "PII_KEYS", old)
    class_id = open_class()
    ids = [register(class_id, 1, nip=NIP), register(class_id, 2), register(class_id, 3)]
    monkeypatch.setitem(app.config, "PII_KEYS", f"{new},{old}")  # the new key first, the old still reads
    with app.app_context():
        assert db.session.get(Registration, ids[0]).nik == make_nik("52", 1)
        before = {rid: _raw(rid) for rid in ids}
    result = runner.invoke(args=["privacy", "rotate-keys", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "registrations: 2/3" in result.output
    assert "registrations: 3/3" in result.output
    monkeypatch.setitem(app.config, "PII_KEYS", new)  # the old key removed
    with app.app_context():
        for rid in ids:
            raw_nik, raw_nip, nik_hash = _raw(rid)
            assert raw_nik != before[rid][0]
            assert nik_hash == before[rid][2]
            Fernet(new).decrypt(raw_nik.encode())
            with pytest.raises(InvalidToken):
                Fernet(old).decrypt(raw_nik.encode())
        registration = db.session.get(Registration, ids[0])
        assert (registration.nik, registration.nip) == (make_nik("52", 1), NIP)


def test_a_new_hash_key_needs_a_rehash_to_find_people_again(app, runner, open_class, register, monkeypatch) -> None:
    class_id = open_class()
    rid = register(class_id, 1)
    monkeypatch.setitem(app.config, "PII_HASH_KEY", "a-brand-new-hash-key-" + "x" * 20)
    with app.app_context():
        assert db.session.scalar(select(Registration.id).where(nik_matches(make_nik("52", 1)))) is None
    result = runner.invoke(args=["privacy", "rotate-keys", "--rehash"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(Registration.id).where(nik_matches(make_nik("52", 1)))) == rid
    with pytest.raises(DuplicateRegistration):  # the one-NIK rule holds under the new key
        register(class_id, 1)


def test_the_instance_folder_and_the_database_file_are_private(app, tmp_path) -> None:
    instance = BASE_DIR / "instance"
    instance.chmod(0o755)
    path = tmp_path / "fresh.db"
    fresh = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    assert stat.S_IMODE(os.stat(instance).st_mode) == 0o700
    with fresh.app_context():
        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.commit()
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(f"{path}-wal").st_mode) == 0o600
        db.engine.dispose()
    path.chmod(0o644)  # a database made before: private once the app opens it
    with fresh.app_context():
        db.session.execute(text("SELECT 1"))
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        db.engine.dispose()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert stat.S_IMODE(os.stat(_db_file(app)).st_mode) == 0o600  # the suite's own database


def test_the_service_keeps_the_hash_with_the_nik_on_correction(app, open_class, register, make_user) -> None:
    owner = make_user(Role.PARTICIPANT)
    class_id = open_class()
    rid = register(class_id, 1, user=owner)
    with app.app_context(), app.test_request_context():
        registration = db.session.get(Registration, rid)
        registration.status = registration.status.SUBMITTED
        corrected = person(9)
        rights.correct_data(registration, corrected, db.session.get(type(registration.user), owner.id))
        db.session.commit()
        assert db.session.scalar(select(Registration.id).where(nik_matches(make_nik("52", 9)))) == rid
        assert db.session.scalar(select(Registration.id).where(nik_matches(make_nik("52", 1)))) is None
