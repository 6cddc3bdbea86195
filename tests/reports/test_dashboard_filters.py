"""The dashboard's URL filters on the small demo (the Mataram class), and the tile map's table."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from lokal import wilayah
from sqlalchemy import select

from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.programmes.models import Programme
from app.reports import tilemap
from tests.conftest import login


def _programmes(app: Flask) -> tuple[int, int, int]:
    """(the 2023 programme, its first batch, a batch of another programme)."""
    with app.app_context():
        load_demo()
        db.session.commit()
        programmes = db.session.scalars(select(Programme).order_by(Programme.year)).all()
        first, other = programmes[0], programmes[-1]
        return first.id, first.batches[0].id, other.batches[0].id


def _organiser(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client, "panitia@sibimtek.id", DEMO_PASSWORD)
    return client


def test_filters_narrow_the_figures_and_are_kept_in_the_download_links(app: Flask) -> None:
    programme_id, batch_id, _other = _programmes(app)
    client = _organiser(app)
    url = f"/kelola/program/{programme_id}/dasbor"
    bali = client.get(f"{url}?provinsi=51").get_data(as_text=True)
    assert "8 peserta · 1 provinsi" in " ".join(bali.split())
    assert "dasbor.xlsx?provinsi=51" in bali
    assert "0 peserta · 0 provinsi" in " ".join(client.get(f"{url}?jenis=sekolah").get_data(as_text=True).split())
    assert "0 peserta" in client.get(f"{url}?dari=2030-01-01").get_data(as_text=True)
    assert client.get(f"{url}?angkatan={batch_id}").status_code == 200


def test_nonsense_filters_are_refused(app: Flask) -> None:
    programme_id, _batch_id, other_batch = _programmes(app)
    client = _organiser(app)
    url = f"/kelola/program/{programme_id}/dasbor"
    assert client.get(f"{url}?angkatan={other_batch}").status_code == 404  # another programme's batch
    assert client.get(f"{url}?dari=kemarin").status_code == 400
    assert client.get(f"{url}?jenis=bukan-jenis").status_code == 400


def test_the_home_link_opens_the_latest_programme_with_participants(app: Flask) -> None:
    programme_id, _batch_id, _other = _programmes(app)
    response = _organiser(app).get("/kelola/dasbor")
    assert response.headers["Location"].endswith(f"/kelola/program/{programme_id}/dasbor")


def test_the_tile_map_has_one_cell_for_each_of_the_38_provinces() -> None:
    assert set(tilemap.GRID) == {w.code for w in wilayah.list_wilayah()}
    assert len(set(tilemap.GRID.values())) == 38
    assert all(0 <= c < tilemap.COLUMNS and 0 <= r < tilemap.ROWS for c, r in tilemap.GRID.values())


def test_tile_shades_step_up_to_the_largest_province() -> None:
    assert [tilemap.shade_of(v, 100) for v in (0, 1, 25, 26, 75, 76, 100)] == [0, 1, 1, 2, 3, 4, 4]
    assert tilemap.legend(100) == [(0, 0, 0), (1, 1, 25), (2, 26, 50), (3, 51, 75), (4, 76, 100)]


def test_coordinators_see_no_draft_class_or_programme(app: Flask) -> None:
    """From an attacker's trial: a draft class's name and seats were in the coordinator's dashboard and
    CSV, and a draft programme opened and was offered on the coverage page (the API hid both)."""
    from app.programmes.models import Batch, ClassStatus, ProgrammeStatus, TrainingClass

    programme_id, _batch, _other = _programmes(app)
    with app.app_context():
        mataram = db.session.scalars(  # the 2023 class (the 2027 copy has the same venue)
            select(TrainingClass)
            .join(Batch)
            .where(Batch.programme_id == programme_id, TrainingClass.venue_name.like("Aston%"))
        ).one()
        mataram.status, mataram.name = ClassStatus.DRAFT, "RAHASIA draf kelas"
        secret = Programme(code="RHS", name="RAHASIA Program Draf", year=2028, jp_total=40)
        secret.status = ProgrammeStatus.DRAFT
        db.session.add(secret)
        db.session.commit()
        secret_id = secret.id
    coordinator = app.test_client()
    login(coordinator, "koordinator.ntb@sibimtek.id", DEMO_PASSWORD)
    for url in (f"/kelola/program/{programme_id}/dasbor", f"/kelola/program/{programme_id}/dasbor.csv"):
        answer = coordinator.get(url)
        assert answer.status_code == 200, url
        assert "RAHASIA" not in answer.get_data(as_text=True), url
    assert coordinator.get(f"/kelola/program/{secret_id}/dasbor").status_code == 404
    assert "RAHASIA" not in coordinator.get("/kelola/cakupan").get_data(as_text=True)
    organiser = _organiser(app)  # organisers plan with drafts
    assert "RAHASIA draf kelas" in organiser.get(f"/kelola/program/{programme_id}/dasbor").get_data(as_text=True)
    assert organiser.get(f"/kelola/program/{secret_id}/dasbor").status_code == 200
    assert "RAHASIA Program Draf" in organiser.get("/kelola/cakupan").get_data(as_text=True)


def test_csv_cells_never_start_a_formula() -> None:
    from app.core.export import csv_safe

    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1+cmd", "\r=1"):
        assert csv_safe(value) == "'" + value
    assert csv_safe("Kelas Bali") == "Kelas Bali"
    assert csv_safe(-1) == -1


def test_class_fill_counts_only_the_chosen_province(app: Flask) -> None:
    """From a trial: the fill table counted the whole class, so an NTB coordinator could subtract NTB's
    participants from it and learn Bali's. With a province, only that province's approved count."""
    import io

    from openpyxl import load_workbook

    programme_id, _batch, _other = _programmes(app)
    coordinator = app.test_client()
    login(coordinator, "koordinator.ntb@sibimtek.id", DEMO_PASSWORD)
    workbook = load_workbook(io.BytesIO(coordinator.get(f"/kelola/program/{programme_id}/dasbor.xlsx").data))
    fill = {row[1]: row[3] for row in workbook["Keterisian kelas"].iter_rows(min_row=2, values_only=True)}
    whole = {row[1]: row[3] for row in _sheet(_organiser(app), programme_id, "")}
    ntb = {row[1]: row[3] for row in _sheet(_organiser(app), programme_id, "?provinsi=52")}
    assert fill == ntb
    (mataram,) = [name for name in fill if "Bali – Nusa Tenggara Barat" in name]
    assert (whole[mataram], ntb[mataram]) == (22, 14)  # 8 of the 22 are from Bali


def _sheet(client: FlaskClient, programme_id: int, query: str) -> list[tuple]:
    import io

    from openpyxl import load_workbook

    data = client.get(f"/kelola/program/{programme_id}/dasbor.xlsx{query}").data
    return list(load_workbook(io.BytesIO(data))["Keterisian kelas"].iter_rows(min_row=2, values_only=True))


def test_downloads_name_their_filters(app: Flask) -> None:
    import io

    from openpyxl import load_workbook

    programme_id, batch_id, _other = _programmes(app)
    client = _organiser(app)
    response = client.get(
        f"/kelola/program/{programme_id}/dasbor.xlsx?provinsi=52&jenis=desa_kelurahan&angkatan={batch_id}"
    )
    disposition = response.headers["Content-Disposition"]
    assert "-52-angkatan-1-desa-kelurahan.xlsx" in disposition
    assert disposition.startswith("attachment")
    named = dict(load_workbook(io.BytesIO(response.data))["Filter"].iter_rows(min_row=2, values_only=True))
    assert named["Provinsi"] == "Nusa Tenggara Barat"
    assert named["Jenis perpustakaan"] == "Perpustakaan desa/kelurahan"
    assert named["Angkatan"].startswith("Angkatan")
    assert named["Kelas mulai dari"] == "–"
    assert named["Diunduh"]
    csv_text = client.get(f"/kelola/program/{programme_id}/dasbor.csv?provinsi=52").get_data(as_text=True)
    assert "Filter,Nilai" in csv_text
    assert "Provinsi,Nusa Tenggara Barat" in csv_text
    assert "Angkatan,Semua angkatan" in csv_text


def test_the_tile_map_names_each_province_and_its_figure(app: Flask) -> None:
    programme_id, _batch, _other = _programmes(app)
    page = _organiser(app).get(f"/kelola/program/{programme_id}/dasbor").get_data(as_text=True)
    assert len(tilemap.SHORT) == 38
    assert set(tilemap.SHORT) == set(tilemap.GRID)
    ntb = page.split('data-code="52"')[1].split("</g>")[0]
    assert ">NTB</text>" in ntb
    assert ">14</text>" in ntb
    assert "Nusa Tenggara Barat: 14" in ntb
    assert 'id="reached-definition"' in page


def test_each_class_shows_its_attendance_and_certificates_within_the_province(app: Flask) -> None:
    """The coordinator's view "with their participants' attendance and certificates": per class, the
    province's people only, a link to the class's attendance report, the same in the XLSX and the API."""
    import io

    from openpyxl import load_workbook

    from app.auth import api_tokens
    from app.auth.models import User

    programme_id, _batch, _other = _programmes(app)
    coordinator = app.test_client()
    login(coordinator, "koordinator.ntb@sibimtek.id", DEMO_PASSWORD)
    page = coordinator.get(f"/kelola/program/{programme_id}/dasbor").get_data(as_text=True)
    section = page.split('data-testid="class-attendance"')[1].split("</section>")[0]
    (row,) = [r for r in section.split('<tr class="class-line">')[1:] if "Nusa Tenggara Barat" in r]
    cells = [c.split("</td>")[0].strip() for c in row.split('<td class="text-end')[1:]]
    assert [c.split(">")[-1] for c in cells][0] == "14"  # NTB's 14 of the 22
    assert "/presensi/kelas/" in row
    report = coordinator.get(row.split('href="')[1].split('"')[0])
    assert report.status_code == 200
    workbook = load_workbook(io.BytesIO(coordinator.get(f"/kelola/program/{programme_id}/dasbor.xlsx").data))
    lines = {r[0]: r for r in workbook["Kehadiran per kelas"].iter_rows(min_row=2, values_only=True)}
    (mataram,) = [r for name, r in lines.items() if "Nusa Tenggara Barat" in name]
    assert mataram[1] == "Kota Mataram"
    assert mataram[4] == 14
    assert 80 <= mataram[5] <= 100
    with app.app_context():
        from sqlalchemy import select as select_

        user = db.session.scalars(select_(User).where(User.email == "koordinator.ntb@sibimtek.id")).one()
        secret = api_tokens.create_token(user, "test").secret
        db.session.commit()
    body = (
        app.test_client()
        .get(f"/api/v1/programmes/{programme_id}/dashboard", headers={"Authorization": f"Bearer {secret}"})
        .get_json()
    )
    (api_line,) = [c for c in body["classes"] if "Nusa Tenggara Barat" in c["name"]]
    assert (api_line["approved"], api_line["eligible"]) == (14, mataram[6])
    assert api_line["certificates_issued"] == mataram[7]
    assert api_line["attendance_percent"] == round(mataram[5], 1)


def test_wrong_filters_are_all_named_on_the_page_and_in_the_api(app: Flask) -> None:
    """From a new user's trial: `dari` after `sampai` showed zeros, `angkatan=abc` was ignored, a bad date
    was a bare 400 and the API silently ignored the page's parameter names (unfiltered totals)."""
    from app.auth import api_tokens
    from app.auth.models import User

    programme_id, _batch, _other = _programmes(app)
    client = _organiser(app)
    url = f"/kelola/program/{programme_id}/dasbor"
    answer = client.get(f"{url}?angkatan=abc&jenis=x&dari=2023-13-01&sampai=2023-01-01&provinsi=99")
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    for message in ("Angkatan tidak dikenal.", "Jenis perpustakaan tidak dikenal.", "TTTT-BB-HH", "Kode provinsi"):
        assert message in text
    assert "Angkatan tidak dikenal." in client.get(f"{url}?angkatan=%C2%B2").get_data(as_text=True)  # "²" is no id
    swapped = client.get(f"{url}?dari=2023-12-31&sampai=2023-01-01").get_data(as_text=True)
    assert "harus sebelum atau sama dengan" in swapped
    assert "Kode provinsi tidak dikenal." in client.get(f"{url}?provinsi=99").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "panitia@sibimtek.id")).one()
        secret = api_tokens.create_token(user, "test").secret
        db.session.commit()
    api = app.test_client().get(
        f"/api/v1/programmes/{programme_id}/dashboard?provinsi=52", headers={"Authorization": f"Bearer {secret}"}
    )
    assert api.status_code == 400
    assert "provinsi → province" in api.get_json()["error"]["message"]


