"""The common tail of a POST view: run a service call, then commit and say so, or roll back and
show the domain error — so a refusal is a flashed Indonesian message, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash

from app.errors import DomainError
from app.extensions import db


def commit_or_flash(action: Callable[[], Any], success: str | Callable[[Any], str]) -> bool:
    """Run `action`; on success commit and flash `success` (text, or made from the result)."""
    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        for problem in exc.problems:  # every problem of a ValidationFailed, not only the first
            flash(problem.message, "danger")
        return False
    db.session.commit()
    flash(success(result) if callable(success) else success, "success")
    return True
