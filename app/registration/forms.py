"""Registration forms: the participant's form, corrections, and the organisers' actions."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from app import clock
from app.core.forms import BaseForm, WhatsAppNumber, choice_list, size_limit
from app.errors import InvalidUpload
from app.libraries.models import LibraryType
from app.registration import identity, uploads
from app.registration.models import GENDER_LABELS, EmploymentStatus
from app.registration.submission import PersonData


def _required(message: object) -> list:
    return [DataRequired(message)]


class PersonFields(BaseForm):
    """The personal data, shared by the registration form and the correction form."""

    full_name = StringField(
        _l("Nama lengkap untuk sertifikat"),
        validators=[
            DataRequired(_l("Nama lengkap wajib diisi.")),
            Length(min=2, max=100, message=_l("Nama 2 sampai 100 karakter.")),
        ],
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
    )
    nik = StringField(
        _l("NIK (16 digit, sesuai KTP)"),
        validators=_required(_l("NIK wajib diisi.")),
        filters=[lambda v: identity.clean_number(v) if isinstance(v, str) else v],
    )
    # Declared in the order the pages show them, so the error summary lists problems top to bottom.
    employment_status = SelectField(
        _l("Status kepegawaian"),
        choices=choice_list([("", _l("— pilih —"))] + EmploymentStatus.choices()),
        validators=_required(_l("Pilih status kepegawaian.")),
    )
    nip = StringField(
        _l("NIP (18 digit, bila ada)"),
        validators=[Optional()],
        filters=[lambda v: identity.clean_number(v) or None if isinstance(v, str) else v],
    )
    gender = RadioField(
        _l("Jenis kelamin"),
        choices=choice_list(GENDER_LABELS.items()),
        validators=[InputRequired(_l("Pilih jenis kelamin."))],
    )
    birth_place = StringField(
        _l("Tempat lahir"), validators=[DataRequired(_l("Tempat lahir wajib diisi.")), Length(max=100)]
    )
    birth_date = DateField(_l("Tanggal lahir"), validators=[InputRequired(_l("Tanggal lahir wajib diisi."))])
    position = StringField(_l("Jabatan"), validators=[DataRequired(_l("Jabatan wajib diisi.")), Length(max=150)])
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Email wajib diisi.")),
            Email(_l("Format email tidak valid."), check_deliverability=False),
        ],
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
    )
    whatsapp = StringField(
        _l("Nomor WhatsApp"), validators=[DataRequired(_l("Nomor WhatsApp wajib diisi.")), WhatsAppNumber()]
    )

    def person(self, email: str) -> PersonData:
        """The person as the services take them; `email` is the account's (these forms do not ask it)."""
        return PersonData(
            full_name=self.full_name.data,
            nik=self.nik.data,
            nip=self.nip.data,
            gender=self.gender.data,
            birth_place=self.birth_place.data,
            birth_date=self.birth_date.data,
            position=self.position.data,
            employment_status=EmploymentStatus(self.employment_status.data),
            email=email,
            whatsapp=self.whatsapp.data,
        )

    def validate_nik(self, field: StringField) -> None:
        check = identity.check_nik(field.data or "")
        if not check.ok:
            raise ValidationError(check.error)

    def validate_nip(self, field: StringField) -> None:
        if field.data:
            check = identity.check_nip(field.data, civil_servant=self.employment_status.data == EmploymentStatus.PNS)
            if not check.ok:
                raise ValidationError(check.error)

    def validate_birth_date(self, field: DateField) -> None:
        today = clock.today()
        if field.data and not (date(today.year - 80, 1, 1) <= field.data <= date(today.year - 15, 12, 31)):
            raise ValidationError(_l("Tanggal lahir tidak masuk akal."))


