"""`flask backup` and `flask restore`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app import clock
from app.backup import services
from app.errors import DomainError


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{n / 1024:.0f} kB"


@click.command("backup")
@with_appcontext
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path | None) -> None:
    """Write one archive of the database and the stored files (default:
    backups/sibimtek-YYYYMMDD-HHMMSS.tar.gz)."""
    target = path or Path("backups") / f"sibimtek-{clock.now():%Y%m%d-%H%M%S}.tar.gz"
    try:
        summary = services.create(target)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(
        f"Cadangan {summary.database} (revisi {summary.revision or '-'}) dengan {summary.files} berkas: "
        f"{summary.path} ({_size(summary.size)})."
    )


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Timpa basis data yang tidak kosong.")
def restore(path: Path, force: bool) -> None:
    """Bring a `flask backup` archive back into the configured (empty) database and file store,
    then run the migrations."""
    try:
        summary = services.restore(path, force=force)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"Dipulihkan dari {summary.path}: {summary.files} berkas, skema pada revisi {summary.revision}.")
