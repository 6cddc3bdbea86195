"""The registration rush through HTTP, for tests/registration/test_rush.py and bench/rush.py: a class
of few seats (automatic approval, registration open, dates from app.clock), verified participant
accounts, a real gunicorn started with gunicorn.conf.py, browsers that log in through the login page
and register all at once, and what the database says afterwards."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "rush-sandi-Bimtek-2026"  # noqa: S105 - the accounts of a throw-away database
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LOCK_HELD_RE = re.compile(r"seat lock on class (\d+) held ([\d.]+) ms")
# a decision made in PostgreSQL also says how long its call took and how much of that it waited
DECISION_CALL_RE = re.compile(r"seat lock on class (\d+) held [\d.]+ ms \(decision call ([\d.]+) ms, ([\d.]+) ms")
LIBRARY_REGENCIES = {"52": "52.71", "51": "51.71"}  # Kota Mataram, Kota Denpasar


@dataclass
class RushWorld:
    class_id: int
    capacity: int
    emails: list[str]
    libraries: dict[str, int]  # province code → a verified village library there


def build_world(app: Flask, participants: int, capacity: int = 22, first: int = 1) -> RushWorld:
    """A programme with one class of `capacity` seats for Bali and NTB, open now with automatic
    approval, and `participants` verified participant accounts (one password hash for all: hashing
    500 passwords would only slow the set-up). Committed."""
    from app import clock
    from app.auth import services as auth
    from app.auth.passwords import hash_password
    from app.core.roles import Role
    from app.extensions import db
    from app.libraries import services as libraries
    from app.libraries.models import LibraryStatus, LibraryType
    from app.programmes import services as planning
    from app.programmes.models import ApprovalMode, ClassStatus
    from tests.fixtures_planning import class_data

    with app.app_context(), app.test_request_context():
        now = clock.now()
        start = now.date() + timedelta(days=30)
        programme = planning.create_programme(
            planning.ProgrammeData(code=f"RUSH{first}", name="Bimtek SPP-TIK (rush)", year=start.year, jp_total=40),
            by=None,
        )
        batch = planning.create_batch(
            programme,
            planning.BatchData(number=1, name="Angkatan 1", start_date=start, end_date=start + timedelta(days=5)),
            by=None,
        )
        training_class = planning.create_class(
            batch,
            class_data(
                start_date=start,
                end_date=start + timedelta(days=3),
                capacity=capacity,
                registration_opens_at=now - timedelta(days=1),
                registration_closes_at=now + timedelta(days=10),
                provinces={"51": None, "52": None},
            ),
            by=None,
        )
        training_class.status = ClassStatus.REGISTRATION_OPEN
        training_class.approval_mode = ApprovalMode.AUTO
        found = {}
        for province, regency in LIBRARY_REGENCIES.items():
            found[province] = libraries.create_library(
                libraries.LibraryData(
                    name=f"Perpustakaan Desa Rush {first} {province}",
                    type=LibraryType.DESA_KELURAHAN,
                    regency_code=regency,
                ),
                status=LibraryStatus.VERIFIED,
                by=None,
            ).id
        password_hash = hash_password(PASSWORD)
        emails = []
        for n in range(first, first + participants):
            user = auth.create_staff(
                email=f"rush{n}@perpusdes.id",
                full_name=f"Peserta Rush {n}",
                roles=[Role.PARTICIPANT],
                send_setup_mail=False,
            )
            user.password_hash, user.email_verified_at, user.privacy_consent_at = password_hash, now, now
            emails.append(user.email)
        db.session.commit()
        return RushWorld(training_class.id, capacity, emails, found)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(
    database_url: str, log_path: Path, *, workers: int, threads: int, redis_url: str | None, env: dict | None = None
) -> tuple[subprocess.Popen, int]:
    """gunicorn -c gunicorn.conf.py wsgi:app on a free port, its log (app and access) into `log_path`.
    One proxy hop is trusted (PROXY_COUNT=1): each browser says its own address in X-Forwarded-For,
    so the per-address rate limits count people, as behind the real load balancer."""
    port = free_port()
    server_env = {
        **os.environ,
        "SIBIMTEK_ENV": "development",
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": str(threads),
        "PROXY_COUNT": "1",
        "LOG_LEVEL": "INFO",
        **(env or {}),
    }
    server_env.pop("REDIS_URL", None)
    if redis_url:
        server_env["REDIS_URL"] = redis_url
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = log_path.open("w")
    server = subprocess.Popen(  # noqa: S603
        [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server, port
        except OSError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            stop(server)
            raise RuntimeError(f"gunicorn did not start: {log_path.read_text()[-2000:]}")
        time.sleep(0.2)


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Browser:
    """One person's browser: its own connection, cookies and address (X-Forwarded-For)."""

    def __init__(self, port: int, address: str) -> None:
        self.port, self.address = port, address
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, url: str, form: dict[str, object] | None = None) -> tuple[int, str, str]:
        """(status, Location, body); keeps the cookies it is given. Reconnects once if the server
        closed a kept-alive connection."""
        headers = {"X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, url, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=Thu, 01 Jan 1970" in header or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, response.getheader("Location") or "", text

    def csrf(self, url: str) -> str:
        status, _location, page = self.request("GET", url)
        found = CSRF_RE.search(page)
        if status != 200 or found is None:
            raise RuntimeError(f"GET {url}: HTTP {status}, no form")
        return found.group(1)

    def log_in(self, email: str) -> None:
        token = self.csrf("/masuk")
        status, location, _page = self.request(
            "POST", "/masuk", {"csrf_token": token, "email": email, "password": PASSWORD}
        )
        if status != 302 or "/masuk" in location:
            raise RuntimeError(f"login of {email}: HTTP {status} → {location}")

    def close(self) -> None:
        self.conn.close()


def registration_form(world: RushWorld, n: int, token: str) -> dict[str, object]:
    """A valid registration of person `n` (NIK, library and address of their own), as the form posts it."""
    province = "52" if n % 3 else "51"  # both provinces the class serves
    district = {"52": "527101", "51": "517101"}[province]
    return {
        "csrf_token": token,
        "province_code": province,
        "regency_code": LIBRARY_REGENCIES[province],
        "library_id": world.libraries[province],
        "full_name": f"Peserta Rush {n}",
        "nik": f"{district}050890{n % 10000:04d}",
        "gender": "L",
        "birth_place": "Mataram",
        "birth_date": "1990-08-05",
        "position": "Pengelola perpustakaan",
        "employment_status": "honorer",
        "email": f"rush{n}@perpusdes.id",
        "whatsapp": f"0812{n:08d}",
        "name_confirmed": "y",
        "consent": "y",
    }


@dataclass
class Burst:
    latencies: list[float] = field(default_factory=list)  # seconds, one per request
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, float | int]:
        ordered = sorted(self.latencies) or [0.0]
        return {
            "requests": len(self.latencies),
            "errors": len(self.errors),
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(percentile(ordered, 95) * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1),
        }


