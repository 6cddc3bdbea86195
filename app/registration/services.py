"""Registration rules: window, one NIK per programme, seats within quotas, waiting list, and the
participant's rights over their data. Seat decisions happen under a lock on the class (a row
lock on PostgreSQL; on SQLite every transaction is BEGIN IMMEDIATE), and seats are counted in
SQL inside that lock, never kept as a counter."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.audit import services as audit
from app.auth.models import User
from app.core.formatting import format_date
from app.errors import (
    AccountAlreadyRegistered,
    ClassFull,
    ClassStarted,
    DomainError,
    DuplicateRegistration,
    InvalidRegistrationState,
    NikUnavailable,
    NotServed,
    RegistrationClosed,
    ScheduleError,
    raise_if_any,
)
from app.extensions import db, utcnow
from app.libraries import services as libraries
from app.libraries.models import Library, LibraryStatus
from app.mail.services import send_mail
from app.programmes import lifecycle
from app.programmes.models import ApprovalMode, ClassStatus, QuotaGroup, TrainingClass
from app.programmes.services import seats_taken
from app.registration import identity, uploads
from app.registration.models import (
    ACTIVE_STATUSES,
    DeletionRequest,
    EmploymentStatus,
    NameCorrection,
    NikClaim,
    NikClaimStatus,
    Registration,
    RegistrationStatus,
    nik_matches,
)

# --- data in -----------------------------------------------------------------------------------


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


# --- seats -----------------------------------------------------------------------------------------


def lock_class(training_class: TrainingClass) -> None:
    """Serialise seat decisions for one class until the transaction ends."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(TrainingClass.id).where(TrainingClass.id == training_class.id).with_for_update())


def _fits(capacity: int, reserved: dict[str, int], taken: dict[str, int], key: str) -> bool:
    """A seat for `key`: one of its own reserved seats, or one of the common pool."""
    if taken.get(key, 0) < reserved.get(key, 0):
        return True
    held = sum(max(seats, taken.get(k, 0)) for k, seats in reserved.items())
    outside = sum(n for k, n in taken.items() if k not in reserved)
    return capacity - held - outside > 0


class Shortage(enum.StrEnum):
    """Why there is no seat for someone: what the waiting-list mail and the organiser are told."""

    CLASS_FULL = "class_full"
    PROVINCE_FULL = "province_full"  # the seats left are reserved for other provinces
    GROUP_FULL = "group_full"  # the seats left are reserved for other library types


def seat_shortage(
    training_class: TrainingClass, province_code: str, group: QuotaGroup, today: date | None = None
) -> Shortage | None:
    """None when there is a seat for someone from this province and library group, else why not.
    Call under lock_class() when the answer decides a seat."""
    taken = seats_taken(training_class)
    if taken.total >= training_class.capacity:
        return Shortage.CLASS_FULL
    today = today or clock.today(training_class.zoneinfo)
    if training_class.quota_release_date and today > training_class.quota_release_date:
        return None  # reserved seats have fallen back into the common pool
    by_province = {p.province_code: p.seats for p in training_class.provinces if p.seats}
    by_group = {q.group.value: q.seats for q in training_class.type_quotas if q.seats}
    if not _fits(training_class.capacity, by_province, taken.by_province, province_code):
        return Shortage.PROVINCE_FULL
    if not _fits(training_class.capacity, by_group, {g.value: n for g, n in taken.by_group.items()}, group.value):
        return Shortage.GROUP_FULL
    return None


def has_seat(training_class: TrainingClass, province_code: str, group: QuotaGroup, today: date | None = None) -> bool:
    """Is there a seat for someone from this province and library group? Call under lock_class()."""
    return seat_shortage(training_class, province_code, group, today) is None


# --- submitting ----------------------------------------------------------------------------------


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
    return _require_override(training_class, override_reason, _("Menominasikan peserta"), now)


