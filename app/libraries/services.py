"""Library rules: normalised names, region consistency, verification, search."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from app.auth.models import User
from app.errors import DomainError, DuplicateLibrary, InvalidRegion
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
    if data.village_code and not (data.district_code and regions.is_child_of(data.village_code, data.district_code)):
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
    """Libraries filtered as the list page and the search API need them, name order; each with its
    regency (from the join) and province, which the list and the export show."""
    query = (
        select(Library)
        .join(Library.regency)
        .options(contains_eager(Library.regency).joinedload(Regency.province))
        .order_by(Library.name, Library.id)
    )
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


# --- finding a library from an import row ------------------------------------------------------------

_REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$", re.ASCII)
_VILLAGE_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$", re.ASCII)
_REGENCY_PREFIXES = ("", "kabupaten ", "kota ", "kota administrasi ", "kabupaten administrasi ")


class LibraryNotFound(DomainError):
    """No single verified library matches what a row says; the message lists the candidates."""


def _library_label(library: Library) -> str:
    return _("%(name)s (id %(id)s, %(regency)s)", name=library.name, id=library.id, regency=library.regency.name)


def find_regency(value: str, prefer_provinces: Iterable[str] = ()) -> Regency:
    """A regency by Kemendagri code (52.71) or by name ("Kota Mataram", "Lombok Timur", "Kab. Bima");
    a name several regencies share is settled by the preferred provinces, else refused."""
    value = value.strip()
    if _REGENCY_CODE.match(value):
        regency = db.session.get(Regency, value)
        if regency is None:
            raise LibraryNotFound(_("kode kabupaten/kota %(code)s tidak dikenal.", code=value))
        return regency
    wanted = normalise_name(value)
    everyone = list(db.session.scalars(select(Regency).order_by(Regency.code)))
    found = [r for r in everyone if normalise_name(r.name) == wanted]
    if not found:
        found = [r for r in everyone if normalise_name(r.name) in {p + wanted for p in _REGENCY_PREFIXES}]
    preferred = set(prefer_provinces)
    if len(found) > 1 and preferred:
        found = [r for r in found if r.province_code in preferred] or found
    if len(found) == 1:
        return found[0]
    if not found:
        raise LibraryNotFound(_('kabupaten/kota "%(name)s" tidak dikenal; tulis kodenya, mis. 52.71.', name=value))
    raise LibraryNotFound(
        _(
            '"%(name)s" cocok dengan beberapa kabupaten/kota: %(list)s. Tulis kodenya.',
            name=value,
            list=", ".join(f"{r.name} ({r.code})" for r in found),
        )
    )


def find_library(
    *,
    library_id: int | None = None,
    name: str = "",
    regency: str = "",
    village_code: str = "",
    prefer_provinces: Iterable[str] = (),
) -> Library:
    """The verified library a nomination row means: by id; or by the village (Kemendagri code
    PP.RR.DD.VVVV) it serves, narrowed by name if several; or by name within a regency (code or
    name). LibraryNotFound, naming the candidates, when none or several match."""
    verified = select(Library).where(Library.status == LibraryStatus.VERIFIED).order_by(Library.name, Library.id)
    if library_id is not None:
        library = db.session.get(Library, library_id)
        if library is None or library.status is not LibraryStatus.VERIFIED:
            raise LibraryNotFound(_("tidak ada perpustakaan terverifikasi dengan id %(id)s.", id=library_id))
        return library
    wanted = normalise_name(name) if name.strip() else ""
    if village_code.strip():
        code = village_code.strip()
        if not _VILLAGE_CODE.match(code):
            raise LibraryNotFound(_("kode desa harus berbentuk PP.RR.DD.VVVV, mis. 52.71.01.1001."))
        found = list(db.session.scalars(verified.where(Library.village_code == code)))
        if wanted and len(found) > 1:
            found = [lib for lib in found if lib.normalized_name == wanted] or found
        if len(found) == 1:
            return found[0]
        place = regions.area_name(code) or code
        if not found:
            raise LibraryNotFound(
                _(
                    "tidak ada perpustakaan terverifikasi di desa/kelurahan %(place)s (%(code)s).",
                    place=place,
                    code=code,
                )
            )
        raise LibraryNotFound(
            _(
                "beberapa perpustakaan di %(place)s: %(list)s. Tulis id_perpustakaan.",
                place=place,
                list="; ".join(_library_label(lib) for lib in found),
            )
        )
    if not wanted or not regency.strip():
        raise LibraryNotFound(_("isi id_perpustakaan, atau nama_perpustakaan dan kode_kabupaten, atau kode_desa."))
    regency_row = find_regency(regency, prefer_provinces)
    in_regency = list(db.session.scalars(verified.where(Library.regency_code == regency_row.code)))
    exact = [lib for lib in in_regency if lib.normalized_name == wanted]
    if len(exact) == 1:
        return exact[0]
    close = [lib for lib in in_regency if wanted in lib.normalized_name or lib.normalized_name in wanted]
    if not close:
        names = difflib.get_close_matches(wanted, [lib.normalized_name for lib in in_regency], n=5, cutoff=0.6)
        close = [lib for lib in in_regency if lib.normalized_name in names]
    if close:
        raise LibraryNotFound(
            _(
                '"%(name)s" tidak ditemukan persis di %(regency)s. Mungkin: %(list)s.',
                name=name.strip(),
                regency=regency_row.name,
                list="; ".join(_library_label(lib) for lib in close[:5]),
            )
        )
    raise LibraryNotFound(
        _(
            'tidak ada perpustakaan terverifikasi bernama "%(name)s" di %(regency)s (lihat '
            "daftar Perpustakaan atau lembar Kode templat).",
            name=name.strip(),
            regency=regency_row.name,
        )
    )
