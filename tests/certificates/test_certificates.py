"""Certificates: numbers, issuing by the attendance rule, overrides, PDFs, QR, verification."""

from __future__ import annotations

import io
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.certificates import issuing, queries, rendering, storage
from app.certificates.models import DEFAULT_PATTERN, Certificate
from app.certificates.settings import settings_for
from app.core import files
from app.core.roles import Role
from app.errors import CertificateError
from app.extensions import db
from app.programmes.models import Programme, TrainingClass
from app.registration.models import Registration
from tests.conftest import csrf_token, login

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARTIFACTS.mkdir(exist_ok=True)


def _reg(rid: int) -> Registration:
    return db.session.get(Registration, rid)


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_number_pattern_in_the_indonesian_style(app_ctx) -> None:
    from datetime import date

    class Prog:
        code = "SPP-TIK"

    assert issuing.format_number(DEFAULT_PATTERN, 1, Prog(), date(2023, 5, 25)) == "0001/SPP-TIK/PERPUSNAS/V/2023"
    assert issuing.format_number("{seq:03d}-{month}-{year}", 42, Prog(), date(2023, 12, 1)) == "042-12-2023"
    with pytest.raises(CertificateError, match="Pola nomor tidak valid"):
        issuing.format_number("{nomor}/{year}", 1, Prog(), date(2023, 5, 25))


def test_eligible_participants_get_consecutive_numbers_and_others_a_reason(app, finished_class) -> None:
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, finished_class["class_id"])
        issued, skipped = issuing.issue_class(c, by=None)
        db.session.commit()
        assert issued == 2
        assert len(skipped) == 1
        assert "kurang 3 hari" in skipped[0]
        numbers = sorted(queries.current_certificate(_reg(i)).seq for i in finished_class["ids"][:2])
        assert numbers == [1, 2]
        assert issuing.issue_class(c, by=None) == (0, skipped)  # nothing issued twice


def test_override_needs_a_reason_and_is_audited(app, finished_class, make_user) -> None:
    organiser = make_user(Role.ORGANISER)
    with app.app_context(), app.test_request_context():
        from app.auth.models import User

        absent = _reg(finished_class["ids"][2])
        with pytest.raises(CertificateError, match="kurang 3 hari"):
            issuing.issue(absent, by=None)
        certificate = issuing.issue(
            absent, by=db.session.get(User, organiser.id), override_reason="Tugas dinas resmi, disetujui Kapusbang"
        )
        db.session.commit()
        assert certificate.override_reason == "Tugas dinas resmi, disetujui Kapusbang"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "certificates"))
        assert (entry.action, entry.user_id) == ("override", organiser.id)


def test_numbers_stay_distinct_and_consecutive_under_concurrency(app, open_class, register) -> None:
    """On PostgreSQL 50 issues at once (CI's second pass); on SQLite 12."""
    from datetime import date, timedelta

    from app.attendance import services as attendance  # noqa: F401 - the rule is bypassed by an override

    count = 50 if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else 12
    class_id = open_class(capacity=count)
    ids = [register(class_id, n) for n in range(1, count + 1)]
    barrier = threading.Barrier(count)

    def issue(rid: int) -> int:
        with app.app_context(), app.test_request_context():
            barrier.wait(timeout=30)
            certificate = issuing.issue(
                _reg(rid), by=None, override_reason="uji konkurensi", today=date.today() + timedelta(days=400)
            )
            db.session.commit()
            return certificate.seq

    with ThreadPoolExecutor(max_workers=count) as pool:
        numbers = sorted(pool.map(issue, ids))
    assert numbers == list(range(1, count + 1))


