"""Registration rules called directly: seats, quotas, waiting list, one NIK per programme."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import clock as app_clock
from app.auth.models import User
from app.core.roles import Role
from app.errors import (
    ClassFull,
    ClassHasRegistrations,
    DuplicateRegistration,
    NotServed,
    RegistrationClosed,
    ScheduleError,
)
from app.extensions import db
from app.libraries import proposals
from app.libraries.models import LibraryType
from app.mail.models import OutboxMessage
from app.privacy import rights
from app.programmes import services as planning
from app.programmes.models import ApprovalMode, ClassStatus, QuotaGroup, TrainingClass
from app.registration import decisions, notifications, queries, seats, submission
from app.registration.models import DeletionRequest, NameCorrection, Registration
from tests.fixtures_registration import person, status_of


def _reg(registration_id: int) -> Registration:
    return db.session.get(Registration, registration_id)


def _mails(subject_part: str) -> list[str]:
    return [
        m.recipient
        for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        if subject_part in m.subject
    ]


def test_auto_approval_fills_the_seats_then_waitlists_in_order(app, open_class, register) -> None:
    class_id = open_class(capacity=3, provinces={"52": None, "51": None})
    ids = [register(class_id, n) for n in range(1, 6)]
    assert [status_of(app, i) for i in ids] == ["approved"] * 3 + ["waitlisted"] * 2
    with app.app_context():
        assert seats.waitlist_position(_reg(ids[3])) == 1
        assert seats.waitlist_position(_reg(ids[4])) == 2
        assert _mails("disetujui") == [f"peserta{n}@perpusdes.id" for n in (1, 2, 3)]
        assert _mails("daftar tunggu") == ["peserta4@perpusdes.id", "peserta5@perpusdes.id"]


def test_moderated_classes_wait_for_an_organiser(app, open_class, register) -> None:
    class_id = open_class(capacity=1, approval_mode=ApprovalMode.MODERATED)
    first, second = register(class_id, 1), register(class_id, 2)
    assert status_of(app, first) == status_of(app, second) == "submitted"
    with app.app_context(), app.test_request_context():
        decisions.approve(_reg(first), by=None)
        with pytest.raises(ClassFull):
            decisions.approve(_reg(second), by=None)
        decisions.waitlist(_reg(second), by=None)
        db.session.commit()
    assert status_of(app, second) == "waitlisted"


def test_province_quotas_hold_reserved_seats(app, open_class, register) -> None:
    # 4 seats: 2 reserved for Bali, 1 for NTB, 1 common.
    class_id = open_class(capacity=4, provinces={"51": 2, "52": 1})
    ntb = [register(class_id, n, "52") for n in (1, 2, 3)]
    assert [status_of(app, i) for i in ntb] == ["approved", "approved", "waitlisted"]  # own seat + common seat
    bali = [register(class_id, n, "51") for n in (11, 12, 13)]
    assert [status_of(app, i) for i in bali] == ["approved", "approved", "waitlisted"]  # reserved seats held


def test_reserved_seats_fall_back_after_the_release_date(app, open_class, register) -> None:
    class_id = open_class(capacity=2, provinces={"51": 2, "52": None})
    first = register(class_id, 1, "52")
    assert status_of(app, first) == "waitlisted"  # both seats are Bali's
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, class_id)
        c.quota_release_date = date.today() - timedelta(days=1)
        db.session.commit()
        promoted = decisions.promote_waitlist(c)
        db.session.commit()
        assert [r.id for r in promoted] == [first]


def test_library_type_quotas(app, open_class, register) -> None:
    class_id = open_class(capacity=2, provinces={"52": None, "51": None}, type_quotas={QuotaGroup.PROVINSI: 1})
    village = [register(class_id, n) for n in (1, 2)]
    assert [status_of(app, i) for i in village] == ["approved", "waitlisted"]
    provincial = register(class_id, 3, library_type=LibraryType.PROVINSI)
    assert status_of(app, provincial) == "approved"


def test_a_cancellation_promotes_the_next_eligible_person_and_tells_them(app, open_class, register) -> None:
    class_id = open_class(capacity=2, provinces={"51": 1, "52": 1})
    ntb_1, bali_1 = register(class_id, 1, "52"), register(class_id, 2, "51")
    ntb_waiting, bali_waiting = register(class_id, 3, "52"), register(class_id, 4, "51")
    with app.app_context(), app.test_request_context():
        promoted = decisions.cancel(_reg(bali_1), by=None, reason="sakit")
        db.session.commit()
        # NTB's person waited longer, but the freed seat is Bali's reserved one.
        assert [r.id for r in promoted] == [bali_waiting]
        assert "peserta4@perpusdes.id" in _mails("Kursi tersedia")
    assert status_of(app, ntb_waiting) == "waitlisted"
    assert status_of(app, ntb_1) == "approved"


def test_rejecting_an_approved_person_promotes_from_the_waiting_list(app, open_class, register) -> None:
    class_id = open_class(capacity=1, provinces={"52": None, "51": None})
    first, second = register(class_id, 1), register(class_id, 2)
    with app.app_context(), app.test_request_context():
        decisions.reject(_reg(first), by=None, reason="Bukan staf perpustakaan")
        db.session.commit()
        assert _reg(first).decision_reason == "Bukan staf perpustakaan"
    assert status_of(app, second) == "approved"


def test_one_active_registration_per_nik_per_programme(app, open_class, register, make_class) -> None:
    class_id = open_class(capacity=5)
    other_class = open_class(capacity=5, name="Kelas Kedua")
    register(class_id, 1)
    with pytest.raises(DuplicateRegistration):
        register(other_class, 1)
    with pytest.raises(DuplicateRegistration):
        register(class_id, 1, full_name="Nama Lain")


def test_after_cancelling_the_same_nik_may_register_again(app, open_class, register) -> None:
    class_id = open_class(capacity=5)
    first = register(class_id, 1)
    with app.app_context(), app.test_request_context():
        decisions.cancel(_reg(first), by=None)
        db.session.commit()
    assert status_of(app, register(class_id, 1)) == "approved"


def test_the_database_refuses_two_active_rows_with_one_nik(app, open_class, register) -> None:
    from sqlalchemy.exc import IntegrityError

    class_id = open_class(capacity=5)
    first = register(class_id, 1)
    with app.app_context():
        original = _reg(first)
        twin = Registration(
            **{c.name: getattr(original, c.name) for c in Registration.__table__.columns if c.name != "id"}
        )
        db.session.add(twin)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_registration_window_and_status_are_enforced(app, open_class, register) -> None:
    class_id = open_class()
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        c.registration_closes_at = app_clock.now() - timedelta(minutes=1)
        db.session.commit()
    with pytest.raises(RegistrationClosed, match="sudah ditutup"):
        register(class_id, 1)
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        c.registration_closes_at = app_clock.now() + timedelta(days=1)
        c.status = ClassStatus.REGISTRATION_CLOSED
        db.session.commit()
    with pytest.raises(RegistrationClosed):
        register(class_id, 1)


def test_a_library_outside_the_served_provinces_is_refused(open_class, register) -> None:
    class_id = open_class(provinces={"52": None})
    with pytest.raises(NotServed):
        register(class_id, 1, province="32")


def test_bad_nik_is_refused_and_mismatch_only_warned(app, open_class, register) -> None:
    class_id = open_class()
    with pytest.raises(ScheduleError, match="16 digit"):
        register(class_id, 1, nik="12345")
    warned = register(class_id, 2, birth_date=date(1990, 8, 5), gender="P")  # NIK says a man
    with app.app_context():
        assert any("Jenis kelamin" in w for w in _reg(warned).data_warnings)


def test_proposed_library_is_created_with_the_registration(app, open_class) -> None:
    from app.libraries import services as libraries
    from app.libraries.models import Library, LibraryStatus

    class_id = open_class()
    with app.app_context(), app.test_request_context():
        r = submission.submit(
            db.session.get(TrainingClass, class_id),
            submission.RegistrationData(
                person=person(1),
                consent_version="tes",
                proposed_library=libraries.LibraryData(
                    name="Perpustakaan Desa Baru",
                    type=LibraryType.DESA_KELURAHAN,
                    regency_code="52.71",
                    district_code="52.71.01",
                    village_code="52.71.01.1004",
                ),
            ),
            user=None,
        )
        db.session.commit()
        assert r.library.status is LibraryStatus.PROPOSED
        assert r.quota_group is QuotaGroup.DESA_KELURAHAN
        target = libraries.create_library(
            libraries.LibraryData(
                name="Perpustakaan Kelurahan Ampenan", type=LibraryType.DESA_KELURAHAN, regency_code="52.71"
            ),
            status=LibraryStatus.VERIFIED,
            by=None,
        )
        assert proposals.merge_library(r.library, target) == 1
        db.session.commit()
        assert _reg(r.id).library_id == target.id
        assert (
            db.session.scalar(select(func.count()).select_from(Library).where(Library.status == LibraryStatus.PROPOSED))
            == 0
        )


def test_moving_keeps_quotas_and_promotes_in_the_old_class(app, open_class, register) -> None:
    full = open_class(capacity=1)
    roomy = open_class(capacity=1, name="Kelas Kedua")
    mover, waiting = register(full, 1), register(full, 2)
    blocker = register(roomy, 3)
    with app.app_context(), app.test_request_context():
        with pytest.raises(ClassFull):
            decisions.move(_reg(mover), db.session.get(TrainingClass, roomy), by=None)
        db.session.rollback()
        decisions.cancel(_reg(blocker), by=None)
        decisions.move(_reg(mover), db.session.get(TrainingClass, roomy), by=None)
        db.session.commit()
        assert _reg(mover).class_id == roomy
    assert status_of(app, mover) == "approved"
    assert status_of(app, waiting) == "approved"  # took the seat left behind


def test_cancelling_a_class_cancels_and_notifies_its_registrants(app, open_class, register) -> None:
    class_id = open_class(capacity=1)
    ids = [register(class_id, 1), register(class_id, 2)]
    with app.app_context(), app.test_request_context():
        planning.set_status(db.session.get(TrainingClass, class_id), ClassStatus.CANCELLED, by=None)
        db.session.commit()
        assert sorted(_mails("Kelas Bimtek dibatalkan")) == ["peserta1@perpusdes.id", "peserta2@perpusdes.id"]
    assert [status_of(app, i) for i in ids] == ["cancelled", "cancelled"]


def test_a_class_with_registrations_cannot_be_deleted(app, open_class, register) -> None:
    class_id = open_class()
    register(class_id, 1)
    with app.app_context(), app.test_request_context(), pytest.raises(ClassHasRegistrations):
        planning.delete_class(db.session.get(TrainingClass, class_id), by=None)


def test_capacity_cannot_go_below_seats_taken(app, open_class, register) -> None:
    class_id = open_class(capacity=3)
    for n in (1, 2, 3):
        register(class_id, n)
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, class_id)
        data = planning.class_data(c)
        data.capacity = 2
        data.registration_closes_at = data.registration_opens_at = None
        with pytest.raises(ScheduleError, match=r"sudah terisi \(3\)"):
            planning.update_class(c, data, by=None)


def test_reminders_go_once_three_days_before(app, open_class, register) -> None:
    class_id = open_class(capacity=2)
    register(class_id, 1)
    with app.app_context(), app.test_request_context():
        start = db.session.get(TrainingClass, class_id).start_date
        assert notifications.send_reminders(start - timedelta(days=4)) == 0
        assert notifications.send_reminders(start - timedelta(days=3)) == 1
        assert notifications.send_reminders(start - timedelta(days=2)) == 0
        db.session.commit()


def test_name_correction_after_approval_waits_for_an_organiser(app, open_class, register, make_user) -> None:
    owner = make_user(Role.PARTICIPANT)
    class_id = open_class()
    rid = register(class_id, 1, user=owner)
    with app.app_context(), app.test_request_context():
        me = db.session.get(User, owner.id)
        correction = rights.correct_data(_reg(rid), person(1, full_name="Peserta Satu, S.Pd.", position="Kepala"), me)
        db.session.commit()
        assert _reg(rid).full_name == "Peserta 0001"  # unchanged until accepted
        assert _reg(rid).position == "Kepala"
        rights.decide_name_correction(db.session.get(NameCorrection, correction.id), True, me)
        db.session.commit()
        assert _reg(rid).full_name == "Peserta Satu, S.Pd."


def test_export_and_deletion_of_my_data(app, open_class, register, make_user, make_class) -> None:
    owner = make_user(Role.PARTICIPANT)
    someone_else = register(open_class(name="Kelas Lain"), 99)
    class_id = open_class()
    mine = register(class_id, 1, user=owner)
    with app.app_context(), app.test_request_context():
        me = db.session.get(User, owner.id)
        exported = rights.export_my_data(me)
        assert [r["nik"] for r in exported["pendaftaran"]] == [_reg(mine).nik]
        outcome = rights.request_deletion(me)
        db.session.commit()
        assert outcome.erased == 1
        assert _reg(mine) is None
        assert _reg(someone_else) is not None


def test_deletion_after_the_class_started_goes_to_an_organiser(app, open_class, register, make_user) -> None:
    owner = make_user(Role.PARTICIPANT)
    rid = register(open_class(), 1, user=owner)
    with app.app_context(), app.test_request_context():
        me = db.session.get(User, owner.id)
        start = _reg(rid).training_class.start_date
        outcome = rights.request_deletion(me, today=start + timedelta(days=1))
        db.session.commit()
        assert outcome.erased == 0
        request = db.session.scalar(select(DeletionRequest))
        rights.decide_deletion(request, True, me)
        db.session.commit()
        assert _reg(rid) is None


def test_duplicates_are_detected(app, open_class, register) -> None:
    class_id = open_class(capacity=10)
    first = register(class_id, 1)
    with app.app_context(), app.test_request_context():
        decisions.cancel(_reg(first), by=None)
        db.session.commit()
    register(class_id, 1)  # same NIK again after cancelling
    register(class_id, 2, full_name="Peserta 0003")  # same name and birth date as #3, other NIK
    register(class_id, 3)
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        groups = queries.likely_duplicates(c.batch.programme_id)
        assert sorted(g.reason for g in groups) == ["NIK sama", "Nama dan tanggal lahir sama"]


def test_whatsapp_link_has_a_prepared_message(app, open_class, register) -> None:
    rid = register(open_class(), 1)
    with app.app_context(), app.test_request_context():
        link = notifications.whatsapp_link(_reg(rid))
        assert link.startswith("https://wa.me/6281200000001?text=Halo%20Peserta%200001")
