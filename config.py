"""Sibimtek settings, read from the environment (see README: Configuration)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSECURE_DEFAULT_KEY = "dev-insecure-change-me"  # noqa: S105 - refused in production


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ya"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def database_url(default: str) -> str:
    """DATABASE_URL (or `default`) with the psycopg 3 driver named, as SQLAlchemy needs it."""
    url = os.environ.get("DATABASE_URL") or default
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEFAULT_KEY)
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{BASE_DIR / 'instance' / 'sibimtek.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # The site's address as people reach it: links in QR codes made by background jobs.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    JOBS_IN_PROCESS = _bool("JOBS_IN_PROCESS", False)  # run background jobs in a thread even with Redis
    # A running certificate job beats every JOB_HEARTBEAT_SECONDS; silent for JOB_STALL_SECONDS, its
    # worker counts as dead and the job is queued again (by a starting worker or the scheduler).
    JOB_HEARTBEAT_SECONDS = _int("JOB_HEARTBEAT_SECONDS", 10)
    JOB_STALL_SECONDS = _int("JOB_STALL_SECONDS", 90)
    # `flask jobs scheduler`: the daily tasks at this time (HH:MM) in this zone; the class tick and
    # the sweeps every SCHEDULER_EVERY_MINUTES.
    SCHEDULER_DAILY_AT = os.environ.get("SCHEDULER_DAILY_AT", "02:00")
    SCHEDULER_ZONE = os.environ.get("SCHEDULER_ZONE", "Asia/Jakarta")
    SCHEDULER_EVERY_MINUTES = _int("SCHEDULER_EVERY_MINUTES", 5)
    # A mail still queued this long after it was written lost its worker job: sent again from its
    # stored text when that has no link with a token, else marked failed for the admins.
    MAIL_QUEUED_TIMEOUT_MINUTES = _int("MAIL_QUEUED_TIMEOUT_MINUTES", 30)
    # Password reset and resend-verification look up the address and mail after the answer has gone
    # out, so the answer takes as long for an unknown address as for an account (off: at once).
    WORK_AFTER_RESPONSE = _bool("WORK_AFTER_RESPONSE", True)
    # PDF rendering runs in worker processes: a single PDF is stopped after PDF_RENDER_TIMEOUT
    # seconds, a bulk job when no part finishes for that long; bulk jobs use PDF_WORKERS processes.
    PDF_RENDER_TIMEOUT = _int("PDF_RENDER_TIMEOUT", 60)
    # A PDF made in a request (programme report, daftar hadir): per user, and how many may wait for
    # the process's rendering worker before the next is answered 503 (Retry-After) instead of waiting.
    REPORT_PDF_LIMIT = os.environ.get("REPORT_PDF_LIMIT", "10 per minute")
    PDF_RENDER_QUEUE = _int("PDF_RENDER_QUEUE", 4)
    # Where every kept file goes (certificate PDFs, bulk ZIPs, logos, letters, pending imports;
    # app/core/files): "local", folders under the instance path (one machine), or "database",
    # the app's own database, which several app servers and RQ workers share (and pg_dump backs up).
    FILE_STORE = os.environ.get("FILE_STORE", "local")
    FILE_STORE_CHUNK = _int("FILE_STORE_CHUNK", 1024 * 1024)  # bytes per row of the database store
    PDF_WORKERS = _int("PDF_WORKERS", min(os.cpu_count() or 1, 4))

    # Flask-Limiter keeps its counters in Redis when there is one, so that all gunicorn
    # workers share them; otherwise in this process's memory.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    # Redis down: the limits are counted in this process's memory (a warning in the log) until it is
    # back (checked again after 1, 2, 4 … s), instead of every limited page answering 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = (  # a dead Redis must not hold a request for long
        {"socket_connect_timeout": 1, "socket_timeout": 1} if RATELIMIT_STORAGE_URI.startswith("redis") else {}
    )
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    API_LIMIT = os.environ.get("API_LIMIT", "120 per minute")  # per personal access token
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "10 per 15 minutes")
    # Reverse proxies in front of the app (each adds itself to X-Forwarded-For): the client's address
    # is read that many hops back, for rate limits, sessions and the access log. 0: no proxy.
    PROXY_COUNT = _int("PROXY_COUNT", 0)
    # Per account (any address): after this many wrong passwords the next attempt waits 1, 2, 4 …
    # seconds, at most LOGIN_DELAY_MAX_SECONDS; a browser that logged in to the account before
    # (a signed cookie, kept KNOWN_DEVICE_DAYS) does not wait.
    LOGIN_DELAY_AFTER_FAILURES = _int("LOGIN_DELAY_AFTER_FAILURES", 5)
    LOGIN_DELAY_MAX_SECONDS = _int("LOGIN_DELAY_MAX_SECONDS", 15 * 60)
    KNOWN_DEVICE_DAYS = _int("KNOWN_DEVICE_DAYS", 90)
    # A login ends after this long without a request, and this long after it began, whatever happens.
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 120)
    SESSION_ABSOLUTE_HOURS = _int("SESSION_ABSOLUTE_HOURS", 12)
    # Submits of the registration, correction and NIK-claim forms (together), per account and per
    # address; an office registering its staff shares one address, hence the higher second limit.
    REGISTRATION_LIMIT_PER_ACCOUNT = os.environ.get("REGISTRATION_LIMIT_PER_ACCOUNT", "10 per hour")
    REGISTRATION_LIMIT_PER_ADDRESS = os.environ.get("REGISTRATION_LIMIT_PER_ADDRESS", "60 per hour")

    BABEL_DEFAULT_LOCALE = os.environ.get("BABEL_DEFAULT_LOCALE", "id")
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")
    LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}

    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Sibimtek <noreply@sibimtek.id>")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 15)

    PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 60 * 60)  # seconds
    ACCOUNT_SETUP_MAX_AGE = _int("ACCOUNT_SETUP_MAX_AGE", 7 * 24 * 60 * 60)
    EMAIL_VERIFY_MAX_AGE = _int("EMAIL_VERIFY_MAX_AGE", 3 * 24 * 60 * 60)
    # Where participants write to the organisers (shown when they cannot do something themselves).
    SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "panitia@sibimtek.id")
    PRIVACY_NOTICE_VERSION = os.environ.get("PRIVACY_NOTICE_VERSION", "2026-11")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    STRICT_TRANSPORT_SECURITY: str | None = None  # sent in production only (plain HTTP on a laptop)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 10 * 1024 * 1024)
    PER_PAGE = 25
    ATTENDANCE_CLOSE_AFTER_DAYS = _int("ATTENDANCE_CLOSE_AFTER_DAYS", 3)
    ATTENDANCE_LATE_GRACE_MINUTES = _int("ATTENDANCE_LATE_GRACE_MINUTES", 15)
    QR_TOKEN_MAX_AGE = _int("QR_TOKEN_MAX_AGE", 60)  # seconds; the code on screen changes every 30
    # A code scanned in time by someone who then had to log in stays good this long (seconds).
    QR_LOGIN_GRACE = _int("QR_LOGIN_GRACE", 600)
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # "json": one object per line, for a log collector
    ARGON2_TIME_COST = _int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = _int("ARGON2_MEMORY_COST", 64 * 1024)  # KiB per hash (argon2-cffi's default)
    # NIK, NIP and phone numbers encrypted at rest (app/crypto.py): Fernet keys, comma-separated, the first
    # encrypts and all decrypt; a key for the NIK look-up hash. Unset: derived from SECRET_KEY
    # (development, tests); production requires both.
    PII_KEYS = os.environ.get("PII_KEYS") or None
    PII_HASH_KEY = os.environ.get("PII_HASH_KEY") or None
    # `flask privacy purge` anonymises people whose class ended more than this many days ago.
    PII_RETENTION_DAYS = _int("PII_RETENTION_DAYS", 5 * 365)
    # Try the app on another date: it starts at this moment (ISO, WIB when no offset) and runs on.
    CLOCK_TRAVEL_TO = os.environ.get("CLOCK_TRAVEL_TO") or None


class DevelopmentConfig(Config):
    """`make run`: SQLite in instance/, mail into the outbox, debug toolbar off."""

    ENV_NAME = "development"
    DEBUG = _bool("FLASK_DEBUG", False)


class TestingConfig(Config):
    """pytest: a throw-away database (or DATABASE_URL), fast hashing, limits on."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = database_url("sqlite:///" + str(BASE_DIR / "instance" / "test.db"))
    MAIL_SERVER = None
    WORK_AFTER_RESPONSE = False  # the test client does not close responses: mails are written at once
    # Jobs and mail in the test's own process, also when REDIS_URL is set (CI's PostgreSQL pass, for
    # the rate limits); the tests of the worker (tests/processes) turn it off.
    JOBS_IN_PROCESS = _bool("JOBS_IN_PROCESS", True)
    # Tests move the clock by days within one login; tests/auth/test_sessions.py sets the real limits.
    SESSION_IDLE_MINUTES = 10 * 365 * 24 * 60
    SESSION_ABSOLUTE_HOURS = 10 * 365 * 24
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024  # 1 MiB: the suite hashes thousands of passwords


