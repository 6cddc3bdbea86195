"""`flask seed demo`: demo accounts and the libraries of the 2023 NTB class (idempotent)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.core import demo
from app.extensions import db

seed_cli = AppGroup("seed", help="Data contoh.")


@seed_cli.command("demo")
@click.option("--force", is_flag=True, help="Juga di production (tidak disarankan).")
@click.option("--full", "full_scale", is_flag=True, help="Skala penuh 2023: 1.238 peserta sintetis.")
def seed_demo(force: bool, full_scale: bool) -> None:
    """Load the demo data; running it twice changes nothing."""
    if current_app.config["ENV_NAME"] == "production" and not force:
        raise click.ClickException("Data demo tidak dimuat di production (pakai --force bila perlu).")
    result = demo.load_demo(full_scale=full_scale)
    db.session.commit()
    click.echo(
        f"Data demo: {result.accounts_added} akun baru, {result.libraries_added} perpustakaan baru "
        f"({result.libraries_total} perpustakaan demo); {result.programmes_added} program baru "
        f"(SPP-TIK 2023: {result.classes} kelas, {result.seats} kursi; salinan 2027 dengan pendaftaran dibuka); "
        f"{result.registrations_added} pendaftaran baru."
    )
    click.echo("Akun demo (email / kata sandi / peran):")
    for account in demo.DEMO_ACCOUNTS:
        click.echo(f"  {account.email:32} {account.password:16} {account.role_label}")
    click.echo(f"  (juga fasilitator2…fasilitator7@sibimtek.id, kata sandi {demo.DEMO_PASSWORD})")
