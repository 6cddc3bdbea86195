"""Participant pages: register for a class, follow and cancel, see, correct, export, erase my data."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.attendance import services as attendance
from app.audit.access import log_access
from app.audit.models import AccessAction
from app.certificates import names
from app.certificates import queries as certificate_queries
from app.core.access import login_required, roles_required
from app.core.actions import commit_or_flash
from app.core.forms import choice_list, show_domain_error
from app.core.roles import PLANNERS, Role
from app.errors import DomainError, NikUnavailable
from app.extensions import db
from app.libraries import services as libraries
from app.libraries.models import LibraryType
from app.privacy import rights
from app.programmes import lifecycle
from app.programmes.lifecycle import registration_phrase
from app.programmes.models import ClassStatus, TrainingClass
from app.regions import services as regions
from app.registration import bp, decisions, notifications, queries, seats, submission, uploads
from app.registration.forms import CorrectionForm, RegistrationForm
from app.registration.limits import count_this_submit, submit_limits
from app.registration.models import EmploymentStatus, Registration, RegistrationStatus

_FIELD_ALIASES = {"library_id": "library_name", "regency_code": "proposed_district"}


def _person(form: RegistrationForm | CorrectionForm) -> submission.PersonData:
    return submission.PersonData(
        full_name=form.full_name.data,
        nik=form.nik.data,
        nip=form.nip.data,
        gender=form.gender.data,
        birth_place=form.birth_place.data,
        birth_date=form.birth_date.data,
        position=form.position.data,
        employment_status=EmploymentStatus(form.employment_status.data),
        email=current_user.email,
        whatsapp=form.whatsapp.data,
    )


def _fill_choices(form: RegistrationForm, training_class: TrainingClass) -> None:
    form.province_code.choices = choice_list(
        [("", _("— pilih provinsi —"))] + [(p.province_code, p.province.name) for p in training_class.provinces]
    )
    province = form.province_code.data or ""
    regency = form.regency_code.data or ""
    district = form.proposed_district.data or ""
    blank = [("", "—")]
    form.regency_code.choices = choice_list(blank + [(r.code, r.name) for r in regions.regencies_of(province)])
    form.proposed_district.choices = choice_list(blank + [(a.code, a.name) for a in regions.districts_of(regency)])
    form.proposed_village.choices = choice_list(blank + [(a.code, a.name) for a in regions.villages_of(district)])


def _prefill(form: RegistrationForm) -> None:
    """Start from what the person told us before: the account, then their last registration."""
    form.full_name.data = current_user.full_name
    form.whatsapp.data = current_user.phone
    last = next((r for r in queries.registrations_of(current_user) if r.purged_at is None), None)
    if last is not None:
        for name in ("full_name", "nip", "gender", "birth_place", "birth_date", "position", "whatsapp"):
            getattr(form, name).data = getattr(last, name)
        form.employment_status.data = last.employment_status.value
        form.province_code.data = last.province_code
        form.regency_code.data = last.library.regency_code
        form.library_id.data = str(last.library_id)
        form.library_name.data = last.library.name


def _registration_data(form: RegistrationForm) -> submission.RegistrationData:
    proposal = None
    if form.not_listed.data:
        proposal = libraries.LibraryData(
            name=form.proposed_name.data,
            type=LibraryType(form.proposed_type.data),
            regency_code=form.regency_code.data,
            district_code=form.proposed_district.data or None,
            village_code=form.proposed_village.data or None,
        )
    return submission.RegistrationData(
        person=_person(form),
        consent_version=current_app.config["PRIVACY_NOTICE_VERSION"],
        library_id=None if form.not_listed.data else int(form.library_id.data),
        proposed_library=proposal,
        letter=form.checked_letter,
    )


@bp.route("/katalog/<int:class_id>/daftar", methods=["GET", "POST"])
@submit_limits
@roles_required(Role.PARTICIPANT)
def register(class_id: int) -> ResponseReturnValue:
    """The account's holder registers themselves (once per programme); others are nominated."""
    training_class = db.get_or_404(TrainingClass, class_id)
    if training_class.state is not ClassStatus.REGISTRATION_OPEN:
        # Refused before the form is filled, saying when registration is (or was) open.
        flash(registration_phrase(training_class), "warning")
        return redirect(url_for("catalogue.class_page", class_id=class_id))
    programme = training_class.batch.programme
    held = submission.account_registration(current_user, programme.id)
    if held is not None:
        flash(
            _(
                "Anda sudah terdaftar di program ini (%(cls)s, %(status)s). Satu akun hanya untuk mendaftarkan "
                "pemiliknya sendiri, satu kali per program. Untuk mendaftarkan orang lain, hubungi panitia atau "
                "koordinator provinsi agar mereka menominasikannya.",
                cls=held.training_class.name,
                status=held.status.label.lower(),
            ),
            "warning",
        )
        return redirect(url_for("registration.mine"))
    form = RegistrationForm()
    form.letter_required = programme.requires_letter
    claim_url = None
    if request.method == "GET":
        _prefill(form)
        chosen = request.args.get("provinsi")
        if chosen in training_class.served_codes and form.province_code.data != chosen:
            form.province_code.data, form.regency_code.data = chosen, None
            form.library_id.data = form.library_name.data = None
    _fill_choices(form, training_class)
    if form.validate_on_submit():
        count_this_submit()
        try:
            registration = submission.submit(training_class, _registration_data(form), user=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc, _FIELD_ALIASES)
            if isinstance(exc, NikUnavailable):
                claim_url = url_for("registration.claim_nik", class_id=class_id)
        else:
            db.session.commit()
            flash(_("Pendaftaran terkirim. Status: %(status)s.", status=registration.status.label), "success")
            return redirect(url_for("registration.mine"))
    return render_template(
        "registration/register.html",
        form=form,
        c=training_class,
        seats=seats.seat_summary(training_class),
        requires_letter=programme.requires_letter,
        claim_url=claim_url,
    )


