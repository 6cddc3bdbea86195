"""A Redis of the worker's own (db 12 unless TEST_WORKER_REDIS_URL says otherwise), emptied around
each test, and real `flask jobs worker` processes started on it against the suite's database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from config import BASE_DIR
from tests.proc_tree import descendants

REDIS_URL = os.environ.get("TEST_WORKER_REDIS_URL", "redis://127.0.0.1:6379/12")


@pytest.fixture
def redis_url() -> Iterator[str]:
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL} ({type(error).__name__}): the worker needs one")
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()


def worker_env(app: Flask, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a worker process: the suite's database, this Redis, the testing settings."""
    env = {k: v for k, v in os.environ.items() if k not in {"JOBS_IN_PROCESS", "MAIL_SERVER"}}
    env.update(
        SIBIMTEK_ENV="testing",
        FLASK_APP="wsgi.py",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=redis_url,
        JOBS_IN_PROCESS="0",  # the testing default runs jobs in the process that asks
        PYTHONPATH=str(BASE_DIR),
        **extra,
    )
    return env


@pytest.fixture
def start_worker(app: Flask, redis_url: str, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen]]:
    """`start_worker("--burst", PDF_WORKERS="1")`: a real `flask jobs worker` process, its output
    in a file (shown when the test fails); killed at the end if still running."""
    started: list[subprocess.Popen] = []

    def start(*args: str, **env: str) -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "jobs", "worker", *args],
            cwd=BASE_DIR,
            env=worker_env(app, redis_url, **env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            kill_tree(process.pid)
            process.wait(timeout=10)
    for path in sorted(tmp_path.glob("worker-*.log")):
        print(f"--- {path.name}\n{path.read_text()[-4000:]}")


def kill_tree(root: int) -> None:
    """SIGKILL a process and everything below it, as a machine or container dying would: all are
    stopped first, so none goes on writing while the others die."""
    for _ in range(3):  # a process forked meanwhile is caught by the next round
        for pid in {root} | descendants(root):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        time.sleep(0.05)
    for pid in {root} | descendants(root):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
