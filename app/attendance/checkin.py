"""Self check-in with the rotating QR: the signed code shown to the room, when a day is open to it,
and what a participant's scan records (Hadir, or Terlambat after the day's start)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from app.attendance.models import AttendanceMark, AttendanceStatus, MarkSource
from app.attendance.services import class_days, current_marks, local_now, marking_open_until, record, status_of
from app.auth.models import User
from app.core.formatting import format_date, format_day_date
from app.errors import AttendanceError
from app.extensions import db, utcnow
from app.programmes.models import ClassStatus, TrainingClass
from app.registration.models import Registration, RegistrationStatus

QR_ROTATE_SECONDS = 30


def _qr_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sibimtek-checkin")


def qr_token(c: TrainingClass, day: date, now: datetime | None = None) -> str:
    """A signed token bound to the class and day; a new one every 30 seconds."""
    now = now or utcnow()
    serializer = _qr_serializer()
    window = int(now.timestamp()) // QR_ROTATE_SECONDS
    # itsdangerous stamps with the real clock; the window number makes each period's token differ.
    return serializer.dumps({"c": c.id, "d": day.isoformat(), "w": window})


def day_start(c: TrainingClass, day: date) -> datetime:
    """The configured start of a class day: its first agenda session, else 08.00, venue time."""
    first = min((s.start_time for s in c.agenda if s.day == day), default=time(8, 0))
    return datetime.combine(day, first, tzinfo=c.zoneinfo)


def qr_closed_reason(c: TrainingClass, day: date, now: datetime | None = None) -> str | None:
    """Why the QR screen of a class day shows no live code (None: it may show one). Participants
    check themselves in only on the day itself, so any other day is closed to the QR."""
    today = local_now(c, now).date()
    if c.status in (ClassStatus.CANCELLED, ClassStatus.DRAFT):
        return _("Kelas ini %(state)s: tidak ada presensi dengan kode QR.", state=c.status.label.lower())
    if day not in class_days(c) or today > marking_open_until(c):
        return _("Presensi kelas ini sudah ditutup. Kode QR tidak lagi ditampilkan.")
    if today < day:
        return _("Presensi %(d)s belum dibuka: kode QR tampil pada harinya.", d=format_day_date(day))
    if today > day:
        return _(
            "Presensi hari ini sudah ditutup: kode QR hanya berlaku pada harinya (%(d)s). "
            "Kehadiran yang terlewat dicatat fasilitator di daftar peserta.",
            d=format_date(day),
        )
    return None


@dataclass(frozen=True)
class CheckIn:
    """What a scanned code leads to: the class, the day, and the participant's registration."""

    training_class: TrainingClass
    day: date
    registration: Registration
    already: AttendanceStatus | None  # Hadir or Terlambat already recorded for the day

    @property
    def day_number(self) -> int:
        return class_days(self.training_class).index(self.day) + 1


def _scan_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sibimtek-checkin-scan")


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def scan_proof(token: str) -> str | None:
    """A signed note that this code was scanned while it was fresh, for someone who must log in
    first (on a cheap phone that takes longer than the code lives); None for a stale or bad code."""
    try:
        _qr_serializer().loads(token, max_age=current_app.config["QR_TOKEN_MAX_AGE"])
    except BadSignature:
        return None
    return _scan_serializer().dumps({"h": _token_digest(token)})


def _max_age(token: str, proof: str | None) -> int:
    max_age = current_app.config["QR_TOKEN_MAX_AGE"]
    if proof:
        grace = current_app.config["QR_LOGIN_GRACE"]
        try:
            if _scan_serializer().loads(proof, max_age=grace).get("h") == _token_digest(token):
                return max_age + grace
        except (BadSignature, AttributeError):
            pass
    return max_age


def read_check_in(token: str, user: User, now: datetime | None = None, proof: str | None = None) -> CheckIn:
    """Check a scanned code for `user` without recording anything (the confirm page shows what
    it is for); every refusal raises with the reason. `proof` (scan_proof) gives the person who
    scanned in time the minutes they needed to log in."""
    try:
        payload = _qr_serializer().loads(token, max_age=_max_age(token, proof))
    except SignatureExpired:
        raise AttendanceError(
            _("Kode QR sudah kedaluwarsa. Pindai kode yang sedang tampil di layar fasilitator.")
        ) from None
    except BadSignature:
        raise AttendanceError(_("Kode QR tidak valid.")) from None
    c = db.session.get(TrainingClass, payload.get("c"))
    if c is None:
        raise AttendanceError(_("Kode QR tidak valid."))
    day = date.fromisoformat(payload["d"])
    registration = db.session.scalar(
        select(Registration).where(
            Registration.class_id == c.id,
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.APPROVED,
        )
    )
    if registration is None:
        elsewhere = db.session.scalar(
            select(Registration.id)
            .where(Registration.user_id == user.id, Registration.status == RegistrationStatus.APPROVED)
            .limit(1)
        )
        if elsewhere:
            raise AttendanceError(_("Kode QR ini untuk kelas lain, bukan kelas Anda."))
        raise AttendanceError(_("Anda tidak terdaftar (disetujui) di kelas ini."))
    if day not in class_days(c) or day != local_now(c, now).date():
        raise AttendanceError(_("Kode QR ini bukan untuk hari ini."))
    status = status_of(current_marks([c.id]), registration.id, day)
    already = status if status in (AttendanceStatus.HADIR, AttendanceStatus.TERLAMBAT) else None
    return CheckIn(c, day, registration, already)


def check_in(
    token: str, user: User, now: datetime | None = None, proof: str | None = None
) -> tuple[AttendanceMark | None, str]:
    """A participant scanned the class QR: Hadir, or Terlambat after the start; refusals raise."""
    now = now or utcnow()
    scanned = read_check_in(token, user, now, proof)
    if scanned.already is not None:
        return None, _("Anda sudah tercatat %(status)s hari ini.", status=scanned.already.label.lower())
    c, day = scanned.training_class, scanned.day
    grace = timedelta(minutes=current_app.config["ATTENDANCE_LATE_GRACE_MINUTES"])
    status = AttendanceStatus.HADIR if local_now(c, now) <= day_start(c, day) + grace else AttendanceStatus.TERLAMBAT
    mark, _created = record(
        c,
        registration_id=scanned.registration.id,
        day=day,
        status=status,
        by=user,
        source=MarkSource.QR,
        now=now,
    )
    return mark, _("Presensi tercatat: %(status)s.", status=status.label)
