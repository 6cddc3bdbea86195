"""Planning and the libraries do not import registration: they announce on blinker signals
(app/programmes/signals.py, app/libraries/signals.py) and registration answers, connected once."""

from __future__ import annotations

import ast
import weakref
from pathlib import Path

import pytest
from flask import Flask

from app.errors import ValidationFailed
from app.extensions import db
from app.factory import create_app
from app.libraries import signals as library_signals
from app.mail.models import OutboxMessage
from app.programmes import services as planning
from app.programmes import signals as planning_signals
from app.programmes.models import ClassStatus, TrainingClass
from app.registration import signals as registration_signals
from tests.fixtures_registration import status_of

APP = Path(__file__).resolve().parents[2] / "app"
SIGNALS = [
    planning_signals.class_cancelled,
    planning_signals.checking_class,
    planning_signals.class_in_use,
    planning_signals.class_page,
    library_signals.library_merging,
    library_signals.library_in_use,
]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


@pytest.mark.parametrize("package", ["programmes", "libraries"])
def test_planning_and_libraries_do_not_import_registration(package: str) -> None:
    for path in sorted((APP / package).glob("*.py")):
        registration = {m for m in _imports(path) if m == "app.registration" or m.startswith("app.registration.")}
        # (The class page shows registration's seat figures: it asks on programmes.signals.class_page.)
        assert not registration, f"{path.name} imports {sorted(registration)}"


def _registration_receivers(signal) -> list[object]:
    live = [r() if isinstance(r, weakref.ref) else r for r in signal.receivers.values()]  # blinker keeps weak refs
    return [r for r in live if getattr(r, "__module__", "") == "app.registration.signals"]


def test_registration_answers_each_signal_once_even_with_a_second_app(app: Flask) -> None:
    create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SERVER_NAME": None})
    assert [len(_registration_receivers(signal)) for signal in SIGNALS] == [1] * len(SIGNALS)


PAGE_SIGNALS = {
    planning_signals.class_page: ["app.attendance.signals", "app.registration.signals"],
    registration_signals.my_registrations_extras: [
        "app.attendance.signals",
        "app.certificates.signals",
        "app.reports.signals",  # JP this year
    ],
}


def test_the_domains_above_answer_each_page_signal_once_even_with_a_second_app(app: Flask) -> None:
    """The class page and "Pendaftaran saya" ask the domains above planning and registration for their figures."""
    create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SERVER_NAME": None})
    for signal, modules in PAGE_SIGNALS.items():
        live = [r() if isinstance(r, weakref.ref) else r for r in signal.receivers.values()]
        assert sorted(getattr(r, "__module__", "") for r in live) == modules, signal.name


def test_a_cancelled_class_tells_each_registrant_once(app, open_class, register) -> None:
    create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SERVER_NAME": None})
    class_id = open_class(capacity=1)
    ids = [register(class_id, 1), register(class_id, 2)]  # approved, waiting
    with app.app_context(), app.test_request_context():
        planning.set_status(db.session.get(TrainingClass, class_id), ClassStatus.CANCELLED, by=None)
        db.session.commit()
        told = db.session.scalars(
            db.select(OutboxMessage.recipient).where(OutboxMessage.subject == "Kelas Bimtek dibatalkan")
        ).all()
    assert sorted(told) == ["peserta1@perpusdes.id", "peserta2@perpusdes.id"]
    assert [status_of(app, i) for i in ids] == ["cancelled", "cancelled"]


def test_registration_s_class_rule_reports_with_planning_s_rules(app, open_class, register) -> None:
    class_id = open_class(capacity=3)
    for n in (1, 2, 3):
        register(class_id, n)
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, class_id)
        data = planning.class_data(c)
        data.capacity = 2  # below the 3 seats approved: registration's rule
        data.facilitator_ids = [999_999]  # no such facilitator: planning's rule
        data.registration_closes_at = data.registration_opens_at = None
        with pytest.raises(ValidationFailed) as refused:
            planning.update_class(c, data, by=None)
    # Both in one refusal, in the order the rules read (seats before the facilitators).
    assert [p.field for p in refused.value.problems] == ["capacity", "facilitator_ids"]
