"""Planning rules, called directly."""

from __future__ import annotations

import re
from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.core.roles import Role
from app.errors import InvalidTransition, ScheduleError
from app.extensions import db
from app.programmes import agenda, copying, services
from app.programmes.models import Batch, ClassStatus, Programme, QuotaGroup, TrainingClass
from app.registration import seats
from tests.fixtures_planning import WITA, class_data


def _batch(programme: Programme) -> Batch:
    return db.session.get(Programme, programme.id).batches[0]


def _facilitator(email: str = "fas@perpusnas.go.id") -> User:
    from app.auth import services as auth

    return auth.create_staff(email=email, full_name=email.split("@")[0], roles=[Role.FACILITATOR], password="x" * 12)


def test_a_class_is_created_as_a_draft_in_the_host_time_zone(app_ctx, programme) -> None:
    c = services.create_class(_batch(programme), class_data(), by=None)
    assert c.status is ClassStatus.DRAFT
    assert (c.timezone, c.tz_label) == ("Asia/Makassar", "WITA")
    assert c.served_codes == ["51", "52"]
    assert c.registration_closes_at.astimezone(WITA).time() == time(23, 59)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": date(2023, 5, 21)}, "Tanggal selesai tidak boleh sebelum tanggal mulai"),
        ({"start_date": date(2023, 5, 20)}, "di dalam rentang angkatan"),
        ({"end_date": date(2023, 5, 27)}, "di dalam rentang angkatan"),
        ({"registration_closes_at": datetime(2023, 5, 22, 9, 0, tzinfo=WITA)}, "ditutup sebelum kelas dimulai"),
        ({"registration_closes_at": datetime(2023, 4, 30, 9, 0, tzinfo=WITA)}, "ditutup setelah dibuka"),
        ({"provinces": {}}, "paling sedikit satu provinsi"),
        ({"provinces": {"99": None}}, "Kode provinsi tidak dikenal: 99"),
        ({"provinces": {"51": 10, "52": 13}}, "melebihi kapasitas kelas (22)"),
        ({"type_quotas": {QuotaGroup.DESA_KELURAHAN: 20, QuotaGroup.PROVINSI: 3}}, "jenis perpustakaan (23) melebihi"),
        ({"regency_code": "52.99"}, "tuan rumah tidak dikenal"),
        ({"quota_release_date": date(2023, 5, 23)}, "pelepasan kuota harus sebelum"),
    ],
)
def test_planning_rules_refuse_with_a_clear_message(app_ctx, programme, overrides, message) -> None:
    with pytest.raises(ScheduleError, match=re.escape(message)):
        services.create_class(_batch(programme), class_data(**overrides), by=None)


def test_registration_may_close_just_before_the_class_starts_in_local_time(app_ctx, programme) -> None:
    closes = datetime(2023, 5, 21, 23, 59, tzinfo=WITA)  # 15.59 UTC: still the 21st in Mataram
    services.create_class(_batch(programme), class_data(registration_closes_at=closes), by=None)


def test_a_facilitator_cannot_teach_two_overlapping_classes(app_ctx, programme) -> None:
    person = _facilitator()
    batch = _batch(programme)
    services.create_class(batch, class_data(facilitator_ids=[person.id]), by=None)
    with pytest.raises(ScheduleError, match="sudah mengajar di Kelas Bali – NTB"):
        services.create_class(
            batch,
            class_data(
                name="Kelas Lain", start_date=date(2023, 5, 25), end_date=date(2023, 5, 26), facilitator_ids=[person.id]
            ),
            by=None,
        )
    # the next day is free, and a cancelled class blocks nothing
    services.create_class(
        batch,
        class_data(
            name="Kelas Jumat", start_date=date(2023, 5, 26), end_date=date(2023, 5, 26), facilitator_ids=[person.id]
        ),
        by=None,
    )


def test_cancelled_classes_free_their_facilitators(app_ctx, programme) -> None:
    person = _facilitator()
    batch = _batch(programme)
    first = services.create_class(batch, class_data(facilitator_ids=[person.id]), by=None)
    services.set_status(first, ClassStatus.CANCELLED, by=None)
    services.create_class(batch, class_data(name="Pengganti", facilitator_ids=[person.id]), by=None)


