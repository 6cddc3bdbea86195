"""Planning: programmes → batches (angkatan) → classes (kelas), with agendas and quotas."""

from flask import Blueprint

bp = Blueprint("programmes", __name__)

from app.programmes import views, views_import, views_schedule  # noqa: E402, F401


@bp.app_template_global("registration_phrase")
def _registration_phrase(c: object, state: object = None) -> str:
    from app.programmes.lifecycle import registration_phrase

    return registration_phrase(c, state)  # type: ignore[arg-type]
