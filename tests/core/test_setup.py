"""The app factory, settings, migrations, CLI commands, language and mail."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from app.auth.models import User
from app.core.roles import Role
from app.core.template_helpers import format_date, format_datetime, format_day_date, format_day_range, mask_nik
from app.extensions import db
from app.libraries.models import Library
from app.mail.models import MailStatus, OutboxMessage
from config import BASE_DIR, ProductionConfig
from tests.conftest import production_config


def test_templates_and_static_sit_at_the_top_level(app: Flask) -> None:
    assert Path(app.template_folder) == BASE_DIR / "templates"
    assert Path(app.static_folder) == BASE_DIR / "static"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": "dev-insecure-change-me"}, "SECRET_KEY"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 40, "DEBUG": True, "PUBLIC_BASE_URL": "https://bimtek.perpusnas.go.id"}, "DEBUG"),
        ({"SECRET_KEY": "x" * 40, "PUBLIC_BASE_URL": None}, "PUBLIC_BASE_URL"),
        ({"SECRET_KEY": "x" * 40, "PUBLIC_BASE_URL": "http://bimtek.perpusnas.go.id"}, "PUBLIC_BASE_URL"),
    ],
)
def test_production_refuses_unsafe_settings(overrides: dict, message: str) -> None:
    class Unsafe(ProductionConfig):
        pass

    for key, value in overrides.items():
        setattr(Unsafe, key, value)
    with pytest.raises(RuntimeError, match=message):
        create_app(Unsafe)


def test_production_starts_with_a_real_secret(tmp_path) -> None:
    safe = production_config(tmp_path)

    app = create_app(safe)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not app.debug


def test_production_refuses_to_start_without_smtp(tmp_path) -> None:
    """Without SMTP every mail, reset links included, would wait readable in the admin outbox."""

    no_mail = production_config(tmp_path, MAIL_SERVER=None)

    with pytest.raises(RuntimeError, match="MAIL_SERVER"):
        create_app(no_mail)


def test_production_answers_only_its_own_host(tmp_path) -> None:
    """Host header poisoning: a request for another host is refused before any view runs."""

    safe = production_config(tmp_path)

    client = create_app(safe).test_client()
    assert client.get("/privasi", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/privasi", base_url="https://bimtek.perpusnas.go.id").status_code == 200


def test_a_reset_link_never_takes_the_requests_host(app: Flask, client, make_user) -> None:
    """POST /lupa-sandi with Host: evil.example used to mail http://evil.example/atur-sandi/<token>."""
    import re

    from tests.conftest import outbox

    user = make_user()
    evil = {"Host": "evil.example"}  # the attacker talks to the real server under a host of theirs
    page = client.get("/lupa-sandi", headers=evil).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/lupa-sandi", data={"csrf_token": token, "email": user.email}, headers=evil)
    body = outbox(app)[-1].body
    assert "evil.example" not in body
    assert app.config["PUBLIC_BASE_URL"] + "/atur-sandi/" in body


def test_models_and_migrations_agree(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_regions_load_command_is_idempotent(runner) -> None:
    result = runner.invoke(args=["regions", "load"])
    assert result.exit_code == 0
    assert "38 provinsi, 514 kabupaten/kota (baru: 0 provinsi, 0 kabupaten/kota; diperbarui: 0)" in result.output


def test_seed_demo_is_idempotent(runner, app: Flask) -> None:
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    assert "5 akun baru" in first.output
    assert "admin@sibimtek.id" in first.output
    assert "bimtek-2023!" in first.output
    with app.app_context():
        counts = (
            db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Library)),
        )
        names = set(db.session.scalars(select(Library.name)))
    second = runner.invoke(args=["seed", "demo"])
    assert "0 akun baru, 0 perpustakaan baru" in second.output
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Library)),
        ) == counts
    assert "Dinas Perpustakaan Daerah Provinsi Nusa Tenggara Barat" in names
    assert sum(n.startswith("Perpustakaan Kelurahan") for n in names) >= 8  # Denpasar and Kota Bima
    assert counts == (11, 22)  # 5 role accounts and 6 more facilitators
    with app.app_context():  # the demo certificates name who signed them (from a trial: a dotted line only)
        from app.certificates.models import Certificate, CertificateSettings

        issued = set(db.session.scalars(select(Certificate.programme_id)))
        signed = {s.programme_id: s.signatories[0].get("name") for s in db.session.scalars(select(CertificateSettings))}
    assert issued
    assert {signed[p] for p in issued} == {"Drs. Muhammad Syarif Bando, M.M."}


