"""A participant account registers its own holder, once per programme, with its own address;
registration submits are rate-limited; a NIK's status in a programme is never learned from a form
that was not valid anyway, and the refusal confirms nothing (issue #12, items 4 and 5)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.roles import Role
from app.errors import AccountAlreadyRegistered, NikUnavailable, NotServed
from app.extensions import db
from app.libraries import services as libraries
from app.libraries.models import LibraryType
from app.programmes.models import TrainingClass
from app.registration import accounts, decisions, submission
from app.registration.models import Registration
from tests.conftest import csrf_token, login, outbox, submit
from tests.fixtures_registration import make_nik, person
from tests.registration.test_views import _form

TAKEN_NIK_MESSAGE = "NIK ini tidak dapat didaftarkan ke program ini. Jika NIK ini milik Anda, ajukan klaim ke panitia."


def _count(app, **where: object) -> int:
    with app.app_context():
        query = select(func.count()).select_from(Registration)
        for column, value in where.items():
            query = query.where(getattr(Registration, column) == value)
        return db.session.scalar(query)


# --- item 4: one account, its own holder, once per programme -------------------------------------------


def test_a_second_registration_in_the_programme_from_one_account_is_refused(
    app, client, login_as, open_class, library
) -> None:
    me = login_as(Role.PARTICIPANT)
    first, second = open_class(capacity=10), open_class(capacity=10, name="Kelas Kedua")
    token = csrf_token(client, f"/katalog/{first}/daftar")
    assert (
        client.post(f"/katalog/{first}/daftar", data={"csrf_token": token, **_form(library("52"))}).status_code == 302
    )
    # a fictitious second person from the same account, into another class of the programme
    other_person = _form(library("52"), full_name="Orang Lain", nik=make_nik("52", 77), gender="L")
    response = client.post(
        f"/katalog/{second}/daftar", data={"csrf_token": token, **other_person}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Anda sudah terdaftar di program ini (Kelas Bali – NTB, disetujui)" in page
    assert "Untuk mendaftarkan orang lain, hubungi panitia atau koordinator provinsi" in page
    assert _count(app, user_id=me.id) == 1
    assert _count(app) == 1
    # the form itself is not offered again either
    again = client.get(f"/katalog/{second}/daftar")
    assert again.status_code == 302
    assert again.headers["Location"].endswith("/pendaftaran-saya")
    # nor its button: the class pages of the programme show what the account holds (from a trial)
    for class_id in (first, second):
        page = client.get(f"/katalog/{class_id}").get_data(as_text=True)
        assert "Daftar ke kelas ini" not in page
        assert "Anda sudah terdaftar di program ini: Kelas Bali – NTB (disetujui)." in page
        assert 'href="/pendaftaran-saya"' in page


def test_a_full_class_says_that_new_registrations_wait(app, client, login_as, open_class, register) -> None:
    class_id = open_class(capacity=1)
    register(class_id, 1)
    login_as(Role.PARTICIPANT)
    page = client.get(f"/katalog/{class_id}").get_data(as_text=True)
    assert "Kursi sudah penuh." in page
    assert "Daftar ke daftar tunggu" in page
    assert "Daftar ke kelas ini" not in page
    assert "Kursi penuh: pendaftar baru masuk daftar tunggu." in client.get("/katalog").get_data(as_text=True)


def test_the_service_keeps_one_active_registration_per_account_per_programme(
    app, open_class, register, make_user
) -> None:
    owner = make_user(Role.PARTICIPANT)
    class_id, other_class = open_class(capacity=10), open_class(capacity=10, name="Kelas Kedua")
    first = register(class_id, 1, user=owner)
    with pytest.raises(AccountAlreadyRegistered, match="Satu akun hanya untuk mendaftarkan pemiliknya sendiri"):
        register(other_class, 2, user=owner)
    assert _count(app, user_id=owner.id) == 1
    with app.app_context(), app.test_request_context():
        decisions.cancel_own(db.session.get(Registration, first), db.session.get(User, owner.id))
        db.session.commit()
    register(other_class, 2, user=owner)  # after cancelling, the account may register again
    assert _count(app, user_id=owner.id) == 2


def test_the_database_refuses_two_active_registrations_of_one_account(app, open_class, register, make_user) -> None:
    owner = make_user(Role.PARTICIPANT)
    rid = register(open_class(capacity=10), 1, user=owner)
    with app.app_context():
        original = db.session.get(Registration, rid)
        twin = Registration(
            **{
                c.name: getattr(original, c.name) for c in Registration.__table__.columns if c.name not in ("id", "nik")
            },
            nik=make_nik("52", 2),
        )
        db.session.add(twin)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_the_registration_carries_the_accounts_email_whatever_is_posted(
    app, client, login_as, open_class, library
) -> None:
    me = login_as(Role.PARTICIPANT, full_name="Baiq Nurul Hidayati")
    class_id = open_class()
    form_page = client.get(f"/katalog/{class_id}/daftar").get_data(as_text=True)
    assert 'name="email"' not in form_page  # shown, read-only, never a field of the form
    assert f'value="{me.email}" readonly' in form_page
    assert 'value="Baiq Nurul Hidayati"' in form_page  # the name starts from the account
    response = submit(client, f"/katalog/{class_id}/daftar", _form(library("52"), email="korban@contoh.id"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Registration.email)) == me.email
    mails = outbox(app)
    assert [m.recipient for m in mails] == [me.email]
    assert "korban@contoh.id" not in {m.recipient for m in mails}


def test_a_correction_keeps_the_accounts_email(app, client, login_as, open_class, register) -> None:
    me = login_as(Role.PARTICIPANT)
    rid = register(open_class(), 1, user=me)
    response = submit(
        client,
        f"/pendaftaran-saya/{rid}/perbaiki",
        {
            "full_name": "Peserta 0001",
            "nik": "",
            "gender": "L",
            "birth_place": "Mataram",
            "birth_date": "1990-08-05",
            "position": "Pustakawan",
            "employment_status": "honorer",
            "email": "korban@contoh.id",
            "whatsapp": "081200000001",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Registration, rid).email == me.email


def test_nominating_an_account_that_already_holds_a_registration_is_a_row_error(
    app, client, login_as, make_user, open_class, library, register
) -> None:
    """Organisers still register others; an account still ends with one registration per programme."""
    from tests.registration.test_nominees import _import, _row

    holder = make_user(Role.PARTICIPANT, email="ani@perpusdes.id")
    class_id = open_class(capacity=10)
    with app.app_context(), app.test_request_context():  # registered before the account took this address
        r = db.session.get(Registration, register(class_id, 1, user=holder))
        r.email = "ani.lama@perpusdes.id"
        db.session.commit()
    login_as(Role.ORGANISER)
    page = _import(client, class_id, [_row("Ani", "ani@perpusdes.id", 2, library("52"))]).get_data(as_text=True)
    assert "email: Akun dengan email ini sudah memiliki pendaftaran aktif di program ini." in page
    assert _count(app) == 1
    ok = _import(client, class_id, [_row("Budi", "budi@perpusdes.id", 3, library("52"))])
    assert ok.status_code == 302  # nominating others works as before
    assert _count(app) == 2


def test_an_address_is_linked_to_its_account_only_where_the_account_holds_nothing(
    app, open_class, register, make_user
) -> None:
    owner = make_user(Role.PARTICIPANT, email="made@perpusdes.id")
    class_id = open_class(capacity=10)
    own = register(class_id, 1, user=owner)
    loose = register(class_id, 2, email="made.kantor@perpusdes.id")  # nominated without an account
    with app.app_context(), app.test_request_context():
        db.session.get(Registration, loose).email = "made@perpusdes.id"
        user = db.session.get(User, owner.id)
        assert accounts.link_registrations(user) == 0
        db.session.commit()
        assert db.session.get(Registration, loose).user_id is None
        assert db.session.get(Registration, own).user_id == owner.id


# --- item 4: rate limits --------------------------------------------------------------------------------


def _taken_nik(app, class_id: int, register) -> str:
    """The NIK of somebody else's registration in the class: submitting it reaches the NIK check."""
    with app.app_context():
        return db.session.get(Registration, register(class_id, 77)).nik


