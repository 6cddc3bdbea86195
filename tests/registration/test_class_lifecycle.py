"""Registration once the calendar moves on: no cancel or promotion after the start, overrides with a
reason, refusal before the form is filled, honest waiting-list mails, catalogue without stale seats."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.core.roles import Role
from app.errors import ClassStarted
from app.extensions import db
from app.programmes.models import ClassStatus, TrainingClass
from app.registration import decisions
from app.registration.models import Registration, RegistrationStatus
from tests.conftest import csrf_token, outbox
from tests.fixtures_registration import status_of


def _class_day(app, class_id: int, day: int = 1, hour: int = 10) -> datetime:
    """A moment on day `day` of the class (1 = first day), in its own zone."""
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        return datetime.combine(c.start_date + timedelta(days=day - 1), time(hour), tzinfo=c.zoneinfo)


@pytest.fixture
def full_class(app, open_class, register, make_user):
    """Two seats, both taken (the first by an account holder), one person waiting."""
    owner = make_user(Role.PARTICIPANT)
    class_id = open_class(capacity=2)
    ids = [register(class_id, 1, user=owner), register(class_id, 2), register(class_id, 3)]
    assert [status_of(app, i) for i in ids] == ["approved", "approved", "waitlisted"]
    return {"class_id": class_id, "ids": ids, "owner": owner}


def test_a_participant_cannot_cancel_once_the_class_has_started(app, client, login_as, full_class, clock) -> None:
    clock(_class_day(app, full_class["class_id"], day=2))
    with app.app_context(), app.test_request_context():
        r = db.session.get(Registration, full_class["ids"][0])
        with pytest.raises(ClassStarted, match="hubungi panitia"):
            decisions.cancel_own(r, db.session.get(User, full_class["owner"].id))


def test_the_cancel_button_is_gone_and_a_post_is_refused_after_the_start(app, client, full_class, clock) -> None:
    from tests.conftest import login

    login(client, full_class["owner"].email)
    before = client.get("/pendaftaran-saya").get_data(as_text=True)
    assert "Batalkan pendaftaran" in before
    clock(_class_day(app, full_class["class_id"], day=2))  # the class is running
    page = client.get("/pendaftaran-saya").get_data(as_text=True)
    assert "Batalkan pendaftaran" not in page
    assert "tidak dapat dibatalkan lagi" in page
    assert "panitia@sibimtek.id" in page
    clock(_class_day(app, full_class["class_id"], day=5))  # the class has finished: nothing to cancel, nothing to say
    page = client.get("/pendaftaran-saya").get_data(as_text=True)
    assert "Batalkan pendaftaran" not in page
    assert "berhalangan hadir" not in page
    rid = full_class["ids"][0]
    mails = len(outbox(app))
    response = client.post(
        f"/pendaftaran-saya/{rid}/batal",
        data={"csrf_token": csrf_token(client, "/pendaftaran-saya")},
        follow_redirects=True,
    )
    assert "Kelas sudah dimulai" in response.get_data(as_text=True)
    assert status_of(app, rid) == "approved"
    assert status_of(app, full_class["ids"][2]) == "waitlisted"  # nobody promoted into a past class
    assert len(outbox(app)) == mails


def test_the_waiting_list_is_never_promoted_once_the_class_has_started(app, full_class, make_user, clock) -> None:
    organiser = make_user(Role.ORGANISER)
    clock(_class_day(app, full_class["class_id"], day=1, hour=9))
    with app.app_context(), app.test_request_context():
        promoted = decisions.cancel(
            db.session.get(Registration, full_class["ids"][1]), db.session.get(User, organiser.id), "Tidak hadir"
        )
        db.session.commit()
    assert promoted == []
    assert status_of(app, full_class["ids"][2]) == "waitlisted"
    assert not [m for m in outbox(app) if m.subject.startswith("Kursi tersedia")]


def test_approving_after_the_start_needs_an_explicit_override_with_a_reason(app, full_class, make_user, clock) -> None:
    organiser = make_user(Role.ORGANISER)
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, full_class["class_id"])
        c.capacity = 3
        db.session.commit()
    clock(_class_day(app, full_class["class_id"], day=1, hour=11))
    with app.app_context(), app.test_request_context():
        r = db.session.get(Registration, full_class["ids"][2])
        by = db.session.get(User, organiser.id)
        with pytest.raises(ClassStarted, match="alasannya"):
            decisions.approve(r, by)
        decisions.approve(r, by, override_reason="Pengganti peserta yang sakit, disetujui Kepala Pusat")
        db.session.commit()
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.object_type == "registrations", AuditEntry.action == "override")
        )
        assert entry.user_id == organiser.id
        assert "Pengganti peserta" in entry.changes["approved"][1]
    assert status_of(app, full_class["ids"][2]) == "approved"


def test_the_override_is_offered_on_the_organisers_pages_and_works(app, client, login_as, full_class, clock) -> None:
    login_as(Role.ORGANISER)
    with app.app_context():
        db.session.get(TrainingClass, full_class["class_id"]).capacity = 3
        db.session.commit()
    clock(_class_day(app, full_class["class_id"], day=2))
    waiting = full_class["ids"][2]
    page = client.get(f"/kelola/pendaftar/{waiting}").get_data(as_text=True)
    assert "Keputusan setelah kelas dimulai" in page
    token = csrf_token(client, f"/kelola/pendaftar/{waiting}")
    refused = client.post(
        "/kelola/pendaftar/keputusan",
        data={"csrf_token": token, "ids": waiting, "action": "approve", "next": "/"},
        follow_redirects=True,
    )
    assert "sudah dimulai" in refused.get_data(as_text=True)
    assert status_of(app, waiting) == "waitlisted"
    client.post(
        "/kelola/pendaftar/keputusan",
        data={
            "csrf_token": token,
            "ids": waiting,
            "action": "approve",
            "override": "y",
            "reason": "Pengganti peserta yang sakit",
            "next": "/",
        },
    )
    assert status_of(app, waiting) == "approved"


def test_moving_into_or_out_of_a_started_class_needs_an_override(app, full_class, open_class, make_user, clock) -> None:
    organiser = make_user(Role.ORGANISER)
    other = open_class(capacity=5, name="Kelas lain")
    clock(_class_day(app, full_class["class_id"], day=2))
    with app.app_context(), app.test_request_context():
        r = db.session.get(Registration, full_class["ids"][1])
        target = db.session.get(TrainingClass, other)
        by = db.session.get(User, organiser.id)
        with pytest.raises(ClassStarted):
            decisions.move(r, target, by)
        decisions.move(r, target, by, override_reason="Salah kelas sejak awal")
        db.session.commit()
    with app.app_context():
        assert db.session.get(Registration, full_class["ids"][1]).class_id == other
    assert status_of(app, full_class["ids"][2]) == "waitlisted"  # the freed seat in the started class stays free


def test_the_register_page_refuses_before_the_form_is_filled(app, client, login_as, open_class, clock) -> None:
    login_as(Role.PARTICIPANT)
    class_id = open_class()
    assert 'name="nik"' in client.get(f"/katalog/{class_id}/daftar").get_data(as_text=True)
    with app.app_context():
        closes = db.session.get(TrainingClass, class_id).registration_closes_at
    clock(closes + timedelta(minutes=1))
    response = client.get(f"/katalog/{class_id}/daftar", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == f"/katalog/{class_id}"
    assert 'name="nik"' not in page
    assert "Pendaftaran sudah ditutup." in page


def test_a_manual_waitlist_with_free_seats_says_so_in_the_mail_and_to_the_organiser(
    app, client, login_as, open_class, register
) -> None:
    from app.programmes.models import ApprovalMode

    class_id = open_class(capacity=10, approval_mode=ApprovalMode.MODERATED)
    rid = register(class_id, 1)
    login_as(Role.ORGANISER)
    token = csrf_token(client, f"/kelola/pendaftar/{rid}")
    client.post(
        "/kelola/pendaftar/keputusan",
        data={
            "csrf_token": token,
            "ids": rid,
            "action": "waitlist",
            "reason": "Menunggu surat tugas dari dinas",
            "next": "/",
        },
    )
    assert status_of(app, rid) == "waitlisted"
    mail = outbox(app)[-1]
    assert "penuh" not in mail.body
    assert "Panitia menempatkan pendaftaran Anda di daftar tunggu" in mail.body
    assert "Menunggu surat tugas dari dinas" in mail.body
    page = client.get(f"/kelola/pendaftar/{rid}").get_data(as_text=True)
    assert "Masih ada kursi untuk pendaftar ini" in page
    listing = client.get(f"/kelola/kelas/{class_id}/pendaftar").get_data(as_text=True)
    assert "oleh panitia" in listing


def test_a_waitlist_for_a_full_province_quota_names_that_reason(app, open_class, register) -> None:
    class_id = open_class(capacity=3, provinces={"51": 2, "52": 1})
    register(class_id, 1, province="52")
    rid = register(class_id, 2, province="52")
    assert status_of(app, rid) == "waitlisted"
    assert "dipesan untuk peserta dari provinsi lain" in outbox(app)[-1].body


def test_the_catalogue_follows_the_calendar(app, client, open_class, clock) -> None:
    class_id = open_class(capacity=46, name="Kelas Denpasar")
    page = client.get("/katalog").get_data(as_text=True)
    assert "Mendaftar" in page
    assert "46 kursi tersisa" in page
    assert "Pendaftaran dibuka sampai" in page
    with app.app_context():
        closes = db.session.get(TrainingClass, class_id).registration_closes_at
    clock(closes + timedelta(hours=1))  # after the window, before the class
    page = client.get("/katalog").get_data(as_text=True)
    assert "Kelas Denpasar" in page
    assert "Pendaftaran sudah ditutup." in page
    assert "Mendaftar<" not in page.replace("\n", "").replace(" ", "")
    clock(_class_day(app, class_id, day=2))
    page = client.get("/katalog").get_data(as_text=True)
    assert "Berlangsung" in page
    assert "kursi tersisa" not in page
    class_page = client.get(f"/katalog/{class_id}").get_data(as_text=True)
    assert "kursi tersisa" not in class_page
    assert "Daftar ke kelas ini" not in class_page
    clock(_class_day(app, class_id, day=6))  # finished: gone from the catalogue, its page shows no seats
    assert "Kelas Denpasar" not in client.get("/katalog").get_data(as_text=True)
    class_page = client.get(f"/katalog/{class_id}").get_data(as_text=True)
    assert "Kelas sudah selesai." in class_page
    assert "kursi tersisa" not in class_page


def test_the_stored_status_is_only_the_organisers_intent(app, open_class, clock) -> None:
    class_id = open_class()
    clock(_class_day(app, class_id, day=10))
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        assert c.status is ClassStatus.REGISTRATION_OPEN
        assert c.state is ClassStatus.FINISHED


def test_waiting_people_of_a_started_class_are_told_they_will_not_get_a_seat(
    app, client, full_class, make_user, register, clock
) -> None:
    from tests.conftest import login

    waiting_user = make_user(Role.PARTICIPANT)
    rid = register(full_class["class_id"], 9, user=waiting_user)
    assert status_of(app, rid) == "waitlisted"
    login(client, waiting_user.email)
    assert "Posisi di daftar tunggu: 2" in client.get("/pendaftaran-saya").get_data(as_text=True)
    clock(_class_day(app, full_class["class_id"], day=2))
    page = client.get("/pendaftaran-saya").get_data(as_text=True)
    assert "Posisi di daftar tunggu" not in page
    assert "kursi tidak lagi diberikan dari daftar tunggu" in page
    with app.app_context():
        assert db.session.get(Registration, rid).status is RegistrationStatus.WAITLISTED


def test_cancelling_before_the_start_still_promotes(app, client, full_class) -> None:
    from tests.conftest import login

    login(client, full_class["owner"].email)
    rid = full_class["ids"][0]
    client.post(f"/pendaftaran-saya/{rid}/batal", data={"csrf_token": csrf_token(client, "/pendaftaran-saya")})
    assert status_of(app, rid) == "cancelled"
    assert status_of(app, full_class["ids"][2]) == "approved"


def test_the_catalogue_runs_the_same_statements_for_3_or_12_cards(app, client, open_class, count_queries) -> None:
    """A list page has a fixed query budget: no statement per card (seats, state, provinces)."""
    for n in range(3):
        open_class(name=f"Kelas {n}")
    with count_queries() as few:
        assert client.get("/katalog").status_code == 200
    for n in range(3, 12):
        open_class(name=f"Kelas {n}", regency_code="51.71" if n % 2 else "52.71")
    with count_queries() as many:
        page = client.get("/katalog").get_data(as_text=True)
    assert page.count("catalogue-card") == 12
    assert many.count == few.count
    assert many.count <= 10


def test_only_participants_see_the_register_button_on_an_open_class(client, login_as, open_class) -> None:
    class_id = open_class()
    login_as(Role.PARTICIPANT)
    assert "Daftar ke kelas ini" in client.get(f"/katalog/{class_id}").get_data(as_text=True)
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    # From a new user's trial: staff saw the button and got "Akses ditolak" behind it.
    login_as(Role.ORGANISER)
    page = client.get(f"/katalog/{class_id}").get_data(as_text=True)
    assert "Daftar ke kelas ini" not in page
    assert f"/kelola/kelas/{class_id}/impor-nominasi" in page
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    for role in (Role.FACILITATOR, Role.COORDINATOR):
        login_as(role)
        page = client.get(f"/katalog/{class_id}").get_data(as_text=True)
        assert "Daftar ke kelas ini" not in page
        assert "impor-nominasi" not in page
        client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
