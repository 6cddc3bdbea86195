"""One way to write dates, times and numbers for people: "1 Desember 2026 08.00 WITA", "22–25 Mei 2023",
"1.238", "96,9 %" (English: "1 December 2026 08.00 WITA", "1,238", "96.9%")."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask import has_request_context
from flask_babel import get_locale

# The three zones of Indonesia as people write them after a time (Pontianak keeps WIB): plain data
# about clocks, so the base owns it and app.regions uses it.
TZ_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}

MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def current_locale(locale: str | None = None) -> str:
    """The given locale, else the request's (outside a request, e.g. in a CLI command: Indonesian)."""
    if locale:
        return locale
    return str(get_locale() or "id") if has_request_context() else "id"


def format_day_month(value: date, locale: str | None = None) -> str:
    """22 Mei: a day of a class whose year is plain from the page (roster tabs, report columns)."""
    months = MONTHS_EN if current_locale(locale).startswith("en") else MONTHS_ID
    return f"{value.day} {months[value.month - 1]}"


def format_date(value: date | None, locale: str | None = None) -> str:
    """22 Mei 2023 (or 22 May 2023 in English)."""
    if value is None:
        return ""
    return f"{format_day_month(value, locale)} {value.year}"


def format_date_range(start: date, end: date, locale: str | None = None) -> str:
    """22–25 Mei 2023 · 29 Mei – 2 Juni 2023 · 30 Desember 2023 – 3 Januari 2024."""
    if start == end:
        return format_date(start, locale)
    full = format_date(end, locale)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{full}"
    if start.year == end.year:
        return f"{format_day_month(start, locale)} – {full}"
    return f"{format_date(start, locale)} – {full}"


def format_time(value: time | datetime) -> str:
    """08.00: Indonesian clock times use a dot (PUEBI), in both languages of the interface."""
    return f"{value:%H.%M}"


def format_datetime(
    value: datetime | None, tz: str = "Asia/Jakarta", locale: str | None = None, weekday: bool = False
) -> str:
    """22 Mei 2023 09.00 WITA (Senin, 22 Mei 2023 09.00 WITA with `weekday`): a moment shown in the
    given zone, with its label."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(tz))
    day = format_day_date(local.date(), locale) if weekday else format_date(local.date(), locale)
    return f"{day} {format_time(local)} {TZ_LABELS.get(tz, tz)}"


WEEKDAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def format_weekday(value: date | None, locale: str | None = None) -> str:
    """Senin … Minggu (Monday … Sunday in English)."""
    if value is None:
        return ""
    names = WEEKDAYS_EN if current_locale(locale).startswith("en") else WEEKDAYS_ID
    return names[value.weekday()]


def format_day_date(value: date | None, locale: str | None = None) -> str:
    """Senin, 22 Mei 2023: planners check the weekday of every date they set."""
    if value is None:
        return ""
    return f"{format_weekday(value, locale)}, {format_date(value, locale)}"


def format_day_range(start: date, end: date, locale: str | None = None) -> str:
    """Senin 22 – Kamis 25 Mei 2023 · Senin 29 Mei – Jumat 2 Juni 2023 · one day: Senin, 22 Mei 2023."""
    if start == end:
        return format_day_date(start, locale)
    full = f"{format_weekday(end, locale)} {format_date(end, locale)}"
    if (start.year, start.month) == (end.year, end.month):
        first = str(start.day)
    elif start.year == end.year:
        first = format_day_month(start, locale)
    else:
        first = format_date(start, locale)
    return f"{format_weekday(start, locale)} {first} – {full}"


def format_number(value: float | int | None, decimals: int = 0, locale: str | None = None) -> str:
    """1.238 · 96,9 (English: 1,238 · 96.9): thousands grouped, a fixed number of decimals."""
    if value is None:
        return ""
    locale = current_locale(locale)
    if isinstance(value, int) and not decimals and locale in ("id", "en"):
        # the two interface languages, without Babel's pattern machinery (a dashboard formats thousands)
        grouped = f"{value:,}"
        return grouped.replace(",", ".") if locale == "id" else grouped
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale)


def format_percent(value: float | int | None, decimals: int = 1, locale: str | None = None) -> str:
    """96,9 % for a value already in percent (96.9); whole numbers lose the decimals: 80 %.

    Indonesian writes a (non-breaking) space before the sign, English none."""
    if value is None:
        return ""
    locale = current_locale(locale)
    if decimals and float(value).is_integer():
        decimals = 0
    number = format_number(value, decimals, locale)
    return f"{number}%" if locale.startswith("en") else f"{number}\u00a0%"
