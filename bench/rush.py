"""Benchmark: the registration rush (issue #15) through HTTP on PostgreSQL, gunicorn and Redis.

A fresh database (migrated, regions, the demo with its issued 2023 certificates), one class of 22
seats open now with automatic approval, and verified participant accounts that log in through the
login page. Then, each burst released at once by a barrier: 500 registrations for the class (then
200 more, for a second class of 22), 200 certificate verifications, 200 "Pendaftaran saya" pages.
Checks: exactly 22 approved per class, the rest waiting in places 1…N, no error. Prints progress on
stderr and ONE JSON line on stdout: latencies (p50/p95/max ms) per burst and the class lock's hold
time (p95 ms, from the server's log lines "seat lock on class N held X ms"), and what each burst
cost in CPU: per request in the app servers and on the whole machine, and the p95 that this CPU
time alone allows on this machine's cores (cpu_bound_p95_ms: no design of the lock goes below it).

Usage: .venv/bin/python bench/rush.py [--participants 500] [--second 200] [--database-url URL]
       [--redis-url redis://127.0.0.1:6379/11] [--workers 4] [--threads 2]
The database (default BENCH_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/sibimtek_rush_bench)
is created when missing and emptied. Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import rush  # noqa: E402 - after the path is set
from tests.proc_tree import busy_seconds, cpu_seconds, descendants  # noqa: E402

SECRET = "rush-bench-secret-" + "x" * 40


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def build(database_url: str):
    """Migrated from empty, regions and the demo (its Mataram class of 2023 has issued certificates)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.demo import load_demo
    from app.extensions import db
    from app.regions.services import load_regions

    sa_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": sa_url, "SECRET_KEY": SECRET})
    with app.app_context(), app.test_request_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        load_regions()
        load_demo()
        db.session.commit()
    return app


def certificate_codes(app) -> list[str]:
    from sqlalchemy import select

    from app.certificates.models import Certificate
    from app.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(Certificate.code).order_by(Certificate.id)))


