"""Template hooks, as Indico's: a page of a lower domain asks the domains above it what they add to
it through a blinker signal, so it shows their figures without importing them."""

from __future__ import annotations

from typing import Any

from blinker import Signal


def template_values(signal: Signal, sender: Any, **kwargs: Any) -> dict[str, Any]:
    """Send `signal` and merge what its receivers return: each a dict of template names to values.
    Two receivers answering the same name is a programming error, not a choice to make silently."""
    values: dict[str, Any] = {}
    for receiver, answer in signal.send(sender, **kwargs):
        clash = sorted(values.keys() & answer.keys())
        if clash:
            raise RuntimeError(f"{getattr(signal, 'name', signal)}: {receiver!r} answers {clash} again")
        values.update(answer)
    return values
