"""A request body over MAX_CONTENT_LENGTH: the 413 page says the limit and that nothing was sent;
file fields carry their own limit for the browser to check first."""

from __future__ import annotations

from app.core.roles import Role
from app.extensions import db
from app.programmes.models import TrainingClass
from tests.conftest import csrf_token


def test_a_too_large_upload_page_says_the_limit_and_how_to_get_the_form_back(app, client, login_as, open_class) -> None:
    login_as(Role.PARTICIPANT)
    class_id = open_class()
    with app.app_context():
        db.session.get_one(TrainingClass, class_id).batch.programme.requires_letter = True
        db.session.commit()
    url = f"/katalog/{class_id}/daftar"
    form_page = client.get(url).get_data(as_text=True)
    assert 'data-max-bytes="2097152"' in form_page
    assert 'data-too-big="Berkas ini lebih dari 2 MB. Pilih berkas yang lebih kecil."' in form_page
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "full_name": "x" * too_big})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "satu kiriman paling besar 10 MB" in page
    assert "Isian Anda belum terkirim" in page
    assert "Kode insiden" in page
