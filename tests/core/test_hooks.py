"""Template hooks: a page's signal gathers what the domains above it add (core.hooks.template_values)."""

from __future__ import annotations

from typing import Any

import pytest
from blinker import Namespace

from app.core.hooks import template_values


def test_the_answers_of_every_receiver_make_the_template_values() -> None:
    page = Namespace().signal("a-page")

    def seats(sender: object, **_: Any) -> dict[str, int]:
        return {"seats": 3}

    def marking(sender: object, viewer: str, **_: Any) -> dict[str, str]:
        return {"can_mark": viewer}

    page.connect(seats)
    page.connect(marking)
    assert template_values(page, object(), viewer="fasilitator") == {"seats": 3, "can_mark": "fasilitator"}
    assert template_values(Namespace().signal("nobody-answers"), object()) == {}


def test_two_receivers_answering_the_same_name_is_an_error() -> None:
    page = Namespace().signal("a-page")

    def one(sender: object, **_: Any) -> dict[str, int]:
        return {"seats": 3}

    def other(sender: object, **_: Any) -> dict[str, int]:
        return {"seats": 4}

    page.connect(one)
    page.connect(other)
    with pytest.raises(RuntimeError, match="seats"):
        template_values(page, object())