class RegistrationForm(PersonFields):
    province_code = SelectField(_l("Provinsi"), validators=_required(_l("Pilih provinsi.")), validate_choice=False)
    regency_code = SelectField(
        _l("Kabupaten/kota"), validators=_required(_l("Pilih kabupaten/kota.")), validate_choice=False
    )
    library_id = HiddenField()
    library_name = StringField(_l("Perpustakaan tempat Anda bekerja"))
    not_listed = BooleanField(_l("Perpustakaan saya tidak ada di daftar"))
    proposed_name = StringField(_l("Nama perpustakaan"), validators=[Optional(), Length(min=3, max=200)])
    proposed_type = SelectField(
        _l("Jenis perpustakaan"),
        choices=choice_list([("", _l("— pilih jenis —"))] + LibraryType.choices()),
        validate_choice=False,
    )
    proposed_district = SelectField(_l("Kecamatan"), validate_choice=False)
    proposed_village = SelectField(_l("Desa/kelurahan (opsional)"), validate_choice=False)
    letter = FileField(
        _l("Surat tugas (PDF/JPG/PNG, maks. 2 MB)"),
        render_kw=size_limit(
            uploads.MAX_LETTER_BYTES, _l("Berkas ini lebih dari 2 MB. Pilih berkas yang lebih kecil.")
        ),
    )
    email = None  # the account's own address, shown read-only: a participant registers themselves
    name_confirmed = BooleanField(_l("Nama di atas sudah benar dan boleh dicetak di sertifikat."))
    consent = BooleanField(
        _l("Saya telah membaca Pemberitahuan Privasi dan menyetujui pemrosesan data pribadi saya untuk Bimtek ini."),
        validators=[DataRequired(_l("Anda perlu menyetujui Pemberitahuan Privasi untuk mendaftar."))],
    )
    submit = SubmitField(_l("Kirim pendaftaran"))

    letter_required = False  # set from the programme by the view; a letter not asked for is never read
    checked_letter: uploads.Letter | None = None  # the upload, checked and cleaned, once the form is valid
    kept_letter: uploads.Letter | None = None  # set by the view: a letter sent earlier with this form
    new_letter = False  # the checked letter came with this very request (the view keeps it if sent back)

    def validate_letter(self, field: FileField) -> None:
        if not self.letter_required:
            return
        if not isinstance(field.data, FileStorage) or not field.data:
            if self.kept_letter is not None:
                self.checked_letter = self.kept_letter
                return
            raise ValidationError(_l("Program ini meminta surat tugas. Unggah berkas PDF atau gambar."))
        try:
            self.checked_letter = uploads.inspect_letter(field.data.read(uploads.MAX_LETTER_BYTES + 1))
        except InvalidUpload as exc:
            raise ValidationError(str(exc.message)) from None
        self.new_letter = True

    def validate_library_id(self, field: HiddenField) -> None:
        value = field.data or ""
        if not self.not_listed.data and not (value.isascii() and value.isdigit() and len(value) <= 18):  # not "²"
            raise ValidationError(_l("Pilih perpustakaan dari daftar, atau centang 'tidak ada di daftar'."))

    def validate_proposed_name(self, field: StringField) -> None:
        if self.not_listed.data and not field.data:
            raise ValidationError(_l("Tulis nama perpustakaan Anda."))

    def validate_proposed_type(self, field: SelectField) -> None:
        if self.not_listed.data and field.data not in LibraryType._value2member_map_:
            raise ValidationError(_l("Pilih jenis perpustakaan."))

    def validate_proposed_district(self, field: SelectField) -> None:
        if self.not_listed.data and not field.data:
            raise ValidationError(_l("Pilih kecamatan."))

    def validate_name_confirmed(self, field: BooleanField) -> None:
        if not field.data and self.full_name.data:
            raise ValidationError(
                _l(
                    "Periksa nama yang akan dicetak di sertifikat: «%(name)s». Centang bila sudah benar.",
                    name=self.full_name.data,
                )
            )


class CorrectionForm(PersonFields):
    """Corrections: the stored NIK is never sent back to the browser, so an empty field keeps it."""

    nik = StringField(
        _l("NIK baru (16 digit)"),
        validators=[Optional()],
        filters=[lambda v: identity.clean_number(v) if isinstance(v, str) else v],
    )
    email = None  # the account's own address
    submit = SubmitField(_l("Simpan perbaikan"))

    def validate_nik(self, field: StringField) -> None:
        if field.data:
            super().validate_nik(field)


