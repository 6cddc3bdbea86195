"""Submitting a registration: the data in, the window, one NIK and one account per programme,
and the seat (or the waiting list) it gets."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.audit import services as audit
from app.auth.models import User
from app.errors import (
    AccountAlreadyRegistered,
    DomainError,
    DuplicateRegistration,
    NikUnavailable,
    NotServed,
    RegistrationClosed,
    ScheduleError,
    raise_if_any,
)
from app.extensions import db
from app.libraries import services as libraries
from app.libraries.models import Library, LibraryStatus
from app.programmes import lifecycle
from app.programmes.models import ApprovalMode, ClassStatus, QuotaGroup, TrainingClass
from app.registration import identity, seats, uploads
from app.registration.decisions import require_override
from app.registration.models import (
    ACTIVE_STATUSES,
    EmploymentStatus,
    NikClaim,
    NikClaimStatus,
    Registration,
    RegistrationStatus,
    nik_matches,
)
from app.registration.notifications import notify


@dataclass
class PersonData:
    full_name: str
    nik: str
    gender: str
    birth_place: str
    birth_date: date
    position: str
    employment_status: EmploymentStatus
    email: str
    whatsapp: str
    nip: str | None = None


@dataclass
class RegistrationData:
    person: PersonData
    consent_version: str
    library_id: int | None = None
    proposed_library: libraries.LibraryData | None = None  # "my library is not listed"
    letter: uploads.Letter | None = None


def identity_warnings(person: PersonData, today: date | None = None) -> list[str]:
    """Warnings (never refusals) about the person's numbers; raises ScheduleError for bad numbers."""
    nik = identity.check_nik(person.nik, birth_date=person.birth_date, gender=person.gender, today=today)
    if not nik.ok:
        raise ScheduleError(nik.error, "nik")
    warnings = list(nik.warnings)
    if person.nip:
        nip = identity.check_nip(
            person.nip,
            civil_servant=person.employment_status is EmploymentStatus.PNS,
            birth_date=person.birth_date,
            gender=person.gender,
            today=today,
        )
        if not nip.ok:
            raise ScheduleError(nip.error, "nip")
        warnings += nip.warnings
    return warnings


def check_open(training_class: TrainingClass, now: datetime | None = None) -> None:
    """Registration is open now by the class's status and window; else RegistrationClosed saying when."""
    now = now or clock.now()
    if lifecycle.effective_status(training_class, now) is not ClassStatus.REGISTRATION_OPEN:
        raise RegistrationClosed(lifecycle.registration_phrase(training_class, now=now))


def check_nominable(
    training_class: TrainingClass, override_reason: str | None = None, now: datetime | None = None
) -> str | None:
    """Organisers may nominate people into an announced class that has not finished; into a running
    one only with a reason (returned). Raises RegistrationClosed or ClassStarted otherwise."""
    state = lifecycle.effective_status(training_class, now)
    if state in (ClassStatus.DRAFT, ClassStatus.CANCELLED, ClassStatus.FINISHED):
        raise RegistrationClosed(
            _(
                "Nominasi hanya untuk kelas yang sudah diumumkan dan belum selesai (kelas ini: %(state)s).",
                state=state.label.lower(),
            )
        )
    return require_override(training_class, override_reason, _("Menominasikan peserta"), now)


def nik_claimed_by_another(programme_id: int, nik: str, user: User | None) -> bool:
    """An accepted NIK claim of someone else holds this NIK in the programme: only the claimant
    may register with it (else whoever squatted it could simply register it again). Claims are
    few per programme and their NIKs encrypted: compared here, not in SQL."""
    accepted = db.session.scalars(
        select(NikClaim).where(NikClaim.programme_id == programme_id, NikClaim.status == NikClaimStatus.ACCEPTED)
    )
    wanted = identity.clean_number(nik)
    return any(c.nik == wanted and (user is None or c.user_id != user.id) for c in accepted)


