"""The menu: which pages each role reaches from the header (domain knowledge, so not in app.core)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.roles import OVERSEERS, PLANNERS, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str


def nav_items() -> list[NavItem]:
    """The menu for the roles the current user holds."""
    catalogue = NavItem(str(_l("Katalog kelas")), "catalogue.index")
    if not current_user.is_authenticated:
        return [catalogue]
    items = [NavItem(str(_l("Beranda")), "reports.dashboard")]
    if current_user.has_role(*PLANNERS):
        items.append(NavItem(str(_l("Program")), "programmes.programmes"))
    if current_user.is_staff:
        items.append(NavItem(str(_l("Jadwal")), "programmes.schedule"))
    if current_user.has_role(*OVERSEERS):
        items.append(NavItem(str(_l("Perpustakaan")), "libraries.index"))
    if current_user.has_role(*OVERSEERS):
        # One entry (the header of an admin is full): coverage, and JP per person one tab away.
        items.append(NavItem(str(_l("Laporan")), "reports.coverage_page"))
    if current_user.has_role(Role.ADMIN):
        items.append(NavItem(str(_l("Pengguna")), "auth.users"))
        items.append(NavItem(str(_l("Kotak surat")), "mail.outbox"))
    if current_user.has_role(Role.PARTICIPANT):
        items.append(catalogue)
        items.append(NavItem(str(_l("Pendaftaran saya")), "registration.mine"))
    if current_user.has_role(*PLANNERS):
        items.append(NavItem(str(_l("Permintaan")), "registration.requests_page"))
    return items


def register(app: Flask) -> None:
    """`nav_items()` in every template (base.html draws the header from it)."""

    @app.context_processor
    def inject() -> dict[str, object]:
        return {"nav_items": nav_items}
