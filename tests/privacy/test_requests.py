"""Data-subject requests (UU PDP): filed from the account, answered by organisers within 3 × 24 hours,
late ones marked; the requester follows their own requests only."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core.roles import Role
from app.extensions import db
from app.privacy import services
from app.privacy.models import DataRequest, DataRequestKind, DataRequestStatus
from tests.conftest import csrf_token, login, outbox, submit

FILED = "2027-05-22T10:00+08:00"  # a Saturday morning in Mataram (WITA)


def _file(client, kind: str = "correction", details: str = "Tanggal lahir saya tertulis 5 Agustus, seharusnya 15."):
    return submit(client, "/akun/permintaan-data", {"kind": kind, "details": details})


def _request(app, request_id: int | None = None) -> DataRequest:
    with app.app_context():
        found = db.session.get(DataRequest, request_id) if request_id else db.session.scalar(select(DataRequest))
        db.session.expunge_all()
        return found


def _sign_in(client, email: str) -> None:
    """Sign out whoever is signed in, then sign in as `email` (a fresh session after the clock moved)."""
    if client.get("/akun").status_code == 200:
        client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    assert login(client, email).status_code == 302


def _answer(client, request_id: int, status: str, text: str, **kwargs: object):
    return submit(client, f"/kelola/permintaan-data/{request_id}", {"status": status, "answer": text}, **kwargs)


# --- filing -------------------------------------------------------------------------------------------------


def test_a_person_files_a_request_and_the_deadline_is_3_x_24_hours(app, client, login_as, clock) -> None:
    filed_at = clock(FILED)
    me = login_as(Role.PARTICIPANT, full_name="Baiq Nurul Aini")
    response = _file(client)
    assert response.status_code == 302
    request = _request(app)
    assert (request.user_id, request.kind, request.status) == (
        me.id,
        DataRequestKind.CORRECTION,
        DataRequestStatus.RECEIVED,
    )
    assert request.received_at == filed_at
    assert request.due_at == filed_at + timedelta(hours=72)
    assert response.headers["Location"] == f"/akun/permintaan-data/{request.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Diterima" in page
    assert "25 Mei 2027 09.00 WIB" in page  # 22 May 10.00 WITA + 72 h, shown in WIB
    receipt, notice = outbox(app)[-2:]
    assert receipt.recipient == me.email
    assert "25 Mei 2027 09.00 WIB" in receipt.body
    assert f"/akun/permintaan-data/{request.id}" in receipt.body
    assert notice.recipient == app.config["SUPPORT_EMAIL"]
    assert f"/kelola/permintaan-data/{request.id}" in notice.body
    assert me.email not in notice.body  # the organisers' mailbox gets the link, not the person


def test_the_form_reports_every_problem_at_once(app, client, login_as) -> None:
    login_as(Role.PARTICIPANT)
    page = submit(client, "/akun/permintaan-data", {"details": ""}).get_data(as_text=True)
    assert "Pilih jenis permintaan." in page
    assert "Tuliskan rincian permintaan Anda." in page
    page = _file(client, kind="everything", details="x" * 2001).get_data(as_text=True)
    assert "Pilihan tidak valid." in page or "bukan pilihan yang valid" in page
    assert "Rincian 10 sampai 2.000 karakter." in page
    assert _request(app) is None


@pytest.mark.parametrize("kind", ["access", "correction", "deletion"])
def test_each_kind_of_request_can_be_filed(app, client, login_as, kind) -> None:
    login_as(Role.PARTICIPANT)
    assert _file(client, kind=kind).status_code == 302
    assert _request(app).kind.value == kind


def test_the_account_and_privacy_pages_lead_to_the_requests(client, login_as) -> None:
    login_as(Role.PARTICIPANT)
    for url in ("/akun", "/privasi", "/data-saya"):
        assert 'href="/akun/permintaan-data"' in client.get(url).get_data(as_text=True), url


def test_filing_needs_an_account(client) -> None:
    response = client.get("/akun/permintaan-data")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


# --- whose requests ------------------------------------------------------------------------------------------


def test_a_requester_sees_only_their_own_requests(app, client, login_as, make_user) -> None:
    other = make_user(Role.PARTICIPANT)
    with app.app_context():
        theirs = services.file_request(
            db.session.get(User, other.id), DataRequestKind.DELETION, "Hapus semua data saya dari Sibimtek."
        )
        db.session.commit()
        theirs_id = theirs.id
    login_as(Role.PARTICIPANT)
    _file(client, details="Nama saya kurang gelar S.Pd.")
    mine = client.get("/akun/permintaan-data").get_data(as_text=True).split('id="my-requests"')[1]
    assert "Perbaikan data" in mine
    assert "Penghapusan data" not in mine
    assert mine.count("/akun/permintaan-data/") == 1
    assert client.get(f"/akun/permintaan-data/{theirs_id}").status_code == 404
    assert client.get("/akun/permintaan-data/99999999999999999999").status_code == 404


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.COORDINATOR, Role.FACILITATOR])
def test_only_organisers_and_admins_see_and_answer_requests(app, client, login_as, make_user, role) -> None:
    with app.app_context():
        request = services.file_request(
            db.session.get(User, make_user().id), DataRequestKind.ACCESS, "Data apa saja yang disimpan?"
        )
        db.session.commit()
        request_id = request.id
    login_as(role)
    assert client.get("/kelola/permintaan-data").status_code == 403
    assert client.get(f"/kelola/permintaan-data/{request_id}").status_code == 403
    token = csrf_token(client, "/akun")
    response = client.post(
        f"/kelola/permintaan-data/{request_id}", data={"csrf_token": token, "status": "done", "answer": "Selesai."}
    )
    assert response.status_code == 403
    assert _request(app).status is DataRequestStatus.RECEIVED


# --- answering ----------------------------------------------------------------------------------------------


def test_the_lifecycle_received_in_progress_done(app, client, make_user, clock) -> None:
    clock(FILED)
    person = make_user(Role.PARTICIPANT, full_name="Baiq Nurul Aini")
    organiser = make_user(Role.ORGANISER, full_name="Rina Panitia")
    _sign_in(client, person.email)
    _file(client)
    request_id = _request(app).id

    clock("2027-05-22T15:00+08:00")
    _sign_in(client, organiser.email)
    listing = client.get("/kelola/permintaan-data").get_data(as_text=True)
    assert "Baiq Nurul Aini" in listing
    assert "Perbaikan data" in listing
    page = client.get(f"/kelola/permintaan-data/{request_id}").get_data(as_text=True)
    assert "Tanggal lahir saya tertulis 5 Agustus" in page
    done = _answer(client, request_id, "in_progress", "Kami periksa dengan dinas Anda.", follow_redirects=True)
    assert "Jawaban tersimpan dan dikirim ke pemohon." in done.get_data(as_text=True)
    request = _request(app, request_id)
    assert (request.status, request.answered_by_id, request.closed_at) == (
        DataRequestStatus.IN_PROGRESS,
        organiser.id,
        None,
    )
    mail = outbox(app)[-1]
    assert (mail.recipient, "Diproses" in mail.subject) == (person.email, True)
    assert "Kami periksa dengan dinas Anda." in mail.body

    closed_at = clock("2027-05-23T09:00+08:00")
    _sign_in(client, organiser.email)  # the next morning, a new sign-in
    _answer(client, request_id, "done", "Tanggal lahir sudah diperbaiki menjadi 15 Agustus 1990.")
    request = _request(app, request_id)
    assert (request.status, request.closed_at, request.closed_late) == (DataRequestStatus.DONE, closed_at, False)
    assert "Selesai" in outbox(app)[-1].subject
    # Closed: no further answer, and the form is gone.
    again = _answer(client, request_id, "refused", "Berubah pikiran.", follow_redirects=True).get_data(as_text=True)
    assert "sudah selesai atau ditolak" in again
    assert _request(app, request_id).status is DataRequestStatus.DONE
    assert "Kirim jawaban" not in client.get(f"/kelola/permintaan-data/{request_id}").get_data(as_text=True)

    _sign_in(client, person.email)
    mine = client.get(f"/akun/permintaan-data/{request_id}").get_data(as_text=True)
    assert "Selesai" in mine
    assert "Tanggal lahir sudah diperbaiki menjadi 15 Agustus 1990." in mine


def test_an_answer_needs_a_status_it_may_take_and_a_text(app, client, login_as, make_user) -> None:
    with app.app_context():
        request = services.file_request(
            db.session.get(User, make_user().id), DataRequestKind.ACCESS, "Data apa saja yang disimpan?"
        )
        db.session.commit()
        request_id = request.id
    login_as(Role.ORGANISER)
    page = _answer(client, request_id, "received", "").get_data(as_text=True)
    assert "Pilihan tidak valid." in page or "bukan pilihan yang valid" in page
    assert "Tuliskan jawaban untuk pemohon." in page
    assert _request(app).answer is None


def test_the_service_refuses_to_reopen_or_to_answer_received(app, make_user) -> None:
    person, organiser = make_user(), make_user(Role.ORGANISER)
    with app.app_context(), app.test_request_context():
        request = services.file_request(db.session.get(User, person.id), DataRequestKind.DELETION, "Hapus akun saya.")
        by = db.session.get(User, organiser.id)
        with pytest.raises(services.InvalidAnswer):
            services.answer(request, DataRequestStatus.RECEIVED, "Diterima.", by)
        services.answer(request, DataRequestStatus.REFUSED, "Sertifikat Anda harus tetap dapat diverifikasi.", by)
        assert request.closed_at is not None
        with pytest.raises(services.RequestClosed):
            services.answer(request, DataRequestStatus.DONE, "Sudah.", by)


# --- deadlines ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "overdue"),
    [
        (timedelta(hours=71, minutes=59, seconds=59), False),  # before the deadline
        (timedelta(hours=72), False),  # at it: still in time
        (timedelta(hours=72, seconds=1), True),  # after it
    ],
)
def test_a_request_is_late_only_after_its_deadline(app, client, make_user, clock, after, overdue) -> None:
    filed_at = clock(FILED)
    with app.app_context(), app.test_request_context():
        request = services.file_request(
            db.session.get(User, make_user().id), DataRequestKind.CORRECTION, "Nama saya salah eja."
        )
        db.session.commit()
        request_id = request.id
    now = clock(filed_at + after)
    with app.app_context():
        request = db.session.get(DataRequest, request_id)
        assert request.is_overdue(now) is overdue
        assert services.open_counts() == services.OpenCounts(open=1, overdue=int(overdue))
        late_ids = [r.id for r in db.session.scalars(services.request_query("terlambat"))]
        assert late_ids == ([request_id] if overdue else [])
    login(client, make_user(Role.ORGANISER).email)
    listing = client.get("/kelola/permintaan-data").get_data(as_text=True)
    assert ("overdue-row" in listing) is overdue
    assert ("Melewati batas 3 × 24 jam</span>" in listing) is overdue
    home = client.get("/beranda").get_data(as_text=True)
    counter = re.search(r'id="overdue-data-requests" data-overdue="(\d+)"', home)
    assert counter
    assert counter.group(1) == str(int(overdue))


def test_answering_in_time_or_late_and_closed_requests_are_never_late(app, make_user, clock) -> None:
    person, organiser = make_user(), make_user(Role.ORGANISER)
    filed_at = clock(FILED)
    with app.app_context(), app.test_request_context():
        by = db.session.get(User, organiser.id)
        on_time = services.file_request(db.session.get(User, person.id), DataRequestKind.ACCESS, "Salinan data.")
        late = services.file_request(db.session.get(User, person.id), DataRequestKind.DELETION, "Hapus data.")
        clock(filed_at + timedelta(hours=10))
        services.answer(on_time, DataRequestStatus.DONE, "Silakan unduh di halaman data pribadi.", by)
        now = clock(filed_at + timedelta(hours=80))
        assert late.is_overdue(now)
        assert not on_time.is_overdue(now)
        services.answer(late, DataRequestStatus.DONE, "Data dihapus.", by)
        db.session.commit()
        assert (on_time.closed_late, late.closed_late, late.is_overdue(now)) == (False, True, False)
        assert services.open_counts() == services.OpenCounts(open=0, overdue=0)


def test_the_organisers_list_puts_the_most_urgent_first_and_filters(app, client, make_user, clock) -> None:
    person = make_user()
    start = clock(FILED)
    ids = []
    with app.app_context(), app.test_request_context():
        user = db.session.get(User, person.id)
        for hours, kind in ((0, DataRequestKind.DELETION), (5, DataRequestKind.ACCESS), (1, DataRequestKind.ACCESS)):
            clock(start + timedelta(hours=hours))
            ids.append(services.file_request(user, kind, f"Permintaan ke-{len(ids) + 1}.").id)
        db.session.commit()
    clock(start + timedelta(hours=74))  # the first (0 h) and the third (1 h) are late
    login(client, make_user(Role.ORGANISER).email)

    def listed(query: str = "") -> list[str]:
        page = client.get(f"/kelola/permintaan-data{query}").get_data(as_text=True)
        return re.findall(r"Permintaan ke-(\d)", page)

    assert listed() == ["1", "3", "2"]  # by deadline
    assert listed("?status=terlambat") == ["1", "3"]
    assert listed("?jenis=access") == ["3", "2"]
    assert listed("?status=selesai") == []
    assert listed("?status=apa&jenis=apa") == ["1", "3", "2"]  # unknown filters: the default list
    page = client.get("/kelola/permintaan-data").get_data(as_text=True)
    assert "3 terbuka, 2 melewati batas." in page


def test_the_lists_cost_the_same_for_2_or_30_requests(app, client, make_user, count_queries) -> None:
    people = [make_user() for _ in range(3)]
    organiser = make_user(Role.ORGANISER)

    def add(n: int) -> None:
        with app.app_context(), app.test_request_context():
            users = [db.session.get(User, p.id) for p in people]
            for i in range(n):
                services.file_request(users[i % 3], DataRequestKind.CORRECTION, f"Perbaikan nomor {i}.")
            db.session.commit()

    login(client, organiser.email)
    add(2)
    client.get("/kelola/permintaan-data")
    with count_queries() as few:
        client.get("/kelola/permintaan-data?status=semua")
    add(28)
    with count_queries() as many:
        page = client.get("/kelola/permintaan-data?status=semua").get_data(as_text=True)
    assert page.count('class="list-group-item list-group-item-action data-request') == 25
    assert many.count == few.count <= 9  # session user and roles, the open counts, a count, the page

    _sign_in(client, people[0].email)
    with count_queries() as mine:
        page = client.get("/akun/permintaan-data").get_data(as_text=True)
    assert page.count("/akun/permintaan-data/") == 11  # one of the first two, ten of the next 28
    assert mine.count <= 6


def test_an_answer_without_an_account_any_more_is_kept_and_mails_nobody(app, make_user) -> None:
    person, organiser = make_user(), make_user(Role.ORGANISER)
    with app.app_context(), app.test_request_context():
        request = services.file_request(db.session.get(User, person.id), DataRequestKind.DELETION, "Hapus akun.")
        db.session.commit()
        request_id = request.id
        db.session.delete(db.session.get(User, person.id))
        db.session.commit()
        mails = len(outbox(app))
        request = db.session.get(DataRequest, request_id)
        assert request.user_id is None
        services.answer(request, DataRequestStatus.DONE, "Akun dihapus.", db.session.get(User, organiser.id))
        db.session.commit()
    assert len(outbox(app)) == mails


def test_deadline_is_received_plus_72_hours() -> None:
    moment = datetime.fromisoformat("2027-05-22T10:00+08:00")
    assert services.deadline(moment) == datetime.fromisoformat("2027-05-25T10:00+08:00")


def test_a_full_nik_or_phone_typed_into_a_request_is_kept_masked(app, make_user) -> None:
    person = make_user()
    with app.app_context(), app.test_request_context():
        request = services.file_request(
            db.session.get(User, person.id),
            DataRequestKind.CORRECTION,
            "NIK saya 5271 0152 0390 0001 salah ketik, WA 0812-3456-7890. Kelas 2023.",
        )
        db.session.commit()
        assert request.details == "NIK saya 5271••••••••0001 salah ketik, WA 0812••••7890. Kelas 2023."
