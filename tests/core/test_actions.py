"""The shared tail of POST views (commit_or_flash) and the one loader of URL objects (load_or_404)."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from werkzeug.exceptions import Forbidden, NotFound
from wtforms import StringField

from app.core.access import load_or_404
from app.core.actions import commit_or_flash
from app.core.forms import BaseForm
from app.errors import Problem, ValidationFailed
from app.extensions import db
from app.libraries.models import Library


class NameForm(BaseForm):
    class Meta:
        csrf = False

    name = StringField()


@pytest.fixture
def lib(app_ctx, library) -> Library:
    return db.session.get(Library, library())


def test_an_accepted_action_is_committed_and_said(lib: Library) -> None:
    library = lib

    def rename() -> str:
        library.name = "Perpustakaan Desa Baru"
        return library.name

    done = commit_or_flash(rename, lambda name: f"{name} disimpan.")
    assert done
    assert done.result == "Perpustakaan Desa Baru"
    db.session.expire_all()
    assert db.session.get(Library, library.id).name == "Perpustakaan Desa Baru"  # committed
    assert get_flashed_messages(with_categories=True) == [("success", "Perpustakaan Desa Baru disimpan.")]


def test_a_refusal_is_rolled_back_and_every_problem_lands_on_its_field(lib: Library) -> None:
    library = lib
    old = library.name
    form = NameForm(data={"name": "x"})

    def refuse() -> None:
        library.name = "Setengah tersimpan"
        raise ValidationFailed([Problem("Nama sudah dipakai.", "nama"), Problem("Kelas sudah penuh.")])

    done = commit_or_flash(refuse, "tidak terlihat", form=form, aliases={"nama": "name"})
    assert not done
    assert done.result is None
    assert db.session.get(Library, library.id).name == old  # rolled back, nothing half-saved
    assert form.name.errors == ["Nama sudah dipakai."]
    assert ("danger", "Kelas sudah penuh.") in get_flashed_messages(with_categories=True)  # no field: flashed


def test_without_a_form_the_problems_are_flashed(app_ctx) -> None:
    def refuse() -> None:
        raise ValidationFailed([Problem("Satu."), Problem("Dua.")])

    done = commit_or_flash(refuse, "tidak terlihat")
    assert not done
    assert isinstance(done.error, ValidationFailed)  # the view may add to the page for some refusals
    assert get_flashed_messages(with_categories=True) == [("danger", "Satu."), ("danger", "Dua.")]


def test_load_or_404_finds_checks_and_hides(lib: Library) -> None:
    library = lib
    assert load_or_404(Library, library.id) is library
    assert load_or_404(lambda ident: db.session.get(Library, ident), library.id, check=lambda lib: True) is library
    with pytest.raises(NotFound):
        load_or_404(Library, 10**6)
    with pytest.raises(Forbidden):
        load_or_404(Library, library.id, check=lambda lib: False)
    with pytest.raises(NotFound):  # a private object: refused as if it did not exist
        load_or_404(Library, library.id, check=lambda lib: False, hide=True)