def test_attendance_is_a_dash_before_any_mark_and_the_page_names_its_filters(app: Flask) -> None:
    programme_id, batch_id, _other = _programmes(app)
    client = _organiser(app)
    url = f"/kelola/program/{programme_id}/dasbor"
    empty = " ".join(client.get(f"{url}?dari=2030-01-01").get_data(as_text=True).split())
    assert '<div class="figure">–</div><div class="small text-muted">Kehadiran</div>' in empty
    assert "Kelas mulai dari: <strong>1 Januari 2030</strong>" in empty
    marked = client.get(url).get_data(as_text=True)
    assert '<div class="figure">–</div><div class="small text-muted">Kehadiran</div>' not in " ".join(marked.split())
    assert 'data-testid="scope"' not in marked  # no filter, nothing to name
    ntb = " ".join(client.get(f"{url}?provinsi=52&angkatan={batch_id}").get_data(as_text=True).split())
    assert "Provinsi: <strong>Nusa Tenggara Barat</strong>" in ntb
    assert 'id="fill-filtered"' in ntb


def test_the_dashboard_switches_programme_and_opens_on_one_with_approved_people(app: Flask) -> None:
    """From a trial: one submitted registration in 2027 sent everyone to an all-zero dashboard, and a
    coordinator had no way back to 2023."""
    from sqlalchemy import inspect

    from app.programmes.models import ProgrammeStatus
    from app.registration.models import Registration, RegistrationStatus

    programme_id, _batch, _other = _programmes(app)
    with app.app_context():
        later = db.session.scalars(select(Programme).order_by(Programme.year.desc())).first()
        assert later.id != programme_id
        some = db.session.scalars(select(Registration).where(Registration.programme_id == programme_id)).first()
        copy = {a.key: getattr(some, a.key) for a in inspect(Registration).column_attrs if a.key != "id"}
        copy.update(programme_id=later.id, class_id=later.batches[1].classes[0].id, user_id=None, nik_hash=None)
        db.session.add(Registration(**{**copy, "status": RegistrationStatus.SUBMITTED}))
        draft = Programme(code="DRF", name="Program Draf", year=2030, jp_total=40)
        draft.status = ProgrammeStatus.DRAFT
        db.session.add(draft)
        db.session.commit()
        draft_id, later_id = draft.id, later.id
    coordinator = app.test_client()
    login(coordinator, "koordinator.ntb@sibimtek.id", DEMO_PASSWORD)
    assert coordinator.get("/kelola/dasbor").headers["Location"].endswith(f"/program/{programme_id}/dasbor")
    page = coordinator.get(f"/kelola/program/{programme_id}/dasbor").get_data(as_text=True)
    page = page.split('id="programme-switch"')[1].split("</form>")[0]
    assert f'<option value="{later_id}"' in page
    assert f'<option value="{draft_id}"' not in page  # no drafts for coordinators
    assert (
        coordinator.get(f"/kelola/dasbor?program={later_id}")
        .headers["Location"]
        .endswith(f"/program/{later_id}/dasbor")
    )
    assert coordinator.get(f"/kelola/dasbor?program={draft_id}").status_code == 404
    assert coordinator.get(f"/presensi/program/{draft_id}/laporan").status_code == 404  # as in every report
    organiser_page = _organiser(app).get(f"/kelola/program/{programme_id}/dasbor").get_data(as_text=True)
    assert f'<option value="{draft_id}"' in organiser_page.split('id="programme-switch"')[1].split("</form>")[0]
    assert "Bimtek Strategi Pengembangan Perpustakaan dan TIK 2023</a>" in organiser_page  # the back link's year


def test_the_english_headline_counts_libraries_in_the_plural(app: Flask) -> None:
    """ "10 village library" in English: each library type's count has its own plural."""
    programme_id, _batch, _other = _programmes(app)
    client = _organiser(app)
    indonesian = " ".join(
        client.get(f"/kelola/program/{programme_id}/dasbor?provinsi=52").get_data(as_text=True).split()
    )
    assert "14 peserta · 1 provinsi · 1 angkatan · 10 perpustakaan desa/kelurahan" in indonesian
    client.get("/bahasa/en")
    english = " ".join(client.get(f"/kelola/program/{programme_id}/dasbor?provinsi=52").get_data(as_text=True).split())
    assert "10 village libraries" in english
    assert "1 provincial library" in english
