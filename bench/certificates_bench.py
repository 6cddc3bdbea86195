"""Benchmark: render the 1,238 certificates of the demo programme into the ZIP through the bulk
job's code path, and in the same run a naive one-document-per-certificate loop over a sample.
Prints seconds, ms per certificate, the speed-up over the naive loop and peak RSS per process;
the last line is one JSON object: count, seconds, ms_per_certificate, speedup_vs_naive, peak_rss_mb,
file_store, cpu_seconds (of the bench and every process below it during the job: the machine's
other work disturbs it less than the seconds) and naive_page_ms (the machine's pace).

With --rq the job is enqueued on Redis (REDIS_URL, or --redis) and run by a real `flask jobs
worker` process started beforehand (its start-up is printed apart): the time is from the enqueue
until the job is DONE in the database.

Usage: .venv/bin/python bench/certificates_bench.py [--sample 40] [--rq [--redis URL]]   (or: make bench)
A throw-away SQLite database and the local file store, unless DATABASE_URL names a PostgreSQL
database whose name contains "bench" (its schema is dropped and rebuilt) and FILE_STORE=database
keeps the files in it: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sibimtek_bench
FILE_STORE=database .venv/bin/python bench/certificates_bench.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.proc_tree import descendants  # noqa: E402 - after the path


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used so far (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PeakMemory(threading.Thread):
    """Peak RSS (VmHWM) of every process below this one, read from /proc while the job runs: the
    PDF workers are children of the fork server, not of this process, so getrusage misses them.
    Also the CPU time each used during the job (as last seen: up to 0.25 s of a process that ends
    is missed), which a machine shared with other work disturbs less than the seconds."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, float] = {}
        self.cpu_last: dict[int, float] = {}
        self.restart_cpu()
        self.running = True

    def restart_cpu(self) -> None:
        """Count CPU time from now on (not the RQ worker's start)."""
        self.cpu_start = {pid: cpu_seconds(pid) or 0.0 for pid in descendants(os.getpid())}
        self.own_start = time.process_time()

    def run(self) -> None:
        while self.running:
            self.sample()
            time.sleep(0.25)

    def sample(self) -> None:
        for pid in descendants(os.getpid()):
            used = cpu_seconds(pid)
            if used is not None:
                self.cpu_last[pid] = used
            try:
                with open(f"/proc/{pid}/status") as handle:
                    for line in handle:
                        if line.startswith("VmHWM:"):
                            self.peaks[pid] = max(self.peaks.get(pid, 0), int(line.split()[1]) / 1024)
            except OSError:
                continue

    def cpu(self) -> float:
        """CPU seconds of this process and every process below it since the start."""
        below = sum(used - self.cpu_start.get(pid, 0.0) for pid, used in self.cpu_last.items())
        return time.process_time() - self.own_start + below


def run_on_worker(app: object, job: object, folder: str, redis_url: str, memory: PeakMemory) -> float:
    """Start `flask jobs worker` on this database and instance folder, wait until it listens,
    enqueue the job and return the seconds until it is DONE; the worker is then stopped (SIGTERM)."""
    from redis import Redis
    from rq import Queue, Worker
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    from app import jobs
    from app.certificates import bulk
    from app.certificates.models import JobStatus
    from app.extensions import db

    connection = Redis.from_url(redis_url)
    Queue(jobs.QUEUE, connection=connection).empty()
    env = dict(
        os.environ,
        SIBIMTEK_ENV="testing",
        FLASK_APP="wsgi.py",
        PYTHONPATH=str(ROOT),
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],  # type: ignore[attr-defined]
        INSTANCE_PATH=folder,
        REDIS_URL=redis_url,
        JOBS_IN_PROCESS="0",
    )
    booted = time.perf_counter()
    worker = subprocess.Popen([sys.executable, "-m", "flask", "jobs", "worker"], cwd=ROOT, env=env)
    try:
        while Worker.count(connection=connection) == 0:
            if worker.poll() is not None:
                raise SystemExit("the worker stopped at once: see its output above")
            time.sleep(0.05)
        print(f"worker process listening after {time.perf_counter() - booted:.1f} s", flush=True)
        app.config.update(REDIS_URL=redis_url, JOBS_IN_PROCESS=False)  # type: ignore[attr-defined]
        finished, failed = FinishedJobRegistry(jobs.QUEUE, connection), FailedJobRegistry(jobs.QUEUE, connection)
        ended = finished.count + failed.count  # earlier runs' jobs are kept there a while
        job_id = job.id  # type: ignore[attr-defined]
        db.session.commit()  # SQLite: this process holds no lock while the worker writes
        memory.restart_cpu()
        started = time.perf_counter()
        assert bulk.start(job_id) == "rq"
        while finished.count + failed.count == ended:  # watched in Redis: no lock on the SQLite the worker writes
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        db.session.refresh(job)
        if job.status is not JobStatus.DONE:  # type: ignore[attr-defined]
            raise SystemExit(f"the job failed: {job.error}")  # type: ignore[attr-defined]
        return seconds
    finally:
        worker.send_signal(signal.SIGTERM)  # warm shutdown: it is idle now
        worker.wait(timeout=30)


