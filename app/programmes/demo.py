"""Demo plan: Bimtek SPP-TIK 2023 (4 batches, classes for 30 provinces, 1,238 seats) and a
2027 copy with registration open. Only the Mataram class (22–25 May 2023, Aston Inn, Bali +
NTB, 22 seats) is taken from the 2023 press release; the other venues and dates are examples."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.auth import services as auth
from app.auth.models import User
from app.core.roles import Role
from app.extensions import db
from app.programmes import copying, services, validation
from app.programmes.models import AgendaSession, ClassStatus, Programme, ProgrammeStatus, TrainingClass
from app.regions.models import Province, Regency

FACILITATORS = (
    ("fasilitator@sibimtek.id", "Dr. Lalu Ahmad Fauzi, M.Hum."),  # a Sasak trainer: the Mataram class is his
    ("fasilitator2@sibimtek.id", "Sri Wahyuni, S.Sos., M.Si."),
    ("fasilitator3@sibimtek.id", "Ir. Bambang Hartono"),
    ("fasilitator4@sibimtek.id", "Dewi Kartika, S.I.Pust."),
    ("fasilitator5@sibimtek.id", "Yohanes Lado, M.Pd."),
    ("fasilitator6@sibimtek.id", "Nurhayati, S.Kom."),
    ("fasilitator7@sibimtek.id", "Agus Salim, M.I.Kom."),
)
BATCHES = (
    (1, date(2023, 5, 8), date(2023, 5, 12)),
    (2, date(2023, 5, 22), date(2023, 5, 26)),
    (3, date(2023, 6, 5), date(2023, 6, 9)),
    (4, date(2023, 6, 19), date(2023, 6, 23)),
)
# batch number → classes as (host regency, provinces served); 28 classes for 30 provinces.
CLASSES = {
    1: [
        ("11.71", ["11"]),
        ("12.71", ["12"]),
        ("13.71", ["13"]),
        ("14.71", ["14"]),
        ("15.71", ["15"]),
        ("16.71", ["16"]),
        ("17.71", ["17"]),
    ],
    2: [
        ("52.71", ["51", "52"]),
        ("18.71", ["18"]),
        ("19.71", ["19"]),
        ("21.72", ["21"]),
        ("31.71", ["31", "36"]),
        ("32.73", ["32"]),
        ("33.74", ["33"]),
    ],
    3: [
        ("34.71", ["34"]),
        ("35.78", ["35"]),
        ("53.71", ["53"]),
        ("61.71", ["61"]),
        ("62.71", ["62"]),
        ("63.71", ["63"]),
        ("64.72", ["64"]),
    ],
    4: [
        ("71.71", ["71"]),
        ("72.71", ["72"]),
        ("73.71", ["73"]),
        ("74.71", ["74"]),
        ("75.71", ["75"]),
        ("81.71", ["81"]),
        ("91.71", ["91"]),
    ],
}
TOPICS = (
    "Kebijakan TPBIS dan peran perpustakaan dalam inklusi sosial",
    "Strategi pengembangan perpustakaan",
    "Pemanfaatan TIK untuk layanan perpustakaan",
    "Literasi digital dan pengelolaan konten",
    "Rencana aksi dan advokasi perpustakaan",
)
TOTAL_SEATS = 1238
MATARAM_SEATS = 22


@dataclass(frozen=True)
class PlanResult:
    programmes_added: int
    classes: int
    seats: int


def _facilitators(password: str) -> list[User]:
    people = []
    for email, name in FACILITATORS:
        user = auth.find_user_by_email(email)
        if user is None:
            user = auth.create_staff(
                email=email, full_name=name, roles=[Role.FACILITATOR], password=password, send_setup_mail=False
            )
        people.append(user)
    return people


def _agenda(training_class: TrainingClass, jp_total: int) -> None:
    days = training_class.days
    per_day = jp_total // days
    for index in range(days):
        day = training_class.start_date + timedelta(days=index)
        topic = TOPICS[index * len(TOPICS) // days]
        morning = min(per_day, 5)
        training_class.agenda.append(
            AgendaSession(day=day, start_time=time(8, 0), end_time=time(11, 45), topic=topic, jp=morning, speaker=None)
        )
        if per_day - morning:
            training_class.agenda.append(
                AgendaSession(
                    day=day,
                    start_time=time(13, 0),
                    end_time=time(16, 45) if days < 5 else time(15, 15),
                    topic=f"Praktik – {topic}",
                    jp=per_day - morning,
                )
            )


def _regency(code: str) -> Regency:
    regency = db.session.get(Regency, code)
    if regency is None:
        raise LookupError(f"regency {code} missing: run `flask regions load` first")
    return regency


def _province(code: str) -> Province:
    province = db.session.get(Province, code)
    if province is None:
        raise LookupError(f"province {code} missing: run `flask regions load` first")
    return province


def _window(regency_code: str, start: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(_regency(regency_code).province.timezone)
    return (
        datetime.combine(start - timedelta(days=28), time(8, 0), tzinfo=tz),
        datetime.combine(start - timedelta(days=7), time(23, 59), tzinfo=tz),
    )


def load_plan(password: str) -> PlanResult:
    """Create the 2023 programme and its 2027 copy unless they exist (idempotent); the demo's
    facilitators get `password` (app.demo's, which this module does not import)."""
    existing = db.session.scalar(select(Programme).where(Programme.code == "SPP-TIK", Programme.year == 2023))
    if existing is not None:
        classes = [c for b in existing.batches for c in b.classes]
        return PlanResult(0, len(classes), sum(c.capacity for c in classes))
    people = _facilitators(password)
    programme = services.create_programme(
        services.ProgrammeData(
            code="SPP-TIK",
            year=2023,
            jp_total=40,
            min_attendance_percent=80,
            name="Bimtek Strategi Pengembangan Perpustakaan dan TIK",
            description=(
                "Bimbingan Teknis SPP-TIK program TPBIS, Mei–Juni 2023. DATA DEMO: selain kelas Mataram "
                "(22–25 Mei 2023, Aston Inn, peserta Bali dan NTB), tempat dan tanggal kelas adalah contoh."
            ),
            status=ProgrammeStatus.ARCHIVED,
        ),
        by=None,
    )
    others = sum(len(v) for v in CLASSES.values()) - 1
    base, extra = divmod(TOTAL_SEATS - MATARAM_SEATS, others)
    seat_index = 0
    for number, start, end in BATCHES:
        batch = services.create_batch(
            programme,
            services.BatchData(number=number, name=f"Angkatan {number}", start_date=start, end_date=end),
            by=None,
        )
        for slot, (regency_code, served) in enumerate(CLASSES[number]):
            mataram = regency_code == "52.71"
            seats: dict[str, int | None]
            if mataram:
                capacity, venue, address = MATARAM_SEATS, "Aston Inn Mataram", "Kota Mataram"
                class_end = date(2023, 5, 25)
                seats = {"51": 8, "52": 14}
            else:
                capacity = base + (1 if seat_index < extra else 0)
                seat_index += 1
                city = _regency(regency_code).name.removeprefix("Kota ").removeprefix("Administrasi ")
                venue, address, class_end = f"Hotel di {city} (contoh)", city, end
                seats = dict.fromkeys(served)
            opens, closes = _window(regency_code, start)
            training_class = services.create_class(
                batch,
                validation.ClassData(
                    name="Kelas " + " – ".join(_province(code).name for code in served),
                    venue_name=venue,
                    venue_address=address,
                    regency_code=regency_code,
                    start_date=start,
                    end_date=class_end,
                    capacity=capacity,
                    registration_opens_at=opens,
                    registration_closes_at=closes,
                    quota_release_date=start - timedelta(days=10) if mataram else None,
                    provinces=seats,
                    facilitator_ids=[people[slot].id],
                ),
                by=None,
            )
            _agenda(training_class, programme.jp_total)
            training_class.status = ClassStatus.FINISHED
            training_class.recorded_status = training_class.state
    db.session.flush()

    copy = copying.copy_programme(programme, 2027, by=None).target
    copy.status = ProgrammeStatus.ACTIVE
    copy.description = "Salinan demo untuk 2027: pendaftaran dibuka untuk angkatan 2 (termasuk kelas Bali – NTB)."
    db.session.flush()
    for batch in copy.batches:
        for training_class in batch.classes:
            training_class.status = ClassStatus.REGISTRATION_OPEN if batch.number == 2 else ClassStatus.PUBLISHED
            if batch.number == 2:
                tz = training_class.zoneinfo
                training_class.registration_opens_at = datetime(2026, 11, 1, 8, 0, tzinfo=tz)
            training_class.recorded_status = training_class.state  # what the calendar says on loading
    db.session.flush()
    classes = [c for b in programme.batches for c in b.classes]
    return PlanResult(2, len(classes), sum(c.capacity for c in classes))
