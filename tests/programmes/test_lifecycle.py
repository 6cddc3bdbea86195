"""A class's state follows the calendar in its own zone: window, days, finished; `flask classes tick`."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app import clock as app_clock
from app.audit.models import AuditEntry
from app.errors import InvalidTransition
from app.extensions import db
from app.programmes import lifecycle, services
from app.programmes.models import Batch, ClassStatus, TrainingClass
from tests.fixtures_planning import class_data

S = ClassStatus


def _published(app, make_class, **overrides) -> int:
    return make_class(status=S.PUBLISHED, **overrides)


# The Mataram class: registration 1 May 08.00 – 15 May 23.59 WITA, class 22–25 May 2023 (WITA).
@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2023-04-30T12:00+08:00", S.PUBLISHED),
        ("2023-05-01T07:59+08:00", S.PUBLISHED),
        ("2023-05-01T08:00+08:00", S.REGISTRATION_OPEN),
        ("2023-05-15T23:59+08:00", S.REGISTRATION_OPEN),
        ("2023-05-16T00:01+08:00", S.REGISTRATION_CLOSED),
        ("2023-05-21T23:59+08:00", S.REGISTRATION_CLOSED),
        ("2023-05-22T00:00+08:00", S.RUNNING),
        ("2023-05-25T23:59+08:00", S.RUNNING),
        ("2023-05-26T00:00+08:00", S.FINISHED),
        ("2026-12-02T09:00+07:00", S.FINISHED),
    ],
)
def test_effective_status_follows_the_window_and_the_days(app, make_class, moment, expected) -> None:
    class_id = _published(app, make_class)
    at = app_clock.parse(moment)
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        assert lifecycle.effective_status(c, at) is expected
        in_sql = db.session.scalar(select(lifecycle.effective_status_sql(at)).where(TrainingClass.id == class_id))
        assert ClassStatus(in_sql) is expected  # the SQL form agrees, so lists can filter on it


def test_the_day_changes_at_midnight_in_each_venue_zone(app, make_class, batch) -> None:
    """At 23.30 WIB on 25 May it is already 26 May in Mataram (WITA) and Jayapura (WIT)."""
    wib = make_class(name="Kelas Bandung", regency_code="32.73", provinces={"32": None}, status=S.PUBLISHED)
    wita = make_class(name="Kelas Mataram", status=S.PUBLISHED)
    wit = make_class(name="Kelas Jayapura", regency_code="91.71", provinces={"91": None}, status=S.PUBLISHED)
    at = app_clock.parse("2023-05-25T23:30+07:00")
    with app.app_context():
        got = {cid: lifecycle.effective_status(db.session.get(TrainingClass, cid), at) for cid in (wib, wita, wit)}
        sql = dict(db.session.execute(select(TrainingClass.id, lifecycle.effective_status_sql(at))).all())
    assert got == {wib: S.RUNNING, wita: S.FINISHED, wit: S.FINISHED}
    assert {k: ClassStatus(v) for k, v in sql.items()} == got


def test_drafts_and_cancelled_classes_keep_their_status(app, make_class) -> None:
    draft, cancelled = make_class(), make_class(name="Batal", status=S.CANCELLED)
    with app.app_context():
        for cid, status in ((draft, S.DRAFT), (cancelled, S.CANCELLED)):
            c = db.session.get(TrainingClass, cid)
            assert lifecycle.effective_status(c, app_clock.parse("2023-05-23T10:00+08:00")) is status


def test_closed_by_hand_stays_closed_inside_the_window_and_can_be_reopened(app_ctx, make_class, clock) -> None:
    clock("2023-05-05T10:00+08:00")
    c = db.session.get(TrainingClass, make_class(status=S.PUBLISHED))
    assert c.state is S.REGISTRATION_OPEN
    services.set_status(c, S.REGISTRATION_CLOSED, by=None)
    assert c.state is S.REGISTRATION_CLOSED
    services.set_status(c, S.REGISTRATION_OPEN, by=None)
    assert c.state is S.REGISTRATION_OPEN


def test_registration_cannot_be_opened_after_the_window_or_once_the_class_started(app_ctx, make_class, clock) -> None:
    c = db.session.get(TrainingClass, make_class(status=S.REGISTRATION_CLOSED))
    clock("2023-05-18T10:00+08:00")  # window over, class not started
    with pytest.raises(InvalidTransition, match="perpanjang jadwal pendaftaran"):
        services.set_status(c, S.REGISTRATION_OPEN, by=None)
    clock("2023-05-23T10:00+08:00")  # the class is running
    with pytest.raises(InvalidTransition, match="Kelas sudah dimulai"):
        services.set_status(c, S.REGISTRATION_OPEN, by=None)
    assert c.state is S.RUNNING


def test_registration_cannot_be_opened_before_its_window_without_moving_it(app_ctx, make_class, clock) -> None:
    clock("2023-04-20T10:00+08:00")
    c = db.session.get(TrainingClass, make_class(status=S.PUBLISHED))
    with pytest.raises(InvalidTransition, match="ubah jadwal pendaftaran"):
        services.set_status(c, S.REGISTRATION_OPEN, by=None)
    data = class_data(registration_opens_at=app_clock.parse("2023-04-20T09:00+08:00"))
    services.update_class(c, data, by=None)  # the organiser moves the window: open at once
    assert c.state is S.REGISTRATION_OPEN


def test_running_and_finished_are_not_an_organisers_click(app_ctx, make_class, clock) -> None:
    clock("2023-05-23T10:00+08:00")
    c = db.session.get(TrainingClass, make_class(status=S.PUBLISHED))
    assert [a.status for a in lifecycle.actions(c)] == []  # no cancel of a running class either
    for status in (S.RUNNING, S.FINISHED, S.CANCELLED):
        with pytest.raises(InvalidTransition):
            services.set_status(c, status, by=None)


def test_tick_records_each_transition_once(app, make_class, runner) -> None:
    class_id = _published(app, make_class)
    with app.app_context():
        db.session.get(TrainingClass, class_id).recorded_status = S.PUBLISHED
        db.session.commit()
    seen = []
    for moment in (
        "2023-04-30T12:00+08:00",
        "2023-05-02T12:00+08:00",
        "2023-05-02T12:05+08:00",
        "2023-05-20T12:00+08:00",
        "2023-05-22T07:00+08:00",
        "2023-06-01T07:00+08:00",
        "2023-06-02T07:00+08:00",
    ):
        result = runner.invoke(args=["classes", "tick", "--at", moment])
        assert result.exit_code == 0, result.output
        seen.append(result.output.strip().splitlines()[-1])
    assert seen == [
        "0 perubahan status dicatat.",
        "1 perubahan status dicatat.",
        "0 perubahan status dicatat.",
        "1 perubahan status dicatat.",
        "1 perubahan status dicatat.",
        "1 perubahan status dicatat.",
        "0 perubahan status dicatat.",
    ]
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_id == class_id, AuditEntry.action == "calendar")
            .order_by(AuditEntry.id)
        ).all()
        assert [e.changes["status"] for e in entries] == [
            ["published", "registration_open"],
            ["registration_open", "registration_closed"],
            ["registration_closed", "running"],
            ["running", "finished"],
        ]
        assert all(e.user_id is None for e in entries)  # by the system


def test_an_organisers_change_is_not_recorded_again_by_the_tick(app_ctx, make_class, clock) -> None:
    clock("2023-05-05T10:00+08:00")
    c = db.session.get(TrainingClass, make_class())
    services.set_status(c, S.PUBLISHED, by=None)  # opens at once: inside the window
    assert c.recorded_status is S.REGISTRATION_OPEN
    assert lifecycle.tick() == []


def test_copying_keeps_a_class_a_draft_whatever_the_calendar(app_ctx, programme, clock) -> None:
    clock("2026-12-02T10:00+07:00")
    batch = db.session.scalar(select(Batch).where(Batch.programme_id == programme.id))
    c = services.create_class(batch, class_data(start_date=date(2023, 5, 22)), by=None)
    assert c.state is S.DRAFT
    assert c.recorded_status is S.DRAFT


def test_the_timeline_filters_on_what_a_class_is_now(app_ctx, make_class, clock) -> None:
    clock("2023-05-23T10:00+08:00")
    running = make_class(status=S.REGISTRATION_OPEN)  # stored as opened; the calendar says running
    make_class(name="Draf")
    found = db.session.scalars(services.schedule_query(status=S.RUNNING)).all()
    assert [c.id for c in found] == [running]
    assert db.session.scalars(services.schedule_query(status=S.REGISTRATION_OPEN)).all() == []


def test_a_datetime_without_a_zone_is_refused_by_the_clock() -> None:
    with pytest.raises(ValueError, match="aware"):
        app_clock.freeze(datetime(2023, 5, 1, 8, 0))


def test_a_started_class_keeps_its_first_day(app_ctx, make_class, clock) -> None:
    from app.errors import ScheduleError

    c = db.session.get(TrainingClass, make_class(status=S.PUBLISHED))
    clock("2023-05-23T10:00+08:00")
    with pytest.raises(ScheduleError, match="tanggal mulai tidak dapat diubah"):
        services.update_class(c, class_data(start_date=date(2023, 5, 24)), by=None)
    services.update_class(c, class_data(end_date=date(2023, 5, 26)), by=None)  # the end may move
    assert c.end_date == date(2023, 5, 26)
    assert c.state is S.RUNNING
