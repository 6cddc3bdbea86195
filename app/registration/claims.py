"""NIK claims: the way out for a person whose NIK someone else registered in a programme. The
participant states the NIK is theirs; an organiser decides. Accepting cancels the registration
that held the NIK (audited, its holder told) so the claimant can register; refusing mails the
reason. A claim is accepted for any well-formed NIK, registered or not: submitting one tells the
claimant nothing about who registered what."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app import clock
from app.audit import services as audit
from app.auth.models import User
from app.errors import InvalidRegistrationState, ScheduleError
from app.extensions import db
from app.mail.services import send_mail
from app.programmes.models import Programme
from app.registration import decisions, identity, notifications, submission, uploads
from app.registration.models import NikClaim, NikClaimStatus, Registration


def submit_claim(
    programme: Programme, user: User, nik: str, explanation: str, letter: uploads.Letter | None = None
) -> NikClaim:
    """Record the claim; one open claim per person per programme. The caller commits."""
    nik = identity.clean_number(nik)
    check = identity.check_nik(nik)
    if not check.ok:
        raise ScheduleError(check.error, "nik")
    if (
        db.session.scalar(
            select(NikClaim.id)
            .where(
                NikClaim.programme_id == programme.id,
                NikClaim.user_id == user.id,
                NikClaim.status == NikClaimStatus.OPEN,
            )
            .limit(1)
        )
        is not None
    ):
        raise InvalidRegistrationState(
            _(
                "Anda sudah mengajukan klaim NIK untuk program ini. Tunggu keputusan "
                "panitia; hasilnya dikirim lewat email."
            )
        )
    if submission.account_registration(user, programme.id) is not None:
        raise InvalidRegistrationState(
            _(
                "Akun Anda sudah memiliki pendaftaran aktif di program ini, jadi tidak "
                "ada yang perlu diklaim untuk Anda. Hubungi panitia bila ada yang keliru."
            )
        )
    claim = NikClaim(
        programme_id=programme.id,
        user_id=user.id,
        nik=nik,
        explanation=explanation.strip(),
        status=NikClaimStatus.OPEN,
        created_at=clock.now(),
    )
    if letter is not None:
        claim.letter_path, claim.letter_mimetype = uploads.store_letter(letter), letter.mimetype
    db.session.add(claim)
    db.session.flush()
    return claim


def blocking_registration(claim: NikClaim) -> Registration | None:
    """The active registration that holds the claimed NIK now, if any."""
    return submission.active_registration_for_nik(claim.programme_id, claim.nik)


def _check_open(claim: NikClaim) -> None:
    if claim.status is not NikClaimStatus.OPEN:
        raise InvalidRegistrationState(_("Klaim ini sudah diputuskan."))


def _decide(claim: NikClaim, status: NikClaimStatus, by: User, note: str | None) -> None:
    claim.status = status
    claim.decision_note = (note or "").strip() or None
    claim.decided_at, claim.decided_by_id = clock.now(), by.id


def accept_claim(claim: NikClaim, by: User, note: str | None = None) -> Registration | None:
    """Accept: the registration holding the NIK is cancelled (its seat goes to the waiting list),
    the change is audited, its holder and the claimant are told. Returns the cancelled one."""
    _check_open(claim)
    blocking = blocking_registration(claim)
    if blocking is not None and blocking.user_id == claim.user_id:
        raise InvalidRegistrationState(
            _(
                "NIK ini terdaftar atas akun pengklaim sendiri; tidak ada yang perlu "
                "dibatalkan. Tolak klaim ini dengan penjelasan."
            )
        )
    _decide(claim, NikClaimStatus.ACCEPTED, by, note)
    if blocking is not None:
        was = blocking.status.value
        decisions.cancel(
            blocking,
            by,
            _(
                "NIK pada pendaftaran ini diklaim oleh pemiliknya, dan panitia menerima klaim tersebut. Jika menurut "
                "Anda ini keliru, hubungi panitia (%(email)s).",
                email=current_app.config["SUPPORT_EMAIL"],
            ),
        )
        claim.cancelled_registration_id = blocking.id
        audit.record(blocking, "nik_claim", by, {"status": [was, blocking.status.value], "klaim_nik": [None, claim.id]})
        holder = blocking.user
        if holder is not None and holder.email != blocking.email:  # the account that registered, too
            notifications.notify(blocking, "cancelled", to=holder.email)
    audit.record(claim, "accepted", by, {"status": [NikClaimStatus.OPEN.value, claim.status.value]})
    db.session.flush()
    send_mail(claim.user.email, _("Klaim NIK Anda diterima"), "nik_claim_accepted", claim=claim)
    return blocking


def refuse_claim(claim: NikClaim, by: User, reason: str | None) -> None:
    """Refuse with a reason, which is mailed to the claimant."""
    _check_open(claim)
    if not (reason or "").strip():
        raise ScheduleError(_("Tulis alasan penolakan; alasan itu dikirim ke pengklaim."), "note")
    _decide(claim, NikClaimStatus.REFUSED, by, reason)
    audit.record(claim, "refused", by, {"status": [NikClaimStatus.OPEN.value, claim.status.value]})
    db.session.flush()
    send_mail(claim.user.email, _("Klaim NIK Anda tidak diterima"), "nik_claim_refused", claim=claim)


def claims_of(user: User) -> list[NikClaim]:
    return list(
        db.session.scalars(select(NikClaim).where(NikClaim.user_id == user.id).order_by(NikClaim.created_at.desc()))
    )


def claim_query(status: NikClaimStatus | None = NikClaimStatus.OPEN) -> Select:
    """Claims for the organisers' list: the oldest waiting first."""
    query = (
        select(NikClaim)
        .options(joinedload(NikClaim.user), joinedload(NikClaim.programme))
        .order_by(NikClaim.created_at, NikClaim.id)
    )
    return query.where(NikClaim.status == status) if status is not None else query


def open_claims_count() -> int:
    return (
        db.session.scalar(select(func.count()).select_from(NikClaim).where(NikClaim.status == NikClaimStatus.OPEN)) or 0
    )
