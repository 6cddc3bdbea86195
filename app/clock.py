"""The one clock of Sibimtek: every "now" and "today" in the app is read here.

Tests freeze it (`frozen(...)`), a demo can travel in time (`CLOCK_TRAVEL_TO`: the app starts at
that moment and time flows on from there), production reads the system clock. Signed links
(itsdangerous) keep the real clock: their expiry is about real elapsed time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

# The national default zone (WIB) for "today" when no venue is involved.
DEFAULT_ZONE = ZoneInfo("Asia/Jakarta")

_frozen: datetime | None = None
_offset = timedelta(0)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the clock needs an aware datetime (with a time zone)")
    return moment.astimezone(UTC)


def now() -> datetime:
    """Now, aware, in UTC."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC) + _offset


def today(zone: ZoneInfo | str | None = None) -> date:
    """Today's date in a zone (a venue's WIB/WITA/WIT), WIB by default."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else (zone or DEFAULT_ZONE)
    return now().astimezone(tz).date()


def freeze(moment: datetime | None) -> None:
    """Stop the clock at `moment` (None: back to the system clock, keeping no offset)."""
    global _frozen, _offset
    _frozen = None if moment is None else _aware(moment)
    _offset = timedelta(0)


def travel_to(moment: datetime) -> None:
    """Let time run on from `moment` as if the app had started then (demos, trying a date)."""
    global _frozen, _offset
    _frozen = None
    _offset = _aware(moment) - datetime.now(UTC)


def reset() -> None:
    freeze(None)


@contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """The clock stopped at `moment` inside the block."""
    global _frozen, _offset
    saved = (_frozen, _offset)
    freeze(moment)
    try:
        yield
    finally:
        _frozen, _offset = saved


def parse(text: str) -> datetime:
    """`2027-06-01`, `2027-06-01T09:00` (WIB) or with an offset, as an aware moment."""
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=DEFAULT_ZONE)
