"""The OpenAPI 3.1 description of the read-only API, as data: served at /api/openapi.json, listed on
/api/docs and checked against the app by schemathesis (tests/api/test_schema.py)."""

from __future__ import annotations

from typing import Any

from app.api.responses import MAX_ID
from app.core.pagination import MAX_PAGE
from app.libraries.models import LibraryType

JSONObject = dict[str, Any]

_STRING = {"type": "string"}
_DATE = {"type": "string", "format": "date"}
_ID = {"type": "integer", "minimum": 1}
_NULLABLE_STRING = {"type": ["string", "null"]}


def _object(properties: JSONObject) -> JSONObject:
    return {"type": "object", "required": list(properties), "properties": properties}


def _enum(*values: str) -> JSONObject:
    return {"type": "string", "enum": list(values)}


def _query(name: str, schema: JSONObject, description: str) -> JSONObject:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _path_id(name: str, description: str) -> JSONObject:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "description": description,
    }


PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "Halaman, mulai 1."),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}, "Baris per halaman (≤ 100)."),
]
PROVINCE = _query("province", {"type": "integer", "minimum": 11, "maximum": 99}, "Kode provinsi Kemendagri, mis. 52.")

SCHEMAS: JSONObject = {
    "Error": _object({"error": _object({"status": {"type": "integer"}, "message": _STRING})}),
    "Programme": _object(
        {
            "id": _ID,
            "code": _STRING,
            "name": _STRING,
            "year": {"type": "integer"},
            "status": _enum("draft", "active", "archived"),
            "jp_total": {"type": "integer"},
        }
    ),
    "Batch": _object(
        {
            "id": _ID,
            "programme_id": _ID,
            "number": {"type": "integer"},
            "name": _STRING,
            "start_date": _DATE,
            "end_date": _DATE,
        }
    ),
    "Class": _object(
        {
            "id": _ID,
            "programme_id": _ID,
            "batch_id": _ID,
            "name": _STRING,
            "venue_name": _STRING,
            "regency_code": _STRING,
            "province_code": _STRING,
            "start_date": _DATE,
            "end_date": _DATE,
            "status": _enum(
                "draft", "published", "registration_open", "registration_closed", "running", "finished", "cancelled"
            ),
            "capacity": {"type": "integer", "minimum": 1},
            "seats_taken": {"type": "integer", "minimum": 0},
            "seats_left": {"type": "integer", "minimum": 0},
        }
    ),
    "Registration": _object(
        {
            "id": _ID,
            "class_id": _ID,
            "full_name": _STRING,
            "nik": {
                "type": "string",
                "description": "Disamarkan: 5271••••••••0001 (kosong bila sudah dihapus).",
                "pattern": r"^(|\d{4}•+\d{4})$",
            },
            "status": _enum("submitted", "approved", "waitlisted", "rejected", "cancelled"),
            "province_code": _STRING,
            "quota_group": _STRING,
            "library": _object({"id": _ID, "name": _STRING, "type": _STRING}),
            "attendance": {
                "type": "array",
                "items": _object(
                    {"date": _DATE, "status": {"enum": ["hadir", "terlambat", "izin", "sakit", "alpa", None]}}
                ),
            },
            "days_present": {"type": "integer", "minimum": 0},
            "eligible": {"type": "boolean", "description": "Hadir cukup hari untuk sertifikat (aturan program)."},
            "certificate": {
                "oneOf": [
                    {"type": "null"},
                    _object(
                        {
                            "number": _STRING,
                            "status": _enum("valid"),
                            "issued_at": {"type": "string", "format": "date-time"},
                        }
                    ),
                ]
            },
        }
    ),
}


_COUNT = {"type": "integer", "minimum": 0}
_PERCENT = {"type": "number", "minimum": 0, "maximum": 100}
_LIBRARY_TYPE = _enum(*(t.value for t in LibraryType))
_REGISTRATION_STATUS = SCHEMAS["Registration"]["properties"]["status"]


def _group(key: JSONObject) -> JSONObject:
    return _object(
        {
            **key,
            "participants": {**_COUNT, "description": "Approved participants."},
            "libraries": {**_COUNT, "description": "Libraries with at least one approved participant."},
        }
    )


