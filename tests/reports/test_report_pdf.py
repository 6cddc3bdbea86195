"""The programme report PDF (issue #14): the organiser's recap for an official report says what the
dashboard says, follows its filters, and a coordinator's copy holds only their province."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.programmes.models import Programme, ProgrammeStatus
from tests.conftest import login

ORGANISER, COORDINATOR, PARTICIPANT = "panitia@sibimtek.id", "koordinator.ntb@sibimtek.id", "peserta@sibimtek.id"


def _demo(app: Flask, full_scale: bool = False) -> int:
    """The demo's 2023 programme (the Mataram class: 14 people from NTB, 8 from Bali)."""
    with app.app_context():
        load_demo(full_scale=full_scale)
        db.session.commit()
        return db.session.scalar(select(Programme.id).where(Programme.year == 2023))


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email, DEMO_PASSWORD)
    return client


def _text(pdf: bytes) -> str:
    """The PDF's text, whitespace made single spaces (and a label wrapped after a slash made whole)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() or "" for page in pages).split()).replace("/ ", "/")


def _summary(client: FlaskClient, url: str) -> dict[str, object]:
    """The dashboard's own figures, from its XLSX."""
    sheet = load_workbook(io.BytesIO(client.get(url).data))["Ringkasan"]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def _report(client: FlaskClient, programme_id: int, query: str = "") -> str:
    response = client.get(f"/kelola/program/{programme_id}/laporan.pdf{query}")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    return _text(response.data)


def _figure(text: str, value: str, label: str) -> bool:
    """A headline tile: its figure, then its label (the extracted text may glue them)."""
    return re.search(rf"(^|\s){re.escape(value)} ?{re.escape(label)}", text) is not None


def test_the_organiser_gets_a_pdf_whose_headline_is_the_dashboards(app: Flask) -> None:
    programme_id = _demo(app)
    organiser = _client(app, ORGANISER)
    response = organiser.get(f"/kelola/program/{programme_id}/laporan.pdf")
    assert response.headers["Content-Disposition"] == 'attachment; filename="laporan-spp-tik-2023.pdf"'
    assert response.headers["Cache-Control"] == "no-store"  # figures of people: never kept by a cache
    text = _report(organiser, programme_id)
    board = _summary(organiser, f"/kelola/program/{programme_id}/dasbor.xlsx")
    assert board["Peserta"] == 22
    for label, key in (
        ("Peserta disetujui", "Peserta"),
        ("Provinsi", "Provinsi"),
        ("Angkatan", "Angkatan"),
        ("Memenuhi syarat sertifikat", "Memenuhi syarat sertifikat"),
        ("Sertifikat terbit", "Sertifikat terbit"),
    ):
        assert _figure(text, str(board[key]), label), (label, board[key], text[:600])
    attendance = f"{board['Kehadiran (%)']:.1f}".replace(".", ",").removesuffix(",0")
    assert _figure(text, f"{attendance} %", "Kehadiran"), text[:600]
    assert "Filter: tidak ada (seluruh program)" in text
    assert "Nusa Tenggara Barat 14 14" in text  # the table by province
    # the one class of the small demo, in the per-class table: its city, people, attendance, certificates
    assert f"Kota Mataram 22–25 Mei 2023 22 {attendance} % {board['Sertifikat terbit']}" in text, text
    assert "Halaman 1 dari" in text


def test_filters_change_the_figures_and_are_written_out(app: Flask) -> None:
    programme_id = _demo(app)
    organiser = _client(app, ORGANISER)
    bali = _report(organiser, programme_id, "?provinsi=51")
    assert "Provinsi: Bali" in bali
    assert _figure(bali, "8", "Peserta disetujui")
    assert _figure(bali, "1", "Provinsi")
    school = _report(organiser, programme_id, "?jenis=sekolah")
    assert "Jenis perpustakaan: Perpustakaan sekolah/madrasah" in school
    assert _figure(school, "0", "Peserta disetujui")
    assert "Kelas mulai dari: 1 Januari 2030" in _report(organiser, programme_id, "?dari=2030-01-01")


def test_the_dashboard_links_to_the_pdf_with_its_filters(app: Flask) -> None:
    programme_id = _demo(app)
    page = _client(app, ORGANISER).get(f"/kelola/program/{programme_id}/dasbor?provinsi=51&jenis=desa_kelurahan")
    html = page.get_data(as_text=True)
    assert "Unduh laporan PDF" in html
    assert re.search(
        rf"/kelola/program/{programme_id}/laporan.pdf\?(provinsi=51&amp;jenis=desa_kelurahan|jenis=desa_kelurahan&amp;provinsi=51)",
        html,
    )


