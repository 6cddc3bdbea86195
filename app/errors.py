"""Domain errors: services raise them, views turn them into a flashed Indonesian message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule of the domain said no; `message` is shown to the user as is."""

    message = _l("Permintaan tidak dapat diproses.")
    field: str | None = None  # the form field the message belongs to, if any

    def __init__(self, message: str | None = None, field: str | None = None) -> None:
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
        super().__init__(str(self.message))

    @property
    def problems(self) -> list[Problem]:
        """Every problem this refusal reports (one for a plain domain error)."""
        return [Problem(str(self.message), self.field)]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a form or an imported row: the message and the field it belongs to."""

    message: str
    field: str | None = None


class InvalidCredentials(DomainError):
    message = _l("Email atau kata sandi salah.")


class EmailNotVerified(DomainError):
    message = _l("Email Anda belum diverifikasi. Buka tautan di email yang kami kirim, atau minta tautan baru.")


class AccountInactive(DomainError):
    message = _l("Akun ini dinonaktifkan. Hubungi admin Sibimtek.")


class LoginDelayed(DomainError):
    """Too many wrong passwords for this account lately: this attempt was not checked at all."""

    message = _l("Terlalu banyak percobaan masuk ke akun ini.")

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        super().__init__(
            _l("Terlalu banyak percobaan masuk ke akun ini. Coba lagi dalam %(seconds)s detik.", seconds=seconds)
        )


class WeakPassword(DomainError):
    """The password policy said no; every reason is reported at once, on the password field."""

    field = "password"
    message = _l("Kata sandi ini tidak dapat dipakai.")

    def __init__(self, reasons: Iterable[str], field: str = "password") -> None:
        self.reasons = [str(r) for r in reasons]
        super().__init__(" ".join(self.reasons) or None, field=field)

    @property
    def problems(self) -> list[Problem]:
        return [Problem(reason, self.field) for reason in self.reasons]


class EmailTaken(DomainError):
    """Only admins see this (creating or editing an account); sign-up never tells."""

    field = "email"
    message = _l("Email ini sudah terdaftar. Silakan masuk atau atur ulang kata sandi.")


class InvalidToken(DomainError):
    message = _l("Tautan tidak valid atau sudah pernah dipakai. Silakan minta tautan baru.")


class ExpiredToken(InvalidToken):
    message = _l("Tautan sudah kedaluwarsa. Silakan minta tautan baru.")


class ConsentRequired(DomainError):
    field = "consent"
    message = _l("Anda perlu menyetujui Pemberitahuan Privasi untuk memakai akun ini.")


class RoleChangeRefused(DomainError):
    field = "roles"
    message = _l("Perubahan peran tidak diizinkan.")


class DuplicateLibrary(DomainError):
    field = "name"
    message = _l("Perpustakaan dengan nama yang sama sudah terverifikasi di kabupaten/kota ini.")


class InvalidRegion(DomainError):
    field = "regency_code"
    message = _l("Kode wilayah tidak dikenal.")


class ScheduleError(DomainError):
    """A planning (or data) rule said no."""


class ValidationFailed(ScheduleError):
    """Several rules said no at once. Services run every check and raise this once, so a person
    sees all problems of a form (or of an imported row) after one submit, not one per submit.
    A ScheduleError, so callers that caught the first-problem error still catch it."""

    message = _l("Periksa kembali isian yang ditandai.")

    def __init__(self, problems: Iterable[Problem]) -> None:
        self._problems = list(problems)
        super().__init__(" ".join(str(p.message) for p in self._problems) or None)

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)


def raise_if_any(problems: Iterable[Problem]) -> None:
    """Raise ValidationFailed with every problem found, if there is one."""
    found = list(problems)
    if found:
        raise ValidationFailed(found)


class InvalidTransition(DomainError):
    message = _l("Perubahan status ini tidak diizinkan.")


class ClassHasRegistrations(DomainError):
    message = _l("Kelas yang sudah memiliki pendaftar tidak dapat dihapus. Batalkan kelas ini sebagai gantinya.")


class RegistrationClosed(DomainError):
    message = _l("Pendaftaran kelas ini sedang tidak dibuka.")


class ClassStarted(DomainError):
    """The class has begun: what changes its roster now needs an organiser's stated reason."""

    message = _l("Kelas sudah dimulai.")


class NotServed(DomainError):
    field = "province_code"
    message = _l("Kelas ini tidak melayani provinsi perpustakaan Anda.")


class DuplicateRegistration(DomainError):
    """The NIK already holds an active registration in the programme (what organisers are told)."""

    field = "nik"
    message = _l("NIK ini sudah terdaftar di program ini. Satu orang hanya dapat mengikuti satu kelas per program.")


class NikUnavailable(DuplicateRegistration):
    """The same refusal as a participant hears it: it confirms nothing about anyone else's NIK and
    points the owner of the NIK to a claim (the form shows the link)."""

    message = _l("NIK ini tidak dapat didaftarkan ke program ini. Jika NIK ini milik Anda, ajukan klaim ke panitia.")


class AccountAlreadyRegistered(DomainError):
    """One account registers its own holder, once per programme."""

    message = _l(
        "Akun Anda sudah memiliki pendaftaran aktif di program ini. Satu akun hanya untuk mendaftarkan "
        "pemiliknya sendiri, satu kali per program. Untuk mendaftarkan orang lain, hubungi panitia atau "
        "koordinator provinsi agar mereka menominasikannya."
    )


class ClassFull(DomainError):
    message = _l("Tidak ada kursi tersisa untuk pendaftar ini (kapasitas atau kuota penuh).")


class InvalidRegistrationState(DomainError):
    message = _l("Status pendaftaran ini tidak memungkinkan tindakan tersebut.")


class InvalidUpload(DomainError):
    field = "letter"
    message = _l("Surat tugas harus berkas PDF, JPG atau PNG, paling besar 2 MB.")


class AttendanceError(DomainError):
    message = _l("Presensi tidak dapat dicatat.")


class CertificateError(DomainError):
    message = _l("Sertifikat tidak dapat diterbitkan.")