def active_registration_for_nik(programme_id: int, nik: str, exclude_id: int | None = None) -> Registration | None:
    """The active registration holding this NIK in the programme, if any. Every look-up of a
    registration by NIK goes through here (the duplicate check, corrections, NIK claims), so the
    way a NIK is stored and matched changes in this one place."""
    query = select(Registration).where(
        Registration.programme_id == programme_id,
        nik_matches(nik),
        Registration.status.in_(ACTIVE_STATUSES),
    )
    if exclude_id:
        query = query.where(Registration.id != exclude_id)
    return db.session.scalar(query.limit(1))


def account_registration(user: User, programme_id: int) -> Registration | None:
    """The account's active registration in the programme (an account holds at most one)."""
    return db.session.scalar(
        select(Registration)
        .where(
            Registration.programme_id == programme_id,
            Registration.user_id == user.id,
            Registration.status.in_(ACTIVE_STATUSES),
        )
        .limit(1)
    )


def _account_taken(nominated: bool) -> AccountAlreadyRegistered:
    if nominated:
        return AccountAlreadyRegistered(
            _("Akun dengan email ini sudah memiliki pendaftaran aktif di program ini."), "email"
        )
    return AccountAlreadyRegistered()


def _nik_taken(nominated: bool) -> DuplicateRegistration:
    """Organisers are told the NIK is registered; a participant hears only that it cannot be
    registered, and how its owner claims it."""
    return DuplicateRegistration() if nominated else NikUnavailable()


def _library_for(data: RegistrationData, by: User | None, chosen: Library | None) -> Library:
    """The proposed library (created now), or the chosen one (`chosen`: as _registration_problems loaded it)."""
    if data.proposed_library is not None:
        return libraries.create_library(data.proposed_library, status=LibraryStatus.PROPOSED, by=by)
    library = chosen
    if library is None or library.status is not LibraryStatus.VERIFIED:
        raise ScheduleError(_("Pilih perpustakaan dari daftar, atau usulkan perpustakaan baru."), "library_id")
    return library


def apply_person(registration: Registration, person: PersonData) -> None:
    """Write the person's data onto the registration, tidied (names and places trimmed, numbers cleaned)."""
    registration.full_name = " ".join(person.full_name.split())
    registration.nik = identity.clean_number(person.nik)
    registration.nip = identity.clean_number(person.nip) or None
    registration.gender = person.gender
    registration.birth_place = person.birth_place.strip()
    registration.birth_date = person.birth_date
    registration.position = person.position.strip()
    registration.employment_status = person.employment_status
    registration.email = person.email.strip().lower()
    registration.whatsapp = person.whatsapp


def _registration_problems(
    training_class: TrainingClass, data: RegistrationData, nominated: bool, today: date
) -> tuple[list[str], Library | None]:
    """Every check of the submitted data except the NIK's uniqueness, all at once; returns the
    identity warnings and the chosen library (None for a proposed one). The duplicate check comes
    only after this passes, so a NIK's status is never learned from a form that was not valid anyway
    (and a refusal lists every problem at once)."""
    programme = training_class.batch.programme
    found: list[DomainError] = []
    warnings: list[str] = []
    try:
        warnings = identity_warnings(data.person, today=today)
    except DomainError as exc:
        found.append(exc)
    nik = identity.clean_number(data.person.nik)
    email = data.person.email.strip().lower()
    same_address = db.session.scalars(
        select(Registration).where(
            Registration.programme_id == programme.id,
            Registration.email == email,
            Registration.status.in_(ACTIVE_STATUSES),
        )
    ).all()
    # Compared here, not in SQL: NIKs are matched only through active_registration_for_nik.
    if any(r.nik != nik for r in same_address):
        # The address is how a registration finds its person's account: one address, one person.
        found.append(
            ScheduleError(
                _(
                    "Email ini sudah dipakai pendaftar lain di program ini. Setiap peserta memakai "
                    "email sendiri: email itulah yang membuka akun, presensi dan sertifikatnya."
                ),
                "email",
            )
        )
    if programme.requires_letter and data.letter is None and not nominated:
        found.append(ScheduleError(_("Program ini meminta surat tugas. Unggah berkas PDF atau gambar."), "letter"))
    province: str | None
    library: Library | None = None
    if data.proposed_library is not None:
        province = data.proposed_library.regency_code[:2]
    else:
        library = db.session.get(Library, data.library_id) if data.library_id else None
        province = library.province_code if library is not None else None
        if library is None or library.status is not LibraryStatus.VERIFIED:
            found.append(
                ScheduleError(_("Pilih perpustakaan dari daftar, atau usulkan perpustakaan baru."), "library_id")
            )
            province = None
    if province is not None and province not in training_class.served_codes:
        found.append(NotServed())
    if len(found) == 1:
        raise found[0]
    raise_if_any(p for exc in found for p in exc.problems)
    return warnings, library


