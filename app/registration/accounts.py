"""A registration belongs to a person's account by verified email: nominees get an account (and a
set-password link) when organisers nominate them; registrations made for an address are linked to
its account the moment the address is proven (verification, or a password set from a mailed link)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.auth import services as auth
from app.auth.models import User
from app.auth.signals import email_proven
from app.extensions import db
from app.programmes.models import TrainingClass
from app.registration import notifications, submission
from app.registration.models import ACTIVE_STATUSES, Registration


def link_registrations(user: User) -> int:
    """Give a verified account the registrations made for its address without an account, except
    an active one in a programme where the account already holds one (one per account)."""
    if user.email_verified_at is None or not user.active:
        return 0
    waiting = db.session.scalars(
        select(Registration)
        .where(Registration.user_id.is_(None), Registration.email == user.email)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    held = set(
        db.session.scalars(
            select(Registration.programme_id).where(
                Registration.user_id == user.id, Registration.status.in_(ACTIVE_STATUSES)
            )
        )
    )
    linked = 0
    for registration in waiting:
        if registration.is_active:
            if registration.programme_id in held:
                continue
            held.add(registration.programme_id)
        registration.user_id = user.id
        linked += 1
    db.session.flush()
    return linked


@email_proven.connect
def _on_email_proven(user: User, **_extra: Any) -> None:
    link_registrations(user)


def nominate(
    training_class: TrainingClass, data: submission.RegistrationData, by: User, override_reason: str | None = None
) -> Registration:
    """Register a person an office nominated (no window, seats as usual) and tell them how to follow
    it: a verified account sees it at once; anyone else gets a link to set their password."""
    email = auth.normalise_email(data.person.email)
    holder = auth.find_user_by_email(email)
    verified = holder if holder is not None and holder.active and holder.email_verified_at else None
    registration = submission.submit(
        training_class, data, user=verified, nominated_by=by, override_reason=override_reason
    )
    link = None
    if verified is None:
        if holder is None:
            holder = auth.invite_participant(email=email, full_name=registration.full_name, phone=registration.whatsapp)
        else:
            # Someone signed up with this address and never proved it: whoever that was, their
            # password and consent do not pass to the nominee, and their verification link dies.
            auth.reset_unproven(holder)
        if holder.active:
            link = auth.setup_link(holder)
    notifications.notify(registration, "nominated", setup_link=link)
    return registration
