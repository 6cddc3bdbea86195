"""Sibimtek: the application factory and its registration steps."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, session
from flask_login import current_user

from app.extensions import babel, csrf, db, limiter, login_manager, migrate
from config import BASE_DIR, CONFIGS, Config, ProductionConfig


def create_app(config: str | type[Config] | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: `config` is a name (development/testing/production), a class, or None
    to read SIBIMTEK_ENV (production when unset, so a forgotten variable fails safe)."""
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        # INSTANCE_PATH: the folder of this server's own files (SQLite database, local file store).
        instance_path=os.environ.get("INSTANCE_PATH") or str(BASE_DIR / "instance"),
    )
    if config is None:
        config = os.environ.get("SIBIMTEK_ENV", "production")
    config_class = CONFIGS[config] if isinstance(config, str) else config
    app.config.from_object(config_class)
    app.config.update(overrides or {})
    if issubclass(config_class, ProductionConfig):
        ProductionConfig.check(app.config)
    secure_instance_folder(app)
    if app.config.get("CLOCK_TRAVEL_TO"):
        from app import clock

        clock.travel_to(clock.parse(app.config["CLOCK_TRAVEL_TO"]))

    register_logging(app)
    register_request_ids(app)
    register_extensions(app)
    register_blueprints(app)
    register_log_masking(app)
    register_health_checks(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_commands(app)
    return app


def secure_instance_folder(app: Flask) -> None:
    """The instance folder (SQLite database, uploaded letters, certificates) is for the app's
    user only: 0700, also when it already existed; the database file itself is made 0600 when
    SQLite first opens it (app.extensions)."""
    folder = Path(app.instance_path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        folder.chmod(0o700)
    except OSError as error:  # e.g. a folder owned by another user: say so, do not refuse to start
        logging.getLogger(__name__).warning("cannot make %s private (0700): %s", folder, error)


class ConsoleHandler(logging.StreamHandler):
    """The app's own log output (stderr), formatted as LOG_FORMAT says."""


def register_logging(app: Flask) -> None:
    """Log to stderr, as text or one JSON object per line (LOG_FORMAT); every record carries its
    request's id, and personal numbers (NIK, phone, email, …) are masked in every record."""
    from lokal.samaran.logging import SamaranFilter

    from app.core.request_id import RequestIdFilter, log_formatter

    root = logging.getLogger()
    if not app.testing and not root.handlers:
        root.addHandler(ConsoleHandler())
    for handler in root.handlers:
        if isinstance(handler, ConsoleHandler):
            handler.setFormatter(log_formatter(app.config["LOG_FORMAT"]))
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
        if not any(isinstance(f, SamaranFilter) for f in handler.filters):
            handler.addFilter(SamaranFilter())
    for name in ("gunicorn.access", "gunicorn.error"):  # gunicorn's own handlers: a query string may hold a NIK
        logger = logging.getLogger(name)
        if not any(isinstance(f, SamaranFilter) for f in logger.filters):
            logger.addFilter(SamaranFilter())
    root.setLevel(app.config["LOG_LEVEL"])
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)


def register_request_ids(app: Flask) -> None:
    """Each answer names its request (X-Request-ID), as its log lines and error page do."""
    from app.core import request_id

    request_id.register(app)


def select_locale() -> str:
    """Session choice, then the account's, then the default (Indonesian)."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in languages:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register_extensions(app: Flask) -> None:
    if app.config.get("PROXY_COUNT"):  # the client's address, not the proxy's (X-Forwarded-For)
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), compare_type=True, render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    from app.auth.views import load_user

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page itself says what to do
    login_manager.session_protection = "basic"
    # Only a live server-side session logs a browser in; no "remember me" cookie is ever set, and
    # one sent anyway finds no session token, so it logs nobody in.
    login_manager.user_loader(load_user)


def register_blueprints(app: Flask) -> None:
    from app.core.errors import BoundedIntegerConverter

    app.url_map.converters["int"] = BoundedIntegerConverter  # before any rule is added
    from app import (
        api,
        attendance,
        auth,
        catalogue,
        certificates,
        core,
        libraries,
        mail,
        privacy,
        programmes,
        regions,
        registration,
        reports,
    )

    for module in (
        core,
        auth,
        regions,
        libraries,
        mail,
        programmes,
        catalogue,
        registration,
        attendance,
        certificates,
        privacy,
        reports,
        api,
    ):
        app.register_blueprint(module.bp)
    # Each domain answers the signals of the domains below it (which do not import it).
    from app.attendance import signals as attendance_signals
    from app.certificates import signals as certificate_signals
    from app.reports import signals as report_signals

    registration.signals.connect_signals()
    attendance_signals.connect_signals()
    certificate_signals.connect_signals()
    report_signals.connect_signals()


def register_log_masking(app: Flask) -> None:
    """Tokens of reset and verification links never reach a log line (the URL map names the routes)."""
    from app.mail.services import register_log_masking as register

    register(app)


def register_health_checks(app: Flask) -> None:
    """/readyz checks the database, Redis and the file store."""
    from app.core import health
    from app.core.files import check_store

    health.register(app)
    health.add_readiness_check(app, "storage", check_store)


def register_errorhandlers(app: Flask) -> None:
    from app.core.errors import register_errorhandlers as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from app import navigation
    from app.core import template_helpers

    template_helpers.register(app)
    navigation.register(app)


def register_security_headers(app: Flask) -> None:
    from app.core import headers

    headers.register(app)


def register_commands(app: Flask) -> None:
    from app.auth.cli import users_cli
    from app.backup.cli import backup, restore
    from app.certificates.cli import certificates_cli
    from app.core.files.cli import files_cli
    from app.demo import seed_cli
    from app.privacy.cli import privacy_cli
    from app.processes.cli import jobs_cli
    from app.programmes.cli import classes_cli
    from app.regions.cli import regions_cli
    from app.registration.cli import registrations_cli

    app.cli.add_command(regions_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(classes_cli)
    app.cli.add_command(registrations_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(files_cli)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