class NikClaimForm(BaseForm):
    """ "This NIK is mine": the owner of a NIK someone else registered asks the organisers for it."""

    nik = StringField(
        _l("NIK Anda (16 digit, sesuai KTP)"),
        validators=_required(_l("NIK wajib diisi.")),
        filters=[lambda v: identity.clean_number(v) if isinstance(v, str) else v],
    )
    explanation = TextAreaField(
        _l("Penjelasan singkat"),
        validators=[
            DataRequired(_l("Tulis penjelasan singkat untuk panitia.")),
            Length(min=10, max=500, message=_l("Penjelasan 10 sampai 500 karakter.")),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    letter = FileField(
        _l("Surat pendukung (PDF, maks. 2 MB, opsional)"),
        render_kw=size_limit(
            uploads.MAX_LETTER_BYTES, _l("Berkas ini lebih dari 2 MB. Pilih berkas yang lebih kecil.")
        ),
    )
    confirm = BooleanField(
        _l("Saya menyatakan NIK ini milik saya sendiri."),
        validators=[DataRequired(_l("Centang pernyataan bahwa NIK ini milik Anda."))],
    )
    submit = SubmitField(_l("Kirim klaim"))
    checked_letter: uploads.Letter | None = None

    def validate_nik(self, field: StringField) -> None:
        check = identity.check_nik(field.data or "")
        if not check.ok:
            raise ValidationError(check.error)

    def validate_letter(self, field: FileField) -> None:
        if not isinstance(field.data, FileStorage) or not field.data:
            return  # optional
        try:
            self.checked_letter = uploads.inspect_letter(
                field.data.read(uploads.MAX_LETTER_BYTES + 1), allowed=(uploads.PDF,)
            )
        except InvalidUpload as exc:
            message = (
                exc.message
                if exc.message != InvalidUpload.message
                else _l("Surat pendukung harus berkas PDF, paling besar 2 MB.")
            )
            raise ValidationError(str(message)) from None


class ClaimDecisionForm(BaseForm):
    """An organiser's decision on a NIK claim: a note, required to refuse (it is mailed)."""

    note = TextAreaField(
        _l("Catatan untuk pengklaim (wajib bila menolak)"),
        validators=[Optional(), Length(max=300, message=_l("Catatan paling banyak 300 karakter."))],
    )
    submit = SubmitField(_l("Kirim"))


class DecisionForm(BaseForm):
    """Bulk approve / waitlist / reject on the organiser's list."""

    action = SelectField(
        _l("Tindakan"),
        choices=choice_list(
            [
                ("approve", _l("Setujui")),
                ("waitlist", _l("Masukkan daftar tunggu")),
                ("reject", _l("Tolak")),
                ("cancel", _l("Batalkan")),
            ]
        ),
    )
    reason = StringField(_l("Alasan (wajib untuk menolak/membatalkan)"), validators=[Optional(), Length(max=300)])
    # Approving after the class has started is an exception the organiser states on purpose.
    override = BooleanField(_l("Keputusan setelah kelas dimulai (alasan wajib diisi)"))
    submit = SubmitField(_l("Terapkan ke yang dicentang"))


class MoveForm(BaseForm):
    target_id = SelectField(_l("Pindah ke kelas"), coerce=int, choices=[])
    override = BooleanField(_l("Keputusan setelah kelas dimulai (alasan wajib diisi)"))
    reason = StringField(_l("Alasan"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Pindahkan"))


class ReasonForm(BaseForm):
    reason = StringField(_l("Alasan"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Kirim"))


class MergeLibraryForm(BaseForm):
    target_id = IntegerField(_l("ID perpustakaan tujuan"), validators=[InputRequired(_l("Isi ID perpustakaan."))])
    submit = SubmitField(_l("Gabungkan"))


class NominationImportForm(BaseForm):
    file = FileField(
        _l("Berkas XLSX"),
        validators=[FileRequired(_l("Pilih berkas XLSX.")), FileAllowed(["xlsx"], _l("Hanya berkas .xlsx."))],
    )
    override = BooleanField(_l("Keputusan setelah kelas dimulai (alasan wajib diisi)"))
    reason = StringField(_l("Alasan"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Impor nominasi"))
