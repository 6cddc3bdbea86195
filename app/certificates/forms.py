"""Certificate settings form (texts, signatories, colour, number pattern)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.certificates import numbering
from app.certificates.models import REASON_MAX
from app.certificates.settings import DEFAULT_SIGNATORY
from app.certificates.storage import MAX_IMAGE_BYTES
from app.core.forms import BaseForm, size_limit


class RevokeCertificateForm(BaseForm):
    """Why a certificate is revoked: kept for organisers and admins (never shown publicly)."""

    reason = StringField(
        _l("Alasan pencabutan"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("Tulis alasan pencabutan.")),
            Length(min=5, max=REASON_MAX, message=_l("Alasan pencabutan 5 sampai 300 karakter.")),
        ],
    )


class CertificateSettingsForm(BaseForm):
    number_pattern = StringField(
        _l("Pola nomor"),
        validators=[
            DataRequired(_l("Pola nomor wajib diisi.")),
            Length(max=120, message=_l("Pola nomor paling banyak 120 karakter.")),
        ],
        description=_l(
            "Kunci: {seq:04d} nomor urut (lebar 1–8 digit, diisi nol di depan), {code} kode program, "
            "{month_roman} bulan Romawi, {month}, {year}. Teks lain ditulis apa adanya."
        ),
    )
    title = StringField(_l("Judul"), validators=[DataRequired(_l("Judul wajib diisi.")), Length(max=60)])
    role_text = StringField(_l("Peran"), validators=[DataRequired(_l("Kolom ini wajib diisi.")), Length(max=100)])
    body_text = TextAreaField(
        _l("Kalimat isi ({programme} diganti nama program)"),
        validators=[DataRequired(_l("Kolom ini wajib diisi.")), Length(max=500)],
    )
    sign_place = StringField(_l("Tempat penandatanganan"), validators=[DataRequired(_l("Kolom ini wajib diisi."))])
    signatory_position = StringField(
        _l("Jabatan penanda tangan"), validators=[DataRequired(_l("Kolom ini wajib diisi."))]
    )
    signatory_name = StringField(_l("Nama penanda tangan"), validators=[Optional(), Length(max=120)])
    signatory_nip = StringField(
        _l("NIP penanda tangan"),
        validators=[Optional(), Regexp(r"^\d{18}$", message=_l("NIP harus 18 digit angka."))],
    )
    # A second signatory (e.g. the head of the provincial library office), printed beside the first.
    signatory2_position = StringField(
        _l("Jabatan penanda tangan kedua (boleh kosong)"), validators=[Optional(), Length(max=150)]
    )
    signatory2_name = StringField(_l("Nama penanda tangan kedua"), validators=[Optional(), Length(max=120)])
    signatory2_nip = StringField(
        _l("NIP penanda tangan kedua"),
        validators=[Optional(), Regexp(r"^\d{18}$", message=_l("NIP harus 18 digit angka."))],
    )

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        named = (self.signatory2_name.data or "").strip() or (self.signatory2_nip.data or "").strip()
        if named and not (self.signatory2_position.data or "").strip():
            message = _l("Isi jabatan penanda tangan kedua, atau kosongkan nama dan NIP-nya.")
            self.signatory2_position.errors = [*self.signatory2_position.errors, message]
            return False
        return valid

    colour = StringField(
        _l("Warna"), validators=[Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Warna dalam format #RRGGBB."))]
    )
    show_agenda_page = BooleanField(_l("Halaman kedua: materi dan JP"))
    confirm_days = IntegerField(
        _l("Masa konfirmasi nama (hari setelah kelas selesai)"),
        validators=[
            InputRequired(_l("Isi jumlah hari (0–30).")),
            NumberRange(0, 30, _l("Masa konfirmasi 0 sampai 30 hari.")),
        ],
        description=_l(
            "Peserta memeriksa nama dan gelarnya; sertifikat yang belum dikonfirmasi terbit setelah masa "
            "ini. 0: tanpa menunggu."
        ),
    )
    logo = FileField(
        _l("Logo (PNG/JPEG, maks. 1 MB)"),
        render_kw=size_limit(MAX_IMAGE_BYTES, _l("Gambar ini lebih dari 1 MB. Pilih gambar yang lebih kecil.")),
    )
    remove_logo = BooleanField(_l("Pakai logo bawaan"))
    signature = FileField(
        _l("Gambar tanda tangan (PNG/JPEG, maks. 1 MB)"),
        render_kw=size_limit(MAX_IMAGE_BYTES, _l("Gambar ini lebih dari 1 MB. Pilih gambar yang lebih kecil.")),
    )
    remove_signature = BooleanField(_l("Tanpa gambar tanda tangan"))
    submit = SubmitField(_l("Simpan"))

    def show_signatories(self, signatories: list[dict[str, str]] | None) -> None:
        """Fill the signatory fields from saved settings (the default signatory when none is saved)."""
        first = (signatories or [DEFAULT_SIGNATORY])[0]
        self.signatory_position.data = first.get("position")
        self.signatory_name.data = first.get("name")
        self.signatory_nip.data = first.get("nip")
        for second in (signatories or [])[1:2]:
            self.signatory2_position.data = second.get("position")
            self.signatory2_name.data = second.get("name")
            self.signatory2_nip.data = second.get("nip")

    def upload(self, name: str) -> bytes | None:
        """The content of the file sent in the `name` field ("logo", "signature"), None when none was."""
        sent = getattr(self, name).data
        return sent.read() if sent else None

    def validate_number_pattern(self, field: StringField) -> None:
        try:
            numbering.check(field.data or "")
        except numbering.NumberPatternError as exc:
            raise ValidationError(str(exc.message)) from None
