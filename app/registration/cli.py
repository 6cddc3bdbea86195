"""`flask registrations remind`: mail approved participants 3 days before their class."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from app import clock
from app.core.urls import public_request_context
from app.extensions import db
from app.registration import notifications

registrations_cli = AppGroup("registrations", help="Pendaftaran peserta.")


@registrations_cli.command("remind")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Tanggal acuan (TTTT-BB-HH).")
def remind(today: datetime | None) -> None:
    """Send the 3-day reminder to approved participants (each once); run it daily."""
    day = today.date() if today else clock.today()
    with public_request_context():  # links in the mails
        sent = notifications.send_reminders(day)
    db.session.commit()
    click.echo(f"Pengingat terkirim: {sent}.")
