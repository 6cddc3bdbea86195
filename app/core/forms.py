"""The base form: Flask-WTF with CSRF, and WTForms' own messages in Indonesian or English."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import flash
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from lokal import normalize_phone
from wtforms import SelectMultipleField, ValidationError, widgets
from wtforms.fields import Field
from wtforms.fields.choices import SelectChoice
from wtforms.form import BaseForm as _WTBaseForm

from app.core.enums import LabelledStrEnum
from app.errors import DomainError, Problem

# WTForms ships no Indonesian catalogue; these are its built-in messages that users can meet.
_WTFORMS_ID = {
    "This field is required.": "Kolom ini wajib diisi.",
    "Not a valid choice.": "Pilihan tidak valid.",
    "'%(value)s' is not a valid choice for this field.": "'%(value)s' bukan pilihan yang valid.",
    "Not a valid integer value.": "Harus berupa bilangan bulat.",
    "Not a valid decimal value.": "Harus berupa angka.",
    "Not a valid float value.": "Harus berupa angka.",
    "Not a valid date value.": "Tanggal tidak valid.",
    "Not a valid datetime value.": "Tanggal dan waktu tidak valid.",
    "Not a valid time value.": "Waktu tidak valid.",
    "Invalid email address.": "Alamat email tidak valid.",
    "Invalid input.": "Isian tidak valid.",
    "Invalid Choice: could not coerce.": "Pilihan tidak valid.",
    "Choices cannot be None.": "Pilihan tidak tersedia.",
    "Field must be equal to %(other_name)s.": "Isian harus sama dengan %(other_name)s.",
    "The CSRF token is missing.": "Formulir kedaluwarsa. Muat ulang halaman dan coba lagi.",
    "The CSRF token is invalid.": "Formulir kedaluwarsa. Muat ulang halaman dan coba lagi.",
    "The CSRF token has expired.": "Formulir kedaluwarsa. Muat ulang halaman dan coba lagi.",
    "The CSRF tokens do not match.": "Formulir kedaluwarsa. Muat ulang halaman dan coba lagi.",
}


class _Translations:
    def gettext(self, string: str) -> str:
        if str(get_locale() or "id").startswith("id"):
            return _WTFORMS_ID.get(string, string)
        return string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


# Characters nobody types on purpose: control codes (tabs and line breaks aside) and the marks that
# turn text around (a name printed backwards on a certificate, a file name that hides its end).
_HIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def size_limit(max_bytes: int, message: object) -> dict[str, object]:
    """A file field's attributes for static/js/app.js: a file larger than `max_bytes` is refused in
    the browser with `message` before anything is sent (the server still checks; a request larger
    than MAX_CONTENT_LENGTH would lose the whole form to a 413 page)."""
    return {"data-max-bytes": max_bytes, "data-too-big": message}


class BaseForm(FlaskForm):
    """Every Sibimtek form derives from this. Besides each field's own rules, no text field may hold
    hidden control or direction characters."""

    class Meta:
        def get_translations(self, form: _WTBaseForm) -> _Translations:
            return _Translations()

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            values = field.data if isinstance(field.data, list | tuple) else [field.data]
            if any(isinstance(v, str) and _HIDDEN_CHARACTERS.search(v) for v in values):
                field.errors = [*field.errors, _l("Hapus karakter tersembunyi (kode kontrol atau pembalik arah teks).")]
                valid = False
        return valid


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class WhatsAppNumber:
    """Accepts 08…, 62…, +62… with spaces or dashes; the field's data becomes E.164 (+628…)."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: _WTBaseForm, field: Field) -> None:
        if not field.data:
            field.data = None
            return
        e164 = normalize_phone(field.data)
        if e164 is None or not e164.startswith("+628"):
            raise ValidationError(self.message or _l("Nomor WhatsApp tidak valid. Contoh: 0812 3456 7890."))
        field.data = e164


def choice_list(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_cls: type[LabelledStrEnum]) -> list[SelectChoice]:
    """An enum's members as choices whose labels are translated when shown, not when the form
    class is defined (then they would stay in the language of the first import)."""
    return choice_list(enum_cls.choices())


def parsed(field: Field) -> Any:
    """The field's value if WTForms accepted it, else None: the service checks then skip the rules
    that need it and still report the others in the same submit."""
    return None if field.errors else field.data


def show_problems(form: _WTBaseForm, problems: Iterable[Problem], aliases: dict[str, str] | None = None) -> None:
    """Put each problem on the form field it names; a problem of no field (or of a field the form
    does not have) becomes a flashed alert above the form. A message already shown is not repeated."""
    for problem in problems:
        name = problem.field or ""
        target = getattr(form, (aliases or {}).get(name, name), None) if name else None
        message = str(problem.message)
        if isinstance(target, Field):
            if message not in target.errors:
                # WTForms may hold errors as a tuple (not validated yet) or a list.
                target.errors = [*target.errors, message]
        else:
            flash(message, "danger")


def show_domain_error(form: _WTBaseForm, exc: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's refusal on the fields it names (every problem of a ValidationFailed)."""
    show_problems(form, exc.problems, aliases)
