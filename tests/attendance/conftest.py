"""Fixtures of the attendance tests."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from app.auth.models import User
from app.core.roles import Role
from app.extensions import db
from app.programmes.models import TrainingClass


@pytest.fixture
def running(app, open_class, register, make_user):
    """A class with 3 approved participants and a facilitator; `at(day_index, hh, mm)` gives a
    moment on a class day in the venue's time."""
    facilitator = make_user(Role.FACILITATOR)
    class_id = open_class(capacity=5)
    owner = make_user(Role.PARTICIPANT)
    ids = [register(class_id, 1, user=owner), register(class_id, 2), register(class_id, 3)]
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        c.facilitators = [db.session.get(User, facilitator.id)]
        start, zone = c.start_date, c.zoneinfo
        db.session.commit()

    def at(day_index: int, hour: int = 9, minute: int = 0) -> datetime:
        return datetime.combine(start + timedelta(days=day_index), time(hour, minute), tzinfo=zone)

    return {"class_id": class_id, "ids": ids, "facilitator": facilitator, "owner": owner, "at": at}
