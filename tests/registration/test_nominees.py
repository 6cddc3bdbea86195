"""Nominated people are real participants: their registration belongs to their account by verified
email (linked at import, at verification, or when they set their password from the invitation)."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.auth.models import User
from app.core.roles import Role
from app.extensions import db
from app.registration.models import Registration
from tests.conftest import PASSWORD, csrf_token, link_in, login, outbox, submit
from tests.fixtures_registration import make_nik, person
from tests.registration.test_views import _nominations


def _row(name: str, email: str, serial: int, library_id: int) -> list[object]:
    return [
        name,
        make_nik("52", serial),
        "",
        "L",
        "Praya",
        "1990-08-05",
        "Pustakawan",
        "honorer",
        email,
        "081233334444",
        library_id,
    ]


def _import(client, class_id: int, rows: list[list[object]]):
    url = f"/kelola/kelas/{class_id}/impor-nominasi"
    return submit(client, url, {"file": (io.BytesIO(_nominations(rows)), "n.xlsx")}, content_type="multipart/form-data")


def _registration(app, email: str) -> Registration:
    with app.app_context():
        r = db.session.scalar(select(Registration).where(Registration.email == email))
        db.session.expunge(r)
        return r


def test_a_nominee_with_a_verified_account_sees_the_registration_at_once(
    app, client, login_as, make_user, open_class, library
) -> None:
    holder = make_user(Role.PARTICIPANT, email="baiq.nurul@perpusdes.id", full_name="Baiq Nurul Aini")
    class_id = open_class(capacity=5)
    login_as(Role.ORGANISER)
    assert (
        _import(client, class_id, [_row("Baiq Nurul Aini", "Baiq.Nurul@perpusdes.id", 1, library("52"))]).status_code
        == 302
    )
    assert _registration(app, "baiq.nurul@perpusdes.id").user_id == holder.id
    mail = outbox(app)[-1]
    assert mail.subject == "Anda dinominasikan mengikuti Bimtek"
    assert "Masuk ke Sibimtek dengan email baiq.nurul@perpusdes.id" in mail.body
    assert "/atur-sandi/" not in mail.body
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    login(client, holder.email)
    page = client.get("/pendaftaran-saya").get_data(as_text=True)
    assert "Disetujui" in page
    assert "Kelas Bali – NTB" in page


def test_a_new_nominee_sets_a_password_gives_consent_and_sees_the_registration(
    app, client, login_as, open_class, library
) -> None:
    class_id = open_class(capacity=5)
    login_as(Role.ORGANISER)
    _import(client, class_id, [_row("Lalu Muhammad Zaini", "lalu.zaini@perpusdes.id", 2, library("52"))])
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    mail = outbox(app)[-1]
    assert mail.recipient == "lalu.zaini@perpusdes.id"
    assert "Status: disetujui" in mail.body
    setup = link_in(mail.body[mail.body.index("/atur-sandi/") - 40 :])
    assert setup.startswith("/atur-sandi/")
    with app.app_context():
        account = db.session.scalar(select(User).where(User.email == "lalu.zaini@perpusdes.id"))
        assert account.password_hash is None
        assert account.email_verified_at is None
        assert account.role_set == {Role.PARTICIPANT}
    assert _registration(app, "lalu.zaini@perpusdes.id").user_id is None  # not before the address is proven

    page = submit(client, setup, {"password": "sandi-baru-123", "password_confirm": "sandi-baru-123"})
    assert "Anda perlu menyetujui Pemberitahuan Privasi" in page.get_data(as_text=True)
    response = submit(
        client, setup, {"password": "sandi-baru-123", "password_confirm": "sandi-baru-123", "consent": "y"}
    )
    assert response.status_code == 302
    with app.app_context():
        account = db.session.scalar(select(User).where(User.email == "lalu.zaini@perpusdes.id"))
        assert account.email_verified_at is not None
        assert account.privacy_consent_version == app.config["PRIVACY_NOTICE_VERSION"]
    assert _registration(app, "lalu.zaini@perpusdes.id").user_id == account.id
    login(client, "lalu.zaini@perpusdes.id", "sandi-baru-123")
    page = client.get("/pendaftaran-saya").get_data(as_text=True)
    assert "Lalu Muhammad Zaini" in page
    assert "Disetujui" in page


def test_signing_up_with_a_nominated_address_sends_the_set_password_link(
    app, client, login_as, open_class, library
) -> None:
    class_id = open_class(capacity=5)
    login_as(Role.ORGANISER)
    _import(client, class_id, [_row("Ni Luh Putu Ayu", "niluh@perpusdes.id", 3, library("52"))])
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    response = submit(
        client,
        "/daftar",
        {
            "full_name": "Ni Luh Putu Ayu",
            "email": "niluh@perpusdes.id",
            "phone": "081299990000",
            "password": "pilihan-penyerang-1",
            "password_confirm": "pilihan-penyerang-1",
            "consent": "y",
        },
    )
    assert "niluh@perpusdes.id" in response.get_data(as_text=True)  # "check your email", as for anyone
    mail = outbox(app)[-1]
    assert mail.subject == "Atur kata sandi akun Sibimtek Anda"
    with app.app_context():  # the password typed in the sign-up form was not set on the account
        assert db.session.scalar(select(User.password_hash).where(User.email == "niluh@perpusdes.id")) is None
    setup = link_in(mail.body)
    submit(client, setup, {"password": "taman-baca-123", "password_confirm": "taman-baca-123", "consent": "y"})
    assert login(client, "niluh@perpusdes.id", "taman-baca-123").status_code == 302
    assert "Ni Luh Putu Ayu" in client.get("/pendaftaran-saya").get_data(as_text=True)


def test_a_registration_made_before_the_account_is_linked_at_email_verification(
    app, client, open_class, library
) -> None:
    """Registrations without an account (made before accounts were linked) find their owner when
    the owner signs up and verifies the address."""
    from app.programmes.models import TrainingClass
    from app.registration import submission

    class_id, library_id = open_class(capacity=5), library("52")
    with app.app_context(), app.test_request_context():
        submission.submit(
            db.session.get(TrainingClass, class_id),
            submission.RegistrationData(
                person=person(4, email="made@perpusdes.id"), consent_version="lama", library_id=library_id
            ),
            user=None,
        )
        db.session.commit()
    submit(
        client,
        "/daftar",
        {
            "full_name": "I Made Sudarsana",
            "email": "made@perpusdes.id",
            "phone": "081211112222",
            "password": "teras-baca-1234",
            "password_confirm": "teras-baca-1234",
            "consent": "y",
        },
    )
    assert _registration(app, "made@perpusdes.id").user_id is None
    submit(client, link_in(outbox(app)[-1].body), {"password": "teras-baca-1234"})  # the verification link
    with app.app_context():
        account_id = db.session.scalar(select(User.id).where(User.email == "made@perpusdes.id"))
    assert _registration(app, "made@perpusdes.id").user_id == account_id
    login(client, "made@perpusdes.id", "teras-baca-1234")
    assert "Peserta 0004" in client.get("/pendaftaran-saya").get_data(as_text=True)


def test_an_unverified_account_is_not_given_a_nomination_until_it_is_verified(
    app, client, login_as, make_user, open_class, library
) -> None:
    """Someone who signed up with another person's address but cannot read its mail gets nothing."""
    squatter = make_user(Role.PARTICIPANT, email="rusdin@perpusdes.id", verified=False)
    class_id = open_class(capacity=5)
    login_as(Role.ORGANISER)
    _import(client, class_id, [_row("Rusdin", "rusdin@perpusdes.id", 5, library("52"))])
    assert _registration(app, "rusdin@perpusdes.id").user_id is None
    with app.app_context():  # whoever signed up with the address loses the password they chose
        holder = db.session.get(User, squatter.id)
        assert holder.password_hash is None
        assert holder.privacy_consent_at is None
    mail = outbox(app)[-1]
    assert "/atur-sandi/" in mail.body  # the real owner sets the password from their mailbox
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    submit(
        client,
        link_in(mail.body[mail.body.index("/atur-sandi/") - 40 :]),
        {"password": "pojok-baca-12", "password_confirm": "pojok-baca-12", "consent": "y"},
    )
    assert _registration(app, "rusdin@perpusdes.id").user_id == squatter.id
    assert login(client, "rusdin@perpusdes.id", PASSWORD).status_code == 200  # the squatter's password is gone


