"""Nominations from XLSX (offices send lists of staff): every problem of every row reported at
once, and all rows valid or nothing is written. The library may be given by id, by name and
regency, or by the village it serves, since offices know names and places rather than our ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from lokal import normalize_phone
from sqlalchemy import select

from app import clock
from app.auth.models import User
from app.core.export import (
    CodeList,
    SheetRow,
    cell_text,
    read_sheet,
    require_columns,
    xlsx_template,
)
from app.errors import DomainError
from app.extensions import db
from app.libraries import services as libraries
from app.libraries.models import Library, LibraryStatus, LibraryType
from app.programmes.models import TrainingClass
from app.regions.models import Regency
from app.registration import accounts, identity, submission
from app.registration.models import EmploymentStatus

PERSON_COLUMNS = [
    "nama",
    "nik",
    "nip",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "jabatan",
    "status_kepegawaian",
    "email",
    "whatsapp",
]
# the library: id_perpustakaan, or nama_perpustakaan + kode_kabupaten (code or name), or kode_desa
LIBRARY_COLUMNS = ["id_perpustakaan", "nama_perpustakaan", "kode_kabupaten", "kode_desa"]
COLUMNS = PERSON_COLUMNS + LIBRARY_COLUMNS
EXAMPLE_MARK = "CONTOH"  # the template's example row starts its name with this
# service field → import column, so a refusal from the registration rules names the column
FIELD_COLUMNS = {
    "nik": "nik",
    "nip": "nip",
    "library_id": "id_perpustakaan",
    "province_code": "id_perpustakaan",
    "email": "email",
    "whatsapp": "whatsapp",
}
MAX_ROWS = 2000  # a class holds a few dozen; an office's list, a few hundred


@dataclass
class NominationReport:
    total: int = 0
    approved: int = 0
    waitlisted: int = 0
    errors: list[tuple[int, list[str]]] = field(default_factory=list)


def _digits(value: Any) -> str:
    """A number as typed; a spreadsheet may have stored 16 digits as a float (5271…0001.0)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return identity.clean_number(cell_text(value))


def _library(row: SheetRow, training_class: TrainingClass) -> Library | None:
    value = row.raw.get("id_perpustakaan")
    raw_id = str(int(value)) if isinstance(value, float) and value.is_integer() else cell_text(value)
    if raw_id and not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18):  # "-5" is not library 5
        row.problem("id_perpustakaan", _("isi angka ID perpustakaan (lihat daftar Perpustakaan)."))
        return None
    column = (
        "id_perpustakaan" if raw_id else "kode_desa" if cell_text(row.raw.get("kode_desa")) else "nama_perpustakaan"
    )
    try:
        library = libraries.find_library(
            library_id=int(raw_id) if raw_id else None,
            name=cell_text(row.raw.get("nama_perpustakaan")),
            regency=cell_text(row.raw.get("kode_kabupaten")),
            village_code=cell_text(row.raw.get("kode_desa")),
            prefer_provinces=training_class.served_codes,
        )
    except DomainError as exc:
        row.problem(column, str(exc.message))
        return None
    if library.province_code not in training_class.served_codes:
        row.problem(column, _("%(name)s berada di provinsi yang tidak dilayani kelas ini.", name=library.name))
    return library


def _row_person(row: SheetRow, training_class: TrainingClass) -> tuple[submission.PersonData, Library] | None:
    """Check every column of a row; the person and library, or None with `row.problems` filled."""
    name = row.need("nama")
    if name.upper().startswith(EXAMPLE_MARK):
        row.problem("nama", _("ini baris contoh dari templat; hapus atau ganti baris ini."))
    gender = row.need("jenis_kelamin").upper()[:1]
    if gender and gender not in ("L", "P"):
        row.problem("jenis_kelamin", _("isi L atau P."))
    born = row.day("tanggal_lahir")
    nik = _digits(row.raw.get("nik"))
    if not nik:
        row.problem("nik", _("wajib diisi."))
    else:
        check = identity.check_nik(nik, today=clock.today())
        if not check.ok:
            row.problem("nik", str(check.error))
    status = row.need("status_kepegawaian").lower()
    if status and status not in EmploymentStatus._value2member_map_:
        row.problem("status_kepegawaian", _("isi pns, pppk, honorer, relawan atau lainnya."))
    nip = _digits(row.raw.get("nip")) or None
    if nip:
        check = identity.check_nip(nip, civil_servant=status == EmploymentStatus.PNS.value, today=clock.today())
        if not check.ok:
            row.problem("nip", str(check.error))
    email = row.need("email").lower()
    if email:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            row.problem("email", _("alamat email tidak valid."))
    raw_phone = row.need("whatsapp")
    phone = normalize_phone(raw_phone) if raw_phone else None
    if raw_phone and (phone is None or not phone.startswith("+628")):
        row.problem("whatsapp", _("nomor tidak valid (mis. 0812 3456 7890)."))
    birth_place, position = row.need("tempat_lahir"), row.need("jabatan")
    library = _library(row, training_class)
    if row.problems or born is None or library is None or phone is None:
        return None
    person = submission.PersonData(
        full_name=name,
        nik=nik,
        nip=nip,
        gender=gender,
        birth_place=birth_place,
        birth_date=born,
        position=position,
        employment_status=EmploymentStatus(status),
        email=email,
        whatsapp=phone,
    )
    return person, library


