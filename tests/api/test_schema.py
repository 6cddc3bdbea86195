"""The API against its own OpenAPI description (schemathesis): generated requests, derandomised and
few, as an organiser with a token, on the world of the access matrix (path ids both generated and the
world's own); no 500s, every answer matches the description (status codes, content types, bodies,
headers), and a request without the token is refused."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api import bearer

EXAMPLES = 20  # per operation; with the world's ids the whole run takes a few seconds


def test_api_matches_its_description(app: Flask, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "API_LIMIT", "100000 per minute")  # generated requests come fast
    headers = bearer(app, world["users"]["organiser"].id)
    values = world["values"]
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5
    for operation in operations:
        names = [p.name for p in operation.path_parameters]
        strategy = operation.as_strategy()
        if names:  # also the world's programme and class, so the answers hold rows
            strategy = st.one_of(strategy, operation.as_strategy(path_parameters={n: values[n] for n in names}))

        @given(case=strategy)
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers)

        check()