def test_pdf_holds_name_number_programme_and_jp_and_a_working_qr(app, finished_class) -> None:
    import zxingcpp

    with app.app_context(), app.test_request_context():
        certificate = issuing.issue(_reg(finished_class["ids"][0]), by=None)
        pdf = rendering.pdf_bytes(certificate)
        db.session.commit()
        text = _pdf_text(pdf)
        programme = db.session.get(Programme, certificate.programme_id)
        assert programme.name == "Bimtek SPP-TIK"  # printed after "Bimbingan Teknis" without its own "Bimtek"
        for expected in (
            "SERTIFIKAT",
            "diberikan kepada",
            "Peserta 0001",
            certificate.number,
            "Bimbingan Teknis SPP-TIK yang diselenggarakan",
            "40 JP",
            "sebagai PESERTA",
        ):
            assert expected in text.replace("\n", " "), expected
        assert "Bimbingan Teknis Bimtek" not in text.replace("\n", " ")
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "c.pdf").write_bytes(pdf)
            subprocess.run(
                ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "c.pdf", "page"], cwd=folder, check=True
            )
            image = Image.open(next(Path(folder).glob("page*.png")))
            image.save(ARTIFACTS / "certificate-short-name.png")  # looked at by a person
            decoded = [result.text for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
        assert decoded == [issuing.verification_url(certificate)]
        code = certificate.code
    response = app.test_client().get(decoded[0].split("localhost", 1)[-1])
    assert response.status_code == 200
    assert "Sertifikat SAH" in response.get_data(as_text=True)
    assert code in decoded[0]


def test_a_stored_pdf_is_served_again_until_the_data_changes(app, finished_class, monkeypatch) -> None:
    with app.app_context(), app.test_request_context():
        certificate = issuing.issue(_reg(finished_class["ids"][0]), by=None)
        first = rendering.pdf_bytes(certificate)
        db.session.commit()
        calls = []
        original = rendering.render_one
        monkeypatch.setattr(rendering, "render_one", lambda *a, **k: calls.append(1) or original(*a, **k))
        assert rendering.pdf_bytes(certificate) == first
        assert calls == []
        settings_for(db.session.get(Programme, certificate.programme_id)).title = "PIAGAM"
        assert b"PIAGAM" not in first
        old_file = certificate.pdf_path
        assert "PIAGAM" in _pdf_text(rendering.pdf_bytes(certificate))
        assert calls == [1]
        assert not files.store().exists(storage.AREA, old_file)  # the render it replaces is not kept
        assert files.store().exists(storage.AREA, certificate.pdf_path)


@pytest.mark.parametrize(
    "name", ['<img src="http://127.0.0.1:9/x">', '<link href="file:///etc/passwd">', 'src="data:x" onerror="x"']
)
def test_hostile_names_are_printed_as_text_and_fetch_nothing(app, finished_class, name, tmp_path) -> None:
    from app.pdf.render import make_fetcher, render_pdf

    with app.app_context(), app.test_request_context():
        certificate = issuing.issue(_reg(finished_class["ids"][0]), by=None)
        certificate.holder_name = name
        settings = settings_for(db.session.get(Programme, certificate.programme_id))
        layered = rendering.layered_chunk([(certificate, "x.pdf")], settings, tmp_path).html
        for html in (layered, rendering.full_html([certificate], settings)):
            fetcher = make_fetcher()
            pdf = render_pdf(html, fetcher)
            assert name in _pdf_text(pdf).replace("\n", "")
            assert fetcher.refused == []
            assert "logo.svg" in fetcher.served  # fonts are fetched once per process
            assert set(fetcher.served) <= {"NotoSans-Bold.ttf", "NotoSans-Regular.ttf", "logo.svg"}
        assert name in _pdf_text(rendering.pdf_bytes(certificate)).replace("\n", "")
        db.session.rollback()


def test_layered_pages_look_exactly_like_the_whole_certificate(app, finished_class, tmp_path) -> None:
    """Background + overlay (how certificates are made) against the certificate laid out whole."""
    from app.pdf.render import render_pdf

    with app.app_context(), app.test_request_context():
        certificate = issuing.issue(_reg(finished_class["ids"][0]), by=None)
        certificate.holder_name = (
            "Baiq Nurul Hidayati Wulandari Putri Lestari Ningsih Kusumawardhani Anak Agung Ayu, S.Pd., M.Hum."
        )[:100]
        settings = settings_for(db.session.get(Programme, certificate.programme_id))
        (tmp_path / "layered.pdf").write_bytes(rendering.pdf_bytes(certificate))
        (tmp_path / "whole.pdf").write_bytes(render_pdf(rendering.full_html([certificate], settings)))
        db.session.rollback()
    images = {}
    for name in ("layered", "whole"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", f"{name}.pdf", name], cwd=tmp_path, check=True
        )
        images[name] = Image.open(next(tmp_path.glob(f"{name}*.png"))).convert("L")
    from PIL import ImageChops, ImageStat

    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "layered.pdf", str(ARTIFACTS / "certificate-long-name")],
        cwd=tmp_path,
        check=True,
    )  # both pages, looked at by a person
    difference = ImageChops.difference(images["layered"], images["whole"])
    assert images["layered"].size == images["whole"].size
    assert ImageStat.Stat(difference).mean[0] < 0.5  # the same pixels (anti-aliasing aside)
    assert ImageStat.Stat(images["layered"]).mean[0] < 250  # and not two blank pages


def test_a_render_that_takes_too_long_is_stopped(app, client, login_as, finished_class) -> None:
    from app.pdf import pool

    huge = "<html><body>" + "<p>Kebijakan TPBIS</p>" * 20000 + "</body></html>"
    with pytest.raises(pool.RenderTimeout):
        pool.render_pdf_limited(huge, timeout=0.5)
    assert pool.render_pdf_limited("<p>berikutnya</p>", timeout=60).startswith(b"%PDF")  # a fresh worker

    # a render queued behind the one that is stopped (another request) is tried again, not lost
    with ThreadPoolExecutor(max_workers=2) as threads:
        slow = threads.submit(pool.render_pdf_limited, huge, 1.0)
        time.sleep(0.2)
        queued = threads.submit(pool.render_pdf_limited, "<p>antre</p>", 60)
        with pytest.raises(pool.RenderTimeout):
            slow.result()
        assert queued.result().startswith(b"%PDF")

    with app.app_context(), app.test_request_context():
        certificate = issuing.issue(_reg(finished_class["ids"][0]), by=None)
        db.session.commit()
        certificate_id = certificate.id
    login_as(Role.ORGANISER)
    app.config["PDF_RENDER_TIMEOUT"] = 0.001
    try:
        response = client.get(f"/sertifikat/{certificate_id}.pdf")
    finally:
        app.config["PDF_RENDER_TIMEOUT"] = 60
    assert response.status_code == 503
    assert "melebihi batas waktu" in response.get_data(as_text=True)


