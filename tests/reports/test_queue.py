"""The organiser's home as a work queue (issue #14): each line counted in SQL, linked to where it is done."""

from __future__ import annotations

from datetime import timedelta

from app import clock as app_clock
from app.certificates.models import BulkJob, JobStatus
from app.core.roles import Role
from app.extensions import db
from app.privacy.models import DataRequest, DataRequestKind, DataRequestStatus
from app.programmes.models import ApprovalMode, TrainingClass
from app.registration.models import NameCorrection, Registration
from app.reports import queue


def _queue(app) -> queue.WorkQueue:
    with app.app_context():
        return queue.work_queue()


def test_an_empty_queue_says_nothing_waits(app, client, login_as) -> None:
    assert _queue(app).empty
    login_as(Role.ORGANISER)
    home = client.get("/beranda").get_data(as_text=True)
    assert "Tidak ada yang menunggu." in home
    assert 'id="work-queue"' not in home


def test_registrations_waiting_are_counted_per_class_and_link_to_the_filtered_list(
    app, client, login_as, open_class, register
) -> None:
    moderated = open_class(approval_mode=ApprovalMode.MODERATED, name="Kelas Moderasi")
    for serial in (1, 2, 3):
        register(moderated, serial)
    lines = _queue(app).waiting
    assert [(line.class_id, line.count) for line in lines] == [(moderated, 3)]
    login_as(Role.ORGANISER)
    home = client.get("/beranda").get_data(as_text=True)
    assert f"/kelola/kelas/{moderated}/pendaftar?status=submitted" in home
    assert "Kelas Moderasi" in home
    year = lines[0].start_date.year
    assert f'Kelas Moderasi</strong> <span class="text-muted queue-year">({year})</span>' in home  # 2023 or 2027?


def test_certificates_ready_count_only_the_people_who_met_the_attendance_rule(app, finished_class) -> None:
    work = _queue(app)
    # Two were present every day, the third only on the first: two certificates are ready.
    assert [(line.class_id, line.count) for line in work.certificates] == [(finished_class["class_id"], 2)]
    assert work.unmarked == []  # every day has marks


def test_past_days_without_marks_are_listed_while_marking_is_open(app, client, login_as, today_class) -> None:
    with app.app_context():
        c = db.session.get(TrainingClass, today_class["class_id"])
        today = app_clock.today(c.zoneinfo)
        c.start_date = today - timedelta(days=2)
        db.session.commit()
    [line] = _queue(app).unmarked
    assert line.days == [today - timedelta(days=2), today - timedelta(days=1)]
    login_as(Role.ORGANISER)
    assert f"/presensi/kelas/{line.class_id}" in client.get("/beranda").get_data(as_text=True)


def test_classes_starting_within_a_week_show_their_fill(app, client, login_as, open_class, register) -> None:
    soon, later = open_class(capacity=20, name="Kelas Minggu Ini"), open_class(name="Kelas Bulan Depan")
    register(soon, 1)
    with app.app_context():
        c = db.session.get(TrainingClass, soon)
        c.start_date = app_clock.today(c.zoneinfo) + timedelta(days=3)
        c.end_date = c.start_date + timedelta(days=2)
        db.session.commit()
    lines = _queue(app).upcoming
    assert [(line.class_id, line.count, line.capacity) for line in lines] == [(soon, 1, 20)]
    login_as(Role.ORGANISER)
    home = client.get("/beranda").get_data(as_text=True)
    assert "Terisi 1 dari 20 kursi" in home
    assert "Kelas Bulan Depan" not in home or later not in [line.class_id for line in lines]


def test_requests_past_three_days_are_highlighted(app, client, login_as, open_class, register, make_user) -> None:
    registration_id = register(open_class(), 1)
    now = app_clock.now()
    with app.app_context():
        registration = db.session.get(Registration, registration_id)
        db.session.add(
            NameCorrection(registration=registration, old_name="A", new_name="B", created_at=now - timedelta(hours=80))
        )
        db.session.add(
            DataRequest(
                kind=DataRequestKind.ACCESS,
                details="salinan",
                status=DataRequestStatus.RECEIVED,
                received_at=now - timedelta(hours=1),
                due_at=now + timedelta(hours=71),
            )
        )
        db.session.add(BulkJob(scope="class", scope_id=1, status=JobStatus.FAILED))
        db.session.commit()
    counters = _queue(app).counters
    assert (counters.name_corrections, counters.name_corrections_overdue) == (1, 1)
    assert (counters.data_requests, counters.data_requests_overdue) == (1, 0)
    assert counters.jobs_failed == 1
    assert counters.latest_failed_job is not None
    login_as(Role.ORGANISER)
    home = client.get("/beranda").get_data(as_text=True)
    assert "1 melewati batas" in home  # the name correction, 80 hours old
    assert "batas terdekat" in home  # the data request, due in 71 hours
    assert 'id="queue-jobs-failed"' in home


def test_the_queue_runs_the_same_statements_with_more_data(
    app, client, login_as, finished_class, open_class, register, count_queries
) -> None:
    login_as(Role.ORGANISER)
    client.get("/beranda")
    with count_queries() as small:
        client.get("/beranda")
    with app.app_context():
        batch = db.session.get(TrainingClass, finished_class["class_id"]).batch
        batch.end_date = batch.end_date + timedelta(days=60)
        db.session.commit()
    moderated = open_class(approval_mode=ApprovalMode.MODERATED)
    for serial in range(10, 16):
        register(moderated, serial)
    register(open_class(), 20)
    with count_queries() as large:
        assert client.get("/beranda").status_code == 200
    assert small.count == large.count <= 15


def test_participants_and_coordinators_get_no_queue(client, login_as) -> None:
    login_as(Role.PARTICIPANT)
    home = client.get("/beranda").get_data(as_text=True)
    assert "Yang menunggu Anda" not in home
    assert "Beranda Peserta" in home
