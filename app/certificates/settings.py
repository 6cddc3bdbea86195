"""A programme's certificate settings: defaults on first use, the settings form, the live draft,
saving them with the logo and signature images they print."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.certificates import storage
from app.certificates.models import DEFAULT_BODY, DEFAULT_PATTERN, CertificateSettings
from app.errors import DomainError, Problem, ValidationFailed
from app.extensions import db
from app.programmes.models import Programme

DEFAULT_SIGNATORY = {"position": "Kepala Perpustakaan Nasional Republik Indonesia", "name": "", "nip": ""}
SETTING_FIELDS = (
    "number_pattern",
    "title",
    "role_text",
    "body_text",
    "sign_place",
    "colour",
    "show_agenda_page",
    "confirm_days",
)


def insert_if_missing(model: type, *rows: dict[str, Any], **values: Any) -> None:
    """INSERT … ON CONFLICT DO NOTHING: safe when two requests create the same row at once. One row as
    keywords, or many rows in one statement."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(model).values(list(rows) or [values]).on_conflict_do_nothing())


def _defaults(programme_id: int) -> dict[str, Any]:
    return {
        "programme_id": programme_id,
        "number_pattern": DEFAULT_PATTERN,
        "title": "SERTIFIKAT",
        "role_text": "sebagai PESERTA",
        "body_text": DEFAULT_BODY,
        "sign_place": "Jakarta",
        "signatories": [dict(DEFAULT_SIGNATORY)],
        "colour": "#0b4f6c",
        "show_agenda_page": True,
    }


def settings_for(programme: Programme) -> CertificateSettings:
    """The programme's certificate settings, created with the defaults on first use."""
    settings = db.session.get(CertificateSettings, programme.id)
    if settings is None:
        insert_if_missing(CertificateSettings, **_defaults(programme.id))
        settings = db.session.get_one(CertificateSettings, programme.id)
    return settings


def settings_of(programme_ids: Iterable[int]) -> dict[int, CertificateSettings]:
    """The settings of many programmes by id, whatever their number: one statement, and two more if some
    have none yet (created with the defaults, as by settings_for)."""
    wanted = set(programme_ids)
    query = select(CertificateSettings).where(CertificateSettings.programme_id.in_(wanted))
    found = {s.programme_id: s for s in db.session.scalars(query)} if wanted else {}
    if wanted - found.keys():
        insert_if_missing(CertificateSettings, *(_defaults(pid) for pid in sorted(wanted - found.keys())))
        found = {s.programme_id: s for s in db.session.scalars(query)}
    return found


def confirm_days_of(programme_ids: Iterable[int]) -> dict[int, int]:
    """How many days after its class a name waits for confirmation, by programme, with one statement
    and nothing written (a read-only page): the default of a settings row for a programme that has
    none yet, the value settings_for would create it with."""
    wanted = set(programme_ids)
    if not wanted:
        return {}
    found = dict(
        db.session.execute(
            select(CertificateSettings.programme_id, CertificateSettings.confirm_days).where(
                CertificateSettings.programme_id.in_(wanted)
            )
        )
        .tuples()
        .all()
    )
    default = CertificateSettings.__table__.c.confirm_days.default.arg
    return {pid: found.get(pid, default) for pid in wanted}


def apply_settings(settings: CertificateSettings, form: Any) -> None:
    """Copy a validated settings form onto `settings`."""
    for name in SETTING_FIELDS:
        setattr(settings, name, getattr(form, name).data)
    settings.signatories = [
        {
            "position": form.signatory_position.data,
            "name": form.signatory_name.data or "",
            "nip": form.signatory_nip.data or "",
        }
    ]
    if (form.signatory2_position.data or "").strip():
        settings.signatories.append(
            {
                "position": form.signatory2_position.data.strip(),
                "name": form.signatory2_name.data or "",
                "nip": form.signatory2_nip.data or "",
            }
        )


def draft_settings(programme: Programme, form: Any) -> CertificateSettings:
    """Settings from a form being edited, not attached to the session (the live preview); the
    images are the saved ones (files are uploaded with Save)."""
    saved = settings_for(programme)
    draft = CertificateSettings(
        programme_id=programme.id, logo_image=saved.logo_image, signature_image=saved.signature_image
    )
    apply_settings(draft, form)
    return draft


def set_images(
    settings: CertificateSettings,
    logo: str | None,
    signature: str | None,
    remove_logo: bool = False,
    remove_signature: bool = False,
) -> None:
    """Use stored images (names from `storage.store_image`) or go back to none; certificates whose
    images change are rendered again (the names are part of their content hash)."""
    if remove_logo:
        settings.logo_image = None
    if remove_signature:
        settings.signature_image = None
    settings.logo_image = logo or settings.logo_image
    settings.signature_image = signature or settings.signature_image


def save_settings(
    settings: CertificateSettings,
    form: Any,
    *,
    logo: bytes | None = None,
    signature: bytes | None = None,
    remove_logo: bool = False,
    remove_signature: bool = False,
) -> None:
    """Save a validated settings form with its uploaded images (`storage.store_image` checks them). A
    refused image raises ValidationFailed, each problem on its field ("logo", "signature"), and no
    image of this save is kept (the good one sent with a bad one is deleted again)."""
    stored: dict[str, str] = {}
    problems: list[Problem] = []
    for name, content in (("logo", logo), ("signature", signature)):
        if content is not None:
            try:
                stored[name] = storage.store_image(content)
            except DomainError as exc:
                problems.append(Problem(str(exc.message), name))
    if problems:
        for kept in stored.values():
            storage.delete_image(kept)
        raise ValidationFailed(problems)
    set_images(
        settings,
        stored.get("logo"),
        stored.get("signature"),
        remove_logo=remove_logo,
        remove_signature=remove_signature,
    )
    apply_settings(settings, form)
