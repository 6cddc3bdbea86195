"""Registration pages through the test client: the form, my registrations, my data, organisers."""

from __future__ import annotations

import io
import json
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core.roles import Role
from app.extensions import db
from app.registration.models import Registration
from tests.conftest import csrf_token, outbox, submit, xlsx_file
from tests.fixtures_registration import make_nik, status_of
from tests.registration.pdfs import page_text, pdf_letter


def _form(library_id: int, **overrides: object) -> dict:
    data = {
        "province_code": "52",
        "regency_code": "52.71",
        "library_id": str(library_id),
        "library_name": "Perpustakaan",
        "full_name": "Baiq Nurul Hidayati, S.Pd.",
        "nik": "5271 0145 0890 0001",
        "gender": "P",
        "birth_place": "Mataram",
        "birth_date": "1990-08-05",
        "position": "Pengelola perpustakaan desa",
        "employment_status": "relawan",
        "email": "baiq@perpusdes.id",
        "whatsapp": "0812-3456-7890",
        "name_confirmed": "y",
        "consent": "y",
    }
    data.update(overrides)
    return data


def test_participant_registers_and_sees_the_status(client, login_as, open_class, library, app) -> None:
    login_as(Role.PARTICIPANT)
    class_id = open_class(capacity=2)
    response = submit(client, f"/katalog/{class_id}/daftar", _form(library("52")))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get("/pendaftaran-saya").get_data(as_text=True)
    assert "Disetujui" in page
    assert "5271••••••••0001" in page
    assert "5271014508900001" not in page
    with app.app_context():
        r = db.session.scalar(select(Registration))
        assert (r.nik, r.whatsapp, r.gender) == ("5271014508900001", "+6281234567890", "P")
        assert r.consent_version == app.config["PRIVACY_NOTICE_VERSION"]
    assert outbox(app)[-1].subject == "Pendaftaran Bimtek disetujui"


def test_a_bad_nik_is_a_field_error_and_the_rest_is_kept(client, login_as, open_class, library) -> None:
    login_as(Role.PARTICIPANT)
    class_id = open_class()
    page = submit(client, f"/katalog/{class_id}/daftar", _form(library("52"), nik="52710145089")).get_data(as_text=True)
    assert "NIK harus 16 digit angka (sekarang 11 karakter)." in page
    assert 'value="Baiq Nurul Hidayati, S.Pd."' in page
    assert 'value="Pengelola perpustakaan desa"' in page


def test_the_certificate_name_must_be_confirmed(client, login_as, open_class, library) -> None:
    login_as(Role.PARTICIPANT)
    class_id = open_class()
    data = _form(library("52"))
    del data["name_confirmed"]
    page = submit(client, f"/katalog/{class_id}/daftar", data).get_data(as_text=True)
    assert "Periksa nama yang akan dicetak di sertifikat: «Baiq Nurul Hidayati, S.Pd.»" in page


def test_consent_is_required_and_unticked_by_default(client, login_as, open_class, library) -> None:
    login_as(Role.PARTICIPANT)
    class_id = open_class()
    form_page = client.get(f"/katalog/{class_id}/daftar").get_data(as_text=True)
    consent_box = re.search(r'<input[^>]*id="consent"[^>]*>', form_page).group(0)
    assert "checked" not in consent_box
    data = _form(library("52"))
    del data["consent"]
    page = submit(client, f"/katalog/{class_id}/daftar", data).get_data(as_text=True)
    assert "Anda perlu menyetujui Pemberitahuan Privasi" in page


