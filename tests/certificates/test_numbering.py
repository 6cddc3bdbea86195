"""Certificate number patterns: a whitelist of fields and widths, never str.format (issue #12, item 7).

`{seq.x}` and `{seq[0]}` used to be 500s, `{__class__}`-style access reached Python objects and
`{seq:W>200000}` took two seconds; every hostile pattern is now a message on the settings form."""

from __future__ import annotations

import time
from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from app.certificates import issuing, numbering
from app.certificates.models import DEFAULT_PATTERN, CertificateSettings
from app.certificates.settings import settings_for
from app.core.roles import Role
from app.extensions import db
from tests.certificates.test_images import VALUES
from tests.conftest import csrf_token

MAY_2023 = date(2023, 5, 25)

HOSTILE = [
    "{seq.x}",
    "{seq[0]}",
    "{seq:W>200000}",
    "{0}",
    "{}",
    "{__class__}",
    "{seq.__class__.__init__.__globals__}",
    "{seq!r}",
    "{seq:9}",
    "{seq:010}",
    "{seq:>8}",
    "{code:08}",
    "{seq}/{nomor}",
    "{seq",
    "seq}/{year}",
    "{seq}}{",
    "{seq}{{{",  # an opening brace left alone after an escaped one
    "{{seq}}/{year}",  # only literal braces: no sequence number at all
    "{seq}" + "x" * 495,  # 500 characters
    "{year}/{month}",  # no {seq}: numbers would repeat
    "{seq}" + "{code}" * 4,  # could exceed the 120 characters the number column holds
]


@pytest.mark.parametrize("pattern", HOSTILE)
def test_a_hostile_pattern_is_a_field_message_on_the_settings_form(
    app, client, login_as, programme, pattern: str
) -> None:
    login_as(Role.ORGANISER)
    url = f"/kelola/program/{programme.id}/sertifikat"
    started = time.perf_counter()
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **VALUES, "number_pattern": pattern})
    assert time.perf_counter() - started < 1.5
    assert response.status_code == 200  # the form again, never a 500
    page = unescape(response.get_data(as_text=True))
    assert 'id="number_pattern-error"' in page
    assert "Pengaturan sertifikat disimpan." not in page
    with app.app_context():
        assert db.session.scalar(select(CertificateSettings.number_pattern)) == DEFAULT_PATTERN


def test_the_message_lists_the_allowed_fields(app, client, login_as, programme) -> None:
    login_as(Role.ORGANISER)
    url = f"/kelola/program/{programme.id}/sertifikat"
    page = unescape(
        client.post(
            url, data={"csrf_token": csrf_token(client, url), **VALUES, "number_pattern": "{seq.x}/{year}"}
        ).get_data(as_text=True)
    )
    assert "{seq.x} tidak dikenal" in page
    assert "Kunci yang boleh: {seq}, {code}, {year}, {month}, {month_roman}" in page


@pytest.mark.parametrize("pattern", HOSTILE)
def test_the_service_refuses_a_hostile_pattern_quickly(app_ctx, pattern: str) -> None:
    """A pattern stored before this rule (or written straight into the database) is refused at issue,
    as a domain error that the views show as a message."""
    started = time.perf_counter()
    with pytest.raises(numbering.NumberPatternError):
        numbering.check(pattern)
    assert time.perf_counter() - started < 0.1


@pytest.mark.parametrize(
    ("pattern", "seq", "expected"),
    [
        (DEFAULT_PATTERN, 1, "0001/SPP-TIK/PERPUSNAS/V/2023"),
        ("{seq:03d}-{month}-{year}", 42, "042-5-2023"),
        ("{seq:04}/{code}/{month_roman}/{year}", 7, "0007/SPP-TIK/V/2023"),
        ("{seq:4}", 7, "0007"),  # a width is always zero-padded (str.format padded with spaces)
        ("{seq:8d}", 12345, "00012345"),
        ("{seq:2}", 12345, "12345"),  # a width is a minimum: a number is never cut
        ("{seq}", 12, "12"),
        ("{month:02}.{year}/{seq:03}", 3, "05.2023/003"),
        ("No. {{{seq}}} {{x}}", 3, "No. {3} {x}"),  # doubled braces are the braces themselves
        ("SERT {seq:05d} ~ $%^&*()[] {code}", 9, "SERT 00009 ~ $%^&*()[] SPP-TIK"),
    ],
)
def test_good_patterns_render_as_before(app_ctx, programme, pattern: str, seq: int, expected: str) -> None:
    numbering.check(pattern)
    assert issuing.format_number(pattern, seq, programme, MAY_2023) == expected


def test_the_settings_form_keeps_a_good_pattern(app, client, login_as, programme) -> None:
    login_as(Role.ORGANISER)
    url = f"/kelola/program/{programme.id}/sertifikat"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            **VALUES,
            "number_pattern": "{seq:05}/{code}/{month_roman}/{year}",
        },
        follow_redirects=True,
    )
    assert "Pengaturan sertifikat disimpan." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(CertificateSettings.number_pattern)) == "{seq:05}/{code}/{month_roman}/{year}"


def test_a_bad_pattern_in_the_database_is_a_message_when_issuing(app, client, login_as, finished_class) -> None:
    """Written before the whitelist existed: issuing says what is wrong instead of a 500."""
    from app.programmes.models import TrainingClass

    login_as(Role.ORGANISER)
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, finished_class["class_id"])
        settings_for(c.batch.programme).number_pattern = "{seq[0]}/{year}"
        db.session.commit()
    url = f"/kelola/kelas/{finished_class['class_id']}/sertifikat"
    response = client.post(
        f"/kelola/pendaftar/{finished_class['ids'][0]}/sertifikat",
        data={"csrf_token": csrf_token(client, url)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "{seq[0]} tidak dikenal" in unescape(response.get_data(as_text=True))


def test_the_preview_of_a_hostile_draft_falls_back_to_the_saved_pattern(app, client, login_as, programme) -> None:
    login_as(Role.ORGANISER)
    response = client.get(
        f"/kelola/program/{programme.id}/sertifikat/pratinjau.pdf",
        query_string={**VALUES, "number_pattern": "{seq:W>200000}"},
    )
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
