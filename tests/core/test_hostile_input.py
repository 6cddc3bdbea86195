"""Hostile values into every form, query string and JSON endpoint: never a 500, always a message,
nothing half-saved.

The forms are not listed by hand: every page of the access matrix is opened by the first identity
allowed on it, and every POST form found there is filled with values drawn by Hypothesis (huge
integers, digits of other scripts, control characters, very long strings, several values for one
field, files of random bytes). A new page or field is fuzzed as soon as it exists.

Runs are derandomised (the same examples in CI every time); `HYPOTHESIS_PROFILE=explore` draws
new ones, many more, for a hunt on a developer's machine.
"""

from __future__ import annotations

import io
import json
import os
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from tests.conftest import login
from tests.core.test_access_matrix import ALLOWED, IDENTITIES, _rules, _url

settings.register_profile(
    "ci",
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

HOSTILE = [
    "99999999999999999999",
    "-1",
    "0",
    "1e400",
    "-0",
    "NaN",
    "inf",
    "٥٢٧١٠١٢٣٤٥٦٧٨٩٠١",
    "５２７１０１２３４５６７８９０１",
    "૧૨",  # digits of other scripts
    "²",  # a digit to isdigit(), none to int()
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\u202etxt",
    "\ud7ff",
    " ",
    "\t\n",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "{seq.x}",
    "{seq[0]}",
    "{0}",
    "%s%n",
    "{{7*7}}",
    "A" * 5000,
    "ä" * 300,
    "😀" * 40,
    "2023-02-30",
    "9999-12-31",
    "0000-00-00",
    "31/12/2023",
    "../../etc/passwd",
    '=HYPERLINK("http://x")',
    "null",
    "[]",
    "{}",
    "true",
]
VALUE = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
PICK = st.tuples(
    st.sampled_from(["hostile", "hostile", "default", "option", "missing", "many"]),
    VALUE,
    st.lists(VALUE, min_size=2, max_size=3),
    st.integers(min_value=0, max_value=1000),
)
PLAN_SIZE = 60  # more than the fields of the largest form
FILES = [b"", b"%PDF-1.4\n<html><script>", b"\x00" * 64, b"PK\x03\x04junk"]
FILE_NAMES = ["a.pdf", "b.xlsx", "c.png", "../x"]
# Forms that end the session or only switch the language: fuzzing them proves nothing.
SKIP_ACTIONS = ("/keluar", "/bahasa/")
# Rows written on purpose whatever the answer (an audit of a refused attempt, a mail to the owner).
SIDE_TABLES = {"audit_entries", "mail_messages", "login_throttles"}


@pytest.fixture(autouse=True)
def _no_background_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bulk job a fuzzed form starts is only queued: rendering is tested elsewhere."""
    monkeypatch.setattr("app.certificates.bulk.start", lambda job_id: "test")


class _Forms(HTMLParser):
    """The POST forms of a page: action, and fields with their type and the options of selects."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = {"action": a.get("action", ""), "fields": {}, "files": set(), "options": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select", "button") and a.get("name"):
            name = a["name"]
            if tag == "input" and a.get("type") == "file":
                self._form["files"].add(name)
            elif name != "csrf_token":
                self._form["fields"].setdefault(name, a.get("value", ""))
            if tag == "select":
                self._select = name
                self._form["options"].setdefault(name, [])
        elif tag == "option" and self._form is not None and self._select:
            self._form["options"][self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_on(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _row_counts() -> dict[str, int]:
    counts = {}
    for table in db.metadata.sorted_tables:
        if table.name not in SIDE_TABLES:
            counts[table.name] = db.session.scalar(select(func.count()).select_from(table))
    db.session.rollback()
    return counts


def _client_for(app: Flask, world: dict[str, Any], who: str) -> FlaskClient:
    client = app.test_client()
    if who != "anonymous":
        assert login(client, world["users"][who].email).status_code == 302
    return client


def _open_as_allowed(app: Flask, world: dict[str, Any], endpoint: str) -> tuple[FlaskClient, str] | None:
    """A client logged in as the first identity allowed on `endpoint`, and the page's URL."""
    rules = [r for r in _rules(app) if r.endpoint == endpoint and "GET" in r.methods]
    if not rules:
        return None
    who = next(w for w in IDENTITIES if w in ALLOWED[endpoint])
    return _client_for(app, world, who), _url(app, rules[0], world["values"])


QUERY_NAMES = ["page", "q", "year", "status", "province", "type", "regency", "per_page", "sort", "day"]


GET_PAGES = sorted(e for e in ALLOWED if e not in {"auth.logout"})
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _shows_a_message(html: str) -> bool:
    return any(
        mark in html
        for mark in (
            'class="invalid-feedback',
            "alert-danger",
            "alert-warning",
            'role="alert"',
            "is-invalid",
            "alert alert",
        )
    )


@pytest.mark.parametrize("endpoint", GET_PAGES)
@given(data=st.data())
def test_every_page_and_its_forms_survive_hostile_values(
    app: Flask, world: dict[str, Any], endpoint: str, data: st.DataObject
) -> None:
    opened = _open_as_allowed(app, world, endpoint)
    if opened is None:
        return  # a POST-only endpoint: its form lives on another page, fuzzed there
    client, url = opened
    # the page itself, with hostile query arguments (page numbers, filters, search)
    query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), VALUE, max_size=4))
    assert client.get(url, query_string=query).status_code != 500, (url, query)
    page = client.get(url)
    assert page.status_code < 500
    if "text/html" not in page.content_type:
        return  # a download: no forms
    html = page.get_data(as_text=True)
    token = CSRF_RE.search(html)
    # One draw of a fixed shape, used up field by field: the forms on the page may change between
    # examples (an earlier one approved a request), and Hypothesis needs the same draws each time.
    plan = iter(data.draw(st.lists(PICK, min_size=PLAN_SIZE, max_size=PLAN_SIZE)))
    for form in forms_on(html):
        action = form["action"] or url
        if any(part in action for part in SKIP_ACTIONS):
            continue
        fields: dict[str, Any] = {}
        for name, default in form["fields"].items():
            choice, value, many, index = next(plan, ("missing", "", [], 0))
            options = form["options"].get(name)
            if choice == "hostile":
                fields[name] = value
            elif choice == "default":
                fields[name] = default
            elif choice == "option" and options:
                fields[name] = options[index % len(options)]
            elif choice == "many":
                fields[name] = many
        for name in form["files"]:
            _, _, _, index = next(plan, ("missing", "", [], 0))
            if index % 2:
                blob = FILES[index % len(FILES)]
                fields[name] = (io.BytesIO(blob), FILE_NAMES[index % len(FILE_NAMES)])
        fields["csrf_token"] = token.group(1) if token else ""
        with app.app_context():
            before = _row_counts()
        response = client.post(urlsplit(action).path or url, data=fields, content_type="multipart/form-data")
        assert response.status_code != 500, (action, fields)
        if response.status_code == 200 and "text/html" in response.content_type:
            body = response.get_data(as_text=True)
            assert _shows_a_message(body), f"{action}: a form answered 200 without a message"
            with app.app_context():
                assert _row_counts() == before, f"{action}: a refused form saved something"


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | st.sampled_from(HOSTILE),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["marks", "registration_id", "day", "status", "note", "key", "sent_at", "x"]),
            children,
            max_size=5,
        )
    ),
    max_leaves=12,
)


@given(payload=JSON)
def test_attendance_api_survives_hostile_json(app: Flask, world: dict[str, Any], payload: Any) -> None:
    client = _client_for(app, world, "organiser")
    token = client.get("/api/presensi/token").get_json()
    csrf = token["csrf_token"]
    response = client.post(
        f"/api/presensi/{world['values']['class_id']}",
        data=json.dumps(payload),
        content_type="application/json",
        headers={"X-CSRFToken": csrf or ""},
    )
    assert response.status_code < 500, payload
    assert response.is_json, payload