class CpuUse:
    """The CPU time a burst costs: the app servers' (gunicorn's processes) and the whole machine's
    (PostgreSQL, Redis and this client included), per request; and the p95 that this cost alone
    allows when every request arrives at once: the 95th request in a hundred is answered no sooner
    than 95 % of the burst's CPU time spread over all cores."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.pids = descendants(server_pid) | {server_pid}
        self.app = self.busy = 0.0

    def start(self) -> None:
        """As the burst is released (the barrier's action): the untimed preparation is not counted."""
        self.app_start, self.busy_start = cpu_seconds(self.pids), busy_seconds()

    def stop(self) -> None:
        self.app = cpu_seconds(self.pids) - self.app_start
        self.busy = busy_seconds() - self.busy_start

    def summary(self, requests: int) -> dict[str, float]:
        cores = os.cpu_count() or 1
        return {
            "app_cpu_ms_per_request": round(self.app / requests * 1000, 1),
            "machine_cpu_ms_per_request": round(self.busy / requests * 1000, 1),
            "cpu_bound_p95_ms": round(0.95 * self.busy / cores * 1000, 1),
        }


def burst_of_registrations(
    app, port: int, world: rush.RushWorld, browsers, first: int, holds_log: Path, server_pid: int
) -> dict:
    numbers = list(range(first, first + len(browsers)))
    cpu = CpuUse(server_pid)
    burst = rush.register_all(world, browsers, numbers, on_release=cpu.start)
    cpu.stop()
    time.sleep(0.5)  # the last log lines reach the file
    result = rush.outcome(app, world.class_id)
    holds = sorted(rush.lock_holds(holds_log.read_text(), world.class_id))
    calls = rush.decision_calls(holds_log.read_text(), world.class_id)
    bounds = sorted(call - wait for call, wait in calls)
    return {
        **burst.summary(),
        **cpu.summary(len(browsers)),
        "approved": result.approved,
        "waitlisted": result.waitlisted,
        "positions_exact": result.exact,
        "lock_decisions": len(holds),
        "lock_p50_ms": round(rush.percentile(holds, 50), 2),
        "lock_p95_ms": round(rush.percentile(holds, 95), 2),
        "lock_max_ms": round(holds[-1], 2) if holds else 0.0,
        # the decision call as the app saw it, less its wait for the lock: the hold's upper bound
        # (commit, the way back and the app thread's turn on the CPU included)
        "lock_bound_p95_ms": round(rush.percentile(bounds, 95), 2),
        "decision_call_p95_ms": round(rush.percentile(sorted(call for call, _ in calls), 95), 2),
        "ok": not burst.errors
        and result.approved == world.capacity
        and result.waitlisted == len(browsers) - world.capacity
        and result.other == 0
        and result.exact,
        "error_examples": burst.errors[:3],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--second", type=int, default=200, help="the second burst (its own class of 22)")
    parser.add_argument("--readers", type=int, default=200, help="verifications and 'Pendaftaran saya' at once")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/sibimtek_rush_bench"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--env", action="append", default=[], type=lambda v: tuple(v.split("=", 1)), help="NAME=value for gunicorn"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    create_database(args.database_url)
    app = build(args.database_url)
    world = rush.build_world(app, participants=args.participants, capacity=22)
    second = rush.build_world(app, participants=args.second, capacity=22, first=args.participants + 1)
    codes = certificate_codes(app)
    say(f"data ready in {time.perf_counter() - started:.1f} s ({len(codes)} certificates to verify)")
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "gunicorn.log"
        server, port = rush.start_gunicorn(
            args.database_url,
            log,
            workers=args.workers,
            threads=args.threads,
            redis_url=args.redis_url or None,
            # The accounts' password hash was made with the suite's cheap argon2 parameters (one hash
            # for all): logins need no rehash at 64 MiB, which is not what this measures.
            # No worker is replaced mid-run (after GUNICORN_MAX_REQUESTS, 1,000 in production): a new
            # one's start-up inside a burst is noise, and its CPU time would be counted by no one.
            env={
                "SECRET_KEY": SECRET,
                "ARGON2_TIME_COST": "1",
                "ARGON2_MEMORY_COST": "1024",
                "GUNICORN_MAX_REQUESTS": "100000",
                **dict(args.env),
            },
        )
        try:
            mark = time.perf_counter()
            browsers = rush.log_in_all(port, world.emails)
            later = rush.log_in_all(port, second.emails, first_address=len(browsers))
            say(f"{len(browsers) + len(later)} logins over HTTP in {time.perf_counter() - mark:.1f} s")
            results: dict[str, object] = {}
            results[f"register_{len(browsers)}"] = burst_of_registrations(
                app, port, world, browsers, 1, log, server.pid
            )
            say(f"burst {len(browsers)}: {results[f'register_{len(browsers)}']}")
            if later:
                results[f"register_{len(later)}"] = burst_of_registrations(
                    app, port, second, later, args.participants + 1, log, server.pid
                )
                say(f"burst {len(later)}: {results[f'register_{len(later)}']}")
            readers = [rush.Browser(port, rush.address_of(100_000 + i)) for i in range(args.readers)]
            cpu = CpuUse(server.pid)
            verified = rush.get_all(
                readers, [f"/verifikasi/{codes[i % len(codes)]}" for i in range(args.readers)], "Nomor", cpu.start
            )
            cpu.stop()
            results["verify"] = {
                **verified.summary(),
                **cpu.summary(args.readers),
                "ok": not verified.errors,
                "error_examples": verified.errors[:3],
            }
            say(f"verifications: {results['verify']}")
            cpu = CpuUse(server.pid)
            mine = rush.get_all(browsers[: args.readers], "/pendaftaran-saya", "Pendaftaran saya", cpu.start)
            cpu.stop()
            results["mine"] = {
                **mine.summary(),
                **cpu.summary(args.readers),
                "ok": not mine.errors,
                "error_examples": mine.errors[:3],
            }
            say(f"Pendaftaran saya: {results['mine']}")
            for browser in browsers + later + readers:
                browser.close()
        finally:
            rush.stop(server)
        lines = log.read_text().splitlines()
        server_errors = [line for line in lines if " ERROR " in line or "Traceback" in line]
        # gunicorn replaces a worker after GUNICORN_MAX_REQUESTS (a new one boots the app again)
        restarts = sum("Autorestarting worker" in line for line in lines)
    ok = all(r["ok"] for r in results.values() if isinstance(r, dict)) and not server_errors
    print(
        json.dumps(
            {
                "bench": "rush",
                "database": "postgresql",
                "gunicorn": f"{args.workers}x{args.threads}",
                "cpus": os.cpu_count(),
                **results,
                "server_errors": len(server_errors),
                "worker_restarts": restarts,
                "ok": ok,
                "seconds": round(time.perf_counter() - started, 1),
            },
            ensure_ascii=False,
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
