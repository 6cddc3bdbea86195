"""Forms of the auth domain: login, sign-up, password reset, profile, staff accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.fields import Field
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional

from app.auth.password_policy import password_problems
from app.core.forms import BaseForm, MultiCheckboxField, WhatsAppNumber, choice_list
from app.core.roles import Role

_EMAIL_REQUIRED = _l("Email wajib diisi.")
_EMAIL_INVALID = _l("Format email tidak valid. Contoh: nama@perpustakaan.go.id.")
_NAME_REQUIRED = _l("Nama lengkap wajib diisi.")


def _email_field(label: str | None = None) -> EmailField:
    return EmailField(
        label or _l("Email"),
        validators=[
            DataRequired(_EMAIL_REQUIRED),
            Length(max=254, message=_l("Email terlalu panjang.")),
            Email(_EMAIL_INVALID, check_deliverability=False, allow_smtputf8=False),
        ],
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
    )


def _full_name_field() -> StringField:
    return StringField(
        _l("Nama lengkap (dengan gelar, bila ada)"),
        validators=[
            DataRequired(_NAME_REQUIRED),
            Length(min=2, max=150, message=_l("Nama lengkap 2 sampai 150 karakter.")),
        ],
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
    )


class PasswordPolicy:
    """The password policy on a form field, with every reason shown at once. The account's own data
    comes from the form's email / full name / WhatsApp fields (sign-up) or from `form.password_owner`,
    the account whose password is being set (reset link, /akun)."""

    def __call__(self, form: Form, field: Field) -> None:
        owner = getattr(form, "password_owner", None)

        def value(name: str) -> str | None:
            own = getattr(form, name, None)
            data = own.data if isinstance(own, Field) else None
            return data if isinstance(data, str) and data else getattr(owner, name, None)

        problems = password_problems(
            field.data or "", email=value("email"), full_name=value("full_name"), phone=value("phone")
        )
        if problems:
            field.errors.extend(problems[:-1])
            raise ValidationError(problems[-1])


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            _l("Kata sandi baru"),
            validators=[InputRequired(_l("Kata sandi wajib diisi.")), PasswordPolicy()],
        ),
        PasswordField(
            _l("Ulangi kata sandi"),
            validators=[
                InputRequired(_l("Ketik kata sandi yang sama sekali lagi.")),
                EqualTo("password", message=_l("Kedua kata sandi tidak sama.")),
            ],
        ),
    )


class LoginForm(BaseForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_EMAIL_REQUIRED), Length(max=254)],
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
    )
    password = PasswordField(_l("Kata sandi"), validators=[InputRequired(_l("Kata sandi wajib diisi."))])
    submit = SubmitField(_l("Masuk"))


class RegisterForm(BaseForm):
    full_name = _full_name_field()
    email = _email_field()
    phone = StringField(
        _l("Nomor WhatsApp"),
        validators=[DataRequired(_l("Nomor WhatsApp wajib diisi.")), WhatsAppNumber()],
    )
    password, password_confirm = _new_password_fields()
    consent = BooleanField(
        _l("Saya telah membaca Pemberitahuan Privasi dan menyetujui pemrosesan data pribadi saya."),
        validators=[DataRequired(_l("Anda perlu menyetujui Pemberitahuan Privasi untuk mendaftar."))],
    )
    submit = SubmitField(_l("Buat akun"))


class VerifyEmailForm(BaseForm):
    password = PasswordField(_l("Kata sandi akun ini"), validators=[InputRequired(_l("Kata sandi wajib diisi."))])
    submit = SubmitField(_l("Verifikasi email"))


class EmailOnlyForm(BaseForm):
    email = _email_field()
    submit = SubmitField(_l("Kirim tautan"))


class ResetPasswordForm(BaseForm):
    password, password_confirm = _new_password_fields()
    # Shown (and then required by the service) for a nominee's account that has no consent yet.
    consent = BooleanField(_l("Saya telah membaca Pemberitahuan Privasi dan menyetujui pemrosesan data pribadi saya."))
    submit = SubmitField(_l("Simpan kata sandi"))


class ProfileForm(BaseForm):
    full_name = _full_name_field()
    phone = StringField(_l("Nomor WhatsApp"), validators=[Optional(), WhatsAppNumber()])
    submit = SubmitField(_l("Simpan perubahan"))


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Kata sandi saat ini"), validators=[InputRequired(_l("Kata sandi saat ini wajib diisi."))]
    )
    password, password_confirm = _new_password_fields()
    submit = SubmitField(_l("Ganti kata sandi"))


class LogoutForm(BaseForm):
    submit = SubmitField(_l("Keluar"))


def _role_choices() -> list:
    return choice_list(Role.choices())


class UserForm(BaseForm):
    """An admin creates or edits an account."""

    full_name = _full_name_field()
    email = _email_field()
    phone = StringField(_l("Nomor WhatsApp"), validators=[Optional(), WhatsAppNumber()])
    roles = MultiCheckboxField(
        _l("Peran"),
        choices=_role_choices,
        validators=[DataRequired(_l("Pilih paling sedikit satu peran."))],
    )
    # Choices are filled by the view; checked below so that "no province" is allowed.
    province_code = SelectField(_l("Provinsi (untuk koordinator provinsi)"), choices=[], validate_choice=False)
    active = BooleanField(_l("Akun aktif"), default=True)
    submit = SubmitField(_l("Simpan"))

    def validate_province_code(self, field: SelectField) -> None:
        from wtforms import ValidationError

        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Provinsi tidak dikenal."))
        if Role.COORDINATOR.value in (self.roles.data or []) and not field.data:
            raise ValidationError(_l("Pilih provinsi untuk koordinator provinsi."))


class CreateApiTokenForm(BaseForm):
    name = StringField(
        _l("Nama token"),
        validators=[
            DataRequired(_l("Nama token wajib diisi.")),
            Length(max=80, message=_l("Paling banyak 80 karakter.")),
        ],
    )
    days = SelectField(
        _l("Berlaku"),
        choices=choice_list(
            [("30", _l("30 hari")), ("90", _l("90 hari")), ("365", _l("1 tahun")), ("0", _l("Sampai dicabut"))]
        ),
        default="90",
    )
    submit = SubmitField(_l("Buat token"))
