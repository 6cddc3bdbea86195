"""LabelledStrEnum: the value is what is stored, the label what people read, in their language."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale

import app as app_package
from app.attendance.models import AttendanceStatus
from app.core.enums import LabelledStrEnum
from app.core.roles import Role
from app.registration.models import RegistrationStatus

PO = Path(app_package.__file__).parent / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def labelled_enums() -> list[type[LabelledStrEnum]]:
    import app.certificates.models  # noqa: F401 - every domain's enums are defined
    import app.mail.models  # noqa: F401
    import app.privacy.models  # noqa: F401

    found: list[type[LabelledStrEnum]] = []
    pending = list(LabelledStrEnum.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_a_member_is_its_stored_value() -> None:
    assert AttendanceStatus("hadir") is AttendanceStatus.HADIR
    assert AttendanceStatus.HADIR == "hadir"
    assert f"{RegistrationStatus.APPROVED}" == "approved"


def test_labels_follow_the_language(app: Flask) -> None:
    with app.test_request_context():
        assert Role.ORGANISER.label == "Panitia"
        with force_locale("en"):
            assert Role.ORGANISER.label != "Panitia"


def test_choices_are_value_and_label_pairs(app: Flask) -> None:
    with app.test_request_context():
        assert [(value, str(label)) for value, label in Role.choices([Role.ADMIN, Role.ORGANISER])] == [
            ("admin", "Admin"),
            ("organiser", "Panitia"),
        ]
        assert [value for value, _label in AttendanceStatus.choices()] == [s.value for s in AttendanceStatus]


def test_every_label_has_an_english_translation() -> None:
    with PO.open("rb") as file:
        catalog = read_po(file)
    enums = labelled_enums()
    assert {"Role", "AttendanceStatus", "CertificateStatus", "MailStatus", "DataRequestStatus"} <= {
        e.__name__ for e in enums
    }
    missing = [
        f"{cls.__name__}.{member.name}: {member._lazy_label._args[0]!r}"
        for cls in enums
        for member in cls
        if member._lazy_label._args[0] not in catalog or not catalog[member._lazy_label._args[0]].string
    ]
    assert not missing, missing
