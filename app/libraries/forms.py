"""The library form: type, name and region chain (province → regency → district → village)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, ValidationError
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.core.forms import BaseForm, choice_list, enum_choices
from app.libraries.models import LibraryStatus, LibraryType


class LibraryForm(BaseForm):
    name = StringField(
        _l("Nama perpustakaan"),
        validators=[
            DataRequired(_l("Nama perpustakaan wajib diisi.")),
            Length(min=3, max=200, message=_l("Nama perpustakaan 3 sampai 200 karakter.")),
        ],
    )
    type = SelectField(
        _l("Jenis perpustakaan"),
        choices=choice_list([("", _l("— pilih jenis —"))] + LibraryType.choices()),
        validators=[DataRequired(_l("Pilih jenis perpustakaan."))],
    )
    # Region options are filled by the view (and by static/js/cascade.js in the browser);
    # the service checks that each code lies inside the one above it.
    province_code = SelectField(_l("Provinsi"), validators=[DataRequired(_l("Pilih provinsi."))], validate_choice=False)
    regency_code = SelectField(
        _l("Kabupaten/kota"), validators=[DataRequired(_l("Pilih kabupaten/kota."))], validate_choice=False
    )
    district_code = SelectField(_l("Kecamatan (opsional)"), validate_choice=False)
    village_code = SelectField(_l("Desa/kelurahan (opsional)"), validate_choice=False)
    address = StringField(
        _l("Alamat"), validators=[Optional(), Length(max=300, message=_l("Alamat maksimal 300 karakter."))]
    )
    npp = StringField(
        _l("NPP (Nomor Pokok Perpustakaan, opsional)"),
        validators=[
            Optional(),
            Regexp(r"^[0-9.\-]{6,30}$", message=_l("NPP hanya berisi angka, titik atau tanda hubung.")),
        ],
    )
    status = SelectField(
        _l("Status"),
        choices=enum_choices(LibraryStatus),
        default=LibraryStatus.VERIFIED.value,
    )
    submit = SubmitField(_l("Simpan"))

    def validate_regency_code(self, field: SelectField) -> None:
        if field.data and self.province_code.data and not field.data.startswith(self.province_code.data + "."):
            raise ValidationError(_l("Kabupaten/kota tidak berada di provinsi yang dipilih."))
