"""Uploaded letters (issue #12, item 12): a PDF is parsed with pikepdf, refused when it is not one,
encrypted or too long, and kept without active content; letters are served as downloads nothing
caches or sniffs; a letter the programme does not ask for is not kept."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.core import files
from app.core.roles import Role
from app.errors import InvalidUpload
from app.extensions import db
from app.programmes.models import TrainingClass
from app.registration import safe_pdf, uploads
from app.registration.models import Registration
from tests.conftest import csrf_token, login, submit
from tests.fixtures_registration import make_nik
from tests.registration.pdfs import (
    SCRIPT,
    active_content,
    bomb_letter,
    compressed_scan,
    encrypted_letter,
    hostile_letter,
    page_text,
    pdf_letter,
)
from tests.registration.test_views import _form


@pytest.fixture
def letter_class(app, open_class) -> int:
    """An open class whose programme asks for an assignment letter."""
    class_id = open_class()
    with app.app_context():
        db.session.get(TrainingClass, class_id).batch.programme.requires_letter = True
        db.session.commit()
    return class_id


def _letters(app) -> set[str]:
    with app.app_context():
        return set(files.store().names(uploads.AREA))


def _register_with(client, class_id: int, library_id: int, content: bytes, name: str = "surat.pdf"):
    return submit(
        client,
        f"/katalog/{class_id}/daftar",
        {**_form(library_id), "letter": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _stored_letter(app) -> tuple[int, bytes]:
    with app.app_context():
        r = db.session.scalar(select(Registration))
        return r.id, uploads.read_letter(r.letter_path)


def test_html_behind_a_pdf_header_is_refused_and_not_kept(app, client, login_as, letter_class, library) -> None:
    login_as(Role.PARTICIPANT)
    before = _letters(app)
    page = _register_with(client, letter_class, library("52"), b"%PDF-<html><script>alert(1)</script></html>")
    assert page.status_code == 200
    assert "Berkas bukan PDF yang sah." in page.get_data(as_text=True)
    assert _letters(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_a_pdf_with_scripts_is_kept_without_them(app, client, login_as, letter_class, library) -> None:
    hostile = hostile_letter()
    assert "/OpenAction" in active_content(hostile)  # the test's letter really is hostile
    login_as(Role.PARTICIPANT)
    assert _register_with(client, letter_class, library("52"), hostile).status_code == 302
    _rid, stored = _stored_letter(app)
    assert active_content(stored) == []
    assert SCRIPT.encode() not in stored
    assert b"<html" not in stored  # what trailed the PDF is not copied
    assert b"calc.exe" not in stored
    assert b"payload.exe" not in stored
    assert "(SURAT TUGAS) Tj" in page_text(stored)  # the letter itself is intact


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (encrypted_letter(), "Berkas PDF ini terkunci"),
        (pdf_letter(pages=safe_pdf.MAX_PAGES + 1), "Surat harus 1 sampai 20 halaman (berkas ini 21 halaman)."),
        (b"\xff\xd8\xff<html><script>alert(1)</script>", "Surat tugas harus berkas PDF, JPG atau PNG"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "Berkas bukan PDF yang sah."),
    ],
)
def test_unusable_letters_are_refused_with_a_message(
    app, client, login_as, letter_class, library, content, message
) -> None:
    login_as(Role.PARTICIPANT)
    before = _letters(app)
    page = _register_with(client, letter_class, library("52"), content)
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    assert _letters(app) == before


def test_a_real_image_is_accepted(app, client, login_as, letter_class, library) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, "JPEG")
    login_as(Role.PARTICIPANT)
    assert _register_with(client, letter_class, library("52"), buffer.getvalue(), "surat.jpg").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Registration.letter_mimetype)) == "image/jpeg"


def test_letters_are_downloads_that_are_neither_cached_nor_sniffed(
    app, client, login_as, letter_class, library
) -> None:
    login_as(Role.PARTICIPANT)
    _register_with(client, letter_class, library("52"), pdf_letter())
    rid, _stored = _stored_letter(app)
    for user in ("owner", "organiser"):
        if user == "organiser":
            client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
            login_as(Role.ORGANISER)
        response = client.get(f"/pendaftaran/{rid}/surat-tugas")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == f"attachment; filename=surat-tugas-{rid}.pdf"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Type"] == "application/pdf"
        assert "ETag" not in response.headers


def test_a_letter_the_programme_does_not_ask_for_is_not_kept(app, client, login_as, open_class, library) -> None:
    class_id = open_class()  # requires_letter is off
    login_as(Role.PARTICIPANT)
    before = _letters(app)
    response = _register_with(client, class_id, library("52"), pdf_letter())
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Registration.letter_path)) is None
    assert _letters(app) == before
    # not even read: a file that would be refused does not stop the registration either
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    login_as(Role.PARTICIPANT)
    from tests.fixtures_registration import make_nik

    bad = submit(
        client,
        f"/katalog/{class_id}/daftar",
        {
            **_form(library("52"), nik=make_nik("52", 42, woman=True)),
            "letter": (io.BytesIO(b"%PDF-<html>"), "surat.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 302
    assert _letters(app) == before


def test_the_pdf_cleaner_is_a_pure_function(app_ctx) -> None:
    cleaned = safe_pdf.clean_pdf(hostile_letter())
    assert active_content(cleaned) == []
    assert safe_pdf.clean_pdf(cleaned) != b""  # a cleaned letter stays a valid one
    with pytest.raises(InvalidUpload, match="Berkas bukan PDF yang sah"):
        safe_pdf.clean_pdf(b"%PDF-<html><script>")


def test_links_keep_web_and_mail_addresses_only(app_ctx) -> None:
    import io

    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    pdf = pikepdf.open(io.BytesIO(pdf_letter()))
    uris = ["https://perpusnas.go.id", "mailto:panitia@sibimtek.id", " JavaScript:alert(1)", "file:///etc/passwd"]
    pdf.pages[0].obj.Annots = Array(
        [
            Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 10, 10], A=Dictionary(S=Name.URI, URI=String(u)))
            for u in uris
        ]
    )
    out = io.BytesIO()
    pdf.save(out)
    cleaned = pikepdf.open(io.BytesIO(safe_pdf.clean_pdf(out.getvalue())))
    kept = [str(a.A.URI) for a in cleaned.pages[0].obj.get("/Annots", []) if "/A" in a]
    assert kept == uris[:2]


def test_a_letter_of_many_chunks_downloads_whole_from_the_database_store(
    app, client, login_as, letter_class, library, monkeypatch
) -> None:
    """The letter view commits (its access entry), reads the letter's name again and streams the file
    after it has returned: chunks are read outside the request's session (on SQLite too)."""
    monkeypatch.setitem(app.config, "FILE_STORE", "database")
    monkeypatch.setitem(app.config, "FILE_STORE_CHUNK", 512)
    login_as(Role.PARTICIPANT)
    assert _register_with(client, letter_class, library("52"), pdf_letter(pages=6)).status_code == 302
    rid, stored = _stored_letter(app)
    assert len(stored) > 3 * 512
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    login_as(Role.ORGANISER)
    response = client.get(f"/pendaftaran/{rid}/surat-tugas")
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(stored))
    assert response.data == stored


