"""A finished NTB class whose two eligible people hold their certificates (40 JP each)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app.certificates import issuing
from app.extensions import db
from app.programmes.models import TrainingClass


@pytest.fixture
def certified(app: Flask, finished_class: dict[str, Any]) -> dict[str, Any]:
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, finished_class["class_id"])
        issued, _ = issuing.issue_class(c, by=None)
        db.session.commit()
        assert issued == 2
        return {**finished_class, "year": c.end_date.year, "programme_id": c.batch.programme_id}