def submit(
    training_class: TrainingClass,
    data: RegistrationData,
    *,
    user: User | None,
    now: datetime | None = None,
    nominated_by: User | None = None,
    override_reason: str | None = None,
    account_checked: bool = False,
) -> Registration:
    """Register a person for a class: approved, waitlisted or waiting for an organiser. Organisers
    nominate outside the window, but not into a draft, cancelled or finished class, and into a
    running one only with a stated reason (`override_reason`).

    An account (`user`) holds one active registration per programme (`account_checked`: the caller
    has just looked, with account_registration, in this transaction; the unique index on active
    registrations per account still refuses a second one sent meanwhile). Registering without a
    nominating organiser is the account registering its own holder: the registration carries the
    account's own address, whatever was typed.

    A self-registration is committed as received, then its seat decided (seats.decide_seat: the class
    lock held only inside PostgreSQL, for the check and the write); its mail is written after that,
    for the caller to commit. A nomination stays inside the caller's transaction."""
    now = now or clock.now()
    nominated = nominated_by is not None
    override = None
    if nominated:
        override = check_nominable(training_class, override_reason, now)
    else:
        check_open(training_class, now)
    programme = training_class.batch.programme
    if user is not None:
        if not account_checked and account_registration(user, programme.id) is not None:
            raise _account_taken(nominated)
        if not nominated:
            data.person.email = user.email
    if not programme.requires_letter:
        data.letter = None  # a letter the programme does not ask for is never kept
    warnings, chosen = _registration_problems(training_class, data, nominated, now.date())
    nik = identity.clean_number(data.person.nik)
    # A savepoint only around a proposed library's row (undone when a check below refuses): with a
    # chosen library nothing is written in here.
    with db.session.begin_nested() if data.proposed_library is not None else contextlib.nullcontext():
        library = _library_for(data, user or nominated_by, chosen)
        if library.province_code not in training_class.served_codes:
            raise NotServed()
        if active_registration_for_nik(programme.id, nik) is not None:
            raise _nik_taken(nominated)
        if not nominated and nik_claimed_by_another(programme.id, nik, user):
            raise NikUnavailable()  # organisers gave this NIK to the person who claimed it
    # The row is built whole (NIK hashed, library resolved) before the class is locked.
    registration = Registration(
        class_id=training_class.id,
        programme_id=programme.id,
        user_id=user.id if user else None,
        library_id=library.id,
        province_code=library.province_code,
        quota_group=QuotaGroup.of(library.type),
        data_warnings=warnings,
        consent_version=data.consent_version,
        consent_at=now,
        created_at=now,
        status=RegistrationStatus.SUBMITTED,
    )
    registration.library = library
    apply_person(registration, data.person)
    if nominated_by is not None:
        return _nominate(training_class, registration, data.letter, now, nominated_by, override)
    if data.letter is not None:  # stored before the lock; removed again if the row is refused
        registration.letter_path = uploads.store_letter(data.letter)
        registration.letter_mimetype = data.letter.mimetype
    try:
        _insert(registration, nominated=False)
        _commit_keeping_loaded()  # kept as received (waiting for its seat), whatever follows
    except BaseException:
        db.session.rollback()
        uploads.remove_letter(registration.letter_path)
        raise
    if training_class.approval_mode is ApprovalMode.AUTO:
        seats.decide_seat(training_class, registration, now)
        _commit_keeping_loaded()  # the decision (on PostgreSQL committed already by its call)
    # After the commit, outside the lock: the mail (with the place on the waiting list).
    notify(
        registration,
        {
            RegistrationStatus.SUBMITTED: "submitted",
            RegistrationStatus.APPROVED: "approved",
            RegistrationStatus.WAITLISTED: "waitlisted",
        }[registration.status],
    )
    return registration