def percentile(ordered: list[float], p: float) -> float:
    """The nearest-rank percentile of sorted values (0 for none)."""
    if not ordered:
        return 0.0
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def in_parallel(
    browsers: list[Browser],
    prepare: Callable,
    fire: Callable,
    limit: float = 300,
    on_release: Callable[[], None] | None = None,
) -> Burst:
    """Each browser runs `prepare(i, browser)` (untimed, returns what `fire` needs), then all wait at a
    barrier and run `fire(i, browser, prepared)` -> error text or None at once, timed. `on_release`
    runs once, as the barrier opens (the bench starts counting CPU time there)."""
    burst = Burst()
    lock = threading.Lock()
    barrier = threading.Barrier(len(browsers), action=on_release)

    def run(i: int, browser: Browser) -> None:
        try:
            prepared = prepare(i, browser)
        except Exception as exc:  # noqa: BLE001 - counted as an error, the barrier still released
            with lock:
                burst.errors.append(f"prepare {i}: {exc}")
            prepared = None
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=limit)
        if prepared is None:
            return
        started = time.perf_counter()
        try:
            error = fire(i, browser, prepared)
        except Exception as exc:  # noqa: BLE001 - a dropped connection is an error of the burst
            error = f"{type(exc).__name__}: {exc}"
        elapsed = time.perf_counter() - started
        with lock:
            burst.latencies.append(elapsed)
            if error:
                burst.errors.append(f"{i}: {error}")

    threads = [threading.Thread(target=run, args=(i, b), daemon=True) for i, b in enumerate(browsers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=limit)
    return burst


def log_in_all(port: int, emails: list[str], first_address: int = 0, parallel: int = 8) -> list[Browser]:
    """One logged-in browser per account (logins `parallel` at a time: they hash passwords)."""
    browsers = [Browser(port, address_of(first_address + i)) for i in range(len(emails))]
    problems: list[str] = []

    def work(chunk: list[int]) -> None:
        for i in chunk:
            try:
                browsers[i].log_in(emails[i])
            except Exception as exc:  # noqa: BLE001 - reported below
                problems.append(str(exc))

    threads = [threading.Thread(target=work, args=(list(range(k, len(emails), parallel)),)) for k in range(parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if problems:
        raise RuntimeError(f"{len(problems)} logins failed, e.g. {problems[:3]}")
    return browsers


def address_of(i: int) -> str:
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def register_all(
    world: RushWorld, browsers: list[Browser], numbers: list[int], on_release: Callable[[], None] | None = None
) -> Burst:
    """Each browser opens the form (untimed), then all post their registration at once."""
    url = f"/katalog/{world.class_id}/daftar"

    def prepare(i: int, browser: Browser) -> str:
        return browser.csrf(url)

    def fire(i: int, browser: Browser, token: str) -> str | None:
        status, location, page = browser.request("POST", url, registration_form(world, numbers[i], token))
        if status != 302 or not location.endswith("/pendaftaran-saya"):
            return f"HTTP {status} → {location or page[:200]}"
        return None

    return in_parallel(browsers, prepare, fire, on_release=on_release)


def get_all(
    browsers: list[Browser], url: str | list[str], expect: str, on_release: Callable[[], None] | None = None
) -> Burst:
    """All browsers GET `url` (or each its own of a list) at once: a 200 whose page contains
    `expect`, else an error."""

    def fire(i: int, browser: Browser, _prepared: object) -> str | None:
        status, _location, page = browser.request("GET", url if isinstance(url, str) else url[i])
        if status != 200 or expect not in page:
            return f"HTTP {status}"
        return None

    return in_parallel(browsers, lambda i, b: True, fire, on_release=on_release)


@dataclass
class Outcome:
    approved: int
    waitlisted: int
    other: int
    positions: list[int]  # the waiting list's places, sorted

    @property
    def exact(self) -> bool:
        return self.positions == list(range(1, self.waitlisted + 1))


def outcome(app: Flask, class_id: int) -> Outcome:
    """What the database holds for the class: statuses, and each waiting person's place (as their
    mail counts it, seats.waitlist_position)."""
    from app.extensions import db
    from app.registration import seats
    from app.registration.models import Registration, RegistrationStatus

    with app.app_context():
        rows = list(db.session.scalars(select(Registration).where(Registration.class_id == class_id)))
        waiting = [r for r in rows if r.status is RegistrationStatus.WAITLISTED]
        approved = sum(r.status is RegistrationStatus.APPROVED for r in rows)
        result = Outcome(
            approved=approved,
            waitlisted=len(waiting),
            other=len(rows) - approved - len(waiting),
            positions=sorted(seats.waitlist_position(r) or 0 for r in waiting),
        )
        db.session.rollback()
        return result


def lock_holds(log_text: str, class_id: int) -> list[float]:
    """The class lock's hold times (ms) in a server log (app.registration.seats's lines)."""
    return [float(ms) for cid, ms in LOCK_HELD_RE.findall(log_text) if int(cid) == class_id]


def decision_calls(log_text: str, class_id: int) -> list[tuple[float, float]]:
    """(call ms, of which waiting for the lock ms) of each seat decision made in PostgreSQL: the call
    minus its wait bounds the lock's hold from above, commit and the way back included."""
    return [
        (float(call), float(wait)) for cid, call, wait in DECISION_CALL_RE.findall(log_text) if int(cid) == class_id
    ]
