"""Filters and globals for templates: dates in Indonesian, zone labels, masking, navigation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.regions.models import TZ_LABELS

MONTHS_ID = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]
MONTHS_EN = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]


def format_date(value: date | None, locale: str | None = None) -> str:
    """22 Mei 2023 (or 22 May 2023 in English)."""
    if value is None:
        return ""
    locale = locale or str(get_locale() or "id")
    months = MONTHS_EN if locale.startswith("en") else MONTHS_ID
    return f"{value.day} {months[value.month - 1]} {value.year}"


WEEKDAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def format_day(value: date | None, locale: str | None = None) -> str:
    """Selasa, 23 Mei 2023: a class day as people say it."""
    if value is None:
        return ""
    locale = locale or str(get_locale() or "id")
    weekdays = WEEKDAYS_EN if locale.startswith("en") else WEEKDAYS_ID
    return f"{weekdays[value.weekday()]}, {format_date(value, locale)}"


def format_date_range(start: date, end: date, locale: str | None = None) -> str:
    """22–25 Mei 2023 · 29 Mei – 2 Juni 2023 · 30 Desember 2023 – 3 Januari 2024."""
    if start == end:
        return format_date(start, locale)
    full = format_date(end, locale)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{full}"
    if start.year == end.year:
        return f"{format_date(start, locale).rsplit(' ', 1)[0]} – {full}"
    return f"{format_date(start, locale)} – {full}"


def format_datetime(value: datetime | None, tz: str = "Asia/Jakarta") -> str:
    """22 Mei 2023 09.00 WITA: a moment shown in the given zone, with its label."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(tz))
    return f"{format_date(local.date())} {local:%H.%M} {TZ_LABELS.get(tz, tz)}"


def mask_nik(nik: str | None) -> str:
    """5271••••••••0001: a NIK is never shown in full after entry."""
    if not nik:
        return ""
    return nik[:4] + "•" * max(len(nik) - 8, 0) + nik[-4:]


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    return phone[:6] + "•" * max(len(phone) - 9, 0) + phone[-3:]


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str


def nav_items() -> list[NavItem]:
    """The menu for the roles the current user holds."""
    from app.auth.models import Role

    catalogue = NavItem(str(_l("Katalog kelas")), "catalogue.index")
    if not current_user.is_authenticated:
        return [catalogue]
    items = [NavItem(str(_l("Beranda")), "core.dashboard")]
    if current_user.has_role(Role.ADMIN, Role.ORGANISER):
        items.append(NavItem(str(_l("Program")), "programmes.programmes"))
    if current_user.is_staff:
        items.append(NavItem(str(_l("Jadwal")), "programmes.schedule"))
    if current_user.has_role(Role.ADMIN, Role.ORGANISER, Role.COORDINATOR):
        items.append(NavItem(str(_l("Perpustakaan")), "libraries.index"))
    if current_user.has_role(Role.ADMIN):
        items.append(NavItem(str(_l("Pengguna")), "auth.users"))
        items.append(NavItem(str(_l("Kotak surat")), "mail.outbox"))
    if current_user.has_role(Role.PARTICIPANT):
        items.append(catalogue)
        items.append(NavItem(str(_l("Pendaftaran saya")), "registration.mine"))
    if current_user.has_role(Role.ADMIN, Role.ORGANISER):
        items.append(NavItem(str(_l("Permintaan")), "registration.requests_page"))
    return items


def register(app: Flask) -> None:
    app.jinja_env.filters["date_id"] = format_date
    app.jinja_env.filters["day_id"] = format_day
    app.jinja_env.filters["datetime_tz"] = format_datetime
    app.jinja_env.globals["date_range"] = format_date_range
    app.jinja_env.filters["iso_to_date_id"] = lambda iso: format_date(date.fromisoformat(iso), "id")
    app.jinja_env.filters["mask_nik"] = mask_nik
    app.jinja_env.filters["mask_phone"] = mask_phone

    @app.context_processor
    def inject() -> dict[str, object]:
        def url_with(**changes: object) -> str:
            """The current page's URL with some query arguments changed (for filters, pages)."""
            args = request.args.to_dict()
            args.update({k: v for k, v in changes.items() if v is not None})
            for key in [k for k, v in changes.items() if v is None]:
                args.pop(key, None)
            return url_for(request.endpoint or "core.index", **(request.view_args or {}), **args)

        return {
            "nav_items": nav_items,
            "current_locale": str(get_locale() or "id"),
            "languages": app.config["LANGUAGES"],
            "url_with": url_with,
        }