def _require_override(
    training_class: TrainingClass, override_reason: str | None, what: str, now: datetime | None = None
) -> str | None:
    """Once a class has started, a change to its roster needs an organiser's stated reason."""
    if not lifecycle.has_started(training_class, now):
        return None
    reason = (override_reason or "").strip()
    if not reason:
        raise ClassStarted(
            _(
                "%(cls)s sudah dimulai %(d)s. %(what)s sekarang hanya dengan pengecualian: centang "
                '"Keputusan setelah kelas dimulai" dan tulis alasannya.',
                cls=training_class.name,
                d=format_date(training_class.start_date),
                what=what,
            )
        )
    return reason


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


def _library_for(data: RegistrationData, by: User | None) -> Library:
    if data.proposed_library is not None:
        return libraries.create_library(data.proposed_library, status=LibraryStatus.PROPOSED, by=by)
    library = db.session.get(Library, data.library_id) if data.library_id else None
    if library is None or library.status is not LibraryStatus.VERIFIED:
        raise ScheduleError(_("Pilih perpustakaan dari daftar, atau usulkan perpustakaan baru."), "library_id")
    return library


def _apply_person(registration: Registration, person: PersonData) -> None:
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
) -> list[str]:
    """Every check of the submitted data except the NIK's uniqueness, all at once; returns the
    identity warnings. The duplicate check comes only after this passes, so a NIK's status is never
    learned from a form that was not valid anyway (and a refusal lists every problem at once)."""
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
    return warnings


def submit(
    training_class: TrainingClass,
    data: RegistrationData,
    *,
    user: User | None,
    now: datetime | None = None,
    nominated_by: User | None = None,
    override_reason: str | None = None,
) -> Registration:
    """Register a person for a class: approved, waitlisted or waiting for an organiser. Organisers
    nominate outside the window, but not into a draft, cancelled or finished class, and into a
    running one only with a stated reason (`override_reason`).

    An account (`user`) holds one active registration per programme. Registering without a
    nominating organiser is the account registering its own holder: the registration carries the
    account's own address, whatever was typed."""
    now = now or clock.now()
    nominated = nominated_by is not None
    override = None
    if nominated:
        override = check_nominable(training_class, override_reason, now)
    else:
        check_open(training_class, now)
    programme = training_class.batch.programme
    if user is not None:
        if account_registration(user, programme.id) is not None:
            raise _account_taken(nominated)
        if not nominated:
            data.person.email = user.email
    if not programme.requires_letter:
        data.letter = None  # a letter the programme does not ask for is never kept
    warnings = _registration_problems(training_class, data, nominated, now.date())
    nik = identity.clean_number(data.person.nik)
    with db.session.begin_nested():
        library = _library_for(data, user or nominated_by)
        if library.province_code not in training_class.served_codes:
            raise NotServed()
        if active_registration_for_nik(programme.id, nik) is not None:
            raise _nik_taken(nominated)
        if not nominated and nik_claimed_by_another(programme.id, nik, user):
            raise NikUnavailable()  # organisers gave this NIK to the person who claimed it
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
        _apply_person(registration, data.person)
        lock_class(training_class)
        if nominated or training_class.approval_mode is ApprovalMode.AUTO:
            if has_seat(training_class, registration.province_code, registration.quota_group, now.date()):
                registration.status = RegistrationStatus.APPROVED
                registration.decided_at, registration.decided_by_id = now, nominated_by.id if nominated else None
            else:
                registration.status = RegistrationStatus.WAITLISTED
        if override and registration.status is RegistrationStatus.APPROVED:
            registration.decision_reason = override
        db.session.add(registration)
        try:
            db.session.flush()
        except IntegrityError as exc:
            # Another request registered the same NIK (or from the same account) a moment ago:
            # a unique index said no.
            if "uq_registrations_active_user" in str(exc.orig) or "registrations.user_id" in str(exc.orig):
                raise _account_taken(nominated) from None
            raise _nik_taken(nominated) from None
        if data.letter is not None:  # written only once the row is sure to be kept
            registration.letter_path = uploads.store_letter(data.letter)
            registration.letter_mimetype = data.letter.mimetype
    if override:
        audit.record(registration, "override", nominated_by, {"nominated": [None, override]})
    if nominated:
        return registration  # the nominee's mail also says how to reach their account: see accounts.nominate
    notify(
        registration,
        {
            RegistrationStatus.SUBMITTED: "submitted",
            RegistrationStatus.APPROVED: "approved",
            RegistrationStatus.WAITLISTED: "waitlisted",
        }[registration.status],
    )
    return registration