def test_registration_submits_are_limited_per_account(
    app, client, login_as, open_class, library, register, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "REGISTRATION_LIMIT_PER_ACCOUNT", "3 per hour")
    login_as(Role.PARTICIPANT)
    class_id = open_class()
    taken = _taken_nik(app, class_id, register)
    url = f"/katalog/{class_id}/daftar"
    token = csrf_token(client, url)
    for _ in range(5):  # forms with mistakes do not count: they never reach the NIK check
        assert client.post(url, data={"csrf_token": token, **_form(library("52"), nik="123")}).status_code == 200
    for _ in range(3):  # each try of a NIK does
        assert client.post(url, data={"csrf_token": token, **_form(library("52"), nik=taken)}).status_code == 200
    refused = client.post(url, data={"csrf_token": token, **_form(library("52"))})
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "Terlalu banyak percobaan" in text
    assert re.search(r"Coba lagi dalam (59|60|61) menit", text)  # the real wait, not "a few minutes"
    assert _count(app) == 1  # only the other person's
    assert client.get(url).status_code == 200  # reading the form is not limited
    claim = client.post(f"/katalog/{class_id}/klaim-nik", data={"csrf_token": token})
    assert claim.status_code == 429  # the claim form counts with the registration form


def test_registration_submits_are_limited_per_address(
    app, client, make_user, open_class, library, register, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "REGISTRATION_LIMIT_PER_ADDRESS", "3 per hour")
    class_id = open_class()
    taken = _taken_nik(app, class_id, register)
    url = f"/katalog/{class_id}/daftar"
    login(client, make_user(Role.PARTICIPANT).email)
    token = csrf_token(client, url)
    for _ in range(2):
        assert client.post(url, data={"csrf_token": token, **_form(library("52"), nik=taken)}).status_code == 200
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    login(client, make_user(Role.PARTICIPANT).email)  # another account behind the same address
    token = csrf_token(client, url)
    assert client.post(url, data={"csrf_token": token, **_form(library("52"), nik=taken)}).status_code == 200
    response = client.post(url, data={"csrf_token": token, **_form(library("52"))})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.get_data(as_text=True)
    assert _count(app) == 1


