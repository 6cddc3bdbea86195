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
from app.core.access import load_or_404, roles_required
from app.core.export import Sheet, xlsx_download, xlsx_sheets
from app.core.pagination import paginate_rows
from app.core.roles import OVERSEERS, PLANNERS
from app.core.template_helpers import mask_nik
from app.extensions import db
from app.libraries.models import LibraryType
from app.programmes.models import Programme, ProgrammeStatus
from app.regions import services as regions
from app.reports import bp, coverage, exports, training_hours
from app.reports.scope import held_regency, page_province
from app.reports.training_hours import JP_TARGET


def _year(province: str | None) -> int:
    year = request.args.get("tahun", type=int)
    return year if year and 2000 <= year <= 2100 else training_hours.latest_year(province)


@bp.get("/kelola/jp")
@roles_required(*OVERSEERS)
def training_hours_page() -> ResponseReturnValue:
    province = page_province()
    year, q = _year(province), request.args.get("q", "").strip()
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
        years=sorted({*range(clock.today().year - 5, clock.today().year + 2), year}, reverse=True),
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
    province = page_province()
    year, q = _year(province), request.args.get("q", "").strip()
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
    names = training_hours.province_names()
    chosen = [
        (_("Tahun"), str(year)),
        (_("Provinsi"), names.get(province or "", "") or _("Semua provinsi")),
        (_("Cari nama"), q or "–"),
        (_("NIK"), _("lengkap") if full_nik else _("disamarkan")),
    ]
    sheets = [Sheet(_("JP %(year)s", year=year), header, rows), exports.filter_sheet(chosen)]
    response = xlsx_download(xlsx_sheets(sheets), f"{exports.slug('jp', year, province, q)}.xlsx")
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
        province_code=page_province(),
        library_type=LibraryType(kind) if kind in LibraryType._value2member_map_ else None,
        regency_code=held_regency(request.args.get("kabupaten") or None),
    )


@bp.get("/kelola/cakupan")
@roles_required(*OVERSEERS)
def coverage_page() -> ResponseReturnValue:
    filters = _coverage_filters()
    _coverage_programme(filters)
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


@bp.get("/kelola/cakupan/belum-terlatih.xlsx")
@roles_required(*OVERSEERS)
def coverage_xlsx() -> ResponseReturnValue:
    """The libraries not yet reached, all of them, for next year's plan (no personal data)."""
    filters = _coverage_filters()
    programme = _coverage_programme(filters)
    rows = db.session.execute(coverage.not_reached_query(filters)).all()
    header = [_("No."), _("Perpustakaan"), _("Jenis"), _("Kabupaten/kota"), _("Provinsi")]
    data = [[i, r.name, r.type.label, r.regency, r.province] for i, r in enumerate(rows, start=1)]
    province = next((p.name for p in regions.provinces() if p.code == filters.province_code), None)
    chosen = [
        (_("Program"), f"{programme.name} {programme.year}" if programme else _("Semua program")),
        (_("Provinsi"), province or _("Semua provinsi")),
        (_("Kabupaten/kota"), filters.regency_code or _("Semua kabupaten/kota")),
        (_("Jenis perpustakaan"), str(filters.library_type.label) if filters.library_type else _("Semua jenis")),
    ]
    sheets = [Sheet(_("Belum ada staf terlatih"), header, data), exports.filter_sheet(chosen)]
    name = exports.slug("belum-ada-staf-terlatih", programme.year if programme else None, filters.province_code,
                        filters.regency_code, filters.library_type.value if filters.library_type else None)  # fmt: skip
    return xlsx_download(xlsx_sheets(sheets), f"{name}.xlsx")


def _coverage_programme(filters: coverage.Filters) -> Programme | None:
    """The programme filter, one the user may see (a coordinator asking for a draft: 404)."""
    if filters.programme_id is None:
        return None
    return load_or_404(
        Programme,
        filters.programme_id,
        check=lambda p: current_user.has_role(*PLANNERS) or p.status is not ProgrammeStatus.DRAFT,
        hide=True,
    )
