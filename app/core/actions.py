"""The common tail of a POST view: run a service call, then commit and say so, or roll back and
show the domain error — so a refusal is an Indonesian message (on the form's fields, or flashed),
never a 500, and the view keeps only: load → authorise → validate → this → redirect."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from flask import flash

from app.core.forms import show_domain_error
from app.errors import DomainError
from app.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Accepted(Generic[T]):
    """The service accepted the POST and the transaction was committed; `result` is what it returned."""

    result: T
    ok: Literal[True] = True
    error: None = None

    def __bool__(self) -> Literal[True]:
        return True


@dataclass(frozen=True)
class Refused:
    """The service refused (rolled back, problems shown); `error` is its refusal (a view may add to
    the page for some, e.g. a link to claim a NIK)."""

    error: DomainError
    result: None = None
    ok: Literal[False] = False

    def __bool__(self) -> Literal[False]:
        return False


Outcome = Accepted[T] | Refused  # `if done:` narrows to Accepted (type checkers read __bool__)


def commit_or_flash(
    action: Callable[[], T],
    success: str | Callable[[T], str] | None,
    *,
    form: Any = None,
    aliases: Mapping[str, str] | None = None,
) -> Outcome[T]:
    """Run `action`. Accepted: commit, flash `success` (text, or made from the result; None flashes
    nothing) and return a true Outcome with the result. Refused (a DomainError): roll back and show
    every problem — on the fields of `form` when one is given (`aliases` maps a problem's field name to
    the form's), flashed otherwise — and return a false Outcome, so the view shows its page again."""
    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        if form is not None:
            show_domain_error(form, exc, dict(aliases) if aliases else None)
        else:
            for problem in exc.problems:  # every problem of a ValidationFailed, not only the first
                flash(problem.message, "danger")
        return Refused(error=exc)
    db.session.commit()
    if success is not None:
        flash(success(result) if callable(success) else success, "success")
    return Accepted(result)