# --- item 5: the NIK oracle ----------------------------------------------------------------------------


def test_a_registered_nik_is_not_revealed_by_a_form_with_other_problems(
    app, client, login_as, open_class, library, register
) -> None:
    class_id = open_class()
    register(class_id, 1)  # someone else holds this NIK in the programme
    login_as(Role.PARTICIPANT)
    url = f"/katalog/{class_id}/daftar"
    probe = _form(library("52"), nik=make_nik("52", 1), whatsapp="123", position="")
    del probe["consent"]
    page = submit(client, url, probe).get_data(as_text=True)
    # every problem of the form at once, and nothing about the NIK
    assert "Nomor WhatsApp tidak valid" in page
    assert "Jabatan wajib diisi." in page
    assert "Anda perlu menyetujui Pemberitahuan Privasi" in page
    assert "NIK ini" not in page
    assert "klaim-nik" not in page


def test_a_registered_nik_is_refused_without_confirming_it_and_points_to_a_claim(
    app, client, login_as, open_class, library, register
) -> None:
    class_id = open_class()
    register(class_id, 1)
    login_as(Role.PARTICIPANT)
    page = submit(client, f"/katalog/{class_id}/daftar", _form(library("52"), nik=make_nik("52", 1))).get_data(
        as_text=True
    )
    assert TAKEN_NIK_MESSAGE in page
    assert "sudah terdaftar" not in page
    assert f'href="/katalog/{class_id}/klaim-nik"' in page
    assert _count(app) == 1


def test_the_service_checks_a_nik_only_once_everything_else_is_valid(app, open_class, register, library) -> None:
    class_id = open_class(provinces={"52": None})
    register(class_id, 1)
    outside = libraries.LibraryData(
        name="Perpustakaan Desa Jauh", type=LibraryType.DESA_KELURAHAN, regency_code="32.73"
    )
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, class_id)
        with pytest.raises(NotServed):  # the library is the problem; the NIK is not even looked at
            submission.submit(
                c,
                submission.RegistrationData(person=person(1), consent_version="tes", proposed_library=outside),
                user=None,
            )
        db.session.rollback()
        with pytest.raises(NikUnavailable):
            submission.submit(
                c,
                submission.RegistrationData(person=person(1), consent_version="tes", library_id=library("52")),
                user=None,
            )
        db.session.rollback()


def test_a_correction_to_a_registered_nik_is_refused_the_same_way(app, client, login_as, open_class, register) -> None:
    from app.programmes.models import ApprovalMode

    class_id = open_class(approval_mode=ApprovalMode.MODERATED)
    register(class_id, 1)
    me = login_as(Role.PARTICIPANT)
    rid = register(class_id, 2, user=me)
    data = {
        "full_name": "Peserta 0002",
        "nik": make_nik("52", 1),
        "gender": "L",
        "birth_place": "Mataram",
        "birth_date": "1990-08-05",
        "position": "",
        "employment_status": "honorer",
        "whatsapp": "081200000002",
    }
    page = submit(client, f"/pendaftaran-saya/{rid}/perbaiki", data).get_data(as_text=True)
    assert "Jabatan wajib diisi." in page
    assert "NIK ini" not in page
    page = submit(client, f"/pendaftaran-saya/{rid}/perbaiki", {**data, "position": "Pustakawan"}).get_data(
        as_text=True
    )
    assert TAKEN_NIK_MESSAGE in page
    assert f'href="/katalog/{class_id}/klaim-nik"' in page
    with app.app_context():
        assert db.session.get(Registration, rid).nik == make_nik("52", 2)


def test_a_draft_class_does_not_exist_for_the_registration_form(app, client, open_class, make_user) -> None:
    from app.programmes.models import ClassStatus

    class_id = open_class()
    with app.app_context():
        db.session.get(TrainingClass, class_id).status = ClassStatus.DRAFT
        db.session.commit()
    login(client, make_user(Role.PARTICIPANT).email)
    # From an attacker's trial: a redirect with "Kelas belum diumumkan." told a draft's id existed.
    for url in (f"/katalog/{class_id}", f"/katalog/{class_id}/daftar", f"/katalog/{class_id}/klaim-nik"):
        assert client.get(url).status_code == 404, url
