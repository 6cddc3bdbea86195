"""Organiser pages: registrations per class and programme, decisions, moves, proposed libraries,
duplicates, the list of people's requests, exports and nomination imports."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.access import log_access
from app.audit.models import AccessAction
from app.core.access import load_or_404, roles_required
from app.core.actions import commit_or_flash
from app.core.export import xlsx_download, xlsx_response
from app.core.formatting import format_date_range
from app.core.forms import choice_list
from app.core.pagination import paginate
from app.core.roles import PLANNERS
from app.core.template_helpers import mask_nik, mask_phone
from app.core.urls import safe_next_url
from app.errors import DomainError
from app.extensions import db
from app.libraries import proposals
from app.libraries.models import Library, LibraryStatus, LibraryType
from app.programmes import lifecycle
from app.programmes.models import ClassStatus, Programme, TrainingClass
from app.regions import services as regions
from app.registration import bp, claims, decisions, notifications, queries, seats
from app.registration.forms import DecisionForm, MergeLibraryForm, MoveForm, ReasonForm
from app.registration.models import DeletionRequest, NameCorrection, Registration, RegistrationStatus
from app.registration.scope import may_export_full_nik


def _filters() -> dict:
    args = request.args
    status = args.get("status", "")
    letter = args.get("surat")
    return {
        "province_code": args.get("provinsi") or None,
        "regency_code": args.get("kabupaten") or None,
        "library_type": args.get("jenis") if args.get("jenis") in LibraryType._value2member_map_ else None,
        "status": RegistrationStatus(status) if status in RegistrationStatus._value2member_map_ else None,
        "has_letter": {"ada": True, "tidak": False}.get(letter or ""),
        "q": args.get("q", "").strip(),
    }


def _list_page(title: str, scope: dict, training_class: TrainingClass | None, programme: Programme) -> str:
    filters = _filters()
    page = paginate(queries.registration_query(**scope, **filters), per_page=50)
    return render_template(
        "registration/organiser_list.html",
        title=title,
        page=page,
        filters=filters,
        c=training_class,
        programme=programme,
        seats=seats.seat_summary(training_class) if training_class else None,
        started=lifecycle.has_started(training_class) if training_class else None,
        decision_form=DecisionForm(),
        move_targets=queries.move_targets(programme.id),
        provinces=regions.provinces(),
        LibraryType=LibraryType,
        RegistrationStatus=RegistrationStatus,
        whatsapp_link=notifications.whatsapp_link,
        export_args=request.args.to_dict(),
    )


@bp.get("/kelola/kelas/<int:class_id>/pendaftar")
@roles_required(*PLANNERS)
def class_registrations(class_id: int) -> ResponseReturnValue:
    c = load_or_404(queries.class_for_registrations, class_id)
    return _list_page(c.name, {"class_id": c.id}, c, c.batch.programme)


@bp.get("/kelola/program/<int:programme_id>/pendaftar")
@roles_required(*PLANNERS)
def programme_registrations(programme_id: int) -> ResponseReturnValue:
    programme = load_or_404(Programme, programme_id)
    return _list_page(f"{programme.name} {programme.year}", {"programme_id": programme.id}, None, programme)


def _export(scope: dict, filename: str, subject: TrainingClass | Programme, label: str) -> ResponseReturnValue:
    """The list as XLSX; NIK, NIP and WhatsApp masked unless the exporter ticked the full data (and may: see
    scope.may_export_full_nik). Either way the export is in the access log, saying which."""
    full_nik = request.args.get("nik") == "lengkap"
    if full_nik and not may_export_full_nik(current_user):
        abort(403)
    rows = db.session.scalars(queries.registration_query(**scope, **_filters())).all()
    header = [
        _("No."),
        _("Nama (sertifikat)"),
        _("NIK"),
        _("NIP"),
        _("Jenis kelamin"),
        _("Tempat lahir"),
        _("Tanggal lahir") if full_nik else _("Tahun lahir"),
        _("Jabatan"),
        _("Status kepegawaian"),
        _("Perpustakaan"),
        _("Jenis"),
        _("Kabupaten/kota"),
        _("Provinsi"),
        _("Email"),
        _("WhatsApp"),
        _("Kelas"),
        _("Status"),
        _("Didaftarkan"),
        _("Catatan"),
    ]
    data = (
        [
            i,
            r.full_name,
            r.nik if full_nik else mask_nik(r.nik),
            (r.nip or "") if full_nik else mask_nik(r.nip),
            r.gender_label,
            r.birth_place,
            r.birth_date if full_nik else (r.birth_date.year if r.birth_date else ""),  # with the date, the
            # masked NIK's hidden digits (district + birth date) would be a short guess
            r.position,
            r.employment_status.label,
            r.library.name,
            r.library.type.label,
            r.library.regency.name,
            r.library.regency.province.name,
            r.email,
            r.whatsapp if full_nik else mask_phone(r.whatsapp),
            r.training_class.name,
            r.status.label,
            r.created_at.astimezone(r.training_class.zoneinfo).strftime("%Y-%m-%d %H:%M"),
            "; ".join(r.data_warnings or [])
            if full_nik
            else (_("%(n)s catatan", n=len(r.data_warnings)) if r.data_warnings else ""),
        ]
        for i, r in enumerate(rows, start=1)
    )
    response = xlsx_response(filename, _("Pendaftar"), header, data)
    log_access(
        AccessAction.EXPORTED,
        "registrations_xlsx",
        subject.__tablename__,
        subject.id,
        subject_label=label,
        people=len(rows),
        full_nik=full_nik,
    )
    db.session.commit()
    return response


@bp.get("/kelola/kelas/<int:class_id>/pendaftar.xlsx")
@roles_required(*PLANNERS)
def class_registrations_xlsx(class_id: int) -> ResponseReturnValue:
    c = load_or_404(TrainingClass, class_id)
    return _export({"class_id": c.id}, f"pendaftar-kelas-{c.id}.xlsx", c, c.name)


@bp.get("/kelola/program/<int:programme_id>/pendaftar.xlsx")
@roles_required(*PLANNERS)
def programme_registrations_xlsx(programme_id: int) -> ResponseReturnValue:
    programme = load_or_404(Programme, programme_id)
    return _export(
        {"programme_id": programme.id},
        f"pendaftar-{programme.code}-{programme.year}.xlsx",
        programme,
        f"{programme.name} {programme.year}",
    )


@bp.post("/kelola/pendaftar/keputusan")
@roles_required(*PLANNERS)
def decide() -> ResponseReturnValue:
    """Apply one decision to the ticked registrations, in queue order; report each refusal."""
    form = DecisionForm()
    back = safe_next_url(request.form.get("next")) or url_for("programmes.programmes")
    if not form.validate_on_submit():
        abort(400)
    ids = [int(i) for i in request.form.getlist("ids") if i.isascii() and i.isdigit() and len(i) <= 18]
    if not ids:
        flash(_("Centang paling sedikit satu pendaftar."), "warning")
        return redirect(back)
    outcome = decisions.decide_many(ids, form.action.data, current_user, form.reason.data, form.override.data)
    db.session.commit()
    if outcome.done:
        flash(_("%(n)s pendaftar diproses.", n=outcome.done), "success")
    for line in outcome.refused[:10]:
        flash(line, "danger")
    return redirect(back)


@bp.get("/kelola/pendaftar/<int:registration_id>")
@roles_required(*PLANNERS)
def registration_detail(registration_id: int) -> ResponseReturnValue:
    r = load_or_404(Registration, registration_id)
    programme = r.training_class.batch.programme
    move_form = MoveForm()
    move_form.target_id.choices = choice_list(
        (c.id, f"{c.batch.name} · {c.name} ({format_date_range(c.start_date, c.end_date)})")
        for b in programme.batches
        for c in b.classes
        if c.id != r.class_id
        and c.state not in (ClassStatus.CANCELLED, ClassStatus.FINISHED, ClassStatus.DRAFT)
        and r.province_code in c.served_codes
    )
    page = render_template(
        "registration/organiser_detail.html",
        r=r,
        move_form=move_form,
        decision_form=DecisionForm(),
        whatsapp=notifications.whatsapp_link(r),
        position=seats.waitlist_position(r),
        waiting_because=seats.waitlist_reason(r),
        started=lifecycle.has_started(r.training_class),
        seat_free=r.status is RegistrationStatus.WAITLISTED
        and seats.has_seat(r.training_class, r.province_code, r.quota_group),
        RegistrationStatus=RegistrationStatus,
    )
    log_access(
        AccessAction.VIEWED, "registration_detail", "registrations", r.id, subject_label=r.training_class.name, people=1
    )
    db.session.commit()
    return page


@bp.post("/kelola/pendaftar/<int:registration_id>/pindah")
@roles_required(*PLANNERS)
def move(registration_id: int) -> ResponseReturnValue:
    r = load_or_404(Registration, registration_id)
    form = MoveForm()
    form.target_id.choices = choice_list([(form.target_id.data, "")]) if form.target_id.data else []
    target = db.session.get(TrainingClass, request.form.get("target_id", type=int) or 0)
    if not form.validate_on_submit() or target is None:
        abort(400)
    override = form.reason.data if form.override.data else None
    commit_or_flash(
        lambda: decisions.move(r, target, current_user, override_reason=override),
        _("%(name)s dipindah ke %(cls)s.", name=r.full_name, cls=target.name),
    )
    return redirect(url_for("registration.registration_detail", registration_id=registration_id))


# --- proposed libraries, duplicates, corrections, deletion requests --------------------------------------


@bp.get("/kelola/perpustakaan-usulan")
@roles_required(*PLANNERS)
def proposed_libraries() -> ResponseReturnValue:
    query = select(Library).where(Library.status == LibraryStatus.PROPOSED).order_by(Library.created_at)
    return render_template(
        "registration/proposed_libraries.html",
        page=paginate(query),
        merge_form=MergeLibraryForm(),
        area_name=regions.area_name,
    )


@bp.post("/kelola/perpustakaan-usulan/<int:library_id>/<action>")
@roles_required(*PLANNERS)
def decide_library(library_id: int, action: str) -> ResponseReturnValue:
    library = load_or_404(Library, library_id)
    if action == "verifikasi":
        commit_or_flash(
            lambda: proposals.verify_proposed_library(library), _("%(name)s diverifikasi.", name=library.name)
        )
    elif action == "gabung":
        form = MergeLibraryForm()
        if not form.validate_on_submit():
            for message in form.target_id.errors:  # an empty or non-numeric id: said, not a bare 400
                flash(str(message), "danger")
            return redirect(url_for("registration.proposed_libraries"))
        commit_or_flash(
            lambda: _merge(library, form.target_id.data),
            lambda merged: _("Usulan digabung ke %(name)s (%(n)s pendaftar dipindah).", name=merged[0], n=merged[1]),
        )
    elif action == "tolak":
        commit_or_flash(lambda: proposals.reject_proposed_library(library), _("Usulan ditolak dan dihapus."))
    else:
        abort(404)
    return redirect(url_for("registration.proposed_libraries"))


def _merge(proposal: Library, target_id: int) -> tuple[str, int]:
    """Merge the proposal into the library the organiser named: (its name, registrations moved)."""
    target = db.session.get(Library, target_id)
    if target is None:
        raise DomainError(_("Perpustakaan tujuan tidak ditemukan."))
    return target.name, proposals.merge_library(proposal, target)


@bp.get("/kelola/program/<int:programme_id>/duplikat")
@roles_required(*PLANNERS)
def duplicates(programme_id: int) -> ResponseReturnValue:
    programme = load_or_404(Programme, programme_id)
    return render_template(
        "registration/duplicates.html", programme=programme, groups=queries.likely_duplicates(programme.id)
    )


@bp.get("/kelola/permintaan")
@roles_required(*PLANNERS)
def requests_page() -> ResponseReturnValue:
    corrections = db.session.scalars(
        select(NameCorrection).where(NameCorrection.status == "pending").order_by(NameCorrection.created_at)
    ).all()
    deletions = db.session.scalars(
        select(DeletionRequest).where(DeletionRequest.status == "pending").order_by(DeletionRequest.created_at)
    ).all()
    return render_template(
        "registration/requests.html",
        corrections=corrections,
        deletions=deletions,
        reason_form=ReasonForm(),
        open_claims=claims.open_claims_count(),
        registrations={d.registration_id: db.session.get(Registration, d.registration_id) for d in deletions},
    )


@bp.route("/kelola/kelas/<int:class_id>/impor-nominasi", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def import_nominations(class_id: int) -> ResponseReturnValue:
    """Nominations from an office's XLSX: every bad row reported; nothing half-imported."""
    from app.registration import nominations
    from app.registration.forms import NominationImportForm

    c = load_or_404(TrainingClass, class_id)
    form = NominationImportForm()
    report = None
    if form.validate_on_submit():
        try:
            override = form.reason.data if form.override.data else None
            report = nominations.import_nominations(
                c, nominations.read_rows(form.file.data.read()), current_user, override
            )
        except DomainError as exc:
            db.session.rollback()
            form.file.errors = [*form.file.errors, str(exc.message)]
        else:
            if report.errors or not report.total:
                db.session.rollback()
            else:
                db.session.commit()
                flash(
                    _(
                        "%(n)s nominasi diimpor: %(a)s disetujui, %(w)s daftar tunggu.",
                        n=report.total,
                        a=report.approved,
                        w=report.waitlisted,
                    ),
                    "success",
                )
                return redirect(url_for("registration.class_registrations", class_id=c.id))
    return render_template(
        "registration/nominations.html",
        c=c,
        form=form,
        report=report,
        columns=nominations.PERSON_COLUMNS,
        state=c.state,
        started=lifecycle.has_started(c),
    )


@bp.get("/kelola/kelas/<int:class_id>/impor-nominasi/templat.xlsx")
@roles_required(*PLANNERS)
def nominations_template(class_id: int) -> ResponseReturnValue:
    """The nominations template with the class's libraries and the allowed values on "Kode"."""
    from app.registration import nominations

    c = load_or_404(TrainingClass, class_id)
    return xlsx_download(nominations.template_xlsx(c), f"templat-nominasi-kelas-{c.id}.xlsx")
