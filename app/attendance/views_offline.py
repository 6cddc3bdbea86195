"""The roster as an installable offline app: service worker, web app manifest, offline fallback,
the "today" start page, and a fresh CSRF token for marks synced from a page kept offline."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import current_app, jsonify, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.attendance import bp, services
from app.core.access import public, roles_required
from app.core.headers import cacheable
from app.core.roles import MARKERS
from app.programmes.models import TrainingClass
from app.programmes.services import classes_of_facilitator

# Everything the roster needs besides the page itself; the service worker keeps a copy.
OFFLINE_ASSETS = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "css/app.css",
    "js/roster.js",
    "js/offline.js",
    "img/logo.svg",
    "img/icon-192.png",
    "img/icon-512.png",
)
# Roster pages the service worker has seen, one cache for the browser profile; emptied whenever
# the login page is shown (static/js/offline.js), so another account never sees them.
PAGES_CACHE = "sibimtek-pages"
# A kept roster is shown offline for at most this long after it was made (it holds personal data;
# a phone picked up by someone else days later shows none of it).
KEEP_HOURS = 48

_versions: dict[tuple[float, ...], str] = {}


def assets_version() -> str:
    """A hash of the offline assets: a new one makes browsers install the new service worker,
    which fetches the changed files (the hash is recomputed only when a file's mtime changes)."""
    folder = Path(current_app.static_folder or "static")
    paths = [folder / name for name in OFFLINE_ASSETS]
    stamp = tuple(p.stat().st_mtime for p in paths)
    if stamp not in _versions:
        digest = hashlib.sha256()
        for path in paths:
            digest.update(path.read_bytes())
        _versions[stamp] = digest.hexdigest()[:16]
    return _versions[stamp]


def offline_script_attributes(warm: list[str] | None = None) -> dict[str, object]:
    """What static/js/offline.js needs to register the service worker (and cache some pages)."""
    return {
        "sw": url_for("attendance.service_worker"),
        "scope": url_for("attendance.today"),
        "cache": PAGES_CACHE,
        "warm": warm or [],
    }


@bp.get("/presensi/sw.js")
@public
@cacheable
def service_worker() -> ResponseReturnValue:
    """The service worker; served under /presensi/ so that its scope covers the rosters."""
    body = render_template(
        "attendance/sw.js",
        version=assets_version(),
        pages_cache=PAGES_CACHE,
        keep_hours=KEEP_HOURS,
        assets=[url_for("static", filename=name) for name in OFFLINE_ASSETS],
        offline_url=url_for("attendance.offline"),
        today_url=url_for("attendance.today"),
        # "/presensi/kelas/": rosters are <prefix><class id>/<day>, the day-picking link <prefix><class id>
        class_prefix=url_for("attendance.class_days", class_id=0).rsplit("/", 1)[0] + "/",
    )
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # browsers check it for a new version at each visit
    return response


@bp.get("/presensi/manifest.webmanifest")
@public
def manifest() -> ResponseReturnValue:
    """Makes the roster installable: opens on today's classes, full screen, in the brand colours."""
    response = jsonify(
        {
            "name": _("Sibimtek Presensi"),
            "short_name": _("Presensi"),
            "description": _("Daftar peserta dan presensi kelas Bimtek, juga tanpa sinyal."),
            "lang": "id",
            "start_url": url_for("attendance.today"),
            "scope": url_for("attendance.today"),
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0b4f6c",
            "icons": [
                {"src": url_for("static", filename="img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": url_for("static", filename="img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {"src": url_for("static", filename="img/logo.svg"), "sizes": "any", "type": "image/svg+xml"},
            ],
        }
    )
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/presensi/luring")
@public
def offline() -> ResponseReturnValue:
    """Shown by the service worker for a page it has no copy of; holds no personal data."""
    return render_template("attendance/offline.html")


@bp.get("/presensi/")
@roles_required(*MARKERS)
def today() -> ResponseReturnValue:
    """The installed app's start page: the user's classes of today, then the next ones."""
    mine = services.facilitator_classes(classes_of_facilitator(current_user))
    today_rosters = {c.id: _today_roster(c) for c in mine.today}
    counts = services.today_counts(mine.today)
    return render_template(
        "attendance/today.html",
        mine=mine,
        today_rosters=today_rosters,
        counts=counts,
        offline=offline_script_attributes(list(today_rosters.values())),
    )


def _today_roster(c: TrainingClass) -> str:
    return url_for("attendance.roster", class_id=c.id, day=services.local_now(c).date().isoformat())


def today_roster_urls(classes: list[TrainingClass]) -> list[str]:
    """The rosters of today (at each venue) of `classes`, for the service worker to keep."""
    return [_today_roster(c) for c in classes]


@bp.get("/api/presensi/token")
@roles_required(*MARKERS)
def csrf_token() -> ResponseReturnValue:
    """A fresh CSRF token: a roster page kept offline may carry one from an earlier session."""
    response = jsonify({"csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def inject_offline_cache() -> dict[str, object]:
    # The login page empties the kept pages under this name (templates/auth/login.html).
    return {"offline_pages_cache": PAGES_CACHE}
