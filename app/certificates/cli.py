"""`flask certificates ask-names`: mail participants to confirm their printed name (daily)."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

certificates_cli = AppGroup("certificates", help="Sertifikat.")


@certificates_cli.command("ask-names")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Tanggal acuan (TTTT-BB-HH).")
def ask_names(today: datetime | None) -> None:
    """Ask participants whose class has ended to confirm the name on their certificate (once each)."""
    from app.certificates import names
    from app.extensions import db

    sent = names.ask_names(today.date() if today else None)
    db.session.commit()
    click.echo(f"Permintaan konfirmasi nama terkirim: {sent}.")