# --- decisions --------------------------------------------------------------------------------------


def _decide(registration: Registration, status: RegistrationStatus, by: User | None, reason: str | None) -> None:
    registration.status = status
    registration.decided_at = utcnow()
    registration.decided_by_id = by.id if by else None
    registration.decision_reason = (reason or "").strip() or None


def approve(
    registration: Registration, by: User | None, today: date | None = None, *, override_reason: str | None = None
) -> None:
    if registration.status not in (RegistrationStatus.SUBMITTED, RegistrationStatus.WAITLISTED):
        raise InvalidRegistrationState()
    training_class = registration.training_class
    override = _require_override(training_class, override_reason, _("Menyetujui pendaftar"))
    lock_class(training_class)
    if not has_seat(training_class, registration.province_code, registration.quota_group, today):
        raise ClassFull()
    _decide(registration, RegistrationStatus.APPROVED, by, override)
    if override:
        audit.record(registration, "override", by, {"approved": [None, override]})
    db.session.flush()
    notify(registration, "approved")


def waitlist(registration: Registration, by: User | None, reason: str | None = None) -> None:
    """An organiser puts a submitted registration on the waiting list (seats may be free: the mail and
    the organiser's pages say it was their decision, with the reason given)."""
    if registration.status is not RegistrationStatus.SUBMITTED:
        raise InvalidRegistrationState()
    _decide(registration, RegistrationStatus.WAITLISTED, by, reason)
    db.session.flush()
    notify(registration, "waitlisted")


def waitlist_reason(registration: Registration) -> str | None:
    """Why a person is waiting, in words that are true now (mail, participant and organiser pages)."""
    if registration.status is not RegistrationStatus.WAITLISTED:
        return None
    training_class = registration.training_class
    if lifecycle.has_started(training_class):
        return _("Kelas sudah dimulai; kursi tidak lagi diberikan dari daftar tunggu.")
    shortage = seat_shortage(training_class, registration.province_code, registration.quota_group)
    if registration.decided_by_id is not None:
        why = _("Panitia menempatkan pendaftaran Anda di daftar tunggu.")
        if registration.decision_reason:
            why += " " + _("Alasan: %(reason)s", reason=registration.decision_reason)
        return why
    return {
        Shortage.CLASS_FULL: _("Semua kursi kelas ini sudah terisi."),
        Shortage.PROVINCE_FULL: _("Kursi yang tersisa dipesan untuk peserta dari provinsi lain sampai kuota dilepas."),
        Shortage.GROUP_FULL: _("Kursi yang tersisa dipesan untuk jenis perpustakaan lain sampai kuota dilepas."),
        None: _("Ada kursi yang kosong lagi; pendaftaran Anda menunggu giliran di daftar tunggu."),
    }[shortage]


def _withdraw(
    registration: Registration, status: RegistrationStatus, by: User | None, reason: str | None, event: str
) -> list[Registration]:
    """End an active registration; a seat it held goes to the next eligible person waiting."""
    if not registration.is_active:
        raise InvalidRegistrationState()
    held_seat = registration.status is RegistrationStatus.APPROVED
    _decide(registration, status, by, reason)
    db.session.flush()
    notify(registration, event)
    return promote_waitlist(registration.training_class) if held_seat else []


def reject(registration: Registration, by: User | None, reason: str) -> list[Registration]:
    return _withdraw(registration, RegistrationStatus.REJECTED, by, reason, "rejected")


def cancel(registration: Registration, by: User | None, reason: str | None = None) -> list[Registration]:
    """Cancelled by an organiser (at any time; after the start nobody is promoted into the seat)."""
    return _withdraw(registration, RegistrationStatus.CANCELLED, by, reason, "cancelled")


