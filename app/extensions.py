"""Flask extensions, created once here and bound to the app in `create_app`."""

from __future__ import annotations

import enum
import logging
import os
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Connection, DateTime, Engine, Enum, MetaData, event
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from app import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose constraint names are stable, so Alembic can find them."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in time: stored as naive UTC on every backend, read back as aware UTC.

    SQLite keeps no time zone, so values are normalised on the way in and out; the views
    convert to the class's WIB/WITA/WIT zone for display.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def enum_column(enum_cls: type[enum.Enum], length: int = 20) -> Enum:
    """A portable string column holding an enum's values (not its member names)."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def utcnow() -> datetime:
    """Now, aware, in UTC, from the app's one clock (called per row: never a default evaluated
    once at import)."""
    return clock.now()


db = SQLAlchemy(model_class=Base)

# The base of every model. At run time Flask-SQLAlchemy's `db.Model` (our Base plus its session
# binding); type checkers cannot follow a base class made at run time (python/mypy#8603), so they see
# the declarative Base it is built from.
if TYPE_CHECKING:

    class Model(Base):
        __abstract__ = True

else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: object, connection_record: object) -> None:
    """SQLite as a transactional database that serialises writers: foreign keys enforced, WAL
    so readers never wait, and every transaction begun by SQLAlchemy as BEGIN IMMEDIATE, so two
    requests cannot both read a seat count and then both write (and SAVEPOINTs nest as on
    PostgreSQL). PostgreSQL gets row locks instead (see registration.seats)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        path = dbapi_connection.execute("PRAGMA database_list").fetchone()[2]  # "" for :memory:
        if path:
            _make_private(path)  # before WAL: SQLite gives its -wal and -shm files the database's mode
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute("PRAGMA busy_timeout = 30000")
        # Deleted and overwritten values (a purged phone, a NIK from before encryption) are
        # zeroed in the file, not left in free space (the default of some builds only).
        dbapi_connection.execute("PRAGMA secure_delete = ON")
        if path:
            dbapi_connection.execute("PRAGMA journal_mode = WAL")
            _make_private(path + "-wal", path + "-shm")


def _make_private(*paths: str) -> None:
    """The SQLite files hold everyone's personal data: readable and writable by the app's user only."""
    for path in paths:
        try:
            if os.path.exists(path) and os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
        except OSError as error:  # not ours to change: say so, keep working
            logging.getLogger(__name__).warning("cannot make %s private (0600): %s", path, error)


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
