"""Filters and globals for templates: dates and numbers (app.core.formatting), masking (the menu: app.navigation)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask, request, url_for
from flask_babel import get_locale
from wtforms import Field, Form

from app.core.formatting import (
    format_date,
    format_date_range,
    format_datetime,
    format_day_date,
    format_day_month,
    format_day_range,
    format_number,
    format_percent,
    format_time,
    format_weekday,
)
from app.core.text import fill_programme, sentence
from app.core.urls import external_url

__all__ = [
    "field_aria",
    "form_problems",
    "format_date",
    "format_date_range",
    "format_datetime",
    "format_day_date",
    "format_day_range",
    "format_weekday",
    "mask_nik",
    "mask_phone",
    "register",
]

GROUP_FIELDS = ("RadioField", "MultiCheckboxField")  # shown as a fieldset of options: the first one is the anchor


def field_aria(field: Field, help_text: object = None, extra: dict[str, object] | None = None) -> dict[str, object]:
    """The attributes of a field's input: the caller's, plus aria-invalid when it has errors and
    aria-describedby naming its error message and help text (ids "<id>-error", "<id>-help")."""
    attrs = dict(extra or {})
    described = [str(attrs.pop("aria-describedby"))] if attrs.get("aria-describedby") else []
    if field.errors:
        described.append(f"{field.id}-error")
        attrs["aria-invalid"] = "true"
    if help_text:
        described.append(f"{field.id}-help")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs


@dataclass(frozen=True)
class SummaryItem:
    target: str | None  # id of the element the summary links to; None for a problem of the whole form
    message: str


def form_problems(
    form: Form, order: Iterable[str] | None = None, targets: dict[str, str] | None = None
) -> list[SummaryItem]:
    """Every error of a form for its summary: fields in page order (`order` first, then the form's own), each
    linked to its input (the first option of a group; `targets` overrides), then the form's own errors."""
    targets = targets or {}
    first = [name for name in (order or []) if name in form]
    names = first + [f.short_name for f in form if f.short_name not in first]  # short: without the form's prefix
    found: list[tuple[Field, str]] = []
    for name in names:
        field = form[name]
        if isinstance(field.errors, list | tuple):  # (a FormField's errors are a dict: its own fields say them)
            found.extend((field, str(message)) for message in field.errors)
    # A message two fields share ("Tanggal tidak valid.") is told apart by the field's label.
    counts = Counter(message for _field, message in found)
    problems = [
        SummaryItem(
            targets.get(field.short_name) or (f"{field.id}-0" if field.type in GROUP_FIELDS else field.id),
            f"{field.label.text}: {message}" if counts[message] > 1 else message,
        )
        for field, message in found
    ]
    problems.extend(SummaryItem(None, str(message)) for message in getattr(form, "form_errors", []))
    return problems


def mask_nik(nik: str | None) -> str:
    """5271••••••••0001: a NIK is never shown in full after entry."""
    if not nik:
        return ""
    return nik[:4] + "•" * max(len(nik) - 8, 0) + nik[-4:]


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    return phone[:6] + "•" * max(len(phone) - 9, 0) + phone[-3:]


def register(app: Flask) -> None:
    app.jinja_env.filters["date_id"] = format_date
    app.jinja_env.filters["day_month"] = format_day_month
    app.jinja_env.filters["time_hm"] = format_time
    app.jinja_env.filters["datetime_tz"] = format_datetime
    app.jinja_env.globals["date_range"] = format_date_range
    app.jinja_env.filters["weekday_id"] = format_weekday
    app.jinja_env.filters["day_date_id"] = format_day_date
    app.jinja_env.globals["day_range"] = format_day_range
    app.jinja_env.filters["iso_to_date_id"] = lambda iso: format_date(date.fromisoformat(iso), "id")
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["sentence"] = sentence
    app.jinja_env.filters["fill_programme"] = fill_programme
    app.jinja_env.globals["field_aria"] = field_aria
    app.jinja_env.globals["form_problems"] = form_problems
    app.jinja_env.globals["external_url"] = external_url
    app.jinja_env.filters["mask_nik"] = mask_nik
    app.jinja_env.filters["mask_phone"] = mask_phone

    @app.context_processor
    def inject() -> dict[str, object]:
        def url_with(**changes: object) -> str:
            """The current page's URL with some query arguments changed (for filters, pages)."""
            args: dict[str, Any] = request.args.to_dict()
            args.update({k: v for k, v in changes.items() if v is not None})
            for key in [k for k, v in changes.items() if v is None]:
                args.pop(key, None)
            values: dict[str, Any] = {**(request.view_args or {}), **args}
            return url_for(request.endpoint or "core.index", **values)

        return {
            "current_locale": str(get_locale() or "id"),
            "languages": app.config["LANGUAGES"],
            "url_with": url_with,
        }
