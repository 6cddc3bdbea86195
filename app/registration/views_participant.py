"""Participant pages: register for a class, follow and cancel the registrations, their letters (the
rights over the data, to see, correct and erase it, are privacy's pages)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.audit.access import log_access
from app.audit.models import AccessAction
from app.core.access import load_or_404, login_required, roles_required
from app.core.actions import commit_or_flash
from app.core.forms import choice_list
from app.core.hooks import template_values
from app.core.roles import Role
from app.errors import NikUnavailable
from app.extensions import db
from app.libraries import services as libraries
from app.libraries.models import LibraryType
from app.programmes import lifecycle
from app.programmes.lifecycle import registration_phrase
from app.programmes.models import PUBLIC_STATUSES, ClassStatus, TrainingClass
from app.regions import services as regions
from app.registration import bp, decisions, notifications, queries, seats, signals, submission, uploads
from app.registration.forms import RegistrationForm
from app.registration.limits import count_this_submit, submit_limits
from app.registration.models import Registration, RegistrationStatus
from app.registration.scope import is_own, may_read_letter

_FIELD_ALIASES = {"library_id": "library_name", "regency_code": "proposed_district"}


def _fill_choices(form: RegistrationForm, training_class: TrainingClass) -> None:
    form.province_code.choices = choice_list(
        [("", _("— pilih provinsi —"))] + [(p.province_code, p.province.name) for p in training_class.provinces]
    )
    province = form.province_code.data or ""
    regency = form.regency_code.data or ""
    district = form.proposed_district.data or ""
    blank = [("", "—")]
    # From the region tree in memory: the class's provinces (and their names) came with the class.
    form.regency_code.choices = choice_list(blank + [(r.code, r.name) for r in regions.regency_areas_of(province)])
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
        person=form.person(current_user.email),
        consent_version=current_app.config["PRIVACY_NOTICE_VERSION"],
        library_id=None if form.not_listed.data else int(form.library_id.data),
        proposed_library=proposal,
        letter=form.checked_letter,
    )


_KEPT_LETTERS = "kept_letters"  # in the session: {class id: name of the letter sent with a form sent back}


def _kept_letter(class_id: int) -> uploads.Letter | None:
    name = session.get(_KEPT_LETTERS, {}).get(str(class_id))
    return uploads.pending(name, clock.now()) if name else None


def _keep_letter(class_id: int, letter: uploads.Letter) -> None:
    """The form goes back for corrections: its letter waits (only this session knows its name)."""
    kept = dict(session.get(_KEPT_LETTERS, {}))
    uploads.drop_pending(kept.get(str(class_id)))
    kept[str(class_id)] = uploads.keep_pending(letter, clock.now())
    session[_KEPT_LETTERS] = kept


def _forget_letter(class_id: int) -> None:
    kept = dict(session.get(_KEPT_LETTERS, {}))
    if str(class_id) in kept:
        uploads.drop_pending(kept.pop(str(class_id)))
        session[_KEPT_LETTERS] = kept


@bp.route("/katalog/<int:class_id>/daftar", methods=["GET", "POST"])
@submit_limits
@roles_required(Role.PARTICIPANT)
def register(class_id: int) -> ResponseReturnValue:
    """The account's holder registers themselves (once per programme); others are nominated."""
    # Drafts and cancelled classes do not exist for participants (as on the catalogue).
    training_class = load_or_404(
        queries.class_for_registering, class_id, check=lambda c: c.status in PUBLIC_STATUSES, hide=True
    )
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
    if programme.requires_letter:
        form.kept_letter = _kept_letter(class_id)
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

        def send() -> str:
            # The account was checked above, in this request: the service does not look again (its
            # unique index still refuses a second active registration sent at the same moment).
            registration = submission.submit(
                training_class, _registration_data(form), user=current_user, account_checked=True
            )
            return registration.status.label  # read before the commit expires it

        done = commit_or_flash(
            send,
            lambda status: _("Pendaftaran terkirim. Status: %(status)s.", status=status),
            form=form,
            aliases=_FIELD_ALIASES,
        )
        if done:
            _forget_letter(class_id)  # stored with the registration under a name of its own
            return redirect(url_for("registration.mine"))
        if isinstance(done.error, NikUnavailable):
            claim_url = url_for("registration.claim_nik", class_id=class_id)
    if form.new_letter and form.checked_letter is not None:
        _keep_letter(class_id, form.checked_letter)
        form.kept_letter = form.checked_letter
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
    """The person's registrations; attendance and certificates add theirs (signals.my_registrations_extras)."""
    registrations = queries.registrations_of(current_user, class_lists=False)
    started = {r.id: lifecycle.has_started(r.training_class) for r in registrations}
    # The class lists only where the page reads them: the quotas of a class someone waits for (why
    # they wait), the facilitators of a class that has started (whom to tell of an absence).
    queries.load_class_lists(
        {r.training_class for r in registrations if r.status is RegistrationStatus.WAITLISTED}, quotas=True
    )
    with_contact = [r for r in registrations if started[r.id]]
    queries.load_class_lists({r.training_class for r in with_contact}, facilitators=True)
    return render_template(
        "registration/mine.html",
        registrations=registrations,
        positions=seats.waitlist_positions(registrations),
        waiting=seats.waitlist_reasons(registrations),
        started=started,
        over={r.id: lifecycle.is_over(r.training_class) for r in registrations},
        contacts={r.id: notifications.contact_of(r.training_class) for r in with_contact},
        RegistrationStatus=RegistrationStatus,
        today=clock.today(),
        **template_values(
            signals.my_registrations_extras, current_user._get_current_object(), registrations=registrations
        ),
    )


@bp.post("/pendaftaran-saya/<int:registration_id>/batal")
@login_required
def cancel_mine(registration_id: int) -> ResponseReturnValue:
    registration = load_or_404(Registration, registration_id, check=lambda r: is_own(r, current_user), hide=True)
    commit_or_flash(lambda: decisions.cancel_own(registration, current_user), _("Pendaftaran dibatalkan."))
    return redirect(url_for("registration.mine"))


@bp.get("/pendaftaran/<int:registration_id>/surat-tugas")
@login_required
def letter(registration_id: int) -> ResponseReturnValue:
    """The assignment letter, for its owner and for staff who may see the class."""
    registration = load_or_404(
        Registration,
        registration_id,
        check=lambda r: may_read_letter(r, current_user) and bool(r.letter_path),
        hide=True,
    )
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
        f"surat-tugas-{registration.id}{Path(registration.letter_path or '').suffix}",
    )