def _column_order(message: str) -> int:
    column = message.split(":", 1)[0]
    return COLUMNS.index(column) if column in COLUMNS else len(COLUMNS)


def read_rows(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    header, rows = read_sheet(data, MAX_ROWS)
    no_library = not (
        "id_perpustakaan" in header or "kode_desa" in header or {"nama_perpustakaan", "kode_kabupaten"} <= set(header)
    )
    require_columns(
        header,
        PERSON_COLUMNS,
        ["id_perpustakaan / nama_perpustakaan + kode_kabupaten / kode_desa"] if no_library else [],
    )
    return rows


def import_nominations(
    training_class: TrainingClass,
    rows: list[tuple[int, dict[str, Any]]],
    by: User,
    override_reason: str | None = None,
) -> NominationReport:
    """Register each row through the same rules as the form; the caller commits only if no row
    failed. Each failed row reports every problem it has, column by column."""
    override = submission.check_nominable(training_class, override_reason)  # the class as a whole first
    report = NominationReport(total=len(rows))
    for number, raw in rows:
        row = SheetRow(raw)
        found = _row_person(row, training_class)
        if found is None:
            report.errors.append((number, sorted(row.problems, key=_column_order)))  # as the sheet reads
            continue
        person, library = found
        try:
            with db.session.begin_nested():
                registration = accounts.nominate(
                    training_class,
                    submission.RegistrationData(
                        person=person, consent_version=f"nominasi:{by.id}", library_id=library.id
                    ),
                    by,
                    override,
                )
        except DomainError as exc:
            report.errors.append(
                (
                    number,
                    [
                        f"{FIELD_COLUMNS[p.field]}: {p.message}" if p.field in FIELD_COLUMNS else str(p.message)
                        for p in exc.problems
                    ],
                )
            )
        else:
            if registration.status.value == "approved":
                report.approved += 1
            else:
                report.waitlisted += 1
    return report


# --- the template ---------------------------------------------------------------------------------


def _example_nik(born: date) -> str:
    """A well-formed NIK of a woman (day + 40) born on `born`, registered in Kota Mataram."""
    return f"527101{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}0001"


def template_xlsx(training_class: TrainingClass) -> bytes:
    """The nominations template: header and an example row (birth date from the clock, a library of
    the class), and on "Kode" the allowed values and the verified libraries of the served provinces."""
    provinces = training_class.served_codes
    libs = list(
        db.session.scalars(
            select(Library)
            .join(Library.regency)
            .where(Library.status == LibraryStatus.VERIFIED, Regency.province_code.in_(provinces))
            .order_by(Library.regency_code, Library.name)
        )
    )
    regencies = db.session.scalars(select(Regency).where(Regency.province_code.in_(provinces)).order_by(Regency.code))
    born = clock.today() - timedelta(days=35 * 365)
    sample = libs[0] if libs else None
    example = [
        f"{EXAMPLE_MARK} – hapus baris ini: Baiq Nurul Hidayati, S.Pd.",
        _example_nik(born),
        "",
        "P",
        "Mataram",
        born.isoformat(),
        "Pustakawan",
        EmploymentStatus.RELAWAN.value,
        "baiq.nurul@contoh.id",
        "0812 3456 7890",
        "",
        sample.name if sample else "Perpustakaan Desa Contoh",
        sample.regency_code if sample else "52.71",
        "",
    ]
    codes = [
        CodeList(
            _("Perpustakaan terverifikasi"),
            [
                _("id_perpustakaan"),
                _("nama_perpustakaan"),
                _("jenis"),
                _("kode_kabupaten"),
                _("kabupaten/kota"),
                _("kode_desa"),
            ],
            [
                [lib.id, lib.name, lib.type.label, lib.regency_code, lib.regency.name, lib.village_code or ""]
                for lib in libs
            ],
        ),
        CodeList(_("Kabupaten/kota"), [_("kode_kabupaten"), _("nama")], [[r.code, r.name] for r in regencies]),
        CodeList(_("status_kepegawaian"), [_("nilai"), _("arti")], [[e.value, e.label] for e in EmploymentStatus]),
        CodeList(_("jenis_kelamin"), [_("nilai"), _("arti")], [["L", _("Laki-laki")], ["P", _("Perempuan")]]),
        CodeList(_("Jenis perpustakaan"), [_("nilai"), _("arti")], [[t.value, t.label] for t in LibraryType]),
    ]
    notes = [
        _("Satu baris = satu peserta. Baris contoh (nama diawali CONTOH) harus dihapus atau diganti."),
        _(
            "Perpustakaan: isi id_perpustakaan, atau nama_perpustakaan dan kode_kabupaten (kode 52.71 atau nama "
            "kabupaten/kota), atau kode_desa (PP.RR.DD.VVVV) untuk perpustakaan desa. Daftarnya di lembar Kode."
        ),
        _("nik: 16 digit; nip: 18 digit, boleh kosong. tanggal_lahir: TTTT-BB-HH. whatsapp: mis. 0812 3456 7890."),
        _("Setiap baris diperiksa sekaligus; bila ada satu baris salah, tidak ada yang disimpan."),
    ]
    return xlsx_template(
        _("Nominasi"),
        COLUMNS,
        example,
        notes,
        codes,
        text_columns=["nik", "nip", "whatsapp", "kode_kabupaten", "kode_desa"],
    )
