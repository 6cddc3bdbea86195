"""Browser fixtures: the app served on a free local port, Debian's chromium driven by Playwright.

A missing chromium fails the run (CI must not skip the browser tests silently); set
SIBIMTEK_SKIP_BROWSER=1 to skip them on purpose on a machine without one.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def _chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = _chromium_path()
    if path is None:
        if os.environ.get("SIBIMTEK_SKIP_BROWSER") == "1":
            pytest.skip("SIBIMTEK_SKIP_BROWSER=1: browser tests skipped on purpose")
        pytest.fail("chromium not found: `make test` installs it (apt-get install chromium) as root")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server: str) -> Iterator[Callable[..., object]]:
    """Factory: a page in a fresh browser context (own cookies) at a given viewport. Every page
    listens to the console: a Content-Security-Policy violation (an inline script, handler or style
    the policy blocked, so a feature silently dead) fails the test."""
    contexts = []
    violations: list[str] = []

    def open_page(viewport: dict[str, int] = DESKTOP) -> object:
        # Reduced motion: Bootstrap then opens menus and dialogs without a transition, so a click never
        # lands on a button that is still sliding into place (a logout click once missed that way).
        context = browser.new_context(
            viewport=viewport, base_url=live_server, locale="id-ID", reduced_motion="reduce"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                violations.append(f"{page.url}: {message.text}") if "Content Security Policy" in message.text else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations in the browser:\n" + "\n".join(violations))


@pytest.fixture
def page(new_page) -> object:
    return new_page()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under tests/artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
