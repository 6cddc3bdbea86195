"""Rules the certificate pages once decided themselves, called directly: the preview's sample, who
may download a certificate or read why it was revoked, which bulk files may be sent, and saving the
settings with their images."""

from __future__ import annotations

import io

import pytest
from flask_login import AnonymousUserMixin
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.auth.models import User
from app.certificates import bulk, issuing, storage
from app.certificates.forms import CertificateSettingsForm
from app.certificates.models import BulkJob, Certificate, CertificateSettings, JobStatus
from app.certificates.preview import SAMPLE_HOLDER, sample_certificate
from app.certificates.settings import DEFAULT_SIGNATORY, save_settings, settings_for
from app.core import files
from app.core.roles import Role
from app.errors import ValidationFailed
from app.extensions import db
from app.programmes.models import Programme, TrainingClass
from tests.certificates.test_images import VALUES


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "#ff0000").save(buffer, "PNG")
    return buffer.getvalue()


def test_the_preview_sample_is_number_one_of_the_pattern_and_is_never_saved(app, programme) -> None:
    with app.app_context(), app.test_request_context():
        p = db.session.get(Programme, programme.id)
        settings = settings_for(p)
        settings.number_pattern = "{seq:04d}/{code}/{month_roman}/{year}"
        sample = sample_certificate(p, settings)
        assert sample.number == "0001/SPP-TIK/V/2023"  # dated at the end of the first batch (May 2023)
        assert sample.holder_name == SAMPLE_HOLDER
        assert sample.details["jp"] == 40
        assert sample_certificate(p, settings, "x" * 300).holder_name == "x" * 100
        assert sample_certificate(p, settings, "").holder_name == ""
        assert sample not in db.session
        db.session.flush()
        assert db.session.scalar(select(Certificate)) is None


def test_a_certificate_is_downloaded_by_its_holder_and_the_organisers_only(app, finished_class, make_user) -> None:
    organiser, stranger = make_user(Role.ORGANISER), make_user(Role.PARTICIPANT)
    with app.app_context(), app.test_request_context():
        issuing.issue_class(db.session.get(TrainingClass, finished_class["class_id"]), None)
        db.session.commit()
        mine = db.session.scalar(select(Certificate).where(Certificate.registration_id == finished_class["ids"][0]))
        assert issuing.may_download(mine, db.session.get(User, finished_class["owner"].id))
        assert issuing.may_download(mine, db.session.get(User, organiser.id))
        assert not issuing.may_download(mine, db.session.get(User, stranger.id))


def test_only_organisers_and_admins_read_why_a_certificate_was_revoked(app, make_user) -> None:
    readers = {role: make_user(role) for role in (Role.ORGANISER, Role.ADMIN, Role.COORDINATOR, Role.PARTICIPANT)}
    with app.app_context():
        assert not issuing.shows_revocation_reason(AnonymousUserMixin())
        shown = {
            role for role, user in readers.items() if issuing.shows_revocation_reason(db.session.get(User, user.id))
        }
        assert shown == {Role.ORGANISER, Role.ADMIN}


def test_a_bulk_file_is_sent_only_when_its_job_finished_and_the_file_is_still_there(app, finished_class) -> None:
    class_id = finished_class["class_id"]
    with app.app_context(), app.test_request_context():
        job = BulkJob(scope="class", scope_id=class_id)
        db.session.add(job)
        db.session.commit()
        assert bulk.job_download(job, "sertifikat.zip") is None  # not run yet
        bulk.run_job(job.id)
        job = db.session.get(BulkJob, job.id)
        assert job.status is JobStatus.DONE
        archive = bulk.job_download(job, "sertifikat.zip")
        assert files.store().exists(storage.AREA, archive.stored)
        assert archive.name == f"sertifikat-kelas-{class_id}-sertifikat.zip"
        assert archive.table == "classes"
        assert bulk.job_download(job, "gabungan.pdf").name == f"sertifikat-kelas-{class_id}-gabungan.pdf"
        assert bulk.job_download(job, "lain.exe") is None
        files.store().delete(storage.AREA, archive.stored)
        assert bulk.job_download(job, "sertifikat.zip") is None


def _form(**values: str) -> CertificateSettingsForm:
    form = CertificateSettingsForm(formdata=MultiDict({**VALUES, **values}), meta={"csrf": False})
    assert form.validate(), form.errors
    return form


def test_settings_are_saved_with_their_images(app, programme) -> None:
    with app.app_context(), app.test_request_context():
        settings = settings_for(db.session.get(Programme, programme.id))
        save_settings(settings, _form(title="PIAGAM"), logo=_png(), signature=_png())
        assert settings.title == "PIAGAM"
        assert settings.logo_image.endswith(".png")
        assert settings.signature_image.endswith(".png")
        save_settings(settings, _form(), remove_logo=True)
        assert settings.logo_image is None
        assert settings.signature_image is not None


def test_a_refused_image_is_reported_on_its_field_and_no_image_is_kept(app, programme) -> None:
    with app.app_context(), app.test_request_context():
        settings = settings_for(db.session.get(Programme, programme.id))
        db.session.commit()
        before = set(files.store().names(storage.IMAGES))
        with pytest.raises(ValidationFailed) as refused:
            save_settings(settings, _form(title="PIAGAM"), logo=_png(), signature=b"<svg onload=alert(1)></svg>")
        assert [problem.field for problem in refused.value.problems] == ["signature"]
        assert set(files.store().names(storage.IMAGES)) == before  # the good logo was deleted again
        assert settings.logo_image is None
        assert settings.title != "PIAGAM"  # nothing of the form was applied
        db.session.rollback()
        assert db.session.get(CertificateSettings, programme.id).title == "SERTIFIKAT"


def test_the_settings_form_shows_the_saved_signatories(app) -> None:
    with app.test_request_context():
        form = CertificateSettingsForm(meta={"csrf": False})
        form.show_signatories([])
        assert form.signatory_position.data == DEFAULT_SIGNATORY["position"]
        assert form.signatory2_position.data is None
        two = [{"position": "Kepala", "name": "A", "nip": ""}, {"position": "Kadis", "name": "B", "nip": "1" * 18}]
        form.show_signatories(two)
        assert (form.signatory_position.data, form.signatory_name.data) == ("Kepala", "A")
        assert (form.signatory2_position.data, form.signatory2_nip.data) == ("Kadis", "1" * 18)
