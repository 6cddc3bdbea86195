"""The OpenAPI 3.1 description of the read-only API, as data: served at /api/openapi.json, listed on
/api/docs and checked against the app by schemathesis (tests/api/test_schema.py)."""

from __future__ import annotations

from typing import Any

from app.api.responses import MAX_ID
from app.api.tokens import api_limit
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
    _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "Page number, starting at 1."),
    _query(
        "per_page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}, "Rows per page (at most 100)."
    ),
]
PROVINCE = _query(
    "province", {"type": "integer", "minimum": 11, "maximum": 99}, "Kemendagri province code, e.g. 52 (NTB)."
)


def _d(schema: JSONObject, description: str) -> JSONObject:
    """`schema` with its description."""
    return {**schema, "description": description}


_COUNT = {"type": "integer", "minimum": 0}
_PERCENT = {"type": "number", "minimum": 0, "maximum": 100}
_YEAR = {"type": "integer"}
_LIBRARY_TYPE = _enum(*(t.value for t in LibraryType))
_PROGRAMME_STATUS = _enum("draft", "active", "archived")
_CLASS_STATUS = _enum(
    "draft", "published", "registration_open", "registration_closed", "running", "finished", "cancelled"
)
_REGISTRATION_STATUS = _enum("submitted", "approved", "waitlisted", "rejected", "cancelled")
_ATTENDANCE_STATUS = {"enum": ["hadir", "terlambat", "izin", "sakit", "alpa", None]}

SCHEMAS: JSONObject = {
    "Error": _object(
        {
            "error": _d(
                _object(
                    {
                        "status": _d({"type": "integer"}, "The HTTP status code, repeated."),
                        "message": _d(_STRING, "What went wrong, in the account's language."),
                    }
                ),
                "Every error of the API has this shape.",
            )
        }
    ),
    "Programme": _object(
        {
            "id": _d(_ID, "Programme id."),
            "code": _d(_STRING, "Short code of the programme, e.g. SPP-TIK."),
            "name": _d(_STRING, "Name of the programme."),
            "year": _d(_YEAR, "Year the programme runs in."),
            "status": _d(_PROGRAMME_STATUS, "draft (planners only), active or archived."),
            "jp_total": _d({"type": "integer"}, "Lesson hours (JP, 45 minutes each) stated on its certificates."),
        }
    ),
    "Batch": _object(
        {
            "id": _d(_ID, "Batch id."),
            "programme_id": _d(_ID, "Programme the batch belongs to."),
            "number": _d({"type": "integer"}, "Batch number within the programme (angkatan 1, 2, ...)."),
            "name": _d(_STRING, "Name of the batch."),
            "start_date": _d(_DATE, "First day of the batch."),
            "end_date": _d(_DATE, "Last day of the batch."),
        }
    ),
    "Class": _object(
        {
            "id": _d(_ID, "Class id."),
            "programme_id": _d(_ID, "Programme of the class."),
            "batch_id": _d(_ID, "Batch of the class."),
            "name": _d(_STRING, "Name of the class."),
            "venue_name": _d(_STRING, "Where the class meets."),
            "regency_code": _d(_STRING, "Kemendagri code of the venue's regency/city, e.g. 52.71."),
            "province_code": _d(_STRING, "Kemendagri code of the venue's province, e.g. 52."),
            "start_date": _d(_DATE, "First day of the class."),
            "end_date": _d(_DATE, "Last day of the class."),
            "status": _d(_CLASS_STATUS, "Status of the class today (registration opens and closes by date)."),
            "capacity": _d({"type": "integer", "minimum": 1}, "Seats in the class."),
            "seats_taken": _d({"type": "integer", "minimum": 0}, "Seats held by approved participants."),
            "seats_left": _d({"type": "integer", "minimum": 0}, "Seats still free."),
        }
    ),
    "Registration": _object(
        {
            "id": _d(_ID, "Registration id."),
            "class_id": _d(_ID, "Class of the registration."),
            "full_name": _d(_STRING, "Name as it goes on the certificate."),
            "nik": {
                "type": "string",
                "description": "National identity number (NIK), always masked: 5271••••••••0001 (empty once erased).",
                "pattern": r"^(|\d{4}•+\d{4})$",
            },
            "status": _d(_REGISTRATION_STATUS, "Status of the registration."),
            "province_code": _d(_STRING, "Province the participant comes from (Kemendagri code)."),
            "quota_group": _d(_STRING, "Quota group of the participant's library (provincial, regency_city, ...)."),
            "library": _d(
                _object(
                    {
                        "id": _d(_ID, "Library id."),
                        "name": _d(_STRING, "Name of the library."),
                        "type": _d(_STRING, "Library type, e.g. desa_kelurahan."),
                    }
                ),
                "The library the participant works at.",
            ),
            "attendance": {
                "type": "array",
                "description": "Attendance on each class day.",
                "items": _object(
                    {
                        "date": _d(_DATE, "Class day."),
                        "status": _d(_ATTENDANCE_STATUS, "Mark of the day (hadir = present; null: not marked)."),
                    }
                ),
            },
            "days_present": _d({"type": "integer", "minimum": 0}, "Class days the participant was present."),
            "eligible": {
                "type": "boolean",
                "description": "Present on enough days for a certificate (the programme's rule).",
            },
            "certificate": {
                "description": "The participant's valid certificate, or null.",
                "oneOf": [
                    {"type": "null"},
                    _object(
                        {
                            "number": _d(_STRING, "Certificate number, e.g. 001/SPP-TIK/PERPUSNAS/V/2023."),
                            "status": _d(_enum("valid"), "Only valid certificates are listed."),
                            "issued_at": _d({"type": "string", "format": "date-time"}, "When it was issued."),
                        }
                    ),
                ],
            },
        }
    ),
}