def test_only_facilitator_accounts_can_be_assigned(app_ctx, programme) -> None:
    from app.auth import services as auth

    organiser = auth.create_staff(email="p@perpusnas.go.id", full_name="P", roles=[Role.ORGANISER], password="x" * 12)
    with pytest.raises(ScheduleError, match="peran fasilitator"):
        services.create_class(_batch(programme), class_data(facilitator_ids=[organiser.id]), by=None)


def test_status_moves_along_the_allowed_path(app_ctx, programme, clock) -> None:
    clock("2023-05-03T10:00+08:00")  # inside the registration window (1–15 May 2023 WITA)
    c = services.create_class(_batch(programme), class_data(), by=None)
    with pytest.raises(InvalidTransition):
        services.set_status(c, ClassStatus.RUNNING, by=None)  # running follows the calendar, not a click
    services.set_status(c, ClassStatus.PUBLISHED, by=None)
    assert c.state is ClassStatus.REGISTRATION_OPEN  # published inside its window: open
    services.set_status(c, ClassStatus.REGISTRATION_CLOSED, by=None)
    assert c.state is ClassStatus.REGISTRATION_CLOSED
    services.set_status(c, ClassStatus.REGISTRATION_OPEN, by=None)
    assert c.state is ClassStatus.REGISTRATION_OPEN
    services.set_status(c, ClassStatus.CANCELLED, by=None)
    with pytest.raises(InvalidTransition):
        services.set_status(c, ClassStatus.PUBLISHED, by=None)


def test_registration_cannot_open_without_a_window(app_ctx, programme, clock) -> None:
    clock("2023-05-03T10:00+08:00")
    c = services.create_class(
        _batch(programme), class_data(registration_opens_at=None, registration_closes_at=None), by=None
    )
    services.set_status(c, ClassStatus.PUBLISHED, by=None)
    with pytest.raises(InvalidTransition, match="jadwal pendaftaran"):
        services.set_status(c, ClassStatus.REGISTRATION_OPEN, by=None)


def test_every_change_is_audited_with_old_and_new_values(app_ctx, programme, make_user, clock) -> None:
    clock("2023-04-20T10:00+08:00")  # before the registration window
    organiser = db.session.get(User, make_user(Role.ORGANISER).id)
    c = services.create_class(_batch(programme), class_data(), by=organiser)
    db.session.flush()
    services.update_class(c, class_data(capacity=25, provinces={"52": None}), by=organiser)
    services.set_status(c, ClassStatus.PUBLISHED, by=organiser)
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "classes", AuditEntry.object_id == c.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["created", "updated", "status"]
    assert entries[1].changes["capacity"] == [22, 25]
    assert entries[1].changes["provinces"] == ["51:8, 52:14", "52"]
    assert entries[2].changes["status"] == ["draft", "published"]
    assert all(e.user_id == organiser.id for e in entries)


def test_an_update_without_changes_is_not_audited(app_ctx, programme) -> None:
    c = services.create_class(_batch(programme), class_data(), by=None)
    db.session.flush()
    services.update_class(c, services.class_data(c), by=None)
    assert db.session.scalar(select(db.func.count()).select_from(AuditEntry).where(AuditEntry.action == "updated")) == 0


def test_batch_window_cannot_shrink_past_its_classes(app_ctx, programme) -> None:
    batch = _batch(programme)
    services.create_class(batch, class_data(), by=None)
    with pytest.raises(ScheduleError, match="di luar rentang tanggal angkatan"):
        services.update_batch(batch, services.BatchData(2, "Angkatan 2", date(2023, 5, 23), date(2023, 5, 26)), by=None)
    with pytest.raises(ScheduleError, match="Angkatan 2 sudah ada"):
        services.create_batch(
            db.session.get(Programme, programme.id),
            services.BatchData(2, "Lagi", date(2023, 6, 1), date(2023, 6, 2)),
            by=None,
        )


def test_programme_code_and_year_are_unique(app_ctx, programme) -> None:
    with pytest.raises(ScheduleError, match="sudah ada"):
        services.create_programme(services.ProgrammeData(code="spp-tik", name="X", year=2023, jp_total=10), by=None)


