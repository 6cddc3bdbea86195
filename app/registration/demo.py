"""Demo registrations: the Mataram class of 2023 (22 seats from Bali and NTB libraries, plus a
waiting list), and with `--full` the whole 2023 scale: 1,238 synthetic participants from 33
provincial, 136 regency/city and 450 village libraries (about two people per library). Names fit the
regency or province of each person's library (app.registration.demo_names)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from lokal import wilayah
from sqlalchemy import func, select

from app.auth.models import User
from app.core.roles import Role
from app.extensions import db
from app.libraries import services as libraries
from app.libraries.models import Library, LibraryStatus, LibraryType
from app.programmes.models import Programme, TrainingClass
from app.regions.models import Province
from app.registration import notifications, seats, submission
from app.registration.demo_names import demo_name
from app.registration.models import EmploymentStatus, Registration, RegistrationStatus


@dataclass(frozen=True)
class RegistrationDemoResult:
    added: int
    total: int


def _nik(district_code: str, born: date, woman: bool, serial: int) -> str:
    day = born.day + (40 if woman else 0)
    return f"{district_code.replace('.', '')}{day:02d}{born:%m%y}{serial:04d}"


def _person(
    rng: random.Random, district: str, serial: int, woman: bool | None = None, taken: set[str] | None = None
) -> submission.PersonData:
    drawn = rng.random() < 0.55  # drawn even when given, so the rest of the demo stays the same
    woman = drawn if woman is None else woman
    name = demo_name(rng, district, woman, taken)  # fits the regency (Lombok, Bima, Sumbawa) or the province
    born = date(rng.randint(1970, 2000), rng.randint(1, 12), rng.randint(1, 28))
    status = rng.choice(
        [
            EmploymentStatus.PNS,
            EmploymentStatus.PPPK,
            EmploymentStatus.HONORER,
            EmploymentStatus.RELAWAN,
            EmploymentStatus.RELAWAN,
        ]
    )
    nip = None
    if status is EmploymentStatus.PNS:
        appointed = min(born.year + 22, 2021)
        nip = f"{born:%Y%m%d}{appointed}{rng.randint(1, 12):02d}{'2' if woman else '1'}{rng.randint(1, 999):03d}"
    return submission.PersonData(
        full_name=name,
        nik=_nik(district, born, woman, serial),
        nip=nip,
        gender="P" if woman else "L",
        birth_place=wilayah.wilayah_name(district[:5]) or "—",
        birth_date=born,
        position=rng.choice(["Pengelola perpustakaan", "Pustakawan", "Kepala perpustakaan", "Staf layanan"]),
        employment_status=status,
        email=f"peserta.demo{serial}@contoh.perpustakaan.id",
        whatsapp=f"+62817{serial:08d}",
    )


def _district_of(library: Library) -> str:
    if library.district_code:
        return library.district_code
    return wilayah.list_wilayah(library.regency_code)[0].code


def load_mataram(organiser: User, participant: User | None) -> RegistrationDemoResult:
    """22 approved registrations (8 Bali, 14 NTB) and 3 waitlisted, for the Mataram class."""
    c = db.session.scalar(
        select(TrainingClass)
        .join(TrainingClass.batch)
        .join(Programme)
        .where(Programme.year == 2023, TrainingClass.venue_name == "Aston Inn Mataram")
    )
    if c is None:
        return RegistrationDemoResult(0, 0)
    existing = db.session.scalar(select(func.count()).select_from(Registration).where(Registration.class_id == c.id))
    if existing:
        return RegistrationDemoResult(0, existing)
    rng = random.Random(2023)
    libs = {
        code: db.session.scalars(
            select(Library)
            .join(Library.regency)
            .where(Library.status == LibraryStatus.VERIFIED)
            .where(Library.regency_code.startswith(code + "."))
            .order_by(Library.id)
        ).all()
        for code in ("51", "52")
    }
    plan = ["52"] * 14 + ["51"] * 8 + ["52", "52", "51"]  # the last three wait
    moment = datetime(2023, 4, 25, 1, 0, tzinfo=UTC)
    serial = 1
    taken = {participant.full_name} if participant is not None else set()  # no two people of one name
    with notifications.quiet():
        for index, province in enumerate(plan):
            library = libs[province][index % len(libs[province])]
            # The demo participant's account is a woman's (Baiq Nurul Hidayati): her NIK says so too.
            demo_account = index == 0 and participant is not None
            person = _person(rng, _district_of(library), serial, woman=True if demo_account else None, taken=taken)
            user = None
            if index == 0 and participant is not None:
                person.full_name, person.email, user = participant.full_name, participant.email, participant
                person.whatsapp = participant.phone or person.whatsapp
            submission.submit(
                c,
                submission.RegistrationData(person=person, consent_version="demo", library_id=library.id),
                user=user,
                nominated_by=organiser,
                now=moment + timedelta(minutes=7 * index),
            )
            serial += 1
    return RegistrationDemoResult(len(plan), len(plan))


# Libraries *reached* in 2023 by type, as the press release counts them (Mataram's libraries included).
REACHED_2023 = {LibraryType.PROVINSI: 33, LibraryType.KABUPATEN_KOTA: 136, LibraryType.DESA_KELURAHAN: 450}


def _reached_by_type(programme_id: int) -> dict[LibraryType, int]:
    rows = db.session.execute(
        select(Library.type, func.count(func.distinct(Library.id)))
        .join(Registration, Registration.library_id == Library.id)
        .where(Registration.programme_id == programme_id, Registration.status == RegistrationStatus.APPROVED)
        .group_by(Library.type)
    )
    reached = dict.fromkeys(LibraryType, 0)
    reached.update(dict(rows.tuples().all()))
    return reached


def _seats(classes: list[TrainingClass]) -> list[tuple[TrainingClass, str]]:
    """Every free seat as (class, province it goes to), round by round over the classes so the
    first seats (those that bring a new library) are spread over every class and province."""
    free = {c.id: c.capacity - seats.seats_taken(c).total for c in classes}
    order: list[tuple[TrainingClass, str]] = []
    for round_ in range(max(free.values(), default=0)):
        for c in classes:
            if round_ < free[c.id]:
                served = sorted(c.served_codes)
                order.append((c, served[round_ % len(served)]))
    return order


def load_full_scale(organiser: User) -> RegistrationDemoResult:
    """1,238 approved participants of SPP-TIK 2023 from exactly 450 village, 136 regency/city and 33
    provincial libraries over 30 provinces: each library created here gets at least one person."""
    programme = db.session.scalar(select(Programme).where(Programme.code == "SPP-TIK", Programme.year == 2023))
    if programme is None:
        return RegistrationDemoResult(0, 0)
    classes = [c for b in programme.batches for c in b.classes]
    total = (
        db.session.scalar(
            select(func.count()).select_from(Registration).where(Registration.programme_id == programme.id)
        )
        or 0
    )
    if total >= sum(c.capacity for c in classes):
        return RegistrationDemoResult(0, total)
    rng = random.Random(1238)
    reached = _reached_by_type(programme.id)
    pending = {t: max(REACHED_2023[t] - reached[t], 0) for t in REACHED_2023}
    served = sorted({code for c in classes for code in c.served_codes})
    province_names = dict(
        db.session.execute(select(Province.code, Province.name).where(Province.code.in_(served))).tuples().all()
    )
    created: dict[str, list[Library]] = {code: [] for code in served}
    has_provincial: set[str] = set()

    def new_library(province: str) -> Library:
        n = sum(len(libs) for libs in created.values())
        if pending[LibraryType.PROVINSI] and province not in has_provincial:
            library_type = LibraryType.PROVINSI
        else:
            kinds = [t for t in pending if pending[t]]
            library_type = rng.choices(kinds, weights=[pending[t] for t in kinds])[0]
        pending[library_type] -= 1
        regencies = wilayah.list_wilayah(province)
        regency = regencies[len(created[province]) % len(regencies)]
        district = wilayah.list_wilayah(regency.code)[0]
        if library_type is LibraryType.PROVINSI:
            has_provincial.add(province)
        name = {
            LibraryType.PROVINSI: f"Perpustakaan Provinsi {province_names[province]} (demo {n})",
            LibraryType.KABUPATEN_KOTA: f"Dinas Perpustakaan {regency.name} (demo {n})",
            LibraryType.DESA_KELURAHAN: f"Perpustakaan Desa Demo {n:03d} {district.name}",
        }[library_type]
        library = libraries.create_library(
            libraries.LibraryData(name=name, type=library_type, regency_code=regency.code, district_code=district.code),
            status=LibraryStatus.VERIFIED,
            by=organiser,
        )
        created[province].append(library)
        return library

    serial = 1000  # four digits, unique in this run (Mataram uses 1–25)
    taken: dict[int, int] = {}  # seats given so far per class, for the registration times
    with notifications.quiet():
        for c, province in _seats(classes):
            pool = [lib for code in c.served_codes for lib in created[code]]
            # the first seats bring a library each, the later ones go to a library already there
            library = new_library(province) if sum(pending.values()) or not pool else rng.choice(pool)
            moment = datetime.combine(c.start_date - timedelta(days=20), datetime.min.time(), tzinfo=UTC)
            k = taken[c.id] = taken.get(c.id, -1) + 1
            submission.submit(
                c,
                submission.RegistrationData(
                    person=_person(rng, _district_of(library), serial), consent_version="demo", library_id=library.id
                ),
                user=None,
                nominated_by=organiser,
                now=moment + timedelta(minutes=k),
            )
            serial += 1
    added = serial - 1000
    return RegistrationDemoResult(added, total + added)


def demo_organiser() -> User:
    """The demo organiser (created by the demo's accounts step, which runs first)."""
    return db.session.scalars(select(User).where(User.email == "panitia@sibimtek.id")).one()


def demo_participant() -> User | None:
    user = db.session.scalar(select(User).where(User.email == "peserta@sibimtek.id"))
    return user if user is not None and user.has_role(Role.PARTICIPANT) else None