def main() -> None:
    summary, _blank, usage = __doc__.partition("\n\n")
    parser = argparse.ArgumentParser(description=summary, epilog=usage, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sample", type=int, default=40, help="certificates for the naive loop")
    parser.add_argument("--rq", action="store_true", help="run the job on a real RQ worker process")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    from flask_migrate import upgrade
    from sqlalchemy import make_url, select, text

    from app import create_app
    from app.certificates import bulk, issuing, rendering, storage
    from app.certificates.models import BulkJob
    from app.certificates.settings import settings_for
    from app.core import files
    from app.demo import load_demo
    from app.extensions import db
    from app.pdf.render import render_pdf
    from app.programmes.models import Programme
    from app.regions.services import load_regions
    from app.registration.models import Registration, RegistrationStatus

    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL")
        app = create_app("testing", {} if url else {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db"})
        app.instance_path = folder
        with app.app_context(), app.test_request_context():
            if url:
                name = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database or ""
                if "bench" not in name:
                    raise SystemExit(f"refusing to wipe database {name!r}: its name must contain 'bench'")
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE"))
                    connection.execute(text("CREATE SCHEMA public"))
            upgrade(directory=str(ROOT / "migrations"))
            load_regions()
            load_demo(full_scale=True)
            programme = db.session.scalar(select(Programme).where(Programme.year == 2023))
            far = date.today() + timedelta(days=3650)
            registrations = db.session.scalars(
                select(Registration).where(
                    Registration.programme_id == programme.id, Registration.status == RegistrationStatus.APPROVED
                )
            ).all()
            for registration in registrations:  # attendance aside: the benchmark is about rendering
                issuing.issue(registration, by=None, override_reason="benchmark", today=far)
            db.session.commit()
            certificates = bulk.certificates_in(bulk.classes_in("programme", programme.id))
            count = len(certificates)
            print(f"{count} certificates issued; rendering …", flush=True)

            job = BulkJob(scope="programme", scope_id=programme.id)
            db.session.add(job)
            db.session.commit()
            import logging

            phases = logging.getLogger("app.certificates.bulk")
            phases.setLevel(logging.INFO)
            phases.disabled = False  # alembic's fileConfig disables loggers that exist
            phases.addHandler(logging.StreamHandler(sys.stdout))
            memory = PeakMemory()
            memory.start()
            if args.rq:
                seconds = run_on_worker(app, job, folder, args.redis, memory)
            else:
                started = time.perf_counter()
                bulk.run_job(job.id)
                seconds = time.perf_counter() - started
            memory.running = False
            memory.join()
            memory.sample()
            cpu = memory.cpu()
            job_main_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the naive loop
            zip_size = files.store().size(storage.AREA, job.zip_path) or 0

            settings = settings_for(programme)
            sample = certificates[: args.sample]
            render_pdf(rendering.full_html([sample[0]], settings))  # warm up (fonts), as the workers are
            naive_started = time.perf_counter()
            for certificate in sample:
                render_pdf(rendering.full_html([certificate], settings))
            naive_ms = 1000 * (time.perf_counter() - naive_started) / len(sample)
            # for comparison with other machines: the certificate page alone, one document each
            settings.show_agenda_page = False
            page_started = time.perf_counter()
            for certificate in sample:
                render_pdf(rendering.full_html([certificate], settings))
            page_ms = 1000 * (time.perf_counter() - page_started) / len(sample)
            db.session.rollback()

    ms = 1000 * seconds / count
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_mb = max(memory.peaks.values(), default=0)
    print(
        f"bulk job: {count} certificates (ZIP {zip_size / 1e6:.1f} MB + combined PDF) in {seconds:.1f} s "
        f"= {ms:.1f} ms/certificate; {cpu:.1f} CPU seconds in all its processes"
    )
    print(
        f"naive loop (sample of {len(sample)}): {naive_ms:.1f} ms/certificate "
        f"→ {naive_ms * count / 1000:.1f} s for {count}"
    )
    print(f"naive loop without the agenda page: {page_ms:.1f} ms/certificate (the machine's pace)")
    print(f"speed-up over the naive loop: {naive_ms / ms:.2f}x")
    print(
        f"peak RSS: main process {job_main_mb:.0f} MB during the job ({self_mb:.0f} MB with the naive loop), "
        f"largest PDF worker {workers_mb:.0f} MB over {len(memory.peaks)} child processes"
    )
    print(
        json.dumps(
            {
                "count": count,
                "seconds": round(seconds, 2),
                "ms_per_certificate": round(ms, 2),
                "speedup_vs_naive": round(naive_ms / ms, 2),
                "cpu_seconds": round(cpu, 2),
                "naive_page_ms": round(page_ms, 1),
                "peak_rss_mb": round(max(workers_mb, 0), 1),
                "file_store": app.config["FILE_STORE"],
            }
        )
    )


if __name__ == "__main__":
    main()
