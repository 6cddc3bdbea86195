"""Planning forms: programme, batch, class (with quotas), agenda session, copy, import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app import clock
from app.core.forms import BaseForm, MultiCheckboxField, choice_list, enum_choices
from app.programmes.models import ApprovalMode, ProgrammeStatus, QuotaGroup
from app.regions.models import Province

_DATE = _l("Tanggal tidak valid (format hh-bb-tttt).")


def _seats(label: object) -> IntegerField:
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(min=0, max=10_000, message=_l("Isi angka 0 sampai 10.000."))],
    )


class ProgrammeForm(BaseForm):
    code = StringField(
        _l("Kode program"),
        validators=[
            DataRequired(_l("Kode program wajib diisi.")),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9-]{1,29}$",
                message=_l("Kode hanya huruf, angka dan tanda hubung, mis. SPP-TIK."),
            ),
        ],
    )
    name = StringField(
        _l("Nama program"),
        validators=[
            DataRequired(_l("Nama program wajib diisi.")),
            Length(max=200, message=_l("Maksimal 200 karakter.")),
        ],
    )
    year = IntegerField(
        _l("Tahun"),
        validators=[
            InputRequired(_l("Tahun wajib diisi.")),
            NumberRange(min=2000, max=2100, message=_l("Tahun antara 2000 dan 2100.")),
        ],
        default=lambda: clock.today().year,
    )
    jp_total = IntegerField(
        _l("Total JP (jam pelajaran)"),
        validators=[
            InputRequired(_l("Total JP wajib diisi.")),
            NumberRange(min=1, max=1000, message=_l("Total JP antara 1 dan 1.000.")),
        ],
    )
    min_attendance_percent = IntegerField(
        _l("Syarat sertifikat: kehadiran minimal (%)"),
        validators=[
            InputRequired(_l("Isi persentase kehadiran minimal.")),
            NumberRange(min=0, max=100, message=_l("Persentase antara 0 dan 100.")),
        ],
        default=80,
    )
    status = SelectField(
        _l("Status"),
        choices=enum_choices(ProgrammeStatus),
        default=ProgrammeStatus.DRAFT.value,
    )
    requires_letter = BooleanField(_l("Pendaftar wajib mengunggah surat tugas"))
    present_statuses = MultiCheckboxField(
        _l("Status presensi yang dihitung hadir"),
        choices=choice_list(
            [("hadir", _l("Hadir")), ("terlambat", _l("Terlambat")), ("izin", _l("Izin")), ("sakit", _l("Sakit"))]
        ),
        default=["hadir", "terlambat"],
        validators=[DataRequired(_l("Pilih paling sedikit satu status."))],
    )
    description = TextAreaField(_l("Deskripsi"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Simpan"))


class BatchForm(BaseForm):
    number = IntegerField(
        _l("Nomor angkatan"),
        validators=[
            InputRequired(_l("Nomor angkatan wajib diisi.")),
            NumberRange(min=1, max=99, message=_l("Nomor angkatan 1 sampai 99.")),
        ],
    )
    name = StringField(
        _l("Nama angkatan"), validators=[DataRequired(_l("Nama angkatan wajib diisi.")), Length(max=150)]
    )
    start_date = DateField(_l("Tanggal mulai"), validators=[InputRequired(_DATE)])
    end_date = DateField(_l("Tanggal selesai"), validators=[InputRequired(_DATE)])
    submit = SubmitField(_l("Simpan"))


class ClassForm(BaseForm):
    """The class form; one seats field per province is added by `class_form_for()`."""

    name = StringField(_l("Nama kelas"), validators=[DataRequired(_l("Nama kelas wajib diisi.")), Length(max=200)])
    venue_name = StringField(
        _l("Tempat (nama hotel/gedung)"), validators=[DataRequired(_l("Tempat wajib diisi.")), Length(max=200)]
    )
    venue_address = StringField(_l("Alamat tempat"), validators=[Optional(), Length(max=300)])
    province_code = SelectField(
        _l("Provinsi tuan rumah"), validators=[DataRequired(_l("Pilih provinsi tuan rumah."))], validate_choice=False
    )
    regency_code = SelectField(
        _l("Kabupaten/kota tuan rumah"),
        validators=[DataRequired(_l("Pilih kabupaten/kota tuan rumah."))],
        validate_choice=False,
    )
    start_date = DateField(_l("Tanggal mulai"), validators=[InputRequired(_DATE)])
    end_date = DateField(_l("Tanggal selesai"), validators=[InputRequired(_DATE)])
    capacity = IntegerField(
        _l("Kapasitas (peserta)"),
        validators=[
            InputRequired(_l("Kapasitas wajib diisi.")),
            NumberRange(min=1, max=10_000, message=_l("Kapasitas 1 sampai 10.000.")),
        ],
    )
    registration_opens_at = DateTimeLocalField(
        _l("Pendaftaran dibuka"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    registration_closes_at = DateTimeLocalField(
        _l("Pendaftaran ditutup"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    approval_mode = SelectField(
        _l("Persetujuan pendaftar"),
        choices=enum_choices(ApprovalMode),
        default=ApprovalMode.MODERATED.value,
    )
    quota_release_date = DateField(_l("Kuota yang tidak terpakai dilepas setelah"), validators=[Optional()])
    served = MultiCheckboxField(_l("Provinsi yang dilayani"), choices=[], validate_choice=False)
    quota_provincial = _seats(QuotaGroup.PROVINSI.label)
    quota_regency_city = _seats(QuotaGroup.KABUPATEN_KOTA.label)
    quota_village = _seats(QuotaGroup.DESA_KELURAHAN.label)
    quota_other = _seats(QuotaGroup.LAINNYA.label)
    # carries no input: the type-quota rules' messages land here, shown under the four fields
    type_quotas = HiddenField(_l("Kuota per jenis perpustakaan"))
    facilitator_ids = MultiCheckboxField(_l("Fasilitator"), choices=[], coerce=int, validate_choice=False)
    submit = SubmitField(_l("Simpan"))

    def validate_regency_code(self, field: SelectField) -> None:
        if field.data and self.province_code.data and not field.data.startswith(self.province_code.data + "."):
            raise ValidationError(_l("Kabupaten/kota tidak berada di provinsi yang dipilih."))


def class_form_for(provinces: list[Province], **kwargs: object) -> ClassForm:
    """A ClassForm with a `seats_<code>` field for each province."""

    class _Form(ClassForm):
        pass

    for province in provinces:
        setattr(_Form, f"seats_{province.code}", _seats(province.name))
    form = _Form(**kwargs)
    form.served.choices = choice_list((p.code, p.name) for p in provinces)
    return form


class AgendaForm(BaseForm):
    day = DateField(_l("Hari/tanggal"), validators=[InputRequired(_DATE)])
    start_time = TimeField(_l("Jam mulai"), validators=[InputRequired(_l("Jam tidak valid."))])
    end_time = TimeField(_l("Jam selesai"), validators=[InputRequired(_l("Jam tidak valid."))])
    topic = StringField(_l("Materi"), validators=[DataRequired(_l("Materi wajib diisi.")), Length(max=200)])
    speaker = StringField(_l("Narasumber"), validators=[Optional(), Length(max=150)])
    jp = IntegerField(
        _l("JP"),
        validators=[InputRequired(_l("JP wajib diisi.")), NumberRange(min=0, max=20, message=_l("JP 0 sampai 20."))],
    )
    submit = SubmitField(_l("Tambah sesi"))


class CopyProgrammeForm(BaseForm):
    year = IntegerField(
        _l("Tahun baru"),
        validators=[
            InputRequired(_l("Tahun baru wajib diisi.")),
            NumberRange(min=2000, max=2100, message=_l("Tahun antara 2000 dan 2100.")),
        ],
    )
    submit = SubmitField(_l("Salin program"))


class CopyBatchForm(BaseForm):
    target_id = SelectField(_l("Salin ke program"), coerce=int, choices=[])
    submit = SubmitField(_l("Salin angkatan"))


class StatusForm(BaseForm):
    status = HiddenField(validators=[DataRequired()])


class ImportForm(BaseForm):
    file = FileField(
        _l("Berkas XLSX"),
        validators=[
            FileRequired(_l("Pilih berkas XLSX.")),
            FileAllowed(["xlsx"], _l("Hanya berkas .xlsx yang diterima.")),
        ],
    )
    submit = SubmitField(_l("Periksa berkas"))


class ConfirmImportForm(BaseForm):
    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Impor baris yang valid"))
