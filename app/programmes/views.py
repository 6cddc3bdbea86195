"""Organiser pages: programmes, batches, classes (with agenda, quotas, status) and copies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.services import history
from app.core.access import load_or_404, login_required, roles_required
from app.core.actions import commit_or_flash
from app.core.forms import BaseForm, choice_list, parsed, show_problems
from app.core.hooks import template_values
from app.core.pagination import paginate
from app.core.roles import PLANNERS
from app.core.text import with_word
from app.errors import Problem
from app.extensions import db
from app.programmes import agenda, bp, copying, lifecycle, queries, services, signals, validation
from app.programmes.forms import (
    AgendaForm,
    BatchForm,
    ClassForm,
    CopyBatchForm,
    CopyProgrammeForm,
    ProgrammeForm,
    StatusForm,
    class_form_for,
)
from app.programmes.models import (
    AgendaSession,
    ApprovalMode,
    Batch,
    ClassStatus,
    Programme,
    QuotaGroup,
    TrainingClass,
)
from app.regions import services as regions
from app.regions.models import timezone_for_province

_FIELD_ALIASES = {"provinces": "served"}  # service field name → form field name


def _check_refused_form(form: BaseForm, problems: Callable[[], list[Problem]]) -> None:
    """WTForms refused a submit: run the planning rules on what it could parse as well, so the
    organiser sees the form's and the rules' problems together after one submit. A request
    without a valid CSRF token gets no further look."""
    csrf = getattr(form, "csrf_token", None)
    if request.method != "POST" or (csrf is not None and csrf.errors):
        return
    show_problems(form, problems(), _FIELD_ALIASES)


# --- programmes ------------------------------------------------------------------------------------


@bp.get("/kelola/program")
@roles_required(*PLANNERS)
def programmes() -> ResponseReturnValue:
    q = request.args.get("q", "").strip()
    return render_template("programmes/programmes.html", page=paginate(services.programme_query(q)), q=q)


def _programme_data(form: ProgrammeForm) -> services.ProgrammeData:
    return services.ProgrammeData(
        code=parsed(form.code),
        name=form.name.data,
        year=parsed(form.year),
        jp_total=form.jp_total.data,
        min_attendance_percent=form.min_attendance_percent.data,
        description=form.description.data,
        status=form.status.data,
        requires_letter=form.requires_letter.data,
        present_statuses=form.present_statuses.data,
    )


@bp.route("/kelola/program/baru", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def programme_new() -> ResponseReturnValue:
    form = ProgrammeForm()
    if form.validate_on_submit():
        done = commit_or_flash(
            lambda: services.create_programme(_programme_data(form), current_user),
            lambda programme: _("Program %(name)s dibuat.", name=programme.name),
            form=form,
            aliases=_FIELD_ALIASES,
        )
        if done:
            return redirect(url_for("programmes.programme", programme_id=done.result.id))
    else:
        _check_refused_form(form, lambda: services.programme_problems(_programme_data(form), None))
    return render_template("programmes/programme_form.html", form=form, programme=None)


@bp.get("/kelola/program/<int:programme_id>")
@roles_required(*PLANNERS)
def programme(programme_id: int) -> ResponseReturnValue:
    programme = load_or_404(queries.get_programme_with_classes, programme_id)
    other_years = db.session.scalars(select(Programme).where(Programme.id != programme.id)).all()
    return render_template(
        "programmes/programme.html",
        programme=programme,
        history=history(programme),
        copy_form=CopyProgrammeForm(year=programme.year + 1),
        batch_targets=other_years,
    )


@bp.route("/kelola/program/<int:programme_id>/ubah", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def programme_edit(programme_id: int) -> ResponseReturnValue:
    programme = load_or_404(Programme, programme_id)
    form = ProgrammeForm(obj=programme)
    if request.method == "GET":
        form.status.data = programme.status.value
    if form.validate_on_submit():
        if commit_or_flash(
            lambda: services.update_programme(programme, _programme_data(form), current_user),
            _("Program diperbarui."),
            form=form,
            aliases=_FIELD_ALIASES,
        ):
            return redirect(url_for("programmes.programme", programme_id=programme.id))
    else:
        _check_refused_form(form, lambda: services.programme_problems(_programme_data(form), programme))
    return render_template("programmes/programme_form.html", form=form, programme=programme)


@bp.post("/kelola/program/<int:programme_id>/salin")
@roles_required(*PLANNERS)
def programme_copy(programme_id: int) -> ResponseReturnValue:
    programme = load_or_404(Programme, programme_id)
    form = CopyProgrammeForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return redirect(url_for("programmes.programme", programme_id=programme.id))
    done = commit_or_flash(
        lambda: copying.copy_programme(programme, form.year.data, current_user),
        _(
            "Program disalin ke tahun %(year)s sebagai draf; tanggal digeser per minggu penuh sehingga harinya "
            "tetap sama.",
            year=form.year.data,
        ),
    )
    if not done:
        return redirect(url_for("programmes.programme", programme_id=programme.id))
    _flash_dropped(done.result)
    return redirect(url_for("programmes.programme", programme_id=done.result.target.id))


def _flash_dropped(result: copying.CopyResult) -> None:
    if result.dropped_facilitators:
        flash(
            _(
                "Fasilitator yang bentrok jadwal tidak ikut disalin: %(names)s.",
                names="; ".join(result.dropped_facilitators),
            ),
            "warning",
        )


# --- batches ---------------------------------------------------------------------------------------


def _batch_data(form: BatchForm) -> services.BatchData:
    return services.BatchData(
        number=parsed(form.number),
        name=form.name.data or "",
        start_date=parsed(form.start_date),
        end_date=parsed(form.end_date),
    )


@bp.route("/kelola/program/<int:programme_id>/angkatan/baru", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def batch_new(programme_id: int) -> ResponseReturnValue:
    programme = load_or_404(Programme, programme_id)
    number = services.next_batch_number(programme)
    form = BatchForm(number=number, name=_("Angkatan %(n)s", n=number))
    if form.validate_on_submit():
        if commit_or_flash(
            lambda: services.create_batch(programme, _batch_data(form), current_user),
            lambda batch: _("%(name)s dibuat.", name=batch.name),
            form=form,
            aliases=_FIELD_ALIASES,
        ):
            return redirect(url_for("programmes.programme", programme_id=programme.id))
    else:
        _check_refused_form(form, lambda: services.batch_problems(programme, _batch_data(form), None))
    return render_template("programmes/batch_form.html", form=form, programme=programme, batch=None)


@bp.route("/kelola/angkatan/<int:batch_id>/ubah", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def batch_edit(batch_id: int) -> ResponseReturnValue:
    batch = load_or_404(Batch, batch_id)
    form = BatchForm(obj=batch)
    if form.validate_on_submit():
        if commit_or_flash(
            lambda: services.update_batch(batch, _batch_data(form), current_user),
            _("Angkatan diperbarui."),
            form=form,
            aliases=_FIELD_ALIASES,
        ):
            return redirect(url_for("programmes.programme", programme_id=batch.programme_id))
    else:
        _check_refused_form(form, lambda: services.batch_problems(batch.programme, _batch_data(form), batch))
    return render_template(
        "programmes/batch_form.html", form=form, programme=batch.programme, batch=batch, history=history(batch)
    )


@bp.post("/kelola/angkatan/<int:batch_id>/salin")
@roles_required(*PLANNERS)
def batch_copy(batch_id: int) -> ResponseReturnValue:
    batch = load_or_404(Batch, batch_id)
    form = CopyBatchForm()
    form.target_id.choices = choice_list((p.id, f"{p.code} {p.year}") for p in db.session.scalars(select(Programme)))
    if not form.validate_on_submit():
        flash(_("Pilih program tujuan."), "danger")
        return redirect(url_for("programmes.programme", programme_id=batch.programme_id))
    target = load_or_404(Programme, form.target_id.data)
    done = commit_or_flash(
        lambda: copying.copy_batch(batch, target, current_user),
        _("%(name)s disalin ke %(code)s %(year)s.", name=batch.name, code=target.code, year=target.year),
    )
    if not done:
        return redirect(url_for("programmes.programme", programme_id=batch.programme_id))
    _flash_dropped(done.result)
    return redirect(url_for("programmes.programme", programme_id=target.id))


# --- classes -----------------------------------------------------------------------------------------


def _class_form(training_class: TrainingClass | None = None, **kwargs: object) -> ClassForm:
    provinces = regions.provinces()
    form = class_form_for(provinces, **kwargs)
    form.province_code.choices = choice_list([("", _("— pilih provinsi —"))] + [(p.code, p.name) for p in provinces])
    host = form.province_code.data or (training_class.regency_code[:2] if training_class else "")
    form.regency_code.choices = choice_list([("", "—")] + [(r.code, r.name) for r in regions.regencies_of(host)])
    form.facilitator_ids.choices = choice_list((u.id, u.full_name) for u in services.facilitator_choices())
    if training_class is not None and request.method == "GET":
        _fill_class_form(form, training_class)
    return form


def _fill_class_form(form: ClassForm, training_class: TrainingClass) -> None:
    tz = training_class.zoneinfo
    form.province_code.data = training_class.regency_code[:2]
    for name in ("registration_opens_at", "registration_closes_at"):
        moment = getattr(training_class, name)
        getattr(form, name).data = moment.astimezone(tz).replace(tzinfo=None) if moment else None
    form.served.data = training_class.served_codes
    for p in training_class.provinces:
        getattr(form, f"seats_{p.province_code}").data = p.seats
    for quota in training_class.type_quotas:
        getattr(form, f"quota_{quota.group.value}").data = quota.seats
    form.facilitator_ids.data = [u.id for u in training_class.facilitators]
    form.approval_mode.data = training_class.approval_mode.value


def _class_data(form: ClassForm) -> validation.ClassData:
    """Form → service data; window times are read in the host province's zone. A field WTForms
    refused is None here (see `parsed`), so the service checks that need it are skipped."""
    regency_code = parsed(form.regency_code) or ""
    tz = ZoneInfo(timezone_for_province(regency_code[:2]))

    def aware(value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=tz) if value else None

    def seats(name: str) -> int | None:
        field = getattr(form, name, None)
        return parsed(field) if field is not None else None

    return validation.ClassData(
        name=form.name.data or "",
        venue_name=form.venue_name.data or "",
        venue_address=form.venue_address.data,
        regency_code=regency_code,
        start_date=parsed(form.start_date),
        end_date=parsed(form.end_date),
        capacity=parsed(form.capacity),
        registration_opens_at=aware(parsed(form.registration_opens_at)),
        registration_closes_at=aware(parsed(form.registration_closes_at)),
        quota_release_date=parsed(form.quota_release_date),
        provinces={code: seats(f"seats_{code}") for code in form.served.data or []},
        type_quotas={g: seats(f"quota_{g.value}") or 0 for g in QuotaGroup},
        facilitator_ids=list(form.facilitator_ids.data or []),
        approval_mode=ApprovalMode(form.approval_mode.data)
        if form.approval_mode.data in ApprovalMode._value2member_map_
        else ApprovalMode.MODERATED,
    )


@bp.route("/kelola/angkatan/<int:batch_id>/kelas/baru", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def class_new(batch_id: int) -> ResponseReturnValue:
    batch = load_or_404(Batch, batch_id)
    form = _class_form(start_date=batch.start_date, end_date=batch.end_date)
    if form.validate_on_submit():
        done = commit_or_flash(
            lambda: services.create_class(batch, _class_data(form), current_user),
            lambda created: _("%(cls)s dibuat sebagai draf.", cls=with_word(_("Kelas"), created.name)),
            form=form,
            aliases=_FIELD_ALIASES,
        )
        if done:
            return redirect(url_for("programmes.class_detail", class_id=done.result.id))
    else:
        _check_refused_form(form, lambda: validation.class_problems(batch, _class_data(form)))
    return render_template("programmes/class_form.html", form=form, batch=batch, training_class=None)


@bp.route("/kelola/kelas/<int:class_id>/ubah", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def class_edit(class_id: int) -> ResponseReturnValue:
    training_class = load_or_404(TrainingClass, class_id)
    form = _class_form(training_class, obj=training_class)
    if form.validate_on_submit():
        if commit_or_flash(
            lambda: services.update_class(training_class, _class_data(form), current_user),
            _("Kelas diperbarui."),
            form=form,
            aliases=_FIELD_ALIASES,
        ):
            return redirect(url_for("programmes.class_detail", class_id=training_class.id))
    else:
        _check_refused_form(
            form, lambda: validation.class_problems(training_class.batch, _class_data(form), training_class)
        )
    return render_template(
        "programmes/class_form.html", form=form, batch=training_class.batch, training_class=training_class
    )


@bp.get("/kelola/kelas/<int:class_id>")
@login_required
def class_detail(class_id: int) -> ResponseReturnValue:
    """The class, if it exists (404) and this user may see it (403)."""
    return _class_page(load_or_404(queries.get_class, class_id, check=lambda c: services.visible_to(c, current_user)))


def _class_page(training_class: TrainingClass, agenda_form: AgendaForm | None = None) -> str:
    """The class page; after a refused agenda session, with that form as typed and its problems. The
    domains above planning add their figures (registration: `seats`; attendance: `can_mark`)."""
    can_plan = current_user.has_role(*PLANNERS)
    if can_plan and agenda_form is None:
        agenda_form = AgendaForm(day=training_class.start_date)
    return render_template(
        "programmes/class_detail.html",
        c=training_class,
        can_plan=can_plan,
        agenda_form=agenda_form if can_plan else None,
        actions=lifecycle.actions(training_class),
        history=history(training_class),
        ClassStatus=ClassStatus,
        **template_values(signals.class_page, training_class, viewer=current_user._get_current_object()),
    )


@bp.post("/kelola/kelas/<int:class_id>/status")
@roles_required(*PLANNERS)
def class_status(class_id: int) -> ResponseReturnValue:
    training_class = load_or_404(TrainingClass, class_id)
    form = StatusForm()
    if not form.validate_on_submit() or form.status.data not in ClassStatus._value2member_map_:
        abort(400)
    commit_or_flash(
        lambda: services.set_status(training_class, ClassStatus(form.status.data), current_user),
        lambda _result: _("Status kelas: %(status)s.", status=training_class.state.label),
    )
    return redirect(url_for("programmes.class_detail", class_id=class_id))


@bp.post("/kelola/kelas/<int:class_id>/hapus")
@roles_required(*PLANNERS)
def class_delete(class_id: int) -> ResponseReturnValue:
    training_class = load_or_404(TrainingClass, class_id)
    programme_id = training_class.batch.programme_id
    if commit_or_flash(lambda: services.delete_class(training_class, current_user), _("Kelas dihapus.")):
        return redirect(url_for("programmes.programme", programme_id=programme_id))
    return redirect(url_for("programmes.class_detail", class_id=class_id))


def _agenda_data(form: AgendaForm) -> agenda.AgendaData:
    return agenda.AgendaData(
        day=parsed(form.day),
        start_time=parsed(form.start_time),
        end_time=parsed(form.end_time),
        topic=form.topic.data or "",
        jp=parsed(form.jp),
        speaker=form.speaker.data,
    )


@bp.post("/kelola/kelas/<int:class_id>/agenda")
@roles_required(*PLANNERS)
def agenda_add(class_id: int) -> ResponseReturnValue:
    """Add a session; refused, the class page comes back with the form as typed and every problem
    beside its field (the form's own checks and the agenda rules together)."""
    training_class = load_or_404(TrainingClass, class_id)
    form = AgendaForm()
    if form.validate_on_submit():
        data = _agenda_data(form)
        if not commit_or_flash(
            lambda: agenda.add_agenda_session(training_class, data, current_user), _("Sesi ditambahkan."), form=form
        ):
            return _class_page(training_class, form)
        for warning in agenda.agenda_warnings(data):
            flash(warning, "warning")
        return redirect(url_for("programmes.class_detail", class_id=class_id) + "#agenda")
    csrf = getattr(form, "csrf_token", None)
    if csrf is None or not csrf.errors:
        show_problems(form, agenda.agenda_problems(training_class, _agenda_data(form)))
    return _class_page(training_class, form)


@bp.post("/kelola/agenda/<int:session_id>/hapus")
@roles_required(*PLANNERS)
def agenda_remove(session_id: int) -> ResponseReturnValue:
    session = load_or_404(AgendaSession, session_id)
    class_id = session.class_id
    commit_or_flash(lambda: agenda.remove_agenda_session(session, current_user), _("Sesi dihapus."))
    return redirect(url_for("programmes.class_detail", class_id=class_id) + "#agenda")
