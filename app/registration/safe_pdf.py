"""Uploaded PDFs made harmless: opened with pikepdf (qpdf), refused when broken, encrypted or too
long, and written again without what a viewer would run or open by itself (scripts, launch,
form-submit and import actions, embedded files, XFA forms, media). qpdf writes only the objects
still reachable from the cleaned document, so what was removed is gone from the file, not only
unlinked; bytes around the PDF (an HTML page after %%EOF) are not copied either."""

from __future__ import annotations

import io
import zlib

import pikepdf
from flask_babel import gettext as _

from app.errors import InvalidUpload

MAX_PAGES = 20  # an assignment letter is a page or two; a scanned bundle of decrees is not one

# Actions that run code, start programs, send data away or open other (embedded) files.
DANGEROUS_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/Rendition",
        "/RichMediaExecute",
        "/GoToE",
        "/GoToR",
        "/Movie",
        "/Sound",
    }
)
# Keys dropped from every dictionary: automatic actions (/OpenAction, /AA), script code (/JS, the
# /Names /JavaScript tree), XFA forms (which carry their own scripts), embedded files and media.
REMOVED_KEYS = ("/OpenAction", "/AA", "/JS", "/JavaScript", "/XFA", "/EmbeddedFiles", "/EF", "/RichMediaContent")
# Annotations that hold files or media rather than marks on the page.
REMOVED_ANNOTATIONS = frozenset({"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"})
ACTION_KEYS = ("/A", "/PA", "/Next")


SAFE_URI_SCHEMES = ("http:", "https:", "mailto:")

# A decompression bomb: a stream that inflates to far more than any letter holds (2 MB of zeros is
# 2 GB for the organiser's viewer). A scanned page inflates tens of times; a bomb a thousand.
MAX_RATIO = 100  # inflated / stored, per stream, beyond MIN_SUSPECT
MIN_SUSPECT = 10 * 1024 * 1024  # below this a stream is never suspect, whatever its ratio
MAX_INFLATED = 256 * 1024 * 1024  # the whole document
INFLATE_STEP = 1024 * 1024


def _inflated_size(raw: bytes, limit: int) -> int:
    """How many bytes a Flate stream inflates to, counted up to `limit` (+ one step), never more."""
    inflater, produced, data = zlib.decompressobj(), 0, raw
    while data and produced <= limit:
        chunk = inflater.decompress(data, INFLATE_STEP)
        produced += len(chunk)
        data = inflater.unconsumed_tail
        if not chunk and not data:
            break
    return produced


def _check_inflation(stream: pikepdf.Stream, budget: list[int]) -> None:
    """InvalidUpload when a Flate stream is a bomb, or the document's streams inflate past MAX_INFLATED
    (`budget`: what is left of it, shared by the streams of one document)."""
    filters = stream.get("/Filter")
    names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
    if "/FlateDecode" not in names:
        return
    raw = stream.read_raw_bytes()
    limit = min(max(MIN_SUSPECT, MAX_RATIO * len(raw)), budget[0])
    try:
        size = _inflated_size(raw, limit)
    except zlib.error:
        return  # a broken stream: qpdf writes it as it is, no viewer inflates it either
    budget[0] -= size
    if size > limit:
        raise InvalidUpload(_("Isi berkas PDF ini tidak wajar (terlalu besar setelah dibuka). Unggah PDF biasa."))


def _is_dangerous_action(obj: pikepdf.Object) -> bool:
    """An action that runs code or opens something: also a link whose address is not a web or mail
    address (javascript:, file:, data: …)."""
    if not isinstance(obj, pikepdf.Dictionary):
        return False
    kind = str(obj.get("/S", ""))
    if kind == "/URI":
        uri = "".join(str(obj.get("/URI", "")).split()).lower()
        return not uri.startswith(SAFE_URI_SCHEMES)
    return kind in DANGEROUS_ACTIONS


def _clean_dictionary(d: pikepdf.Dictionary | pikepdf.Stream) -> None:
    for key in REMOVED_KEYS:
        if key in d:
            del d[key]
    for key in ACTION_KEYS:
        value = d.get(key)
        if value is None:
            continue
        if isinstance(value, pikepdf.Array):  # /Next may be a list of actions
            kept = [a for a in value if not _is_dangerous_action(a)]
            if len(kept) != len(value):
                d[key] = pikepdf.Array(kept)
        elif _is_dangerous_action(value):
            del d[key]
    if _is_dangerous_action(d):  # an action object reached some other way: emptied
        for key in list(d.keys()):
            del d[key]
    annotations = d.get("/Annots")
    if isinstance(annotations, pikepdf.Array):
        kept = [
            a
            for a in annotations
            if not (isinstance(a, pikepdf.Dictionary) and str(a.get("/Subtype", "")) in REMOVED_ANNOTATIONS)
        ]
        if len(kept) != len(annotations):
            d["/Annots"] = pikepdf.Array(kept)


def _clean(pdf: pikepdf.Pdf) -> None:
    """Visit every object reachable from the trailer once (pages point back to their parents)."""
    seen: set[tuple[int, int]] = set()
    budget = [MAX_INFLATED]
    stack: list[pikepdf.Object] = [pdf.trailer]
    while stack:
        obj = stack.pop()
        if not isinstance(obj, pikepdf.Array | pikepdf.Dictionary | pikepdf.Stream):
            continue  # numbers, names, strings: nothing inside
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Array):
            stack.extend(obj)
        elif isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            if isinstance(obj, pikepdf.Stream):
                _check_inflation(obj, budget)
            _clean_dictionary(obj)
            stack.extend(value for _key, value in obj.items())


def clean_pdf(content: bytes, max_pages: int = MAX_PAGES) -> bytes:
    """The PDF written again without active content; InvalidUpload (field "letter") when pikepdf
    cannot open it, when it is encrypted, when it has no pages or more than `max_pages`, or when its
    streams inflate like a decompression bomb."""
    locked = _("Berkas PDF ini terkunci (dienkripsi atau berkata sandi). Unggah PDF yang tidak terkunci.")
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            if pdf.is_encrypted:
                raise InvalidUpload(locked)
            pages = len(pdf.pages)
            if not 1 <= pages <= max_pages:
                raise InvalidUpload(
                    _("Surat harus 1 sampai %(n)s halaman (berkas ini %(pages)s halaman).", n=max_pages, pages=pages)
                )
            _clean(pdf)
            out = io.BytesIO()
            pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
            return out.getvalue()
    except InvalidUpload:
        raise
    except pikepdf.PasswordError:
        raise InvalidUpload(locked) from None
    except Exception:  # noqa: BLE001 - qpdf refuses broken files in many ways; each is "not a PDF"
        raise InvalidUpload(_("Berkas bukan PDF yang sah.")) from None
