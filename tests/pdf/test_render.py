"""The PDF renderer: only the app's static files are fetched; empty page-margin boxes are skipped
without changing what WeasyPrint draws; data URIs carry only images."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app.pdf import render


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_margin_boxes_with_content_are_still_drawn() -> None:
    html = (
        "<style>@page { size: A5; margin: 20mm; @bottom-center { content: 'Halaman ' counter(page) } }"
        "</style><p>Daftar hadir</p><p style='page-break-before: always'>Hari kedua</p>"
    )
    pages = _text(render.render_pdf(html))
    assert "Halaman 1" in pages[0]
    assert "Halaman 2" in pages[1]
    import weasyprint.layout

    assert getattr(weasyprint.layout.make_margin_boxes, "skips_empty", False)  # the shortcut is in place


def test_pages_without_margin_boxes_come_out_the_same_with_and_without_the_shortcut(monkeypatch) -> None:
    import weasyprint.layout
    import weasyprint.layout.page

    html = "<style>@page { size: A6; margin: 10mm }</style><h1>Sertifikat</h1><p>Peserta 0001</p>"
    render.render_pdf(html)  # installs the shortcut
    with_shortcut = render.render_document(html)
    original = weasyprint.layout.make_margin_boxes.original
    monkeypatch.setattr(weasyprint.layout, "make_margin_boxes", original)
    monkeypatch.setattr(weasyprint.layout.page, "make_margin_boxes", original)
    without = render.render_document(html)
    assert [len(p._page_box.children) for p in with_shortcut.pages] == [
        len(p._page_box.children) for p in without.pages
    ]
    assert _text(with_shortcut.write_pdf()) == _text(without.write_pdf())


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "file:///etc/passwd",
        "data:text/html;base64,PGI+",
        "data:image/svg+xml;base64,PHN2Zz4=",
    ],
)
def test_the_fetcher_refuses_what_is_not_ours(url) -> None:
    fetcher = render.make_fetcher()
    render.render_pdf(f'<img src="{url}"><p>x</p>', fetcher)
    assert fetcher.refused == [url]