def test_the_ntb_coordinator_gets_ntb_by_regency_and_nobody_else(app: Flask) -> None:
    programme_id = _demo(app)
    coordinator = _client(app, COORDINATOR)
    text = _report(coordinator, programme_id)
    assert "Provinsi: Nusa Tenggara Barat" in text
    assert "Peserta per kabupaten/kota" in text
    assert "Kota Bima" in text
    assert "Kabupaten Lombok Timur" in text
    assert "Denpasar" not in text  # Bali's libraries (four in Kota Denpasar) are not theirs to see
    assert _figure(text, "14", "Peserta disetujui")
    assert "Kota Mataram 22–25 Mei 2023 14 " in text  # the class's row counts their 14, not the 22 in it
    assert "Peta peserta per provinsi" not in text
    assert coordinator.get(f"/kelola/program/{programme_id}/laporan.pdf?provinsi=51").status_code == 403


def test_a_draft_programme_does_not_exist_for_a_coordinator(app: Flask) -> None:
    _demo(app)
    with app.app_context():
        secret = Programme(code="RHS", name="RAHASIA Program Draf", year=2028, jp_total=40)
        secret.status = ProgrammeStatus.DRAFT
        db.session.add(secret)
        db.session.commit()
        secret_id = secret.id
    assert _client(app, COORDINATOR).get(f"/kelola/program/{secret_id}/laporan.pdf").status_code == 404
    assert "RAHASIA Program Draf" in _report(_client(app, ORGANISER), secret_id)  # organisers plan with drafts


def test_participants_get_no_report(app: Flask) -> None:
    programme_id = _demo(app)
    assert _client(app, PARTICIPANT).get(f"/kelola/program/{programme_id}/laporan.pdf").status_code == 403


def test_the_full_demo_report_says_what_the_press_release_says(app: Flask) -> None:
    """1.238 peserta · 30 provinsi · 450 / 136 / 33 perpustakaan, in Indonesian number format."""
    programme_id = _demo(app, full_scale=True)
    text = _report(_client(app, ORGANISER), programme_id)
    assert _figure(text, "1.238", "Peserta disetujui")
    assert _figure(text, "30", "Provinsi")
    assert _figure(text, "450", "Perpustakaan desa/kelurahan asal peserta")
    assert _figure(text, "136", "Perpustakaan kabupaten/kota asal peserta")
    assert _figure(text, "33", "Perpustakaan provinsi asal peserta")
    assert "Jumlah 1.238 619" in text  # the table by province adds up


def test_class_lines_count_only_the_people_within_the_filters(app: Flask) -> None:
    """The service behind the per-class table: people, attendance and certificates of the filter."""
    from app.libraries.models import LibraryType
    from app.reports import figures

    programme_id = _demo(app)
    with app.app_context(), app.test_request_context():
        programme = figures.programme_with_classes(programme_id)
        assert programme is not None
        everyone = figures.Filters()
        fills = figures.class_fill(programme, everyone)

        def mataram(filters: figures.Filters) -> figures.ClassLine:
            return next(c for c in figures.class_lines(programme, filters, fills) if c.city == "Kota Mataram")

        line, bali = mataram(everyone), mataram(figures.Filters(province_code="51"))
        schools = mataram(figures.Filters(library_type=LibraryType.SEKOLAH))
        board = figures.dashboard(programme, everyone)
    assert (line.approved, line.issued) == (22, board.issued)  # the only class with people
    assert round(line.attendance_percent, 6) == round(board.attendance_percent, 6)
    assert bali.approved == 8
    assert bali.issued <= line.issued
    assert (schools.approved, schools.marked, schools.issued) == (0, 0, 0)


def test_attendance_counts_the_days_held_so_far(app: Flask) -> None:
    """A class under way: its rate is over the days that have come (today included, at the venue),
    not over days still to come; a class not started has no rate and nobody is eligible yet."""
    from datetime import datetime, time, timedelta

    from app import clock
    from app.reports import figures

    programme_id = _demo(app)
    with app.app_context(), app.test_request_context():
        programme = figures.programme_with_classes(programme_id)
        assert programme is not None
        mataram = next(c for b in programme.batches for c in b.classes if c.venue_name.startswith("Aston"))
        fills = [f for f in figures.class_fill(programme, figures.Filters()) if f.class_id == mataram.id]
        with clock.frozen(datetime.combine(mataram.start_date + timedelta(days=1), time(18), mataram.zoneinfo)):
            (second_day,) = figures.class_lines(programme, figures.Filters(), fills)
        with clock.frozen(datetime.combine(mataram.start_date - timedelta(days=1), time(18), mataram.zoneinfo)):
            (before,) = figures.class_lines(programme, figures.Filters(), fills)
        (after,) = figures.class_lines(programme, figures.Filters(), fills)
    assert second_day.held_days == 22 * 2
    assert after.held_days == 22 * 4
    assert 90 <= second_day.attendance_percent <= 100
    assert (before.held_days, before.attendance_percent) == (0, 0.0)