def cancel_own(registration: Registration, user: User) -> list[Registration]:
    """The participant cancels their own registration: only before the class starts."""
    if registration.user_id != user.id:
        raise InvalidRegistrationState()
    training_class = registration.training_class
    if lifecycle.has_started(training_class):
        raise ClassStarted(
            _(
                "Kelas sudah dimulai, jadi pendaftaran tidak dapat dibatalkan lagi. Jika Anda berhalangan hadir, "
                "hubungi panitia (%(contact)s).",
                contact=contact_of(training_class),
            )
        )
    return _withdraw(registration, RegistrationStatus.CANCELLED, user, _("Dibatalkan oleh peserta."), "cancelled")


def contact_of(training_class: TrainingClass) -> str:
    """Whom a participant asks about a class: the organisers' address and the facilitators."""
    contact = current_app.config["SUPPORT_EMAIL"]
    names = ", ".join(f.full_name for f in training_class.facilitators)
    return _("%(email)s, atau fasilitator kelas: %(names)s", email=contact, names=names) if names else contact


def promote_waitlist(training_class: TrainingClass, today: date | None = None) -> list[Registration]:
    """Give free seats to waiting people in order, skipping those whose quota is full. Once the class
    has started nobody is promoted: a seat freed then stays free (nobody joins a running class by mail)."""
    if lifecycle.has_started(training_class):
        return []
    lock_class(training_class)
    promoted = []
    waiting = db.session.scalars(
        select(Registration)
        .where(Registration.class_id == training_class.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    for registration in waiting:
        if has_seat(training_class, registration.province_code, registration.quota_group, today):
            _decide(registration, RegistrationStatus.APPROVED, None, None)
            db.session.flush()
            notify(registration, "promoted")
            promoted.append(registration)
    return promoted


def move(
    registration: Registration,
    target: TrainingClass,
    by: User | None,
    today: date | None = None,
    *,
    override_reason: str | None = None,
) -> None:
    """Move someone to another class of the same programme, keeping its seats and quotas."""
    source = registration.training_class
    if not registration.is_active or target.id == source.id:
        raise InvalidRegistrationState()
    if target.batch.programme_id != source.batch.programme_id:
        raise ScheduleError(_("Hanya dapat dipindah ke kelas dalam program yang sama."))
    if lifecycle.effective_status(target) in (ClassStatus.CANCELLED, ClassStatus.FINISHED, ClassStatus.DRAFT):
        raise ScheduleError(_("Kelas tujuan masih draf, sudah dibatalkan atau sudah selesai."))
    started = source if lifecycle.has_started(source) else target
    override = _require_override(started, override_reason, _("Memindahkan pendaftar"))
    if registration.province_code not in target.served_codes:
        raise NotServed(_("Kelas tujuan tidak melayani provinsi pendaftar."))
    for c in sorted((source, target), key=lambda c: c.id):  # one lock order: no deadlocks
        lock_class(c)
    held_seat = registration.status is RegistrationStatus.APPROVED
    if held_seat and not has_seat(target, registration.province_code, registration.quota_group, today):
        raise ClassFull(_("Kelas tujuan tidak punya kursi untuk pendaftar ini."))
    registration.class_id = target.id
    registration.training_class = target
    registration.decision_reason = _("Dipindah dari %(name)s.", name=source.name)
    if override:
        registration.decision_reason += " " + override
        audit.record(registration, "override", by, {"moved": [source.name, f"{target.name}: {override}"]})
    db.session.flush()
    notify(registration, "moved")
    if held_seat:
        promote_waitlist(source, today)


def cancel_class_registrations(training_class: TrainingClass, by: User | None) -> int:
    """When a class is cancelled, every active registration is cancelled and told so."""
    active = db.session.scalars(
        select(Registration).where(Registration.class_id == training_class.id, Registration.status.in_(ACTIVE_STATUSES))
    ).all()
    for registration in active:
        _decide(registration, RegistrationStatus.CANCELLED, by, _("Kelas dibatalkan."))
        notify(registration, "class_cancelled")
    db.session.flush()
    return len(active)


def waitlist_position(registration: Registration) -> int | None:
    if registration.status is not RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.class_id == registration.class_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            (Registration.created_at < registration.created_at)
            | and_(Registration.created_at == registration.created_at, Registration.id < registration.id),
        )
    )
    return (ahead or 0) + 1


