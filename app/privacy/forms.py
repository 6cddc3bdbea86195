"""Forms of the personal-data pages: filing a request, answering it, and the filters of the access log."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.audit.models import SUBJECT_LABELS, AccessAction
from app.core.forms import BaseForm, choice_list, enum_choices
from app.privacy.models import DataRequestKind, DataRequestStatus
from app.privacy.services import ANSWER_STATUSES

MAX_ID = 2**31 - 1  # the largest id a column holds on PostgreSQL


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class DataRequestForm(BaseForm):
    kind = RadioField(
        _l("Jenis permintaan"),
        choices=enum_choices(DataRequestKind),
        validators=[DataRequired(_l("Pilih jenis permintaan."))],
    )
    details = TextAreaField(
        _l("Rincian permintaan"),
        validators=[
            DataRequired(_l("Tuliskan rincian permintaan Anda.")),
            Length(min=10, max=2000, message=_l("Rincian 10 sampai 2.000 karakter.")),
        ],
        filters=[_strip],
    )
    submit = SubmitField(_l("Kirim permintaan"))


class AnswerForm(BaseForm):
    status = SelectField(
        _l("Status"),
        choices=choice_list(DataRequestStatus.choices(ANSWER_STATUSES)),
        validators=[DataRequired(_l("Pilih status."))],
    )
    answer = TextAreaField(
        _l("Jawaban untuk pemohon"),
        validators=[
            DataRequired(_l("Tuliskan jawaban untuk pemohon.")),
            Length(max=4000, message=_l("Jawaban paling panjang 4.000 karakter.")),
        ],
        filters=[_strip],
    )
    submit = SubmitField(_l("Kirim jawaban"))

    @property
    def chosen_status(self) -> DataRequestStatus:
        return DataRequestStatus(self.status.data)


def _reasonable_day(form: BaseForm, field: DateField) -> None:
    if field.data is not None and not date(2000, 1, 1) <= field.data <= date(2100, 12, 31):
        raise ValidationError(_l("Tanggal di luar rentang 2000–2100."))


class AccessLogFilterForm(BaseForm):
    """The admins' filters, read from the query string (no CSRF: a GET that changes nothing)."""

    class Meta:
        csrf = False

    pelaku = StringField(_l("Pelaku (nama atau email)"), validators=[Optional(), Length(max=100)], filters=[_strip])
    subjek = SelectField(
        _l("Jenis subjek"),
        choices=choice_list([("", _l("Semua subjek"))] + list(SUBJECT_LABELS.items())),
        validators=[Optional()],
    )
    subjek_id = IntegerField(
        _l("ID subjek"),
        validators=[Optional(), NumberRange(min=1, max=MAX_ID, message=_l("ID subjek harus bilangan bulat positif."))],
    )
    aksi = SelectField(
        _l("Aksi"),
        choices=choice_list([("", _l("Semua aksi"))] + AccessAction.choices()),
        validators=[Optional()],
    )
    dari = DateField(_l("Dari tanggal"), validators=[Optional(), _reasonable_day])
    sampai = DateField(_l("Sampai tanggal"), validators=[Optional(), _reasonable_day])
    nik = BooleanField(_l("Hanya yang memuat NIK lengkap"), false_values=("", "0", "false"))

    def validate_sampai(self, field: DateField) -> None:
        if field.data and self.dari.data and field.data < self.dari.data:
            raise ValidationError(_l("Tanggal akhir sebelum tanggal awal."))
