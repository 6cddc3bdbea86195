"""WeasyPrint with a URL fetcher that serves only files under static/ (no network, no other
file), so text typed by users can never make the renderer fetch anything."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from config import BASE_DIR

STATIC = (BASE_DIR / "static").resolve()
BASE_URL = STATIC.as_uri() + "/"  # relative URLs in templates resolve to static/


class FetchRefused(ValueError):
    """A URL outside the app's own static files."""


def static_file_for(url: str) -> Path:
    """The file under static/ that a URL names, or FetchRefused."""
    parts = urlsplit(url)
    if parts.scheme == "file" and not parts.netloc and unquote(parts.path).startswith(str(STATIC) + "/"):
        relative = unquote(parts.path)[len(str(STATIC)) + 1:]
    else:
        raise FetchRefused(f"refused: {url[:100]}")
    path = (STATIC / relative).resolve()
    if STATIC not in path.parents or not path.is_file():
        raise FetchRefused(f"refused: {url[:100]}")
    return path


def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Everything WeasyPrint asks for goes through here; refusals are recorded."""

        def __init__(self) -> None:
            super().__init__(fail_on_errors=False)
            self.refused: list[str] = []
            self.served: list[str] = []

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            if url.startswith("data:image/png;base64,"):  # QR codes the app made itself
                return super().fetch(url, headers)
            try:
                path = static_file_for(url)
            except FetchRefused:
                self.refused.append(url)
                raise
            self.served.append(path.name)
            return URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": mimetypes.guess_type(path.name)[0] or ""}
            )

    return StaticOnlyFetcher


def make_fetcher() -> object:
    return _fetcher_class()()


def render_pdf(html: str, fetcher: object | None = None) -> bytes:
    """One HTML document to PDF bytes (WeasyPrint is imported here, not at app start)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher or make_fetcher()).write_pdf()
