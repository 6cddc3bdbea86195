"""Key rotation: every encrypted value re-encrypted with the current key, look-up hashes recomputed.

Every column of type EncryptedString in the models is found by itself; a column whose `info`
names a hash column ("hashed_in") gets that hash recomputed from the decrypted value on --rehash.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Column, Table, bindparam, column, func, select, table, update

from app import crypto
from app.crypto import EncryptedString
from app.extensions import db


@dataclass(frozen=True)
class RotationStep:
    """Progress after one batch: `done` of `total` rows of `table` rewritten."""

    table: str
    done: int
    total: int


def encrypted_columns() -> list[tuple[Table, list[Column]]]:
    """The tables with encrypted columns, and those columns."""
    found = []
    for model_table in db.metadata.sorted_tables:
        columns = [c for c in model_table.columns if isinstance(c.type, EncryptedString)]
        if columns:
            found.append((model_table, columns))
    return found


def rotate_keys(*, rehash: bool = False, batch_size: int = 500) -> Iterator[RotationStep]:
    """Re-encrypt every encrypted value with the first of PII_KEYS (and with `rehash`, recompute the
    keyed hashes under PII_HASH_KEY), `batch_size` rows at a time; yields after each batch so the
    caller commits and reports. Values stay readable throughout: any listed key decrypts."""
    for model_table, columns in encrypted_columns():
        (pk,) = model_table.primary_key.columns
        hashes = {c.name: c.info["hashed_in"] for c in columns if rehash and c.info.get("hashed_in")}
        # Raw values, as stored: untyped columns, so nothing is decrypted on the way.
        raw = table(
            model_table.name, column(pk.name), *(column(c.name) for c in columns), *(column(h) for h in hashes.values())
        )
        key = raw.c[pk.name]
        targets = [c.name for c in columns] + list(hashes.values())
        statement = (
            update(raw).where(key == bindparam("row_key")).values({name: bindparam("new_" + name) for name in targets})
        )
        total = db.session.scalar(select(func.count()).select_from(raw)) or 0
        done, last = 0, None
        while True:
            query = select(key, *(raw.c[c.name] for c in columns)).order_by(key).limit(batch_size)
            rows = db.session.execute(query if last is None else query.where(key > last)).all()
            if not rows:
                break
            params = []
            for row in rows:
                values = row._mapping
                new = {"row_key": values[pk.name]}
                for c in columns:
                    token = values[c.name]
                    new["new_" + c.name] = crypto.rotate(token) if token else token
                for source, hash_column in hashes.items():
                    token = values[source]
                    new["new_" + hash_column] = crypto.keyed_hash(crypto.decrypt(token)) if token else None
                params.append(new)
            db.session.execute(statement, params)
            done, last = done + len(rows), rows[-1][0]
            yield RotationStep(model_table.name, done, total)