def test_nominations_follow_the_class_lifecycle(app, client, login_as, open_class, library, clock) -> None:
    from datetime import datetime, time, timedelta

    from app.programmes.models import ClassStatus, TrainingClass

    lib = library("52")
    draft = open_class(name="Kelas Draf")
    with app.app_context():
        db.session.get(TrainingClass, draft).status = ClassStatus.DRAFT
        db.session.commit()
    login_as(Role.ORGANISER)
    page = _import(client, draft, [_row("Rusdin", "rusdin@perpusdes.id", 21, lib)]).get_data(as_text=True)
    assert "Nominasi hanya untuk kelas yang sudah diumumkan dan belum selesai" in page
    class_id = open_class(capacity=5)
    with app.app_context():
        c = db.session.get(TrainingClass, class_id)
        day_two = datetime.combine(c.start_date + timedelta(days=1), time(9), tzinfo=c.zoneinfo)
        day_after = datetime.combine(c.end_date + timedelta(days=1), time(9), tzinfo=c.zoneinfo)
    clock(day_two)
    page = _import(client, class_id, [_row("Rusdin", "rusdin@perpusdes.id", 21, lib)]).get_data(as_text=True)
    assert "Menominasikan peserta sekarang hanya dengan pengecualian" in page
    url = f"/kelola/kelas/{class_id}/impor-nominasi"
    response = submit(
        client,
        url,
        {
            "file": (io.BytesIO(_nominations([_row("Rusdin", "rusdin@perpusdes.id", 21, lib)])), "n.xlsx"),
            "override": "y",
            "reason": "Pengganti peserta yang sakit",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    r = _registration(app, "rusdin@perpusdes.id")
    assert r.status.value == "approved"
    assert r.decision_reason == "Pengganti peserta yang sakit"
    clock(day_after)
    page = _import(client, class_id, [_row("Siti Hadijah", "siti@perpusdes.id", 22, lib)]).get_data(as_text=True)
    assert "kelas ini: selesai" in page
    with app.app_context():
        db.session.get(TrainingClass, draft).status = ClassStatus.CANCELLED
        db.session.commit()
    assert "kelas ini: dibatalkan" in _import(client, draft, [_row("Siti", "siti@perpusdes.id", 22, lib)]).get_data(
        as_text=True
    )


def test_two_people_cannot_share_one_address_in_a_programme(app, client, login_as, open_class, library) -> None:
    class_id, lib = open_class(capacity=5), library("52")
    login_as(Role.ORGANISER)
    page = _import(
        client,
        class_id,
        [_row("Rusdin", "kantor@perpusdes.id", 31, lib), _row("Nurhayati", "kantor@perpusdes.id", 32, lib)],
    ).get_data(as_text=True)
    assert "email: Email ini sudah dipakai pendaftar lain di program ini" in page
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Registration)) == 0


