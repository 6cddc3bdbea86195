"""`flask classes …`: the class lifecycle by the calendar."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app import clock
from app.extensions import db
from app.programmes import lifecycle

classes_cli = AppGroup("classes", help="Kelas: status menurut kalender.")


@classes_cli.command("tick")
@click.option("--at", "at", default=None, help="Waktu acuan ISO (mis. 2027-05-10T08:00+08:00); bawaan: sekarang.")
def tick(at: str | None) -> None:
    """Record the transitions the calendar made (registration opened/closed, running, finished),
    each once, in the audit trail. Run it every few minutes from cron or the RQ scheduler."""
    moment = clock.parse(at) if at else clock.now()
    transitions = lifecycle.tick(moment)
    db.session.commit()
    for t in transitions:
        old = t.old.value if t.old else "—"
        click.echo(f"{t.training_class.id}\t{t.training_class.name}\t{old} → {t.new.value}")
    click.echo(f"{len(transitions)} perubahan status dicatat.")
