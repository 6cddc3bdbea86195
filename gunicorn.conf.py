"""gunicorn settings for Sibimtek: `gunicorn -c gunicorn.conf.py wsgi:app` (README: Running in production).

Every value comes from the environment, with defaults for one app server behind an HTTPS proxy on the
same machine."""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


bind = f"{os.environ.get('HOST', '0.0.0.0')}:{_int('PORT', 8000)}"  # noqa: S104 - behind the proxy, in its network
# 2 × cores + 1 processes, each with 2 threads: a thread waiting on the database lets the other
# run, while more threads per process fight over Python's GIL when the CPU is busy (bench/rush.py,
# 500 registrations at once on 2 cores: 4 threads cost ~44 ms of CPU per registration, 2 ~27–31 ms;
# docs/registration-rush.md).
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 2)
# PDFs render in worker processes of their own, stopped after PDF_RENDER_TIMEOUT (60 s by default):
# a request is given that long before gunicorn restarts the worker that serves it.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30  # on restart or deploy, requests under way may finish
keepalive = 5  # seconds: the proxy reuses its connections to us
# A worker is replaced after this many requests (spread by the jitter, so not all at once): memory
# that a long-running process accumulates is given back.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# The proxies whose X-Forwarded-Proto gunicorn believes (https, so url_for builds https links and the
# secure cookie is sent). The client's address behind them is read by the app itself, PROXY_COUNT hops
# back in X-Forwarded-For (werkzeug's ProxyFix in app/factory.py): set both for the same proxies.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Access log on stdout, one line per request: client, request line, status, bytes, seconds taken and
# the request id (the same as on the app's log lines and on an error page's "Kode insiden"). Tokens
# of reset links and personal numbers are masked by the app's filters on gunicorn.access.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss request_id=%({x-request-id}o)s "%(a)s"'
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def post_worker_init(worker: object) -> None:
    """Before a worker's first request: the region tree the registration form reads (not in the
    first registrations of a rush)."""
    from app.regions.services import load_areas

    load_areas()
