"""Bulk certificates: the background job issues, renders in chunks, zips; resumable; RQ on Redis."""

from __future__ import annotations

import io
import os
import subprocess
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.certificates import bulk, issuing, storage
from app.certificates.models import BulkJob, Certificate, JobStatus
from app.core import files
from app.extensions import db
from tests.certificates.test_certificates import ARTIFACTS


def _job(app, scope: str, scope_id: int) -> int:
    with app.app_context():
        job = BulkJob(scope=scope, scope_id=scope_id)
        db.session.add(job)
        db.session.commit()
        return job.id


def test_a_job_issues_renders_and_zips_the_class(app, finished_class) -> None:
    job_id = _job(app, "class", finished_class["class_id"])
    with app.app_context(), app.test_request_context():
        bulk.run_job(job_id)
        job = db.session.get(BulkJob, job_id)
        assert (job.status, job.total, job.done, job.percent) == (JobStatus.DONE, 2, 2, 100)
        archive = zipfile.ZipFile(io.BytesIO(files.store().read(storage.AREA, job.zip_path)))
        names = sorted(archive.namelist())
        certificates = db.session.scalars(select(Certificate).order_by(Certificate.seq)).all()
        assert names == sorted(c.file_name for c in certificates)
        for certificate in certificates:
            text = PdfReader(io.BytesIO(archive.read(certificate.file_name))).pages[0].extract_text()
            assert certificate.holder_name in text
            assert certificate.number in text
        combined = PdfReader(io.BytesIO(files.store().read(storage.AREA, job.combined_path)))
        assert len(combined.pages) == 2  # one page each (this class has no agenda page)
        for page, certificate in zip(combined.pages, certificates, strict=True):  # in order, whichever chunk came first
            assert certificate.number in page.extract_text()


def test_a_resumed_job_adds_no_numbers_and_reuses_files(app, finished_class) -> None:
    first = _job(app, "class", finished_class["class_id"])
    with app.app_context(), app.test_request_context():
        bulk.run_job(first)
        before = {c.id: (c.seq, c.pdf_path) for c in db.session.scalars(select(Certificate))}
    second = _job(app, "class", finished_class["class_id"])
    with app.app_context(), app.test_request_context():
        bulk.run_job(second)
        after = {c.id: (c.seq, c.pdf_path) for c in db.session.scalars(select(Certificate))}
    assert after == before


def test_a_resumed_job_zips_stored_and_new_files_in_the_certificates_order(app, finished_class) -> None:
    """The ZIP takes fresh renders from the staging folder and earlier ones from the store, and
    lists them in the certificates' order whichever came first."""
    first = _job(app, "class", finished_class["class_id"])
    with app.app_context(), app.test_request_context():
        bulk.run_job(first)
        certificates = db.session.scalars(select(Certificate).order_by(Certificate.seq)).all()
        certificates[0].content_hash = None  # as if its data changed: rendered again, the other reused
        db.session.commit()
    second = _job(app, "class", finished_class["class_id"])
    with app.app_context(), app.test_request_context():
        bulk.run_job(second)
        job = db.session.get(BulkJob, second)
        certificates = db.session.scalars(select(Certificate).order_by(Certificate.seq)).all()
        archive = zipfile.ZipFile(io.BytesIO(files.store().read(storage.AREA, job.zip_path)))
        assert archive.namelist() == [c.file_name for c in certificates]
        for certificate in certificates:
            assert archive.read(certificate.file_name) == files.store().read(storage.AREA, certificate.pdf_path)
        assert archive.testzip() is None


def _stored(certificate: Certificate) -> PdfReader:
    return PdfReader(io.BytesIO(files.store().read(storage.AREA, certificate.pdf_path)))


def test_each_certificate_is_stored_as_its_own_one_page_pdf(app, finished_class) -> None:
    with app.app_context(), app.test_request_context():
        from app.programmes.models import TrainingClass

        issuing.issue_class(db.session.get(TrainingClass, finished_class["class_id"]), by=None)
        certificates = db.session.scalars(select(Certificate).order_by(Certificate.seq)).all()
        bulk.render_many(certificates, workers=2)
        for certificate, other in zip(certificates, reversed(certificates), strict=True):
            reader = _stored(certificate)
            assert len(reader.pages) == 1
            text = reader.pages[0].extract_text()
            assert certificate.holder_name in text
            assert other.holder_name not in text
            # only its own QR image: WeasyPrint shares resources across a document, pruned per page
            overlay = reader.pages[0]["/Resources"]["/XObject"]
            images = [k for k, v in overlay.items() if v.get_object().get("/Subtype") == "/Image"]
            assert len(images) == 1
        db.session.commit()


