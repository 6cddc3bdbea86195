"""WeasyPrint with a URL fetcher that serves only files under static/ (no network, no other
file), so text typed by users can never make the renderer fetch anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weasyprint import Document

import base64
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from config import BASE_DIR

STATIC = (BASE_DIR / "static").resolve()
BASE_URL = STATIC.as_uri() + "/"  # relative URLs in templates resolve to static/
IMAGE_DATA = ("data:image/png;base64,", "data:image/jpeg;base64,")  # QR codes, uploaded logo/signature
_shared: dict[str, object] = {}  # per process: one font configuration and image cache


class FetchRefused(ValueError):
    """A URL outside the app's own static files."""


def static_file_for(url: str) -> Path:
    """The file under static/ that a URL names, or FetchRefused."""
    parts = urlsplit(url)
    if parts.scheme == "file" and not parts.netloc and unquote(parts.path).startswith(str(STATIC) + "/"):
        relative = unquote(parts.path)[len(str(STATIC)) + 1 :]
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
            if url.startswith(IMAGE_DATA):  # images the app made or checked and stored itself, put
                # in the page by the app (never by user text: it is escaped); decoded here, as
                # urllib's data-URL handling costs ~2 ms per image
                kind, data = url[5:].split(";base64,", 1)
                return URLFetcherResponse(url, body=base64.b64decode(data), headers={"Content-Type": kind})
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


MARGIN_BOXES = tuple(
    f"@{side}-{where}"
    for side, places in (
        ("top", ("left-corner", "left", "center", "right", "right-corner")),
        ("bottom", ("left-corner", "left", "center", "right", "right-corner")),
        ("left", ("top", "middle", "bottom")),
        ("right", ("top", "middle", "bottom")),
    )
    for where in places
)


EMPTY_CONTENT = ("normal", "inhibit", "none")  # WeasyPrint's test for a margin box it does not generate


def _skip_empty_margin_boxes() -> None:
    """WeasyPrint lays out all 16 page-margin boxes of every page (~2 ms a page) and then yields
    only those whose `content` is set. Where no margin box of a page has content, yield nothing
    without the layout: the same output (tests compare it with WeasyPrint's own), a quarter less
    time for a certificate page. Pages with a margin box (page numbers) go the usual way."""
    import weasyprint.layout as layout
    import weasyprint.layout.page as page_layout

    original = layout.make_margin_boxes  # layout_document calls it by this name
    if getattr(original, "skips_empty", False):
        return

    def make_margin_boxes(context, page, state):  # noqa: ANN001, ANN202 - WeasyPrint's signature
        styles = (context.style_for(page.page_type, keyword) for keyword in MARGIN_BOXES)
        if all(style is None or style["content"] in EMPTY_CONTENT for style in styles):
            return iter(())
        return original(context, page, state)

    make_margin_boxes.skips_empty = True  # type: ignore[attr-defined]
    make_margin_boxes.original = original  # type: ignore[attr-defined]
    layout.make_margin_boxes = page_layout.make_margin_boxes = make_margin_boxes


def render_document(html: str, fetcher: object | None = None) -> Document:
    """One HTML document laid out by WeasyPrint (imported here, not at app start). The font
    configuration (the bundled fonts, loaded once) is kept for the life of the process. The image
    cache is not: WeasyPrint keys it by URL, so every QR code would stay in it."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if "fonts" not in _shared:
        _skip_empty_margin_boxes()
        _shared["fonts"] = FontConfiguration()
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher or make_fetcher()).render(
        font_config=_shared["fonts"]
    )


def render_pdf(html: str, fetcher: object | None = None) -> bytes:
    """One HTML document to PDF bytes."""
    return render_document(html, fetcher).write_pdf()
