"""A participant's rights over their registration data (UU PDP): correct it, see and take it,
have it erased; and the organiser's decisions on what waits for them (a new certificate name, an
erasure after the class started)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.certificates import issuing
from app.certificates import queries as certificate_queries
from app.errors import InvalidRegistrationState, NikUnavailable, ScheduleError
from app.extensions import db, utcnow
from app.programmes import lifecycle
from app.registration import identity, uploads
from app.registration.decisions import promote_waitlist
from app.registration.models import DeletionRequest, NameCorrection, NikClaim, Registration, RegistrationStatus
from app.registration.queries import registrations_of
from app.registration.submission import (
    PersonData,
    active_registration_for_nik,
    apply_person,
    identity_warnings,
    nik_claimed_by_another,
)


def correct_data(registration: Registration, person: PersonData, by: User) -> NameCorrection | None:
    """The participant corrects their data; a new certificate name after approval waits for an organiser.
    The address stays the account's; a new NIK is checked for uniqueness only once the rest is valid."""
    if registration.user_id != by.id or registration.purged_at is not None:
        raise InvalidRegistrationState()
    person.email = by.email
    new_nik = identity.clean_number(person.nik)
    nik_changes = new_nik != registration.nik
    if nik_changes and registration.status is RegistrationStatus.APPROVED:
        raise ScheduleError(_("NIK tidak dapat diubah setelah disetujui. Hubungi panitia."), "nik")
    warnings = identity_warnings(person)
    if nik_changes and (
        active_registration_for_nik(registration.programme_id, new_nik, exclude_id=registration.id)
        or nik_claimed_by_another(registration.programme_id, new_nik, by)
    ):
        raise NikUnavailable()
    registration.data_warnings = warnings
    new_name = " ".join(person.full_name.split())
    correction = None
    if registration.status is RegistrationStatus.APPROVED and new_name != registration.full_name:
        correction = NameCorrection(registration=registration, old_name=registration.full_name, new_name=new_name)
        db.session.add(correction)
        person.full_name = registration.full_name  # unchanged until an organiser accepts
    apply_person(registration, person)
    db.session.flush()
    return correction


def decide_name_correction(correction: NameCorrection, accept: bool, by: User) -> None:
    if correction.status != "pending":
        raise InvalidRegistrationState()
    correction.status = "accepted" if accept else "refused"
    correction.decided_at, correction.decided_by_id = utcnow(), by.id
    if accept:  # the name the participant asked for: confirmed by them
        registration = correction.registration
        registration.full_name = correction.new_name
        registration.name_confirmed_at = utcnow()
        # A certificate already issued carries the old name: a new version with the corrected one
        # (same number, new code; the old QR says "superseded" and points to it).
        certificate = certificate_queries.current_certificate(registration)
        if certificate is not None and certificate.holder_name != registration.full_name:
            issuing.reissue(certificate, by)
    db.session.flush()


def export_my_data(user: User) -> dict[str, Any]:
    """Everything Sibimtek holds about a person (UU PDP: access and portability)."""
    return {
        "akun": {
            "nama": user.full_name,
            "email": user.email,
            "whatsapp": user.phone,
            "dibuat": user.created_at.isoformat(),
            "persetujuan_privasi": {
                "versi": user.privacy_consent_version,
                "waktu": user.privacy_consent_at.isoformat() if user.privacy_consent_at else None,
            },
        },
        "pendaftaran": [r.to_dict() for r in registrations_of(user)],
        "klaim_nik": [
            c.to_dict()
            for c in db.session.scalars(
                select(NikClaim).where(NikClaim.user_id == user.id).order_by(NikClaim.created_at)
            )
        ],
    }


def erase_registration(registration: Registration, by: User | None) -> None:
    """Delete a registration and its letter; a seat it held goes to the waiting list."""
    training_class = registration.training_class
    held_seat = registration.status is RegistrationStatus.APPROVED
    uploads.remove_letter(registration.letter_path)
    db.session.delete(registration)
    db.session.flush()
    if held_seat:
        promote_waitlist(training_class)


@dataclass
class DeletionOutcome:
    erased: int = 0
    pending: list[DeletionRequest] = field(default_factory=list)
    claims: int = 0  # NIK claims erased with their letters


def request_deletion(user: User, today: date | None = None) -> DeletionOutcome:
    """Erase the person's registrations for classes not yet started (later ones go to an organiser)
    and their NIK claims."""
    outcome = DeletionOutcome()
    for registration in registrations_of(user):
        day = today or lifecycle.local_today(registration.training_class)  # at the venue
        if registration.training_class.start_date > day:
            erase_registration(registration, by=user)
            outcome.erased += 1
        else:
            already = db.session.scalar(
                select(DeletionRequest).where(
                    DeletionRequest.registration_id == registration.id, DeletionRequest.status == "pending"
                )
            )
            if already is None:
                request = DeletionRequest(user_id=user.id, registration_id=registration.id)
                db.session.add(request)
                outcome.pending.append(request)
    for claim in db.session.scalars(select(NikClaim).where(NikClaim.user_id == user.id)):
        uploads.remove_letter(claim.letter_path)
        db.session.delete(claim)
        outcome.claims += 1
    db.session.flush()
    return outcome


def decide_deletion(request: DeletionRequest, grant: bool, by: User, reason: str | None = None) -> None:
    if request.status != "pending":
        raise InvalidRegistrationState()
    request.status = "done" if grant else "refused"
    request.reason = reason
    request.decided_at = utcnow()
    if grant and request.registration_id:
        registration = db.session.get(Registration, request.registration_id)
        if registration is not None:
            erase_registration(registration, by)
    db.session.flush()
