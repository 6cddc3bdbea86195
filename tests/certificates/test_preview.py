"""The certificate settings preview: it answers for a programme never configured, and only it may
be framed (by our own settings page)."""

from __future__ import annotations

from app.core.roles import Role


def test_preview_of_a_programme_whose_settings_were_never_opened_is_a_pdf(client, login_as, programme) -> None:
    login_as(Role.ORGANISER)
    response = client.get(f"/kelola/program/{programme.id}/sertifikat/pratinjau.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    # and again, now that the defaults exist
    assert client.get(f"/kelola/program/{programme.id}/sertifikat/pratinjau.pdf").status_code == 200


def test_only_the_preview_may_be_framed_and_only_by_our_pages(client, login_as, programme) -> None:
    login_as(Role.ORGANISER)
    preview = client.get(f"/kelola/program/{programme.id}/sertifikat/pratinjau.pdf")
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert preview.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    settings = client.get(f"/kelola/program/{programme.id}/sertifikat")
    assert settings.status_code == 200
    assert settings.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in settings.headers["Content-Security-Policy"]