def test_demo_plan_is_the_2023_spp_tik_programme(runner, app: Flask) -> None:
    from datetime import date

    from app.programmes.models import ClassStatus, Programme

    runner.invoke(args=["seed", "demo"])
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == "SPP-TIK", Programme.year == 2023))
        classes = [c for b in programme.batches for c in b.classes]
        assert len(programme.batches) == 4
        assert sum(c.capacity for c in classes) == 1238
        assert len({code for c in classes for code in c.served_codes}) == 30
        mataram = next(c for c in classes if c.venue_name == "Aston Inn Mataram")
        assert (mataram.start_date, mataram.end_date, mataram.capacity) == (date(2023, 5, 22), date(2023, 5, 25), 22)
        assert mataram.served_codes == ["51", "52"]
        assert mataram.tz_label == "WITA"
        assert [u.email for u in mataram.facilitators] == ["fasilitator@sibimtek.id"]
        assert all(c.agenda_jp == programme.jp_total for c in classes)
        next_year = db.session.scalar(select(Programme).where(Programme.year == 2027))
        open_classes = [c for b in next_year.batches for c in b.classes if c.status is ClassStatus.REGISTRATION_OPEN]
        assert len(open_classes) == 7


def test_demo_accounts_log_in(runner, client) -> None:
    from tests.conftest import login

    runner.invoke(args=["seed", "demo"])
    assert login(client, "koordinator.ntb@sibimtek.id", "bimtek-2023!").status_code == 302
    assert "Nusa Tenggara Barat" in client.get("/beranda").get_data(as_text=True)


def test_create_admin_command(runner, client, app: Flask) -> None:
    from tests.conftest import login

    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "Kepala@Perpusnas.go.id",
            "--name",
            "Kepala TI",
            "--password",
            "sandi-admin-kuat",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "kepala@perpusnas.go.id"))
        assert user.role_set == {Role.ADMIN}
    assert login(client, "kepala@perpusnas.go.id", "sandi-admin-kuat").status_code == 302
    bad = runner.invoke(args=["users", "create-admin", "--email", "bukan-email", "--name", "X", "--password", "x" * 12])
    assert bad.exit_code != 0
    assert "email tidak valid" in bad.output


def test_language_switches_to_english_and_back(client) -> None:
    assert "Masuk ke Sibimtek" in client.get("/masuk").get_data(as_text=True)
    response = client.get("/bahasa/en?next=/masuk")
    assert response.headers["Location"] == "/masuk"
    english = client.get("/masuk").get_data(as_text=True)
    assert "Log in to Sibimtek" in english
    assert 'lang="en"' in english
    client.get("/bahasa/id")
    assert "Masuk ke Sibimtek" in client.get("/masuk").get_data(as_text=True)


def test_unknown_language_is_ignored(client) -> None:
    client.get("/bahasa/xx")
    assert 'lang="id"' in client.get("/").get_data(as_text=True)


def test_language_choice_is_kept_on_the_account(client, login_as, app: Flask) -> None:
    user = login_as()
    client.get("/bahasa/en")
    with app.app_context():
        assert db.session.get(User, user.id).locale == "en"


def test_outbox_page_shows_mails_to_admins(client, login_as) -> None:
    from tests.conftest import submit

    admin = login_as(Role.ADMIN)
    submit(client, f"/admin/pengguna/{admin.id}/kirim-tautan", {})
    page = client.get("/admin/surel").get_data(as_text=True)
    assert "Atur ulang kata sandi Sibimtek" in page