UNDECIDED_AFTER = timedelta(minutes=2)  # a submit's decision comes within a second of its commit


def decide_left_undecided(now: datetime | None = None) -> int:
    """Self-registrations for classes with automatic approval that were kept but never decided (the
    request failed between its two commits: the database went away, the process was stopped):
    decided now, in the order received, each with the mail submit would have sent. Only those of the
    last day: older waiting ones were received while the class was moderated, for an organiser."""
    now = now or clock.now()
    undecided = db.session.scalars(
        select(Registration)
        .join(TrainingClass, TrainingClass.id == Registration.class_id)
        .where(
            Registration.status == RegistrationStatus.SUBMITTED,
            Registration.decided_by_id.is_(None),
            TrainingClass.approval_mode == ApprovalMode.AUTO,
            Registration.created_at < now - UNDECIDED_AFTER,
            Registration.created_at > now - timedelta(days=1),
        )
        .order_by(Registration.created_at, Registration.id)
    ).all()
    for registration in undecided:
        training_class = registration.training_class
        _commit_keeping_loaded()
        seats.decide_seat(training_class, registration, now)
        _commit_keeping_loaded()
        notify(registration, registration.status.value)
        db.session.commit()
    return len(undecided)


def _commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds: the registration, its class and the account
    are what was just written or read, and the mail after the commit need not load them again."""
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def _take_seat(
    training_class: TrainingClass,
    registration: Registration,
    now: datetime,
    decided_by: User,
    override: str | None = None,
) -> None:
    """A nomination's seat, under the class lock until the caller commits: the approved seats
    counted (one statement), the row inserted approved or waiting."""
    seats.load_quotas(training_class)
    seats.lock_class(training_class)
    with db.session.no_autoflush:
        seat = seats.has_seat(training_class, registration.province_code, registration.quota_group, now.date())
    if seat:
        registration.status = RegistrationStatus.APPROVED
        registration.decided_at = now
        registration.decided_by_id = decided_by.id
        registration.decision_reason = override
    else:
        registration.status = RegistrationStatus.WAITLISTED
    _insert(registration, nominated=True)


def _insert(registration: Registration, nominated: bool) -> None:
    """Raises the duplicate errors when a unique index refuses the row (another request registered
    the same NIK, or from the same account, a moment ago)."""
    db.session.add(registration)
    try:
        db.session.flush()
    except IntegrityError as exc:
        if "uq_registrations_active_user" in str(exc.orig) or "registrations.user_id" in str(exc.orig):
            raise _account_taken(nominated) from None
        raise _nik_taken(nominated) from None


def _nominate(
    training_class: TrainingClass,
    registration: Registration,
    letter: uploads.Letter | None,
    now: datetime,
    nominated_by: User,
    override: str | None,
) -> Registration:
    """An organiser's nomination stays inside the caller's transaction (an import keeps all its rows
    or none, the nominee's account and mail come with it): the class stays locked until that commits."""
    with db.session.begin_nested():
        _take_seat(training_class, registration, now, decided_by=nominated_by, override=override)
        if letter is not None:  # written only once the row is sure to be kept
            registration.letter_path = uploads.store_letter(letter)
            registration.letter_mimetype = letter.mimetype
    if override:
        audit.record(registration, "override", nominated_by, {"nominated": [None, override]})
    return registration  # the nominee's mail also says how to reach their account: see accounts.nominate
