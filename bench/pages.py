"""Benchmark: SQL statements and p50 time of the heavy pages, on the full 2023 demo (1,238 people).

Loads `flask seed demo --full` into a throw-away database, logs in as the demo organiser and the demo
participant, and requests each page several times through the app (no network). Prints one line per
page: statements per request, p50 in ms, and the budget of tests/core/test_query_budgets.py; then
one JSON line per page. Exit status 1 when a page is over its budget.

Usage: .venv/bin/python bench/pages.py [--runs 7] [--database-url postgresql://…]
(default: SQLite in a temporary folder; BENCH_DATABASE_URL is used when set).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The budgets the tests hold every page to (statements per request, whatever the number of rows).
from tests.budgets import BUDGETS  # noqa: E402


def build(database_url: str):
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.demo import load_demo
    from app.extensions import db
    from app.regions.services import load_regions

    sa_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": sa_url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False},
    )
    with app.app_context(), app.test_request_context():
        if sa_url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        load_regions()
        load_demo(full_scale=True)
        db.session.commit()
    return app


def pages(app) -> list[tuple[str, str, str]]:
    """(name, login email, url) for every page with a budget."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.programmes.models import Programme, TrainingClass
    from app.registration.models import Registration

    with app.app_context():
        mataram = db.session.scalar(
            select(TrainingClass).where(TrainingClass.venue_name.like("Aston Inn%")).order_by(TrainingClass.id)
        )
        programme = db.session.scalar(select(Programme).where(Programme.year == 2023))
        biggest = db.session.scalar(
            select(Registration.class_id).group_by(Registration.class_id).order_by(func.count().desc()).limit(1)
        )
    organiser, participant = "panitia@sibimtek.id", "peserta@sibimtek.id"
    coordinator = "koordinator.ntb@sibimtek.id"
    return [
        ("class certificates (Mataram)", organiser, f"/kelola/kelas/{mataram.id}/sertifikat"),
        ("class certificates (largest)", organiser, f"/kelola/kelas/{biggest}/sertifikat"),
        ("programme attendance report", organiser, f"/presensi/program/{programme.id}/laporan"),
        ("class registrations (largest)", organiser, f"/kelola/kelas/{biggest}/pendaftar"),
        ("programme registrations", organiser, f"/kelola/program/{programme.id}/pendaftar"),
        ("public catalogue", "", "/katalog"),
        ("Pendaftaran saya", participant, "/pendaftaran-saya"),
        ("organiser home", organiser, "/beranda"),
        ("training hours (JP)", organiser, "/kelola/jp?tahun=2023"),
        ("coverage", organiser, "/kelola/cakupan"),
        ("coverage (not reached)", organiser, "/kelola/cakupan?tampilan=belum"),
        # the read-only API, with a personal access token of the same accounts
        ("api programmes", f"api:{organiser}", "/api/v1/programmes"),
        ("api classes", f"api:{organiser}", f"/api/v1/classes?programme_id={programme.id}&per_page=100"),
        ("api class registrations", f"api:{organiser}", f"/api/v1/classes/{biggest}/registrations?per_page=100"),
        ("api classes (coordinator)", f"api:{coordinator}", f"/api/v1/classes?programme_id={programme.id}"),
    ]


def token_of(app, email: str) -> str:
    """A fresh personal access token of the account (the API's Bearer secret)."""
    from sqlalchemy import select

    from app.auth import api_tokens
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        secret = api_tokens.create_token(user, "bench").secret
        db.session.commit()
    return secret


def timed_gets(client, engine, name: str, url: str, runs: int) -> tuple[list[int], list[float]]:
    """GET `url` `runs` times: the SQL statements and the milliseconds of each request (exits on a non-200)."""
    from sqlalchemy import event

    counts, times = [], []
    for _ in range(runs):
        seen = [0]

        def on_execute(*_args: object, seen: list[int] = seen) -> None:
            seen[0] += 1

        event.listen(engine, "before_cursor_execute", on_execute)
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        event.remove(engine, "before_cursor_execute", on_execute)
        counts.append(seen[0])
        if response.status_code != 200:
            raise SystemExit(f"{name}: {url} answered {response.status_code}")
    return counts, times


def measure(app, runs: int) -> list[dict[str, object]]:

    from app.demo import DEMO_PASSWORD
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    clients: dict[str, object] = {}
    results = []
    for name, email, url in pages(app):
        if email not in clients:
            client = app.test_client()
            if email.startswith("api:"):
                client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token_of(app, email[4:])}"
            elif email:
                client.post("/masuk", data={"email": email, "password": DEMO_PASSWORD})
            clients[email] = client
        client = clients[email]
        counts, times = timed_gets(client, engine, name, url, runs)
        results.append(
            {
                "page": name,
                "url": url,
                "statements": max(counts),
                "p50_ms": round(statistics.median(times), 1),
                "budget": BUDGETS.get(name),
            }
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/pages.db"
        start = time.perf_counter()
        app = build(url)
        print(f"full demo loaded into {url.split('@')[-1]} in {time.perf_counter() - start:.1f} s")
        results = measure(app, args.runs)
    over = 0
    print(f"{'page':34} {'statements':>10} {'budget':>7} {'p50 ms':>8}")
    for r in results:
        flag = ""
        if r["budget"] is not None and r["statements"] > r["budget"]:
            flag, over = "  OVER", over + 1
        print(f"{r['page']:34} {r['statements']:>10} {str(r['budget'] or '-'):>7} {r['p50_ms']:>8}{flag}")
    for r in results:
        print(json.dumps(r, ensure_ascii=False))
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