def test_mail_with_unreachable_smtp_is_logged_as_failed(app_ctx) -> None:
    from app.mail.services import send_mail

    app_ctx.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2)
    try:
        message_id = send_mail("a@b.id", "Tes", "reset_password", user=User(full_name="A"), link="http://x").id
        assert db.session.get(OutboxMessage, message_id).status is MailStatus.QUEUED  # not before the commit
        db.session.commit()
    finally:
        app_ctx.config["MAIL_SERVER"] = None
    message = db.session.get(OutboxMessage, message_id)
    assert message.status is MailStatus.FAILED
    assert message.error
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_mail_written_in_a_rolled_back_transaction_is_never_sent(app_ctx, monkeypatch) -> None:
    from app.mail import services as mail

    sent: list[str] = []
    monkeypatch.setattr(mail, "_deliver_smtp", lambda recipient, subject, body: sent.append(recipient))
    app_ctx.config.update(MAIL_SERVER="smtp.example")
    try:
        with db.session.begin_nested():
            mail.send_mail("kept@b.id", "Tes", "reset_password", user=User(full_name="A"), link="http://x")
        try:
            with db.session.begin_nested():
                mail.send_mail("dropped@b.id", "Tes", "reset_password", user=User(full_name="B"), link="http://y")
                raise ValueError("a bad row")
        except ValueError:
            pass
        db.session.commit()
        mail.send_mail("never@b.id", "Tes", "reset_password", user=User(full_name="C"), link="http://z")
        db.session.rollback()
        db.session.commit()
    finally:
        app_ctx.config["MAIL_SERVER"] = None
    assert sent == ["kept@b.id"]
    statuses = db.session.execute(select(OutboxMessage.recipient, OutboxMessage.status, OutboxMessage.body)).all()
    assert statuses == [("kept@b.id", MailStatus.SENT, None)]


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (date(2023, 5, 22), date(2023, 5, 25), "Senin 22 – Kamis 25 Mei 2023"),
        (date(2023, 5, 29), date(2023, 6, 2), "Senin 29 Mei – Jumat 2 Juni 2023"),
        (date(2023, 12, 30), date(2024, 1, 3), "Sabtu 30 Desember 2023 – Rabu 3 Januari 2024"),
        (date(2027, 5, 23), date(2027, 5, 23), "Minggu, 23 Mei 2027"),
    ],
)
def test_planner_dates_carry_indonesian_weekdays(app_ctx, start, end, text) -> None:
    assert format_day_range(start, end, "id") == text


def test_weekdays_follow_the_language(app_ctx) -> None:
    assert format_day_date(date(2023, 5, 26), "id") == "Jumat, 26 Mei 2023"
    assert format_day_date(date(2023, 5, 26), "en") == "Friday, 26 May 2023"
    assert format_datetime(datetime(2023, 5, 1, 0, 0, tzinfo=UTC), "Asia/Makassar", weekday=True) == (
        "Senin, 1 Mei 2023 08.00 WITA"
    )


def test_dates_are_written_the_indonesian_way(app_ctx) -> None:
    from datetime import UTC, date, datetime

    assert format_date(date(2023, 5, 22), "id") == "22 Mei 2023"
    assert format_date(date(2023, 5, 22), "en") == "22 May 2023"
    moment = datetime(2023, 5, 22, 1, 0, tzinfo=UTC)
    assert format_datetime(moment, "Asia/Makassar") == "22 Mei 2023 09.00 WITA"
    assert format_datetime(moment, "Asia/Jayapura") == "22 Mei 2023 10.00 WIT"
    assert mask_nik("5271014508950001") == "5271••••••••0001"


def test_rate_limits_are_counted_in_redis_when_configured(app: Flask, client, make_user) -> None:
    """With REDIS_URL (as in CI's PostgreSQL pass) the limiter's counters live in Redis."""
    import os

    from app.extensions import limiter
    from tests.conftest import login

    with app.app_context():
        storage = limiter.storage
    if os.environ.get("REDIS_URL"):
        assert type(storage).__name__.startswith("Redis")
        user = make_user()
        login(client, user.email, "salah-sekali-123")
        assert any(b"login" in key and b"127.0.0.1" in key for key in storage.storage.keys("*"))  # per address
    else:
        assert type(storage).__name__ == "MemoryStorage"