def test_long_names_shrink_to_one_line() -> None:
    assert rendering.name_font_size("Ani") == 30.0
    assert rendering.name_font_size("x" * 100) < 12.5


def test_verification_states_and_no_personal_data(app, client, finished_class) -> None:
    with app.app_context(), app.test_request_context():
        r = _reg(finished_class["ids"][0])
        certificate = issuing.issue(r, by=None)
        db.session.commit()
        code, short, nik, email, phone = certificate.code, certificate.short_code, r.nik, r.email, r.whatsapp
    page = client.get(f"/verifikasi/{code}").get_data(as_text=True)
    assert "Sertifikat SAH" in page
    assert "Peserta 0001" in page
    for secret in (nik, email, phone, nik[:6]):
        assert secret not in page
    by_short = client.get(f"/verifikasi?kode={short.lower()}")
    assert by_short.status_code == 302
    assert by_short.headers["Location"].endswith(code)
    assert client.get("/verifikasi/" + "A" * 43).status_code == 404
    assert "tidak ditemukan" in client.get("/verifikasi?kode=XXXX-XXXX-XX").get_data(as_text=True)

    with app.app_context(), app.test_request_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.code == code))
        corrected = certificate.registration
        corrected.full_name = "Peserta Satu, S.Pd."
        new = issuing.reissue(certificate, by=None)
        db.session.commit()
        new_code = new.code
        assert (new.number, new.version) == (certificate.number, 2)
    old_page = client.get(f"/verifikasi/{code}").get_data(as_text=True)
    assert "DIGANTIKAN" in old_page
    assert new_code in old_page
    with app.app_context(), app.test_request_context():
        issuing.revoke(
            db.session.scalar(select(Certificate).where(Certificate.code == new_code)), None, "Data peserta tidak benar"
        )
        db.session.commit()
    revoked = client.get(f"/verifikasi/{new_code}").get_data(as_text=True)
    assert "DICABUT" in revoked
    assert "telah dicabut oleh penyelenggara pada" in revoked
    assert (
        "Data peserta tidak benar" not in revoked
    )  # the reason is for organisers (tests/certificates/test_hardening.py)


def test_verification_is_rate_limited(client) -> None:
    statuses = [client.get("/verifikasi/" + "B" * 43).status_code for _ in range(31)]
    assert statuses[-1] == 429


def test_participant_downloads_own_certificate_only(app, client, finished_class, make_user) -> None:
    with app.app_context(), app.test_request_context():
        mine = issuing.issue(_reg(finished_class["ids"][0]), by=None)
        theirs = issuing.issue(_reg(finished_class["ids"][1]), by=None)
        db.session.commit()
        mine_id, theirs_id, file_name = mine.id, theirs.id, mine.file_name
    login(client, finished_class["owner"].email)
    response = client.get(f"/sertifikat/{mine_id}.pdf")
    assert response.mimetype == "application/pdf"
    assert file_name in response.headers["Content-Disposition"]
    assert client.get(f"/sertifikat/{theirs_id}.pdf").status_code == 404
    page = client.get("/pendaftaran-saya").get_data(as_text=True)
    assert f"/sertifikat/{mine_id}.pdf" in page


def test_organiser_issues_from_the_class_page_and_is_offered_bulk_downloads(
    app, client, login_as, finished_class
) -> None:

    login_as(Role.ORGANISER)
    class_id = finished_class["class_id"]
    token = csrf_token(client, f"/kelola/kelas/{class_id}/sertifikat")
    response = client.post(
        f"/kelola/kelas/{class_id}/sertifikat/terbitkan", data={"csrf_token": token}, follow_redirects=True
    )
    assert "2 sertifikat diterbitkan." in response.get_data(as_text=True)
    page = client.get(f"/kelola/kelas/{class_id}/sertifikat").get_data(as_text=True)
    assert f"/kelola/sertifikat/massal/class/{class_id}" in page  # the ZIP is made by a background job
    assert "/sertifikat.zip" not in page


def test_certificate_pages_are_for_organisers(client, login_as, finished_class) -> None:
    login_as(Role.FACILITATOR)
    assert client.get(f"/kelola/kelas/{finished_class['class_id']}/sertifikat").status_code == 403