def test_a_letter_sent_with_a_form_that_needs_corrections_is_not_asked_for_again(
    app, client, login_as, letter_class, library, make_user
) -> None:
    """From a trial: after another field's error the letter had to be chosen again (on a phone, the
    hard part). It waits for the corrected form, known only to this session, and is stored once."""
    login_as(Role.PARTICIPANT)
    before = _letters(app)
    letter = pdf_letter()
    wrong = {**_form(library("52")), "whatsapp": "12", "letter": (io.BytesIO(letter), "surat.pdf")}
    page = submit(client, f"/katalog/{letter_class}/daftar", wrong, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Surat tugas sudah diterima (PDF). Tidak perlu memilih berkas lagi." in text
    kept = _letters(app) - before
    assert len(kept) == 1
    assert next(iter(kept)).startswith("pending-")
    # another account does not get it by sending the same form without a letter
    with app.test_client() as other:
        login(other, make_user(Role.PARTICIPANT).email)
        stranger = submit(other, f"/katalog/{letter_class}/daftar", _form(library("52"), nik=make_nik("52", 9)))
        assert "Program ini meminta surat tugas" in stranger.get_data(as_text=True)
    # corrected, without choosing the file again
    again = submit(client, f"/katalog/{letter_class}/daftar", _form(library("52")), content_type="multipart/form-data")
    assert again.status_code == 302
    _rid, stored = _stored_letter(app)
    assert page_text(stored) == page_text(letter)
    after = _letters(app) - before
    assert len(after) == 1  # the waiting copy is gone, the registration's own is kept
    assert not next(iter(after)).startswith("pending-")


def test_letters_of_forms_never_sent_again_expire_after_a_day(app, clock) -> None:
    from app.processes.tasks import expire_uploads

    clock("2027-03-01T09:00+07:00")
    with app.app_context():
        old = uploads.keep_pending(uploads.inspect_letter(pdf_letter()), clock("2027-03-01T09:00+07:00"))
        fresh = uploads.keep_pending(uploads.inspect_letter(pdf_letter()), clock("2027-03-02T08:00+07:00"))
        clock("2027-03-02T09:10+07:00")
        assert uploads.pending(old, clock("2027-03-02T09:10+07:00")) is None  # no longer offered
        assert expire_uploads() >= 1
        names = files.store().names(uploads.AREA)
        assert old not in names
        assert fresh in names
        assert uploads.pending(fresh, clock("2027-03-02T09:10+07:00")) is not None
        assert uploads.pending("pending-../../etc/passwd.pdf", clock("2027-03-02T09:10+07:00")) is None


def test_a_decompression_bomb_is_refused_and_a_large_scan_is_not() -> None:
    """From an attacker's trial: 300 KB that inflate to 300 MB of zeros were kept as a letter, for the
    organiser's viewer to open. A stream inflating a hundred times past 10 MB is refused; a big
    scan that compresses a few times is kept."""
    bomb = bomb_letter()
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(InvalidUpload, match="tidak wajar"):
        safe_pdf.clean_pdf(bomb)
    scan = compressed_scan()
    assert len(scan) < uploads.MAX_LETTER_BYTES * 8  # (the size limit is the upload's, not this check's)
    assert safe_pdf.clean_pdf(scan)
