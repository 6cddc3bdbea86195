"""Certificates drawn in two layers, many at a time.

A chunk is one WeasyPrint document: for each group of certificates that look the same apart from
the holder (a class), a *background* page (frame, logo, wording, signatures), the optional
*agenda* page, then one *overlay* page per certificate (number, name, short code). The
background is laid out once per group instead of once per person; each certificate's PDF is its
overlay page with the background drawn underneath as a form XObject (nothing is laid out again)
and its QR code drawn over it as a 1-bit image XObject (`draw_qr`: the same pixels as the PNG the
whole certificate's template shows, without a PNG to write, for WeasyPrint to decode, lay out
and encode again), followed by the agenda page(s). Each page keeps only the resources its own
content names (WeasyPrint shares one resource dictionary across a document). Pages are
assembled with pikepdf (qpdf): pypdf, pure Python, cost ~4 ms per certificate here and 5 s to
join the 2,476-page print file of a programme.

This module runs in worker processes: it imports neither Flask nor the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf
    from PIL.Image import Image as PILImage
    from weasyprint import Document

import base64
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Group:
    """Certificates sharing one background page (and agenda page, when `agenda`)."""

    agenda: bool
    files: list[str] = field(default_factory=list)  # one file name per certificate, in page order
    codes: list[str] = field(default_factory=list)  # the text of each one's QR code (none: no QR)


@dataclass
class Chunk:
    """One document: for each group a background section, its agenda section (when the group has
    one) and an overlay section per certificate, in that order; section i has the id `s<i>`."""

    html: str
    groups: list[Group]
    folder: str  # where the single PDFs go
    print_part: str | None = None  # where this chunk's share of the combined print file goes


# Where the template's `.qr` box is (A4 landscape, mm from the top left): x, y, side.
QR_BOX = (24.0, 142.0, 26.0)
PAGE_HEIGHT_MM = 210.0
POINTS_PER_MM = 72 / 25.4


def qr_modules(text: str) -> PILImage:
    """The QR code of `text` (error correction M), one pixel per module with a border of one
    module, as a black-and-white image. zxing-cpp (C++) makes it in ~0.3 ms; segno, pure
    Python, took ~2 ms of the ~15 ms of CPU a certificate costs."""
    import zxingcpp
    from PIL import Image, ImageOps

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    pixels = zxingcpp.write_barcode_to_image(code, scale=1, add_quiet_zones=False)
    height, width = pixels.shape
    image = Image.frombytes("L", (width, height), bytes(memoryview(pixels)))  # type: ignore[arg-type]
    return ImageOps.expand(image, border=1, fill=255).convert("1", dither=Image.Dither.NONE)


def qr_data_uri(text: str) -> str:
    """The QR code as a PNG data URI (the whole certificate's template draws it without smoothing)."""
    buffer = io.BytesIO()
    qr_modules(text).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def qr_image(pdf: pikepdf.Pdf, text: str) -> pikepdf.Stream:
    """The same QR code as `qr_data_uri`, as a 1-bit image of the PDF (a bit 1 is white)."""
    import pikepdf

    image = qr_modules(text)
    return pikepdf.Stream(
        pdf,
        zlib.compress(image.tobytes()),  # rows of packed bits, each row padded to a byte, as PDF wants
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=image.width,
        Height=image.height,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=1,
        Interpolate=False,
        Filter=pikepdf.Name.FlateDecode,
    )


def draw_qr(pdf: pikepdf.Pdf, page: pikepdf.Page, text: str) -> None:
    """Draw the QR code of `text` on the page, in the template's `.qr` box, over what is there."""
    import pikepdf

    x, top, side = (value * POINTS_PER_MM for value in QR_BOX)
    y = PAGE_HEIGHT_MM * POINTS_PER_MM - top - side
    name = page.add_resource(qr_image(pdf, text), pikepdf.Name.XObject, prefix="Qr")
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)  # WeasyPrint leaves its flip on the stack
    drawing = f"\nQ\nq {side:.6f} 0 0 {side:.6f} {x:.6f} {y:.6f} cm {name} Do Q\n"
    page.contents_add(pdf.make_stream(drawing.encode()))


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

    document = render_document(chunk.html)
    sections = _pages_by_section(document)
    plan: list[
        tuple[int, list[int], list[tuple[int, str, str | None]]]
    ] = []  # (background, agenda, [(overlay, file, QR)])
    number = 0
    for group in chunk.groups:
        background = sections.get(number, [])
        agenda = sections.get(number + 1, []) if group.agenda else []
        number += 1 + group.agenda
        overlays: list[tuple[list[int], str, str | None]] = []
        for index, name in enumerate(group.files):
            overlays.append((sections.get(number, []), name, group.codes[index] if index < len(group.codes) else None))
            number += 1
        if len(background) != 1 or (group.agenda and not agenda) or any(len(p) != 1 for p, _n, _c in overlays):
            return False
        plan.append((background[0], agenda, [(p[0], name, code) for p, name, code in overlays]))
    if number != len(sections):
        return False
    pdf = pikepdf.open(io.BytesIO(document.write_pdf()))
    pdf.remove_unreferenced_resources()  # each page keeps only what its content names
    folder = Path(chunk.folder)
    printing = pikepdf.new() if chunk.print_part else None
    for background_index, agenda_indexes, overlay_files in plan:
        background_form = pdf.make_indirect(pdf.pages[background_index].as_form_xobject())
        agenda_pages = [pdf.pages[i] for i in agenda_indexes]
        for overlay_index, name, code in overlay_files:
            page = pdf.pages[overlay_index]
            page.add_underlay(background_form, None)  # the whole page (the stub forgets the default)
            if code is not None:
                draw_qr(pdf, page, code)
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
