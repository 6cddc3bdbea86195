"""The OpenAPI description speaks to integrators in English: every operation, parameter and schema
property says what it is, and `info` explains the token, paging, ETags, the rate limit and masked NIKs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask.testing import FlaskClient

# Words of the Indonesian UI that an English description never needs (domain words such as "hadir" are
# values, not descriptions).
INDONESIAN = re.compile(r"\b(yang|dan|atau|untuk|tidak|dengan|halaman|sebuah|hanya|kelas|peserta|tahun)\b", re.I)


def _properties(schema: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of `schema`, however deep (objects, arrays, oneOf), with its path."""
    if not isinstance(schema, dict):
        return
    for name, child in schema.get("properties", {}).items():
        yield f"{where}.{name}", child
        yield from _properties(child, f"{where}.{name}")
    yield from _properties(schema.get("items"), f"{where}[]")
    for index, option in enumerate(schema.get("oneOf", [])):
        yield from _properties(option, f"{where}|{index}")


def _descriptions(spec: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield f"{method} {path}", operation.get("description")
            yield f"{method} {path} summary", operation.get("summary")
            for parameter in operation["parameters"]:
                yield f"{method} {path} ?{parameter['name']}", parameter.get("description")
            for code, answer in operation["responses"].items():
                yield f"{method} {path} {code}", answer.get("description")
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                for where, prop in _properties(schema, f"{method} {path} {code}"):
                    yield where, prop.get("description")
    for name, schema in spec["components"]["schemas"].items():
        for where, prop in _properties(schema, name):
            yield where, prop.get("description")


def test_every_operation_parameter_and_property_is_described_in_english(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    found = list(_descriptions(spec))
    assert len(found) > 100
    missing = [where for where, text in found if not text]
    assert not missing, missing
    indonesian = [(where, text) for where, text in found if text and INDONESIAN.search(text)]
    assert not indonesian, indonesian


def test_info_explains_tokens_paging_etags_limits_and_masked_niks(client: FlaskClient) -> None:
    info = client.get("/api/openapi.json").get_json()["info"]["description"]
    for needed in ("Bearer", "/akun", "per_page", "next", "ETag", "If-None-Match", "304", "per minute", "429"):
        assert needed in info, needed
    assert "5271••••••••0001" in info
    assert not INDONESIAN.search(info)
