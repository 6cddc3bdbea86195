"""Planning: programmes → batches (angkatan) → classes (kelas), with agendas and quotas."""

from flask import Blueprint

bp = Blueprint("programmes", __name__)

from app.programmes import views, views_import, views_schedule  # noqa: E402, F401
