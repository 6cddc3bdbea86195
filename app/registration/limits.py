"""How often people may submit registration data (the registration form, corrections, NIK
claims): per account and per address, POSTs only, counted together across those forms — a limit on
how fast anyone can try NIKs against a programme. Only a submit whose form was valid counts (only
such a one reaches the NIK check): a person correcting typos is never held up. The address limit
is the higher one: a whole office often registers from one connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, g
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.extensions import limiter

F = TypeVar("F", bound=Callable[..., Any])


def _account_key() -> str:
    return f"registration-account:{current_user.get_id() or get_remote_address()}"


def count_this_submit() -> None:
    """The view's form was valid: this submit counts towards the limits."""
    g.registration_submit_counts = True


def _counts(response: object) -> bool:
    return bool(g.get("registration_submit_counts"))


_per_account = limiter.shared_limit(
    lambda: current_app.config["REGISTRATION_LIMIT_PER_ACCOUNT"],
    scope="registration-account",
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_counts,
)
_per_address = limiter.shared_limit(
    lambda: current_app.config["REGISTRATION_LIMIT_PER_ADDRESS"],
    scope="registration-address",
    methods=["POST"],
    deduct_when=_counts,
)


def submit_limits(view: F) -> F:
    """Both limits on a view that takes registration data."""
    return cast(F, _per_address(_per_account(view)))