# --- notifications -----------------------------------------------------------------------------------

SUBJECTS = {
    "submitted": lambda: _("Pendaftaran Bimtek diterima"),
    "approved": lambda: _("Pendaftaran Bimtek disetujui"),
    "waitlisted": lambda: _("Anda masuk daftar tunggu Bimtek"),
    "promoted": lambda: _("Kursi tersedia: pendaftaran Bimtek Anda disetujui"),
    "rejected": lambda: _("Pendaftaran Bimtek tidak disetujui"),
    "cancelled": lambda: _("Pendaftaran Bimtek dibatalkan"),
    "class_cancelled": lambda: _("Kelas Bimtek dibatalkan"),
    "moved": lambda: _("Kelas Bimtek Anda dipindah"),
    "reminder": lambda: _("Pengingat: kelas Bimtek dimulai 3 hari lagi"),
    "nominated": lambda: _("Anda dinominasikan mengikuti Bimtek"),
}


_quiet: ContextVar[bool] = ContextVar("registration_notifications_quiet", default=False)


@contextmanager
def quiet() -> Iterator[None]:
    """No notification mails inside this block (demo data, bulk generation)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def notify(registration: Registration, event: str, *, to: str | None = None, **extra: Any) -> None:
    """Mail the registration's person (or `to`) about `event`."""
    if _quiet.get():
        return
    waiting = registration.status is RegistrationStatus.WAITLISTED
    send_mail(
        to or registration.email,
        SUBJECTS[event](),
        f"registration_{event}",
        r=registration,
        c=registration.training_class,
        position=waitlist_position(registration) if waiting else None,
        why=waitlist_reason(registration) if waiting else None,
        **extra,
    )


def whatsapp_link(registration: Registration) -> str:
    """A wa.me click-to-chat link with a prepared message for the organiser."""
    c = registration.training_class
    message = _(
        "Halo %(name)s, kami dari panitia Bimtek Perpustakaan Nasional. Status pendaftaran Anda di %(cls)s "
        "(%(start)s, %(venue)s): %(status)s.",
        name=registration.full_name,
        cls=c.name,
        start=format_date(c.start_date),
        venue=c.venue_name,
        status=registration.status.label,
    )
    return f"https://wa.me/{registration.whatsapp.lstrip('+')}?text={quote(message)}"


def send_reminders(today: date) -> int:
    """Remind approved participants of classes that start within 3 days; once each."""
    due = db.session.scalars(
        select(Registration)
        .join(Registration.training_class)
        .where(
            Registration.status == RegistrationStatus.APPROVED,
            Registration.reminded_at.is_(None),
            TrainingClass.start_date >= today,
            TrainingClass.start_date <= date.fromordinal(today.toordinal() + 3),
            TrainingClass.status.not_in([ClassStatus.CANCELLED, ClassStatus.DRAFT]),
        )
    ).all()
    for registration in due:
        notify(registration, "reminder")
        registration.reminded_at = utcnow()
    db.session.flush()
    return len(due)


# --- the participant's own data ------------------------------------------------------------------------


def registrations_of(user: User) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration).where(Registration.user_id == user.id).order_by(Registration.created_at.desc())
        )
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
    _apply_person(registration, person)
    db.session.flush()
    return correction


def decide_name_correction(correction: NameCorrection, accept: bool, by: User) -> None:
    if correction.status != "pending":
        raise InvalidRegistrationState()
    correction.status = "accepted" if accept else "refused"
    correction.decided_at, correction.decided_by_id = utcnow(), by.id
    if accept:  # the name the participant asked for: confirmed by them
        correction.registration.full_name = correction.new_name
        correction.registration.name_confirmed_at = utcnow()
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


# --- organiser lists ----------------------------------------------------------------------------------


