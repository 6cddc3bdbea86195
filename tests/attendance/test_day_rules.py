"""Rules the attendance pages once decided themselves, called directly: which day a URL names, which
roster opens first, why a roster is closed, and whose figures a programme report counts."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from app.attendance import services
from app.attendance.models import AttendanceStatus
from app.auth.models import User
from app.core.roles import Role
from app.extensions import db
from app.programmes.models import TrainingClass


def _c(running) -> TrainingClass:
    return db.session.get(TrainingClass, running["class_id"])


def test_a_url_names_a_class_day_only_as_an_iso_date_of_that_class(app_ctx, running) -> None:
    c = _c(running)
    assert services.class_day(c, c.start_date.isoformat()) == c.start_date
    assert services.class_day(c, c.end_date.isoformat()) == c.end_date
    assert services.class_day(c, (c.start_date - timedelta(days=1)).isoformat()) is None
    assert services.class_day(c, (c.end_date + timedelta(days=1)).isoformat()) is None
    for bad in ("", "kemarin", "2030-02-30", c.start_date.strftime("%d-%m-%Y")):
        assert services.class_day(c, bad) is None


def test_the_roster_opens_on_today_else_the_nearest_end_of_the_class(app_ctx, running) -> None:
    c, at = _c(running), running["at"]
    assert services.default_day(c, at(1, 9)) == c.start_date + timedelta(days=1)
    before = datetime.combine(c.start_date - timedelta(days=3), time(9), tzinfo=c.zoneinfo)
    after = datetime.combine(c.end_date + timedelta(days=3), time(9), tzinfo=c.zoneinfo)
    assert services.default_day(c, before) == c.start_date
    assert services.default_day(c, after) == c.end_date


def test_the_roster_says_why_it_takes_no_marks(app_ctx, running) -> None:
    c = _c(running)
    first, second = c.start_date, c.start_date + timedelta(days=1)
    assert services.marking_closed_reason(c, first, first) is None
    assert services.marking_closed_reason(c, first, second) is None  # a missed day is marked afterwards
    assert "baru dibuka pada harinya" in services.marking_closed_reason(c, second, first)
    long_after = c.end_date + timedelta(days=30)
    assert "sudah ditutup" in services.marking_closed_reason(c, c.end_date, long_after)


def test_a_programme_report_counts_the_classes_and_people_the_reader_may_see(app, running, make_user) -> None:
    organiser = make_user(Role.ORGANISER)
    ntb, jabar = make_user(Role.COORDINATOR, province_code="52"), make_user(Role.COORDINATOR, province_code="32")
    with app.app_context():
        c, at = _c(running), running["at"]
        for rid in running["ids"]:
            services.record(c, registration_id=rid, day=c.start_date, status=AttendanceStatus.HADIR, by=None, now=at(0))
        db.session.commit()
        programme = c.batch.programme
        for reader, expected in (
            (organiser, [("Nusa Tenggara Barat", 3)]),
            (running["facilitator"], [("Nusa Tenggara Barat", 3)]),
            (ntb, [("Nusa Tenggara Barat", 3)]),
            (jabar, []),  # not their class: nothing counted
        ):
            by_province, by_type = services.programme_report_for(programme, None, db.session.get(User, reader.id))
            assert [(g.label, g.participants) for g in by_province] == expected
            assert sum(g.participants for g in by_type) == sum(n for _label, n in expected)
        batch_id = c.batch_id
        other_batch = batch_id + 1000  # a batch with no classes: an empty report
        assert services.programme_report_for(programme, other_batch, db.session.get(User, organiser.id)) == ([], [])


def test_todays_counts_are_taken_on_the_day_at_each_venue(app_ctx, running) -> None:
    c, at = _c(running), running["at"]
    services.record(
        c, registration_id=running["ids"][0], day=c.start_date, status=AttendanceStatus.HADIR, by=None, now=at(0)
    )
    assert services.today_counts([c], at(0, 10)) == {c.id: (1, 2)}
    assert services.today_counts([c], at(1, 10)) == {c.id: (0, 3)}  # the next day starts unmarked
    assert services.today_counts([], at(0)) == {}
