"""Attendance rules called directly: statuses, window, permissions, idempotent sync, QR, eligibility."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.attendance import checkin, services
from app.attendance.models import AttendanceMark, AttendanceStatus
from app.auth.models import User
from app.core.roles import Role
from app.errors import AttendanceError
from app.extensions import db
from app.programmes.models import TrainingClass
from app.registration.models import Registration


def _c(running) -> TrainingClass:
    return db.session.get(TrainingClass, running["class_id"])


def test_marks_keep_history_and_the_latest_counts(app_ctx, running) -> None:
    c, rid, at = _c(running), running["ids"][0], running["at"]
    day = c.start_date
    services.record(c, registration_id=rid, day=day, status=AttendanceStatus.ALPA, by=None, now=at(0, 9))
    services.record(
        c, registration_id=rid, day=day, status=AttendanceStatus.TERLAMBAT, by=None, note="macet", now=at(0, 10)
    )
    assert services.current_marks([c.id])[(rid, day)].status is AttendanceStatus.TERLAMBAT
    assert db.session.scalar(select(func.count()).select_from(AttendanceMark)) == 2  # history kept


def test_the_same_client_key_is_stored_once(app_ctx, running) -> None:
    c, rid, at = _c(running), running["ids"][0], running["at"]
    first, created = services.record(
        c,
        registration_id=rid,
        day=c.start_date,
        status=AttendanceStatus.HADIR,
        by=None,
        client_key="kunci-yang-sama-1",
        now=at(0),
    )
    again, created_again = services.record(
        c,
        registration_id=rid,
        day=c.start_date,
        status=AttendanceStatus.HADIR,
        by=None,
        client_key="kunci-yang-sama-1",
        now=at(0, 9, 5),
    )
    assert created
    assert not created_again
    assert first.id == again.id
    assert db.session.scalar(select(func.count()).select_from(AttendanceMark)) == 1


def test_an_offline_mark_tapped_later_wins_even_if_it_arrives_first(app_ctx, running) -> None:
    c, rid, at = _c(running), running["ids"][0], running["at"]
    services.record(
        c,
        registration_id=rid,
        day=c.start_date,
        status=AttendanceStatus.IZIN,
        by=None,
        marked_at=at(0, 9, 30),
        now=at(0, 9, 31),
    )
    services.record(
        c,
        registration_id=rid,
        day=c.start_date,
        status=AttendanceStatus.HADIR,
        by=None,
        marked_at=at(0, 9, 0),
        now=at(0, 9, 40),
    )  # synced late, but tapped earlier
    services.record(c, registration_id=rid, day=c.start_date, status=None, by=None, note="surat", now=at(0, 9, 50))
    assert services.current_marks([c.id])[(rid, c.start_date)].status is AttendanceStatus.IZIN
    # the reports' status-only reading agrees (a later note-only mark does not clear the status)
    assert services.current_statuses([c.id]) == {(rid, c.start_date): AttendanceStatus.IZIN}


def test_marking_opens_on_the_day_and_closes_n_days_after(app_ctx, running) -> None:
    c, rid, at = _c(running), running["ids"][0], running["at"]
    with pytest.raises(AttendanceError, match="baru dibuka pada harinya"):
        services.record(
            c,
            registration_id=rid,
            day=c.start_date + timedelta(days=1),
            status=AttendanceStatus.HADIR,
            by=None,
            now=at(0),
        )
    last_day = c.end_date
    late = datetime.combine(last_day + timedelta(days=4), time(9), tzinfo=c.zoneinfo)
    with pytest.raises(AttendanceError, match="sudah ditutup"):
        services.record(c, registration_id=rid, day=last_day, status=AttendanceStatus.HADIR, by=None, now=late)
    services.reopen(c, last_day + timedelta(days=5), by=None)
    services.record(c, registration_id=rid, day=last_day, status=AttendanceStatus.HADIR, by=None, now=late)
    with pytest.raises(AttendanceError, match="bukan hari kelas"):
        services.record(
            c,
            registration_id=rid,
            day=c.start_date - timedelta(days=1),
            status=AttendanceStatus.HADIR,
            by=None,
            now=at(0),
        )


def test_only_approved_participants_of_the_class_are_marked(app, running, open_class, register) -> None:
    other = register(open_class(name="Kelas Lain"), 9)
    app_ctx = app.app_context()
    app_ctx.push()
    c, at = _c(running), running["at"]
    with pytest.raises(AttendanceError, match="tidak terdaftar"):
        services.record(c, registration_id=other, day=c.start_date, status=AttendanceStatus.HADIR, by=None, now=at(0))
    db.session.rollback()
    app_ctx.pop()


def test_who_may_mark(app, running, make_user) -> None:
    organiser, stranger, coordinator = (
        make_user(Role.ORGANISER),
        make_user(Role.FACILITATOR),
        make_user(Role.COORDINATOR),
    )
    with app.app_context():
        c = _c(running)
        assert services.can_mark(db.session.get(User, running["facilitator"].id), c)
        assert services.can_mark(db.session.get(User, organiser.id), c)
        assert not services.can_mark(db.session.get(User, stranger.id), c)
        assert not services.can_mark(db.session.get(User, running["owner"].id), c)
        assert not services.can_mark(db.session.get(User, coordinator.id), c)


def test_mark_all_present_fills_only_the_unmarked(app_ctx, running) -> None:
    c, ids, at = _c(running), running["ids"], running["at"]
    services.record(c, registration_id=ids[0], day=c.start_date, status=AttendanceStatus.SAKIT, by=None, now=at(0))
    assert services.mark_all_present(c, c.start_date, by=None, now=at(0, 9, 5)) == 2
    marks = services.current_marks([c.id])
    assert [marks[(i, c.start_date)].status for i in ids] == [
        AttendanceStatus.SAKIT,
        AttendanceStatus.HADIR,
        AttendanceStatus.HADIR,
    ]


@pytest.mark.parametrize(
    ("present", "statuses", "days", "expected"),
    [
        (["hadir", "terlambat"], ["hadir", "hadir", "terlambat", "hadir", "izin"], 5, (4, True, 0)),
        (["hadir"], ["hadir", "hadir", "terlambat", "hadir", "izin"], 5, (3, False, 1)),
        (["hadir", "terlambat", "izin", "sakit"], ["hadir", "sakit", "izin", "hadir", "alpa"], 5, (4, True, 0)),
        (["hadir", "terlambat"], ["hadir", "hadir", "hadir", None], 4, (3, False, 1)),  # 80 % of 4 = 4 days
    ],
)
def test_eligibility_rule_variants(app_ctx, running, present, statuses, days, expected) -> None:
    from datetime import date

    c = _c(running)
    c.batch.programme.present_statuses = present
    dates = [date(2030, 1, 1) + timedelta(days=i) for i in range(days)]
    result = services.eligibility(
        c.batch.programme, dates, {d: AttendanceStatus(s) if s else None for d, s in zip(dates, statuses, strict=False)}
    )
    assert (result.present, result.eligible, result.missing) == expected


def _token_at(c: TrainingClass, day, moment: datetime) -> str:
    from unittest import mock

    with mock.patch("itsdangerous.timed.time.time", return_value=moment.timestamp()):
        return checkin.qr_token(c, day, now=moment)


def test_qr_check_in_marks_hadir_then_refuses_a_second_time(app, running) -> None:
    at = running["at"]
    with app.app_context(), app.test_request_context():
        c = _c(running)
        owner = db.session.get(User, running["owner"].id)
        token = _token_at(c, c.start_date, at(0, 8, 0))
        from unittest import mock

        with mock.patch(
            "itsdangerous.timed.time.time",
            return_value=at(
                0,
                8,
                0,
            ).timestamp()
            + 20,
        ):
            mark, message = checkin.check_in(token, owner, now=at(0, 8, 0) + timedelta(seconds=20))
            assert mark.status is AttendanceStatus.HADIR
            again, message_again = checkin.check_in(token, owner, now=at(0, 8, 1))
            assert again is None
            assert "sudah tercatat hadir" in message_again


def test_qr_check_in_after_the_start_is_late(app, running) -> None:
    at = running["at"]
    with app.app_context(), app.test_request_context():
        c = _c(running)
        owner = db.session.get(User, running["owner"].id)
        moment = at(0, 8, 40)  # 08.00 start + 15 minutes grace has passed
        token = _token_at(c, c.start_date, moment)
        from unittest import mock

        with mock.patch("itsdangerous.timed.time.time", return_value=moment.timestamp() + 5):
            mark, _message = checkin.check_in(token, owner, now=moment)
        assert mark.status is AttendanceStatus.TERLAMBAT


def test_qr_tokens_expire_and_are_bound_to_class_and_day(app, running, make_user, open_class, register) -> None:
    from unittest import mock

    at = running["at"]
    stranger = make_user(Role.PARTICIPANT)
    nobody = make_user(Role.PARTICIPANT)
    register(open_class(name="Kelas Lain", capacity=3), 50, user=stranger)  # approved elsewhere
    clock = "itsdangerous.timed.time.time"
    with app.app_context(), app.test_request_context():
        c = _c(running)
        owner = db.session.get(User, running["owner"].id)
        token = _token_at(c, c.start_date, at(0, 8))
        with (
            mock.patch(clock, return_value=at(0, 8).timestamp() + 120),
            pytest.raises(AttendanceError, match="kedaluwarsa"),
        ):
            checkin.check_in(token, owner, now=at(0, 8, 2))
        with pytest.raises(AttendanceError, match="tidak valid"):
            checkin.check_in(token[:-2] + "xx", owner, now=at(0, 8))
        tomorrow = _token_at(c, c.start_date + timedelta(days=1), at(0, 8))
        with (
            mock.patch(clock, return_value=at(0, 8).timestamp() + 1),
            pytest.raises(AttendanceError, match="bukan untuk hari ini"),
        ):
            checkin.check_in(tomorrow, owner, now=at(0, 8))
        with (
            mock.patch(clock, return_value=at(0, 8).timestamp() + 1),
            pytest.raises(AttendanceError, match="untuk kelas lain"),
        ):
            checkin.check_in(token, db.session.get(User, stranger.id), now=at(0, 8))
        with (
            mock.patch(clock, return_value=at(0, 8).timestamp() + 1),
            pytest.raises(AttendanceError, match="tidak terdaftar"),
        ):
            checkin.check_in(token, db.session.get(User, nobody.id), now=at(0, 8))


def test_the_qr_token_changes_every_30_seconds(app, running) -> None:
    with app.app_context(), app.test_request_context():
        c = _c(running)
        base = datetime(2030, 1, 1, 1, 0, 0, tzinfo=UTC)

        def window(token: str) -> int:
            return checkin._qr_serializer().loads(token)["w"]

        first = _token_at(c, c.start_date, base)
        same_window = _token_at(c, c.start_date, base + timedelta(seconds=10))
        next_window = _token_at(c, c.start_date, base + timedelta(seconds=31))
        assert window(first) == window(same_window)
        assert window(next_window) == window(first) + 1
        assert next_window != first


def test_class_and_programme_reports(app_ctx, running) -> None:
    c, ids, at = _c(running), running["ids"], running["at"]
    for index in range(c.days):
        moment = at(index, 9)
        for rid in ids:
            status = AttendanceStatus.ALPA if rid == ids[2] and index > 0 else AttendanceStatus.HADIR
            services.record(
                c, registration_id=rid, day=c.start_date + timedelta(days=index), status=status, by=None, now=moment
            )
    rows = services.class_report(c)
    assert [(r.registration.id, r.eligibility.eligible) for r in rows] == [
        (ids[0], True),
        (ids[1], True),
        (ids[2], False),
    ]
    by_province, by_type = services.programme_report([c])
    assert [(g.label, g.participants, g.eligible) for g in by_province] == [("Nusa Tenggara Barat", 3, 2)]
    assert by_type[0].participants == 3
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 3


# --- notes saved on their own, merged per field -----------------------------------------------------


def test_a_note_typed_after_the_tap_is_kept_with_the_status(app_ctx, running) -> None:
    c, rid, at = _c(running), running["ids"][0], running["at"]
    services.record(c, registration_id=rid, day=c.start_date, status=AttendanceStatus.SAKIT, by=None, now=at(0, 9))
    note, _created = services.record(
        c, registration_id=rid, day=c.start_date, status=None, note="  Surat dokter ", by=None, now=at(0, 9, 1)
    )
    assert note.status is None
    current = services.current_marks([c.id])[(rid, c.start_date)]
    assert (current.status, current.note) == (AttendanceStatus.SAKIT, "Surat dokter")


def test_a_note_synced_late_does_not_undo_a_newer_status(app_ctx, running) -> None:
    c, rid, at = _c(running), running["ids"][0], running["at"]
    day = c.start_date
    services.record(
        c, registration_id=rid, day=day, status=AttendanceStatus.IZIN, by=None, marked_at=at(0, 8), now=at(0, 8)
    )
    services.record(
        c, registration_id=rid, day=day, status=AttendanceStatus.HADIR, by=None, marked_at=at(0, 10), now=at(0, 10)
    )  # another facilitator: the participant came after all
    services.record(
        c,
        registration_id=rid,
        day=day,
        status=None,
        note="Tugas kantor pagi",
        by=None,
        marked_at=at(0, 9),
        now=at(0, 11),
    )  # typed offline at 09.00, arrives at 11.00
    current = services.current_marks([c.id])[(rid, day)]
    assert (current.status, current.note) == (AttendanceStatus.HADIR, "Tugas kantor pagi")


def test_a_status_tap_leaves_a_newer_note_alone_and_an_empty_note_clears(app_ctx, running) -> None:
    c, rid, at = _c(running), running["ids"][0], running["at"]
    day = c.start_date
    services.record(
        c,
        registration_id=rid,
        day=day,
        status=None,
        note="Datang pukul 10",
        by=None,
        marked_at=at(0, 10),
        now=at(0, 10),
    )
    services.record(
        c,
        registration_id=rid,
        day=day,
        status=AttendanceStatus.TERLAMBAT,
        by=None,
        marked_at=at(0, 9, 30),
        now=at(0, 10, 5),
    )  # tapped earlier, synced later, no note
    current = services.current_marks([c.id])[(rid, day)]
    assert (current.status, current.note) == (AttendanceStatus.TERLAMBAT, "Datang pukul 10")
    services.record(c, registration_id=rid, day=day, status=None, note="", by=None, now=at(0, 11))
    assert services.current_marks([c.id])[(rid, day)].note is None


def test_a_mark_needs_a_status_or_a_note_and_a_note_alone_marks_nobody(app_ctx, running) -> None:
    c, ids, at = _c(running), running["ids"], running["at"]
    with pytest.raises(AttendanceError, match="Pilih status kehadiran atau tulis catatan"):
        services.record(c, registration_id=ids[0], day=c.start_date, status=None, by=None, now=at(0))
    services.record(c, registration_id=ids[0], day=c.start_date, status=None, note="Izin dinas?", by=None, now=at(0))
    assert services.day_counts(c, c.start_date) == (0, 3)
    assert services.mark_all_present(c, c.start_date, by=None, now=at(0, 9, 5)) == 3
    current = services.current_marks([c.id])[(ids[0], c.start_date)]
    assert (current.status, current.note) == (AttendanceStatus.HADIR, "Izin dinas?")


# --- the QR screen and the check-in page --------------------------------------------------------------


def test_the_qr_is_live_only_on_the_day_itself(app, running) -> None:
    at = running["at"]
    with app.app_context(), app.test_request_context():
        c = _c(running)
        first, second = c.start_date, c.start_date + timedelta(days=1)
        assert "belum dibuka" in checkin.qr_closed_reason(c, second, at(0, 9))
        assert checkin.qr_closed_reason(c, first, at(0, 0, 1)) is None
        assert "sudah ditutup" in checkin.qr_closed_reason(c, first, at(1, 9))
        assert checkin.qr_closed_reason(c, second, at(1, 23, 59)) is None
        after_window = datetime.combine(c.end_date + timedelta(days=4), time(9), tzinfo=c.zoneinfo)
        assert "sudah ditutup" in checkin.qr_closed_reason(c, c.end_date, after_window)


def test_reading_a_code_names_class_and_day_and_records_nothing(app, running) -> None:
    from unittest import mock

    at = running["at"]
    with app.app_context(), app.test_request_context():
        c = _c(running)
        owner = db.session.get(User, running["owner"].id)
        token = _token_at(c, c.start_date + timedelta(days=1), at(1, 7, 50))
        with mock.patch("itsdangerous.timed.time.time", return_value=at(1, 7, 50).timestamp() + 5):
            scanned = checkin.read_check_in(token, owner, now=at(1, 7, 50))
            assert (scanned.training_class.id, scanned.day, scanned.day_number) == (
                c.id,
                c.start_date + timedelta(days=1),
                2,
            )
            assert scanned.registration.id == running["ids"][0]
            assert scanned.already is None
            assert db.session.scalar(select(func.count()).select_from(AttendanceMark)) == 0
            checkin.check_in(token, owner, now=at(1, 7, 51))
            assert checkin.read_check_in(token, owner, now=at(1, 7, 52)).already is AttendanceStatus.HADIR


# --- the facilitator's home -----------------------------------------------------------------------------


def test_facilitator_classes_today_first_then_upcoming_then_past(app, make_class) -> None:
    from datetime import date

    plan = [  # name, start (4 days), host regency
        ("Lalu jauh", date(2027, 3, 1), "52.71"),
        ("Akan datang jauh", date(2027, 7, 1), "52.71"),
        ("Hari ini Mataram", date(2027, 5, 20), "52.71"),
        ("Lalu dekat", date(2027, 5, 10), "52.71"),
        ("Akan datang dekat", date(2027, 5, 24), "52.71"),
        ("Jayapura", date(2027, 5, 24), "91.71"),  # WIT: already the 24th there
        ("Medan", date(2027, 5, 24), "12.71"),  # WIB: still the 23rd
    ]
    from app.programmes.models import ClassStatus

    ids = [make_class(name=name, regency_code=regency, status=ClassStatus.PUBLISHED) for name, _start, regency in plan]
    with app.app_context():
        classes = [db.session.get(TrainingClass, i) for i in ids]
        for c, (_name, start, _regency) in zip(classes, plan, strict=True):
            c.start_date, c.end_date = start, start + timedelta(days=3)
        now = datetime(2027, 5, 23, 23, 30, tzinfo=ZoneInfo("Asia/Makassar"))  # 00.30 WIT, 22.30 WIB
        mine = services.facilitator_classes(classes, now)
        assert [c.name for c in mine.today] == ["Hari ini Mataram", "Jayapura"]
        assert [c.name for c in mine.upcoming] == ["Akan datang dekat", "Medan", "Akan datang jauh"]
        assert [c.name for c in mine.past] == ["Lalu dekat", "Lalu jauh"]


def test_a_facilitator_does_not_see_a_draft_class_on_the_home_page(app, make_class) -> None:
    from app.programmes.models import ClassStatus, TrainingClass

    ids = [make_class(name="Kelas Draf"), make_class(name="Kelas Umum", status=ClassStatus.PUBLISHED)]
    with app.app_context():
        groups = services.facilitator_classes([db.session.get(TrainingClass, i) for i in ids])
    assert [c.name for c in groups.today + groups.upcoming + groups.past] == ["Kelas Umum"]
