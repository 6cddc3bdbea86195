"""Public pages (no login): open classes by province, and a class with its agenda."""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.catalogue import bp
from app.core.access import load_or_404, public
from app.core.pagination import paginate
from app.programmes import lifecycle, queries
from app.programmes.models import PUBLIC_STATUSES, ClassStatus
from app.regions import services as regions
from app.registration.seats import seat_summaries, seat_summary
from app.registration.submission import account_registration


@bp.get("/katalog")
@public
def index() -> ResponseReturnValue:
    """Classes announced and not yet over, by the calendar at each venue; running ones included."""
    province = request.args.get("provinsi") or None
    query = queries.catalogue_query(province_code=province, statuses=PUBLIC_STATUSES).where(lifecycle.not_over_sql())
    page = paginate(query, per_page=20)
    return render_template(
        "catalogue/index.html",
        page=page,
        province=province,
        provinces=regions.provinces(),
        seats=seat_summaries([c for c in page.items if lifecycle.shows_seats(c)]),
        ClassStatus=ClassStatus,
    )


@bp.get("/katalog/<int:class_id>")
@public
def class_page(class_id: int) -> ResponseReturnValue:
    # Drafts and cancelled classes do not exist for the public.
    training_class = load_or_404(queries.get_class, class_id, check=lambda c: c.status in PUBLIC_STATUSES, hide=True)
    days: dict[date, list] = {}
    for session in training_class.agenda:
        days.setdefault(session.day, []).append(session)
    # A participant who holds a registration in this programme is shown it, not a form that refuses.
    held = (
        account_registration(current_user, training_class.batch.programme_id)
        if current_user.is_authenticated and current_user.has_role("participant")
        else None
    )
    return render_template(
        "catalogue/class.html",
        c=training_class,
        held=held,
        seats=seat_summary(training_class) if lifecycle.shows_seats(training_class) else None,
        days=days,
        ClassStatus=ClassStatus,
    )
