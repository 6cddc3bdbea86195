"""Certificates drawn in two layers, many at a time.

A chunk is one WeasyPrint document: for each group of certificates that look the same apart from
the holder (a class), a *background* page (frame, logo, wording, signatures), the optional
*agenda* page, then one *overlay* page per certificate (number, name, QR code, short code). The
background is laid out once per group instead of once per person; each certificate's PDF is its
overlay page with the background drawn underneath as a form XObject (nothing is laid out
again), followed by the agenda page(s). Each page keeps only the resources its own content names
(WeasyPrint shares one resource dictionary across a document, which would otherwise put every QR
image of the chunk into every file). Pages are assembled with pikepdf (qpdf): pypdf, pure Python,
cost ~4 ms per certificate here and 5 s to join the 2,476-page print file of a programme.

This module runs in worker processes: it imports neither Flask nor the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weasyprint import Document

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

QR_PREFIX = "sibimtek-qr:"
_QR = re.compile(r'src="' + re.escape(QR_PREFIX) + r'([^"]+)"')  # only where the template put one


@dataclass
class Group:
    """Certificates sharing one background page (and agenda page, when `agenda`)."""

    agenda: bool
    files: list[str] = field(default_factory=list)  # one file name per certificate, in page order


@dataclass
class Chunk:
    """One document: for each group a background section, its agenda section (when the group has
    one) and an overlay section per certificate, in that order; section i has the id `s<i>`."""

    html: str
    groups: list[Group]
    folder: str  # where the single PDFs go
    print_part: str | None = None  # where this chunk's share of the combined print file goes


def qr_data_uri(text: str) -> str:
    """A QR code as a PNG of one pixel per module (the template draws it without smoothing).
    The mask is fixed: choosing the best of eight costs ~10 ms per code and every mask scans."""
    import segno

    return segno.make(text, error="m", mask=2).png_data_uri(scale=1, border=1)


def fill_qr_codes(html: str) -> str:
    """Replace `sibimtek-qr:<url>` placeholders with PNG data URIs (done in the workers)."""
    return _QR.sub(lambda m: f'src="{qr_data_uri(m.group(1).replace("&amp;", "&"))}"', html)


def _pages_by_section(document: Document) -> dict[int, list[int]]:
    """Section number → the indexes of its pages (a section starts on the page holding its id;
    an agenda longer than a page continues on pages without one)."""
    sections: dict[int, list[int]] = {}
    current = None
    for index, page in enumerate(document.pages):
        starts = sorted(int(name[1:]) for name in page.anchors if name[:1] == "s" and name[1:].isdigit())
        if starts:
            current = starts[-1]
            for number in starts:  # several sections on one page would be a layout fault: caught below
                sections.setdefault(number, [])
        if current is not None:
            sections.setdefault(current, []).append(index)
    return sections


def render_chunk(chunk: Chunk) -> bool:
    """In a worker: render the chunk, write one PDF per certificate into `chunk.folder` (and the
    chunk's part of the print file). False, with nothing written, when a background or overlay
    section did not come out as exactly one page (the caller then renders those certificates one
    by one and reports what still fails)."""
    import pikepdf

    from app.pdf.render import render_document

    document = render_document(fill_qr_codes(chunk.html))
    sections = _pages_by_section(document)
    plan: list[tuple[int, list[int], list[tuple[int, str]]]] = []  # (background, agenda pages, [(overlay, file)])
    number = 0
    for group in chunk.groups:
        background = sections.get(number, [])
        agenda = sections.get(number + 1, []) if group.agenda else []
        number += 1 + group.agenda
        overlays: list[tuple[list[int], str]] = []
        for name in group.files:
            overlays.append((sections.get(number, []), name))
            number += 1
        if len(background) != 1 or (group.agenda and not agenda) or any(len(p) != 1 for p, _n in overlays):
            return False
        plan.append((background[0], agenda, [(p[0], name) for p, name in overlays]))
    if number != len(sections):
        return False
    pdf = pikepdf.open(io.BytesIO(document.write_pdf()))
    pdf.remove_unreferenced_resources()  # each page keeps only what its content names
    folder = Path(chunk.folder)
    printing = pikepdf.new() if chunk.print_part else None
    for background_index, agenda_indexes, overlay_files in plan:
        background_form = pdf.make_indirect(pdf.pages[background_index].as_form_xobject())
        agenda_pages = [pdf.pages[i] for i in agenda_indexes]
        for overlay_index, name in overlay_files:
            page = pdf.pages[overlay_index]
            page.add_underlay(background_form, None)  # the whole page (the stub forgets the default)
            single = pikepdf.new()
            single.pages.append(page)
            single.pages.extend(agenda_pages)
            single.save(folder / name)
            if printing is not None:
                printing.pages.append(page)
                printing.pages.extend(agenda_pages)
    if printing is not None:
        printing.save(chunk.print_part)
    return True