def registration_query(
    *,
    class_id: int | None = None,
    programme_id: int | None = None,
    province_code: str | None = None,
    regency_code: str | None = None,
    library_type: str | None = None,
    status: RegistrationStatus | None = None,
    has_letter: bool | None = None,
    q: str = "",
):
    """Registrations for the organiser's lists, in queue order."""
    query = select(Registration).join(Registration.library).order_by(Registration.created_at, Registration.id)
    if class_id:
        query = query.where(Registration.class_id == class_id)
    if programme_id:
        query = query.where(Registration.programme_id == programme_id)
    if province_code:
        query = query.where(Registration.province_code == province_code)
    if regency_code:
        query = query.where(Library.regency_code == regency_code)
    if library_type:
        query = query.where(Library.type == library_type)
    if status:
        query = query.where(Registration.status == status)
    if has_letter is not None:
        query = query.where(Registration.letter_path.is_not(None) if has_letter else Registration.letter_path.is_(None))
    if q and re.fullmatch(r"[0-9]{16}", identity.clean_number(q)):
        # A whole NIK: found through its keyed hash (the column is encrypted; no partial match).
        query = query.where(nik_matches(identity.clean_number(q)))
    elif q:
        like = f"%{q}%"
        query = query.where(
            Registration.full_name.ilike(like) | Registration.email.ilike(like) | Library.name.ilike(like)
        )
    return query


@dataclass(frozen=True)
class DuplicateGroup:
    reason: str
    registrations: list[Registration]


def likely_duplicates(programme_id: int) -> list[DuplicateGroup]:
    """Same NIK more than once, or the same name and birth date under different NIKs."""
    groups: list[DuplicateGroup] = []
    same_nik = (
        db.session.execute(  # equal NIKs have equal keyed hashes (the NIKs are encrypted)
            select(Registration.nik_hash)
            .where(Registration.programme_id == programme_id, Registration.nik_hash.is_not(None))
            .group_by(Registration.nik_hash)
            .having(func.count() > 1)
        )
        .scalars()
        .all()
    )
    for nik_hash in same_nik:
        rows = db.session.scalars(
            select(Registration)
            .where(Registration.programme_id == programme_id, Registration.nik_hash == nik_hash)
            .order_by(Registration.created_at)
        ).all()
        groups.append(DuplicateGroup(_("NIK sama"), list(rows)))
    name_key = func.lower(Registration.full_name)
    same_person = db.session.execute(
        select(name_key, Registration.birth_date)
        .where(Registration.programme_id == programme_id)
        .group_by(name_key, Registration.birth_date)
        .having(func.count(func.distinct(Registration.nik_hash)) > 1)
    ).all()
    for name, born in same_person:
        rows = db.session.scalars(
            select(Registration)
            .where(Registration.programme_id == programme_id, name_key == name, Registration.birth_date == born)
            .order_by(Registration.created_at)
        ).all()
        groups.append(DuplicateGroup(_("Nama dan tanggal lahir sama"), list(rows)))
    return groups


def verify_proposed_library(library: Library) -> None:
    libraries.verify_library(library)


def merge_library(proposal: Library, target: Library) -> int:
    """A proposed library is really an existing one: move its registrations, drop the proposal."""
    if proposal.status is not LibraryStatus.PROPOSED or target.id == proposal.id:
        raise InvalidRegistrationState(_("Hanya usulan yang dapat digabungkan ke perpustakaan lain."))
    if target.status is not LibraryStatus.VERIFIED:
        raise InvalidRegistrationState(_("Perpustakaan tujuan harus sudah terverifikasi."))
    moved = db.session.scalars(select(Registration).where(Registration.library_id == proposal.id)).all()
    for registration in moved:
        registration.library_id = target.id
        registration.province_code = target.province_code
        registration.quota_group = QuotaGroup.of(target.type)
    db.session.flush()
    db.session.delete(proposal)
    db.session.flush()
    return len(moved)


def reject_proposed_library(proposal: Library) -> None:
    if proposal.status is not LibraryStatus.PROPOSED:
        raise InvalidRegistrationState()
    used = db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.library_id == proposal.id)
    )
    if used:
        raise InvalidRegistrationState(
            _("Usulan ini dipakai %(n)s pendaftar: gabungkan ke perpustakaan yang benar.", n=used)
        )
    db.session.delete(proposal)
    db.session.flush()
