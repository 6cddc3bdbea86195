"""Query budgets (issue #13): a page runs the same number of SQL statements whatever the number of
rows it shows, and no more than its budget in tests/budgets.py.

Each page is requested on the small demo (the 2023 Mataram class), then again once the full 2023
demo (1,238 people, 619 more libraries), more accounts, marks, mails and access entries are in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.attendance import services as attendance
from app.audit.access import record_access
from app.audit.models import AccessAction
from app.auth import api_tokens
from app.auth import services as auth
from app.core.roles import Role
from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.mail.models import MailStatus, OutboxMessage
from app.programmes.models import Programme, TrainingClass
from app.registration import demo as registration_demo
from app.registration.models import Registration
from tests.budgets import BUDGETS
from tests.conftest import login

ADMIN, ORGANISER = "admin@sibimtek.id", "panitia@sibimtek.id"
FACILITATOR, COORDINATOR = "fasilitator@sibimtek.id", "koordinator.ntb@sibimtek.id"


@dataclass(frozen=True)
class Page:
    name: str  # the key in BUDGETS
    email: str  # who asks ("" for a visitor)
    url: str


def pages(programme_id: int, class_id: int, first_day: str, ntb_class_id: int = 0) -> list[Page]:
    p, c = programme_id, class_id
    return [
        Page("programme attendance report", ORGANISER, f"/presensi/program/{p}/laporan"),
        Page("programme attendance report (coordinator)", COORDINATOR, f"/presensi/program/{p}/laporan"),
        Page("class attendance report", ORGANISER, f"/presensi/kelas/{c}/laporan"),
        Page("class attendance report (xlsx)", ORGANISER, f"/presensi/kelas/{c}/laporan.xlsx"),
        Page("class sign-in sheet (pdf)", ORGANISER, f"/presensi/kelas/{c}/daftar-hadir.pdf"),
        Page("class roster", ORGANISER, f"/presensi/kelas/{c}/{first_day}"),
        Page("health", "", "/healthz"),
        Page("readiness", "", "/readyz"),
        Page("public catalogue", "", "/katalog"),
        Page("public class page", "", f"/katalog/{c}"),
        Page("organiser home", ORGANISER, "/beranda"),
        Page("admin home", ADMIN, "/beranda"),
        Page("facilitator home", FACILITATOR, "/beranda"),
        Page("coordinator home", COORDINATOR, "/beranda"),
        Page("training hours (JP)", ORGANISER, "/kelola/jp?tahun=2023"),
        Page("training hours (JP, coordinator)", COORDINATOR, "/kelola/jp?tahun=2023"),
        Page("coverage", ORGANISER, "/kelola/cakupan"),
        Page("coverage (not reached)", ORGANISER, "/kelola/cakupan?tampilan=belum"),
        Page("coverage (coordinator)", COORDINATOR, "/kelola/cakupan"),
        Page("schedule", ORGANISER, "/kelola/jadwal"),
        Page("schedule (xlsx)", ORGANISER, "/kelola/jadwal.xlsx"),
        Page("schedule (ics)", ORGANISER, "/kelola/jadwal.ics"),
        Page("programme page", ORGANISER, f"/kelola/program/{p}"),
        Page("class detail", ORGANISER, f"/kelola/kelas/{c}"),
        Page("users", ADMIN, "/admin/pengguna"),
        Page("libraries", ORGANISER, "/perpustakaan"),
        Page("mail outbox", ADMIN, "/admin/surel"),
        Page("access log", ADMIN, "/admin/akses-data"),
        Page("programme dashboard", ORGANISER, f"/kelola/program/{p}/dasbor"),
        Page("programme dashboard (coordinator)", COORDINATOR, f"/kelola/program/{p}/dasbor"),
        Page("programme dashboard (xlsx)", ORGANISER, f"/kelola/program/{p}/dasbor.xlsx"),
        Page("programme report (pdf)", ORGANISER, f"/kelola/program/{p}/laporan.pdf"),
        Page("programme report (pdf, coordinator)", COORDINATOR, f"/kelola/program/{p}/laporan.pdf"),
        Page("api programmes", ORGANISER, "/api/v1/programmes"),
        Page("api programmes (coordinator)", COORDINATOR, "/api/v1/programmes"),
        Page("api batches (coordinator)", COORDINATOR, f"/api/v1/programmes/{p}/batches"),
        Page("api programme dashboard", ORGANISER, f"/api/v1/programmes/{p}/dashboard"),
        Page("api programme dashboard (coordinator)", COORDINATOR, f"/api/v1/programmes/{p}/dashboard"),
        Page("api classes", ORGANISER, "/api/v1/classes?per_page=100"),
        Page("api classes (coordinator)", COORDINATOR, "/api/v1/classes?per_page=100"),
        Page("api class registrations", ORGANISER, f"/api/v1/classes/{ntb_class_id}/registrations?per_page=100"),
        Page("api class registrations (coordinator)", COORDINATOR, f"/api/v1/classes/{ntb_class_id}/registrations"),
    ]


def add_many_rows(class_id: int) -> None:
    """The full 2023 demo, and more of everything the pages list."""
    organiser = registration_demo.demo_organiser()
    registration_demo.load_full_scale(organiser)
    c = db.session.get(TrainingClass, class_id)
    for day in attendance.class_days(c)[:2]:
        attendance.mark_all_present(c, day, by=organiser, now=datetime.combine(day, time(9), tzinfo=c.zoneinfo))
    facilitator = auth.find_user_by_email(FACILITATOR)
    for n in range(30):
        user = auth.create_staff(
            email=f"staf{n}@perpustakaan.id",
            full_name=f"Staf {n}",
            roles=[Role.ORGANISER, Role.FACILITATOR] if n % 2 else [Role.COORDINATOR],
            province_code="52" if n % 2 == 0 else None,
            password="rahasia-bimtek-1",
            send_setup_mail=False,
        )
        if n % 2 and n < 8:  # a class with more facilitators
            c.facilitators.append(user)
        db.session.add(OutboxMessage(recipient=user.email, subject=f"Surat {n}", body="-", status=MailStatus.SENT))
        for by in (user, organiser, facilitator):
            record_access(by, AccessAction.EXPORTED, "attendance_xlsx", "classes", c.id, subject_label=c.name, people=n)
    db.session.commit()


def api_headers(app: Flask, email: str) -> dict[str, str]:
    """A token of the account: the API reads no session."""
    with app.app_context(), app.test_request_context():
        user = auth.find_user_by_email(email)
        made = api_tokens.create_token(user, f"budget {len(api_tokens.tokens_of(user))}")  # a live name is refused
        db.session.commit()
        return {"Authorization": f"Bearer {made.secret}"}


def statements(app: Flask, count_queries: Callable, clients: dict[str, FlaskClient], page: Page) -> int:
    if page.email not in clients:
        clients[page.email] = app.test_client()
        if page.email:
            login(clients[page.email], page.email, DEMO_PASSWORD)
    client = clients[page.email]
    headers = api_headers(app, page.email) if page.url.startswith("/api/") else {}
    client.get(page.url, headers=headers)  # once to warm caches (regions, settings) the way a running server has them
    with count_queries() as n:
        response = client.get(page.url, headers=headers)
    assert response.status_code == 200, f"{page.name}: {page.url} answered {response.status_code}"
    return n.count


def test_every_page_runs_a_fixed_number_of_statements_whatever_the_rows(app: Flask, count_queries) -> None:
    with app.app_context(), app.test_request_context():
        load_demo()
        db.session.commit()
        programme_id = db.session.scalar(select(Programme.id).where(Programme.year == 2023))
        # the largest class once the full demo is in: few people now, many later
        class_id = db.session.scalar(
            select(TrainingClass.id)
            .join(TrainingClass.batch)
            .where(TrainingClass.venue_name.not_like("Aston Inn%"))
            .order_by(TrainingClass.capacity.desc(), TrainingClass.id)
            .limit(1)
        )
        first_day = db.session.get(TrainingClass, class_id).start_date.isoformat()
        few_people = db.session.scalar(
            select(func.count()).select_from(Registration).where(Registration.class_id == class_id)
        )
        mataram_id = db.session.scalar(
            select(TrainingClass.id).where(TrainingClass.venue_name.like("Aston Inn%")).order_by(TrainingClass.id)
        )
    clients: dict[str, FlaskClient] = {}
    checked = pages(programme_id, class_id, first_day, mataram_id)
    few = {page.name: statements(app, count_queries, clients, page) for page in checked}
    with app.app_context(), app.test_request_context():
        add_many_rows(class_id)
        many_people = db.session.scalar(
            select(func.count()).select_from(Registration).where(Registration.class_id == class_id)
        )
    assert many_people > few_people + 20
    many = {page.name: statements(app, count_queries, clients, page) for page in checked}
    problems = [
        f"{name}: {few[name]} statements with few rows, {many[name]} with many (budget {BUDGETS[name]})"
        for name in few
        if few[name] != many[name] or many[name] > BUDGETS[name]
    ]
    assert not problems, "\n".join(problems)
