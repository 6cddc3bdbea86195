"""`flask files …`: moving an install's files from the instance folder into the database store."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.files import AREAS, DatabaseFileStore, LocalFileStore, store

files_cli = AppGroup("files", help="Berkas tersimpan (FILE_STORE): sertifikat, surat, gambar, impor.")


@files_cli.command("copy-local")
def copy_local() -> None:
    """Copy every file under the instance folder into the database store (FILE_STORE=database),
    area by area; a file already stored with the same size is left alone, so the command can be
    run again. The local files stay where they are until you remove them."""
    target = store()
    if not isinstance(target, DatabaseFileStore):
        raise click.ClickException("FILE_STORE harus 'database': berkas disalin dari folder instance ke database.")
    local = LocalFileStore(Path(current_app.instance_path))
    for area in AREAS:
        copied = kept = 0
        for name in local.names(area):
            path = local.path(area, name)
            if target.size(area, name) == path.stat().st_size:
                kept += 1
            else:
                target.put_file(area, name, path)
                copied += 1
        click.echo(f"{area}: {copied} berkas disalin, {kept} sudah ada")
