"""Library pages: the list (search, filters, XLSX), create and edit, and the search API."""

from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.core.access import load_or_404, public, roles_required
from app.core.actions import commit_or_flash
from app.core.export import xlsx_response
from app.core.forms import choice_list
from app.core.pagination import paginate
from app.core.roles import OVERSEERS, PLANNERS
from app.core.text import with_word
from app.extensions import db
from app.libraries import bp, services
from app.libraries.forms import LibraryForm
from app.libraries.models import Library, LibraryStatus, LibraryType
from app.regions import services as regions


def _filters() -> dict:
    """Filters from the query string; a coordinator is held to their own province."""
    args = request.args
    province = args.get("provinsi") or None
    if not current_user.has_role(*PLANNERS):
        own = current_user.coordinator_province_code
        if province not in (None, own):  # as on every report: 403, never a silent switch
            abort(403, description=_("Koordinator hanya dapat membaca provinsinya sendiri."))
        province = own
    type_ = args.get("jenis", "")
    status = args.get("status", "")
    return {
        "q": args.get("q", "").strip(),
        "province_code": province,
        "regency_code": args.get("kabupaten") or None,
        "type": LibraryType(type_) if type_ in LibraryType._value2member_map_ else None,
        "status": LibraryStatus(status) if status in LibraryStatus._value2member_map_ else None,
    }


@bp.get("/perpustakaan")
@roles_required(*OVERSEERS)
def index() -> ResponseReturnValue:
    filters = _filters()
    page = paginate(services.library_query(**filters))
    province = filters["province_code"]
    return render_template(
        "libraries/index.html",
        page=page,
        filters=filters,
        provinces=regions.provinces(),
        regencies=regions.regencies_of(province) if province else [],
        LibraryType=LibraryType,
        LibraryStatus=LibraryStatus,
        can_edit=current_user.has_role(*PLANNERS),
        area_name=regions.area_name,
    )


@bp.get("/perpustakaan/ekspor.xlsx")
@roles_required(*OVERSEERS)
def export() -> ResponseReturnValue:
    rows = db.session.scalars(services.library_query(**_filters()))
    header = [
        _("ID"),
        _("Nama"),
        _("Jenis"),
        _("Provinsi"),
        _("Kabupaten/kota"),
        _("Kecamatan"),
        _("Desa/kelurahan"),
        _("Alamat"),
        _("NPP"),
        _("Status"),
    ]
    data = (
        [
            lib.id,
            lib.name,
            lib.type.label,
            lib.regency.province.name,
            lib.regency.name,
            regions.area_name(lib.district_code) or "",
            regions.area_name(lib.village_code) or "",
            lib.address or "",
            lib.npp or "",
            lib.status.label,
        ]
        for lib in rows
    )
    return xlsx_response("perpustakaan.xlsx", _("Perpustakaan"), header, data)


def _fill_region_choices(form: LibraryForm) -> None:
    blank = [("", "—")]
    province = form.province_code.data or ""
    regency = form.regency_code.data or ""
    district = form.district_code.data or ""
    form.province_code.choices = choice_list(
        [("", _("— pilih provinsi —"))] + [(p.code, p.name) for p in regions.provinces()]
    )
    form.regency_code.choices = choice_list(blank + [(r.code, r.name) for r in regions.regencies_of(province)])
    form.district_code.choices = choice_list(blank + [(a.code, a.name) for a in regions.districts_of(regency)])
    form.village_code.choices = choice_list(blank + [(a.code, a.name) for a in regions.villages_of(district)])


def _data(form: LibraryForm) -> services.LibraryData:
    return services.LibraryData(
        name=form.name.data,
        type=LibraryType(form.type.data),
        regency_code=form.regency_code.data,
        district_code=form.district_code.data or None,
        village_code=form.village_code.data or None,
        address=form.address.data,
        npp=form.npp.data,
    )


@bp.route("/perpustakaan/baru", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def create() -> ResponseReturnValue:
    form = LibraryForm()
    _fill_region_choices(form)
    if form.validate_on_submit():
        done = commit_or_flash(
            lambda: services.create_library(_data(form), status=LibraryStatus(form.status.data), by=current_user),
            lambda library: _("%(name)s disimpan.", name=with_word(_("Perpustakaan"), library.name)),
            form=form,
        )
        if done:
            return redirect(url_for("libraries.index", q=done.result.name))
    return render_template("libraries/form.html", form=form, library=None)


@bp.route("/perpustakaan/<int:library_id>", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def edit(library_id: int) -> ResponseReturnValue:
    library = load_or_404(Library, library_id)
    form = LibraryForm(obj=library)
    if request.method == "GET":
        form.province_code.data = library.province_code
        form.type.data = library.type.value
        form.status.data = library.status.value
    _fill_region_choices(form)
    if form.validate_on_submit() and commit_or_flash(
        lambda: services.update_library(library, _data(form), status=LibraryStatus(form.status.data)),
        lambda _updated: _("%(name)s diperbarui.", name=with_word(_("Perpustakaan"), library.name)),
        form=form,
    ):
        return redirect(url_for("libraries.index", q=library.name))
    return render_template("libraries/form.html", form=form, library=library)


@bp.get("/api/perpustakaan")
@public
def search() -> ResponseReturnValue:
    """Verified libraries of one regency whose name contains ?q= (for registration)."""
    regency = request.args.get("kabupaten", "")
    if len(regency) != 5:
        abort(400)
    found = services.search_verified(regency, request.args.get("q", "")[:100])
    return jsonify({"items": [{"id": lib.id, "name": lib.name, "type": lib.type.label} for lib in found]})