@bp.get("/pendaftaran-saya")
@login_required
def mine() -> ResponseReturnValue:
    registrations = queries.registrations_of(current_user)
    approved = [r.id for r in registrations if r.status is RegistrationStatus.APPROVED]
    return render_template(
        "registration/mine.html",
        registrations=registrations,
        positions=seats.waitlist_positions(registrations),
        waiting=seats.waitlist_reasons(registrations),
        started={r.id: lifecycle.has_started(r.training_class) for r in registrations},
        over={r.id: lifecycle.is_over(r.training_class) for r in registrations},
        contacts={r.id: notifications.contact_of(r.training_class) for r in registrations},
        attendance={
            r.id: attendance.registration_eligibility(r)
            for r in registrations
            if r.status is RegistrationStatus.APPROVED
        },
        certificates=certificate_queries.current_certificates(approved),
        corrections=certificate_queries.pending_corrections(approved),
        deadlines={
            r.id: names.confirmation_deadline(r) for r in registrations if r.status is RegistrationStatus.APPROVED
        },
        RegistrationStatus=RegistrationStatus,
        today=clock.today(),
    )


def _own_registration(registration_id: int) -> Registration:
    registration = db.get_or_404(Registration, registration_id)
    if registration.user_id != current_user.id:
        abort(404)  # someone else's registration does not exist for this user
    return registration


@bp.post("/pendaftaran-saya/<int:registration_id>/batal")
@login_required
def cancel_mine(registration_id: int) -> ResponseReturnValue:
    registration = _own_registration(registration_id)
    commit_or_flash(lambda: decisions.cancel_own(registration, current_user), _("Pendaftaran dibatalkan."))
    return redirect(url_for("registration.mine"))


@bp.route("/pendaftaran-saya/<int:registration_id>/perbaiki", methods=["GET", "POST"])
@submit_limits
@login_required
def correct(registration_id: int) -> ResponseReturnValue:
    registration = _own_registration(registration_id)
    form = CorrectionForm(obj=registration)
    claim_url = None
    if request.method == "GET":
        form.employment_status.data = registration.employment_status.value
        form.nik.data = ""  # never echo a stored NIK
    if form.validate_on_submit():
        count_this_submit()
        person = _person(form)
        person.nik = person.nik or registration.nik
        try:
            correction = rights.correct_data(registration, person, current_user)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
            if isinstance(exc, NikUnavailable):
                claim_url = url_for("registration.claim_nik", class_id=registration.class_id)
        else:
            db.session.commit()
            flash(_("Data diperbaiki."), "success")
            if correction is not None:
                flash(_("Perubahan nama di sertifikat menunggu persetujuan panitia."), "info")
            return redirect(url_for("registration.mine"))
    return render_template("registration/correct.html", form=form, r=registration, claim_url=claim_url)


@bp.get("/pendaftaran/<int:registration_id>/surat-tugas")
@login_required
def letter(registration_id: int) -> ResponseReturnValue:
    """The assignment letter, for its owner and for staff who may see the class."""
    registration = db.get_or_404(Registration, registration_id)
    allowed = registration.user_id == current_user.id or current_user.has_role(*PLANNERS)
    if not allowed or not registration.letter_path:
        abort(404)
    log_access(
        AccessAction.DOWNLOADED,
        "letter",
        "registrations",
        registration.id,
        subject_label=registration.training_class.name,
        people=1,
    )
    db.session.commit()
    return uploads.letter_response(
        registration.letter_path,
        registration.letter_mimetype,
        f"surat-tugas-{registration.id}.{registration.letter_path.rsplit('.', 1)[1]}",
    )


@bp.get("/data-saya")
@login_required
def my_data() -> ResponseReturnValue:
    return render_template("registration/my_data.html", registrations=queries.registrations_of(current_user))


@bp.post("/data-saya/hapus")
@login_required
def erase_mine() -> ResponseReturnValue:
    outcome = rights.request_deletion(current_user)
    db.session.commit()
    if outcome.erased:
        flash(_("%(n)s pendaftaran dan datanya telah dihapus.", n=outcome.erased), "success")
    if outcome.pending:
        flash(
            _("%(n)s pendaftaran untuk kelas yang sudah dimulai menunggu keputusan panitia.", n=len(outcome.pending)),
            "info",
        )
    if outcome.claims:
        flash(_("%(n)s klaim NIK dan suratnya telah dihapus.", n=outcome.claims), "success")
    if not outcome.erased and not outcome.pending and not outcome.claims:
        flash(_("Tidak ada data pendaftaran untuk dihapus."), "info")
    return redirect(url_for("registration.my_data"))
