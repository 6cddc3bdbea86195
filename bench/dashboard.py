"""Benchmark: the programme dashboard (its XLSX, API and PDF) and coverage on the full 2023 demo, on SQLite and
PostgreSQL.

Loads `flask seed demo --full` into a throw-away SQLite database and into PostgreSQL (BENCH_DATABASE_URL,
or --postgres-url; the database's schema is dropped and rebuilt, so never point it at one you keep),
then requests the dashboard as the demo organiser and as the NTB coordinator, unfiltered and with
filters. Prints p50 / p95 in ms and statements per request, per database; exit status 1 when p95 on
PostgreSQL is over 200 ms or a page runs more statements than its budget (tests/budgets.py).

Usage: .venv/bin/python bench/dashboard.py [--runs 30] [--postgres-url postgresql://…/bench_dash]
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
sys.path.insert(0, str(ROOT / "bench"))

from pages import build, timed_gets, token_of  # noqa: E402  (the same full demo and timing as bench/pages.py)

from tests.budgets import BUDGETS  # noqa: E402

GOAL_P95_MS = 200.0  # on PostgreSQL


def requests(app) -> list[tuple[str, str, str]]:
    """(budget name, login email, url) of what is measured."""
    from sqlalchemy import select

    from app.extensions import db
    from app.programmes.models import Programme

    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.year == 2023))
        batch = programme.batches[0].id
    organiser, coordinator = "panitia@sibimtek.id", "koordinator.ntb@sibimtek.id"
    url = f"/kelola/program/{programme.id}/dasbor"
    return [
        ("programme dashboard", organiser, url),
        ("programme dashboard", organiser, f"{url}?provinsi=52&jenis=desa_kelurahan"),
        ("programme dashboard", organiser, f"{url}?angkatan={batch}&dari=2023-01-01&sampai=2023-12-31"),
        ("programme dashboard (xlsx)", organiser, f"{url}.xlsx"),
        ("programme dashboard (coordinator)", coordinator, url),
        ("coverage", organiser, "/kelola/cakupan"),
        ("coverage (not reached)", organiser, "/kelola/cakupan?tampilan=belum"),
        ("coverage (coordinator)", coordinator, "/kelola/cakupan"),
        ("api programme dashboard", f"api:{organiser}", f"/api/v1/programmes/{programme.id}/dashboard"),
        ("programme report (pdf)", organiser, f"/kelola/program/{programme.id}/laporan.pdf"),
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(app, runs: int) -> list[dict[str, object]]:

    from app.demo import DEMO_PASSWORD
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    clients: dict[str, object] = {}
    results = []
    for name, email, url in requests(app):
        if email not in clients:
            clients[email] = app.test_client()
            if email.startswith("api:"):
                clients[email].environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token_of(app, email[4:])}"
            else:
                clients[email].post("/masuk", data={"email": email, "password": DEMO_PASSWORD})
        client = clients[email]
        client.get(url)  # warm
        counts, times = timed_gets(client, engine, name, url, runs if "pdf" not in name else max(3, runs // 6))
        results.append(
            {
                "page": name,
                "url": url.split("/dasbor", 1)[1] or "(none)" if "/dasbor" in url else url,
                "statements": max(counts),
                "budget": BUDGETS[name],
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
            }
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        databases = [("sqlite", f"sqlite:///{tmp}/dashboard.db")]
        if args.postgres_url:
            databases.append(("postgresql", args.postgres_url))
        else:
            print("PostgreSQL skipped: set BENCH_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1/bench_dash)")
        for label, url in databases:
            start = time.perf_counter()
            app = build(url)
            print(f"\n{label}: full demo loaded in {time.perf_counter() - start:.1f} s")
            results = measure(app, args.runs)
            print(f"{'page':34} {'filters':42} {'statements':>10} {'budget':>6} {'p50 ms':>7} {'p95 ms':>7}")
            for r in results:
                flag = ""
                if r["statements"] > r["budget"]:
                    flag, failures = "  OVER BUDGET", failures + 1
                if label == "postgresql" and r["page"].startswith("programme dashboard") and r["p95_ms"] > GOAL_P95_MS:
                    flag, failures = flag + f"  p95 > {GOAL_P95_MS:.0f} ms", failures + 1
                print(
                    f"{r['page']:34} {r['url']:42} {r['statements']:>10} {r['budget']:>6}"
                    f" {r['p50_ms']:>7} {r['p95_ms']:>7}{flag}"
                )
            for r in results:
                print(json.dumps({"database": label, **r}, ensure_ascii=False))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