def test_chunks_are_even_and_a_multiple_of_the_workers() -> None:
    assert bulk.plan_chunks(0, 2) == []
    assert bulk.plan_chunks(3, 2) == [(0, 2), (2, 3)]
    plan = bulk.plan_chunks(1238, 2)
    assert len(plan) % 2 == 0
    assert (plan[0][0], plan[-1][1]) == (0, 1238)
    assert max(end - start for start, end in plan) <= bulk.CHUNK
    assert all(a[1] == b[0] for a, b in zip(plan, plan[1:], strict=False))


def test_chunks_are_cut_where_a_class_begins() -> None:
    classes = [44] * 28  # 1,232 people in 28 classes of 44
    starts = [sum(classes[:i]) for i in range(1, len(classes))]
    plan = bulk.plan_chunks(sum(classes), 2, starts)
    assert len(plan) == 14
    assert all(end - start == 88 for start, end in plan)  # two whole classes each
    assert {start for start, _end in plan} - {0} <= set(starts)
    lopsided = bulk.plan_chunks(100, 2, [3])  # no class start near the middle: cut in the middle
    assert lopsided == [(0, 50), (50, 100)]


def test_a_chunk_whose_pages_do_not_add_up_writes_nothing(app, tmp_path) -> None:
    from app.pdf import layers

    html = (
        '<html><body><section id="s0">background</section>'
        '<section id="s1" style="page-break-before: always">one</section></body></html>'
    )
    claims_two = layers.Chunk(html=html, groups=[layers.Group(False, ["a.pdf", "b.pdf"])], folder=str(tmp_path))
    assert layers.render_chunk(claims_two) is False
    assert list(tmp_path.iterdir()) == []
    right = layers.Chunk(html=html, groups=[layers.Group(False, ["a.pdf"])], folder=str(tmp_path))
    assert layers.render_chunk(right) is True
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="runs in CI's PostgreSQL pass, where Redis is set")
def test_the_job_runs_through_rq_on_redis(app, client, login_as, finished_class, monkeypatch) -> None:
    from redis import Redis
    from rq import Queue, SimpleWorker

    monkeypatch.setitem(app.config, "JOBS_IN_PROCESS", False)  # the suite's default runs jobs in threads

    from app.core.roles import Role
    from tests.conftest import csrf_token

    login_as(Role.ORGANISER)
    queue = Queue("sibimtek", connection=Redis.from_url(os.environ["REDIS_URL"]))
    queue.empty()
    token = csrf_token(client, f"/kelola/kelas/{finished_class['class_id']}/sertifikat")
    response = client.post(f"/kelola/sertifikat/massal/class/{finished_class['class_id']}", data={"csrf_token": token})
    assert response.status_code == 302
    assert queue.count == 1
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    status = client.get(response.headers["Location"] + ".json").get_json()
    assert status["status"] == "done"
    assert status["total"] == 2


def test_the_agenda_page_is_rendered_once_and_added_to_each_certificate(app, finished_class) -> None:
    from datetime import time

    from app.programmes import agenda
    from app.programmes.models import TrainingClass

    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, finished_class["class_id"])
        agenda.add_agenda_session(c, agenda.AgendaData(c.start_date, time(8), time(12), "Kebijakan TPBIS", 5), by=None)
        issuing.issue_class(c, by=None)
        certificates = db.session.scalars(select(Certificate).order_by(Certificate.seq)).all()
        bulk.render_many(certificates, workers=1)
        for certificate in certificates:
            pages = _stored(certificate).pages
            assert len(pages) == 2
            assert certificate.holder_name in pages[0].extract_text()
            assert "Kebijakan TPBIS" in pages[1].extract_text()
        db.session.commit()


def test_an_agenda_longer_than_a_page_is_kept_whole(app, finished_class) -> None:
    with app.app_context(), app.test_request_context():
        from app.programmes.models import TrainingClass

        issuing.issue_class(db.session.get(TrainingClass, finished_class["class_id"]), by=None)
        certificates = db.session.scalars(select(Certificate).order_by(Certificate.seq)).all()
        for certificate in certificates:  # frozen details: 40 topics do not fit on one page
            certificate.details = certificate.details | {
                "agenda": [{"day": "22 Mei 2023", "topic": f"Materi ke-{i}", "jp": 1} for i in range(1, 41)]
            }
        bulk.render_many(certificates, workers=1)
        for certificate in certificates:
            pages = _stored(certificate).pages
            assert len(pages) > 2
            assert certificate.holder_name in pages[0].extract_text()
            text = "".join(page.extract_text() for page in pages[1:])
            assert "Materi ke-1" in text
            assert "Materi ke-40" in text
        with files.store().local_copy(storage.AREA, certificates[0].pdf_path) as pdf:
            subprocess.run(
                ["pdftoppm", "-png", "-r", "50", "-f", "2", "-l", "3", str(pdf), str(ARTIFACTS / "certificate-agenda")],
                check=True,
            )  # looked at by a person
        db.session.commit()


