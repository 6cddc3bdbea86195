"""The RQ worker killed in the middle of a programme-wide certificate job (SIGKILL: the worker, its
work horse and PDF processes at once): a new worker finds the job silent, queues it again and
finishes it, with no certificate number given twice and one stored PDF per certificate."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from app import clock as app_clock
from app.certificates import bulk, issuing, storage
from app.certificates.models import BulkJob, Certificate, JobStatus
from app.core import files
from app.extensions import db
from app.programmes.models import TrainingClass
from app.registration.models import Registration, RegistrationStatus
from tests.processes.conftest import kill_tree

CLASSES, PER_CLASS = 3, 50


def _programme_of_150(app, open_class, register) -> int:
    """Three classes of 50 approved participants, every certificate issued; the programme's id."""
    class_ids = [open_class(capacity=PER_CLASS + 5) for _ in range(CLASSES)]
    for index, class_id in enumerate(class_ids):
        for n in range(PER_CLASS):
            register(class_id, 1 + index * PER_CLASS + n)
    with app.app_context(), app.test_request_context():
        far = date.today() + timedelta(days=3650)  # attendance aside: this is about the job
        for registration in db.session.scalars(
            select(Registration).where(Registration.status == RegistrationStatus.APPROVED)
        ):
            issuing.issue(registration, by=None, override_reason="uji pekerja", today=far)
        db.session.commit()
        return db.session.get_one(TrainingClass, class_ids[0]).batch.programme_id


def _job(app, job_id: int) -> BulkJob:
    with app.app_context():
        job = db.session.get_one(BulkJob, job_id)
        db.session.expunge(job)
        return job


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_job_killed_with_its_worker_is_finished_by_the_next_worker(
    app, redis_url, start_worker, open_class, register, monkeypatch
) -> None:
    programme_id = _programme_of_150(app, open_class, register)

    def stored_pdfs() -> set[str]:
        with app.app_context():
            return {name for name in files.store().names(storage.AREA) if name.endswith(".pdf") and "/" not in name}

    before = stored_pdfs()  # other tests' files stay in the local store
    with monkeypatch.context() as patch, app.app_context():  # as the web process enqueues it
        patch.setitem(app.config, "REDIS_URL", redis_url)
        patch.setitem(app.config, "JOBS_IN_PROCESS", False)
        job = BulkJob(scope="programme", scope_id=programme_id)
        db.session.add(job)
        db.session.commit()
        assert bulk.start(job.id) == "rq"
        job_id = job.id
    # One PDF process: the job renders two chunks of 75, one after the other.
    settings = {"PDF_WORKERS": "1", "JOB_HEARTBEAT_SECONDS": "1", "JOB_STALL_SECONDS": "3"}
    first = start_worker(**settings)
    _wait(lambda: _job(app, job_id).done > 0 or first.poll() is not None, 60, "the first chunk")
    kill_tree(first.pid)
    first.wait(timeout=10)
    killed = _job(app, job_id)
    assert killed.status is JobStatus.RUNNING
    assert 0 < killed.done < killed.total == CLASSES * PER_CLASS

    # nothing beats for the dead job: once silent for JOB_STALL_SECONDS it counts as stopped
    _wait(lambda: _job(app, job_id).stalled(app_clock.now(), 3), 10, "the job to count as stopped")
    assert _job(app, job_id).heartbeat_at == killed.heartbeat_at
    second = start_worker("--burst", **settings)
    second.wait(timeout=60)  # it queues the job again as it starts, runs it, and stops (--burst)
    assert second.returncode == 0
    finished = _job(app, job_id)
    assert (finished.status, finished.done, finished.total) == (JobStatus.DONE, 150, 150)

    with app.app_context():
        certificates = db.session.scalars(select(Certificate)).all()
        assert len(certificates) == 150
        assert all(count == 1 for count in Counter(c.number for c in certificates).values())
        assert len({(c.programme_id, c.seq) for c in certificates}) == 150
        written = Counter(name.split("-")[0] for name in stored_pdfs() - before)
        assert written == Counter({str(c.id): 1 for c in certificates})  # one file each, none twice
        for certificate in certificates:
            assert storage.read_pdf(certificate).startswith(b"%PDF")


def test_sigterm_lets_the_worker_finish_the_job_in_hand(
    app, redis_url, start_worker, finished_class, monkeypatch
) -> None:
    import signal

    with monkeypatch.context() as patch, app.app_context():
        patch.setitem(app.config, "REDIS_URL", redis_url)
        patch.setitem(app.config, "JOBS_IN_PROCESS", False)
        job = BulkJob(scope="class", scope_id=finished_class["class_id"])
        db.session.add(job)
        db.session.commit()
        assert bulk.start(job.id) == "rq"
        job_id = job.id
    worker = start_worker()  # not --burst: it would wait for more work
    _wait(lambda: _job(app, job_id).status is not JobStatus.QUEUED, 60, "the job to start")
    assert _job(app, job_id).status is JobStatus.RUNNING  # rendering takes a few seconds
    worker.send_signal(signal.SIGTERM)  # a deploy or scale-down: RQ's warm shutdown
    assert worker.wait(timeout=60) == 0
    assert _job(app, job_id).status is JobStatus.DONE
