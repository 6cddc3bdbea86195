"""The OpenAPI 3.1 description of the read-only API, as data: served at /api/openapi.json, listed on
/api/docs and checked against the app by schemathesis (tests/api/test_schema.py)."""

from __future__ import annotations

from app.api.responses import MAX_ID
from app.api.schemas import (
    CLASS_STATUS,
    DATE,
    LIBRARY_TYPE,
    NULLABLE_STRING,
    PROGRAMME_STATUS,
    REGISTRATION_STATUS,
    SCHEMAS,
    STRING,
    JSONObject,
    described,
    object_of,
)
from app.api.tokens import api_limit
from app.core.pagination import MAX_PAGE


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


def _page_of(schema: str) -> JSONObject:
    return object_of(
        {
            "data": {
                "type": "array",
                "description": "The rows of this page.",
                "items": {"$ref": f"#/components/schemas/{schema}"},
            },
            "page": described({"type": "integer", "minimum": 1}, "This page's number."),
            "per_page": described({"type": "integer", "minimum": 1, "maximum": 100}, "Rows per page."),
            "total": described({"type": "integer", "minimum": 0}, "Rows on all pages."),
            "next": described({**NULLABLE_STRING, "format": "uri"}, "URL of the next page (also in Link), or null."),
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
                    "headers": {"ETag": {"schema": STRING, "description": "Weak ETag; send it back in If-None-Match."}},
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
            _query("status", PROGRAMME_STATUS, "Only programmes with this status."),
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
            _query("library_type", LIBRARY_TYPE, "Only participants from this type of library."),
            _query("from", DATE, "Only classes starting on or after this date (YYYY-MM-DD)."),
            _query("to", DATE, "Only classes starting on or before this date (YYYY-MM-DD)."),
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
            _query("status", CLASS_STATUS, "Only classes with this status today."),
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
            described(PROVINCE, "Only participants from this province (Kemendagri code, e.g. 52)."),
            _query("status", REGISTRATION_STATUS, "Only registrations with this status."),
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
