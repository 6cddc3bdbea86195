"""The schemas of the API's answers (OpenAPI 3.1 `components.schemas`), each property described in
English for integrators; app.api.openapi puts them in the description with the paths."""

from __future__ import annotations

from typing import Any

from app.libraries.models import LibraryType

JSONObject = dict[str, Any]

STRING = {"type": "string"}
DATE = {"type": "string", "format": "date"}
_ID = {"type": "integer", "minimum": 1}
NULLABLE_STRING = {"type": ["string", "null"]}


def object_of(properties: JSONObject) -> JSONObject:
    return {"type": "object", "required": list(properties), "properties": properties}


def enum_of(*values: str) -> JSONObject:
    return {"type": "string", "enum": list(values)}


def described(schema: JSONObject, description: str) -> JSONObject:
    """`schema` with its description."""
    return {**schema, "description": description}


_COUNT = {"type": "integer", "minimum": 0}
_PERCENT = {"type": "number", "minimum": 0, "maximum": 100}
_YEAR = {"type": "integer"}
LIBRARY_TYPE = enum_of(*(t.value for t in LibraryType))
PROGRAMME_STATUS = enum_of("draft", "active", "archived")
CLASS_STATUS = enum_of(
    "draft", "published", "registration_open", "registration_closed", "running", "finished", "cancelled"
)
REGISTRATION_STATUS = enum_of("submitted", "approved", "waitlisted", "rejected", "cancelled")
_ATTENDANCE_STATUS = {"enum": ["hadir", "terlambat", "izin", "sakit", "alpa", None]}

SCHEMAS: JSONObject = {
    "Error": object_of(
        {
            "error": described(
                object_of(
                    {
                        "status": described({"type": "integer"}, "The HTTP status code, repeated."),
                        "message": described(STRING, "What went wrong, in the account's language."),
                    }
                ),
                "Every error of the API has this shape.",
            )
        }
    ),
    "Programme": object_of(
        {
            "id": described(_ID, "Programme id."),
            "code": described(STRING, "Short code of the programme, e.g. SPP-TIK."),
            "name": described(STRING, "Name of the programme."),
            "year": described(_YEAR, "Year the programme runs in."),
            "status": described(PROGRAMME_STATUS, "draft (planners only), active or archived."),
            "jp_total": described({"type": "integer"}, "Lesson hours (JP, 45 minutes) on its certificates."),
        }
    ),
    "Batch": object_of(
        {
            "id": described(_ID, "Batch id."),
            "programme_id": described(_ID, "Programme the batch belongs to."),
            "number": described({"type": "integer"}, "Batch number within the programme (angkatan 1, 2, ...)."),
            "name": described(STRING, "Name of the batch."),
            "start_date": described(DATE, "First day of the batch."),
            "end_date": described(DATE, "Last day of the batch."),
        }
    ),
    "Class": object_of(
        {
            "id": described(_ID, "Class id."),
            "programme_id": described(_ID, "Programme of the class."),
            "batch_id": described(_ID, "Batch of the class."),
            "name": described(STRING, "Name of the class."),
            "venue_name": described(STRING, "Where the class meets."),
            "regency_code": described(STRING, "Kemendagri code of the venue's regency/city, e.g. 52.71."),
            "province_code": described(STRING, "Kemendagri code of the venue's province, e.g. 52."),
            "start_date": described(DATE, "First day of the class."),
            "end_date": described(DATE, "Last day of the class."),
            "status": described(CLASS_STATUS, "Status of the class today (registration opens and closes by date)."),
            "capacity": described({"type": "integer", "minimum": 1}, "Seats in the class."),
            "seats_taken": described({"type": "integer", "minimum": 0}, "Seats held by approved participants."),
            "seats_left": described({"type": "integer", "minimum": 0}, "Seats still free."),
        }
    ),
    "Registration": object_of(
        {
            "id": described(_ID, "Registration id."),
            "class_id": described(_ID, "Class of the registration."),
            "full_name": described(STRING, "Name as it goes on the certificate."),
            "nik": {
                "type": "string",
                "description": "National identity number (NIK), always masked: 5271••••••••0001 (empty once erased).",
                "pattern": r"^(|\d{4}•+\d{4})$",
            },
            "status": described(REGISTRATION_STATUS, "Status of the registration."),
            "province_code": described(STRING, "Province the participant comes from (Kemendagri code)."),
            "quota_group": described(STRING, "Quota group of their library (provincial, regency_city, ...)."),
            "library": described(
                object_of(
                    {
                        "id": described(_ID, "Library id."),
                        "name": described(STRING, "Name of the library."),
                        "type": described(STRING, "Library type, e.g. desa_kelurahan."),
                    }
                ),
                "The library the participant works at.",
            ),
            "attendance": {
                "type": "array",
                "description": "Attendance on each class day.",
                "items": object_of(
                    {
                        "date": described(DATE, "Class day."),
                        "status": described(_ATTENDANCE_STATUS, "Mark of the day (hadir = present; null: not marked)."),
                    }
                ),
            },
            "days_present": described({"type": "integer", "minimum": 0}, "Class days the participant was present."),
            "eligible": {
                "type": "boolean",
                "description": "Present on enough days for a certificate (the programme's rule).",
            },
            "certificate": {
                "description": "The participant's valid certificate, or null.",
                "oneOf": [
                    {"type": "null"},
                    object_of(
                        {
                            "number": described(STRING, "Certificate number, e.g. 001/SPP-TIK/PERPUSNAS/V/2023."),
                            "status": described(enum_of("valid"), "Only valid certificates are listed."),
                            "issued_at": described({"type": "string", "format": "date-time"}, "When it was issued."),
                        }
                    ),
                ],
            },
        }
    ),
}


