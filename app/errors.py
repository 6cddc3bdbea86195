"""Domain errors: services raise them, views turn them into a flashed Indonesian message."""

from __future__ import annotations

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


class InvalidCredentials(DomainError):
    message = _l("Email atau kata sandi salah.")


class EmailNotVerified(DomainError):
    message = _l("Email Anda belum diverifikasi. Buka tautan di email yang kami kirim, atau minta tautan baru.")


class AccountInactive(DomainError):
    message = _l("Akun ini dinonaktifkan. Hubungi admin Sibimtek.")


class EmailTaken(DomainError):
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
    """A planning rule said no."""


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
    field = "nik"
    message = _l("NIK ini sudah terdaftar di program ini. Satu orang hanya dapat mengikuti satu kelas per program.")


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