def _group(key: JSONObject) -> JSONObject:
    return _object(
        {
            **key,
            "participants": _d(_COUNT, "Approved participants."),
            "libraries": _d(_COUNT, "Libraries with at least one approved participant."),
        }
    )


SCHEMAS["Dashboard"] = _object(
    {
        "programme": _d(
            _object(
                {
                    "id": _d(_ID, "Programme id."),
                    "code": _d(_STRING, "Short code of the programme."),
                    "year": _d(_YEAR, "Year the programme runs in."),
                }
            ),
            "The programme the figures are of.",
        ),
        "filters": _d(
            _object(
                {
                    "batch": _d({"type": ["integer", "null"]}, "Batch id, or null for every batch."),
                    "province": _d(
                        {"type": ["string", "null"], "pattern": r"^\d{2}$"}, "Province code, or null for all."
                    ),
                    "library_type": {
                        "description": "Library type, or null for every type.",
                        "oneOf": [{"type": "null"}, _LIBRARY_TYPE],
                    },
                    "from": _d({"type": ["string", "null"], "format": "date"}, "Classes starting on or after."),
                    "to": _d({"type": ["string", "null"], "format": "date"}, "Classes starting on or before."),
                }
            ),
            "The filters applied; a coordinator's province is always set to their own.",
        ),
        "headline": _d(
            _object(
                {
                    "participants": _d(_COUNT, "Approved participants."),
                    "provinces": _d(_COUNT, "Provinces with at least one approved participant."),
                    "batches": _d(_COUNT, "Batches with at least one approved participant."),
                    "libraries_reached": _d(
                        _object({t.value: _d(_COUNT, f"Libraries of type {t.value}.") for t in LibraryType}),
                        "Libraries with at least one approved participant, per library type.",
                    ),
                    "attendance_percent": _d(_PERCENT, "Days present of all class days, in percent (1 decimal)."),
                    "certificates": _d(
                        _object(
                            {
                                "eligible": _d(_COUNT, "Present on enough days for a certificate."),
                                "issued": _d(_COUNT, "Holding a valid certificate."),
                            }
                        ),
                        "Certificates: who may have one, who has one.",
                    ),
                    "waiting": _d(_COUNT, "Registrations on the waiting list."),
                }
            ),
            "The headline figures of the dashboard.",
        ),
        "by_status": _d(
            _object({s: _d(_COUNT, f"Registrations {s}.") for s in _REGISTRATION_STATUS["enum"]}),
            "Registrations per status.",
        ),
        "by_area": _d(
            _object(
                {
                    "level": _d(
                        _enum("province", "regency"), "province for planners; regency for a coordinator's province."
                    ),
                    "rows": {
                        "type": "array",
                        "description": "Areas with approved participants, most participants first.",
                        "items": _group(
                            {
                                "code": _d(_STRING, "Kemendagri code: 52 (province) or 52.71 (regency/city)."),
                                "name": _d(_STRING, "Name of the province or regency/city."),
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
            "items": _group({"type": _d(_LIBRARY_TYPE, "Library type.")}),
        },
        "classes": {
            "type": "array",
            "description": "Seats taken per class, in batch and date order (a coordinator: announced classes "
            "serving their province).",
            "items": _object(
                {
                    "id": _d(_ID, "Class id."),
                    "name": _d(_STRING, "Name of the class."),
                    "batch": _d(_STRING, "Name of the class's batch."),
                    "capacity": _d({"type": "integer", "minimum": 0}, "Seats in the class."),
                    "approved": _d(_COUNT, "Approved participants (from any library)."),
                    "percent": _d({"type": "number", "minimum": 0}, "approved / capacity, in percent (1 decimal)."),
                }
            ),
        },
    }
)


def _page_of(schema: str) -> JSONObject:
    return _object(
        {
            "data": {
                "type": "array",
                "description": "The rows of this page.",
                "items": {"$ref": f"#/components/schemas/{schema}"},
            },
            "page": _d({"type": "integer", "minimum": 1}, "This page's number."),
            "per_page": _d({"type": "integer", "minimum": 1, "maximum": 100}, "Rows per page."),
            "total": _d({"type": "integer", "minimum": 0}, "Rows on all pages."),
            "next": _d({**_NULLABLE_STRING, "format": "uri"}, "URL of the next page (also in Link), or null."),
        }
    )


def _error(description: str) -> JSONObject:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _list_operation(
    operation_id: str, summary: str, description: str, schema: str, parameters: list[JSONObject]
) -> JSONObject:
    return _operation(
        operation_id,
        summary,
        description,
        [*parameters, *PAGING],
        "One page; the next page's URL is in next and in the Link header.",
        _page_of(schema),
    )


def _operation(
    operation_id: str, summary: str, description: str, parameters: list[JSONObject], answer: str, schema: JSONObject
) -> JSONObject:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "description": description,
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": answer,
                    "headers": {
                        "ETag": {"schema": _STRING, "description": "Weak ETag; send it back in If-None-Match."}
                    },
                    "content": {"application/json": {"schema": schema}},
                },
                "304": {"description": "Not modified since the ETag sent in If-None-Match (no body)."},
                "400": _error("A parameter is not valid."),
                "401": _error("No token, or an unknown, revoked or expired one."),
                "403": _error("The account's role does not allow this."),
                "404": _error("Does not exist, or is not visible to this account."),
                "429": _error("Too many requests for this token; wait and retry."),
            },
        }
    }


_ID_FILTER = {"type": "integer", "minimum": 1, "maximum": MAX_ID}

PATHS: JSONObject = {
    "/api/v1/programmes": _list_operation(
        "listProgrammes",
        "Programmes visible to this account",
        "Planners see every programme; facilitators and coordinators the programmes with a class they may "
        "see. Newest year first.",
        "Programme",
        [
            _query("year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "Only programmes of this year."),
            _query("status", _PROGRAMME_STATUS, "Only programmes with this status."),
        ],
    ),
    "/api/v1/programmes/{programme_id}/batches": _list_operation(
        "listBatches",
        "Batches of a programme",
        "The batches of one programme, in number order (coordinators and facilitators: batches with a class "
        "they may see).",
        "Batch",
        [_path_id("programme_id", "Programme id.")],
    ),
    "/api/v1/programmes/{programme_id}/dashboard": _operation(
        "getProgrammeDashboard",
        "The programme dashboard's figures",
        "The figures of the programme dashboard page. Planners and coordinators only (a coordinator: their "
        "own province, by regency/city, announced classes only; a draft programme is a 404 for them).",
        [
            _path_id("programme_id", "Programme id."),
            _query("batch", _ID_FILTER, "Only this batch of the programme (another programme's batch is a 404)."),
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
        "Classes visible to this account, with seats taken and left",
        "Planners see every class; facilitators their own classes; coordinators the announced classes "
        "serving their province. In date order.",
        "Class",
        [
            _query("programme_id", _ID_FILTER, "Only classes of this programme."),
            _query("batch_id", _ID_FILTER, "Only classes of this batch."),
            PROVINCE,
            _query("status", _CLASS_STATUS, "Only classes with this status today."),
        ],
    ),
    "/api/v1/classes/{class_id}/registrations": _list_operation(
        "listRegistrations",
        "Participants of a class: masked NIK, attendance per day, certificate",
        "The people of one class (coordinators: only those from their province). No phone, email, NIP or "
        "birth date. Each page read is recorded in the access log.",
        "Registration",
        [
            _path_id("class_id", "Class id."),
            _d(PROVINCE, "Only participants from this province (Kemendagri code, e.g. 52)."),
            _query("status", _REGISTRATION_STATUS, "Only registrations with this status."),
        ],
    ),
}


def _info_description(limit: str) -> str:
    return (
        "Read-only API of Sibimtek, the training platform of the National Library of Indonesia (Perpusnas).\n\n"
        "**Authentication.** Every request carries a personal access token: "
        "`Authorization: Bearer sbt_…`. Staff accounts make and revoke their tokens on their account page "
        "(/akun); a token is shown once. Answers are scoped like the app: planners see everything, "
        "facilitators their classes, coordinators their province.\n\n"
        "**Pagination.** Lists take `page` (from 1) and `per_page` (at most 100) and answer "
        "`{data, page, per_page, total, next}`; `next` (also in the `Link` header) is the next page's URL, "
        "null on the last page.\n\n"
        "**Caching.** Every answer has a weak `ETag`; send it back in `If-None-Match` to get a "
        "`304 Not Modified` without a body while nothing changed.\n\n"
        f"**Rate limit.** {limit} per token (requests without a valid token share their address's allowance); "
        "past it, `429`.\n\n"
        "**Personal data.** NIKs (national identity numbers) are always masked (`5271••••••••0001`); "
        "phone numbers, email addresses, NIPs and birth dates are never returned.\n\n"
        '**Errors.** Every error is `{"error": {"status": 404, "message": "…"}}` with its status code.'
    )


def description() -> JSONObject:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sibimtek API",
            "version": "1.0.0",
            "description": _info_description(api_limit()),
        },
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token (sbt_…) made on /akun.",
                }
            },
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