class ProductionConfig(Config):
    """gunicorn behind HTTPS: secure cookies, a real SECRET_KEY, never DEBUG, a public address
    for every link that leaves the site, and only the Host headers of that address (and any in
    TRUSTED_HOSTS) are answered."""

    ENV_NAME = "production"
    PUBLIC_BASE_URL: str | None = os.environ.get("PUBLIC_BASE_URL") or None  # type: ignore[assignment]
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()] or None
    DEBUG = _bool("FLASK_DEBUG", False)
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    PREFERRED_URL_SCHEME = "https"
    PROXY_COUNT = _int("PROXY_COUNT", 1)  # gunicorn behind one HTTPS proxy, as the README sets it up
    # Browsers come back over HTTPS only, for a year, subdomains included ("" turns it off).
    STRICT_TRANSPORT_SECURITY = (
        os.environ.get("STRICT_TRANSPORT_SECURITY", "max-age=31536000; includeSubDomains") or None
    )

    @classmethod
    def check(cls, config: dict) -> None:
        """Refuse to start with settings that are unsafe in production."""
        key = config.get("SECRET_KEY")
        if not key or key == INSECURE_DEFAULT_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY belum diatur: production requires a random SECRET_KEY of at least "
                "32 characters (python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if config.get("DEBUG"):
            raise RuntimeError("DEBUG must be off in production (unset FLASK_DEBUG).")
        base = urlsplit(config.get("PUBLIC_BASE_URL") or "")
        if base.scheme != "https" or not base.hostname:
            raise RuntimeError(
                "PUBLIC_BASE_URL belum diatur: production requires the site's public https address "
                "(e.g. https://bimtek.perpusnas.go.id); links in mails and QR codes are built on it."
            )
        if not config.get("TRUSTED_HOSTS"):  # Flask answers 400 to any other Host header
            config["TRUSTED_HOSTS"] = [base.hostname]
        if config.get("CLOCK_TRAVEL_TO"):
            raise RuntimeError("CLOCK_TRAVEL_TO is for demos and tests; production reads the real clock.")
        from app.crypto import check_keys  # here: config.py is read before the app is importable

        if problem := check_keys(config):
            raise RuntimeError(problem)
        if not config.get("MAIL_SERVER"):  # else reset and set-up links would wait, live, in the outbox
            raise RuntimeError(
                "MAIL_SERVER belum diatur: production sends its mails (password resets, verification, "
                "registration news) over SMTP; set MAIL_SERVER (and MAIL_USERNAME/MAIL_PASSWORD)."
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