def _group(key: JSONObject) -> JSONObject:
    return object_of(
        {
            **key,
            "participants": described(_COUNT, "Approved participants."),
            "libraries": described(_COUNT, "Libraries with at least one approved participant."),
        }
    )


SCHEMAS["Dashboard"] = object_of(
    {
        "programme": described(
            object_of(
                {
                    "id": described(_ID, "Programme id."),
                    "code": described(STRING, "Short code of the programme."),
                    "year": described(_YEAR, "Year the programme runs in."),
                }
            ),
            "The programme the figures are of.",
        ),
        "filters": described(
            object_of(
                {
                    "batch": described({"type": ["integer", "null"]}, "Batch id, or null for every batch."),
                    "province": described(
                        {"type": ["string", "null"], "pattern": r"^\d{2}$"}, "Province code, or null for all."
                    ),
                    "library_type": {
                        "description": "Library type, or null for every type.",
                        "oneOf": [{"type": "null"}, LIBRARY_TYPE],
                    },
                    "from": described({"type": ["string", "null"], "format": "date"}, "Classes starting on or after."),
                    "to": described({"type": ["string", "null"], "format": "date"}, "Classes starting on or before."),
                }
            ),
            "The filters applied; a coordinator's province is always set to their own.",
        ),
        "headline": described(
            object_of(
                {
                    "participants": described(_COUNT, "Approved participants."),
                    "provinces": described(_COUNT, "Provinces with at least one approved participant."),
                    "batches": described(_COUNT, "Batches with at least one approved participant."),
                    "libraries_reached": described(
                        object_of({t.value: described(_COUNT, f"Libraries of type {t.value}.") for t in LibraryType}),
                        "Libraries with at least one approved participant, per library type.",
                    ),
                    "attendance_percent": described(
                        {"type": ["number", "null"], "minimum": 0, "maximum": 100},
                        "Present person-days / person-days held so far, in percent; null before any mark.",
                    ),
                    "certificates": described(
                        object_of(
                            {
                                "eligible": described(_COUNT, "Present on enough days for a certificate."),
                                "issued": described(_COUNT, "Holding a valid certificate."),
                            }
                        ),
                        "Certificates: who may have one, who has one.",
                    ),
                    "waiting": described(_COUNT, "Registrations on the waiting list."),
                }
            ),
            "The headline figures of the dashboard.",
        ),
        "by_status": described(
            object_of({s: described(_COUNT, f"Registrations {s}.") for s in REGISTRATION_STATUS["enum"]}),
            "Registrations per status.",
        ),
        "by_area": described(
            object_of(
                {
                    "level": described(
                        enum_of("province", "regency"), "province for planners; regency for a coordinator's province."
                    ),
                    "rows": {
                        "type": "array",
                        "description": "Areas with approved participants, most participants first.",
                        "items": _group(
                            {
                                "code": described(STRING, "Kemendagri code: 52 (province) or 52.71 (regency/city)."),
                                "name": described(STRING, "Name of the province or regency/city."),
                            }
                        ),
                    },
                }
            ),
            "Participants and libraries per area.",
        ),
        "by_library_type": {
            "type": "array",
            "description": "Participants and libraries per library type (every type, zeros included).",
            "items": _group({"type": described(LIBRARY_TYPE, "Library type.")}),
        },
        "classes": {
            "type": "array",
            "description": "Seats taken per class, in batch and date order (a coordinator: announced classes "
            "serving their province).",
            "items": object_of(
                {
                    "id": described(_ID, "Class id."),
                    "name": described(STRING, "Name of the class."),
                    "batch": described(STRING, "Name of the class's batch."),
                    "capacity": described({"type": "integer", "minimum": 0}, "Seats in the class."),
                    "approved": described(_COUNT, "Approved participants within the filters (province, library type)."),
                    "percent": described({"type": "number", "minimum": 0}, "approved / capacity, in percent."),
                    "attendance_percent": described(
                        {"type": ["number", "null"], "minimum": 0, "maximum": 100},
                        "Present person-days / person-days held so far, in percent; null before any mark.",
                    ),
                    "eligible": described(_COUNT, "Approved participants meeting the attendance rule."),
                    "certificates_issued": described(_COUNT, "Valid certificates of those participants."),
                }
            ),
        },
    }
)
