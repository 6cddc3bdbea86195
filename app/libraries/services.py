"""Library rules: normalised names, region consistency, verification, search."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, select

from app.auth.models import User
from app.errors import DuplicateLibrary, InvalidRegion
from app.extensions import db
from app.libraries.models import Library, LibraryStatus, LibraryType
from app.regions import services as regions
from app.regions.models import Regency

# Spellings people use for the same words, folded before comparing names.
_ABBREVIATIONS = {
    "perpus": "perpustakaan",
    "perpusdes": "perpustakaan desa",
    "perpusda": "perpustakaan daerah",
    "pusdes": "perpustakaan desa",
    "kab": "kabupaten",
    "kel": "kelurahan",
    "kec": "kecamatan",
    "prov": "provinsi",
    "dispusip": "dinas perpustakaan dan kearsipan",
    "tbm": "taman bacaan masyarakat",
}
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_name(name: str) -> str:
    """'Perpus. Desa  Sukamaju' and 'perpustakaan desa sukamaju' normalise alike."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = _NON_WORD.sub(" ", ascii_name.lower()).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


@dataclass
class LibraryData:
    name: str
    type: LibraryType
    regency_code: str
    district_code: str | None = None
    village_code: str | None = None
    address: str | None = None
    npp: str | None = None


def _check_regions(data: LibraryData) -> None:
    if db.session.get(Regency, data.regency_code) is None:
        raise InvalidRegion(_("Kabupaten/kota tidak dikenal."))
    if data.district_code and not regions.is_child_of(data.district_code, data.regency_code):
        raise InvalidRegion(_("Kecamatan tidak berada di kabupaten/kota yang dipilih."))
    if data.village_code and not (
        data.district_code and regions.is_child_of(data.village_code, data.district_code)
    ):
        raise InvalidRegion(_("Desa/kelurahan tidak berada di kecamatan yang dipilih."))


def _check_unique(library: Library) -> None:
    if library.status is not LibraryStatus.VERIFIED:
        return
    query = select(Library.id).where(
        Library.regency_code == library.regency_code,
        Library.normalized_name == library.normalized_name,
        Library.status == LibraryStatus.VERIFIED,
    )
    if library.id is not None:
        query = query.where(Library.id != library.id)
    clash = db.session.scalar(query.limit(1))
    if clash is not None:
        raise DuplicateLibrary()


def _apply(library: Library, data: LibraryData) -> None:
    _check_regions(data)
    library.name = " ".join(data.name.split())
    library.normalized_name = normalise_name(data.name)
    library.type = data.type
    library.regency_code = data.regency_code
    library.district_code = data.district_code or None
    library.village_code = data.village_code or None
    library.address = data.address or None
    library.npp = data.npp or None


def create_library(data: LibraryData, *, status: LibraryStatus, by: User | None) -> Library:
    library = Library(status=status, created_by_id=by.id if by else None)
    _apply(library, data)
    _check_unique(library)
    db.session.add(library)
    db.session.flush()
    return library


def update_library(library: Library, data: LibraryData, *, status: LibraryStatus) -> None:
    with db.session.no_autoflush:
        _apply(library, data)
        library.status = status
        _check_unique(library)
    db.session.flush()


def verify_library(library: Library) -> None:
    with db.session.no_autoflush:
        library.status = LibraryStatus.VERIFIED
        _check_unique(library)
    db.session.flush()


def library_query(
    *,
    q: str = "",
    province_code: str | None = None,
    regency_code: str | None = None,
    type: LibraryType | None = None,  # noqa: A002 - the domain's word
    status: LibraryStatus | None = None,
) -> Select[tuple[Library]]:
    """Libraries filtered as the list page and the search API need them, name order."""
    query = select(Library).join(Library.regency).order_by(Library.name, Library.id)
    if q:
        query = query.where(Library.normalized_name.contains(normalise_name(q)))
    if province_code:
        query = query.where(Regency.province_code == province_code)
    if regency_code:
        query = query.where(Library.regency_code == regency_code)
    if type:
        query = query.where(Library.type == type)
    if status:
        query = query.where(Library.status == status)
    return query


def search_verified(regency_code: str, q: str, limit: int = 20) -> list[Library]:
    """Search-as-you-type over the verified libraries of one regency."""
    query = library_query(q=q, regency_code=regency_code, status=LibraryStatus.VERIFIED)
    return list(db.session.scalars(query.limit(limit)))
