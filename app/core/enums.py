"""One enum base for values people read: each member carries its translated label."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Self

from flask_babel import LazyString


class LabelledStrEnum(enum.StrEnum):
    """A StrEnum whose members are declared with their label, `HADIR = "hadir", _l("Hadir")`.

    The value is what the database stores (the column type does not change); `.label` is the label
    in the current language, and `choices()` gives (value, lazy label) pairs for select fields, whose
    labels are translated when shown, not when the form class is defined."""

    _lazy_label: LazyString | str

    def __new__(cls, value: str, label: LazyString | str | None = None) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._lazy_label = value if label is None else label
        return member

    @property
    def label(self) -> str:
        return str(self._lazy_label)

    @classmethod
    def choices(cls, members: Iterable[Self] | None = None) -> list[tuple[str, LazyString | str]]:
        """(value, lazy label) of every member, or of `members` in their order."""
        return [(member.value, member._lazy_label) for member in (cls if members is None else members)]