def test_agenda_sessions_stay_inside_the_class_and_do_not_overlap(app_ctx, programme) -> None:
    c = services.create_class(_batch(programme), class_data(), by=None)
    add = agenda.add_agenda_session
    add(c, agenda.AgendaData(date(2023, 5, 22), time(8), time(12), "Kebijakan TPBIS", 5), by=None)
    with pytest.raises(ScheduleError, match="bertabrakan"):
        add(c, agenda.AgendaData(date(2023, 5, 22), time(11), time(13), "Tabrakan", 2), by=None)
    with pytest.raises(ScheduleError, match="di antara tanggal mulai dan selesai"):
        add(c, agenda.AgendaData(date(2023, 5, 26), time(8), time(9), "Di luar", 1), by=None)
    add(c, agenda.AgendaData(date(2023, 5, 22), time(13), time(16), "Praktik", 4), by=None)
    assert c.agenda_jp == 9


def test_seat_summary_and_quota_release(app_ctx, programme) -> None:
    c = services.create_class(
        _batch(programme),
        class_data(type_quotas={QuotaGroup.DESA_KELURAHAN: 10}, quota_release_date=date(2023, 5, 15)),
        by=None,
    )
    summary = seats.seat_summary(c, today=date(2023, 5, 10))
    assert (summary.capacity, summary.taken, summary.left, summary.released) == (22, 0, 22, False)
    assert [(q.label, q.reserved, q.left) for q in summary.provinces] == [
        ("Bali", 8, 8),
        ("Nusa Tenggara Barat", 14, 14),
    ]
    assert [(q.reserved, q.left) for q in summary.groups] == [(10, 10)]
    assert seats.seat_summary(c, today=date(2023, 5, 16)).released


def test_a_class_without_registrations_can_be_deleted_and_stays_audited(app_ctx, programme) -> None:
    c = services.create_class(_batch(programme), class_data(), by=None)
    db.session.flush()
    class_id = c.id
    services.delete_class(c, by=None)
    db.session.flush()
    assert db.session.get(TrainingClass, class_id) is None
    assert (
        db.session.scalar(
            select(AuditEntry.action).where(AuditEntry.object_id == class_id, AuditEntry.action == "deleted")
        )
        == "deleted"
    )


def test_copying_a_programme_shifts_every_date_by_whole_weeks(app_ctx, programme) -> None:
    person = _facilitator()
    c = services.create_class(_batch(programme), class_data(facilitator_ids=[person.id]), by=None)
    agenda.add_agenda_session(c, agenda.AgendaData(date(2023, 5, 22), time(8), time(12), "Kebijakan", 5), by=None)
    services.set_status(c, ClassStatus.PUBLISHED, by=None)
    result = copying.copy_programme(db.session.get(Programme, programme.id), 2024, by=None)
    copy = result.target
    assert (copy.code, copy.year, copy.jp_total) == ("SPP-TIK", 2024, 40)
    new_batch = copy.batches[0]
    # 22 May 2023 was a Monday; 364 days later is Monday 20 May 2024 (22 May 2024 is a Wednesday)
    assert (new_batch.start_date, new_batch.end_date) == (date(2024, 5, 20), date(2024, 5, 24))
    new_class = new_batch.classes[0]
    assert (new_class.start_date, new_class.end_date, new_class.status) == (
        date(2024, 5, 20),
        date(2024, 5, 23),
        ClassStatus.DRAFT,
    )
    assert new_class.start_date.weekday() == 0
    assert new_class.registration_opens_at.astimezone(WITA) == datetime(2024, 4, 29, 8, 0, tzinfo=WITA)
    assert new_class.registration_closes_at.astimezone(WITA) == datetime(2024, 5, 13, 23, 59, tzinfo=WITA)
    assert {p.province_code: p.seats for p in new_class.provinces} == {"51": 8, "52": 14}
    assert [s.day for s in new_class.agenda] == [date(2024, 5, 20)]
    assert [u.id for u in new_class.facilitators] == [person.id]
    with pytest.raises(ScheduleError, match="sudah ada"):
        copying.copy_programme(db.session.get(Programme, programme.id), 2024, by=None)


