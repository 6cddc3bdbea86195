"""Recording changes: the old → new values come from SQLAlchemy's attribute history."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, cast

from sqlalchemy import inspect, select
from sqlalchemy.orm import InstanceState

from app.audit.models import ACCESS_ACTIONS, AuditEntry
from app.auth.models import User
from app.extensions import db


def _display(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return sorted(_display(v) for v in value)
    return value


def pending_changes(obj: object, fields: list[str] | None = None) -> dict[str, list[Any]]:
    """{column: [old, new]} of the unflushed changes of `obj`'s plain columns."""
    state = cast("InstanceState[Any]", inspect(obj))  # a mapped object: never None
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        if fields is not None and attr.key not in fields:
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if _display(old) != _display(new):
                changes[attr.key] = [_display(old), _display(new)]
    return changes


def record(obj: Any, action: str, by: User | None, changes: dict[str, list[Any]] | None = None) -> AuditEntry | None:
    """Add an audit entry for `obj` (flushed so it has an id); nothing for an empty update."""
    if action == "updated" and not changes:
        return None
    db.session.flush()
    entry = AuditEntry(
        user_id=by.id if by is not None else None,
        object_type=obj.__tablename__,
        object_id=obj.id,
        action=action,
        changes=changes or {},
    )
    db.session.add(entry)
    return entry


def history(obj: Any, limit: int = 50) -> list[AuditEntry]:
    """The newest changes of `obj`, newest first (its accesses are in the admins' access log)."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.object_type == obj.__tablename__,
                AuditEntry.object_id == obj.id,
                AuditEntry.action.not_in(ACCESS_ACTIONS),
            )
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )


def record_event(object_type: str, action: str, by: User | None, changes: dict[str, list[Any]]) -> AuditEntry:
    """An entry about a run over many objects rather than one (e.g. a retention purge): object_id 0."""
    entry = AuditEntry(
        user_id=by.id if by is not None else None, object_type=object_type, object_id=0, action=action, changes=changes
    )
    db.session.add(entry)
    db.session.flush()
    return entry
