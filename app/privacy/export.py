"""A person's own copy of everything Sibimtek holds about them (UU PDP: access and portability), as
JSON or as an XLSX workbook with a sheet per kind of data."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select

from app import clock
from app.attendance.models import AttendanceMark
from app.auth.models import LoginSession, User
from app.certificates.models import Certificate
from app.core.export import Sheet, xlsx_sheets
from app.extensions import db
from app.privacy import rights
from app.privacy.models import DataRequest
from app.privacy.services import requests_of
from app.programmes.models import TrainingClass
from app.registration.models import NameCorrection, Registration


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def _attendance(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(AttendanceMark, TrainingClass.name)
        .join(Registration, AttendanceMark.registration_id == Registration.id)
        .join(TrainingClass, Registration.class_id == TrainingClass.id)
        .where(Registration.user_id == user.id)
        .order_by(AttendanceMark.day, AttendanceMark.marked_at, AttendanceMark.id)
    ).all()
    return [
        {
            "kelas": class_name,
            "tanggal": mark.day.isoformat(),
            "status": mark.status.value if mark.status else None,
            "catatan": mark.note or None,
            "cara": mark.source.value,
            "dicatat_pada": _iso(mark.marked_at),
        }
        for mark, class_name in rows
    ]


def _certificates(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Certificate, TrainingClass.name)
        .join(Registration, Certificate.registration_id == Registration.id)
        .join(TrainingClass, Registration.class_id == TrainingClass.id)
        .where(Registration.user_id == user.id)
        .order_by(Certificate.issued_at, Certificate.id)
    ).all()
    return [
        {
            "kelas": class_name,
            "nomor": c.number,
            "versi": c.version,
            "status": c.status.value,
            "nama": c.holder_name,
            "kode_verifikasi": c.short_code,
            "diterbitkan": _iso(c.issued_at),
            "dicabut": _iso(c.revoked_at),
            "alasan_pencabutan": c.revoke_reason,
        }
        for c, class_name in rows
    ]


def _name_corrections(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(NameCorrection)
        .join(Registration, NameCorrection.registration_id == Registration.id)
        .where(Registration.user_id == user.id)
        .order_by(NameCorrection.created_at)
    )
    return [
        {
            "nama_lama": c.old_name,
            "nama_baru": c.new_name,
            "status": c.status,
            "diajukan": _iso(c.created_at),
            "diputuskan": _iso(c.decided_at),
        }
        for c in rows
    ]


def _data_requests(requests: Iterable[DataRequest]) -> list[dict[str, Any]]:
    return [
        {
            "jenis": r.kind.value,
            "rincian": r.details,
            "status": r.status.value,
            "diterima": _iso(r.received_at),
            "batas_jawab": _iso(r.due_at),
            "jawaban": r.answer,
            "dijawab": _iso(r.answered_at),
        }
        for r in requests
    ]


def _sessions(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.created_at)
    )
    return [
        {
            "masuk": _iso(s.created_at),
            "terakhir_aktif": _iso(s.last_seen_at),
            "berakhir": _iso(s.ended_at),
            "alamat_ip": s.address,  # stored masked (103.10.x.x)
            "perangkat": s.device,
        }
        for s in rows
    ]


def personal_data(user: User) -> dict[str, Any]:
    """Everything held about `user`: the account and its sign-ins, registrations, attendance,
    certificates, name corrections and data requests. Nobody else's data: every part is selected by
    this account."""
    data = rights.export_my_data(user)  # "akun" and "pendaftaran"
    data["sesi_masuk"] = _sessions(user)
    data["presensi"] = _attendance(user)
    data["sertifikat"] = _certificates(user)
    data["koreksi_nama"] = _name_corrections(user)
    data["permintaan_data"] = _data_requests(requests_of(user))
    data["dibuat_pada"] = clock.now().isoformat()
    return data


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}} → {"a.b": 1}; lists become text: a cell holds one value."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flat(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = "; ".join(str(v) for v in value)
        else:
            flat[name] = value
    return flat


def _table(title: str, records: Sequence[dict[str, Any]]) -> Sheet:
    flat = [_flat(r) for r in records]
    header = list(dict.fromkeys(key for record in flat for key in record))
    return Sheet(title, header, [[record.get(key) for key in header] for record in flat])


SHEET_TITLES = {
    "pendaftaran": "Pendaftaran",
    "presensi": "Presensi",
    "sertifikat": "Sertifikat",
    "koreksi_nama": "Koreksi nama",
    "permintaan_data": "Permintaan data",
    "sesi_masuk": "Sesi masuk",
}


def as_xlsx(data: dict[str, Any]) -> bytes:
    """The same data as a workbook: the account as field/value rows, then one sheet per list."""
    account = _flat(data["akun"])
    sheets = [
        Sheet(
            "Akun",
            ["kolom", "nilai"],
            [[key, value] for key, value in account.items()] + [["dibuat_pada", data["dibuat_pada"]]],
        )
    ]
    sheets += [_table(title, data[key]) for key, title in SHEET_TITLES.items()]
    return xlsx_sheets(sheets)