def test_copying_2023_to_2027_keeps_a_monday_class_on_a_monday(app_ctx, programme) -> None:
    c = services.create_class(_batch(programme), class_data(quota_release_date=date(2023, 5, 12)), by=None)
    agenda.add_agenda_session(c, agenda.AgendaData(date(2023, 5, 25), time(8), time(12), "Rencana aksi", 5), by=None)
    copy = copying.copy_programme(db.session.get(Programme, programme.id), 2027, by=None).target
    new_class = copy.batches[0].classes[0]
    # 22 May 2027 is a Saturday: the copy moves 209 weeks (1,463 days) to Monday 24 May 2027
    assert (new_class.start_date, new_class.end_date) == (date(2027, 5, 24), date(2027, 5, 27))
    assert [new_class.start_date.weekday(), new_class.end_date.weekday()] == [0, 3]
    assert new_class.quota_release_date == date(2027, 5, 14)  # a Friday, as 12 May 2023 was
    assert [s.day for s in new_class.agenda] == [date(2027, 5, 27)]  # the Thursday
    assert new_class.registration_opens_at.astimezone(WITA) == datetime(2027, 5, 3, 8, 0, tzinfo=WITA)


@pytest.mark.parametrize(
    ("day", "years", "days"),
    [
        (date(2023, 5, 22), 1, 364),
        (date(2023, 5, 22), 4, 1463),
        (date(2023, 12, 30), 1, 364),
        (date(2021, 3, 1), 3, 1099),
        (date(2023, 5, 22), -1, -364),
        (date(2019, 6, 1), 1, 364),
        (date(2022, 6, 1), 6, 2191),
    ],
)
def test_weekday_shift_is_whole_weeks_closest_to_the_years(day, years, days) -> None:
    shift = copying.weekday_shift(day, years)
    assert shift.days == days
    assert (day + shift).weekday() == day.weekday()
    assert abs((day + shift) - copying.shift_years(day, years)).days <= 3


def test_copying_a_batch_into_next_years_programme(app_ctx, programme) -> None:
    services.create_class(_batch(programme), class_data(), by=None)
    target = services.create_programme(
        services.ProgrammeData(code="SPP-TIK", name="B", year=2024, jp_total=40), by=None
    )
    result = copying.copy_batch(_batch(programme), target, by=None)
    assert result.target.number == 1
    assert result.target.classes[0].start_date == date(2024, 5, 20)


def test_29_february_shifts_to_28_february() -> None:
    assert copying.shift_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_schedule_query_filters(app_ctx, programme) -> None:
    person = _facilitator()
    batch = _batch(programme)
    services.create_class(batch, class_data(facilitator_ids=[person.id]), by=None)
    services.create_class(
        batch, class_data(name="Kelas Jawa Barat", regency_code="32.73", provinces={"32": None}), by=None
    )
    names = lambda **kw: [c.name for c in db.session.scalars(services.schedule_query(**kw))]  # noqa: E731
    assert names(province_code="51") == ["Kelas Bali – NTB"]
    assert names(facilitator_id=person.id) == ["Kelas Bali – NTB"]
    assert len(names(batch_id=batch.id)) == 2
    assert names(status=ClassStatus.PUBLISHED) == []


def test_quota_group_of_each_library_type() -> None:
    from app.libraries.models import LibraryType

    assert QuotaGroup.of(LibraryType.PROVINSI) is QuotaGroup.PROVINSI
    assert QuotaGroup.of(LibraryType.KABUPATEN_KOTA) is QuotaGroup.KABUPATEN_KOTA
    assert QuotaGroup.of(LibraryType.DESA_KELURAHAN) is QuotaGroup.DESA_KELURAHAN
    assert QuotaGroup.of(LibraryType.SEKOLAH) is QuotaGroup.LAINNYA


@pytest.mark.parametrize(
    ("start", "end", "fit"),
    [(time(8), time(9), 1), (time(8), time(11, 45), 5), (time(13), time(15, 15), 3), (time(8), time(8, 44), 0)],
)
def test_one_jp_is_45_minutes(start, end, fit) -> None:
    assert agenda.jp_that_fit(start, end) == fit


def test_every_agenda_rule_reports_at_once(app_ctx, programme) -> None:
    c = services.create_class(_batch(programme), class_data(), by=None)
    agenda.add_agenda_session(c, agenda.AgendaData(date(2023, 5, 22), time(8), time(12), "Kebijakan", 5), by=None)
    with pytest.raises(ScheduleError) as refused:
        agenda.add_agenda_session(c, agenda.AgendaData(date(2023, 5, 22), time(9), time(10), "Praktik", 4), by=None)
    assert [p.field for p in refused.value.problems] == ["jp", "start_time"]
    assert "paling banyak 1 JP" in refused.value.problems[0].message
    assert "bertabrakan dengan Kebijakan" in refused.value.problems[1].message