def test_demo_registrations_fill_the_mataram_class(runner, app: Flask) -> None:
    from app.programmes.models import TrainingClass
    from app.registration.models import Registration, RegistrationStatus

    runner.invoke(args=["seed", "demo"])
    with app.app_context():
        mataram = db.session.scalar(
            select(TrainingClass).where(
                TrainingClass.venue_name == "Aston Inn Mataram", TrainingClass.start_date < func.date("2024-01-01")
            )
        )
        rows = db.session.scalars(select(Registration).where(Registration.class_id == mataram.id)).all()
        approved = [r for r in rows if r.status is RegistrationStatus.APPROVED]
        assert len(approved) == 22
        assert sorted({r.province_code for r in approved}) == ["51", "52"]
        assert sum(r.province_code == "51" for r in approved) == 8
        assert sum(r.status is RegistrationStatus.WAITLISTED for r in rows) == 3
        assert any(r.user and r.user.email == "peserta@sibimtek.id" for r in approved)


def test_full_scale_demo_has_1238_participants_from_30_provinces(runner, app: Flask) -> None:
    from app.libraries.models import LibraryType
    from app.registration.models import Registration, RegistrationStatus

    result = runner.invoke(args=["seed", "demo", "--full"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        approved = db.session.scalars(
            select(Registration).where(Registration.status == RegistrationStatus.APPROVED)
        ).all()
        assert len(approved) == 1238
        assert len({r.province_code for r in approved}) == 30
        types = {t: sum(r.library.type is t for r in approved) for t in LibraryType}
        assert types[LibraryType.DESA_KELURAHAN] > types[LibraryType.KABUPATEN_KOTA] > types[LibraryType.PROVINSI]


def test_demo_participant_downloads_a_certificate_that_verifies(runner, app: Flask, client) -> None:
    from app.certificates.models import Certificate
    from tests.conftest import login

    runner.invoke(args=["seed", "demo"])
    runner.invoke(args=["seed", "demo"])  # idempotent: nothing issued twice
    with app.app_context():
        certificates = db.session.scalars(select(Certificate)).all()
        assert len(certificates) == 19  # the Mataram class: 19 of 22 meet the 80 % rule
        assert sorted(c.seq for c in certificates) == list(range(1, 20))
    login(client, "peserta@sibimtek.id", "bimtek-2023!")
    page = client.get("/pendaftaran-saya").get_data(as_text=True)
    link = re.search(r'href="(/sertifikat/\d+\.pdf)"', page).group(1)
    assert client.get(link).data[:5] == b"%PDF-"
    code = re.search(r"kode verifikasi ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2})", page).group(1)
    verified = client.get("/verifikasi", query_string={"kode": code}, follow_redirects=True)
    assert "Sertifikat SAH" in verified.get_data(as_text=True)


def test_foreign_keys_are_enforced_after_the_migrations(app) -> None:
    """SQLite migrates with foreign keys off (a table rebuild would otherwise cascade); the
    connections the app uses afterwards have them on again, so ON DELETE rules hold."""
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            assert db.engine.dialect.name == "postgresql"  # always enforced there
            return
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_behind_a_proxy_the_client_address_is_the_forwarded_one(app) -> None:
    """Rate limits, sessions and the access log key on request.remote_addr: behind the HTTPS proxy
    (PROXY_COUNT=1, production's default) it is the client's, not the proxy's; a client cannot
    push a second, forged hop in front of it."""
    from flask import request

    from app import create_app
    from config import ProductionConfig

    assert ProductionConfig.PROXY_COUNT == 1
    proxied = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "PROXY_COUNT": 1}
    )

    @proxied.get("/alamat")
    def address() -> str:
        return request.remote_addr or ""

    client = proxied.test_client()
    seen = client.get("/alamat", headers={"X-Forwarded-For": "198.51.100.7"}, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert seen.get_data(as_text=True) == "198.51.100.7"
    forged = client.get(
        "/alamat", headers={"X-Forwarded-For": "1.2.3.4, 198.51.100.8"}, environ_base={"REMOTE_ADDR": "10.0.0.2"}
    )
    assert forged.get_data(as_text=True) == "198.51.100.8"
    direct = app.test_client()  # without a proxy (PROXY_COUNT=0) the header is ignored
    assert direct.application.config["PROXY_COUNT"] == 0