def test_a_job_whose_worker_died_can_be_resumed(app, client, login_as, finished_class, monkeypatch) -> None:
    from datetime import timedelta

    from app.core.roles import Role
    from app.extensions import utcnow
    from tests.conftest import csrf_token

    monkeypatch.setitem(app.config, "JOBS_IN_PROCESS", True)
    job_id = _job(app, "class", finished_class["class_id"])
    with app.app_context():
        job = db.session.get(BulkJob, job_id)
        job.status, job.heartbeat_at = JobStatus.RUNNING, utcnow() - timedelta(minutes=1)
        db.session.commit()
    login_as(Role.ORGANISER)
    url = f"/kelola/sertifikat/pekerjaan/{job_id}"
    assert client.get(url + ".json").get_json()["stalled"] is False  # a minute of silence is normal
    assert "Lanjutkan" not in client.get(url).get_data(as_text=True)
    with app.app_context():
        db.session.get(BulkJob, job_id).heartbeat_at = utcnow() - timedelta(minutes=10)
        db.session.commit()
    assert client.get(url + ".json").get_json()["stalled"] is True
    page = client.get(url).get_data(as_text=True)
    assert "berhenti tanpa kabar" in page
    client.post(f"{url}/lanjutkan", data={"csrf_token": csrf_token(client, url)})
    import time

    for _ in range(200):  # the job runs in a thread here
        if client.get(url + ".json").get_json()["status"] == "done":
            break
        time.sleep(0.1)
    assert client.get(url + ".json").get_json() | {"stalled": None} == {
        "status": "done",
        "done": 2,
        "total": 2,
        "percent": 100,
        "error": None,
        "stalled": None,
    }


def test_a_newer_job_replaces_the_files_of_the_older_one(app, client, login_as, finished_class) -> None:
    from app.core.roles import Role

    first = _job(app, "class", finished_class["class_id"])
    with app.app_context(), app.test_request_context():
        bulk.run_job(first)
        old_zip = db.session.get(BulkJob, first).zip_path
        assert files.store().exists(storage.AREA, old_zip)
    second = _job(app, "class", finished_class["class_id"])
    with app.app_context(), app.test_request_context():
        bulk.run_job(second)
        assert db.session.get(BulkJob, first).zip_path is None
        assert not files.store().exists(storage.AREA, old_zip)
    login_as(Role.ORGANISER)
    page = client.get(f"/kelola/sertifikat/pekerjaan/{first}").get_data(as_text=True)
    assert "diganti oleh pekerjaan yang lebih baru" in page
    assert f"/kelola/sertifikat/pekerjaan/{second}" in page
    assert client.get(f"/kelola/sertifikat/pekerjaan/{first}/sertifikat.zip").status_code == 404
    assert client.get(f"/kelola/sertifikat/pekerjaan/{second}/sertifikat.zip").status_code == 200


def test_a_job_stopped_by_the_time_limit_fails_clearly_and_resumes(app, finished_class, monkeypatch) -> None:
    from app.pdf.pool import RenderTimeout

    job_id = _job(app, "class", finished_class["class_id"])
    monkeypatch.setitem(app.config, "PDF_RENDER_TIMEOUT", 0.001)
    with app.app_context(), app.test_request_context(), pytest.raises(RenderTimeout):
        bulk.run_job(job_id)
    with app.app_context():
        job = db.session.get(BulkJob, job_id)
        assert job.status is JobStatus.FAILED
        assert job.error.startswith("Pembuatan PDF melebihi batas waktu")
        numbers = sorted(db.session.scalars(select(Certificate.number)))
    monkeypatch.setitem(app.config, "PDF_RENDER_TIMEOUT", 60)
    with app.app_context(), app.test_request_context():
        bulk.run_job(job_id)
        job = db.session.get(BulkJob, job_id)
        assert (job.status, job.done, job.error) == (JobStatus.DONE, 2, None)
        assert sorted(db.session.scalars(select(Certificate.number))) == numbers  # no new numbers
