"""The world of the access and hostile-input tests: someone else's objects of every kind.

A finished Bali–NTB class in NTB with participant A's registration (and two more), its
facilitator, certificates, a bulk job, an agenda session, A's name-correction and deletion
requests, a proposed library and a mail; and one account per identity: participant A (the
owner), participant B, the facilitator of another class, the coordinator of another province
(Jawa Timur), an organiser and an admin.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

import pytest
from flask import Flask

from app import clock as app_clock
from app.auth.models import User
from app.core.roles import Role
from app.extensions import db


@pytest.fixture
def world(app: Flask, finished_class: dict, make_user: Callable[..., User], make_class) -> dict[str, Any]:
    return build_world(app, finished_class, make_user, make_class)


def build_world(app: Flask, finished_class: dict, make_user: Callable[..., User], make_class) -> dict[str, Any]:
    """The objects of the matrix, and one account per identity."""
    from app.auth import api_tokens
    from app.auth import sessions as login_sessions
    from app.auth.models import LoginSession
    from app.certificates import issuing
    from app.certificates.models import BulkJob, Certificate, JobStatus
    from app.libraries import services as libraries
    from app.libraries.models import LibraryStatus, LibraryType
    from app.mail.models import OutboxMessage
    from app.privacy import services as privacy
    from app.privacy.models import DataRequestKind
    from app.programmes import agenda
    from app.programmes.models import TrainingClass
    from app.registration import uploads
    from app.registration.models import DeletionRequest, NameCorrection, NikClaim, NikClaimStatus, Registration
    from tests.fixtures_registration import make_nik
    from tests.registration.pdfs import pdf_letter

    users = {
        "participant_a": finished_class["owner"],
        "participant_b": make_user(Role.PARTICIPANT),
        "other_facilitator": make_user(Role.FACILITATOR),
        "other_coordinator": make_user(Role.COORDINATOR, province_code="35"),
        "organiser": make_user(Role.ORGANISER),
        "admin": make_user(Role.ADMIN),
    }
    own_facilitator = make_user(Role.FACILITATOR)
    soon = app_clock.now().date() + timedelta(days=2)
    other_class = make_class(name="Kelas lain", start_date=soon, end_date=soon + timedelta(days=2))
    class_id = finished_class["class_id"]
    rid = finished_class["ids"][0]
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, class_id)
        c.facilitators = [db.session.get(User, own_facilitator.id)]
        db.session.get(TrainingClass, other_class).facilitators = [db.session.get(User, users["other_facilitator"].id)]
        owner = db.session.get(User, users["participant_a"].id)
        issuing.issue_class(c, by=None)
        certificate = db.session.scalars(db.select(Certificate).where(Certificate.registration_id == rid)).one()
        session = agenda.add_agenda_session(
            c,
            agenda.AgendaData(day=c.start_date, start_time=time(8), end_time=time(9, 30), topic="Pembukaan", jp=2),
            by=None,
        )
        reg = db.session.get(Registration, rid)
        correction = NameCorrection(registration=reg, old_name=reg.full_name, new_name="Nama Baru Sekali")
        deletion = DeletionRequest(user_id=owner.id, registration_id=rid)
        claim = NikClaim(
            programme_id=c.batch.programme_id,
            user_id=owner.id,
            nik=make_nik("52", 90),
            explanation="NIK ini milik saya sendiri.",
            status=NikClaimStatus.OPEN,
            letter_path=uploads.store_letter(uploads.inspect_letter(pdf_letter())),
            letter_mimetype=uploads.PDF,
        )
        db.session.add_all([correction, deletion, claim])
        data_request = privacy.file_request(owner, DataRequestKind.ACCESS, "Saya minta salinan data saya.")
        proposal = libraries.create_library(
            libraries.LibraryData(
                name="Perpustakaan Desa Usulan", type=LibraryType.DESA_KELURAHAN, regency_code="52.71"
            ),
            status=LibraryStatus.PROPOSED,
            by=None,
        )
        job = BulkJob(
            scope="class",
            scope_id=class_id,
            status=JobStatus.DONE,
            total=3,
            done=3,
            zip_path="tidak-ada.zip",
            combined_path="tidak-ada.pdf",
        )
        db.session.add(job)
        db.session.flush()
        message = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).first()
        login_sessions.start_session(owner, ip_address="103.10.20.30", user_agent="Mozilla/5.0 (Linux; Android 13)")
        db.session.flush()
        own_login = db.session.scalars(db.select(LoginSession).where(LoginSession.user_id == owner.id)).one()
        api_token = api_tokens.create_token(db.session.get(User, users["organiser"].id), "Matriks").record
        values = {
            "token_id": api_token.id,
            "class_id": class_id,
            "programme_id": c.batch.programme_id,
            "batch_id": c.batch_id,
            "registration_id": rid,
            "certificate_id": certificate.id,
            "code": certificate.code,
            "session_id": session.id,
            "job_id": job.id,
            "library_id": proposal.id,
            "correction_id": correction.id,
            "request_id": deletion.id,
            "claim_id": claim.id,
            "login_session_id": own_login.id,
            "data_request_id": data_request.id,
            "user_id": owner.id,
            "message_id": message.id if message else 0,
            "day": c.start_date.isoformat(),
            "token": "bukan-token",
            "scope": "class",
            "scope_id": class_id,
            "kind": "sertifikat.zip",
            "action": "terima",
            "code_region": "52",
        }
        db.session.commit()
    return {"users": users, "values": values}
