"""Planning pages: training hours (JP) per person and year, and coverage of libraries per region.
Coordinators see their own province only, on the page and in the downloads."""

from __future__ import annotations

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.audit.access import log_access
from app.audit.models import AccessAction
from app.core.access import roles_required
from app.core.export import xlsx_response
from app.core.pagination import paginate_rows
from app.core.roles import OVERSEERS, PLANNERS
from app.core.template_helpers import mask_nik
from app.extensions import db
from app.libraries.models import LibraryType
from app.regions import services as regions
from app.reports import bp, coverage, training_hours
from app.reports.training_hours import JP_TARGET


def _province() -> str | None:
    """The province asked for; a coordinator is held to their own whatever the query string says."""
    if not current_user.has_role(*PLANNERS):
        return current_user.coordinator_province_code or "-"
    return request.args.get("provinsi") or None


def _year() -> int:
    year = request.args.get("tahun", type=int)
    return year if year and 2000 <= year <= 2100 else clock.today().year


@bp.get("/kelola/jp")
@roles_required(*OVERSEERS)
def training_hours_page() -> ResponseReturnValue:
    year, province, q = _year(), _province(), request.args.get("q", "").strip()
    page = paginate_rows(training_hours.people_query(year, province, q), per_page=50)
    names = training_hours.province_names()
    people = training_hours.rows_of(page.items, names)
    return render_template(
        "reports/training_hours.html",
        page=page,
        people=people,
        niks=training_hours.niks_of([p.registration_id for p in people]),
        year=year,
        province=province,
        q=q,
        provinces=names,
        years=range(clock.today().year + 1, clock.today().year - 6, -1),
        target=JP_TARGET,
        may_pick_province=current_user.has_role(*PLANNERS),
    )


@bp.get("/kelola/jp.xlsx")
@roles_required(*OVERSEERS)
def training_hours_xlsx() -> ResponseReturnValue:
    """Every person of the filter (not only a page); NIK masked unless a planner asks for it in full."""
    full_nik = request.args.get("nik") == "lengkap"
    if full_nik and not current_user.has_role(*PLANNERS):
        abort(403)
    year, province, q = _year(), _province(), request.args.get("q", "").strip()
    people = training_hours.rows_of(
        list(db.session.execute(training_hours.people_query(year, province, q))), training_hours.province_names()
    )
    niks = training_hours.niks_of([p.registration_id for p in people])
    header = [_("No."), _("Nama"), _("NIK"), _("Provinsi"), _("Kelas selesai"), _("JP"), _("Memenuhi 20 JP")]
    rows = [
        [
            i,
            p.name,
            (niks.get(p.registration_id) or "") if full_nik else mask_nik(niks.get(p.registration_id)),
            p.province_name,
            p.classes,
            p.jp,
            _("ya") if p.meets_target else _("tidak"),
        ]
        for i, p in enumerate(people, start=1)
    ]
    response = xlsx_response(f"jp-{year}.xlsx", _("JP %(year)s", year=year), header, rows)
    log_access(
        AccessAction.EXPORTED,
        "training_hours_xlsx",
        "provinces",
        None,
        subject_label=province or _("semua provinsi"),
        people=len(people),
        full_nik=full_nik,
    )
    db.session.commit()
    return response


def _coverage_filters() -> coverage.Filters:
    kind = request.args.get("jenis", "")
    return coverage.Filters(
        programme_id=request.args.get("program", type=int) or None,
        province_code=_province(),
        library_type=LibraryType(kind) if kind in LibraryType._value2member_map_ else None,
        regency_code=request.args.get("kabupaten") or None,
    )


@bp.get("/kelola/cakupan")
@roles_required(*OVERSEERS)
def coverage_page() -> ResponseReturnValue:
    filters = _coverage_filters()
    view = "belum" if request.args.get("tampilan") == "belum" else "wilayah"
    programmes = coverage.programmes(include_drafts=current_user.has_role(*PLANNERS))
    query = coverage.not_reached_query(filters) if view == "belum" else coverage.regency_query(filters)
    page = paginate_rows(query, per_page=50)
    per_programme = filters.programme_id is None and bool(programmes)
    return render_template(
        "reports/coverage.html",
        filters=filters,
        view=view,
        page=page,
        provinces=coverage.province_rows(filters),
        regencies=coverage.regency_rows(page.items, filters, per_programme) if view == "wilayah" else [],
        programmes=programmes,
        per_programme=per_programme,
        province_names=regions.provinces() if current_user.has_role(*PLANNERS) else [],
        LibraryType=LibraryType,
    )


@bp.get("/kelola/cakupan/belum-terjangkau.xlsx")
@roles_required(*OVERSEERS)
def coverage_xlsx() -> ResponseReturnValue:
    """The libraries not yet reached, all of them, for next year's plan (no personal data)."""
    rows = db.session.execute(coverage.not_reached_query(_coverage_filters())).all()
    header = [_("No."), _("Perpustakaan"), _("Jenis"), _("Kabupaten/kota"), _("Provinsi")]
    data = [[i, r.name, r.type.label, r.regency, r.province] for i, r in enumerate(rows, start=1)]
    return xlsx_response("perpustakaan-belum-terjangkau.xlsx", _("Belum terjangkau"), header, data)
