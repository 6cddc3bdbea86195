"""Benchmark: 1,238 participants register through the HTTP layer (gunicorn, real sockets), on
SQLite and on PostgreSQL in the same run. Prints requests per second and latency percentiles of
the registration POST, the PostgreSQL/SQLite ratio, and one JSON line per database:
{"database": …, "requests_per_second": …, "p95_ms": …}.

Usage: .venv/bin/python bench/registration_bench.py [--participants 1238] [--clients 8]
PostgreSQL is taken from BENCH_DATABASE_URL (default: database sibimtek_bench on 127.0.0.1,
created when missing); without a reachable server that part is skipped, loudly.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-" + "x" * 40
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(database_url: str, participants: int) -> list[tuple[int, str, int, str]]:
    """Fresh schema, regions, the demo plan with every 2027 class open (auto-approval), verified
    libraries and participant accounts with open login sessions. Returns, per participant:
    (class id, session cookie, library id, regency code)."""
    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from app import create_app
    from app.auth import services as auth
    from app.core.roles import Role
    from app.demo import load_demo
    from app.extensions import db
    from app.libraries import services as libraries
    from app.libraries.models import LibraryStatus, LibraryType
    from app.programmes.models import ApprovalMode, ClassStatus, Programme
    from app.regions.models import Regency

    sa_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": sa_url, "SECRET_KEY": SECRET})
    with app.app_context(), app.test_request_context():
        if database_url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        from app.regions.services import load_regions

        load_regions()
        load_demo()
        db.session.commit()
        programme = db.session.scalar(select(Programme).where(Programme.year == 2027))
        now = datetime.now(UTC)
        classes = [c for b in programme.batches for c in b.classes]
        for c in classes:
            c.status = ClassStatus.REGISTRATION_OPEN
            c.approval_mode = ApprovalMode.AUTO
            c.registration_opens_at = now - timedelta(days=1)
        db.session.commit()
        seats = sum(c.capacity for c in classes)
        plan: list[tuple[int, str, int, str]] = []
        serializer = app.session_interface.get_signing_serializer(app)
        n = 0
        for c in classes:
            libs = []
            for code in c.served_codes:
                first = db.session.scalar(select(Regency).where(Regency.province_code == code).order_by(Regency.code))
                libs.append(
                    libraries.create_library(
                        libraries.LibraryData(
                            name=f"Perpustakaan Bench {code}", type=LibraryType.DESA_KELURAHAN, regency_code=first.code
                        ),
                        status=LibraryStatus.VERIFIED,
                        by=None,
                    )
                )
            quota = round(participants * c.capacity / seats)
            for k in range(quota):
                n += 1
                library = libs[k % len(libs)]
                user = auth.create_staff(
                    email=f"bench{n}@peserta.id",
                    full_name=f"Peserta Bench {n}",
                    roles=[Role.PARTICIPANT],
                    send_setup_mail=False,
                )
                user.email_verified_at = now
                db.session.flush()
                token = auth.start_session(user, ip_address="127.0.0.1", user_agent="bench")
                cookie = serializer.dumps({"_user_id": str(user.id), "_fresh": True, "sid": token})
                plan.append((c.id, cookie, library.id, library.regency_code))
        db.session.commit()
    return plan[:participants]


def nik_for(n: int, province: str) -> str:
    return f"{province}7101" + f"05089{n % 10}"[:6] + f"{n % 10000:04d}"


def run_server(database_url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "SIBIMTEK_ENV": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "RATELIMIT_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def register_all(port: int, plan: list[tuple[int, str, int, str]], clients: int) -> list[float]:
    """Each client thread: GET the form (for its CSRF token, untimed), then POST (timed)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(items: list[tuple[int, tuple[int, str, int, str]]]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for n, (class_id, cookie, library_id, regency) in items:
            province = regency[:2]
            url = f"/katalog/{class_id}/daftar"
            conn.request("GET", url, headers={"Cookie": f"session={cookie}"})
            response = conn.getresponse()
            page = response.read().decode()
            set_cookie = response.getheader("Set-Cookie") or ""
            session = set_cookie.split(";")[0].split("=", 1)[1] if set_cookie.startswith("session=") else cookie
            token = CSRF_RE.search(page).group(1)
            body = urlencode(
                {
                    "csrf_token": token,
                    "province_code": province,
                    "regency_code": regency,
                    "library_id": library_id,
                    "full_name": f"Peserta Bench {n}",
                    "nik": nik_for(n, province),
                    "gender": "L",
                    "birth_place": "Mataram",
                    "birth_date": "1989-08-05",
                    "position": "Pengelola perpustakaan",
                    "employment_status": "honorer",
                    "email": f"bench{n}@peserta.id",
                    "whatsapp": f"0812{n:08d}",
                    "name_confirmed": "y",
                    "consent": "y",
                }
            )
            started = time.perf_counter()
            conn.request(
                "POST",
                url,
                body=body,
                headers={"Cookie": f"session={session}", "Content-Type": "application/x-www-form-urlencoded"},
            )
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status != 302:
                    errors.append(f"{n}: HTTP {response.status}")
        conn.close()

    numbered = list(enumerate(plan, start=1))
    threads = [threading.Thread(target=worker, args=(numbered[i::clients],)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} registrations failed, e.g. {errors[:3]}")
    return latencies


def count_approved(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    with create_engine(url).connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM registrations WHERE status = 'approved' AND email LIKE 'bench%'")
        ).scalar()


def bench(name: str, database_url: str, participants: int, clients: int) -> dict:
    plan = prepare(database_url, participants)
    port = free_port()
    server = run_server(database_url, port)
    try:
        started = time.perf_counter()
        latencies = register_all(port, plan, clients)
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    ordered = sorted(latencies)
    result = {
        "database": name,
        "registrations": len(latencies),
        "approved": count_approved(database_url),
        "seconds": round(wall, 2),
        "requests_per_second": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
    }
    print(
        f"{name:10} {result['registrations']} registrations ({result['approved']} approved) in "
        f"{result['seconds']} s: {result['requests_per_second']} req/s, p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms"
    )
    return result


def postgres_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/sibimtek_bench")
    try:
        import psycopg

        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, connect_timeout=3, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        return url
    except Exception as exc:  # noqa: BLE001 - any failure: no PostgreSQL for the benchmark
        print(f"!! PostgreSQL not reachable ({exc}); its part of the benchmark is SKIPPED")
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1238)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(bench("sqlite", f"sqlite:///{folder}/bench.db", args.participants, args.clients))
    pg = postgres_url()
    if pg:
        results.append(bench("postgresql", pg, args.participants, args.clients))
        ratio = results[1]["requests_per_second"] / results[0]["requests_per_second"]
        print(f"postgresql/sqlite throughput ratio: {ratio:.2f}")
    for result in results:
        print(json.dumps({k: result[k] for k in ("database", "requests_per_second", "p95_ms")}))


if __name__ == "__main__":
    main()