SCHEMAS["Dashboard"] = _object(
    {
        "programme": _object({"id": _ID, "code": _STRING, "year": {"type": "integer"}}),
        "filters": {
            **_object(
                {
                    "batch": {"type": ["integer", "null"]},
                    "province": {"type": ["string", "null"], "pattern": r"^\d{2}$"},
                    "library_type": {"oneOf": [{"type": "null"}, _LIBRARY_TYPE]},
                    "from": {"type": ["string", "null"], "format": "date"},
                    "to": {"type": ["string", "null"], "format": "date"},
                }
            ),
            "description": "The filters applied; a coordinator's province is always set to their own.",
        },
        "headline": _object(
            {
                "participants": {**_COUNT, "description": "Approved participants."},
                "provinces": {**_COUNT, "description": "Provinces with at least one approved participant."},
                "batches": {**_COUNT, "description": "Batches with at least one approved participant."},
                "libraries_reached": {
                    **_object({t.value: _COUNT for t in LibraryType}),
                    "description": "Libraries with at least one approved participant, per library type.",
                },
                "attendance_percent": {**_PERCENT, "description": "Days present of class days, in percent."},
                "certificates": _object(
                    {
                        "eligible": {**_COUNT, "description": "Present on enough days for a certificate."},
                        "issued": {**_COUNT, "description": "Holding a valid certificate."},
                    }
                ),
                "waiting": {**_COUNT, "description": "Registrations on the waiting list."},
            }
        ),
        "by_status": {
            **_object(dict.fromkeys(_REGISTRATION_STATUS["enum"], _COUNT)),
            "description": "Registrations per status.",
        },
        "by_area": _object(
            {
                "level": {
                    **_enum("province", "regency"),
                    "description": "Provinces for planners; a coordinator's province by regency/city.",
                },
                "rows": {"type": "array", "items": _group({"code": _STRING, "name": _STRING})},
            }
        ),
        "by_library_type": {"type": "array", "items": _group({"type": _LIBRARY_TYPE})},
        "classes": {
            "type": "array",
            "description": "Seats taken per class, in batch and date order (a coordinator: announced classes "
            "serving their province).",
            "items": _object(
                {
                    "id": _ID,
                    "name": _STRING,
                    "batch": _STRING,
                    "capacity": {"type": "integer", "minimum": 0},
                    "approved": _COUNT,
                    "percent": {"type": "number", "minimum": 0},
                }
            ),
        },
    }
)


def _page_of(schema: str) -> JSONObject:
    return _object(
        {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": {"type": "integer", "minimum": 0},
            "next": {**_NULLABLE_STRING, "format": "uri"},
        }
    )


def _error(description: str) -> JSONObject:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _list_operation(operation_id: str, summary: str, schema: str, parameters: list[JSONObject]) -> JSONObject:
    return _operation(
        operation_id,
        summary,
        [*parameters, *PAGING],
        "Satu halaman; tautan halaman berikutnya di next dan header Link.",
        _page_of(schema),
    )


def _operation(
    operation_id: str, summary: str, parameters: list[JSONObject], answer: str, schema: JSONObject
) -> JSONObject:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": answer,
                    "headers": {"ETag": {"schema": _STRING, "description": "ETag lemah; kirim lagi di If-None-Match."}},
                    "content": {"application/json": {"schema": schema}},
                },
                "304": {"description": "Tidak berubah sejak ETag di If-None-Match."},
                "400": _error("Parameter tidak valid."),
                "401": _error("Token tidak ada, tidak dikenal, dicabut atau kedaluwarsa."),
                "403": _error("Peran akun tidak mengizinkan."),
                "404": _error("Tidak ada, atau tidak terlihat untuk akun ini."),
                "429": _error("Terlalu banyak permintaan untuk token ini."),
            },
        }
    }


PATHS: JSONObject = {
    "/api/v1/programmes": _list_operation(
        "listProgrammes",
        "Program yang terlihat untuk akun ini",
        "Programme",
        [
            _query("year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "Tahun program."),
            _query("status", _enum("draft", "active", "archived"), "Status program."),
        ],
    ),
    "/api/v1/programmes/{programme_id}/batches": _list_operation(
        "listBatches", "Angkatan sebuah program", "Batch", [_path_id("programme_id", "ID program.")]
    ),
    "/api/v1/programmes/{programme_id}/dashboard": _operation(
        "getProgrammeDashboard",
        "The programme dashboard's figures (a coordinator: their own province, by regency/city)",
        [
            _path_id("programme_id", "Programme id."),
            _query("batch", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "Only this batch of the programme."),
            _query(
                "province",
                {"type": "integer", "minimum": 11, "maximum": 99},
                "Kemendagri province code, e.g. 52 (a coordinator: their own only; another one is a 403).",
            ),
            _query("library_type", _LIBRARY_TYPE, "Only participants from this type of library."),
            _query("from", _DATE, "Only classes starting on or after this date (YYYY-MM-DD)."),
            _query("to", _DATE, "Only classes starting on or before this date (YYYY-MM-DD)."),
        ],
        "The figures, with the filters applied.",
        {"$ref": "#/components/schemas/Dashboard"},
    ),
    "/api/v1/classes": _list_operation(
        "listClasses",
        "Kelas yang terlihat, dengan kursi terisi dan tersisa",
        "Class",
        [
            _query("programme_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "Hanya kelas program ini."),
            _query("batch_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "Hanya kelas angkatan ini."),
            PROVINCE,
            _query("status", SCHEMAS["Class"]["properties"]["status"], "Status kelas saat ini."),
        ],
    ),
    "/api/v1/classes/{class_id}/registrations": _list_operation(
        "listRegistrations",
        "Peserta sebuah kelas: NIK disamarkan, presensi per hari, sertifikat",
        "Registration",
        [
            _path_id("class_id", "ID kelas."),
            PROVINCE,
            _query("status", SCHEMAS["Registration"]["properties"]["status"], "Status pendaftaran."),
        ],
    ),
}


def description() -> JSONObject:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sibimtek API",
            "version": "1.0.0",
            "description": "API baca-saja Sibimtek. Setiap permintaan membawa token pribadi "
            "(`Authorization: Bearer sbt_…`, dibuat di /akun); datanya dibatasi seperti di aplikasi.",
        },
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"token": []}],
    }


def operations() -> list[JSONObject]:
    """Every operation with its path and method, in the order of the description (for the docs page)."""
    return [
        {"path": path, "method": method.upper(), **operation}
        for path, item in PATHS.items()
        for method, operation in item.items()
    ]
