"""Each role's home page (`/beranda`): figures and shortcuts for the roles the user holds."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.attendance import services as attendance_services
from app.attendance.views_offline import offline_script_attributes, today_roster_urls
from app.core.access import login_required
from app.core.roles import PLANNERS, Role
from app.programmes import services as programme_services
from app.registration import queries as registration_queries
from app.reports import bp, queue, services


@bp.get("/beranda")
@login_required
def dashboard() -> ResponseReturnValue:
    user = current_user
    context: dict[str, object] = {}
    if user.has_role(Role.ADMIN):
        context["admin"] = services.admin_figures()
    if user.has_role(*PLANNERS):
        context["queue"] = queue.work_queue()
    if user.has_role(Role.COORDINATOR):
        context["province"] = services.province_figures(user.coordinator_province_code)
    if user.has_role(Role.PARTICIPANT):
        context["my_registrations"] = registration_queries.registrations_of(user)
    if user.has_role(Role.FACILITATOR):
        mine = attendance_services.facilitator_classes(programme_services.classes_of_facilitator(user))
        context["my_classes"] = mine
        context["today_counts"] = attendance_services.today_counts(mine.today)
        # Today's rosters are kept on the phone from here, before the venue's Wi-Fi lets them down.
        context["offline"] = offline_script_attributes(today_roster_urls(mine.today))
    return render_template("reports/dashboard.html", Role=Role, **context)
