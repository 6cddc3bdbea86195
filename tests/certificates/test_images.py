"""Organisers upload a logo and a signature image for a programme's certificates."""

from __future__ import annotations

import io
import subprocess

from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from app.certificates import issuing, rendering, storage
from app.certificates.models import CertificateSettings
from app.core import files
from app.core.roles import Role
from app.extensions import db
from app.programmes.models import TrainingClass
from app.registration.models import Registration
from tests.certificates.test_certificates import ARTIFACTS
from tests.conftest import csrf_token

VALUES = {
    "number_pattern": "{seq:04d}/SPP-TIK/PERPUSNAS/{month_roman}/{year}",
    "title": "SERTIFIKAT",
    "role_text": "sebagai PESERTA",
    "body_text": "telah mengikuti {programme}",
    "sign_place": "Jakarta",
    "signatory_position": "Kepala Perpustakaan Nasional",
    "colour": "#0b4f6c",
    "confirm_days": "3",
}


def _image(colour: str, kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 120), colour).save(buffer, kind)
    return buffer.getvalue()


def _post(client, url: str, extra: dict | None = None, **files: tuple[bytes, str]) -> str:
    data = {"csrf_token": csrf_token(client, url), **VALUES, **(extra or {})}
    data.update({name: (io.BytesIO(content), filename) for name, (content, filename) in files.items()})
    return client.post(url, data=data, content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)


def test_logo_and_signature_images_are_printed(app, client, login_as, finished_class, tmp_path) -> None:
    login_as(Role.ORGANISER)
    with app.app_context():
        programme_id = db.session.get(TrainingClass, finished_class["class_id"]).batch.programme_id
    url = f"/kelola/program/{programme_id}/sertifikat"
    page = _post(
        client, url, logo=(_image("#ff0000", "PNG"), "logo.png"), signature=(_image("#00ff00", "JPEG"), "ttd.jpg")
    )
    assert "Pengaturan sertifikat disimpan." in page
    with app.app_context(), app.test_request_context():
        settings = db.session.scalar(select(CertificateSettings))
        assert settings.logo_image.endswith(".png")
        assert settings.signature_image.endswith(".jpg")
        certificate = issuing.issue(db.session.get(Registration, finished_class["ids"][0]), by=None)
        (tmp_path / "c.pdf").write_bytes(rendering.pdf_bytes(certificate))
        db.session.commit()
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "c.pdf", "page"], cwd=tmp_path, check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    image.save(ARTIFACTS / "certificate-uploaded-images.png")  # looked at by a person
    width, height = image.size
    logo = image.getpixel((int(width * 148.5 / 297), int(height * 30 / 210)))  # the middle of the logo box
    assert (logo[0] > 200, logo[1] < 60, logo[2] < 60) == (True, True, True), logo  # red
    greens = [image.getpixel((x, y)) for x in range(width // 2, width) for y in range(height // 2, height)]
    assert any(g > 200 and r < 80 and b < 80 for r, g, b in greens)  # the signature

    page = _post(client, url, {"remove_logo": "y"})
    assert "Pengaturan sertifikat disimpan." in page
    with app.app_context():
        assert db.session.scalar(select(CertificateSettings)).logo_image is None
        assert db.session.scalar(select(CertificateSettings)).signature_image is not None


def test_files_that_are_not_images_are_refused(app, client, login_as, finished_class) -> None:
    login_as(Role.ORGANISER)
    with app.app_context():
        programme_id = db.session.get(TrainingClass, finished_class["class_id"]).batch.programme_id
        before = set(files.store().names(storage.IMAGES))
    url = f"/kelola/program/{programme_id}/sertifikat"
    page = _post(
        client, url, logo=(_image("#ff0000", "PNG"), "logo.png"), signature=(b"<svg onload=alert(1)></svg>", "ttd.png")
    )
    assert "Berkas ini bukan gambar PNG atau JPEG yang dapat dibaca." in page
    big = _post(client, url, logo=(b"\x89PNG\r\n\x1a\n" + b"0" * (1024 * 1024 + 1), "besar.png"))
    assert "paling besar 1 MB" in big
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    assert "Gambar harus berupa PNG atau JPEG" in _post(client, url, logo=(gif.getvalue(), "logo.gif"))
    with app.app_context():
        settings = db.session.scalar(select(CertificateSettings))
        assert settings.logo_image is None  # the good logo sent with a bad signature was not kept either
        assert set(files.store().names(storage.IMAGES)) == before


def test_a_second_signatory_is_printed_beside_the_first(app, client, login_as, finished_class, tmp_path) -> None:
    login_as(Role.ORGANISER)
    with app.app_context():
        programme_id = db.session.get(TrainingClass, finished_class["class_id"]).batch.programme_id
    url = f"/kelola/program/{programme_id}/sertifikat"
    page = _post(
        client,
        url,
        {
            "signatory_name": "Drs. Muhammad Syarif Bando, M.M.",
            "signatory2_name": "Dra. Ni Luh Putu Sari",
            "signatory2_nip": "123",
        },
    )
    assert "Isi jabatan penanda tangan kedua, atau kosongkan nama dan NIP-nya." in page
    assert "NIP harus 18 digit angka." in page
    page = _post(
        client,
        url,
        {
            "signatory_name": "Drs. Muhammad Syarif Bando, M.M.",
            "signatory2_position": "Kepala Dinas Perpustakaan Provinsi NTB",
            "signatory2_name": "Dra. Ni Luh Putu Sari",
            "signatory2_nip": "196805121990032004",
        },
    )
    assert "Pengaturan sertifikat disimpan." in page
    assert 'value="Kepala Dinas Perpustakaan Provinsi NTB"' in client.get(url).get_data(as_text=True)
    with app.app_context(), app.test_request_context():
        certificate = issuing.issue(db.session.get(Registration, finished_class["ids"][0]), by=None)
        pdf = rendering.pdf_bytes(certificate)
        db.session.commit()
    (tmp_path / "c.pdf").write_bytes(pdf)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\n", " ")
    for expected in (
        "Drs. Muhammad Syarif Bando, M.M.",
        "Kepala Dinas Perpustakaan Provinsi NTB",
        "Dra. Ni Luh Putu Sari",
        "NIP 196805121990032004",
    ):
        assert expected in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "c.pdf", str(ARTIFACTS / "certificate-two-signatories")],
        cwd=tmp_path,
        check=True,
    )
    _post(client, url, {"signatory_name": "Drs. Muhammad Syarif Bando, M.M."})  # emptied: one signatory again
    with app.app_context():
        assert len(db.session.scalar(select(CertificateSettings)).signatories) == 1