def test_a_broken_or_endless_file_is_a_message_not_a_crash(client, login_as, open_class) -> None:
    import zipfile

    from app.registration.nominations import COLUMNS, MAX_ROWS
    from tests.conftest import xlsx_file

    class_id = open_class()
    login_as(Role.ORGANISER)
    good = xlsx_file(COLUMNS, [["x"] * len(COLUMNS)])
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():  # the sheet's XML cut in half
            content = source.read(item)
            target.writestr(item, content[: len(content) // 2] if item.filename.endswith("sheet1.xml") else content)
    long = xlsx_file(COLUMNS, [["x"] * len(COLUMNS)] * (MAX_ROWS + 1))
    url = f"/kelola/kelas/{class_id}/impor-nominasi"
    for data, message in (
        (broken.getvalue(), "Berkas bukan XLSX yang dapat dibaca"),
        (long, f"Paling banyak {MAX_ROWS} baris"),
    ):
        response = submit(client, url, {"file": (io.BytesIO(data), "n.xlsx")}, content_type="multipart/form-data")
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)


def test_the_set_password_page_reports_passwords_and_consent_together(
    app, client, login_as, open_class, library
) -> None:
    class_id = open_class(capacity=5)
    login_as(Role.ORGANISER)
    _import(client, class_id, [_row("Abdul Haris", "haris@perpusdes.id", 41, library("52"))])
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    mail = outbox(app)[-1]
    setup = link_in(mail.body[mail.body.index("/atur-sandi/") - 40 :])
    page = submit(client, setup, {"password": "", "password_confirm": ""}).get_data(as_text=True)
    assert 'id="password-error"' in page
    assert "Anda perlu menyetujui Pemberitahuan Privasi untuk memakai akun ini." in page
