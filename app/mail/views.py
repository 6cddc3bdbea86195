"""The admins' view of the outbox: every mail the app sent or kept."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import or_, select

from app.core.access import load_or_404, roles_required
from app.core.pagination import paginate
from app.core.roles import Role
from app.mail import bp
from app.mail.models import OutboxMessage


@bp.get("/admin/surel")
@roles_required(Role.ADMIN)
def outbox() -> ResponseReturnValue:
    q = request.args.get("q", "").strip()
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if q:
        like = f"%{q}%"
        query = query.where(or_(OutboxMessage.recipient.ilike(like), OutboxMessage.subject.ilike(like)))
    page = paginate(query)
    return render_template("mail/outbox.html", page=page, q=q)


@bp.get("/admin/surel/<int:message_id>")
@roles_required(Role.ADMIN)
def message(message_id: int) -> ResponseReturnValue:
    return render_template("mail/message.html", message=load_or_404(OutboxMessage, message_id))