def test_letter_required_by_the_programme_is_checked_by_content(client, login_as, open_class, library, app) -> None:
    from app.programmes.models import TrainingClass

    login_as(Role.PARTICIPANT)
    class_id = open_class()
    with app.app_context():
        db.session.get(TrainingClass, class_id).batch.programme.requires_letter = True
        db.session.commit()
    url = f"/katalog/{class_id}/daftar"
    page = submit(client, url, _form(library("52"))).get_data(as_text=True)
    assert "Program ini meminta surat tugas" in page
    fake = submit(
        client,
        url,
        {**_form(library("52")), "letter": (io.BytesIO(b"MZ not a pdf"), "surat.pdf")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Surat tugas harus berkas PDF, JPG atau PNG" in fake
    ok = submit(
        client,
        url,
        {**_form(library("52")), "letter": (io.BytesIO(pdf_letter()), "surat.pdf")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    with app.app_context():
        r = db.session.scalar(select(Registration))
        assert r.letter_mimetype == "application/pdf"
        rid = r.id
    download = client.get(f"/pendaftaran/{rid}/surat-tugas")
    assert download.data.startswith(b"%PDF-")
    assert "SURAT TUGAS" in page_text(download.data)


def test_a_participant_cannot_see_or_change_anothers_registration(
    app, client, login_as, open_class, register, make_user
) -> None:
    other = make_user(Role.PARTICIPANT)
    rid = register(open_class(), 1, user=other)
    login_as(Role.PARTICIPANT)
    assert client.get(f"/pendaftaran-saya/{rid}/perbaiki").status_code == 404
    token = csrf_token(client, "/pendaftaran-saya")
    assert client.post(f"/pendaftaran-saya/{rid}/batal", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/pendaftaran/{rid}/surat-tugas").status_code == 404
    assert client.get(f"/kelola/pendaftar/{rid}").status_code == 403
    assert status_of(app, rid) == "approved"


def test_cancel_my_registration(app, client, login_as, open_class, register) -> None:
    me = login_as(Role.PARTICIPANT)
    rid = register(open_class(), 1, user=me)
    token = csrf_token(client, "/pendaftaran-saya")
    assert client.post(f"/pendaftaran-saya/{rid}/batal", data={"csrf_token": token}).status_code == 302
    assert status_of(app, rid) == "cancelled"


def test_json_export_holds_my_data_and_nobody_elses(client, login_as, open_class, register) -> None:
    me = login_as(Role.PARTICIPANT)
    class_id = open_class()
    register(class_id, 1, user=me)
    register(class_id, 2)
    response = client.get("/data-saya.json")
    data = json.loads(response.data)
    assert data["akun"]["email"] == me.email
    assert [r["nik"] for r in data["pendaftaran"]] == [make_nik("52", 1)]
    assert make_nik("52", 2) not in response.get_data(as_text=True)


def test_correction_page_never_echoes_the_nik(client, login_as, open_class, register, app) -> None:
    me = login_as(Role.PARTICIPANT)
    rid = register(open_class(), 1, user=me)
    page = client.get(f"/pendaftaran-saya/{rid}/perbaiki").get_data(as_text=True)
    assert make_nik("52", 1) not in page
    assert "5271••••••••0001" in page
    # approved: the NIK cannot change, so it is shown, not offered as a field (from a trial)
    assert "NIK tidak dapat diubah" in page
    assert 'name="nik"' not in page
    response = submit(
        client,
        f"/pendaftaran-saya/{rid}/perbaiki",
        {
            "full_name": "Peserta Baru, S.Sos.",
            "nik": "",
            "gender": "L",
            "birth_place": "Mataram",
            "birth_date": "1990-08-05",
            "position": "Kepala perpustakaan",
            "employment_status": "honorer",
            "email": "peserta1@perpusdes.id",
            "whatsapp": "081200000001",
        },
        follow_redirects=True,
    )
    assert "menunggu persetujuan panitia" in response.get_data(as_text=True)
    with app.app_context():
        r = db.session.get(Registration, rid)
        assert (r.nik, r.position, r.full_name) == (make_nik("52", 1), "Kepala perpustakaan", "Peserta 0001")


def test_organiser_list_filters_exports_and_bulk_approves(app, client, login_as, open_class, register) -> None:
    from app.programmes.models import ApprovalMode

    class_id = open_class(capacity=2, approval_mode=ApprovalMode.MODERATED)
    ids = [register(class_id, n, province) for n, province in ((1, "52"), (2, "51"), (3, "52"))]
    login_as(Role.ORGANISER)
    page = client.get(f"/kelola/kelas/{class_id}/pendaftar?provinsi=51").get_data(as_text=True)
    assert "Peserta 0002" in page
    assert "Peserta 0001" not in page
    assert "https://wa.me/6281200000002?text=" in page
    # a search that finds nobody says so, not that the class has nobody (from a trial)
    nobody = client.get(f"/kelola/kelas/{class_id}/pendaftar?q=zzz").get_data(as_text=True)
    assert "Tidak ada pendaftar yang cocok dengan pencarian atau saringan ini." in nobody
    assert "Belum ada pendaftar." not in nobody
    token = csrf_token(client, f"/kelola/kelas/{class_id}/pendaftar")
    response = client.post(
        "/kelola/pendaftar/keputusan",
        data={
            "csrf_token": token,
            "action": "approve",
            "ids": [str(i) for i in ids],
            "next": f"/kelola/kelas/{class_id}/pendaftar",
        },
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "2 pendaftar diproses." in text
    assert "Peserta 0003: Tidak ada kursi tersisa" in text
    assert [status_of(app, i) for i in ids] == ["approved", "approved", "submitted"]
    rows = list(
        load_workbook(io.BytesIO(client.get(f"/kelola/kelas/{class_id}/pendaftar.xlsx").data)).active.iter_rows(
            values_only=True
        )
    )
    assert len(rows) == 4
    assert rows[1][2] == "5271••••••••0001"  # masked in exports too


def test_reject_needs_a_reason(app, client, login_as, open_class, register) -> None:
    rid = register(open_class(), 1)
    login_as(Role.ORGANISER)
    token = csrf_token(client, f"/kelola/pendaftar/{rid}")
    response = client.post(
        "/kelola/pendaftar/keputusan",
        data={"csrf_token": token, "action": "reject", "ids": [str(rid)], "reason": "", "next": "/kelola/program"},
        follow_redirects=True,
    )
    assert "Tulis alasan" in response.get_data(as_text=True)
    assert status_of(app, rid) == "approved"


def _nominations(rows: list[list[object]]) -> bytes:
    from app.registration.nominations import COLUMNS

    return xlsx_file(COLUMNS, rows)


def test_nomination_import_is_all_or_nothing(app, client, login_as, open_class, library) -> None:
    class_id = open_class(capacity=5)
    lib = library("52")
    good = [
        "Lalu Ahmad",
        make_nik("52", 7),
        "",
        "L",
        "Praya",
        "1990-08-05",
        "Pustakawan",
        "honorer",
        "lalu@perpus.id",
        "081233334444",
        lib,
    ]
    bad_nik = ["Siti", "123", "", "P", "Bima", "1991-01-02", "Staf", "pns", "siti@perpus.id", "081255556666", lib]
    bad_library = [
        "Made",
        make_nik("51", 8),
        "",
        "L",
        "Denpasar",
        "1990-08-05",
        "Staf",
        "relawan",
        "made@perpus.id",
        "081277778888",
        99999,
    ]
    login_as(Role.ORGANISER)
    url = f"/kelola/kelas/{class_id}/impor-nominasi"
    page = submit(
        client,
        url,
        {"file": (io.BytesIO(_nominations([good, bad_nik, bad_library])), "n.xlsx")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert '<td>3</td><td><ul class="mb-0 ps-3"><li>nik: NIK harus 16 digit' in page
    assert "<td>4</td>" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    response = submit(
        client, url, {"file": (io.BytesIO(_nominations([good])), "n.xlsx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Registration.status)).value == "approved"


def test_access_to_organiser_registration_pages(client, login_as, open_class, programme) -> None:
    class_id = open_class()
    for role in (Role.PARTICIPANT, Role.FACILITATOR, Role.COORDINATOR):
        login_as(role)
        for url in (
            f"/kelola/kelas/{class_id}/pendaftar",
            f"/kelola/program/{programme.id}/pendaftar",
            "/kelola/perpustakaan-usulan",
            "/kelola/permintaan",
            f"/kelola/program/{programme.id}/duplikat",
        ):
            assert client.get(url).status_code == 403, (role, url)
        client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})


def test_registration_form_needs_a_participant_login(client, open_class) -> None:
    class_id = open_class()
    response = client.get(f"/katalog/{class_id}/daftar")
    assert response.status_code == 302
    assert "/masuk" in response.headers["Location"]


def test_the_nik_is_never_logged_nor_put_in_a_url(client, login_as, open_class, library, caplog) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    login_as(Role.PARTICIPANT)
    class_id = open_class()
    response = submit(client, f"/katalog/{class_id}/daftar", _form(library("52")))
    assert "5271014508900001" not in response.headers["Location"]
    client.get(response.headers["Location"])
    assert "5271014508900001" not in caplog.text
    assert "527101450890" not in caplog.text


def test_coordinator_home_counts_registrations_of_the_province(client, login_as, open_class, register) -> None:
    class_id = open_class(capacity=1)
    register(class_id, 1, "52")
    register(class_id, 2, "52")
    register(class_id, 3, "51")
    login_as(Role.COORDINATOR, province_code="52")
    page = client.get("/beranda").get_data(as_text=True)
    assert re.search(r"<td>Disetujui</td><td class=\"text-end\">1</td>", page)
    assert re.search(r"<td>Daftar tunggu</td><td class=\"text-end\">1</td>", page)


def test_the_province_chosen_in_the_catalogue_is_carried_into_the_form(client, login_as, open_class) -> None:
    login_as(Role.PARTICIPANT)
    class_id = open_class()
    page = client.get(f"/katalog/{class_id}?provinsi=51").get_data(as_text=True)
    assert f"/katalog/{class_id}/daftar?provinsi=51" in page
    form = client.get(f"/katalog/{class_id}/daftar?provinsi=51").get_data(as_text=True)
    assert '<option selected value="51">Bali</option>' in form


def test_merging_a_proposed_library_without_a_target_says_what_is_missing(app, client, login_as) -> None:
    from app.libraries import services as libraries
    from app.libraries.models import Library, LibraryStatus, LibraryType

    with app.app_context():
        proposal = libraries.create_library(
            libraries.LibraryData(
                name="Perpustakaan Desa Usulan", type=LibraryType.DESA_KELURAHAN, regency_code="52.03"
            ),
            status=LibraryStatus.PROPOSED,
            by=None,
        )
        db.session.commit()
        proposal_id = proposal.id
    login_as(Role.ORGANISER)
    token = csrf_token(client, "/kelola/perpustakaan-usulan")
    # From a new user's trial: an empty id gave the bare "400 · Permintaan tidak valid" page.
    for target in ("", "bukan-angka"):
        response = client.post(
            f"/kelola/perpustakaan-usulan/{proposal_id}/gabung",
            data={"csrf_token": token, "target_id": target},
            follow_redirects=True,
        )
        assert response.status_code == 200
        assert 'class="alert alert-danger' in response.get_data(as_text=True)
    assert "Isi ID perpustakaan." in client.post(
        f"/kelola/perpustakaan-usulan/{proposal_id}/gabung", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Library, proposal_id).status is LibraryStatus.PROPOSED  # nothing merged
